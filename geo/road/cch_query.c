/* geo/road/cch_query.c -- queries on a customized CCH: elimination-tree upward searches, path
 * unpacking to input arcs, many-to-many with buckets. See cch.h. */
#include "road/cch.h"
#include "base/grow.h"

#include <stdlib.h>
#include <string.h>

struct cch_query {
    const struct cch *c;
    uint32_t n; /* c->n: the size of the arrays below */
    cch_cost *dist[2];   /* 0: from the sources, 1: to the targets */
    uint32_t *pred[2];   /* the hierarchy arc a node was reached by, CCH_NONE at a seed */
    uint32_t *seen[2];   /* the nodes each walk visited (to reset them) */
    uint32_t nseen[2];
    uint32_t *cursor;    /* walk fronts, one per seed */
    size_t cursor_cap;
    cch_cost best;
    uint32_t meet;
};

enum kkc_code cch_query_create(const struct cch *c, struct cch_query **out, struct kkc_err *err)
{
    struct cch_query *q = calloc(1, sizeof *q);
    int bad = !q;
    size_t n = (size_t)c->n + 1;
    for (int s = 0; !bad && s < 2; s++) {
        q->dist[s] = malloc(n * sizeof *q->dist[s]);
        q->pred[s] = malloc(n * sizeof *q->pred[s]);
        q->seen[s] = malloc(n * sizeof *q->seen[s]);
        bad = !q->dist[s] || !q->pred[s] || !q->seen[s];
        for (size_t v = 0; !bad && v < n; v++)
            q->dist[s][v] = CCH_INF, q->pred[s][v] = CCH_NONE;
    }
    if (bad) {
        cch_query_destroy(q);
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (CCH query)");
    }
    q->c = c;
    q->n = c->n;
    q->best = CCH_INF;
    q->meet = CCH_NONE;
    *out = q;
    return KKC_OK;
}

int cch_query_rebind(struct cch_query *q, const struct cch *c)
{
    if (c->n != q->n)
        return -1;
    q->c = c; /* its arrays hold CCH_INF / CCH_NONE but at the last walks' nodes, reset first */
    q->meet = CCH_NONE;
    return 0;
}

void cch_query_destroy(struct cch_query *q)
{
    if (!q)
        return;
    for (int s = 0; s < 2; s++)
        free(q->dist[s]), free(q->pred[s]), free(q->seen[s]);
    free(q->cursor);
    free(q);
}

static void reset(struct cch_query *q, int s)
{
    for (uint32_t i = 0; i < q->nseen[s]; i++) {
        q->dist[s][q->seen[s][i]] = CCH_INF;
        q->pred[s][q->seen[s][i]] = CCH_NONE;
    }
    q->nseen[s] = 0;
}

/* Walk side s (0: up[] costs from the seeds, 1: down[] costs to the seeds) from the seeds to the
 * roots, in rank order, merging the seeds' tree paths. With the other side's distances in `meet`
 * (may be NULL) track the best meeting node and stop relaxing from nodes that cannot beat it. */
