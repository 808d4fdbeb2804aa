/* geo/road/route_ends.h -- a route between two map points, snapped as OSRM snaps by default: onto
 * the largest strongly connected component, unless a road off it lies nearer and the route from
 * (or to) that road exists, which is then taken (a point on a small piece of road that connects,
 * a car park's aisle, a one-way spur). The nearer ends are tried first, so the answer is the
 * route from the nearest end that can be routed; a point whose only road within the radius is off
 * the main component routes from there when it can. */
#ifndef KKC_ROUTE_ENDS_H
#define KKC_ROUTE_ENDS_H

#include "base/err.h"
#include "road/graph.h"
#include "road/route.h"
#include "road/snap.h"

/* Snap both points (each within its radius), route with geometry and steps (route_compute()); *from and
 * *to receive the snapped ends used. KKC_ENOSEGMENT when a point has no road within the radius,
 * KKC_ENOROUTE when no combination of ends routes, KKC_EINVAL, KKC_ENOMEM. */
enum kkc_code route_ends(const struct graph *g, struct route_ctx *ctx, double from_lon,
                         double from_lat, double from_radius_m, double to_lon, double to_lat,
                         double to_radius_m, struct snap *from, struct snap *to,
                         struct route_result **out, struct kkc_err *err);

#endif
