/* geo/road/labels.c -- the K-nearest-centres labels of every node, and queries over them.
 *
 * The build is a label-setting search over (node, centre) pairs: the heap holds (cost, node,
 * centre) ordered by cost then centre; popping a pair whose centre the node does not have yet,
 * while the node has fewer than K, makes it the node's next label and relaxes its out-arcs. A
 * node's labels are therefore its K best distinct centres in (cost, centre) order. Dropping a
 * pair at a node that is full is safe: the K centres there reach everything beyond it at no more
 * cost, and win ties by index. */
#include "road/labels.h"

#include "centres/centres.h"

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
    uint8_t *lab_n;       /* labels per node */
    graph_cost *lab_cost; /* node v: lab_cost[v * k + j], j < lab_n[v] */
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

/* The multi-source label-setting search. */
static enum kkc_code labels_search(struct labels *l, struct kkc_err *err)
{
    const struct graph *g = l->g;
    struct graph_heap h = {0};
    struct graph_heap_item it;
    enum kkc_code rc = graph_heap_reserve(&h, (size_t)g->out_first[g->node_count] * 2 + 16, err);
    int oom = 0;

    for (size_t i = 0; i < l->ncentres && !rc; i++) {
        struct graph_seed d[2];
        size_t nd = l->state[i] == LABELS_USED ? snap_departures(g, &l->snaps[i], d) : 0;
        for (size_t j = 0; j < nd; j++)
            oom |= graph_heap_push(&h, d[j].cost, d[j].node, (uint32_t)i);
    }
    while (!rc && !oom && h.len) {
        uint32_t v;
        graph_heap_pop(&h, &it);
        v = it.node;
        if (l->lab_n[v] == l->k || has_centre(l, v, it.aux))
            continue;
        l->lab_cost[(size_t)v * l->k + l->lab_n[v]] = it.key;
        l->lab_centre[(size_t)v * l->k + l->lab_n[v]++] = it.aux;
        for (uint32_t a = g->out_first[v]; a < g->out_first[v + 1] && !oom; a++) {
            uint32_t u = g->out[a].node;
            if (l->lab_n[u] < l->k && !has_centre(l, u, it.aux))
                oom |= graph_heap_push(&h, it.key + g->out[a].cost, u, it.aux);
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
    static const struct labels_options dflt = {0, 0, 0, 0};
    struct labels *l = calloc(1, sizeof *l);
    size_t n = g->node_count;
    enum kkc_code rc;

    *out = NULL;
    o = o ? o : &dflt;
    if (!l)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (labels)");
    l->g = g;
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
        rc = labels_search(l, err);
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

enum kkc_code labels_nearest(const struct labels *l, const struct snap *at, size_t k,
                             struct labels_hit *out, size_t *n, struct kkc_err *err)
{
    const struct graph *g = l->g;
    struct graph_seed arr[2];
    size_t na, lo = 0, hi = l->nby_edge;

    *n = 0;
    if (k < 1 || k > l->k)
        return kkc_err_set(err, KKC_EINVAL, "k must be 1..%u", l->k);
    if (at->edge >= g->edge_count)
        return kkc_err_set(err, KKC_EINVAL, "snapped point on an unknown edge");
    na = snap_arrivals(g, at, arr);
    for (size_t i = 0; i < na; i++) {
        size_t base = (size_t)arr[i].node * l->k;
        for (unsigned j = 0; j < l->lab_n[arr[i].node]; j++)
            top_offer(out, n, k, l->lab_cost[base + j] + arr[i].cost, l->lab_centre[base + j]);
    }
    while (lo < hi) { /* the first centre on the same edge */
        size_t mid = (lo + hi) / 2;
        if ((l->by_edge[mid] >> 32) < at->edge)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < l->nby_edge && (l->by_edge[lo] >> 32) == at->edge; lo++) {
        uint32_t c = (uint32_t)l->by_edge[lo];
        graph_cost d;
        if (snap_direct(g, &l->snaps[c], at, &d))
            top_offer(out, n, k, d, c);
    }
    for (size_t i = 0; i < *n; i++) {
        out[i].duration_s = graph_cost_seconds(out[i].cost);
        out[i].distance_m = graph_cost_metres(out[i].cost);
    }
    return KKC_OK;
}

void labels_node_times(const struct labels *l, double *out_s)
{
    for (size_t v = 0; v < l->g->node_count; v++)
        out_s[v] = l->lab_n[v] ? graph_cost_seconds(l->lab_cost[v * l->k]) : INFINITY;
}

enum kkc_code labels_centre_node_times(const struct labels *l, size_t i, double *out_s,
                                       struct kkc_err *err)
{
    const struct graph *g = l->g;
    struct graph_seed d[2];
    size_t nd;
    graph_cost *tmp;
    enum kkc_code rc;

    if (i >= l->ncentres || l->state[i] != LABELS_USED)
        return kkc_err_set(err, KKC_EINVAL, "centre %zu is not labelled", i);
    tmp = malloc(((size_t)g->node_count + 1) * sizeof *tmp);
    if (!tmp)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (centre times)");
    nd = snap_departures(g, &l->snaps[i], d);
    rc = graph_search_all(g, d, nd, 0, tmp, err);
    for (size_t v = 0; !rc && v < g->node_count; v++)
        out_s[v] = tmp[v] == GRAPH_COST_INF ? INFINITY : graph_cost_seconds(tmp[v]);
    free(tmp);
    return rc;
}
