/* geo/road/route.h -- point-to-point shortest path by driving time, with geometry and steps.
 *
 * Routes run between two snapped points (snap.h): partial edges at both ends, one-way streets
 * respected, both points on one edge handled. The search is A* with landmark (ALT) lower bounds
 * on the time component of graph_cost, so it finds the exact optimum (least time, then least
 * distance) and its figures equal those of any other search over the same graph (labels.h).
 *
 * Threads: the graph is shared read-only; each thread owns a struct route_ctx (the per-query
 * scratch: node states, heap, path buffer) and reuses it: a query allocates nothing but its
 * result. */
#ifndef KKC_ROUTE_H
#define KKC_ROUTE_H

#include "base/err.h"
#include "road/graph.h"
#include "road/snap.h"

#include <stddef.h>
#include <stdint.h>

struct route_ctx;
struct cch_query;

/* Scratch for queries on g (and only on g). *out is the caller's, freed by route_ctx_destroy().
 * KKC_ENOMEM on failure. */
enum kkc_code route_ctx_create(const struct graph *g, struct route_ctx **out, struct kkc_err *err);
/* NULL is a no-op. */
void route_ctx_destroy(struct route_ctx *ctx);

/* One piece of the path: a whole edge, or part of one at either end. */
struct route_edge {
    uint32_t edge;                     /* road_edges.id */
    int reverse;                       /* 1 when driven target -> source */
    double from_fraction, to_fraction; /* where the piece starts and ends, 0..1 from the source */
    double distance_m, duration_s;
    size_t coord_first, coord_last; /* its points in coords[] (0, 0 without geometry) */
};

/* A run of consecutive pieces on the same road (same name and ref). */
struct route_step {
    const char *name, *ref; /* "" when none; borrowed from the graph */
    double distance_m, duration_s;
    size_t edge_first, edge_count;  /* its pieces in edges[] */
    size_t coord_first, coord_last; /* its points in coords[] (0, 0 without geometry) */
};

struct route_result {
    double distance_m, duration_s; /* totals; the sums of the steps' */
    size_t coord_count;            /* points in coords (0 without geometry) */
    double *coords;                /* lon,lat pairs from the snapped start to the snapped end */
    size_t edge_count;
    struct route_edge *edges; /* the path's pieces in driving order */
    size_t step_count;
    struct route_step *steps;
};

/* Shortest path from `from` to `to` (snapped on ctx's graph g). With want_geometry the result
 * carries the LineString (at least two points; consecutive duplicates dropped). Pieces of zero
 * cost at either end (a point on a node) are left out. On success *out is the caller's, freed
 * with route_result_destroy(). Returns KKC_ENOROUTE when `to` cannot be reached from `from`,
 * KKC_EINVAL when ctx belongs to another graph, KKC_ENOMEM. */
enum kkc_code route_compute(const struct graph *g, struct route_ctx *ctx, const struct snap *from,
                            const struct snap *to, int want_geometry, struct route_result **out,
                            struct kkc_err *err);
/* NULL is a no-op. */
void route_result_destroy(struct route_result *r);

/* The cost only, between two snapped points. KKC_ENOROUTE when unreachable. */
enum kkc_code route_cost(const struct graph *g, struct route_ctx *ctx, const struct snap *from,
                         const struct snap *to, graph_cost *cost, struct kkc_err *err);

/* The cost of the shortest path between two nodes (internal indices, graph_node_from_dbid()).
 * KKC_ENOROUTE when unreachable, KKC_EINVAL for a bad index or another graph's ctx. */
enum kkc_code route_node_cost(const struct graph *g, struct route_ctx *ctx, uint32_t from,
                              uint32_t to, graph_cost *cost, struct kkc_err *err);

/* Make ctx graph g's (the one it had may be gone: it is not read): its scratch fits when g's turn
 * graph has as many routing nodes and g's hierarchy (if any) as many nodes, as a reloaded or
 * derived world of the same network has; no arrays of the graph's size are made or touched.
 * 0, or -1 when it does not fit (ctx unchanged: create one for g). */
int route_ctx_rebind(struct route_ctx *ctx, const struct graph *g);

/* The graph ctx was made for, and its query scratch on the graph's hierarchy (NULL without). */
const struct graph *route_ctx_graph(const struct route_ctx *ctx);
struct cch_query *route_ctx_hierarchy(struct route_ctx *ctx);

/* How many nodes the last query of ctx settled (for benchmarks and tests). */
size_t route_ctx_settled(const struct route_ctx *ctx);

#endif
