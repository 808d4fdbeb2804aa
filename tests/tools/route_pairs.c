/* tests/tools/route_pairs.c -- node-to-node driving costs, for oracles outside the C tests.
 *
 *   route_pairs DB < pairs
 *
 * Reads lines "A B" (road_nodes ids) from stdin and writes "A B DURATION_S DISTANCE_M" per line,
 * computed by route_node_cost() on the graph loaded from DB, with its customizable hierarchy as
 * kkc serve has it (KKC_ROUTER=astar: the A* baseline); "A B -1 -1" when B cannot be
 * reached from A. Exit status 0, or 1 on a bad database or input line (message on stderr). */
#include "road/graph.h"
#include "road/route.h"
#include "base/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Answer one pair. Returns 0, or -1 (message printed). */
static int answer(const struct graph *g, struct route_ctx *ctx, unsigned long a, unsigned long b)
{
    struct kkc_err err = {0};
    uint32_t u = graph_node_from_dbid(g, (uint32_t)a), v = graph_node_from_dbid(g, (uint32_t)b);
    graph_cost c;
    enum kkc_code rc;

    if (a > UINT32_MAX || b > UINT32_MAX || u == GRAPH_NONE || v == GRAPH_NONE) {
        fprintf(stderr, "route_pairs: no node %lu or %lu\n", a, b);
        return -1;
    }
    rc = route_node_cost(g, ctx, u, v, &c, &err);
    if (rc == KKC_ENOROUTE) {
        printf("%lu %lu -1 -1\n", a, b);
        return 0;
    }
    if (rc) {
        fprintf(stderr, "route_pairs: %s\n", err.msg);
        return -1;
    }
    printf("%lu %lu %.3f %.1f\n", a, b, graph_cost_seconds(c), graph_cost_metres(c));
    return 0;
}

int main(int argc, char **argv)
{
    struct kkc_err err = {0};
    struct store *st = NULL;
    struct graph *g = NULL;
    struct route_ctx *ctx = NULL;
    unsigned long a, b;
    int n, status = 1;

    if (argc != 2) {
        fprintf(stderr, "usage: route_pairs DB < pairs\n");
        return 2;
    }
    const char *router = getenv("KKC_ROUTER");
    struct graph_options o = {.landmarks = GRAPH_LANDMARKS_DEFAULT,
                              .hierarchy = !router || strcmp(router, "astar") != 0};
    if (store_open(argv[1], STORE_READONLY, &st, &err) || graph_load_opts(st, &o, &g, &err) ||
        route_ctx_create(g, &ctx, &err)) {
        fprintf(stderr, "route_pairs: %s\n", err.msg);
        goto out;
    }
    while ((n = scanf("%lu %lu", &a, &b)) == 2)
        if (answer(g, ctx, a, b))
            goto out;
    if (n != EOF) {
        fprintf(stderr, "route_pairs: bad input line\n");
        goto out;
    }
    status = 0;
out:
    route_ctx_destroy(ctx);
    graph_destroy(g);
    store_close(st);
    return status;
}
