/* tests/road/test_turn_consumers.c -- every consumer of the turn-aware graph against one oracle,
 * on the default database's real roads (Heidelberg: 476 turn restrictions, traffic signals) with
 * car.lua's turn costs on.
 *
 * The oracle is turn_route() (turn.h): a plain Dijkstra over a turn graph built separately by
 * turn_build() from the same store, sharing no search code with tnet.c, route.c, the hierarchy,
 * table.c, labels.c or reach.c. For random snapped pairs: the A* route, the hierarchy's route, the
 * many-to-many table, reach_point() after a one-to-all reach, and the nearest-by-time labels
 * (against the oracle from every centre) must give the oracle's time to the millisecond. */
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
#include <stdlib.h>

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

/* A random snappable point, anywhere along its edge. */
static struct snap rand_point(struct cfx *f, unsigned long long *rs)
{
    for (;;) {
        uint32_t e = (uint32_t)(tu_rand(rs) * f->g->edge_count);
        struct snap s;
        if (!(f->g->edge_flags[e] & GRAPH_SNAPPABLE))
            continue;
        ck_assert_int_eq(snap_at(f->g, e, tu_rand(rs), &s, &f->err), KKC_OK);
        return s;
    }
}

/* The oracle's time in ms from a to b, or -1 when it finds no route. */
static long long oracle_ms(struct cfx *f, const struct snap *a, const struct snap *b)
{
    struct turn_path p;
    struct kkc_err e = {0};
    if (turn_route(f->g, f->t, a, b, &p, &e) != KKC_OK)
        return -1;
    free(p.segs);
    return (long long)p.ms;
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
        struct snap a = rand_point(&f, &rs), b = rand_point(&f, &rs);
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

Suite *turn_consumers_suite(void); /* for the runner */
Suite *turn_consumers_suite(void)
{
    Suite *s = suite_create("turn_consumers");
    TCase *tc = tcase_create("oracle");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, t_routes_astar);
    tcase_add_test(tc, t_routes_hierarchy);
    tcase_add_test(tc, t_reach);
    tcase_add_test(tc, t_labels);
    suite_add_tcase(s, tc);
    return s;
}
