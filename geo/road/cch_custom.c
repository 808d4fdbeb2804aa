/* geo/road/cch_custom.c -- the customization phase of the CCH: input weights -> the cost of each
 * hierarchy arc in both directions; full, or only above a few changed input arcs. See cch.h. */
#include "road/cch.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static inline cch_cost min_cost(cch_cost a, cch_cost b)
{
    return a < b ? a : b;
}

/* The cheapest input arc on hierarchy arc a, in each direction. */
static void base_costs(struct cch_metric *m, uint64_t a)
{
    const struct cch *c = m->c;
    cch_cost up = CCH_INF, down = CCH_INF;
    for (uint64_t k = c->in_first[a]; k < c->in_first[a + 1]; k++) {
        cch_cost w = m->weight[c->in_arc[k] >> 1];
        if (c->in_arc[k] & 1)
            down = min_cost(down, w);
        else
            up = min_cost(up, w);
    }
    m->up[a] = up;
    m->down[a] = down;
}

/* Recompute hierarchy arc a from its input arcs and its lower triangles {w, lo, hi}, w < lo:
 * lo -> w -> hi costs down(w,lo) + up(w,hi), hi -> w -> lo costs down(w,hi) + up(w,lo). The arcs
 * at w are final when a is visited (they come before a). Returns 1 when a's costs changed. */
static int recompute(struct cch_metric *m, uint64_t a)
{
    const struct cch *c = m->c;
    uint32_t lo = c->arc_tail[a], hi = c->up_head[a];
    cch_cost old_up = m->up[a], old_down = m->down[a];
    base_costs(m, a);
    cch_cost up = m->up[a], down = m->down[a];
    uint64_t i = c->down_first[lo], ie = c->down_first[lo + 1];
    uint64_t j = c->down_first[hi], je = c->down_first[hi + 1];
    while (i < ie && j < je) {
        uint32_t x = c->down_tail[i], y = c->down_tail[j];
        if (y >= lo)
            break;
        if (x < y) {
            i++;
        } else if (y < x) {
            j++;
        } else {
            uint32_t a1 = c->down_arc[i++], a2 = c->down_arc[j++];
            up = min_cost(up, cch_add(m->down[a1], m->up[a2]));
            down = min_cost(down, cch_add(m->down[a2], m->up[a1]));
        }
    }
    int changed = up != old_up || down != old_down;
    m->up[a] = up;
    m->down[a] = down;
    return changed;
}

/* Push from node w (its arcs final): each pair of its arcs (w,u), (w,v), u < v, is a lower
 * triangle of (u,v). only: 0 every pair; 1 the pairs whose u is not a top node (bin[u] != 2);
 * 2 those whose u is. */
static void push_node(struct cch_metric *m, uint32_t w, int only, const uint8_t *bin)
{
    const struct cch *c = m->c;
    uint64_t b = c->up_first[w], e = c->up_first[w + 1];
    for (uint64_t i = b; i < e; i++) {
        uint32_t u = c->up_head[i];
        if (only && (bin[u] == 2) != (only == 2))
            continue;
        uint64_t p = c->up_first[u], pe = c->up_first[u + 1];
        cch_cost u_to_w = m->down[i], w_to_u = m->up[i];
        for (uint64_t j = i + 1; j < e && p < pe; j++) {
            /* a plain scan: up(w) above u lies inside up(u) (chordality), so p walks u's list
             * once per (w, u); 25 % less CPU than galloping on the towns (BENCHMARKS.md) */
            while (p < pe && c->up_head[p] < c->up_head[j])
                p++;
            if (p == pe || c->up_head[p] != c->up_head[j])
                continue; /* not chordal: cannot happen for a built hierarchy */
            /* u -> w -> v and v -> w -> u */
            m->up[p] = min_cost(m->up[p], cch_add(u_to_w, m->up[j]));
            m->down[p] = min_cost(m->down[p], cch_add(m->down[j], w_to_u));
        }
    }
}

/* ---- two threads: the elimination tree split into a top and two halves --------------------- */

static int cmp_work(const void *a, const void *b, void *w)
{
    double x = ((const double *)w)[*(const uint32_t *)a], y = ((const double *)w)[*(const uint32_t *)b];
    return (x < y) - (x > y);
}

/* bin[v] = 2 for the top of the elimination tree (the nodes whose subtree holds over a third of
 * the work, pairs of upper arcs), 0 or 1 below: the subtrees under the top dealt, largest first,
 * to the lighter of two halves. A node's upper neighbours are its ancestors, so a node of half k
 * pushes onto arcs of half k or of the top only. Returns 0, -1 out of memory. */
