/* tests/road/test_turn_consumers.c -- every consumer of the turn-aware graph against one oracle,
 * on the default database's real roads (Heidelberg: 476 turn restrictions, traffic signals) with
 * car.lua's turn costs on.
 *
 * The oracle is turn_route() (turn.h): a plain Dijkstra over a turn graph built separately by
 * turn_build() from the same store, sharing no search code with tnet.c, route.c, the hierarchy,
 * table.c, labels.c or reach.c. For random snapped pairs: the A* route, the hierarchy's route, the
 * many-to-many table, reach_point() after a one-to-all reach, and the nearest-by-time labels
 * (against the oracle from every centre) must give the oracle's time to the millisecond. One
 * point in four lies on a twin row (both rows of a way stored per direction seed the search),
 * one in eight exactly on a junction (snapped onto one of its roads, it is on all of them).
 * Then, on every real extract (imported here), the hierarchy against the oracle for
 * KKC_ORACLE_PAIRS random pairs (default 10,000), a 60 x 60 table against one-to-all plain
 * searches, and the same again after closures changed the weights (closed and slowed roads: the
 * hierarchy's metric re-customized from the cached one, the oracle's turn graph built afresh
 * from the changed graph). */
#include "closures/avoid.h"
#include "closures/closures.h"
#include "fixture_osm.h"
#include "centres/centres.h"
#include "coverage/reach.h"
#include "road/graph.h"
#include "road/labels.h"
#include "road/road_ch.h"
#include "road/route.h"
#include "road/snap.h"
#include "road/table.h"
#include "road/turn.h"
#include "base/store.h"
#include "testutil.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct cfx {
    struct store *st;
    struct graph *g;       /* the service's graph: g->turn with car.lua's costs */
    struct turn_graph *t;  /* the oracle's own turn graph */
    struct kkc_err err;
};

static void cfx_open(struct cfx *f, int hierarchy)
{
    struct turn_costs c;
    turn_costs_default(&c);
    struct graph_options go = {.landmarks = 8, .hierarchy = hierarchy, .turns = &c};
    f->err = (struct kkc_err){0};
    ck_assert_int_eq(store_open(tu_db(), STORE_READONLY, &f->st, &f->err), KKC_OK);
    ck_assert_msg(graph_load_opts(f->st, &go, &f->g, &f->err) == KKC_OK, "%s", f->err.msg);
    ck_assert_msg(turn_build(f->st, f->g, &c, &f->t, &f->err) == KKC_OK, "%s", f->err.msg);
    ck_assert_uint_gt(f->t->restrictions, 100); /* the real restrictions are in play */
}

static void cfx_close(struct cfx *f)
{
    turn_destroy(f->t);
    graph_destroy(f->g);
    store_close(f->st);
}

/* A random snappable point, anywhere along its edge; one in four on a twin row (a way stored
 * as one row per direction, turn.h: the point lies on both rows), when the graph has any; one
 * in eight exactly on an end of its edge (a junction, snapped onto one of its roads: tnet.h). */
static struct snap rand_point(struct cfx *f, unsigned long long *rs)
{
    int twin = tu_rand(rs) < 0.25;
    double end = tu_rand(rs);
    for (int tries = 0;; tries++) {
        uint32_t e = (uint32_t)(tu_rand(rs) * f->g->edge_count);
        struct snap s;
        if (!(f->g->edge_flags[e] & GRAPH_SNAPPABLE) ||
            (twin && tries < 100000 && turn_twin(f->g->turn, e) == GRAPH_NONE))
            continue;
        double at = end < 0.125 ? (double)(end < 0.0625) : tu_rand(rs);
        ck_assert_int_eq(snap_at(f->g, e, at, &s, &f->err), KKC_OK);
        return s;
    }
}

/* A point exactly on node v, snapped onto a random road at v (fraction 0 or 1 of its edge). */
static struct snap junction_point(struct cfx *f, uint32_t v, unsigned long long *rs)
{
    const struct graph *g = f->g;
    uint32_t no = g->out_first[v + 1] - g->out_first[v], ni = g->in_first[v + 1] - g->in_first[v];
    uint32_t k = (uint32_t)(tu_rand(rs) * (no + ni));
    uint32_t s = k < no ? g->out[g->out_first[v] + k].edge : g->in[g->in_first[v] + k - no].edge;
    uint32_t e = s >> 1;
    struct snap p;
    ck_assert_int_eq(snap_at(g, e, g->edge_source[e] == v ? 0 : 1, &p, &f->err), KKC_OK);
    return p;
}

