/* service/api_osrm_req.h -- what the OSRM endpoint files share (api_osrm.c: path, parameters,
 * errors, /table, /nearest, dispatch; api_osrm_route.c: /route and its steps). Private to them. */
#ifndef KKC_API_OSRM_REQ_H
#define KKC_API_OSRM_REQ_H

#include "api_osrm.h"

#include <jansson.h>
#include <stddef.h>

enum osrm_service { OSRM_ROUTE, OSRM_NEAREST, OSRM_TABLE };

enum geom_fmt { GEOM_POLYLINE, GEOM_POLYLINE6, GEOM_GEOJSON };

/* One request in progress. Everything it points to is freed by oreq_free(). */
struct oreq {
    const struct api_req *r;
    const struct graph *g;
    enum osrm_service svc;
    size_t n;           /* coordinates */
    double *ll;         /* 2n: lon, lat */
    double *radius;     /* n snap radii in metres */
    struct snap *snaps; /* n */
    int skip_waypoints;
    int snap_any; /* snapping=any: any drivable road, not only the main component */
    const char *code; /* OSRM error code of the failure; NULL: the service's own mapping */
    struct kkc_err err;
};


/* Record a failure with its OSRM code (NULL for failures that are not the client's). */
enum kkc_code osrm_fail(struct oreq *o, enum kkc_code rc, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A parameter helper's failure (o->err already filled) is a malformed query. */
enum kkc_code osrm_query_rc(struct oreq *o, enum kkc_code rc);
/* The coordinate count against the service's limits. */
enum kkc_code osrm_check_coords(struct oreq *o);
/* radiuses (default radius), hints, generate_hints, skip_waypoints. */
enum kkc_code osrm_param_common(struct oreq *o, double radius);
/* Snap every coordinate (NoSegment naming the first that fails). */
enum kkc_code osrm_snap_all(struct oreq *o);

json_t *osrm_json_lonlat(double lon, double lat);
/* A waypoint object for snapped point s. */
json_t *osrm_json_waypoint(const struct snap *s);
/* The waypoints array for snaps idx[0..n) (idx NULL: 0..n-1). */
json_t *osrm_json_waypoints(const struct oreq *o, const size_t *idx, size_t n);
/* A geometry of n >= 1 points in format f; NULL when out of memory. */
json_t *osrm_json_geometry(const double *ll, size_t n, enum geom_fmt f);

/* GET /route/v1/: the answer into *out (api_osrm_route.c). */
enum kkc_code osrm_route(struct oreq *o, json_t **out);

#endif
