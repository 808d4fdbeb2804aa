/* geo/road/tnet.h -- how every search (routes, tables, nearest by time, labels, reach) runs on the
 * turn-aware graph (turn.h) of a struct graph (g->turn): its arc costs on g, the seeds of a snapped
 * point, the cost at a snapped point after a one-to-all search, and that search itself.
 *
 * Values. A forward search value at routing node x is the cost (graph_cost: time, then distance)
 * of reaching the END of x's segment. A backward search value at x is the cost from the END of x's
 * segment to the target. Turn arc a: x -> y costs the turn plus the whole of y's edge on g
 * (tnet_arc_cost): so the closures and slow-downs that a graph copy carries (edge_cost scaled,
 * directions closed in edge_flags) hold for every search without rebuilding the turn graph.
 *
 * A snapped point p on edge e:
 *  - is LEFT along each open direction s of e: the search starts at the routing nodes one turn
 *    after s, at the rest of s from p plus the turn arc (tnet_sources); the drive along e itself
 *    (to a point on e, or on the junction at e's end) is tnet_direct()'s;
 *  - is REACHED on every routing node x driving an open direction of e (the segment and its
 *    via-way copies): at value(x) - whole(e) + the part of x's segment before p (tnet_targets,
 *    whose costs are that part: add them, then subtract tnet_target_offset()).
 * A point on a node (partial cost 0 to an end of an edge of nonzero cost) is that node: it also
 * starts on every open segment leaving the node (seeded at the segment itself, its whole cost:
 * a crew at the junction turns onto any road without a turn cost) and is reached at the end of
 * every open segment into it (target cost = the offset, so they add 0); snap.h's rule.
 * A point on a twin row (turn.h: a way stored as two one-way rows, one per direction) lies on
 * both rows at the same place (snap_twin): it is left along, and reached on, the open directions
 * of both, as OSRM's phantom node covers both directions of a way. The target offset is then the
 * larger of the two rows' costs (field by field) and each target's cost carries the difference,
 * so value + cost - offset is still the cost at p, and never negative.
 * Both ends use the same integers, so a route, a table, the labels and the reach agree exactly.
 *
 * Threads: everything reads g only; a struct tnet_search is one thread's scratch. */
#ifndef KKC_TNET_H
#define KKC_TNET_H

#include "base/err.h"
#include "road/graph.h"
#include "road/snap.h"
#include "road/turn.h"

#include <stddef.h>
#include <stdint.h>

/* A search seed: a routing node, the value there, and the directed segment of the snapped point it
 * came from (start: the segment left first; for targets, the segment driven last). */
struct tnet_seed {
    uint32_t node;
    uint32_t seg;
    graph_cost cost;
};

/* 1 when directed segment s (edge << 1 | reverse) may be driven on g. */
static inline int tnet_seg_open(const struct graph *g, uint32_t s)
{
    return (g->edge_flags[s >> 1] & (s & 1 ? GRAPH_BACKWARD : GRAPH_FORWARD)) != 0;
}

/* The cost of turn arc a (index into g->turn's arcs): its turn plus its head's whole edge on g,
 * plus one penalty (graph.h) for a turn from a road open to all onto a restricted one
 * (TURN_ARC_RESTRICT); GRAPH_COST_INF when the head's direction is closed on g, and for a latent
 * u-turn (TURN_ARC_LATENT) at a node that has more than one open way out on g (a closure that
 * leaves it none makes it a dead end, where a u-turn is allowed: car.lua's rule). */
graph_cost tnet_arc_cost(const struct graph *g, uint64_t a);

/* The cost from snapped point p to the head of directed segment s of p's edge or of its twin row
 * (the rest of s). */
graph_cost tnet_rest(const struct graph *g, const struct snap *p, uint32_t s);

/* The node p lies on (tnet.h's rule), or GRAPH_NONE. */
uint32_t tnet_at_node(const struct graph *g, const struct snap *p);
/* 1 when edge e is p's edge or its twin row (the edges p lies on). */
int tnet_on_edge(const struct graph *g, const struct snap *p, uint32_t e);
/* p as a point of edge e: p itself, or p moved onto its twin (into *tmp) when e is the twin. */
const struct snap *tnet_snap_on(const struct graph *g, const struct snap *p, uint32_t e,
                                struct snap *tmp);
