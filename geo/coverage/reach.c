/* geo/coverage/reach.c -- multi-source search with owners, and the reached network as timed pieces.
 *
 * The search is Dijkstra over graph_cost with the heap of graph.h; a heap item carries its owner
 * in `aux`, so equal costs are settled in owner order and every node's owner is deterministic.
 * Nodes touched by a run are listed so the next run resets only those. */
#include "coverage/reach.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct reach {
    const struct graph *g;
    graph_cost *cost;  /* per node: best known cost (final when settled) */
    uint32_t *owner;   /* per node */
    uint8_t *settled;  /* per node */
    uint32_t *touched; /* nodes whose cost was set in the last run */
    size_t ntouched;
    struct graph_heap heap;
    struct reach_source *src; /* the last run's sources, sorted by edge */
    size_t nsrc, capsrc;
    enum reach_direction dir;
};

void reach_destroy(struct reach *r)
{
    if (!r)
        return;
    free(r->cost);
    free(r->owner);
    free(r->settled);
    free(r->touched);
    free(r->src);
    graph_heap_free(&r->heap);
    free(r);
}

enum kkc_code reach_create(const struct graph *g, struct reach **out, struct kkc_err *err)
{
    struct reach *r = calloc(1, sizeof *r);
    size_t n = (size_t)g->node_count + 1;

    *out = NULL;
    if (!r)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (reach)");
    r->g = g;
    r->cost = malloc(n * sizeof *r->cost);
    r->owner = malloc(n * sizeof *r->owner);
    r->settled = calloc(n, 1);
    r->touched = malloc(n * sizeof *r->touched);
    if (!r->cost || !r->owner || !r->settled || !r->touched ||
        graph_heap_reserve(&r->heap, 1024, err)) {
        reach_destroy(r);
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (reach)");
    }
    for (size_t v = 0; v < n; v++)
        r->cost[v] = GRAPH_COST_INF, r->owner[v] = UINT32_MAX;
    *out = r;
    return KKC_OK;
}

const struct graph *reach_graph(const struct reach *r)
{
    return r->g;
}

/* Offer cost c with owner o to node v; push it when it improves. 0, or -1 out of memory. */
static int reach_offer(struct reach *r, uint32_t v, graph_cost c, uint32_t o)
{
    if (r->settled[v] || c > r->cost[v] || (c == r->cost[v] && o >= r->owner[v]))
        return 0;
    if (r->cost[v] == GRAPH_COST_INF)
        r->touched[r->ntouched++] = v;
    r->cost[v] = c;
    r->owner[v] = o;
    return graph_heap_push(&r->heap, c, v, o);
}

static int cmp_src_edge(const void *a, const void *b)
{
    const struct reach_source *x = a, *y = b;
    if (x->at.edge != y->at.edge)
        return x->at.edge < y->at.edge ? -1 : 1;
    return x->owner < y->owner ? -1 : x->owner > y->owner;
}

/* Forget the previous run and take the new sources. */
static enum kkc_code reach_reset(struct reach *r, const struct reach_source *src, size_t n,
                                 struct kkc_err *err)
{
    for (size_t i = 0; i < r->ntouched; i++) {
        uint32_t v = r->touched[i];
        r->cost[v] = GRAPH_COST_INF, r->owner[v] = UINT32_MAX, r->settled[v] = 0;
    }
    r->ntouched = 0;
    r->heap.len = 0;
    r->nsrc = 0;
    if (n > REACH_SOURCES_MAX)
        return kkc_err_set(err, KKC_EINVAL, "at most %d sources", REACH_SOURCES_MAX);
    for (size_t i = 0; i < n; i++)
        if (src[i].at.edge >= r->g->edge_count)
            return kkc_err_set(err, KKC_EINVAL, "source %zu is on an unknown edge", i);
    if (n > r->capsrc) {
        struct reach_source *p = realloc(r->src, n * sizeof *p);
        if (!p)
            return kkc_err_set(err, KKC_ENOMEM, "out of memory (reach sources)");
        r->src = p, r->capsrc = n;
    }
    if (n)
        memcpy(r->src, src, n * sizeof *src);
    r->nsrc = n;
    qsort(r->src, n, sizeof *r->src, cmp_src_edge);
    return KKC_OK;
}

enum kkc_code reach_run(struct reach *r, const struct reach_source *src, size_t n,
                        enum reach_direction dir, uint32_t limit_ms, struct kkc_err *err)
{
    const struct graph *g = r->g;
    const uint32_t *first = dir == REACH_IN ? g->in_first : g->out_first;
    const struct graph_arc *arcs = dir == REACH_IN ? g->in : g->out;
    struct graph_heap_item it;
    enum kkc_code rc = reach_reset(r, src, n, err);
    int oom = 0;

