/* geo/road/route.c -- point-to-point search (A* with landmark bounds) and the path -> result.
 *
 * A query is: up to two departures (node, cost) from the start point, up to two arrivals (node,
 * cost still to go) at the end point, and optionally a direct cost along a common edge (snap.h).
 * The heap key of a node is its cost so far plus its potential (a lower bound on the time still
 * to go, in the time part of the cost) from the landmark tables: for landmark L and target T,
 * d(v,T) >= d(L,T) - d(L,v) and d(v,T) >= d(v,L) - d(T,L). The potential is consistent (the
 * landmark times are exact shortest-path times on the same integer costs), so each node is
 * settled once and the search may stop as soon as the smallest key reaches the best cost found.
 * Node state lives in the ctx, reset lazily by a generation counter; the queue is an indexed 4-ary
 * heap with decrease-key (a node's heap position is part of its state). */
#include "road/route.h"
#include "road/road_ch.h"

#include <stdlib.h>
#include <string.h>

#define ROUTE_LM_ACTIVE 6     /* landmarks used per query: the best ones for its endpoints */
#define PRED_SEED 0x80000000u /* pred = PRED_SEED | departure index */
#define POT_INF UINT32_MAX    /* the node cannot reach the target */

struct node_state {
    graph_cost dist;
    uint32_t gen, pot, pred;
    uint32_t pos; /* 1 + index in the heap, 0 when not in it */
};

struct qitem {
    graph_cost key;
    uint32_t node;
};

/* A position on an edge's geometry: on the segment starting at point k, at lon,lat. */
struct pos {
    uint32_t k;
    double lon, lat;
};

/* A piece of the path before it goes into the result. */
struct piece {
    uint32_t edge;
    int reverse;
    double f0, f1;
    graph_cost cost;
    struct pos a, b;
};

struct route_ctx {
    const struct graph *g;
    struct node_state *st;
    uint32_t gen;
    struct qitem *q; /* the heap, node_count slots */
    uint32_t qlen;
    size_t settled;
    /* the current query */
    struct graph_seed dep[2], arr[2];
    size_t ndep, narr;
    graph_cost best;
    int best_arr; /* index into arr, or -1 for the direct cost */
    uint32_t nlm, lm[ROUTE_LM_ACTIVE], lm_to_t[ROUTE_LM_ACTIVE], lm_from_t[ROUTE_LM_ACTIVE];
    /* the path */
    struct piece *pieces;
    size_t npieces, cap_pieces;
    /* the hierarchy's query (g->ch), and whether the optimum came from it */
    struct cch_query *chq;
    int ch_best;
};

enum kkc_code route_ctx_create(const struct graph *g, struct route_ctx **out, struct kkc_err *err)
{
    struct route_ctx *c = calloc(1, sizeof *c);
    *out = NULL;
    if (!c)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (route context)");
    c->g = g;
    c->st = calloc(g->node_count ? g->node_count : 1, sizeof *c->st);
    c->q = malloc((g->node_count ? g->node_count : 1) * sizeof *c->q);
    c->cap_pieces = 64;
    c->pieces = malloc(c->cap_pieces * sizeof *c->pieces);
    if (g->ch && cch_query_create(g->ch->c, &c->chq, err)) {
        route_ctx_destroy(c);
        return KKC_ENOMEM;
    }
    if (!c->st || !c->q || !c->pieces) {
        route_ctx_destroy(c);
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (route context)");
    }
    *out = c;
    return KKC_OK;
}

void route_ctx_destroy(struct route_ctx *ctx)
{
    if (!ctx)
        return;
    free(ctx->st);
    free(ctx->pieces);
    free(ctx->q);
    cch_query_destroy(ctx->chq);
    free(ctx);
}

const struct graph *route_ctx_graph(const struct route_ctx *ctx)
{
    return ctx->g;
}

struct cch_query *route_ctx_hierarchy(struct route_ctx *ctx)
{
    return ctx->chq;
}

size_t route_ctx_settled(const struct route_ctx *ctx)
{
    return ctx->settled;
}

/* ---- potentials ------------------------------------------------------------------------------ */

/* Lower bound from landmark i for the node whose table row is row, given the target's times
 * to_t = d(L,T) and from_t = d(T,L); POT_INF when the node provably cannot reach T. With
 * UINT32_MAX for "unreachable", plain 64-bit differences already say everything: a finite time
 * minus UINT32_MAX is negative (no information), UINT32_MAX minus a finite time is huge (L
 * reaches v but not T, or T reaches L but v does not: v cannot reach T). Real bounds stay under
 * 2^31 ms (24 days). */
