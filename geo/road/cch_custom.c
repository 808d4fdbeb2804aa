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
    m->mid[2 * a] = m->mid[2 * a + 1] = CCH_NONE;
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
    uint32_t mid_up = CCH_NONE, mid_down = CCH_NONE;
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
            cch_cost tu = cch_add(m->down[a1], m->up[a2]), td = cch_add(m->down[a2], m->up[a1]);
            if (tu < up) /* strictly: the input arc, then the lowest x, as pull_from */
                up = tu, mid_up = x;
            if (td < down)
                down = td, mid_down = x;
        }
    }
    int changed = up != old_up || down != old_down; /* the arcs above read costs only */
    m->up[a] = up;
    m->down[a] = down;
    m->mid[2 * a] = mid_up, m->mid[2 * a + 1] = mid_down;
    return changed;
}

/* The triangles {w, u, v} for v = vh[k], k < cnt (w's arcs after (w,u): costs wu[k], wd[k]),
 * onto u's arcs slot[v] (costs uu, ud, middles um): dir 3 both directions, 1 only u -> w -> v
 * (w -> u is closed), 2 only v -> w -> u. Closed arcs are common in a turn graph (half the
 * hierarchy arcs are closed one way), and a closed arc (w,u) improves nothing in its direction.
 * Strictly cheaper only: the input arc, else the lowest w (pulled in ascending order). No
 * branches (conditional moves), and arrays offset by the caller so that the loop keeps its
 * pointers in registers: with branches the middles cost 95 % more CPU, without but with the
 * arrays' bases in registers 60 % (FLA turn-expanded). */
static inline __attribute__((always_inline)) void
pull_from(cch_cost *restrict uu, cch_cost *restrict ud, uint32_t *restrict um,
          const cch_cost *restrict wu, const cch_cost *restrict wd, const uint32_t *restrict vh,
          uint64_t cnt, const uint32_t *restrict slot, uint64_t len, cch_cost u_to_w,
          cch_cost w_to_u, uint32_t w, int dir)
{
    for (uint64_t k = 0; k < cnt; k++) {
        uint64_t s = slot[vh[k]];
        s = s < len ? s : 0; /* in bounds whatever slot holds (a branch here cost 20 % more) */
        if (dir & 1) {       /* u -> w -> v */
            cch_cost t = cch_add(u_to_w, wu[k]), o = uu[s];
            uint32_t mo = um[2 * s];
            uu[s] = t < o ? t : o, um[2 * s] = t < o ? w : mo;
        }
        if (dir & 2) { /* v -> w -> u */
            cch_cost t = cch_add(wd[k], w_to_u), o = ud[s];
            uint32_t mo = um[2 * s + 1];
            ud[s] = t < o ? t : o, um[2 * s + 1] = t < o ? w : mo;
        }
    }
}

/* Customize node u's upper arcs, pulled from below: first their input arcs, then every lower
 * triangle {w, u, v}, w < u < v. The lower neighbours w of u are u's down list (arc (w,u) = a in
 * w's upper list), the v are the arcs after a in that list (ascending, above u), and (u,v) is
 * found by slot[v], set here for u's upper neighbours: chordality puts every such v among them.
 * The arcs at w are final (w < u is done). u's arcs stay in cache while it pulls, where pushing
 * from w (the code before, BENCHMARKS.md) scattered into the lists of all of w's upper
 * neighbours and searched each (u,v) in u's list: FLA turn-expanded 1.21 s -> 0.71 s of CPU. */
static void pull_node(struct cch_metric *m, uint32_t u, uint32_t *slot)
{
    const struct cch *c = m->c;
    uint64_t b = c->up_first[u], e = c->up_first[u + 1];
    uint64_t d0 = c->down_first[u], d1 = c->down_first[u + 1];
    for (uint64_t k = b; k < e; k++) {
        base_costs(m, k);
        slot[c->up_head[k]] = (uint32_t)(k - b);
    }
    for (uint64_t d = b < e ? d0 : d1; d < d1; d++) {
        uint32_t a = c->down_arc[d], w = c->down_tail[d];
        cch_cost u_to_w = m->down[a], w_to_u = m->up[a];
        if (d + 1 < d1) { /* the next lower neighbour's lists: each is a cache miss */
            uint32_t na = c->down_arc[d + 1];
            __builtin_prefetch(&c->up_head[na + 1]);
            __builtin_prefetch(&m->up[na]);
            __builtin_prefetch(&m->down[na]);
        }
        int dir = (u_to_w != CCH_INF) | (w_to_u != CCH_INF) << 1;
        uint64_t j0 = (uint64_t)a + 1, cnt = c->up_first[w + 1] - j0;
        cch_cost *uu = m->up + b, *ud = m->down + b;
        const cch_cost *wu = m->up + j0, *wd = m->down + j0;
        uint32_t *um = m->mid + 2 * b;
        const uint32_t *vh = c->up_head + j0;
        if (dir == 3)
            pull_from(uu, ud, um, wu, wd, vh, cnt, slot, e - b, u_to_w, w_to_u, w, 3);
        else if (dir == 1)
            pull_from(uu, ud, um, wu, wd, vh, cnt, slot, e - b, u_to_w, w_to_u, w, 1);
        else if (dir == 2)
            pull_from(uu, ud, um, wu, wd, vh, cnt, slot, e - b, u_to_w, w_to_u, w, 2);
    }
}

