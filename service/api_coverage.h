/* service/api_coverage.h -- planners' endpoints: isochrones, coverage, catchments. */
#ifndef KKC_API_COVERAGE_H
#define KKC_API_COVERAGE_H

#include "api.h"

struct coverage_base;

/* The coverage data of the request's world (municipalities, regions, the network's area), built
 * on the first call against that world and shared by every thread; borrowed, valid while the
 * request holds its world. NULL with err set when it cannot be built. */
const struct coverage_base *api_coverage_base(const struct api_req *r, struct kkc_err *err);

/* GET /v1/isochrone?centre=ID|LON,LAT&minutes=5,10,15[&direction=out|in]
 *   (or, instead of centre: [kind=..][&close=ID,..][&add=LON,LAT;..] for the service area of all
 *   those centres together): a GeoJSON FeatureCollection, one (Multi)Polygon per contour. */
void api_isochrone(const struct api_req *r, struct api_res *res);

/* GET /v1/coverage?minutes=T|km=D[&kind=..][&region=CODE][&format=json|geojson][&close=..]
 *   [&add=..]: shares of population, area and road covered, the uncovered municipalities worst
 *   first, the breakdown by the next level of regions; geojson: gap and service polygons and the
 *   uncovered municipalities as points. */
void api_coverage(const struct api_req *r, struct api_res *res);

/* GET /v1/catchments?[kind=..][&minutes=T|km=D][&region=CODE][&close=..][&add=..]: one Feature
 *   per centre with the area it reaches first. */
void api_catchments(const struct api_req *r, struct api_res *res);

#endif