    if (rc)
        return rc;
    r->dir = dir;
    for (size_t i = 0; i < n; i++) {
        struct graph_seed s[2];
        size_t ns =
            dir == REACH_IN ? snap_arrivals(g, &src[i].at, s) : snap_departures(g, &src[i].at, s);
        for (size_t j = 0; j < ns; j++)
            oom |= reach_offer(r, s[j].node, s[j].cost + graph_cost_make(src[i].offset_ms, 0),
                               src[i].owner);
    }
    while (!oom && r->heap.len) {
        graph_heap_pop(&r->heap, &it);
        uint32_t v = it.node;
        if (r->settled[v] || it.key != r->cost[v] || it.aux != r->owner[v])
            continue;
        if (graph_cost_ms(it.key) > limit_ms)
            break;
        r->settled[v] = 1;
        for (uint32_t a = first[v]; a < first[v + 1] && !oom; a++)
            oom |= reach_offer(r, arcs[a].node, it.key + arcs[a].cost, it.aux);
    }
    if (oom)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (reach search)");
    return KKC_OK;
}

graph_cost reach_node(const struct reach *r, uint32_t v, uint32_t *owner)
{
    int ok = v < r->g->node_count && r->settled[v];
    if (owner)
        *owner = ok ? r->owner[v] : UINT32_MAX;
    return ok ? r->cost[v] : GRAPH_COST_INF;
}

/* The index of the first source on edge e (r->nsrc when none). */
static size_t src_first_on(const struct reach *r, uint32_t e)
{
    size_t lo = 0, hi = r->nsrc;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (r->src[mid].at.edge < e)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Keep (c, o) in (*best, *bo) when it is better. */
static void keep_best(graph_cost c, uint32_t o, graph_cost *best, uint32_t *bo)
{
    if (c < *best || (c == *best && o < *bo))
        *best = c, *bo = o;
}

int reach_point(const struct reach *r, const struct snap *s, graph_cost *cost, uint32_t *owner)
{
    const struct graph *g = r->g;
    struct graph_seed ends[2];
    graph_cost best = GRAPH_COST_INF, c;
    uint32_t bo = UINT32_MAX, o;
    size_t ne = r->dir == REACH_IN ? snap_departures(g, s, ends) : snap_arrivals(g, s, ends);

    for (size_t i = 0; i < ne; i++) {
        graph_cost nc = reach_node(r, ends[i].node, &o);
        if (nc != GRAPH_COST_INF)
            keep_best(nc + ends[i].cost, o, &best, &bo);
    }
    for (size_t i = src_first_on(r, s->edge); i < r->nsrc && r->src[i].at.edge == s->edge; i++) {
        int ok = r->dir == REACH_IN ? snap_direct(g, s, &r->src[i].at, &c)
                                    : snap_direct(g, &r->src[i].at, s, &c);
        if (ok)
            keep_best(c + graph_cost_make(r->src[i].offset_ms, 0), r->src[i].owner, &best, &bo);
    }
    if (best == GRAPH_COST_INF)
        return 0;
    *cost = best;
    *owner = bo;
    return 1;
}

/* ---- pieces -------------------------------------------------------------------------------- */

/* One linear time function on an edge: t(f) = t0 + slope * f on [a, b]. */
struct lin {
    double t0, slope, a, b;
    uint32_t owner;
};

#define LIN_MAX 64

static double lin_at(const struct lin *l, double f)
{
    return l->t0 + l->slope * f;
}

/* The time functions of edge e into fn (at most LIN_MAX); returns how many. */
static size_t edge_functions(const struct reach *r, uint32_t e, struct lin *fn)
{
    const struct graph *g = r->g;
    double c = graph_cost_ms(g->edge_cost[e]) / 1000.0;
    uint32_t u = g->edge_source[e], v = g->edge_target[e], ou, ov;
    graph_cost cu = reach_node(r, u, &ou), cv = reach_node(r, v, &ov);
    int fw = g->edge_flags[e] & GRAPH_FORWARD, bw = g->edge_flags[e] & GRAPH_BACKWARD;
    int in = r->dir == REACH_IN;
    size_t n = 0;

    /* out: forward from u, backward from v; in: forward to v, backward to u */
    if ((in ? bw : fw) && cu != GRAPH_COST_INF)
        fn[n++] = (struct lin){graph_cost_ms(cu) / 1000.0, c, 0, 1, ou};
    if ((in ? fw : bw) && cv != GRAPH_COST_INF)
        fn[n++] = (struct lin){graph_cost_ms(cv) / 1000.0 + c, -c, 0, 1, ov};
    for (size_t i = src_first_on(r, e); i < r->nsrc && r->src[i].at.edge == e && n + 2 <= LIN_MAX;
         i++) {
        double f0 = r->src[i].at.fraction, t = r->src[i].offset_ms / 1000.0;
        uint32_t o = r->src[i].owner;
        if (in ? bw : fw) /* rising from the source towards the target */
            fn[n++] = (struct lin){t - f0 * c, c, f0, 1, o};
        if (in ? fw : bw) /* rising from the source towards the start */
            fn[n++] = (struct lin){t + f0 * c, -c, 0, f0, o};
    }
    return n;
}

/* Sort a few doubles (insertion sort: the arrays hold a handful). */
static void sort_few(double *x, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        double v = x[i];
        size_t j = i;
        for (; j > 0 && x[j - 1] > v; j--)
            x[j] = x[j - 1];
        x[j] = v;
    }
}

