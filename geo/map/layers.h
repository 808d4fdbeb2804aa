/* geo/map/layers.h -- what the web map draws, read from the store: roads and boundaries as
 * features, municipalities by name or by bbox.
 *
 * Features come as text, one GeoJSON Feature per row, built by SQLite itself (json_object over
 * SpatiaLite's AsGeoJSON); the caller only concatenates them. Every query goes through the table's
 * spatial index (or the name index) and is capped, so answers stay fast while panning. Zoom
 * levels decide the simplification (about one pixel), the decimals and the road classes drawn. */
#ifndef KKC_LAYERS_H
#define KKC_LAYERS_H

#include "base/err.h"

#include <stddef.h>

struct store;

/* One feature's text (len bytes, NUL-terminated, borrowed for the call). Nonzero stops the
 * walk (the function then returns KKC_OK, *truncated untouched). */
typedef int (*layers_feature_fn)(void *ctx, const char *text, size_t len);

/* Degrees of longitude per screen pixel at zoom z (256-pixel tiles, Web Mercator). */
double layers_deg_per_px(long z);

/* The road_edges in b = {minlon, minlat, maxlon, maxlat} drawn at zoom z (0..22): the most
 * important classes first, at most max of them; *truncated = 1 when there were more. */
enum kkc_code layers_roads(struct store *db, const double b[4], long z, long max,
                           layers_feature_fn fn, void *ctx, int *truncated, struct kkc_err *err);

/* The regions of level ("country", "kraj", "okres", "orp", "border"), those meeting b when b is
 * not NULL; simplified for zoom z (z < 0: the stored geometry, 7 decimals); outline gives their
 * boundary lines (clipped to b) instead of polygons. At most max; *truncated as above. */
enum kkc_code layers_boundaries(struct store *db, const char *level, const double *b, long z,
                                int outline, long max, layers_feature_fn fn, void *ctx,
                                int *truncated, struct kkc_err *err);

/* One municipality row; the strings are borrowed for the call and may be NULL. */
struct layers_muni {
    const char *code, *name, *okres, *kraj;
    int has_population;
    long long population;
    double lon, lat;
};
typedef void (*layers_muni_fn)(void *ctx, const struct layers_muni *m);

/* The search key of q: folded like municipalities.name_key, outer blanks trimmed. */
void layers_muni_key(const char *q, char *key, size_t cap);

/* Name search by a non-empty key from layers_muni_key (under 127 bytes): names starting with it
 * first (an exact name before the others), then names with a word starting with it; larger
 * municipalities first. At most max rows; *truncated = 1 when there were more. */
enum kkc_code layers_munis_search(struct store *db, const char *key, long max, layers_muni_fn fn,
                                  void *ctx, int *truncated, struct kkc_err *err);

/* The municipalities inside b, most populous first; max and *truncated as above. */
enum kkc_code layers_munis_in_bbox(struct store *db, const double b[4], long max,
                                   layers_muni_fn fn, void *ctx, int *truncated,
                                   struct kkc_err *err);

#endif
