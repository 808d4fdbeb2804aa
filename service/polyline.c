/* service/polyline.c -- encoded polyline writer and reader (see polyline.h). */
#include "polyline.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/* A signed value takes at most 13 groups of 5 bits (64 bits); coordinates far fewer. */
#define GROUPS_MAX POLYLINE_GROUPS_MAX
#define GROUP_BITS 5
#define CONTINUE 0x20
#define OFFSET 63

/* 10^precision as a double (exact for the precisions allowed). */
static double factor_of(int precision)
{
    double f = 1;
    for (int i = 0; i < precision; i++)
        f *= 10;
    return f;
}

/* llround(x) for |x| < 2^52, where x - trunc(x) is exact (Sterbenz), without the call. */
static int64_t round_away(double x)
{
    int64_t t = (int64_t)x;
    double f = x - (double)t;
    return t + (f >= 0.5) - (f <= -0.5);
}

/* Append the zig-zag groups of v at p; returns the new end. */
static char *put_value(char *p, int64_t v)
{
    uint64_t u = v < 0 ? ~((uint64_t)v << 1) : (uint64_t)v << 1;
    while (u >= CONTINUE) {
        *p++ = (char)((CONTINUE | (u & 0x1f)) + OFFSET);
        u >>= GROUP_BITS;
    }
    *p++ = (char)(u + OFFSET);
    return p;
}

size_t polyline_encode_to(const double *lonlat, size_t n, int precision, char *out)
{
    double f = factor_of(precision);
    int64_t prev_lat = 0, prev_lon = 0;
    char *p = out;

    for (size_t i = 0; i < n; i++) {
        double lon = lonlat[2 * i], lat = lonlat[2 * i + 1];
        if (!(fabs(lon) <= 180) || !(fabs(lat) <= 180))
            return POLYLINE_BAD;
        int64_t ilat = round_away(lat * f), ilon = round_away(lon * f); /* |x| < 2e11 */
        p = put_value(p, ilat - prev_lat);
        p = put_value(p, ilon - prev_lon);
        prev_lat = ilat, prev_lon = ilon;
    }
    *p = '\0';
    return (size_t)(p - out);
}

enum kkc_code polyline_encode(const double *lonlat, size_t n, int precision, char **out,
                              struct kkc_err *err)
{
    char *s;
    size_t len;

    *out = NULL;
    if (precision < 0 || precision > POLYLINE_PRECISION_MAX)
        return kkc_err_set(err, KKC_EINVAL, "polyline precision must be 0..%d",
                           POLYLINE_PRECISION_MAX);
    if (n > (SIZE_MAX - 1) / (2 * POLYLINE_GROUPS_MAX))
        return kkc_err_set(err, KKC_ENOMEM, "polyline of %zu points is too long", n);
    s = malloc(POLYLINE_BYTES(n));
    if (!s)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (polyline)");
    len = polyline_encode_to(lonlat, n, precision, s);
    if (len == POLYLINE_BAD) {
        for (size_t i = 0;; i++) /* name the first point that is not a coordinate */
            if (!(fabs(lonlat[2 * i]) <= 180) || !(fabs(lonlat[2 * i + 1]) <= 180)) {
                free(s);
                return kkc_err_set(err, KKC_EINVAL, "point %zu is not a coordinate", i);
            }
    }
    *out = s;
    return KKC_OK;
}

/* Read one value from s[*i..len) into *v. Returns 0, or -1 when the text is malformed. */
static int get_value(const char *s, size_t len, size_t *i, int64_t *v)
{
    uint64_t u = 0;
    for (int shift = 0; shift < GROUPS_MAX * GROUP_BITS; shift += GROUP_BITS) {
        if (*i >= len || s[*i] < OFFSET || s[*i] > OFFSET + 63)
            return -1;
        unsigned c = (unsigned)(s[(*i)++] - OFFSET);
        u |= (uint64_t)(c & 0x1f) << shift;
        if (!(c & CONTINUE)) {
            *v = (u & 1) ? (int64_t) ~(u >> 1) : (int64_t)(u >> 1);
            return 0;
        }
    }
    return -1;
}

enum kkc_code polyline_decode(const char *s, size_t len, int precision, size_t max_points,
                              double **out, size_t *n, struct kkc_err *err)
{
    double f = factor_of(precision), *pts = NULL;
    int64_t lat = 0, lon = 0, dlat, dlon;
    size_t i = 0, cap = 0, np = 0;
    enum kkc_code rc = KKC_OK;

    *out = NULL, *n = 0;
    if (precision < 0 || precision > POLYLINE_PRECISION_MAX)
        return kkc_err_set(err, KKC_EINVAL, "polyline precision must be 0..%d",
                           POLYLINE_PRECISION_MAX);
    while (!rc && i < len) {
        if (get_value(s, len, &i, &dlat) || get_value(s, len, &i, &dlon) ||
            __builtin_add_overflow(lat, dlat, &lat) || __builtin_add_overflow(lon, dlon, &lon) ||
            fabs((double)lat / f) > 90 || fabs((double)lon / f) > 180) {
            rc = kkc_err_set(err, KKC_EINVAL, "malformed polyline near character %zu", i);
        } else if (np == max_points) {
            rc = kkc_err_set(err, KKC_ETOOBIG, "polyline has more than %zu points", max_points);
        } else if (np == cap) {
            size_t ncap = cap ? 2 * cap : 16;
            double *grown = realloc(pts, ncap * 2 * sizeof *pts);
            if (!grown)
                rc = kkc_err_set(err, KKC_ENOMEM, "out of memory (polyline)");
            else
                pts = grown, cap = ncap;
        }
        if (!rc) {
            pts[2 * np] = (double)lon / f;
            pts[2 * np + 1] = (double)lat / f;
            np++;
        }
    }
    if (rc) {
        free(pts);
        return rc;
    }
    *out = pts, *n = np;
    return KKC_OK;
}