/* The function of fn[0..n) lowest at f (defined there), ties to the lower owner; -1 when none. */
static int lowest_at(const struct lin *fn, size_t n, double f)
{
    int best = -1;
    for (size_t i = 0; i < n; i++) {
        if (f < fn[i].a || f > fn[i].b)
            continue;
        if (best < 0 || lin_at(&fn[i], f) < lin_at(&fn[best], f) ||
            (lin_at(&fn[i], f) == lin_at(&fn[best], f) && fn[i].owner < fn[best].owner))
            best = (int)i;
    }
    return best;
}

/* Append the piece [a, b] of function l, cut at limit, to the growing array. 0 or -1 (memory). */
static int piece_push(struct reach_piece **arr, size_t *n, size_t *cap, uint32_t e,
                      const struct lin *l, double a, double b, double limit)
{
    double ta = lin_at(l, a), tb = lin_at(l, b);
    if (ta > limit && tb > limit)
        return 0;
    if (ta > limit)
        a = a + (b - a) * (ta - limit) / (ta - tb), ta = limit;
    else if (tb > limit)
        b = a + (b - a) * (limit - ta) / (tb - ta), tb = limit;
    if (!(b > a))
        return 0;
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 1024;
        struct reach_piece *p = realloc(*arr, nc * sizeof *p);
        if (!p)
            return -1;
        *arr = p, *cap = nc;
    }
    (*arr)[(*n)++] = (struct reach_piece){e, l->owner, a, b, fmax(ta, 0), fmax(tb, 0)};
    return 0;
}

/* The lower envelope of edge e's functions, appended as pieces. 0 or -1 (memory). */
static int edge_pieces(const struct reach *r, uint32_t e, double limit, struct reach_piece **arr,
                       size_t *n, size_t *cap)
{
    struct lin fn[LIN_MAX];
    double x[2 * LIN_MAX + LIN_MAX * LIN_MAX / 2 + 2];
    size_t nf = edge_functions(r, e, fn), nx = 0;
    int cur = -1;
    double start = 0;

    if (nf == 0)
        return 0;
    x[nx++] = 0, x[nx++] = 1;
    for (size_t i = 0; i < nf; i++) {
        x[nx++] = fn[i].a, x[nx++] = fn[i].b;
        for (size_t j = i + 1; j < nf; j++)
            if (fn[i].slope != fn[j].slope) {
                double f = (fn[j].t0 - fn[i].t0) / (fn[i].slope - fn[j].slope);
                if (f > 0 && f < 1)
                    x[nx++] = f;
            }
    }
    sort_few(x, nx);
    for (size_t k = 0; k + 1 < nx; k++) {
        int w;
        if (!(x[k + 1] > x[k]))
            continue;
        w = lowest_at(fn, nf, (x[k] + x[k + 1]) / 2);
        if (w != cur) {
            if (cur >= 0 && piece_push(arr, n, cap, e, &fn[cur], start, x[k], limit))
                return -1;
            cur = w, start = x[k];
        }
    }
    if (cur >= 0 && piece_push(arr, n, cap, e, &fn[cur], start, 1, limit))
        return -1;
    return 0;
}

enum kkc_code reach_pieces(const struct reach *r, double limit_s, struct reach_piece **out,
                           size_t *n, struct kkc_err *err)
{
    const struct graph *g = r->g;
    size_t cap = 0;

    *out = NULL, *n = 0;
    for (uint32_t e = 0; e < g->edge_count; e++) {
        size_t s = src_first_on(r, e);
        int has_src = s < r->nsrc && r->src[s].at.edge == e;
        if (!has_src && !r->settled[g->edge_source[e]] && !r->settled[g->edge_target[e]])
            continue;
        if (edge_pieces(r, e, limit_s, out, n, &cap)) {
            free(*out);
            *out = NULL, *n = 0;
            return kkc_err_set(err, KKC_ENOMEM, "out of memory (reached pieces)");
        }
    }
    return KKC_OK;
}

/* The part [*a, *b] of piece p at time <= limit_s; 0 when there is none. */
int reach_piece_cut(const struct reach_piece *p, double limit_s, double *a, double *b)
{
    *a = p->f0, *b = p->f1;
    if (p->t0 > limit_s && p->t1 > limit_s)
        return 0;
    if (p->t0 > limit_s)
        *a = p->f0 + (p->f1 - p->f0) * (p->t0 - limit_s) / (p->t0 - p->t1);
    else if (p->t1 > limit_s)
        *b = p->f0 + (p->f1 - p->f0) * (limit_s - p->t0) / (p->t1 - p->t0);
    return *b > *a;
}

double reach_piece_length(const struct graph *g, const struct reach_piece *p, double limit_s)
{
    double a, b;
    if (!reach_piece_cut(p, limit_s, &a, &b))
        return 0;
    return g->coord_along[g->edge_coord_first[p->edge + 1] - 1] * (b - a);
}
