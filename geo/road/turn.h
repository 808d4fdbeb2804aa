/* geo/road/turn.h -- the turn-aware (edge-expanded) road graph: routing node = directed road
 * segment, arc = allowed turn, built from a loaded struct graph and the store's restrictions
 * and traffic signals.
 *
 * Routing nodes. Directed segment s = edge << 1 | r (r = 1: driven target -> source) is routing
 * node s (0 .. 2 * edge_count - 1; a direction the edge does not allow has no arcs). A direction
 * only emergency vehicles may drive (GRAPH_EMERGENCY_* without the car's, graph.h) has its arcs,
 * in and out, like any other: the hierarchy's topology serves every profile, and a search on the
 * car's graph never takes them (tnet_arc_cost is infinite where the head is closed on g). Turn
 * costs count the car's roads only (an emergency-only road at a node changes no car turn). Nodes
 * from base = 2 * edge_count on are copies of the segments of a via-way restriction's path (seg[]
 * names the segment each node drives).
 *
 * Arcs. a -> b for every turn from a's head node onto b, weight = the turn's cost + b's whole
 * duration (ms), so a search's value at b is the cost of reaching b's END. The turn's cost is
 * OSRM car.lua's process_turn: at a node with more than two roads, or for a u-turn, the turn
 * penalty shaped by the angle (angle > 0 right turn, in degrees):
 *     angle >= 0: P / (1 + exp(-(13 / bias * angle / 180 - 6.5 * bias)))
 *     angle <  0: P / (1 + exp(-(13 * bias * -angle / 180 - 6.5 / bias)))
 * plus the u-turn penalty for a u-turn, plus the signal penalty when the node has traffic
 * signals. A u-turn exists only where nothing else leaves the node (dead ends, barriers, which
 * the import splits into dead ends); elsewhere it is a latent arc (TURN_ARC_LATENT, weight
 * UINT32_MAX = closed) that opens on a graph copy where closures leave the node no other way out
 * (tnet_arc_cost), so the topology (and the hierarchy's) does not depend on closures. A turn from
 * a segment open to all onto a restricted one (GRAPH_RESTRICTED: destination, private, delivery,
 * customers) is TURN_ARC_RESTRICT: car.lua's max_turn_weight, one penalty (graph.h): routes start
 * or end on such roads but do not pass through them. Forbidden turns are absent:
 *   no_* via a node: the turns from the from-way's segments into the node onto the to-way's;
 *   only_* via a node: every other turn of those segments at the node;
 *   via ways: the via path is copied; the from-way's turn onto the path enters the copy, the
 *   copy's segments keep their other turns and lose the forbidden last one (no_*) or all but
 *   the allowed exit at the end (only_*).
 * Restrictions whose ways or node are not (any more) in the graph are counted in skipped.
 *
 * Memory: 4 + 8 + 8 bytes per routing node, 8 per arc (head, weight) plus 4 (turn cost alone)
 * plus 1 (flags) plus 8 for the reverse adjacency.
 * A built struct turn_graph is read-only: any number of threads may search it. */
#ifndef KKC_TURN_H
#define KKC_TURN_H

#include "base/err.h"
#include "road/graph.h"
#include "road/snap.h"

#include <stddef.h>
#include <stdint.h>

struct store;

struct turn_costs { /* seconds; the defaults are car.lua's */
    double turn_penalty_s, turn_bias, u_turn_s, signal_s;
    int no_u_turns; /* 1: no u-turn even at dead ends, no latent ones, restricted roads free (the
                       graph pgr_trsp routes on) */
    int free_restricted; /* 1: no penalty onto restricted roads (KKC_TURN_COSTS=off) */
};

#define TURN_ARC_RESTRICT 1 /* from a road open to all onto a restricted one: one penalty */
#define TURN_ARC_LATENT 2   /* a u-turn where other roads leave (weight UINT32_MAX): tnet.h */

