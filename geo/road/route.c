/* geo/road/route.c -- point-to-point search on the turn-aware graph (A* with landmark bounds, or
 * the customizable hierarchy) between two snapped points.
 *
 * A query is: the source seeds of the start point and the target seeds of the end point on the
 * turn graph (tnet.h), and the direct cost along one edge (tnet_direct: a common edge, or an
 * edge to or from the junction the other point lies on). The heap key of a routing
 * node is its value plus its potential: a lower bound on the time still to go from the head of
 * its segment, from the landmark tables of the node-based graph (for landmark L and target T,
 * d(v,T) >= d(L,T) - d(L,v) and d(v,T) >= d(v,L) - d(T,L)). Those are lower bounds on the turn
 * graph too (its turns cost >= 0, its restrictions only take paths away, closures only slow), and
 * consistent along a turn arc x -> y (it costs at least the node-based edge to y's head). A target
 * is priced when it is relaxed (its point lies before the end of its segment), so the search
 * stops as soon as the smallest key reaches the best cost found. Node state lives in the ctx,
 * reset lazily by a generation counter; the queue is an indexed 4-ary heap with decrease-key. */
#include "road/route_int.h"
#include "road/road_ch.h"

#include <stdlib.h>
#include <string.h>

enum kkc_code route_ctx_create(const struct graph *g, struct route_ctx **out, struct kkc_err *err)
{
    struct route_ctx *c = calloc(1, sizeof *c);
    uint32_t n = g->turn ? g->turn->n : 0;
    *out = NULL;
    if (!c)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (route context)");
    if (!g->turn) {
        free(c);
        return kkc_err_set(err, KKC_EINVAL, "route context: the graph has no turn graph");
    }
    c->g = g;
    c->nturn = n;
    c->st = calloc(n ? n : 1, sizeof *c->st);
    c->q = malloc((n ? n : 1) * sizeof *c->q);
    c->cap_pieces = 64;
    c->pieces = malloc(c->cap_pieces * sizeof *c->pieces);
    c->cap_src = c->cap_dst = 32;
    c->src = malloc(c->cap_src * sizeof *c->src), c->dst = malloc(c->cap_dst * sizeof *c->dst);
    if (g->ch && cch_query_create(g->ch->c, &c->chq, err)) {
        route_ctx_destroy(c);
        return KKC_ENOMEM;
    }
    if (!c->st || !c->q || !c->pieces || !c->src || !c->dst) {
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
    free(ctx->src), free(ctx->dst);
    cch_query_destroy(ctx->chq);
    free(ctx);
}

int route_ctx_rebind(struct route_ctx *ctx, const struct graph *g)
{
    if (!g->turn || g->turn->n != ctx->nturn)
        return -1;
    if (g->ch && (!ctx->chq || cch_query_rebind(ctx->chq, g->ch->c)))
        return -1;
    if (!g->ch) { /* searched directly: no hierarchy query */
        cch_query_destroy(ctx->chq);
        ctx->chq = NULL;
    }
    ctx->g = g; /* st is valid by generation, q empty between queries */
    return 0;
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

static uint32_t potential(const struct route_ctx *c, uint32_t x)
{
    const struct graph *g = c->g;
    uint32_t s = g->turn->seg[x], v = s & 1 ? g->edge_source[s >> 1] : g->edge_target[s >> 1];
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

/* Set up the potential for target T (reached through larr, left through ltdep): the landmark times
 * of T, and the ROUTE_LM_ACTIVE landmarks with the best bounds at the first departure node. */
static void target_landmarks(struct route_ctx *c)
{
    const struct graph *g = c->g;
    uint32_t L = g->lm_count;
    int64_t bound[ROUTE_LM_ACTIVE];
    const uint32_t *row = c->nldep ? g->lm_dist + (size_t)c->ldep[0].node * 2 * L : NULL;

    c->nlm = 0;
    for (uint32_t i = 0; i < L && row; i++) {
        uint32_t to_t = lm_via(g, c->larr, c->nlarr, i);
        uint32_t from_t = lm_via(g, c->ltdep, c->nltdep, L + i);
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

/* The state of routing node x for this query, initialised on first touch. */
static struct node_state *touch(struct route_ctx *c, uint32_t x)
{
    struct node_state *s = &c->st[x];
    if (s->gen != c->gen) {
        s->gen = c->gen;
        s->dist = GRAPH_COST_INF;
        s->pos = 0;
        s->pot = c->nlm ? potential(c, x) : 0;
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

/* Price the target seeds at routing node x reached at cost d. */
static void price(struct route_ctx *c, uint32_t x, graph_cost d)
{
    uint32_t e = c->g->turn->seg[x] >> 1;
    if (c->dst_edge != GRAPH_NONE && e != c->dst_edge && e != turn_twin(c->g->turn, c->dst_edge))
        return;
    for (size_t j = 0; j < c->ndst; j++)
        if (c->dst[j].node == x && d + c->dst[j].cost >= c->offset &&
            d + c->dst[j].cost - c->offset < c->best)
            c->best = d + c->dst[j].cost - c->offset, c->best_kind = BEST_SEARCH,
            c->best_node = x, c->best_dst = (uint32_t)j;
}

/* Lower x's value to cost with predecessor pred when that improves it and may still beat the
 * best cost found (a target is priced first: its point lies before its segment's end; a priced
 * node keeps its value and parent for the path even when it is not worth expanding). */
static void relax(struct route_ctx *c, uint32_t x, graph_cost cost, uint32_t pred)
{
    struct node_state *s = touch(c, x);
    graph_cost key;
    if (cost == GRAPH_COST_INF || cost >= s->dist)
        return;
    graph_cost before = c->best;
    price(c, x, cost);
    key = s->pot == POT_INF ? GRAPH_COST_INF : cost + ((graph_cost)s->pot << GRAPH_COST_MS_SHIFT);
    if (c->best == before && key >= c->best)
        return;
    s->dist = cost; /* kept for the path when priced, even if not worth expanding */
    s->pred = pred;
    if (key >= c->best)
        return;
    if (!s->pos) {
        c->q[c->qlen].node = x;
        s->pos = ++c->qlen;
    }
    c->q[s->pos - 1].key = key;
    q_up(c, s->pos - 1);
}

/* Start a query: new generation, empty heap. */
static void search_begin(struct route_ctx *c)
{
    if (++c->gen == 0) {
        for (uint32_t x = 0; x < c->g->turn->n; x++)
            c->st[x].gen = 0;
        c->gen = 1;
    }
    c->qlen = 0;
    c->settled = 0;
    c->nlm = 0;
}

/* A* from c->src to c->dst, starting from best = the direct cost (or INF). */
static void search_run(struct route_ctx *c, graph_cost direct)
{
    const struct graph *g = c->g;
    const struct turn_graph *t = g->turn;

    c->best = direct, c->best_kind = direct == GRAPH_COST_INF ? BEST_NONE : BEST_DIRECT;
    for (size_t i = 0; i < c->nsrc; i++)
        relax(c, c->src[i].node, c->src[i].cost, PRED_SEED | (uint32_t)i);
    while (c->qlen && c->q[0].key < c->best) {
        uint32_t x = q_pop(c);
        graph_cost d = c->st[x].dist;
        c->settled++;
        for (uint64_t a = t->first_out[x]; a < t->first_out[x + 1]; a++) {
            graph_cost w = tnet_arc_cost(g, a);
            if (w != GRAPH_COST_INF)
                relax(c, t->head[a], d + w, x);
        }
    }
}

/* The optimum by the hierarchy: the same value as search_run's (the direct cost wins ties). */
static enum kkc_code search_ch(struct route_ctx *c, graph_cost direct, struct kkc_err *err)
{
    struct cch_seed *s = malloc((c->nsrc + c->ndst + 1) * sizeof *s), *t = s + c->nsrc;
    if (!s)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (route seeds)");
    for (size_t i = 0; i < c->nsrc; i++)
        s[i] = (struct cch_seed){c->src[i].node, c->src[i].cost};
    for (size_t j = 0; j < c->ndst; j++)
        t[j] = (struct cch_seed){c->dst[j].node, c->dst[j].cost};
    graph_cost best = cch_query_run(c->chq, c->g->ch->m, s, c->nsrc, t, c->ndst);
    free(s);
    c->best = direct, c->best_kind = direct == GRAPH_COST_INF ? BEST_NONE : BEST_DIRECT;
    if (best != GRAPH_COST_INF && best >= c->offset && best - c->offset < direct)
        c->best = best - c->offset, c->best_kind = BEST_CH;
    return KKC_OK;
}

/* Grow *arr (capacity *cap) to hold n seeds. Returns 0 or -1 out of memory. */
static int seeds_room(struct tnet_seed **arr, size_t *cap, size_t n)
{
    if (n <= *cap)
        return 0;
    struct tnet_seed *p = realloc(*arr, n * sizeof *p);
    if (!p)
        return -1;
    *arr = p, *cap = n;
    return 0;
}

/* The node-based ends of p (snap_departures or snap_arrivals), with its twin row's: up to 4. */
static size_t lm_ends(const struct graph *g, const struct snap *p,
                      size_t (*fn)(const struct graph *, const struct snap *, struct graph_seed[2]),
                      struct graph_seed out[4])
{
    struct snap q;
    size_t n = fn(g, p, out);
    return n + (snap_twin(g, p, &q) ? fn(g, &q, out + n) : 0);
}

/* The seeds of the query from `from` to `to` (points) into c. */
static int seeds_points(struct route_ctx *c, const struct snap *from, const struct snap *to)
{
    const struct graph *g = c->g;
    size_t n = tnet_sources(g, from, c->src, c->cap_src);
    if (n > c->cap_src && (seeds_room(&c->src, &c->cap_src, n) ||
                           tnet_sources(g, from, c->src, c->cap_src) != n))
        return -1;
    c->nsrc = n;
    n = tnet_targets(g, to, c->dst, c->cap_dst);
    if (n > c->cap_dst && (seeds_room(&c->dst, &c->cap_dst, n) ||
                           tnet_targets(g, to, c->dst, c->cap_dst) != n))
        return -1;
    c->ndst = n;
    c->offset = tnet_target_offset(g, to);
    c->dst_edge = tnet_at_node(g, to) == GRAPH_NONE ? to->edge : GRAPH_NONE; /* a filter */
    c->nldep = lm_ends(g, from, snap_departures, c->ldep);
    c->nlarr = lm_ends(g, to, snap_arrivals, c->larr);
    c->nltdep = lm_ends(g, to, snap_departures, c->ltdep);
    return 0;
}

/* Run the query set up in c (direct: the cost along a common edge, or INF). */
static enum kkc_code search_go(struct route_ctx *c, graph_cost direct, struct kkc_err *err)
{
    if (c->chq)
        return search_ch(c, direct, err);
    if (c->g->lm_count)
        target_landmarks(c);
    search_run(c, direct);
    return KKC_OK;
}

/* Run the whole search between two snapped points. */
static enum kkc_code search_snaps(const struct graph *g, struct route_ctx *c,
                                  const struct snap *from, const struct snap *to,
                                  struct kkc_err *err)
{
    graph_cost direct = GRAPH_COST_INF;

    if (c->g != g)
        return kkc_err_set(err, KKC_EINVAL, "route context belongs to another graph");
    if (from->edge >= g->edge_count || to->edge >= g->edge_count)
        return kkc_err_set(err, KKC_EINVAL, "snapped point on an unknown edge");
    search_begin(c);
    if (seeds_points(c, from, to))
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (route seeds)");
    tnet_direct(g, from, to, &direct, NULL, NULL);
    enum kkc_code rc = search_go(c, direct, err);
    if (!rc && c->best_kind == BEST_NONE)
        return kkc_err_set(err, KKC_ENOROUTE, "no route from %.6f,%.6f to %.6f,%.6f", from->lon,
                           from->lat, to->lon, to->lat);
    return rc;
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
    size_t ns = tnet_node_sources(g, from, NULL, 0), nt = tnet_node_targets(g, to, NULL, 0);
    if (seeds_room(&ctx->src, &ctx->cap_src, ns) || seeds_room(&ctx->dst, &ctx->cap_dst, nt))
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (route seeds)");
    ctx->nsrc = tnet_node_sources(g, from, ctx->src, ctx->cap_src);
    ctx->ndst = tnet_node_targets(g, to, ctx->dst, ctx->cap_dst);
    ctx->offset = 0, ctx->dst_edge = GRAPH_NONE;
    ctx->ldep[0] = (struct graph_seed){from, 0};
    ctx->larr[0] = ctx->ltdep[0] = (struct graph_seed){to, 0};
    ctx->nldep = ctx->nlarr = ctx->nltdep = 1;
    enum kkc_code rc = search_go(ctx, from == to ? 0 : GRAPH_COST_INF, err);
    if (!rc && ctx->best_kind == BEST_NONE)
        return kkc_err_set(err, KKC_ENOROUTE, "no route from node %u to node %u",
                           g->node_dbid[from], g->node_dbid[to]);
    if (!rc)
        *cost = ctx->best;
    return rc;
}

enum kkc_code route_compute(const struct graph *g, struct route_ctx *ctx, const struct snap *from,
                            const struct snap *to, int want_geometry, struct route_result **out,
                            struct kkc_err *err)
{
    enum kkc_code rc = search_snaps(g, ctx, from, to, err);
    *out = NULL;
    if (!rc)
        rc = route_collect(ctx, from, to, err);
    if (rc)
        return rc;
    *out = route_result_build(g, ctx, from, to, want_geometry);
    if (!*out)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (route result)");
    return KKC_OK;
}

void route_result_destroy(struct route_result *r)
{
    free(r);
}
