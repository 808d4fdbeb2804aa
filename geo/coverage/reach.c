/* geo/coverage/reach.c -- multi-source search with owners, and the reached network as timed pieces.
 *
 * The search is Dijkstra over graph_cost on the turn-aware graph (tnet.h) with the heap of graph.h;
 * a heap item carries its owner in `aux`, so equal costs are settled in owner order and every
 * routing node's owner is deterministic. Routing nodes touched by a run are listed so the next run
 * resets only those. */
#include "coverage/reach.h"
#include "road/tnet.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct reach {
    const struct graph *g;
    graph_cost *cost;  /* per routing node: best known value (final when settled) */
    uint32_t *owner;   /* per routing node */
    uint8_t *settled;  /* per routing node */
    uint32_t *touched; /* routing nodes whose value was set in the last run */
    size_t ntouched;
    struct graph_heap heap;
    struct reach_source *src; /* the last run's sources, sorted by edge */
    size_t nsrc, capsrc;
    enum reach_direction dir;
    uint32_t limit_ms; /* the last run's limit: values above it are not reached */
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
    size_t n = (size_t)(g->turn ? g->turn->n : 0) + 1;

    *out = NULL;
    if (!r)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (reach)");
    if (!g->turn) {
        free(r);
        return kkc_err_set(err, KKC_EINVAL, "reach: the graph has no turn graph");
    }
    r->g = g;
    r->limit_ms = REACH_NO_LIMIT;
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

