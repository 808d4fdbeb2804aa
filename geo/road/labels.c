/* geo/road/labels.c -- the K-nearest-centres labels of every routing node of the turn-aware graph
 * (tnet.h), and queries over them.
 *
 * The build is a label-setting search over (routing node, centre) pairs: the heap holds (cost, node,
 * centre) ordered by cost then centre; popping a pair whose centre the node does not have yet,
 * while the node has fewer than K, makes it the node's next label and relaxes its out-arcs. A
 * node's labels are therefore its K best distinct centres in (cost, centre) order. Dropping a
 * pair at a node that is full is safe: the K centres there reach everything beyond it at no more
 * cost, and win ties by index. */
#include "road/labels.h"

#include "centres/centres.h"
#include "road/tnet.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct labels {
    const struct graph *g;
    unsigned k;
    size_t ncentres;
    uint8_t *state;     /* enum labels_centre_state per centre */
    struct snap *snaps; /* per centre (valid when used) */
    uint64_t *by_edge;  /* edge << 32 | centre of the used centres, sorted */
    size_t nby_edge;
    uint32_t n;           /* routing nodes */
    uint8_t *lab_n;       /* labels per routing node */
    graph_cost *lab_cost; /* routing node x: lab_cost[x * k + j], j < lab_n[x] */
    uint32_t *lab_centre;
};

void labels_destroy(struct labels *l)
{
    if (!l)
        return;
    free(l->state);
    free(l->snaps);
    free(l->by_edge);
    free(l->lab_n);
    free(l->lab_cost);
    free(l->lab_centre);
    free(l);
}

unsigned labels_k(const struct labels *l)
{
    return l->k;
}

enum labels_centre_state labels_centre(const struct labels *l, size_t i, const struct snap **snap)
{
    if (i >= l->ncentres)
        return LABELS_EXCLUDED;
    if (snap && l->state[i] == LABELS_USED)
        *snap = &l->snaps[i];
    return (enum labels_centre_state)l->state[i];
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Choose and snap the centres; fill state, snaps and by_edge. */
static enum kkc_code labels_snap(struct labels *l, const struct centres *cs,
                                 const struct labels_options *o, struct kkc_err *err)
{
    unsigned mask = o->kind_mask ? o->kind_mask : KIND_MASK_ALL;
    double radius = o->snap_radius_m > 0 ? o->snap_radius_m : SNAP_RADIUS_DEFAULT_M;

    l->ncentres = centres_count(cs);
    l->state = calloc(l->ncentres + 1, 1);
    l->snaps = calloc(l->ncentres + 1, sizeof *l->snaps);
    l->by_edge = calloc(l->ncentres + 1, sizeof *l->by_edge);
    if (!l->state || !l->snaps || !l->by_edge)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (labels)");
    for (size_t i = 0; i < l->ncentres; i++) {
        const struct centre *c = centres_get(cs, i);
        enum kkc_code rc;
        if (!(mask & (1u << c->kind)) || (!c->active && !o->include_closed)) {
            l->state[i] = LABELS_EXCLUDED;
            continue;
        }
        rc = snap_point(l->g, c->lon, c->lat, radius, &l->snaps[i], err);
        if (rc == KKC_ENOSEGMENT || rc == KKC_EINVAL) {
            l->state[i] = LABELS_UNSNAPPED;
            continue;
        }
        l->state[i] = LABELS_USED;
        l->by_edge[l->nby_edge++] = (uint64_t)l->snaps[i].edge << 32 | i;
    }
    kkc_err_clear(err);
    qsort(l->by_edge, l->nby_edge, sizeof *l->by_edge, cmp_u64);
    return KKC_OK;
}

/* Whether node v already has centre c. */
static int has_centre(const struct labels *l, uint32_t v, uint32_t c)
{
    const uint32_t *lc = l->lab_centre + (size_t)v * l->k;
    for (unsigned j = 0; j < l->lab_n[v]; j++)
        if (lc[j] == c)
            return 1;
    return 0;
}

/* Push the first turns out of every used centre's point, aux = the centre. */
static int labels_seed(struct labels *l, struct graph_heap *h)
{
    struct tnet_seed d[64];
    int oom = 0;
    for (size_t i = 0; i < l->ncentres && !oom; i++) {
        size_t nd = l->state[i] == LABELS_USED ? tnet_sources(l->g, &l->snaps[i], d, 64) : 0;
        for (size_t j = 0; j < nd && j < 64; j++)
            oom |= graph_heap_push(h, d[j].cost, d[j].node, (uint32_t)i);
    }
    return oom;
}

/* The multi-source label-setting search; gives up when *cancel (not NULL) becomes nonzero. */
static enum kkc_code labels_search(struct labels *l, const atomic_int *cancel,
                                   struct kkc_err *err)
{
    const struct graph *g = l->g;
    const struct turn_graph *t = g->turn;
    struct graph_heap h = {0};
    struct graph_heap_item it;
    enum kkc_code rc = graph_heap_reserve(&h, (size_t)t->n * 2 + 16, err);
    int oom = rc ? 0 : labels_seed(l, &h);
    size_t pops = 0;

