/* geo/road/cch_build.c -- the metric-independent phase of the CCH: a nested-dissection order
 * (cch_order.h), the symbolic contraction (chordal supergraph and elimination tree), the map
 * from input arcs to hierarchy arcs. See cch.h. */
#include "road/cch.h"
#include "road/cch_order.h"
#include "base/grow.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define CCH_ARC_MAX ((uint64_t)1 << 31)

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

struct vec {
    uint32_t *v;
    size_t len, cap;
};

static int vec_push(struct vec *x, uint32_t val)
{
    uint32_t *nv = kkc_grow(x->v, &x->cap, x->len + 1, sizeof *nv, 4);
    if (!nv)
        return -1;
    x->v = nv, x->v[x->len++] = val;
    return 0;
}

/* Append node x's (sorted, unique) upper neighbours to the hierarchy's CSR. */
static int emit_row(struct cch *c, uint64_t *cap, const struct vec *row)
{
    uint64_t at = c->arc_count;
    if (at + row->len > *cap) {
        uint64_t ncap = *cap * 2 > at + row->len ? *cap * 2 : at + row->len;
        uint32_t *nh = realloc(c->up_head, ncap * sizeof *nh);
        if (!nh)
            return -1;
        c->up_head = nh, *cap = ncap;
    }
    if (row->len)
        memcpy(c->up_head + at, row->v, (size_t)row->len * sizeof *row->v);
    c->arc_count += row->len;
    return 0;
}

/* Eliminate the nodes in rank order: each node's upper neighbours become a clique, recorded by
 * handing all but the lowest of them to the lowest (its parent in the elimination tree). */
static enum kkc_code contract(const struct cch_input *in, struct cch *c, struct kkc_err *err)
{
    uint32_t n = in->n;
    struct vec *up = calloc((size_t)n + 1, sizeof *up);
    uint64_t cap = in->first_out[n] + 16;
    int bad = !up || !(c->up_head = malloc(cap * sizeof *c->up_head));

    for (uint32_t u = 0; !bad && u < n; u++)
        for (uint64_t a = in->first_out[u]; !bad && a < in->first_out[u + 1]; a++) {
            uint32_t ru = c->rank[u], rv = c->rank[in->head[a]];
            if (ru != rv)
                bad = vec_push(&up[ru < rv ? ru : rv], ru < rv ? rv : ru);
        }
    c->arc_count = 0;
    for (uint32_t x = 0; !bad && x < n; x++) {
        struct vec *r = &up[x];
        if (r->len > 1)
            qsort(r->v, r->len, sizeof *r->v, cmp_u32);
        uint32_t w = 0;
        for (uint32_t i = 0; i < r->len; i++)
            if (i == 0 || r->v[i] != r->v[i - 1])
                r->v[w++] = r->v[i];
        r->len = w;
        c->up_first[x] = c->arc_count;
        c->parent[x] = w ? r->v[0] : CCH_NONE;
        bad = emit_row(c, &cap, r);
        for (uint32_t i = 1; !bad && i < w; i++)
            bad = vec_push(&up[r->v[0]], r->v[i]);
        free(r->v);
        r->v = NULL;
        if (c->arc_count >= CCH_ARC_MAX) {
            for (uint32_t y = x + 1; y < n; y++)
                free(up[y].v);
            free(up);
            return kkc_err_set(err, KKC_ETOOBIG, "CCH: over %llu hierarchy arcs",
                               (unsigned long long)CCH_ARC_MAX);
        }
    }
    c->up_first[n] = c->arc_count;
    if (bad)
        for (uint32_t y = 0; up && y < n; y++)
            free(up[y].v);
    free(up);
    return bad ? kkc_err_set(err, KKC_ENOMEM, "out of memory (CCH contraction)") : KKC_OK;
}

/* arc_tail, and the lower neighbours of each node (arcs come sorted by tail, so each row is). */
static enum kkc_code down_index(struct cch *c, struct kkc_err *err)
{
    uint64_t m = c->arc_count;
    c->arc_tail = malloc((m + 1) * sizeof *c->arc_tail);
    c->down_first = calloc((size_t)c->n + 2, sizeof *c->down_first);
    c->down_tail = malloc((m + 1) * sizeof *c->down_tail);
    c->down_arc = malloc((m + 1) * sizeof *c->down_arc);
    if (!c->arc_tail || !c->down_first || !c->down_tail || !c->down_arc)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (CCH down index)");
    for (uint32_t v = 0; v < c->n; v++)
        for (uint64_t a = c->up_first[v]; a < c->up_first[v + 1]; a++) {
            c->arc_tail[a] = v;
            c->down_first[c->up_head[a] + 1]++;
        }
    for (uint32_t v = 0; v < c->n; v++)
        c->down_first[v + 1] += c->down_first[v];
    for (uint64_t a = 0; a < m; a++) {
        uint64_t at = c->down_first[c->up_head[a]]++;
        c->down_tail[at] = c->arc_tail[a];
        c->down_arc[at] = (uint32_t)a;
    }
    for (uint32_t v = c->n; v > 0; v--)
        c->down_first[v] = c->down_first[v - 1];
    c->down_first[0] = 0;
    return KKC_OK;
}