static inline int64_t lm_bound(const uint32_t *row, uint32_t L, uint32_t i, uint32_t to_t,
                               uint32_t from_t)
{
    int64_t a = (int64_t)to_t - row[i], b = (int64_t)row[L + i] - from_t;
    return a > b ? a : b;
}

static uint32_t potential(const struct route_ctx *c, uint32_t v)
{
    const struct graph *g = c->g;
    const uint32_t *row = g->lm_dist + (size_t)v * 2 * g->lm_count;
    int64_t p = 0;
    for (uint32_t j = 0; j < c->nlm; j++) {
        int64_t b = lm_bound(row, g->lm_count, c->lm[j], c->lm_to_t[j], c->lm_from_t[j]);
        p = b > p ? b : p;
    }
    return p >= INT32_MAX ? POT_INF : (uint32_t)p;
}

/* min over seeds of table column col + the seed's time: a landmark time to or from a point. */
static uint32_t lm_via(const struct graph *g, const struct graph_seed *s, size_t n, uint32_t col)
{
    uint64_t best = UINT64_MAX;
    for (size_t i = 0; i < n; i++) {
        uint32_t d = g->lm_dist[(size_t)s[i].node * 2 * g->lm_count + col];
        if (d != UINT32_MAX && (uint64_t)d + graph_cost_ms(s[i].cost) < best)
            best = (uint64_t)d + graph_cost_ms(s[i].cost);
    }
    return best == UINT64_MAX ? UINT32_MAX : best >= UINT32_MAX ? UINT32_MAX - 1 : (uint32_t)best;
}

/* Set up the potential for target T (reached through arr, left through tdep): the landmark times
 * of T, and the ROUTE_LM_ACTIVE landmarks with the best bounds at the first departure node. */
static void target_landmarks(struct route_ctx *c, const struct graph_seed *tdep, size_t ntdep)
{
    const struct graph *g = c->g;
    uint32_t L = g->lm_count;
    int64_t bound[ROUTE_LM_ACTIVE];
    const uint32_t *row = c->ndep ? g->lm_dist + (size_t)c->dep[0].node * 2 * L : NULL;

    c->nlm = 0;
    for (uint32_t i = 0; i < L && row; i++) {
        uint32_t to_t = lm_via(g, c->arr, c->narr, i), from_t = lm_via(g, tdep, ntdep, L + i);
        int64_t b = lm_bound(row, L, i, to_t, from_t);
        uint32_t j;
        if (c->nlm == ROUTE_LM_ACTIVE && b <= bound[c->nlm - 1])
            continue;
        j = c->nlm < ROUTE_LM_ACTIVE ? c->nlm++ : c->nlm - 1;
        for (; j > 0 && bound[j - 1] < b; j--) { /* insertion into the sorted top list */
            bound[j] = bound[j - 1];
            c->lm[j] = c->lm[j - 1], c->lm_to_t[j] = c->lm_to_t[j - 1];
            c->lm_from_t[j] = c->lm_from_t[j - 1];
        }
        bound[j] = b, c->lm[j] = i, c->lm_to_t[j] = to_t, c->lm_from_t[j] = from_t;
    }
}

/* ---- search ---------------------------------------------------------------------------------- */

/* The state of v for this query, initialised on first touch. */
static struct node_state *touch(struct route_ctx *c, uint32_t v)
{
    struct node_state *s = &c->st[v];
    if (s->gen != c->gen) {
        s->gen = c->gen;
        s->dist = GRAPH_COST_INF;
        s->pos = 0;
        s->pot = potential(c, v);
    }
    return s;
}

/* Move the heap item at index i up to its place. */
static void q_up(struct route_ctx *c, uint32_t i)
{
    struct qitem it = c->q[i];
    while (i > 0) {
        uint32_t p = (i - 1) / 4;
        if (c->q[p].key <= it.key)
            break;
        c->q[i] = c->q[p];
        c->st[c->q[i].node].pos = i + 1;
        i = p;
    }
    c->q[i] = it;
    c->st[it.node].pos = i + 1;
}