/* A seed of tnet_sources() that starts on a segment out of p's node (not after a first turn). */
static inline int tnet_seed_at_node(const struct graph *g, const struct snap *p,
                                    const struct tnet_seed *s)
{
    return !tnet_on_edge(g, p, s->seg >> 1);
}

/* The drive from `from` to `to` along one edge without a turn (the candidate every route, table
 * cell and label adds to the search's), into *cost: snap_direct_on() over the points each stands
 * for, a point on a node (tnet_at_node) standing also for that node as the end of every edge at
 * it (tnet.h's rule): so a start on e reaches a target on e's end junction, snapped onto another
 * road, at the rest of e (no turn: it stops there); a start on a junction leaves along any road f
 * at it to a target on f; and two points on one junction are 0 apart, whatever roads they were
 * snapped onto. Returns 1, or 0 when there is no such drive. *f_used and *t_used (NULL: not
 * wanted) receive the best pair's ends, on one edge (on a node: snap_at's point of that edge). */
int tnet_direct(const struct graph *g, const struct snap *from, const struct snap *to,
                graph_cost *cost, struct snap *f_used, struct snap *t_used);

/* Seeds of a forward search leaving p (see above), up to cap into out; returns how many there
 * are (call again with room when more than cap). */
size_t tnet_sources(const struct graph *g, const struct snap *p, struct tnet_seed *out, size_t cap);
/* Seeds at which a forward search reaches p (cost = the part of the seed's segment before p). */
size_t tnet_targets(const struct graph *g, const struct snap *p, struct tnet_seed *out, size_t cap);
/* What to subtract from value + target seed cost: the whole cost of p's edge on g. */
graph_cost tnet_target_offset(const struct graph *g, const struct snap *p);
/* Seeds of a backward search towards p: the tails of the turns into p's target nodes, at the
 * cost from the end of the tail to p (turn + the part before p). */
size_t tnet_back_sources(const struct graph *g, const struct snap *p, struct tnet_seed *out,
                         size_t cap);

/* Seeds for a node as start (every open segment leaving node v, at its whole cost) or as end
 * (every routing node whose segment ends at v, cost 0; offset 0). */
size_t tnet_node_sources(const struct graph *g, uint32_t v, struct tnet_seed *out, size_t cap);
size_t tnet_node_targets(const struct graph *g, uint32_t v, struct tnet_seed *out, size_t cap);

/* ---- one-to-all ------------------------------------------------------------------------------ */

struct tnet_search {
    uint32_t n;       /* routing nodes */
    graph_cost *dist; /* per routing node; GRAPH_COST_INF when not reached */
    struct graph_heap h;
    size_t settled;
};

/* Scratch for searches on g->turn. KKC_ENOMEM. */
enum kkc_code tnet_search_create(const struct graph *g, struct tnet_search **out,
                                 struct kkc_err *err);
void tnet_search_destroy(struct tnet_search *s);

/* Dijkstra from seeds[0..n) (forward on the turn arcs, or backward with backward = 1), settling
 * the values whose time is within limit's (GRAPH_COST_INF: all): one over it is not expanded,
 * but the search goes on (values are ordered by penalties first, graph.h). KKC_ENOMEM. (The searches that label every
 * node with its owner, labels.c and coverage/reach.c, keep their own loop.) */
enum kkc_code tnet_search_run(const struct graph *g, struct tnet_search *s,
                              const struct tnet_seed *seeds, size_t n, int backward,
                              graph_cost limit, struct kkc_err *err);

/* The cost at snapped point p after a forward search (through its targets) or a backward search
 * (leaving p: the cost to the end of a start segment + the value there); GRAPH_COST_INF when not
 * reached. The drive along one edge from the search's own start is not included (tnet_direct). */
graph_cost tnet_cost_at(const struct graph *g, const struct tnet_search *s, int backward,
                        const struct snap *p);

#endif
