/* geo/closures/overlay.h -- the weight overlay: closures applied to a freshly loaded road graph.
 *
 * closures_overlay() changes a graph that no other thread sees yet (the new world being built
 * aside): the arcs of a closed direction leave the adjacency (so no search can take them, and
 * edge_flags loses GRAPH_FORWARD / GRAPH_BACKWARD for it), and a slowed direction's arc costs get their time
 * multiplied (distance unchanged). edge_cost (used to split an edge where a point snaps) takes
 * the larger factor of the open directions. Costs only grow, so the landmark lower bounds of the
 * graph stay valid and A* stays exact. GRAPH_SNAPPABLE is recomputed from the new arcs (the
 * largest strongly connected component), so points snap as on a network without the closed
 * roads. */
#ifndef KKC_CLOSURES_OVERLAY_H
#define KKC_CLOSURES_OVERLAY_H

#include "base/err.h"
#include "closures/closures.h"

struct graph;

/* Apply e to g (see above). Effects on edge ids beyond the graph are ignored. KKC_ENOMEM. */
enum kkc_code closures_overlay(struct graph *g, const struct closure_effects *e,
                               struct kkc_err *err);

#endif