/* ---- two threads: the elimination tree split into a top and two halves --------------------- */

static int cmp_work(const void *a, const void *b, void *w)
{
    double x = ((const double *)w)[*(const uint32_t *)a],
           y = ((const double *)w)[*(const uint32_t *)b];
    return (x < y) - (x > y);
}

/* bin[v] = 2 for the top of the elimination tree (the nodes whose subtree holds over a third of
 * the work, pairs of upper arcs), 0 or 1 below: the subtrees under the top dealt, largest first,
 * to the lighter of two halves. A node's lower neighbours are its descendants, so a node of half
 * k pulls from arcs of half k only, the top from anything below. Returns 0, -1 out of memory. */
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
    uint32_t *slot;
    uint8_t k;
};

static void *run_half(void *arg)
{
    const struct half *h = arg;
    for (uint32_t v = 0; v < h->m->c->n; v++)
        if (h->bin[v] == h->k)
            pull_node(h->m, v, h->slot);
    return NULL;
}

/* The halves on two threads (a node's lower neighbours are its descendants, so each half reads
 * and writes its own arcs only), then the top on this one. -1 when no thread could be had. */
static int customize_two(struct cch_metric *m, uint32_t *slot)
{
    const struct cch *c = m->c;
    uint8_t *bin = malloc((size_t)c->n + 1);
    uint32_t *slot2 = calloc((size_t)c->n + 1, sizeof *slot2);
    pthread_t th;
    if (!bin || !slot2 || plan_halves(c, bin))
        return free(bin), free(slot2), -1;
    struct half h[2] = {{m, bin, slot, 0}, {m, bin, slot2, 1}};
    if (pthread_create(&th, NULL, run_half, &h[1]))
        return free(bin), free(slot2), -1;
    run_half(&h[0]);
    pthread_join(th, NULL);
    for (uint32_t v = 0; v < c->n; v++)
        if (bin[v] == 2)
            pull_node(m, v, slot);
    free(bin), free(slot2);
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

/* Full customization, node by node in rank order, each pulling its lower triangles from its
 * lower neighbours' lists (pull_node): O(triangles), the target arcs in cache. With two threads,
 * the two halves of the elimination tree under its top are customized side by side. Without
 * memory for the slots, arc by arc (recompute: a merge of two down lists per arc, slower). */
void cch_metric_customize(struct cch_metric *m)
{
    const struct cch *c = m->c;
    uint32_t *slot = calloc((size_t)c->n + 1, sizeof *slot);
    if (!slot) {
        for (uint64_t a = 0; a < c->arc_count; a++)
            recompute(m, a);
        return;
    }
    if (threads(c) != 2 || customize_two(m, slot) != 0)
        for (uint32_t v = 0; v < c->n; v++)
            pull_node(m, v, slot);
    free(slot);
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
    m->mid = malloc((c->arc_count + 1) * 2 * sizeof *m->mid);
    if (!m->weight || !m->up || !m->down || !m->mid) {
        cch_metric_destroy(m);
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (CCH metric)");
    }
    for (uint64_t i = 0; i < c->input_arcs; i++)
        m->weight[i] = weight64 ? weight64[i] : weight32[i] == UINT32_MAX ? CCH_INF : weight32[i];
    cch_metric_customize(m);
    *out = m;
    return KKC_OK;
}

void cch_metric_destroy(struct cch_metric *m)
{
    if (!m)
        return;
    free(m->weight), free(m->up), free(m->down), free(m->mid);
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
    q->in[top >> 3] &= (uint8_t) ~(1u << (top & 7));
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

enum kkc_code cch_metric_update(struct cch_metric *m, const uint64_t *arcs, const cch_cost *weights,
                                size_t count, uint64_t *touched, struct kkc_err *err)
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
        d->mid = malloc((c->arc_count + 1) * 2 * sizeof *d->mid);
    }
    if (!d || !d->weight || !d->up || !d->down || !d->mid) {
        cch_metric_destroy(d);
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (CCH metric copy)");
    }
    memcpy(d->weight, m->weight, c->input_arcs * sizeof *d->weight);
    memcpy(d->up, m->up, c->arc_count * sizeof *d->up);
    memcpy(d->down, m->down, c->arc_count * sizeof *d->down);
    memcpy(d->mid, m->mid, c->arc_count * 2 * sizeof *d->mid);
    *out = d;
    return KKC_OK;
}