static int walk(struct cch_query *q, const struct cch_metric *m, int s, const struct cch_seed *seeds,
                size_t ns, const cch_cost *meet)
{
    const struct cch *c = q->c;
    cch_cost *d = q->dist[s];
    const cch_cost *w = s ? m->down : m->up;
    size_t live = 0;

    if (ns > q->cursor_cap) {
        uint32_t *nc = realloc(q->cursor, ns * sizeof *nc);
        if (!nc)
            return -1;
        q->cursor = nc, q->cursor_cap = ns;
    }
    for (size_t i = 0; i < ns; i++) {
        uint32_t r = c->rank[seeds[i].node];
        if (seeds[i].cost < d[r])
            d[r] = seeds[i].cost, q->pred[s][r] = CCH_NONE;
        q->cursor[live++] = r;
    }
    while (live) {
        uint32_t x = q->cursor[0];
        for (size_t i = 1; i < live; i++)
            x = q->cursor[i] < x ? q->cursor[i] : x;
        q->seen[s][q->nseen[s]++] = x;
        cch_cost dx = d[x];
        if (meet && meet[x] != CCH_INF && cch_add(dx, meet[x]) < q->best)
            q->best = cch_add(dx, meet[x]), q->meet = x;
        if (dx != CCH_INF && (!meet || dx < q->best))
            for (uint64_t a = c->up_first[x]; a < c->up_first[x + 1]; a++) {
                cch_cost nd = cch_add(dx, w[a]);
                if (nd < d[c->up_head[a]])
                    d[c->up_head[a]] = nd, q->pred[s][c->up_head[a]] = (uint32_t)a;
            }
        for (size_t i = 0; i < live;)
            if (q->cursor[i] == x && c->parent[x] == CCH_NONE)
                q->cursor[i] = q->cursor[--live];
            else
                q->cursor[i] = q->cursor[i] == x ? c->parent[x] : q->cursor[i], i++;
        /* fronts that met are one front from here on */
        for (size_t i = 0; i < live; i++)
            for (size_t j = i + 1; j < live;)
                if (q->cursor[j] == q->cursor[i])
                    q->cursor[j] = q->cursor[--live];
                else
                    j++;
    }
    return 0;
}

cch_cost cch_query_run(struct cch_query *q, const struct cch_metric *m, const struct cch_seed *src,
                       size_t ns, const struct cch_seed *dst, size_t nd)
{
    reset(q, 0);
    reset(q, 1);
    q->best = CCH_INF;
    q->meet = CCH_NONE;
    if (walk(q, m, 0, src, ns, NULL) || walk(q, m, 1, dst, nd, q->dist[0]))
        q->best = CCH_INF, q->meet = CCH_NONE;
    return q->best;
}

/* ---- unpacking ----------------------------------------------------------------------------- */

struct arcs {
    uint64_t *v;
    size_t len, cap;
};

static int arcs_push(struct arcs *x, uint64_t a)
{
    uint64_t *nv = kkc_grow(x->v, &x->cap, x->len + 1, sizeof *nv, 64);
    if (!nv)
        return -1;
    x->v = nv, x->v[x->len++] = a;
    return 0;
}

/* An input arc on hierarchy arc a in direction dir (0 up, 1 down) costing exactly cost. */
static uint64_t input_of(const struct cch_metric *m, uint32_t a, int dir, cch_cost cost)
{
    const struct cch *c = m->c;
    for (uint64_t k = c->in_first[a]; k < c->in_first[a + 1]; k++)
        if ((int)(c->in_arc[k] & 1) == dir && m->weight[c->in_arc[k] >> 1] == cost)
            return c->in_arc[k] >> 1;
    return UINT64_MAX;
}

/* The first position in [j, je) whose lower end is >= z (tail ascending), galloping from j:
 * about 2 log2 of the distance, one look when it is near. */
