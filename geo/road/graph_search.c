/* geo/road/graph_search.c -- the priority queue and the one-to-all search shared by graph.c
 * (landmarks), route.c and labels.c (contract in graph.h). */
#include "road/graph.h"

#include <stdlib.h>
#include <string.h>

/* ---- priority queue -------------------------------------------------------------------------- */

static int heap_less(const struct graph_heap_item *a, const struct graph_heap_item *b)
{
    return a->key < b->key || (a->key == b->key && a->aux < b->aux);
}

enum kkc_code graph_heap_reserve(struct graph_heap *h, size_t cap, struct kkc_err *err)
{
    struct graph_heap_item *p;
    if (cap <= h->cap)
        return KKC_OK;
    p = realloc(h->items, cap * sizeof *p);
    if (!p)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (search heap of %zu)", cap);
    h->items = p;
    h->cap = cap;
    return KKC_OK;
}

int graph_heap_push(struct graph_heap *h, graph_cost key, uint32_t node, uint32_t aux)
{
    struct graph_heap_item it = {key, node, aux};
    size_t i;
    if (h->len == h->cap && graph_heap_reserve(h, h->cap ? h->cap * 2 : 64, NULL))
        return -1;
    i = h->len++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!heap_less(&it, &h->items[p]))
            break;
        h->items[i] = h->items[p];
        i = p;
    }
    h->items[i] = it;
    return 0;
}

void graph_heap_pop(struct graph_heap *h, struct graph_heap_item *it)
{
    struct graph_heap_item last;
    size_t i = 0, n;
    *it = h->items[0];
    last = h->items[--h->len];
    n = h->len;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && heap_less(&h->items[c + 1], &h->items[c]))
            c++;
        if (!heap_less(&h->items[c], &last))
            break;
        h->items[i] = h->items[c];
        i = c;
    }
    if (n)
        h->items[i] = last;
}

void graph_heap_free(struct graph_heap *h)
{
    free(h->items);
    h->items = NULL;
    h->len = h->cap = 0;
}

/* ---- one-to-all search ----------------------------------------------------------------------- */

enum kkc_code graph_search_all(const struct graph *g, const struct graph_seed *seeds, size_t nseeds,
                               int reverse, graph_cost *out, struct kkc_err *err)
{
    const uint32_t *first = reverse ? g->in_first : g->out_first;
    const struct graph_arc *arcs = reverse ? g->in : g->out;
    struct graph_heap h = {0};
    struct graph_heap_item it;
    enum kkc_code rc;

    for (uint32_t v = 0; v < g->node_count; v++)
        out[v] = GRAPH_COST_INF;
    rc = graph_heap_reserve(&h, (size_t)g->out_first[g->node_count] + nseeds + 1, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < nseeds; i++) {
        if (seeds[i].cost < out[seeds[i].node]) {
            out[seeds[i].node] = seeds[i].cost;
            graph_heap_push(&h, seeds[i].cost, seeds[i].node, 0);
        }
    }
    while (h.len) {
        graph_heap_pop(&h, &it);
        if (it.key > out[it.node])
            continue;
        for (uint32_t a = first[it.node]; a < first[it.node + 1]; a++) {
            graph_cost c = it.key + arcs[a].cost;
            if (c < out[arcs[a].node]) {
                out[arcs[a].node] = c;
                if (graph_heap_push(&h, c, arcs[a].node, 0)) {
                    graph_heap_free(&h);
                    return kkc_err_set(err, KKC_ENOMEM, "out of memory (search heap)");
                }
            }
        }
    }
    graph_heap_free(&h);
    return KKC_OK;
}
