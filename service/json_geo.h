/* service/json_geo.h -- GeoJSON pieces from GEOS geometries (lon/lat, rounded to 1e-7 degree),
 * for the coverage endpoints. */
#ifndef KKC_JSON_GEO_H
#define KKC_JSON_GEO_H

#define GEOS_USE_ONLY_R_API
#include <geos_c.h>
#include <jansson.h>

json_t *json_coords(GEOSContextHandle_t h, const GEOSGeometry *g);
json_t *json_rings(GEOSContextHandle_t h, const GEOSGeometry *poly);
json_t *json_area(GEOSContextHandle_t h, const GEOSGeometry *g);
json_t *json_feature(json_t *geometry, json_t *props);
json_t *json_point(double lon, double lat);

/* Reply with a FeatureCollection (stolen features) and extra top-level members (stolen). */
struct api_res;
void json_geo_reply(struct api_res *res, json_t *features, json_t *extra);

#endif
