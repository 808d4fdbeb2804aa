/* service/api_route.h -- road routing endpoints: GET /v1/route, and the by=time flavour of
 * /v1/nearest. Both need the world's road graph; without one they answer 422 NoSegment. */
#ifndef KKC_API_ROUTE_H
#define KKC_API_ROUTE_H

#include "api.h"
#include "road/graph.h"

#include <stdint.h>

void api_route(const struct api_req *r, struct api_res *res);

/* The by=time part of GET /v1/nearest: the k centres of the kinds in mask with the least driving
 * time from the centre to the point p (p snapped within radius_m; the centres as
 * nearest_time.h says). */
struct point_in;
void api_nearest_time(const struct api_req *r, struct api_res *res, const struct point_in *p,
                      unsigned mask, int include_closed, size_t k, double radius_m,
                      const struct graph *avoid);

/* nearest_time() (geo/road/nearest_time.h) on the world's centres and labels for mask. */
struct world;
struct snap;
struct nearest_time_hit;
/* Whether nearest by time for these arguments answers from the world's labels (no search). */
int api_nearest_time_by_labels(const struct world *w, unsigned mask, int include_closed,
                               size_t k);
enum kkc_code api_nearest_time_hits(const struct world *w, const struct snap *at, unsigned mask,
                                    int include_closed, size_t k, struct nearest_time_hit *out,
                                    size_t *n, struct kkc_err *err);

/* One routing end point parsed from "centre:ID" or "LON,LAT". */
struct route_end {
    double lon, lat;
    long centre; /* index into the world's centres, or -1 */
};
enum kkc_code api_route_end(const struct api_req *r, const char *name, struct route_end *e,
                            struct kkc_err *err);

#endif
