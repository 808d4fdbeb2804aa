/* geo/road/turn_index.c -- the turn graph's reverse adjacency and its index of via-way copies
 * (contract in turn.h). */
#include "road/turn_int.h"

#include <stdlib.h>

/* Counting sort of the arcs by head: in_first / in_arc / in_tail. */
static enum kkc_code reverse_csr(struct turn_graph *t, struct kkc_err *err)
{
    uint64_t m = t->first_out[t->n];
    t->in_first = calloc((size_t)t->n + 1, sizeof *t->in_first);
    t->in_arc = malloc((m ? m : 1) * sizeof *t->in_arc);
    t->in_tail = malloc((m ? m : 1) * sizeof *t->in_tail);
    if (!t->in_first || !t->in_arc || !t->in_tail)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (turn graph reverse arcs)");
    if (m >= UINT32_MAX)
        return kkc_err_set(err, KKC_ETOOBIG, "turn graph: too many turns");
    for (uint64_t a = 0; a < m; a++)
        t->in_first[t->head[a] + 1]++;
    for (uint32_t y = 0; y < t->n; y++)
        t->in_first[y + 1] += t->in_first[y];
    uint64_t *fill = malloc(((size_t)t->n + 1) * sizeof *fill);
    if (!fill)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (turn graph reverse arcs)");
    for (uint32_t y = 0; y <= t->n; y++)
        fill[y] = t->in_first[y];
    for (uint32_t x = 0; x < t->n; x++)
        for (uint64_t a = t->first_out[x]; a < t->first_out[x + 1]; a++) {
            uint64_t k = fill[t->head[a]]++;
            t->in_arc[k] = (uint32_t)a, t->in_tail[k] = x;
        }
    free(fill);
    return KKC_OK;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

enum kkc_code turn_index(struct turn_graph *t, struct kkc_err *err)
{
    enum kkc_code rc = reverse_csr(t, err);
    if (rc)
        return rc;
    size_t nc = t->n - t->base;
    t->copy_node = malloc((nc ? nc : 1) * sizeof *t->copy_node);
    if (!t->copy_node)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (turn graph copies)");
    uint64_t *key = malloc((nc ? nc : 1) * sizeof *key);
    if (!key)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (turn graph copies)");
    for (size_t i = 0; i < nc; i++) /* segment, then node: the copies of a segment together */
        key[i] = (uint64_t)t->seg[t->base + i] << 32 | (t->base + (uint32_t)i);
    if (nc)
        qsort(key, nc, sizeof *key, cmp_u64);
    for (size_t i = 0; i < nc; i++)
        t->copy_node[i] = (uint32_t)key[i];
    free(key);
    return KKC_OK;
}

size_t turn_nodes_of(const struct turn_graph *t, uint32_t s, uint32_t *out, size_t cap)
{
    size_t n = 0, nc = t->n - t->base, lo = 0, hi = nc;
    if (s < t->base && n < cap)
        out[n] = s;
    n += s < t->base;
    while (lo < hi) { /* first copy driving a segment >= s */
        size_t mid = lo + (hi - lo) / 2;
        if (t->seg[t->copy_node[mid]] < s)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < nc && t->seg[t->copy_node[lo]] == s; lo++, n++)
        if (n < cap)
            out[n] = t->copy_node[lo];
    return n;
}

/* 1 when edges e and f have the same points, in the same order (rev = 0) or reversed (rev = 1). */
static int same_points(const struct graph *g, uint32_t e, uint32_t f, int rev)
{
    uint32_t a = g->edge_coord_first[e], n = g->edge_coord_first[e + 1] - a;
    uint32_t b = g->edge_coord_first[f];
    if (g->edge_coord_first[f + 1] - b != n)
        return 0;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t j = b + (rev ? n - 1 - k : k);
        if (g->coords[2 * (a + k)] != g->coords[2 * j] ||
            g->coords[2 * (a + k) + 1] != g->coords[2 * j + 1])
            return 0;
    }
    return 1;
}

/* The twin of edge e among the arcs out of its source, or GRAPH_NONE (turn.h's rule). */
static uint32_t twin_of(const struct graph *g, const long long *way, uint32_t e)
{
    uint8_t fe = g->edge_flags[e] & (GRAPH_FORWARD | GRAPH_BACKWARD);
    uint32_t v = g->edge_source[e], w = g->edge_target[e];
    if (fe != GRAPH_FORWARD && fe != GRAPH_BACKWARD)
        return GRAPH_NONE;
    for (int dir = 0; dir < 2; dir++) { /* the arcs out of v, then into v */
        uint32_t lo = dir ? g->in_first[v] : g->out_first[v];
        uint32_t hi = dir ? g->in_first[v + 1] : g->out_first[v + 1];
        for (uint32_t j = lo; j < hi; j++) {
            uint32_t f = (dir ? g->in[j].edge : g->out[j].edge) >> 1;
            uint8_t ff = g->edge_flags[f] & (GRAPH_FORWARD | GRAPH_BACKWARD);
            if (f == e || way[f] != way[e] || (ff != GRAPH_FORWARD && ff != GRAPH_BACKWARD))
                continue;
            int rev = g->edge_source[f] != v; /* f runs w -> v */
            if ((rev ? g->edge_source[f] != w || g->edge_target[f] != v
                     : g->edge_target[f] != w) ||
                (rev ? ff != fe : ff == fe) || !same_points(g, e, f, rev))
                continue;
            return f;
        }
    }
    return GRAPH_NONE;
}

enum kkc_code turn_twins(struct turn_graph *t, const struct graph *g, const long long *way,
                         struct kkc_err *err)
{
    t->twin = malloc((g->edge_count ? g->edge_count : 1) * sizeof *t->twin);
    if (!t->twin)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (twin rows)");
    for (uint32_t e = 0; e < g->edge_count; e++)
        t->twin[e] = twin_of(g, way, e);
    return KKC_OK;
}
