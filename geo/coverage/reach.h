/* geo/coverage/reach.h -- the road network driven within a time from a set of sources, with owners.
 *
 * reach_run() is one multi-source search (Dijkstra on graph_cost over the turn-aware graph, tnet.h)
 * from snapped sources (snap.h), out from them (direction REACH_OUT: the crew drives from the
 * centre) or in towards them (REACH_IN: from every place to the centre, over the reversed turns).
 * It may stop at a time limit. Every settled routing node keeps its cost and its owner: the `owner` of the source it was
 * reached from first (ties: the lower owner, then the lower node cost part, deterministic).
 *
 * reach_pieces() then describes the reached network as pieces of edges: on each edge the time of
 * a point at length fraction f is the least of a few linear functions of f (from either end node,
 * and from sources snapped on that edge), so the edge splits into pieces on each of which time is
 * linear and one owner wins. A point of a piece at time <= T is reached within T: the same value
 * route.h finds for that point, up to the rounding of partial edges to whole milliseconds.
 *
 * A struct reach is scratch for one graph (borrowed; it must outlive the reach) and one thread;
 * runs reuse its memory. */
#ifndef KKC_REACH_H
#define KKC_REACH_H

#include "base/err.h"
#include "road/graph.h"
#include "road/snap.h"

#include <stddef.h>
#include <stdint.h>

enum reach_direction {
    REACH_OUT = 0, /* from the sources to every place */
    REACH_IN = 1,  /* from every place to the sources */
};

/* A source: a snapped point, the owner number its reached network is labelled with, and a
 * head start in milliseconds added to every time from it (a centre's turnout: response time =
 * turnout + drive time; 0 for plain drive times). */
struct reach_source {
    struct snap at;
    uint32_t owner;
    uint32_t offset_ms;
};

#define REACH_SOURCES_MAX 4096
#define REACH_NO_LIMIT UINT32_MAX

struct reach;

/* Scratch for searches on g. *out is the caller's, freed with reach_destroy(). KKC_ENOMEM. */
enum kkc_code reach_create(const struct graph *g, struct reach **out, struct kkc_err *err);
/* NULL is a no-op. */
void reach_destroy(struct reach *r);

/* Search from n sources (n <= REACH_SOURCES_MAX; the array is copied) in direction dir, settling
 * every node whose cost is at most limit_ms milliseconds (REACH_NO_LIMIT: all). Replaces the
 * previous run's results. KKC_EINVAL for too many sources or a source on an unknown edge,
 * KKC_ENOMEM. */
enum kkc_code reach_run(struct reach *r, const struct reach_source *src, size_t n,
                        enum reach_direction dir, uint32_t limit_ms, struct kkc_err *err);

/* The graph of r (borrowed). */
const struct graph *reach_graph(const struct reach *r);

/* Cost of node v in the last run: out, reaching v; in, from v to the sources. Over whole roads
 * and along the partial edge of a source on a road at v (the end of its own edge needs no turn).
 * GRAPH_COST_INF when not reached within the limit (never a value above it); its owner in *owner
 * when not NULL (UINT32_MAX when not reached). */
graph_cost reach_node(const struct reach *r, uint32_t v, uint32_t *owner);

/* The cost of the snapped point s in the last run (from the sources to s for REACH_OUT, from s
 * to them for REACH_IN) and its owner, as route.h would find it: through the nodes at the ends
 * of s's edge and from sources on the same edge. A point on a junction (tnet.h: partial cost 0
 * to an end of its edge) is that junction, reach_node()'s value, in both directions: it is
 * reached at the end of every road into it and leaves along every road out of it (route.h's
 * direct drive, tnet_direct(), the same: a start's own edge to a junction target snapped onto
 * another road there, one junction snapped onto two roads at 0 s). Returns 1, or 0 when s is
 * not reached within the limit (never a value above it). */
int reach_point(const struct reach *r, const struct snap *s, graph_cost *cost, uint32_t *owner);

/* A piece of an edge on which time is linear: from length fraction f0 (time t0 seconds) to f1
 * (time t1), f0 < f1, all of it reached first from `owner`. */
struct reach_piece {
    uint32_t edge;
    uint32_t owner;
    double f0, f1;
    double t0, t1;
};

/* Every piece of the last run's reached network with time <= limit_s seconds, cut at limit_s,
 * in edge order. *out is the caller's to free() (NULL when n is 0). KKC_ENOMEM. */
enum kkc_code reach_pieces(const struct reach *r, double limit_s, struct reach_piece **out,
                           size_t *n, struct kkc_err *err);

/* The fractions [*a, *b] of the part of piece p at time <= limit_s: 1, or 0 when none. */
int reach_piece_cut(const struct reach_piece *p, double limit_s, double *a, double *b);

/* Length in metres of the part of piece p at time <= limit_s. */
double reach_piece_length(const struct graph *g, const struct reach_piece *p, double limit_s);

#endif