/* A random end node of p's edge. */
static uint32_t edge_end(struct cfx *f, const struct snap *p, unsigned long long *rs)
{
    return tu_rand(rs) < 0.5 ? f->g->edge_source[p->edge] : f->g->edge_target[p->edge];
}

/* Pair i: random points, or (one in four each) the end at a junction of a's edge snapped onto
 * another road there, the mirror (a start on the junction at an end of b's edge), and both on
 * the junction at an end of a's edge, each snapped onto a road of its own (tnet.h's cases). */
static void rand_pair(struct cfx *f, int i, unsigned long long *rs, struct snap *a,
                      struct snap *b)
{
    *a = rand_point(f, rs), *b = rand_point(f, rs);
    if (i % 4 == 1 || i % 4 == 3)
        *b = junction_point(f, edge_end(f, a, rs), rs);
    if (i % 4 == 2)
        *a = junction_point(f, edge_end(f, b, rs), rs);
    if (i % 4 == 3) /* b is on the end of its edge at fraction 0 or 1 */
        *a = junction_point(f, b->fraction == 0 ? f->g->edge_source[b->edge]
                                                : f->g->edge_target[b->edge], rs);
}

/* The oracle's time in ms from a to b, or -1 when it finds no route. */
static long long oracle_ms(struct cfx *f, const struct snap *a, const struct snap *b)
{
    struct turn_path p;
    struct kkc_err e = {0};
    if (turn_route(f->g, f->t, a, b, &p, &e) != KKC_OK)
        return -1;
    free(p.segs);
    return p.ms >= UINT32_MAX ? -1 : (long long)p.ms; /* through a closed arc: none */
}

/* Routes (A* or the hierarchy) and the table, pair by pair. */
static void check_routes(int hierarchy)
{
    struct cfx f;
    cfx_open(&f, hierarchy);
    struct route_ctx *ctx = NULL;
    unsigned long long rs = 4242 + (unsigned)hierarchy;
    int compared = 0;
    ck_assert_int_eq(route_ctx_create(f.g, &ctx, &f.err), KKC_OK);
    for (int i = 0; i < 150; i++) {
        struct snap a, b;
        rand_pair(&f, i, &rs, &a, &b);
        struct route_result *r = NULL;
        graph_cost tc;
        long long want = oracle_ms(&f, &a, &b);
        enum kkc_code rc = route_compute(f.g, ctx, &a, &b, 1, &r, &f.err);
        if (want < 0) {
            ck_assert_int_eq(rc, KKC_ENOROUTE);
            continue;
        }
        ck_assert_msg(rc == KKC_OK, "pair %d: %s", i, f.err.msg);
        ck_assert_msg(llround(r->duration_s * 1000) == want, "pair %d (e%u -> e%u): %.3f s, oracle %lld ms",
                      i, a.edge, b.edge, r->duration_s, want);
        double sum = 0;
        for (size_t k = 0; k < r->edge_count; k++)
            sum += r->edges[k].duration_s;
        ck_assert_double_eq_tol(sum, r->duration_s, 1e-6); /* the pieces carry the turns */
        ck_assert_int_eq(route_table(f.g, ctx, &a, 1, &b, 1, &tc, &f.err), KKC_OK);
        ck_assert_int_eq(graph_cost_ms(tc), want);
        route_result_destroy(r);
        compared++;
    }
    ck_assert_int_gt(compared, 100);
    route_ctx_destroy(ctx);
    cfx_close(&f);
}

START_TEST(t_routes_astar)
{
    check_routes(0);
}
END_TEST

START_TEST(t_routes_hierarchy)
{
    check_routes(1);
}
END_TEST

/* One reach out of a point, then reach_point() at many points; and a reach in towards it. */
START_TEST(t_reach)
{
    struct cfx f;
    cfx_open(&f, 0);
    struct reach *r = NULL;
    unsigned long long rs = 99;
    ck_assert_int_eq(reach_create(f.g, &r, &f.err), KKC_OK);
    for (int q = 0; q < 4; q++) {
        struct reach_source src = {rand_point(&f, &rs), 7, 0};
        for (int dir = 0; dir < 2; dir++) {
            ck_assert_int_eq(reach_run(r, &src, 1, dir ? REACH_IN : REACH_OUT, REACH_NO_LIMIT,
                                       &f.err),
                             KKC_OK);
            for (int i = 0; i < 40; i++) {
                struct snap p = rand_point(&f, &rs);
                graph_cost c;
                uint32_t o;
                long long want = dir ? oracle_ms(&f, &p, &src.at) : oracle_ms(&f, &src.at, &p);
                int ok = reach_point(r, &p, &c, &o);
                ck_assert_int_eq(ok, want >= 0);
                if (ok)
                    ck_assert_msg((long long)graph_cost_ms(c) == want,
                                  "reach %s: %u ms, oracle %lld ms", dir ? "in" : "out",
                                  graph_cost_ms(c), want);
            }
        }
    }
    reach_destroy(r);
    cfx_close(&f);
}
END_TEST