static int plan_halves(const struct cch *c, uint8_t *bin)
{
    uint32_t n = c->n, nf = 0;
    double *work = malloc(((size_t)n + 1) * sizeof *work), load[2] = {0, 0}, total = 0;
    uint32_t *front = malloc(((size_t)n + 1) * sizeof *front);
    if (!work || !front)
        return free(work), free(front), -1;
    for (uint32_t v = 0; v < n; v++) {
        double k = (double)(c->up_first[v + 1] - c->up_first[v]);
        work[v] = k * k + 1;
    }
    for (uint32_t v = 0; v < n; v++) /* parents come after their children */
        if (c->parent[v] != CCH_NONE)
            work[c->parent[v]] += work[v];
        else
            total += work[v];
    for (uint32_t v = n; v-- > 0;) {
        uint32_t p = c->parent[v];
        bin[v] = work[v] > total / 3 ? 2 : p == CCH_NONE || bin[p] == 2 ? 4 : 5;
        if (bin[v] == 4)
            front[nf++] = v;
    }
    qsort_r(front, nf, sizeof *front, cmp_work, work);
    for (uint32_t i = 0; i < nf; i++) {
        int k = load[1] < load[0];
        load[k] += work[front[i]];
        bin[front[i]] = (uint8_t)k;
    }
    for (uint32_t v = n; v-- > 0;) /* the rest of each subtree, from its root down */
        if (bin[v] == 5)
            bin[v] = bin[c->parent[v]];
    free(work), free(front);
    return 0;
}

struct half {
    struct cch_metric *m;
    const uint8_t *bin;
    uint8_t k;
};

static void *run_half(void *arg)
{
    const struct half *h = arg;
    const struct cch *c = h->m->c;
    for (uint32_t v = 0; v < c->n; v++)
        if (h->bin[v] == h->k)
            for (uint64_t a = c->up_first[v]; a < c->up_first[v + 1]; a++)
                base_costs(h->m, a);
    for (uint32_t w = 0; w < c->n; w++)
        if (h->bin[w] == h->k)
            push_node(h->m, w, 1, h->bin);
    return NULL;
}

/* The halves on two threads, then the top on this one. -1 when no thread could be had. */
static int customize_two(struct cch_metric *m)
{
    const struct cch *c = m->c;
    uint8_t *bin = malloc((size_t)c->n + 1);
    pthread_t th;
    if (!bin || plan_halves(c, bin))
        return free(bin), -1;
    struct half h[2] = {{m, bin, 0}, {m, bin, 1}};
    if (pthread_create(&th, NULL, run_half, &h[1]))
        return free(bin), -1;
    run_half(&h[0]);
    pthread_join(th, NULL);
    for (uint32_t v = 0; v < c->n; v++)
        if (bin[v] == 2)
            for (uint64_t a = c->up_first[v]; a < c->up_first[v + 1]; a++)
                base_costs(m, a);
    for (uint32_t w = 0; w < c->n; w++)
        push_node(m, w, bin[w] == 2 ? 0 : 2, bin);
    free(bin);
    return 0;
}

/* Threads for a full customization: KKC_CCH_THREADS (1 or 2), else 2 when the pairs of upper
 * arcs (the triangles' work) reach 100 M: below that (FLA's node-based 1 M nodes: 31 M) the
 * customization is short and memory-bound and a second thread's extra passes cost more than it
 * brings (BENCHMARKS.md). */
static int threads(const struct cch *c)
{
    const char *e = getenv("KKC_CCH_THREADS");
    if (e && *e)
        return atoi(e) >= 2 ? 2 : 1;
    double work = 0;
    for (uint32_t v = 0; v < c->n && work < 1e8; v++) {
        double k = (double)(c->up_first[v + 1] - c->up_first[v]);
        work += k * k;
    }
    return work >= 1e8 ? 2 : 1;
}

/* Full customization, pushed from below: once node w's arcs are final (every triangle under
 * them came from a lower node), each pair of them (w,u), (w,v), u < v, is a lower triangle of
 * (u,v). Costs O(triangles + a scan of u's list per arc (w,u)), where pulling each arc's
 * triangles from the lower neighbours' lists costs quadratic in the large lists of the top
 * separators. With two threads, the two halves of the elimination tree under its top are
 * customized side by side. */
void cch_metric_customize(struct cch_metric *m)
{
    const struct cch *c = m->c;
    if (threads(c) == 2 && customize_two(m) == 0)
        return;
    for (uint64_t a = 0; a < c->arc_count; a++)
        base_costs(m, a);
    for (uint32_t w = 0; w < c->n; w++)
        push_node(m, w, 0, NULL);
}

enum kkc_code cch_metric_create(const struct cch *c, const uint32_t *weight32,
                                const cch_cost *weight64, struct cch_metric **out,
                                struct kkc_err *err)
{
    struct cch_metric *m = calloc(1, sizeof *m);
    if (!m)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (CCH metric)");
    m->c = c;
    m->weight = malloc((c->input_arcs + 1) * sizeof *m->weight);
    m->up = malloc((c->arc_count + 1) * sizeof *m->up);
    m->down = malloc((c->arc_count + 1) * sizeof *m->down);
    if (!m->weight || !m->up || !m->down) {
        cch_metric_destroy(m);
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (CCH metric)");
    }
    for (uint64_t i = 0; i < c->input_arcs; i++)
        m->weight[i] = weight64                    ? weight64[i]
                       : weight32[i] == UINT32_MAX ? CCH_INF
                                                   : weight32[i];
    cch_metric_customize(m);
    *out = m;
    return KKC_OK;
}