uint32_t cch_find_arc(const struct cch *c, uint32_t a, uint32_t b)
{
    uint32_t lo = a < b ? a : b, hi = a < b ? b : a;
    uint64_t l = c->up_first[lo], r = c->up_first[lo + 1];
    while (l < r) {
        uint64_t mid = l + (r - l) / 2;
        if (c->up_head[mid] < hi)
            l = mid + 1;
        else
            r = mid;
    }
    return l < c->up_first[lo + 1] && c->up_head[l] == hi ? (uint32_t)l : CCH_NONE;
}

/* in_first / in_arc: the input arcs lying on each hierarchy arc. */
static enum kkc_code input_map(const struct cch_input *in, struct cch *c, struct kkc_err *err)
{
    uint64_t m = c->arc_count, mi = in->first_out[in->n];
    uint32_t *of = malloc((mi + 1) * sizeof *of);
    c->in_first = calloc(m + 2, sizeof *c->in_first);
    c->in_arc = malloc((mi + 1) * sizeof *c->in_arc);
    if (!of || !c->in_first || !c->in_arc) {
        free(of);
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (CCH input map)");
    }
    for (uint32_t u = 0; u < in->n; u++)
        for (uint64_t i = in->first_out[u]; i < in->first_out[u + 1]; i++) {
            uint32_t ru = c->rank[u], rv = c->rank[in->head[i]];
            of[i] = ru == rv ? CCH_NONE : cch_find_arc(c, ru, rv);
            if (of[i] != CCH_NONE)
                c->in_first[of[i] + 1]++;
        }
    for (uint64_t a = 0; a < m; a++)
        c->in_first[a + 1] += c->in_first[a];
    for (uint32_t u = 0; u < in->n; u++)
        for (uint64_t i = in->first_out[u]; i < in->first_out[u + 1]; i++)
            if (of[i] != CCH_NONE)
                c->in_arc[c->in_first[of[i]]++] =
                    (uint32_t)(i << 1) | (c->rank[u] > c->rank[in->head[i]]);
    for (uint64_t a = m; a > 0; a--)
        c->in_first[a] = c->in_first[a - 1];
    c->in_first[0] = 0;
    c->arc_of_in = of;
    return KKC_OK;
}

static enum kkc_code check_input(const struct cch_input *in, struct kkc_err *err)
{
    if (in->n >= CCH_NONE)
        return kkc_err_set(err, KKC_ETOOBIG, "CCH: %u nodes, at most %u", in->n, CCH_NONE - 1);
    if (in->first_out[0] != 0)
        return kkc_err_set(err, KKC_EINVAL, "CCH input: first_out[0] is not 0");
    for (uint32_t v = 0; v < in->n; v++)
        if (in->first_out[v + 1] < in->first_out[v])
            return kkc_err_set(err, KKC_EINVAL, "CCH input: first_out decreases at node %u", v);
    if (in->first_out[in->n] >= CCH_ARC_MAX)
        return kkc_err_set(err, KKC_ETOOBIG, "CCH input: %llu arcs, at most %llu",
                           (unsigned long long)in->first_out[in->n],
                           (unsigned long long)CCH_ARC_MAX - 1);
    for (uint64_t a = 0; a < in->first_out[in->n]; a++)
        if (in->head[a] >= in->n)
            return kkc_err_set(err, KKC_EINVAL, "CCH input: arc %llu heads to node %u of %u",
                               (unsigned long long)a, in->head[a], in->n);
    return KKC_OK;
}

enum kkc_code cch_build(const struct cch_input *in, struct cch **out, struct kkc_err *err)
{
    enum kkc_code rc = check_input(in, err);
    if (rc)
        return rc;
    struct cch *c = calloc(1, sizeof *c);
    if (!c)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (CCH)");
    c->n = in->n;
    c->input_arcs = in->first_out[in->n];
    c->rank = malloc(((size_t)in->n + 1) * sizeof *c->rank);
    c->order = malloc(((size_t)in->n + 1) * sizeof *c->order);
    c->parent = malloc(((size_t)in->n + 1) * sizeof *c->parent);
    c->up_first = malloc(((size_t)in->n + 1) * sizeof *c->up_first);
    if (!c->rank || !c->order || !c->parent || !c->up_first)
        rc = kkc_err_set(err, KKC_ENOMEM, "out of memory (CCH)");
    if (!rc)
        rc = cch_order(in, 0, c->rank, c->order, err);
    if (!rc)
        rc = contract(in, c, err);
    if (!rc)
        rc = down_index(c, err);
    if (!rc)
        rc = input_map(in, c, err);
    if (rc) {
        cch_destroy(c);
        return rc;
    }
    *out = c;
    return KKC_OK;
}

void cch_destroy(struct cch *c)
{
    if (!c)
        return;
    if (c->mapping) {
        munmap(c->mapping, c->mapping_len);
    } else {
        free(c->rank), free(c->order), free(c->parent), free(c->up_first), free(c->up_head);
        free(c->down_first), free(c->down_tail), free(c->down_arc), free(c->in_first);
        free(c->in_arc), free(c->arc_tail), free(c->arc_of_in);
    }
    free(c);
}
