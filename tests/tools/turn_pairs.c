/* tests/tools/turn_pairs.c -- node-to-node costs on the turn-aware graph, for the pgr_trsp oracle.
 *
 *   turn_pairs DB < pairs
 *
 * Reads lines "A B" (road_nodes ids) and writes "A B DURATION_S E..." per line: the cost and the
 * road_edges ids driven, last first ("A B -1" when B cannot be reached). The turn graph is built as
 * pgr_trsp sees the network: every turn free, u-turns at every node, the restrictions of
 * road_restrictions applied. The search is a plain Dijkstra over the CSR arrays of turn_csr() (the
 * form the hierarchy takes): it starts on every segment leaving A (paying the segment) and ends on
 * the first settled segment into B. Each pair is also asked of the service's own search,
 * route_node_cost() on the graph's turn graph (the same costs) with its customizable hierarchy as
 * kkc serve has it (KKC_ROUTER=astar: the A* with landmarks): any difference is an error (exit 1),
 * so the pgr_trsp oracle checks what the service answers. */
#include "road/graph.h"
#include "road/turn.h"
#include "road/route.h"
#include "base/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 1 when the car may drive segment s (the turn graph also holds the emergency-only ones). */
static int car_open(const struct graph *g, uint32_t s)
{
    return (g->edge_flags[s >> 1] & (s & 1 ? GRAPH_BACKWARD : GRAPH_FORWARD)) != 0;
}

/* Cost in ms from node a to node b, UINT64_MAX when unreachable. */
static uint64_t pair_ms(const struct graph *g, const struct turn_graph *t, uint64_t *dist,
                        uint32_t *parent, struct graph_heap *h, uint32_t a, uint32_t b,
                        uint32_t *last)
{
    uint32_t n;
    const uint64_t *first;
    const uint32_t *head, *w;
    struct graph_heap_item it;

    turn_csr(t, &n, &first, &head, &w);
    memset(dist, 0xff, (size_t)n * sizeof *dist);
    h->len = 0;
    for (uint32_t j = g->out_first[a]; j < g->out_first[a + 1]; j++) {
        uint32_t s = g->out[j].edge;
        dist[s] = graph_cost_ms(g->edge_cost[s >> 1]);
        parent[s] = GRAPH_NONE;
        graph_heap_push(h, dist[s], s, 0);
    }
    while (h->len) {
        graph_heap_pop(h, &it);
        if (it.key != dist[it.node])
            continue;
        uint32_t s = t->seg[it.node];
        if ((s & 1 ? g->edge_source[s >> 1] : g->edge_target[s >> 1]) == b) {
            *last = it.node;
            return it.key;
        }
        for (uint64_t k = first[it.node]; k < first[it.node + 1]; k++)
            if (it.key + w[k] < dist[head[k]] && car_open(g, t->seg[head[k]])) {
                dist[head[k]] = it.key + w[k];
                parent[head[k]] = it.node;
                graph_heap_push(h, dist[head[k]], head[k], 0);
            }
    }
    return UINT64_MAX;
}

int main(int argc, char **argv)
{
    struct kkc_err err = {0};
    struct store *st = NULL;
    struct graph *g = NULL;
    struct turn_graph *t = NULL;
    struct turn_costs c = {.no_u_turns = 1};
    const char *router = getenv("KKC_ROUTER");
    struct graph_options go = {.landmarks = 8, .turns = &c,
                               .hierarchy = !(router && strcmp(router, "astar") == 0)};
    struct route_ctx *ctx = NULL;
    struct graph_heap h = {0};
    unsigned long a, b;
    int status = 1;

    if (argc != 2) {
        fprintf(stderr, "usage: turn_pairs DB < pairs\n");
        return 2;
    }
    if (store_open(argv[1], STORE_READONLY, &st, &err) || graph_load_opts(st, &go, &g, &err) ||
        turn_build(st, g, &c, &t, &err) || graph_heap_reserve(&h, 1024, &err) ||
        route_ctx_create(g, &ctx, &err)) {
        fprintf(stderr, "turn_pairs: %s\n", err.msg);
        goto out;
    }
    uint64_t *dist = malloc((size_t)t->n * sizeof *dist);
    uint32_t *parent = malloc((size_t)t->n * sizeof *parent), last = 0;
    if (!dist || !parent) {
        free(dist), free(parent);
        goto out;
    }
    fprintf(stderr, "turn_pairs: %u routing nodes, %llu turns, %u restrictions applied, %u not\n",
            t->n, (unsigned long long)t->first_out[t->n], t->restrictions, t->skipped);
    while (scanf("%lu %lu", &a, &b) == 2) {
        uint32_t u = graph_node_from_dbid(g, (uint32_t)a), v = graph_node_from_dbid(g, (uint32_t)b);
        if (u == GRAPH_NONE || v == GRAPH_NONE) {
            fprintf(stderr, "turn_pairs: no node %lu or %lu\n", a, b);
            free(dist), free(parent);
            goto out;
        }
        uint64_t ms = pair_ms(g, t, dist, parent, &h, u, v, &last);
        graph_cost sc = GRAPH_COST_INF;
        enum kkc_code rc = route_node_cost(g, ctx, u, v, &sc, &err);
        if ((rc == KKC_OK ? (uint64_t)graph_cost_ms(sc) : UINT64_MAX) != ms && u != v) {
            fprintf(stderr, "turn_pairs: %lu -> %lu: the service says %s %.3f s, Dijkstra %.3f s\n",
                    a, b, rc ? err.msg : "", rc ? -1 : graph_cost_seconds(sc), ms / 1000.0);
            free(dist), free(parent);
            goto out;
        }
        if (ms == UINT64_MAX) {
            printf("%lu %lu -1\n", a, b);
            continue;
        }
        printf("%lu %lu %.3f", a, b, ms / 1000.0);
        for (uint32_t x = last; x != GRAPH_NONE; x = parent[x]) /* edges, last first */
            printf(" %u", t->seg[x] >> 1);
        printf("\n");
    }
    free(dist), free(parent);
    status = 0;
out:
    route_ctx_destroy(ctx);
    graph_heap_free(&h);
    turn_destroy(t);
    graph_destroy(g);
    store_close(st);
    return status;
}
