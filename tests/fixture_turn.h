/* tests/fixture_turn.h -- a turn-expanded (edge-based) graph built from a PACE 2016 topology,
 * with SEEDED costs, for the CCH's checks and bench at the size of a real road network.
 *
 * The topologies (../shared/data/graphs/pace16-*.gr.xz) have no weights, no coordinates and no
 * turn rules, so everything below the topology is drawn from a fixed seed (say so with figures):
 *  - a routing node per directed arc u -> v of the node graph (both directions of each edge);
 *  - a turn arc (u -> v) => (v -> w) for each out-arc of v, costing the segment v -> w (uniform
 *    1..100,000 ms, each direction drawn apart, as the node-based checks) plus a turn cost
 *    (uniform 0..5,000 ms);
 *  - a u-turn (w == u) only at a dead end (v has no other neighbour), costing 30,000 ms more;
 *    elsewhere it is forbidden (no arc), as in the service's turn graph;
 *  - about 2 % of the other turns forbidden (no arc), as turn restrictions.
 * Plain C with no project code, so it can serve as (part of) an oracle. */
#ifndef KKC_FIXTURE_TURN_H
#define KKC_FIXTURE_TURN_H

#include <stdint.h>

/* A .gr or .gr.xz file (1-based undirected edges "u v") as a CSR with both directions of each
 * edge; *first (n + 1) and *head are malloc'ed. 0, or -1 unreadable / out of memory. */
int ft_read_gr(const char *path, uint32_t *n, uint64_t **first, uint32_t **head);

struct ft_turns {
    uint32_t n;       /* routing nodes = arcs of the node graph (node graph's arc ids) */
    uint64_t *first;  /* n + 1 */
    uint32_t *head;   /* first[n] turn arcs: the routing node turned onto */
    uint8_t *uturn;   /* per turn arc: 1 for a u-turn at a dead end */
    uint64_t *w;      /* per turn arc: its cost (ft_weigh) */
    uint64_t forbidden, uturns; /* turns left out as restrictions; dead-end u-turns kept */
    uint32_t *ends;     /* 2 n: routing node v = node-graph arc ends[v] -> ends[n + v] */
    uint32_t junctions; /* nodes of the node graph */
};

/* The turn-expanded graph of the node graph (n, first, head); the restrictions from topo_seed,
 * the costs from ft_weigh(t, cost_seed, t->w). 0, or -1 out of memory (*t freed). */
int ft_expand(uint32_t n, const uint64_t *first, const uint32_t *head, unsigned long long topo_seed,
              unsigned long long cost_seed, struct ft_turns *t);
/* Seeded costs for t's turn arcs into w (t->first[t->n] of them); same topology, new costs. */
void ft_weigh(const struct ft_turns *t, unsigned long long seed, uint64_t *w);
void ft_free(struct ft_turns *t);

#endif
