/* geo/road/cch_order.h -- the CCH's nested-dissection order (internal to cch_build.c).
 *
 * Without a coarse graph (in->coarse_tail == NULL): METIS_NodeND (4 separators tried per level)
 * on the input's undirected graph.
 *
 * With one (a turn-expanded graph: input node = directed road segment from junction
 * coarse_tail[v] to coarse_head[v]; every input arc v -> w has coarse_head[v] ==
 * coarse_tail[w], as a turn joins a segment to one leaving its head): the cut-based order of
 * Buchhold, Wagner, Strasser, Zündorf ("Customizable Contraction Hierarchies with Turn Costs",
 * ATMOS 2020). Each part of the junction graph is split into its connected components, a
 * component is bisected by a balanced EDGE cut (METIS_PartGraphKway, 2 parts, edge weight = the
 * number of input nodes between two junctions, so the cut's weight is the separator's size), and
 * the input nodes whose segment crosses the cut are the part's separator, ranked above both
 * halves: no arc joins a segment with both ends on one side to one with both ends on the other.
 * Parts of fewer than CCH_ORDER_LEAF input nodes, and each separator, are ordered by
 * METIS_NodeND on their induced subgraph. The arc rule only matters for the quality of the
 * order: any order gives a correct hierarchy. */
#ifndef KKC_CCH_ORDER_H
#define KKC_CCH_ORDER_H

#include "road/cch.h"

#define CCH_ORDER_LEAF 256

/* rank[v] (input node -> rank) and order[r] (rank -> input node), n entries each; leaf: the
 * part size below which a part is ordered by METIS_NodeND (0: CCH_ORDER_LEAF; tests use small
 * ones). KKC_EINVAL for a junction id >= coarse_n, KKC_EINTERNAL when METIS fails, KKC_ENOMEM. */
enum kkc_code cch_order(const struct cch_input *in, uint32_t leaf, uint32_t *rank,
                        uint32_t *order, struct kkc_err *err);

#endif