    while (!rc && !oom && h.len) {
        uint32_t x;
        if (cancel && ++pops % 4096 == 0 && atomic_load(cancel)) {
            rc = kkc_err_set(err, KKC_EINTERNAL, "labels: cancelled");
            break;
        }
        graph_heap_pop(&h, &it);
        x = it.node;
        if (l->lab_n[x] == l->k || has_centre(l, x, it.aux))
            continue;
        l->lab_cost[(size_t)x * l->k + l->lab_n[x]] = it.key;
        l->lab_centre[(size_t)x * l->k + l->lab_n[x]++] = it.aux;
        for (uint64_t a = t->first_out[x]; a < t->first_out[x + 1] && !oom; a++) {
            uint32_t y = t->head[a];
            graph_cost w = tnet_arc_cost(g, a);
            if (w != GRAPH_COST_INF && l->lab_n[y] < l->k && !has_centre(l, y, it.aux))
                oom |= graph_heap_push(&h, it.key + w, y, it.aux);
        }
    }
    graph_heap_free(&h);
    if (!rc && oom)
        rc = kkc_err_set(err, KKC_ENOMEM, "out of memory (labels search)");
    return rc;
}

enum kkc_code labels_build(const struct graph *g, const struct centres *cs,
                           const struct labels_options *o, struct labels **out, struct kkc_err *err)
{
    return labels_build_cancellable(g, cs, o, NULL, out, err);
}

enum kkc_code labels_build_cancellable(const struct graph *g, const struct centres *cs,
                                       const struct labels_options *o, const atomic_int *cancel,
                                       struct labels **out, struct kkc_err *err)
{
    static const struct labels_options dflt = {0, 0, 0, 0};
    struct labels *l = calloc(1, sizeof *l);
    size_t n = g->turn ? g->turn->n : 0;
    enum kkc_code rc;