/* Remove the smallest item; returns its node. */
static uint32_t q_pop(struct route_ctx *c)
{
    uint32_t top = c->q[0].node, i = 0, n = --c->qlen;
    struct qitem last = c->q[n];
    c->st[top].pos = 0;
    while (n) {
        uint32_t m = 4 * i + 1, end = m + 4 < n ? m + 4 : n;
        if (m >= n)
            break;
        for (uint32_t j = m + 1; j < end; j++)
            if (c->q[j].key < c->q[m].key)
                m = j;
        if (c->q[m].key >= last.key)
            break;
        c->q[i] = c->q[m];
        c->st[c->q[i].node].pos = i + 1;
        i = m;
    }
    if (n) {
        c->q[i] = last;
        c->st[last.node].pos = i + 1;
    }
    return top;
}

/* Lower v's cost to cost with predecessor pred when that improves it and may still beat the
 * best cost found. */
static void relax(struct route_ctx *c, uint32_t v, graph_cost cost, uint32_t pred)
{
    struct node_state *s = touch(c, v);
    graph_cost key;
    if (s->pot == POT_INF || cost >= s->dist)
        return;
    key = cost + ((graph_cost)s->pot << 32);
    if (key >= c->best)
        return;
    s->dist = cost;
    s->pred = pred;
    if (!s->pos) {
        c->q[c->qlen].node = v;
        s->pos = ++c->qlen;
    }
    c->q[s->pos - 1].key = key;
    q_up(c, s->pos - 1);
}

/* Start a query: new generation, empty heap. */
static void search_begin(struct route_ctx *c)
{
    if (++c->gen == 0) {
        for (uint32_t v = 0; v < c->g->node_count; v++)
            c->st[v].gen = 0;
        c->gen = 1;
    }
    c->qlen = 0;
    c->settled = 0;
}

/* A* from c->dep to c->arr, starting from best = the direct cost (or INF). Leaves the optimum in
 * c->best / c->best_arr. A node is settled once (consistent potentials), so the heap never
 * holds more than node_count items. */
static void search_run(struct route_ctx *c, graph_cost direct)
{
    const struct graph *g = c->g;

    c->best = direct, c->best_arr = -1, c->ch_best = 0;
    for (size_t i = 0; i < c->ndep; i++)
        relax(c, c->dep[i].node, c->dep[i].cost, PRED_SEED | (uint32_t)i);
    while (c->qlen && c->q[0].key < c->best) {
        uint32_t v = q_pop(c);
        const struct node_state *s = &c->st[v];
        c->settled++;
        for (size_t j = 0; j < c->narr; j++)
            if (c->arr[j].node == v && s->dist + c->arr[j].cost < c->best)
                c->best = s->dist + c->arr[j].cost, c->best_arr = (int)j;
        for (uint32_t a = g->out_first[v]; a < g->out_first[v + 1]; a++)
            relax(c, g->out[a].node, s->dist + g->out[a].cost, a);
    }
}

/* The optimum by the hierarchy: the same value as search_run's (the direct cost wins ties). */
static void search_ch(struct route_ctx *c, graph_cost direct)
{
    struct cch_seed s[2], t[2];
    for (size_t i = 0; i < c->ndep; i++)
        s[i] = (struct cch_seed){c->dep[i].node, c->dep[i].cost};
    for (size_t j = 0; j < c->narr; j++)
        t[j] = (struct cch_seed){c->arr[j].node, c->arr[j].cost};
    graph_cost best = cch_query_run(c->chq, c->g->ch->m, s, c->ndep, t, c->narr);
    c->best = direct, c->best_arr = -1, c->ch_best = 0;
    if (best < direct)
        c->best = best, c->best_arr = 0, c->ch_best = 1;
}

/* Run the whole search between two snapped points. */
static enum kkc_code search_snaps(const struct graph *g, struct route_ctx *c,
                                  const struct snap *from, const struct snap *to,
                                  struct kkc_err *err)
{
    struct graph_seed tdep[2];
    size_t ntdep;
    graph_cost direct = GRAPH_COST_INF;