/* The k nearest centres by time from the labels against the oracle from every centre. */
START_TEST(t_labels)
{
    struct cfx f;
    cfx_open(&f, 0);
    struct centres *cs = NULL;
    struct labels *l = NULL;
    struct labels_options o = {0, 0, 4, 0};
    unsigned long long rs = 5;
    ck_assert_int_eq(centres_load(f.st, &cs, &f.err), KKC_OK);
    ck_assert_msg(labels_build(f.g, cs, &o, &l, &f.err) == KKC_OK, "%s", f.err.msg);
    for (int q = 0; q < 25; q++) {
        struct snap p = rand_point(&f, &rs);
        struct labels_hit hits[4];
        size_t n = 0;
        long long best = -1;
        ck_assert_int_eq(labels_nearest(l, &p, 1, hits, &n, &f.err), KKC_OK);
        for (size_t i = 0; i < centres_count(cs); i++) {
            const struct snap *at;
            if (labels_centre(l, i, &at) != LABELS_USED)
                continue;
            long long ms = oracle_ms(&f, at, &p);
            if (ms >= 0 && (best < 0 || ms < best))
                best = ms;
        }
        ck_assert_int_eq(n, best >= 0);
        if (n)
            ck_assert_int_eq((long long)graph_cost_ms(hits[0].cost), best);
    }
    labels_destroy(l);
    centres_destroy(cs);
    cfx_close(&f);
}
END_TEST

/* ---- every real extract ---------------------------------------------------------------------- */

static const char *const extracts[] = {"liechtenstein-2015", "monaco-2016", "andorra",
                                       "heidelberg"};

/* The hierarchy of g (its metric re-customized from cache when the weights changed) against
 * the oracle t: pairs routes, then a table of n x n. */
static void hierarchy_vs_oracle(struct cfx *f, const struct turn_graph *t, int pairs, size_t n,
                                unsigned long long seed)
{
    struct route_ctx *ctx = NULL;
    struct turn_graph *keep = f->t;
    f->t = (struct turn_graph *)t;
    ck_assert_int_eq(route_ctx_create(f->g, &ctx, &f->err), KKC_OK);
    for (int i = 0; i < pairs; i++) {
        struct snap a, b;
        rand_pair(f, i, &seed, &a, &b);
        graph_cost c = GRAPH_COST_INF;
        long long want = oracle_ms(f, &a, &b);
        enum kkc_code rc = route_cost(f->g, ctx, &a, &b, &c, &f->err);
        ck_assert_int_eq(rc, want < 0 ? KKC_ENOROUTE : KKC_OK);
        if (want >= 0)
            ck_assert_msg((long long)graph_cost_ms(c) == want, "pair %d: %u ms, oracle %lld ms",
                          i, graph_cost_ms(c), want);
    }
    struct snap *p = malloc(2 * n * sizeof *p);
    graph_cost *out = malloc(n * n * sizeof *out);
    for (size_t i = 0; i < 2 * n; i++)
        p[i] = rand_point(f, &seed);
    ck_assert_int_eq(route_table(f->g, ctx, p, n, p + n, n, out, &f->err), KKC_OK);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j += 7) { /* a seventh of the cells: the oracle is slow */
            long long want = oracle_ms(f, &p[i], &p[n + j]);
            ck_assert_msg(want < 0 ? out[i * n + j] == GRAPH_COST_INF
                                   : (long long)graph_cost_ms(out[i * n + j]) == want,
                          "table %zu,%zu: oracle %lld ms", i, j, want);
        }
    free(p), free(out);
    route_ctx_destroy(ctx);
    f->t = keep;
}

/* Closures on a seventieth of the edges: one in three closed both ways, the others slowed 3x
 * forward. */
static void some_closures(const struct graph *g, struct closure_effects *e, unsigned long long s)
{
    e->items = calloc(g->edge_count / 70 + 2, sizeof *e->items);
    e->len = 0;
    for (uint32_t k = 0; k < g->edge_count / 70; k++) {
        uint32_t edge = (uint32_t)(tu_rand(&s) * g->edge_count);
        if (e->len && e->items[e->len - 1].edge >= edge)
            continue; /* by edge id, once each */
        e->items[e->len++] = (struct closure_effect){edge, k % 3 ? 3 : 0, k % 3 ? 1 : 0};
    }
}

