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