    if (c->g != g)
        return kkc_err_set(err, KKC_EINVAL, "route context belongs to another graph");
    if (from->edge >= g->edge_count || to->edge >= g->edge_count)
        return kkc_err_set(err, KKC_EINVAL, "snapped point on an unknown edge");
    search_begin(c);
    c->ndep = snap_departures(g, from, c->dep);
    c->narr = snap_arrivals(g, to, c->arr);
    ntdep = snap_departures(g, to, tdep);
    snap_direct(g, from, to, &direct);
    if (c->chq) {
        search_ch(c, direct);
    } else {
        target_landmarks(c, tdep, ntdep);
        search_run(c, direct);
    }
    if (c->best == GRAPH_COST_INF)
        return kkc_err_set(err, KKC_ENOROUTE, "no route from %.6f,%.6f to %.6f,%.6f", from->lon,
                           from->lat, to->lon, to->lat);
    return KKC_OK;
}

enum kkc_code route_cost(const struct graph *g, struct route_ctx *ctx, const struct snap *from,
                         const struct snap *to, graph_cost *cost, struct kkc_err *err)
{
    enum kkc_code rc = search_snaps(g, ctx, from, to, err);
    if (!rc)
        *cost = ctx->best;
    return rc;
}

enum kkc_code route_node_cost(const struct graph *g, struct route_ctx *ctx, uint32_t from,
                              uint32_t to, graph_cost *cost, struct kkc_err *err)
{
    if (ctx->g != g)
        return kkc_err_set(err, KKC_EINVAL, "route context belongs to another graph");
    if (from >= g->node_count || to >= g->node_count)
        return kkc_err_set(err, KKC_EINVAL, "no node %u or %u", from, to);
    search_begin(ctx);
    ctx->ndep = ctx->narr = 1;
    ctx->dep[0] = (struct graph_seed){from, 0};
    ctx->arr[0] = (struct graph_seed){to, 0};
    if (ctx->chq) {
        search_ch(ctx, GRAPH_COST_INF);
    } else {
        target_landmarks(ctx, ctx->arr, 1);
        search_run(ctx, GRAPH_COST_INF);
    }
    if (ctx->best == GRAPH_COST_INF)
        return kkc_err_set(err, KKC_ENOROUTE, "no route from node %u to node %u",
                           g->node_dbid[from], g->node_dbid[to]);
    *cost = ctx->best;
    return KKC_OK;
}

/* ---- path ------------------------------------------------------------------------------------ */

static struct pos pos_source(const struct graph *g, uint32_t e)
{
    uint32_t k = g->edge_coord_first[e];
    return (struct pos){k, g->coords[2 * k], g->coords[2 * k + 1]};
}

static struct pos pos_target(const struct graph *g, uint32_t e)
{
    uint32_t k = g->edge_coord_first[e + 1] - 1;
    return (struct pos){k - 1, g->coords[2 * k], g->coords[2 * k + 1]};
}

static struct pos pos_snap(const struct snap *s)
{
    return (struct pos){s->point, s->lon, s->lat};
}

/* Append a piece; returns 0 or -1 (out of memory). */
static int piece_add(struct route_ctx *c, struct piece p)
{
    if (c->npieces == c->cap_pieces) {
        struct piece *np = realloc(c->pieces, 2 * c->cap_pieces * sizeof *np);
        if (!np)
            return -1;
        c->pieces = np, c->cap_pieces *= 2;
    }
    c->pieces[c->npieces++] = p;
    return 0;
}

/* The piece of a whole edge driven along arc a. */
static struct piece piece_arc(const struct graph *g, uint32_t a)
{
    uint32_t e = g->out[a].edge >> 1;
    int rev = (int)(g->out[a].edge & 1);
    struct pos s = pos_source(g, e), t = pos_target(g, e);
    return (struct piece){e, rev, rev, !rev, g->out[a].cost, rev ? t : s, rev ? s : t};
}

/* The end pieces: leaving `from` towards node v, and reaching `to` from node v. */
static struct piece piece_depart(const struct graph *g, const struct snap *from,
                                 struct graph_seed d)
{
    uint32_t e = from->edge;
    int fwd = d.node == g->edge_target[e];
    return (struct piece){e,
                          !fwd,
                          from->fraction,
                          fwd,
                          d.cost,
                          pos_snap(from),
                          fwd ? pos_target(g, e) : pos_source(g, e)};
}

static struct piece piece_arrive(const struct graph *g, const struct snap *to, struct graph_seed a)
{
    uint32_t e = to->edge;
    int fwd = a.node == g->edge_source[e];
    return (struct piece){
        e,           !fwd, !fwd, to->fraction, a.cost, fwd ? pos_source(g, e) : pos_target(g, e),
        pos_snap(to)};
}