/* Open directions out of node v on copy g, counted over base's arcs out of v. */
static uint32_t open_out(const struct graph *base, const struct graph *g, uint32_t v)
{
    uint32_t n = 0;
    for (uint32_t j = base->out_first[v]; j < base->out_first[v + 1]; j++) {
        uint32_t s = base->out[j].edge;
        n += (g->edge_flags[s >> 1] & (s & 1 ? GRAPH_BACKWARD : GRAPH_FORWARD)) != 0;
    }
    return n;
}

/* Give t's arcs (built on base) the weights of graph copy g: the turn plus the head's edge on g,
 * UINT32_MAX (closed: see turn_route) where the head's direction is closed on g, and for a
 * latent u-turn (TURN_ARC_LATENT) unless no other direction leaves its node on g (turn.h). */
static void reweight(const struct graph *base, const struct graph *g, struct turn_graph *t)
{
    for (uint64_t a = 0; a < t->first_out[t->n]; a++) {
        uint32_t s = t->seg[t->head[a]];
        uint32_t v = s & 1 ? base->edge_target[s >> 1] : base->edge_source[s >> 1];
        int open = g->edge_flags[s >> 1] & (s & 1 ? GRAPH_BACKWARD : GRAPH_FORWARD);
        if ((t->arc_flags[a] & TURN_ARC_LATENT) && open_out(base, g, v) > 1)
            open = 0;
        t->weight[a] = open ? t->turn_ms[a] + graph_cost_ms(g->edge_cost[s >> 1]) : UINT32_MAX;
    }
}

START_TEST(t_extract_hierarchy)
{
    char *db = fx_extract_db(extracts[_i], NULL), *cache = NULL;
    const char *env = getenv("KKC_ORACLE_PAIRS");
    int pairs = env ? atoi(env) : 10000;
    struct cfx f = {0};
    struct turn_costs c;
    turn_costs_default(&c);
    ck_assert_int_ge(asprintf(&cache, "%s.cch", db), 0);
    struct graph_options go = {.landmarks = 8, .hierarchy = 1, .hierarchy_cache = cache,
                               .turns = &c};
    ck_assert_int_eq(store_open(db, STORE_READONLY, &f.st, &f.err), KKC_OK);
    ck_assert_msg(graph_load_opts(f.st, &go, &f.g, &f.err) == KKC_OK, "%s", f.err.msg);
    ck_assert_int_eq(turn_build(f.st, f.g, &c, &f.t, &f.err), KKC_OK);
    hierarchy_vs_oracle(&f, f.t, pairs, 60, 11 + (unsigned)_i);
    /* closures: a copy of the graph with changed weights, its hierarchy re-customized */
    struct closure_effects e = {0};
    struct graph *base = f.g, *copy = NULL;
    struct turn_graph *t2 = NULL;
    some_closures(base, &e, 77 + (unsigned)_i);
    ck_assert_int_eq(closures_graph_with(base, &e, &copy, &f.err), KKC_OK);
    ck_assert_msg(road_ch_create(copy, cache, "", &copy->ch, &f.err) == KKC_OK, "%s", f.err.msg);
    /* the oracle: the same turn graph with the copy's weights (a closed head: unreachable) */
    ck_assert_int_eq(turn_build(f.st, base, &c, &t2, &f.err), KKC_OK);
    reweight(base, copy, t2);
    f.g = copy;
    hierarchy_vs_oracle(&f, t2, pairs / 10, 30, 21 + (unsigned)_i);
    f.g = base;
    road_ch_destroy(copy->ch);
    closures_graph_release(copy);
    turn_destroy(t2);
    free(e.items);
    cfx_close(&f);
    unlink(cache);
    free(cache);
    unlink(db);
    free(db);
}
END_TEST

Suite *turn_consumers_suite(void); /* for the runner */
Suite *turn_consumers_suite(void)
{
    Suite *s = suite_create("turn_consumers");
    TCase *tc = tu_tcase(s, "oracle", 600);
    tcase_add_test(tc, t_routes_astar);
    tcase_add_test(tc, t_routes_hierarchy);
    tcase_add_test(tc, t_reach);
    tcase_add_test(tc, t_labels);
    tcase_add_loop_test(tc, t_extract_hierarchy, 0, 4);
    return s;
}