struct turn_graph {
    uint32_t n, base;               /* routing nodes; base = 2 * edge_count */
    uint64_t *first_out;            /* n + 1 */
    uint32_t *head;                 /* first_out[n] */
    uint32_t *weight;               /* ms: turn + duration of the head segment */
    uint32_t *turn_ms;              /* ms: the turn alone */
    uint8_t *arc_flags;             /* TURN_ARC_* */
    uint32_t *seg;                  /* routing node -> directed segment */
    /* The reverse adjacency: the arcs into routing node y are in_arc[in_first[y] ..
     * in_first[y + 1]) (arc ids into head / weight / turn_ms), from tails in_tail[same]. */
    uint64_t *in_first; /* n + 1 */
    uint32_t *in_arc, *in_tail;
    uint32_t *copy_node; /* the path copies (base .. n - 1) ordered by the segment they drive */
    /* Per edge: its twin row, GRAPH_NONE when none. A way whose directions differ (speed or
     * access per direction) is stored as two one-way rows of opposite directions over the same
     * geometry (the import writes them so): a point snapped onto one also lies on the other
     * (snap_twin(), tnet.h). Twins: the same OSM way, the same two ends, the same points (in the
     * same or the reverse order), each open in one direction only, opposite ways. */
    uint32_t *twin;
    uint32_t restrictions, skipped; /* applied / not applicable */
};

void turn_costs_default(struct turn_costs *c);
/* The store's figures (meta turn_penalty, turn_bias, u_turn_penalty, traffic_signal_penalty,
 * written by the OSM import from its profile), car.lua's defaults for those missing; then the
 * environment's KKC_TURN_COSTS=off (every turn free, restricted roads without their penalty,
 * u-turns only at dead ends: the graph a node-based oracle such as pgr_dijkstra routes on). KKC_EINVAL for a figure that is not a
 * number >= 0. */
enum kkc_code turn_costs_load(struct store *st, struct turn_costs *c, struct kkc_err *err);

/* The cost in seconds of a turn by angle (degrees, > 0 right) at a node with `roads` roads. */
double turn_cost_s(const struct turn_costs *c, double angle, int roads, int u_turn, int signals);

/* Build the turn graph of g (loaded from st) with costs c (NULL: every turn free). Costs all 0
 * with no_u_turns = 1 give the graph pgr_trsp routes on. *out is the caller's. */
enum kkc_code turn_build(struct store *st, const struct graph *g, const struct turn_costs *c,
                         struct turn_graph **out, struct kkc_err *err);
void turn_destroy(struct turn_graph *t);

/* The plain CSR directed graph the hierarchy (cch.h) takes: node count, first_out (n + 1),
 * head and weight (ms) arrays, borrowed from t. */
void turn_csr(const struct turn_graph *t, uint32_t *n, const uint64_t **first_out,
              const uint32_t **head, const uint32_t **weight);

/* The routing nodes that drive directed segment s (s itself, then its via-way copies), up to cap
 * into out; returns how many there are (may exceed cap). */
/* The twin of edge e (see twin above), or GRAPH_NONE. */
static inline uint32_t turn_twin(const struct turn_graph *t, uint32_t e)
{
    return t && t->twin ? t->twin[e] : GRAPH_NONE;
}

size_t turn_nodes_of(const struct turn_graph *t, uint32_t s, uint32_t *out, size_t cap);

/* A route on the turn graph: cost in ms and the directed segments driven, in order. */
struct turn_path {
    uint64_t ms;        /* the time driven */
    uint32_t penalties; /* turns onto restricted roads (graph.h); ordered before the time */
    uint32_t *segs;
    size_t nsegs;
};

/* Shortest route from snapped point `from` to `to` (plain Dijkstra, fewest penalties first, then
 * time; latent u-turns closed: the base graph's rules); a point on a node is that
 * node (it starts on and is reached by every road at it, and drives straight along any road at
 * it to or from the other point: no turn; for a start there, segs[0] may repeat the first
 * segment). KKC_ENOROUTE when none,
 * KKC_ENOMEM. out->segs is the caller's to free(). */
enum kkc_code turn_route(const struct graph *g, const struct turn_graph *t, const struct snap *from,
                         const struct snap *to, struct turn_path *out, struct kkc_err *err);

#endif