    *out = NULL;
    o = o ? o : &dflt;
    if (!l)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (labels)");
    if (!g->turn) {
        free(l);
        return kkc_err_set(err, KKC_EINVAL, "labels: the graph has no turn graph");
    }
    l->g = g;
    l->n = (uint32_t)n;
    l->k = o->k ? o->k : LABELS_K_DEFAULT;
    if (l->k > LABELS_K_MAX || !(o->snap_radius_m >= 0)) {
        rc = kkc_err_set(err, KKC_EINVAL, "labels: k must be 1..%d and the radius >= 0",
                         LABELS_K_MAX);
        goto fail;
    }
    l->lab_n = calloc(n + 1, 1);
    l->lab_cost = malloc((n * l->k + 1) * sizeof *l->lab_cost);
    l->lab_centre = malloc((n * l->k + 1) * sizeof *l->lab_centre);
    if (!l->lab_n || !l->lab_cost || !l->lab_centre) {
        rc = kkc_err_set(err, KKC_ENOMEM, "out of memory (labels)");
        goto fail;
    }
    rc = labels_snap(l, cs, o, err);
    if (!rc)
        rc = labels_search(l, cancel, err);
    if (rc)
        goto fail;
    *out = l;
    return KKC_OK;
fail:
    labels_destroy(l);
    return rc;
}

/* ---- queries --------------------------------------------------------------------------------- */

/* Offer (cost, centre) to the sorted top list of at most k distinct centres. */
static void top_offer(struct labels_hit *top, size_t *n, size_t k, graph_cost cost, uint32_t c)
{
    size_t i;
    for (i = 0; i < *n && top[i].centre != c; i++)
        ;
    if (i < *n) { /* known centre: keep the better cost */
        if (top[i].cost <= cost)
            return;
        memmove(top + i, top + i + 1, (*n - i - 1) * sizeof *top);
        (*n)--;
    }
    if (*n == k && (top[k - 1].cost < cost || (top[k - 1].cost == cost && top[k - 1].centre < c)))
        return;
    if (*n < k)
        (*n)++;
    for (i = *n - 1;
         i > 0 && (top[i - 1].cost > cost || (top[i - 1].cost == cost && top[i - 1].centre > c));
         i--)
        top[i] = top[i - 1];
    top[i] = (struct labels_hit){c, 0, 0, cost};
}

/* Twin rows (engineer h14b): the centres on edge e driven straight to `at` (tnet_direct, which
 * also drives a point's twin row and the edges at a junction), offered into the top k. */
static void offer_direct(const struct labels *l, const struct snap *at, uint32_t e, size_t k,
                         struct labels_hit *out, size_t *n)
{
    size_t lo = 0, hi = l->nby_edge;
    while (lo < hi) { /* the first centre on edge e */
        size_t mid = (lo + hi) / 2;
        if ((l->by_edge[mid] >> 32) < e)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; e != GRAPH_NONE && lo < l->nby_edge && (l->by_edge[lo] >> 32) == e; lo++) {
        uint32_t c = (uint32_t)l->by_edge[lo];
        graph_cost d;
        if (tnet_direct(l->g, &l->snaps[c], at, &d, NULL, NULL))
            top_offer(out, n, k, d, c);
    }
}

/* A point on a junction: the centres on every edge at it, driven along their edge to it (a
 * centre on a road into the junction stops there without a turn; tnet.h's rule). */
static void offer_at_node(const struct labels *l, const struct snap *at, size_t k,
                          struct labels_hit *out, size_t *n)
{
    const struct graph *g = l->g;
    uint32_t v = tnet_at_node(g, at);
    for (int side = 0; v != GRAPH_NONE && side < 2; side++) {
        const uint32_t *first = side ? g->in_first : g->out_first;
        const struct graph_arc *arcs = side ? g->in : g->out;
        for (uint32_t j = first[v]; j < first[v + 1]; j++)
            if (!tnet_on_edge(g, at, arcs[j].edge >> 1))
                offer_direct(l, at, arcs[j].edge >> 1, k, out, n);
    }
}

enum kkc_code labels_nearest(const struct labels *l, const struct snap *at, size_t k,
                             struct labels_hit *out, size_t *n, struct kkc_err *err)
{
    const struct graph *g = l->g;
    struct tnet_seed tg[256];
    size_t nt;