/* Reverse pieces[lo..hi). */
static void pieces_reverse(struct route_ctx *c, size_t lo, size_t hi)
{
    while (hi > lo + 1) {
        struct piece t = c->pieces[lo];
        c->pieces[lo++] = c->pieces[--hi];
        c->pieces[hi] = t;
    }
}

/* The seed of seeds[0..n) at node v with the least cost. */
static struct graph_seed seed_at(const struct graph_seed *seeds, size_t n, uint32_t v)
{
    struct graph_seed best = {v, GRAPH_COST_INF};
    for (size_t i = 0; i < n; i++)
        if (seeds[i].node == v && seeds[i].cost < best.cost)
            best = seeds[i];
    return best;
}

/* The hierarchy's optimum as pieces: departure, the unpacked arcs, arrival. */
static enum kkc_code collect_ch(struct route_ctx *c, const struct snap *from,
                                const struct snap *to, struct kkc_err *err)
{
    const struct graph *g = c->g;
    uint64_t *arcs = NULL;
    size_t k = 0;
    uint32_t s, t;
    enum kkc_code rc = cch_query_path(c->chq, g->ch->m, &arcs, &k, &s, &t, err);
    if (rc)
        return rc;
    int oom = piece_add(c, piece_depart(g, from, seed_at(c->dep, c->ndep, s)));
    for (size_t i = 0; !oom && i < k; i++)
        oom |= piece_add(c, piece_arc(g, (uint32_t)arcs[i]));
    if (!oom)
        oom |= piece_add(c, piece_arrive(g, to, seed_at(c->arr, c->narr, t)));
    free(arcs);
    return oom ? kkc_err_set(err, KKC_ENOMEM, "out of memory (route path)") : KKC_OK;
}

/* Collect the optimum's pieces in driving order, then drop zero-cost end pieces (a point on a
 * node) while more than one piece remains. */
static enum kkc_code collect_path(struct route_ctx *c, const struct snap *from,
                                  const struct snap *to, struct kkc_err *err)
{
    const struct graph *g = c->g;
    int oom = 0;
    c->npieces = 0;
    if (c->ch_best) {
        enum kkc_code rc = collect_ch(c, from, to, err);
        if (rc)
            return rc;
    } else if (c->best_arr < 0) {
        uint32_t e = from->edge;
        int fwd = (g->edge_flags[e] & GRAPH_FORWARD) && from->fraction <= to->fraction;
        oom |= piece_add(c, (struct piece){e, !fwd, from->fraction, to->fraction, c->best,
                                           pos_snap(from), pos_snap(to)});
    } else {
        uint32_t v = c->arr[c->best_arr].node;
        oom |= piece_add(c, piece_arrive(g, to, c->arr[c->best_arr]));
        while (!oom && !(c->st[v].pred & PRED_SEED)) {
            uint32_t a = c->st[v].pred, e = g->out[a].edge >> 1;
            oom |= piece_add(c, piece_arc(g, a));
            v = (g->out[a].edge & 1) ? g->edge_target[e] : g->edge_source[e];
        }
        if (!oom)
            oom |= piece_add(c, piece_depart(g, from, c->dep[c->st[v].pred & ~PRED_SEED]));
        pieces_reverse(c, 0, c->npieces);
    }
    if (oom)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (route path)");
    if (c->npieces > 1 && c->pieces[c->npieces - 1].cost == 0)
        c->npieces--;
    if (c->npieces > 1 && c->pieces[0].cost == 0)
        memmove(c->pieces, c->pieces + 1, --c->npieces * sizeof *c->pieces);
    return KKC_OK;
}

/* ---- result ---------------------------------------------------------------------------------- */

/* Append a point unless it repeats the last one. */
static void emit(struct route_result *r, double lon, double lat)
{
    if (r->coord_count && r->coords[2 * r->coord_count - 2] == lon &&
        r->coords[2 * r->coord_count - 1] == lat)
        return;
    r->coords[2 * r->coord_count] = lon;
    r->coords[2 * r->coord_count + 1] = lat;
    r->coord_count++;
}

