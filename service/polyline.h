/* service/polyline.h -- Google's encoded polyline format (precision 5 as Google and OSRM's
 * "polyline", precision 6 as OSRM's "polyline6").
 *
 * Each point is (lat, lon), rounded to 10^-precision degrees half away from zero (as Google's
 * reference and @mapbox/polyline round); the first point is written as is and every later one as
 * the difference from the previous rounded point, each value zig-zag coded in 5-bit groups with
 * a continuation bit, offset by 63 into printable ASCII. Our arrays are lon,lat pairs (GeoJSON
 * order); the swap happens here. Pure functions: no globals, thread-safe. */
#ifndef KKC_POLYLINE_H
#define KKC_POLYLINE_H

#include "base/err.h"

#include <stddef.h>

#define POLYLINE_PRECISION_MAX 9
#define POLYLINE_GROUPS_MAX 13 /* 5-bit groups of one value at most (64 bits) */
/* The most bytes n points take encoded, with the NUL. */
#define POLYLINE_BYTES(n) ((n) * 2 * POLYLINE_GROUPS_MAX + 1)
#define POLYLINE_BAD ((size_t)-1)

/* Encode n points (lonlat: 2n doubles, lon first) with 0 <= precision <= POLYLINE_PRECISION_MAX.
 * On success *out is a NUL-terminated string the caller frees with free() ("" when n is 0).
 * KKC_EINVAL for a bad precision or a coordinate outside [-180, 180]; KKC_ENOMEM. */
enum kkc_code polyline_encode(const double *lonlat, size_t n, int precision, char **out,
                              struct kkc_err *err);

/* The same into out (POLYLINE_BYTES(n) bytes at least; precision 0..POLYLINE_PRECISION_MAX, not
 * checked): returns the length written (before its NUL), POLYLINE_BAD when a point lies outside
 * [-180, 180] (out then holds a part). */
size_t polyline_encode_to(const double *lonlat, size_t n, int precision, char *out);

/* Decode s (len bytes, no NUL needed) into at most max_points points. On success *out holds
 * 2 * *n doubles (lon, lat), freed by the caller with free() (NULL when *n is 0).
 * KKC_EINVAL for a character outside '?'..'~', a value cut short, a lone latitude, a value too
 * long to be a coordinate or a point outside [-180, 180] x [-90, 90]; KKC_ETOOBIG over max_points;
 * KKC_ENOMEM. */
enum kkc_code polyline_decode(const char *s, size_t len, int precision, size_t max_points,
                              double **out, size_t *n, struct kkc_err *err);

#endif
