/* geo/closures/avoid.h -- per-request avoid areas and excluded road classes, without storing
 * anything: the edges they close, and a private copy of the graph with them closed.
 *
 * Matching runs in memory: the cells of the graph's snapping grid under each polygon's bounding
 * box give the candidate segments (those of the largest strongly connected component, the only
 * ones a route between snapped points can use), GEOS (prepared polygon) decides. The copy shares
 * every array of the world's graph but the adjacency, edge flags and costs, which it owns and
 * changes with closures_overlay(); its cost is one pass over the arcs (see README). */
#ifndef KKC_CLOSURES_AVOID_H
#define KKC_CLOSURES_AVOID_H

#include "base/err.h"
#include "closures/closures.h"

#include <stddef.h>

struct graph;

#define AVOID_AREAS_MAX 16
#define AVOID_POINTS_MAX 2000 /* per ring */

struct avoid_area {
    const double *lonlat; /* npts lon,lat pairs of the outer ring (closed or not) */
    size_t npts;
};

struct avoid_opts {
    const struct avoid_area *areas;
    size_t nareas;
    unsigned exclude_classes; /* bit (1 << enum graph_road_class) for each class to leave out */
};

/* The edges the options close (both directions) into out (closure_effects_free()). KKC_EINVAL
 * for a ring of fewer than 3 distinct points, an invalid (self-intersecting) polygon, or too
 * many areas / points. */
enum kkc_code closures_avoid_effects(const struct graph *g, const struct avoid_opts *o,
                                     struct closure_effects *out, struct kkc_err *err);

/* A copy of g with e applied (closures_overlay), sharing g's read-only arrays; release it with
 * closures_graph_release() before g is freed. */
enum kkc_code closures_graph_with(const struct graph *g, const struct closure_effects *e,
                                  struct graph **out, struct kkc_err *err);
void closures_graph_release(struct graph *copy);

#endif