/* Append the geometry of piece p and record its point range in re. */
static void emit_piece(const struct graph *g, struct route_result *r, const struct piece *p,
                       struct route_edge *re)
{
    emit(r, p->a.lon, p->a.lat);
    re->coord_first = r->coord_count - 1;
    if (!p->reverse)
        for (uint32_t k = p->a.k + 1; k <= p->b.k; k++)
            emit(r, g->coords[2 * k], g->coords[2 * k + 1]);
    else
        for (uint32_t k = p->a.k; k > p->b.k; k--)
            emit(r, g->coords[2 * k], g->coords[2 * k + 1]);
    emit(r, p->b.lon, p->b.lat);
    re->coord_last = r->coord_count - 1;
}

/* Whether piece i starts a new step (another name or ref than piece i - 1). */
static int new_step(const struct graph *g, const struct piece *ps, size_t i)
{
    return i == 0 || g->edge_name[ps[i].edge] != g->edge_name[ps[i - 1].edge] ||
           g->edge_ref[ps[i].edge] != g->edge_ref[ps[i - 1].edge];
}

/* One block for the result and its arrays, sized for c's pieces. */
static struct route_result *result_alloc(const struct graph *g, const struct route_ctx *c,
                                         int want_geometry, size_t *nsteps)
{
    size_t npts = 2, ne = c->npieces, bytes;
    struct route_result *r;
    *nsteps = 0;
    for (size_t i = 0; i < ne; i++) {
        uint32_t e = c->pieces[i].edge;
        npts += g->edge_coord_first[e + 1] - g->edge_coord_first[e] + 2;
        *nsteps += (size_t)new_step(g, c->pieces, i);
    }
    npts = want_geometry ? npts : 0;
    bytes = sizeof *r + ne * sizeof(struct route_edge) + *nsteps * sizeof(struct route_step) +
            2 * npts * sizeof(double);
    r = calloc(1, bytes);
    if (!r)
        return NULL;
    r->edges = (struct route_edge *)(r + 1);
    r->steps = (struct route_step *)(r->edges + ne);
    r->coords = want_geometry ? (double *)(r->steps + *nsteps) : NULL;
    return r;
}

/* Fill the result's pieces, steps and geometry from c's pieces. */
static void result_fill(const struct graph *g, const struct route_ctx *c, const struct snap *from,
                        const struct snap *to, struct route_result *r)
{
    struct route_step *st = NULL;
    if (r->coords)
        emit(r, from->lon, from->lat);
    for (size_t i = 0; i < c->npieces; i++) {
        const struct piece *p = &c->pieces[i];
        struct route_edge *re = &r->edges[r->edge_count++];
        *re = (struct route_edge){p->edge,
                                  p->reverse,
                                  p->f0,
                                  p->f1,
                                  graph_cost_metres(p->cost),
                                  graph_cost_seconds(p->cost),
                                  0,
                                  0};
        if (r->coords)
            emit_piece(g, r, p, re);
        if (new_step(g, c->pieces, i)) {
            st = &r->steps[r->step_count++];
            *st = (struct route_step){graph_string(g, g->edge_name[p->edge]),
                                      graph_string(g, g->edge_ref[p->edge]),
                                      0,
                                      0,
                                      i,
                                      0,
                                      re->coord_first,
                                      0};
        }
        st->distance_m += re->distance_m, st->duration_s += re->duration_s;
        st->edge_count++, st->coord_last = re->coord_last;
    }
    if (r->coords) {
        emit(r, to->lon, to->lat);
        if (r->coord_count == 1) /* a LineString needs two points */
            r->coords[2] = r->coords[0], r->coords[3] = r->coords[1], r->coord_count = 2;
        if (r->edge_count)
            r->edges[r->edge_count - 1].coord_last = r->coord_count - 1;
        if (st)
            st->coord_last = r->coord_count - 1;
    }
}

enum kkc_code route_compute(const struct graph *g, struct route_ctx *ctx, const struct snap *from,
                            const struct snap *to, int want_geometry, struct route_result **out,
                            struct kkc_err *err)
{
    struct route_result *r;
    size_t nsteps;
    enum kkc_code rc = search_snaps(g, ctx, from, to, err);
    *out = NULL;
    if (!rc)
        rc = collect_path(ctx, from, to, err);
    if (rc)
        return rc;
    r = result_alloc(g, ctx, want_geometry, &nsteps);
    if (!r)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (route result)");
    result_fill(g, ctx, from, to, r);
    r->distance_m = graph_cost_metres(ctx->best);
    r->duration_s = graph_cost_seconds(ctx->best);
    *out = r;
    return KKC_OK;
}

void route_result_destroy(struct route_result *r)
{
    free(r);
}
