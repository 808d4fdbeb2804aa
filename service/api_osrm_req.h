/* service/api_osrm_req.h -- what the OSRM endpoint files share (api_osrm.c: path, parameters,
 * errors, /table, /nearest, dispatch; api_osrm_route.c: /route and its steps). Private to them. */
#ifndef KKC_API_OSRM_REQ_H
#define KKC_API_OSRM_REQ_H

#include "api_osrm.h"

#include "road/graph.h"
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

/* ---- the answers' pieces, written into the body's buffer (api_osrm_write.c) ---- */
struct strbuf;
struct guide_leg;
struct guide_step;
struct route_result;
struct snap_road;

/* s as a JSON string ('?' for the bytes of text that is not UTF-8). */
void osrm_w_text(struct strbuf *b, const char *s);
/* The text lead (a key, punctuation), then x with that many decimals (kjw_fixed()). */
void osrm_w_num(struct strbuf *b, const char *lead, double x, int decimals);
/* [lon,lat] with 6 decimals. */
void osrm_w_lonlat(struct strbuf *b, double lon, double lat);
/* The waypoints array for snaps idx[0..n) (idx NULL: 0..n-1). */
void osrm_w_waypoints(struct strbuf *b, const struct oreq *o, const size_t *idx, size_t n);
/* /nearest's waypoints: the snapped point, then hits[1..nh). */
void osrm_w_nearest(struct strbuf *b, const struct oreq *o, const struct snap_road *hits,
                    size_t nh);
/* A geometry of n >= 1 points (one point is written twice) in format f; -1 when out of memory
 * or a point is not a coordinate. */
int osrm_w_geometry(struct strbuf *b, const double *ll, size_t n, enum geom_fmt f);
/* "distance":d,"duration":t,"weight":t (one decimal; weight is the duration). */
void osrm_w_figures(struct strbuf *b, double distance_m, double duration_s);
/* Step g of leg l (route rr); -1 as osrm_w_geometry(). */
int osrm_w_step(struct strbuf *b, const struct guide_leg *l, const struct guide_step *g,
                const struct route_result *rr, enum geom_fmt fmt);
/* A matrix of seconds (what 0) or metres (what 1) from costs; null where unreachable. */
void osrm_w_matrix(struct strbuf *b, const graph_cost *c, size_t ns, size_t nd, int what);

/* GET /route/v1/: the answer appended to *out (api_osrm_route.c). */
enum kkc_code osrm_route(struct oreq *o, struct strbuf *out);

#endif
