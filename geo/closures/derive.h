/* geo/closures/derive.h -- a road graph with closures, derived from the graph without any in far
 * less time than a load: what a closure write swaps in.
 *
 * closures_graph_derive() takes the base graph (as loaded, no closure applied, with its
 * customized hierarchy base->ch) and returns a graph that shares every read-only array of it
 * (nodes, geometry, names, snapping grid, landmarks, the turn graph and the hierarchy's topology
 * struct cch) and owns only what closures change: the adjacency, edge flags and costs (the
 * overlay, closures_overlay() on a copy: closures_graph_with()) and the hierarchy's metric, a
 * copy of the base metric (copy-on-write, see closures_base_create) in which only the turn arcs
 * whose cost the closures change are set and the hierarchy arcs above them re-customized
 * (cch_metric_update). The result equals a graph
 * loaded afresh with the same closures applied: same arcs, same flags, same metric (a partial
 * update gives the full customization's costs, tests/road/test_cch.c). The landmarks of the base
 * stay lower bounds (closures only raise costs). The base must outlive the derived graph, which
 * is freed with closures_graph_derived_free(), never graph_destroy(). */
#ifndef KKC_CLOSURES_DERIVE_H
#define KKC_CLOSURES_DERIVE_H

#include "base/err.h"
#include "closures/closures.h"

#include <stdint.h>

struct graph;
struct closures_base;

struct closures_derive_stats {
    uint64_t arcs_changed; /* turn arcs whose weight differs from the base's */
    uint64_t arcs_redone;  /* hierarchy arcs re-customized */
};

/* The base every derivation starts from: g (as loaded, no closure applied, its hierarchy
 * customized or g->ch NULL), taken (freed with the base, or at once on failure). Its metric's
 * arrays move into a memory file (memfd) mapped read-only; each derived graph maps that file
 * privately (copy-on-write), so a derivation copies only the pages its update writes, not the
 * whole metric (hundreds of MB on a 1 M-node network). Without memfd it copies. KKC_ENOMEM. */
enum kkc_code closures_base_create(struct graph *g, struct closures_base **out,
                                   struct kkc_err *err);
const struct graph *closures_base_graph(const struct closures_base *b);
/* Free the base and its graph (after every graph derived from it); NULL is a no-op. */
void closures_base_destroy(struct closures_base *b);

/* The graph of b's graph with e applied (see above). stats may be NULL. KKC_ENOMEM. */
enum kkc_code closures_graph_derive(const struct closures_base *b, const struct closure_effects *e,
                                    struct graph **out, struct closures_derive_stats *stats,
                                    struct kkc_err *err);
/* Free what a derived graph owns; NULL is a no-op. */
void closures_graph_derived_free(struct graph *g);

#endif
