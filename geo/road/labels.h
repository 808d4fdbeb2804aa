/* geo/road/labels.h -- nearest centres by driving time ("network Voronoi"), precomputed per node.
 *
 * labels_build() snaps every chosen centre to the road graph and runs one multi-source search
 * that grows out of all centres at once along the driving direction (centre -> node: the crew
 * drives out, so one-way streets count the way they are driven; equivalently, a search from each
 * node on the reversed graph). Every node keeps its K best distinct centres with their costs.
 * labels_nearest() then answers "the k nearest centres by time to this snapped point" from the
 * labels of the node(s) from which its edge is driven into the point, plus the centres snapped on
 * the same edge: exact for k <= K, and equal (time and distance) to route_cost() from each centre
 * to the point, because both add the same integer costs (graph.h) and rank ties by centre index.
 *
 * A struct labels is immutable once built and borrows the graph, which must outlive it. Queries
 * allocate nothing and may run on any number of threads. */
#ifndef KKC_LABELS_H
#define KKC_LABELS_H

#include "base/err.h"
#include "road/graph.h"
#include "road/snap.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct centres;
struct labels;

#define LABELS_K_DEFAULT 8
#define LABELS_K_MAX 32

struct labels_options {
    unsigned kind_mask;   /* centres of kinds with bit (1 << kind) set; 0 = all kinds */
    int include_closed;   /* nonzero: closed centres too */
    unsigned k;           /* centres kept per node, 1..LABELS_K_MAX; 0 = LABELS_K_DEFAULT */
    double snap_radius_m; /* for snapping the centres; 0 = SNAP_RADIUS_DEFAULT_M */
};

/* Snap the centres of cs chosen by o (NULL = defaults: all kinds, active only) and label every
 * node of g. A centre farther than the radius from any road is left out (labels_centre() tells).
 * On success *out is the caller's, freed with labels_destroy(). KKC_EINVAL for bad options,
 * KKC_ENOMEM. */
enum kkc_code labels_build(const struct graph *g, const struct centres *cs,
                           const struct labels_options *o, struct labels **out,
                           struct kkc_err *err);
/* labels_build() that gives up (KKC_EINTERNAL, "cancelled", nothing built) soon after *cancel
 * becomes nonzero, when cancel is not NULL: a build superseded by a newer change stops. */
enum kkc_code labels_build_cancellable(const struct graph *g, const struct centres *cs,
                                       const struct labels_options *o, const atomic_int *cancel,
                                       struct labels **out, struct kkc_err *err);
/* NULL is a no-op. */
void labels_destroy(struct labels *l);

/* K: how many centres each node keeps, the largest k labels_nearest() accepts. */
unsigned labels_k(const struct labels *l);

enum labels_centre_state {
    LABELS_USED = 0,  /* snapped and labelled */
    LABELS_EXCLUDED,  /* not chosen: another kind, or closed */
    LABELS_UNSNAPPED, /* chosen, but no road within the radius */
};
/* The state of centre i (index into centres_get()); when used and snap is not NULL, *snap points
 * at its snapped position (borrowed). LABELS_EXCLUDED for i out of range. */
enum labels_centre_state labels_centre(const struct labels *l, size_t i, const struct snap **snap);

struct labels_hit {
    uint32_t centre;   /* index into centres_get() */
    double duration_s; /* driving from the centre to the point */
    double distance_m; /* along that route */
    graph_cost cost;   /* the same as a graph_cost */
};

/* The k (1 <= k <= labels_k()) centres with the least driving time to the snapped point at,
 * ordered by time, then distance, then centre index. Writes up to k hits to out (fewer when
 * fewer centres reach the point) and their number to *n. KKC_EINVAL for a bad k. */
enum kkc_code labels_nearest(const struct labels *l, const struct snap *at, size_t k,
                             struct labels_hit *out, size_t *n, struct kkc_err *err);

/* For every node v (internal index), out_s[v] = seconds from the nearest centre to v, INFINITY
 * when none reaches it. out_s has graph_node_count() entries. */
void labels_node_times(const struct labels *l, double *out_s);

/* For every node v, out_s[v] = seconds from centre i (which must be LABELS_USED; KKC_EINVAL
 * otherwise) to v, INFINITY when unreachable: one full search. KKC_ENOMEM. */
enum kkc_code labels_centre_node_times(const struct labels *l, size_t i, double *out_s,
                                       struct kkc_err *err);

#endif