/* Offer cost c with owner o to routing node x; push it when it improves. 0, or -1 (memory). */
static int reach_offer(struct reach *r, uint32_t x, graph_cost c, uint32_t o)
{
    if (c == GRAPH_COST_INF || r->settled[x] || c > r->cost[x] ||
        (c == r->cost[x] && o >= r->owner[x]))
        return 0;
    if (r->cost[x] == GRAPH_COST_INF)
        r->touched[r->ntouched++] = x;
    r->cost[x] = c;
    r->owner[x] = o;
    return graph_heap_push(&r->heap, c, x, o);
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

/* Seed the search from every source (out: its first turns; in: the turns into it). */
static int reach_seed(struct reach *r, const struct reach_source *src, size_t n)
{
    struct tnet_seed s[256];
    int oom = 0;
    for (size_t i = 0; i < n && !oom; i++) {
        size_t k = r->dir == REACH_IN ? tnet_back_sources(r->g, &src[i].at, s, 256)
                                      : tnet_sources(r->g, &src[i].at, s, 256);
        for (size_t j = 0; j < k && j < 256 && !oom; j++)
            oom = reach_offer(r, s[j].node, s[j].cost + graph_cost_make(src[i].offset_ms, 0),
                              src[i].owner);
    }
    return oom;
}

/* Relax the turn arcs out of x (into x for REACH_IN) at value d, owner o. */
static int reach_expand(struct reach *r, uint32_t x, graph_cost d, uint32_t o)
{
    const struct turn_graph *t = r->g->turn;
    int oom = 0;
    if (r->dir == REACH_IN)
        for (uint64_t j = t->in_first[x]; j < t->in_first[x + 1] && !oom; j++) {
            graph_cost w = tnet_arc_cost(r->g, t->in_arc[j]);
            oom = w == GRAPH_COST_INF ? 0 : reach_offer(r, t->in_tail[j], graph_cost_add(d, w), o);
        }
    else
        for (uint64_t a = t->first_out[x]; a < t->first_out[x + 1] && !oom; a++) {
            graph_cost w = tnet_arc_cost(r->g, a);
            oom = w == GRAPH_COST_INF ? 0 : reach_offer(r, t->head[a], graph_cost_add(d, w), o);
        }
    return oom;
}

enum kkc_code reach_run(struct reach *r, const struct reach_source *src, size_t n,
                        enum reach_direction dir, uint32_t limit_ms, struct kkc_err *err)
{
    struct graph_heap_item it;
    enum kkc_code rc = reach_reset(r, src, n, err);
    int oom = 0;

    if (rc)
        return rc;
    r->dir = dir;
    r->limit_ms = limit_ms;
    oom = reach_seed(r, src, n);
    while (!oom && r->heap.len) {
        graph_heap_pop(&r->heap, &it);
        uint32_t x = it.node;
        if (r->settled[x] || it.key != r->cost[x] || it.aux != r->owner[x])
            continue;
        if (graph_cost_ms(it.key) > limit_ms)
            continue; /* ordered by penalties first (graph.h): others may still be in time */
        r->settled[x] = 1;
        oom = reach_expand(r, x, it.key, it.aux);
    }
    r->heap.len = 0;
    if (oom)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (reach search)");
    return KKC_OK;
}

/* Keep (c, o) in (*best, *bo) when it is better. */
static void keep_best(graph_cost c, uint32_t o, graph_cost *best, uint32_t *bo)
{
    if (c < *best || (c == *best && o < *bo))
        *best = c, *bo = o;
}

/* The value of directed segment s (its least over s's routing nodes) and its owner: out,
 * reaching s's end; in, from s's end to the sources. A value not settled when a time limit
 * stopped the run is still exact for every point of s reached within the limit (all the
 * predecessors that can give such a point are settled), and above the limit otherwise: the
 * public answers drop those (within_limit). */
static graph_cost seg_value(const struct reach *r, uint32_t s, uint32_t *owner)
{
    uint32_t x[64];
    size_t k = turn_nodes_of(r->g->turn, s, x, 64);
    graph_cost best = GRAPH_COST_INF;
    uint32_t bo = UINT32_MAX;
    for (size_t i = 0; i < k && i < 64; i++)
        if (r->cost[x[i]] != GRAPH_COST_INF)
            keep_best(r->cost[x[i]], r->owner[x[i]], &best, &bo);
    *owner = bo;
    return best;
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

/* Keep (best, bo) to the values beyond the last run's limit as not reached (reach.h). */
static void within_limit(const struct reach *r, graph_cost *best, uint32_t *bo)
{
    if (*best != GRAPH_COST_INF && graph_cost_ms(*best) > r->limit_ms)
        *best = GRAPH_COST_INF, *bo = UINT32_MAX;
}

/* The value of node v over whole segments: out, arriving by an open segment into v; in, leaving
 * v by an open segment (its whole cost, then on). Kept into (*best, *bo). */
static void node_by_segments(const struct reach *r, uint32_t v, graph_cost *best, uint32_t *bo)
{
    const struct graph *g = r->g;
    int in = r->dir == REACH_IN;
    const uint32_t *first = in ? g->out_first : g->in_first;
    const struct graph_arc *arcs = in ? g->out : g->in;
    graph_cost c;
    uint32_t o;
    for (uint32_t j = first[v]; j < first[v + 1]; j++) {
        uint32_t s = arcs[j].edge;
        if ((c = seg_value(r, s, &o)) != GRAPH_COST_INF)
            keep_best(in ? c + g->edge_cost[s >> 1] : c, o, best, bo);
    }
}

/* The drive along one edge between s and the sources on edge e (tnet_direct: from them to s
 * out, from s to them in), head starts added. Kept into (*best, *bo). */
static void edge_sources(const struct reach *r, const struct snap *s, uint32_t e,
                         graph_cost *best, uint32_t *bo)
{
    graph_cost c;
    for (size_t i = e == GRAPH_NONE ? r->nsrc : src_first_on(r, e);
         i < r->nsrc && r->src[i].at.edge == e; i++) {
        int ok = r->dir == REACH_IN ? tnet_direct(r->g, s, &r->src[i].at, &c, NULL, NULL)
                                    : tnet_direct(r->g, &r->src[i].at, s, &c, NULL, NULL);
        if (ok)
            keep_best(c + graph_cost_make(r->src[i].offset_ms, 0), r->src[i].owner, best, bo);
    }
}

/* The sources a drive along one edge joins to s: those on s's edge and its twin row and, for s
 * on a junction v, those on every edge at v and their twin rows (tnet.h's point on a junction:
 * reached at the end of every road into it, leaving along every road out of it). */
static void direct_sources(const struct reach *r, const struct snap *s, graph_cost *best,
                           uint32_t *bo)
{
    const struct graph *g = r->g;
    uint32_t v = tnet_at_node(g, s);
    edge_sources(r, s, s->edge, best, bo);
    edge_sources(r, s, turn_twin(g->turn, s->edge), best, bo);
    for (int side = 0; v != GRAPH_NONE && side < 2; side++) {
        const uint32_t *first = side ? g->in_first : g->out_first;
        const struct graph_arc *arcs = side ? g->in : g->out;
        for (uint32_t j = first[v]; j < first[v + 1]; j++) {
            uint32_t e = arcs[j].edge >> 1;
            if (!tnet_on_edge(g, s, e)) {
                edge_sources(r, s, e, best, bo);
                edge_sources(r, s, turn_twin(g->turn, e), best, bo);
            }
        }
    }
}

/* Node v as a snapped point: the end at v of the first road there (any stands for the
 * junction, tnet.h); 0, or -1 when v has no road. */
static int node_point(const struct graph *g, uint32_t v, struct snap *p)
{
    for (int side = 0; side < 2; side++) {
        const uint32_t *first = side ? g->in_first : g->out_first;
        const struct graph_arc *arcs = side ? g->in : g->out;
        for (uint32_t j = first[v]; j < first[v + 1]; j++) {
            uint32_t s = arcs[j].edge; /* out: v is the tail of s; in: its head */
            if (snap_at(g, s >> 1, side ? !(s & 1) : (s & 1), p, NULL) == KKC_OK)
                return 0;
        }
    }
    return -1;
}

graph_cost reach_node(const struct reach *r, uint32_t v, uint32_t *owner)
{
    graph_cost best = GRAPH_COST_INF;
    uint32_t bo = UINT32_MAX;
    struct snap p;
    if (v < r->g->node_count) {
        node_by_segments(r, v, &best, &bo);
        if (!node_point(r->g, v, &p))
            direct_sources(r, &p, &best, &bo);
    }
    within_limit(r, &best, &bo);
    if (owner)
        *owner = bo;
    return best;
}

/* In: leave s along each open direction of its edge and of its twin row, then on from the end.
 * Out: arrive at s through its targets (tnet_targets). */
static void point_by_segments(const struct reach *r, const struct snap *s, graph_cost *best,
                              uint32_t *bo)
{
    const struct graph *g = r->g;
    struct tnet_seed x[4 * 64];
    uint32_t tw = turn_twin(g->turn, s->edge), o;
    graph_cost c;
    if (r->dir == REACH_IN) {
        for (uint32_t sg = 0; sg < 4; sg++) {
            uint32_t e = sg < 2 ? s->edge : tw, d = e == GRAPH_NONE ? 0 : e << 1 | (sg & 1);
            if (e != GRAPH_NONE && tnet_seg_open(g, d) &&
                (c = seg_value(r, d, &o)) != GRAPH_COST_INF)
                keep_best(c + tnet_rest(g, s, d), o, best, bo);
        }
        return;
    }
    graph_cost off = tnet_target_offset(g, s);
    size_t k = tnet_targets(g, s, x, 4 * 64);
    for (size_t i = 0; i < k && i < 4 * 64; i++) /* see seg_value */
        if (r->cost[x[i].node] != GRAPH_COST_INF && r->cost[x[i].node] + x[i].cost >= off)
            keep_best(r->cost[x[i].node] + x[i].cost - off, r->owner[x[i].node], best, bo);
}

int reach_point(const struct reach *r, const struct snap *s, graph_cost *cost, uint32_t *owner)
{
    graph_cost best = GRAPH_COST_INF;
    uint32_t bo = UINT32_MAX;
    uint32_t v = tnet_at_node(r->g, s);
    point_by_segments(r, s, &best, &bo);
    direct_sources(r, s, &best, &bo);
    if (v != GRAPH_NONE) /* a point on a junction is the junction: every road at it */
        node_by_segments(r, v, &best, &bo);
    within_limit(r, &best, &bo);
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

/* The time functions of edge e into fn (at most LIN_MAX); returns how many. Out: driving e
 * forward starts at u at the forward segment's value less the whole edge, backward likewise at
 * v; in: from a point, the rest of the segment plus the value at its end. */
static size_t edge_functions(const struct reach *r, uint32_t e, struct lin *fn)
{
    const struct graph *g = r->g;
    double c = graph_cost_ms(g->edge_cost[e]) / 1000.0;
    uint32_t of, ob;
    graph_cost vf = seg_value(r, e << 1, &of), vb = seg_value(r, e << 1 | 1, &ob);
    int in = r->dir == REACH_IN;
    int fw = g->edge_flags[e] & GRAPH_FORWARD, bw = g->edge_flags[e] & GRAPH_BACKWARD;
    size_t n = 0;

    if (!in) {
        uint32_t w = graph_cost_ms(g->edge_cost[e]);
        if (fw && vf != GRAPH_COST_INF) /* from u: time rises along f */
            fn[n++] = (struct lin){(graph_cost_ms(vf) - (double)w) / 1000.0, c, 0, 1, of};
        if (bw && vb != GRAPH_COST_INF) /* from v: time rises towards f = 0 */
            fn[n++] = (struct lin){(graph_cost_ms(vb) - (double)w) / 1000.0 + c, -c, 0, 1, ob};
    } else {
        if (fw && vf != GRAPH_COST_INF) /* drive forward to v, then on */
            fn[n++] = (struct lin){graph_cost_ms(vf) / 1000.0 + c, -c, 0, 1, of};
        if (bw && vb != GRAPH_COST_INF) /* drive back to u, then on */
            fn[n++] = (struct lin){graph_cost_ms(vb) / 1000.0, c, 0, 1, ob};
    }
    for (int tw = 0; tw < 2; tw++) { /* the sources on e, then on its twin row (snap_twin) */
        uint32_t f = tw ? turn_twin(g->turn, e) : e;
        for (size_t i = f == GRAPH_NONE ? r->nsrc : src_first_on(r, f);
             i < r->nsrc && r->src[i].at.edge == f && n + 2 <= LIN_MAX; i++) {
            struct snap at = r->src[i].at;
            if (tw && !snap_twin(g, &r->src[i].at, &at))
                continue;
            double f0 = at.fraction, t = r->src[i].offset_ms / 1000.0;
            uint32_t o = r->src[i].owner;
            if (in ? bw : fw) /* rising from the source towards the target */
                fn[n++] = (struct lin){t - f0 * c, c, f0, 1, o};
            if (in ? fw : bw) /* rising from the source towards the start */
                fn[n++] = (struct lin){t + f0 * c, -c, 0, f0, o};
        }
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
        uint32_t o, tw = turn_twin(g->turn, e);
        size_t s = src_first_on(r, e), st = tw == GRAPH_NONE ? r->nsrc : src_first_on(r, tw);
        int has_src = (s < r->nsrc && r->src[s].at.edge == e) ||
                      (st < r->nsrc && r->src[st].at.edge == tw); /* on it or on its twin row */
        if (!has_src && seg_value(r, e << 1, &o) == GRAPH_COST_INF &&
            seg_value(r, e << 1 | 1, &o) == GRAPH_COST_INF)
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