static uint64_t gallop(const uint32_t *tail, uint64_t j, uint64_t je, uint32_t z)
{
    uint64_t lo = j, hi = j, step = 1;
    while (hi < je && tail[hi] < z) {
        lo = hi + 1;
        hi += step;
        step <<= 1;
    }
    if (hi > je)
        hi = je;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (tail[mid] < z)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Push onto the stack the two arcs of a lower triangle of a that make up its cost in direction
 * dir, so that the first to drive is on top. Returns 0, or -1 when none does. The triangles
 * (z, lo, hi) are tried by ascending z: the lower neighbours of lo in turn, each looked up in
 * those of hi by galloping (hi's list, high in the hierarchy, is the long one). */
static int split(const struct cch_metric *m, struct arcs *st, uint32_t a, int dir)
{
    const struct cch *c = m->c;
    uint32_t lo = c->arc_tail[a], hi = c->up_head[a];
    cch_cost want = dir ? m->down[a] : m->up[a];
    uint64_t j = c->down_first[hi], je = c->down_first[hi + 1];
    for (uint64_t i = c->down_first[lo]; i < c->down_first[lo + 1] && j < je; i++) {
        uint32_t z = c->down_tail[i];
        j = gallop(c->down_tail, j, je, z);
        if (j == je || c->down_tail[j] != z)
            continue;
        uint64_t a1 = c->down_arc[i], a2 = c->down_arc[j++];
        if (!dir && cch_add(m->down[a1], m->up[a2]) == want)
            return arcs_push(st, a2 << 1) || arcs_push(st, a1 << 1 | 1) ? -2 : 0;
        if (dir && cch_add(m->down[a2], m->up[a1]) == want)
            return arcs_push(st, a1 << 1) || arcs_push(st, a2 << 1 | 1) ? -2 : 0;
    }
    return -1;
}

/* Unpack hierarchy arc a in direction dir onto out. */
static enum kkc_code unpack(const struct cch_metric *m, struct arcs *st, struct arcs *out,
                            uint32_t a, int dir, struct kkc_err *err)
{
    st->len = 0;
    if (arcs_push(st, (uint64_t)a << 1 | (uint64_t)dir))
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (CCH path)");
    while (st->len) {
        uint64_t top = st->v[--st->len];
        uint32_t b = (uint32_t)(top >> 1);
        int d = (int)(top & 1);
        uint64_t in = input_of(m, b, d, d ? m->down[b] : m->up[b]);
        int r = in != UINT64_MAX ? arcs_push(out, in) * 2 : split(m, st, b, d);
        if (r == -1)
            return kkc_err_set(err, KKC_EINTERNAL, "CCH path: arc %u has no witness", b);
        if (r)
            return kkc_err_set(err, KKC_ENOMEM, "out of memory (CCH path)");
    }
    return KKC_OK;
}

enum kkc_code cch_query_path(struct cch_query *q, const struct cch_metric *m, uint64_t **arcs,
                             size_t *count, uint32_t *src_node, uint32_t *dst_node,
                             struct kkc_err *err)
{
    const struct cch *c = q->c;
    struct arcs up = {0}, st = {0}, out = {0};
    enum kkc_code rc = KKC_OK;
    uint32_t x;

    if (q->meet == CCH_NONE)
        return kkc_err_set(err, KKC_ENOROUTE, "no path");
    for (x = q->meet; !rc && q->pred[0][x] != CCH_NONE; x = c->arc_tail[q->pred[0][x]])
        if (arcs_push(&up, q->pred[0][x]))
            rc = kkc_err_set(err, KKC_ENOMEM, "out of memory (CCH path)");
    *src_node = c->order[x];
    while (!rc && up.len)
        rc = unpack(m, &st, &out, (uint32_t)up.v[--up.len], 0, err);
    for (x = q->meet; !rc && q->pred[1][x] != CCH_NONE; x = c->arc_tail[q->pred[1][x]])
        rc = unpack(m, &st, &out, q->pred[1][x], 1, err);
    *dst_node = c->order[x];
    free(up.v), free(st.v);
    if (rc) {
        free(out.v);
        return rc;
    }
    *arcs = out.v;
    *count = out.len;
    return KKC_OK;
}

/* ---- many-to-many -------------------------------------------------------------------------- */

struct bucket {
    uint32_t node;
    uint32_t group;
    cch_cost cost;
};

/* Sort b[0..len) by node, stably (the groups were filled in ascending order, so they stay so
 * within a node: the order (node, group) of a full comparison sort): LSD radix on 11-bit digits
 * of the node, as many as nodes below n need. 0, or -1 when out of memory. */
#define DIGIT_BITS 11
#define DIGITS (1u << DIGIT_BITS)
static int sort_buckets(struct bucket *b, size_t len, uint32_t n)
{
    struct bucket *tmp = malloc((len ? len : 1) * sizeof *tmp), *from = b, *to = tmp;
    size_t *count = malloc((DIGITS + 1) * sizeof *count);
    if (!tmp || !count)
        return free(tmp), free(count), -1;
    for (unsigned shift = 0; shift < 32 && (shift == 0 || (n - 1) >> shift); shift += DIGIT_BITS) {
        memset(count, 0, (DIGITS + 1) * sizeof *count);
        for (size_t i = 0; i < len; i++)
            count[((from[i].node >> shift) & (DIGITS - 1)) + 1]++;
        for (size_t d = 1; d <= DIGITS; d++)
            count[d] += count[d - 1];
        for (size_t i = 0; i < len; i++)
            to[count[(from[i].node >> shift) & (DIGITS - 1)]++] = from[i];
        struct bucket *t = from;
        from = to, to = t;
    }
    if (from != b)
        memcpy(b, from, len * sizeof *b);
    free(tmp), free(count);
    return 0;
}

/* Every target group's upward search, as buckets sorted by node. */
static int fill_buckets(struct cch_query *q, const struct cch_metric *m, const struct cch_seed *dst,
                        const size_t *dst_first, size_t nt, struct bucket **out, size_t *count)
{
    struct bucket *b = NULL;
    size_t len = 0, cap = 0;
    for (size_t j = 0; j < nt; j++) {
        reset(q, 1);
        if (walk(q, m, 1, dst + dst_first[j], dst_first[j + 1] - dst_first[j], NULL))
            return free(b), -1;
        if (len + q->nseen[1] > cap) {
            cap = 2 * (len + q->nseen[1]);
            struct bucket *nb = realloc(b, cap * sizeof *nb);
            if (!nb)
                return free(b), -1;
            b = nb;
        }
        for (uint32_t i = 0; i < q->nseen[1]; i++) {
            uint32_t x = q->seen[1][i];
            if (q->dist[1][x] != CCH_INF)
                b[len++] = (struct bucket){x, (uint32_t)j, q->dist[1][x]};
        }
    }
    reset(q, 1);
    if (sort_buckets(b, len, q->c->n))
        return free(b), -1;
    /* pred[1] (unused by the source walks) points each bucket node at its first bucket */
    for (size_t e = 0; len < CCH_NONE && e < len; e++)
        if (e == 0 || b[e].node != b[e - 1].node) {
            q->pred[1][b[e].node] = (uint32_t)e;
            q->seen[1][q->nseen[1]++] = b[e].node;
        }
    *out = b;
    *count = len;
    return 0;
}

static size_t bucket_lower(const struct bucket *b, size_t len, uint32_t node)
{
    size_t l = 0, r = len;
    while (l < r) {
        size_t mid = l + (r - l) / 2;
        if (b[mid].node < node)
            l = mid + 1;
        else
            r = mid;
    }
    return l;
}

enum kkc_code cch_table(struct cch_query *q, const struct cch_metric *m, const struct cch_seed *src,
                        const size_t *src_first, size_t ns, const struct cch_seed *dst,
                        const size_t *dst_first, size_t nt, cch_cost *out, struct kkc_err *err)
{
    struct bucket *b;
    size_t nb;

    reset(q, 0);
    q->meet = CCH_NONE;
    if (fill_buckets(q, m, dst, dst_first, nt, &b, &nb))
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (CCH table)");
    for (size_t i = 0; i < ns * nt; i++)
        out[i] = CCH_INF;
    for (size_t i = 0; i < ns; i++) {
        cch_cost *row = out + i * nt;
        reset(q, 0);
        if (walk(q, m, 0, src + src_first[i], src_first[i + 1] - src_first[i], NULL)) {
            reset(q, 1);
            free(b);
            return kkc_err_set(err, KKC_ENOMEM, "out of memory (CCH table)");
        }
        for (uint32_t k = 0; k < q->nseen[0]; k++) {
            uint32_t x = q->seen[0][k];
            cch_cost dx = q->dist[0][x];
            if (dx == CCH_INF)
                continue;
            size_t e = nb >= CCH_NONE            ? bucket_lower(b, nb, x)
                       : q->pred[1][x] == CCH_NONE ? nb
                                                   : q->pred[1][x];
            for (; e < nb && b[e].node == x; e++) {
                cch_cost t = cch_add(dx, b[e].cost);
                if (t < row[b[e].group])
                    row[b[e].group] = t;
            }
        }
    }
    reset(q, 0);
    reset(q, 1);
    free(b);
    return KKC_OK;
}