void cch_metric_destroy(struct cch_metric *m)
{
    if (!m)
        return;
    free(m->weight), free(m->up), free(m->down);
    free(m);
}

/* A min-heap of arc ids with a bitmap against duplicates. */
struct arcq {
    uint32_t *h;
    size_t len, cap;
    uint8_t *in;
};

static int arcq_push(struct arcq *q, uint32_t a)
{
    if (q->in[a >> 3] & (1u << (a & 7)))
        return 0;
    if (q->len == q->cap) {
        size_t cap = q->cap ? 2 * q->cap : 64;
        uint32_t *nh = realloc(q->h, cap * sizeof *nh);
        if (!nh)
            return -1;
        q->h = nh, q->cap = cap;
    }
    q->in[a >> 3] |= (uint8_t)(1u << (a & 7));
    size_t i = q->len++;
    while (i > 0 && q->h[(i - 1) / 2] > a) {
        q->h[i] = q->h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    q->h[i] = a;
    return 0;
}

static uint32_t arcq_pop(struct arcq *q)
{
    uint32_t top = q->h[0], last = q->h[--q->len];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, s = l;
        if (l >= q->len)
            break;
        if (l + 1 < q->len && q->h[l + 1] < q->h[l])
            s = l + 1;
        if (q->h[s] >= last)
            break;
        q->h[i] = q->h[s];
        i = s;
    }
    if (q->len)
        q->h[i] = last;
    q->in[top >> 3] &= (uint8_t)~(1u << (top & 7));
    return top;
}

/* Arc a = (lo, hi) changed: the arcs (hi, z) for the other upper neighbours z of lo have the
 * triangle {lo, hi, z} below them. */
static int push_dependents(const struct cch *c, struct arcq *q, uint32_t a)
{
    uint32_t lo = c->arc_tail[a], hi = c->up_head[a];
    for (uint64_t k = c->up_first[lo]; k < c->up_first[lo + 1]; k++) {
        uint32_t z = c->up_head[k];
        if (z != hi && arcq_push(q, cch_find_arc(c, hi, z)))
            return -1;
    }
    return 0;
}

enum kkc_code cch_metric_update(struct cch_metric *m, const uint64_t *arcs,
                                const cch_cost *weights, size_t count, uint64_t *touched,
                                struct kkc_err *err)
{
    const struct cch *c = m->c;
    struct arcq q = {0};
    uint64_t done = 0;
    int bad = 0;

    for (size_t i = 0; i < count; i++)
        if (arcs[i] >= c->input_arcs)
            return kkc_err_set(err, KKC_EINVAL, "CCH update: arc %llu of %llu",
                               (unsigned long long)arcs[i], (unsigned long long)c->input_arcs);
    if (!(q.in = calloc(c->arc_count / 8 + 1, 1)))
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (CCH update)");
    for (size_t i = 0; !bad && i < count; i++) {
        m->weight[arcs[i]] = weights[i];
        if (c->arc_of_in[arcs[i]] != CCH_NONE)
            bad = arcq_push(&q, c->arc_of_in[arcs[i]]);
    }
    while (!bad && q.len) {
        uint32_t a = arcq_pop(&q);
        done++;
        if (recompute(m, a))
            bad = push_dependents(c, &q, a);
    }
    free(q.h), free(q.in);
    if (touched)
        *touched = done;
    if (bad) {
        cch_metric_customize(m); /* keep the metric consistent whatever happened */
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (CCH update); customized in full");
    }
    return KKC_OK;
}

enum kkc_code cch_metric_copy(const struct cch_metric *m, struct cch_metric **out,
                              struct kkc_err *err)
{
    const struct cch *c = m->c;
    struct cch_metric *d = calloc(1, sizeof *d);
    if (d) {
        d->c = c;
        d->weight = malloc((c->input_arcs + 1) * sizeof *d->weight);
        d->up = malloc((c->arc_count + 1) * sizeof *d->up);
        d->down = malloc((c->arc_count + 1) * sizeof *d->down);
    }
    if (!d || !d->weight || !d->up || !d->down) {
        cch_metric_destroy(d);
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (CCH metric copy)");
    }
    memcpy(d->weight, m->weight, c->input_arcs * sizeof *d->weight);
    memcpy(d->up, m->up, c->arc_count * sizeof *d->up);
    memcpy(d->down, m->down, c->arc_count * sizeof *d->down);
    *out = d;
    return KKC_OK;
}