    *n = 0;
    if (k < 1 || k > l->k)
        return kkc_err_set(err, KKC_EINVAL, "k must be 1..%u", l->k);
    if (at->edge >= g->edge_count)
        return kkc_err_set(err, KKC_EINVAL, "snapped point on an unknown edge");
    nt = tnet_targets(g, at, tg, 256);
    graph_cost off = tnet_target_offset(g, at);
    for (size_t i = 0; i < nt && i < 256; i++) {
        size_t base = (size_t)tg[i].node * l->k;
        for (unsigned j = 0; j < l->lab_n[tg[i].node]; j++)
            if (l->lab_cost[base + j] + tg[i].cost >= off)
                top_offer(out, n, k, l->lab_cost[base + j] + tg[i].cost - off,
                          l->lab_centre[base + j]);
    }
    offer_direct(l, at, at->edge, k, out, n);
    offer_direct(l, at, turn_twin(g->turn, at->edge), k, out, n);
    offer_at_node(l, at, k, out, n);
    for (size_t i = 0; i < *n; i++) {
        out[i].duration_s = graph_cost_seconds(out[i].cost);
        out[i].distance_m = graph_cost_metres(out[i].cost);
    }
    return KKC_OK;
}

/* Twin rows (engineer h14b): a start point reaches the heads of its own segments, and of its
 * twin row's, at the rest of the segment. */
static void start_times(const struct graph *g, const struct snap *p, double *out_s)
{
    uint32_t tw = turn_twin(g->turn, p->edge);
    for (uint32_t k = 0; k < 4; k++) {
        uint32_t e = k < 2 ? p->edge : tw, s = e == GRAPH_NONE ? 0 : e << 1 | (k & 1);
        if (e != GRAPH_NONE && tnet_seg_open(g, s)) {
            uint32_t v = s & 1 ? g->edge_source[s >> 1] : g->edge_target[s >> 1];
            out_s[v] = fmin(out_s[v], graph_cost_seconds(tnet_rest(g, p, s)));
        }
    }
}

/* Node times from routing-node values: node v takes the least value of the segments ending at v,
 * and the start points' own segments reach their heads at the rest of the segment. */
static void node_times(const struct graph *g, const graph_cost *xval, size_t stride,
                       const uint8_t *has, const struct snap *starts, size_t nstarts,
                       const uint8_t *use, double *out_s)
{
    const struct turn_graph *t = g->turn;
    for (size_t v = 0; v < g->node_count; v++)
        out_s[v] = INFINITY;
    for (uint32_t x = 0; x < t->n; x++) {
        uint32_t s = t->seg[x], v = s & 1 ? g->edge_source[s >> 1] : g->edge_target[s >> 1];
        if ((!has || has[x]) && xval[(size_t)x * stride] != GRAPH_COST_INF)
            out_s[v] = fmin(out_s[v], graph_cost_seconds(xval[(size_t)x * stride]));
    }
    for (size_t i = 0; i < nstarts; i++)
        if (use[i])
            start_times(g, &starts[i], out_s);
}

void labels_node_times(const struct labels *l, double *out_s)
{
    uint8_t *use = malloc(l->ncentres + 1);
    if (use)
        for (size_t i = 0; i < l->ncentres; i++)
            use[i] = l->state[i] == LABELS_USED;
    node_times(l->g, l->lab_cost, l->k, l->lab_n, l->snaps, use ? l->ncentres : 0, use, out_s);
    free(use);
}

enum kkc_code labels_centre_node_times(const struct labels *l, size_t i, double *out_s,
                                       struct kkc_err *err)
{
    const struct graph *g = l->g;
    struct tnet_seed d[64];
    struct tnet_search *s = NULL;
    enum kkc_code rc;
    static const uint8_t one = 1;

    if (i >= l->ncentres || l->state[i] != LABELS_USED)
        return kkc_err_set(err, KKC_EINVAL, "centre %zu is not labelled", i);
    rc = tnet_search_create(g, &s, err);
    size_t nd = rc ? 0 : tnet_sources(g, &l->snaps[i], d, 64);
    if (!rc)
        rc = tnet_search_run(g, s, d, nd < 64 ? nd : 64, 0, GRAPH_COST_INF, err);
    if (!rc)
        node_times(g, s->dist, 1, NULL, &l->snaps[i], 1, &one, out_s);
    tnet_search_destroy(s);
    return rc;
}
