/* geo/road/snap.h -- a point on the map -> the nearest point on the nearest routable road, and how
 * such a snapped point joins the graph's searches.
 *
 * By default only edges of the largest strongly connected component are candidates
 * (GRAPH_SNAPPABLE), so a snapped point can always be left and reached; snap_point_any() takes any
 * drivable edge (the grid holds them all). Distances use a local ellipsoidal approximation
 * (metres per degree at the latitude), good to well under a metre within the snap radius.
 * Everything here reads the graph only: thread-safe, no allocation. */
#ifndef KKC_SNAP_H
#define KKC_SNAP_H

#include "base/err.h"
#include "road/graph.h"

#include <stddef.h>
#include <stdint.h>

#define SNAP_RADIUS_DEFAULT_M 1000.0
#define SNAP_RADIUS_MAX_M 50000.0

struct snap {
    double query_lon, query_lat; /* the point asked about */
    double lon, lat;             /* the snapped point, on the edge's geometry */
    double distance_m;           /* from the query point to the snapped point */
    uint32_t edge;               /* road_edges.id */
    uint32_t point;              /* g->coords index of the first point of the segment it is on */
    double fraction;             /* 0..1, by length along the edge from source to target */
    const char *name, *ref;      /* of the edge; "" when none; borrowed from the graph */
};

/* Snap lon,lat (WGS84 degrees) to the nearest point of a snappable edge within radius_m
 * (0 < radius_m <= SNAP_RADIUS_MAX_M). Ties go to the lower edge id. Returns KKC_OK and fills
 * *out; KKC_ENOSEGMENT when no such edge is within radius_m; KKC_EINVAL for a bad coordinate or
 * radius. */
enum kkc_code snap_point(const struct graph *g, double lon, double lat, double radius_m,
                         struct snap *out, struct kkc_err *err);

/* snap_point() onto any drivable edge, of the largest strongly connected component or not (OSRM's
 * snapping=any): a route from or to a small component exists when it connects; else the search
 * answers KKC_ENOROUTE. */
enum kkc_code snap_point_any(const struct graph *g, double lon, double lat, double radius_m,
                             struct snap *out, struct kkc_err *err);

/* The point at fraction (clamped to 0..1, by length) along edge, as a snap with distance 0 and
 * the query point equal to it. KKC_EINVAL for an unknown edge. Any edge is accepted, snappable
 * or not (for tests and tools). */
enum kkc_code snap_at(const struct graph *g, uint32_t edge, double fraction, struct snap *out,
                      struct kkc_err *err);

/* The cost of the part of edge from its source to fraction: both parts of the edge's cost scaled
 * and rounded, so it never decreases with fraction, is 0 at 0 and the edge's cost at 1. */
graph_cost snap_partial(const struct graph *g, uint32_t edge, double fraction);

/* How a search leaves the snapped point s: up to two (node, cost) pairs, written to out, count
 * returned. The edge's target when it is driven forward (cost of the rest of the edge), its
 * source when driven backward (cost of the part before s); an end that s lies on (partial cost
 * 0) is always a way out whatever the direction, except on an edge of cost 0 (its two ends are
 * one place: joining them both ways would be a shortcut the graph does not have). */
size_t snap_departures(const struct graph *g, const struct snap *s, struct graph_seed out[2]);

/* How a search reaches s: up to two (node, cost) pairs, the cost being what remains from the
 * node to s: the source when the edge is driven forward, the target when driven backward, and
 * an end that s lies on (same exception as above). */
size_t snap_arrivals(const struct graph *g, const struct snap *s, struct graph_seed out[2]);

/* The cost of driving from `from` to `to` along their common edge without leaving it, into
 * *cost. Returns 1, or 0 when they are on different edges or the edge's direction forbids it.
 * A point on a twin row (snap_twin) is on both rows: the drive along either counts. */
int snap_direct(const struct graph *g, const struct snap *from, const struct snap *to,
                graph_cost *cost);
/* The same, the points moved onto their twin rows too (snap_twin: a way stored as two one-way
 * rows is driven along either); *f_used and *t_used (NULL: not wanted) receive the best pair's
 * ends, on one edge. snap_direct() is this one. */
int snap_direct_on(const struct graph *g, const struct snap *from, const struct snap *to,
                   graph_cost *cost, struct snap *f_used, struct snap *t_used);

/* p moved onto its edge's twin row (turn.h: the other direction of a way stored as two one-way
 * rows) into *q: the same place, the fraction mirrored when the twin's points run the other
 * way. Returns 1, or 0 when p's edge has no twin (*q untouched). */
int snap_twin(const struct graph *g, const struct snap *p, struct snap *q);

/* One road near a point, for "the N nearest roads". */
struct snap_road {
    double distance_m; /* from the query point */
    uint32_t edge;
    double lon, lat; /* the nearest point of the road's edge */
};

/* The nearest roads to (lon, lat) within radius_m, one hit per road (the same name and ref; an
 * unnamed edge by its point), nearest first, the first being `first` (the point snapped there);
 * at most k into hits. Returns how many. A plain scan of all snappable segments: a few
 * milliseconds on a city graph (no allocation). */
size_t snap_roads(const struct graph *g, double lon, double lat, double radius_m,
                  const struct snap *first, struct snap_road *hits, size_t k);

#endif
