/* service/json_geo.h -- JSON pieces of the coverage endpoints: GeoJSON from GEOS geometries
 * (lon/lat, rounded to 1e-7 degree), sites, kinds and shares. */
#ifndef KKC_JSON_GEO_H
#define KKC_JSON_GEO_H

#define GEOS_USE_ONLY_R_API
#include <geos_c.h>
#include <jansson.h>

json_t *kkc_json_coords(GEOSContextHandle_t h, const GEOSGeometry *g);
json_t *kkc_json_rings(GEOSContextHandle_t h, const GEOSGeometry *poly);
json_t *kkc_json_area(GEOSContextHandle_t h, const GEOSGeometry *g);
json_t *kkc_json_feature(json_t *geometry, json_t *props);
json_t *kkc_json_point(double lon, double lat);

/* Reply with a FeatureCollection (stolen features) and extra top-level members (stolen). */
struct api_res;
void kkc_json_geo_reply(struct api_res *res, json_t *features, json_t *extra);

struct api_req;
struct coverage_site;
/* A site: the centre's id, name, kind and position, or an added point. */
json_t *kkc_json_site(const struct api_req *r, const struct coverage_site *s);
/* The kinds of mask as an array of names. */
json_t *kkc_json_kinds(unsigned mask);
/* {"total", "covered", "share"}; nulls when has is 0; whole numbers when decimals < 0. */
json_t *kkc_json_share(double covered, double total, int has, int decimals);

#endif
