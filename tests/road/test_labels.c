/* tests/road/test_labels.c -- nearest centres by time (labels.h).
 *
 * Two kinds of oracle, none of them the code under test: answers worked out by hand on the hand
 * graph (its picture in tests/fixture_graph.h), and brute force: the plain Dijkstra of
 * tests/fixture_route.h from every centre. Costs are compared exactly in milliseconds and
 * decimetres. */
#include "centres/centres.h"
#include "road/graph.h"
#include "road/labels.h"
#include "road/route.h"
#include "road/snap.h"
#include "testutil.h"
#include "fixture_graph.h"
#include "fixture_route.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>

START_TEST(t_labels_hand)
{
    char *path = fx_db(hand_nodes, 8, hand_edges, 7);
    struct graph *g = fx_graph_load(path);
    /* C00 on the one-way at 25 %, C01 on B at 50 %, C02 far away, C03 closed on A */
    static const double xy[4][2] = {{125, 5}, {95, 50}, {5000, 5000}, {50, 0}};
    static const int active[4] = {1, 1, 1, 0};
    struct centres *cs = make_centres(xy, active, 4);
    struct labels *l = NULL;
    struct labels_options opt = {0, 0, 2, 0};
    struct labels_hit hit[3];
    struct snap p;
    size_t n;
    struct kkc_err err = {0};
    const struct snap *cp = NULL;

    ck_assert_msg(labels_build(g, cs, &opt, &l, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(labels_k(l), 2);
    ck_assert_int_eq(labels_centre(l, 0, &cp), LABELS_USED);
    ck_assert_uint_eq(cp->edge, 1);
    ck_assert_int_eq(labels_centre(l, 2, NULL), LABELS_UNSNAPPED);
    ck_assert_int_eq(labels_centre(l, 3, NULL), LABELS_EXCLUDED);
    ck_assert_int_eq(labels_centre(l, 9, NULL), LABELS_EXCLUDED);
    /* a point on the one-way at 75 %: C00 drives 5 s along it; C01 10 + 7.5 = 17.5 s */
    ck_assert_int_eq(snap_at(g, 1, 0.75, &p, &err), 0);
    ck_assert_int_eq(labels_nearest(l, &p, 2, hit, &n, &err), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(hit[0].centre, 0);
    ck_assert_double_eq_tol(hit[0].duration_s, 5, 1e-9);
    ck_assert_double_eq_tol(hit[0].distance_m, 50, 1e-9);
    ck_assert_uint_eq(hit[1].centre, 1);
    ck_assert_double_eq_tol(hit[1].duration_s, 17.5, 1e-9);
    /* at 10 %: C00 must go round the block: 7.5 + 20 + 20 + 20 + 1 = 68.5 s; C01: 10 + 1 */
    ck_assert_int_eq(snap_at(g, 1, 0.1, &p, &err), 0);
    ck_assert_int_eq(labels_nearest(l, &p, 2, hit, &n, &err), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(hit[0].centre, 1);
    ck_assert_double_eq_tol(hit[0].duration_s, 11, 1e-9);
    ck_assert_uint_eq(hit[1].centre, 0);
    ck_assert_double_eq_tol(hit[1].duration_s, 68.5, 1e-9);
    ck_assert_int_eq(labels_nearest(l, &p, 1, hit, &n, &err), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(labels_nearest(l, &p, 3, hit, &n, &err), KKC_EINVAL);
    ck_assert_int_eq(labels_nearest(l, &p, 0, hit, &n, &err), KKC_EINVAL);
    /* the dead end's far end: nobody comes back out, but both reach it */
    ck_assert_int_eq(snap_at(g, 6, 1, &p, &err), 0);
    ck_assert_int_eq(labels_nearest(l, &p, 2, hit, &n, &err), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_double_eq_tol(hit[0].duration_s, 10 + 10 + 10, 1e-9); /* C01: B, A, dead end */
    /* the island: unreachable from every centre */
    ck_assert_int_eq(snap_at(g, 5, 0.5, &p, &err), 0);
    ck_assert_int_eq(labels_nearest(l, &p, 2, hit, &n, &err), 0);
    ck_assert_uint_eq(n, 0);
    labels_destroy(l);
    labels_destroy(NULL);
    /* police only (C00, C03 closed): one centre */
    opt.kind_mask = 1u << KIND_POLICE;
    ck_assert_int_eq(labels_build(g, cs, &opt, &l, &err), 0);
    ck_assert_int_eq(labels_centre(l, 1, NULL), LABELS_EXCLUDED);
    ck_assert_int_eq(snap_at(g, 1, 0.1, &p, &err), 0);
    ck_assert_int_eq(labels_nearest(l, &p, 2, hit, &n, &err), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(hit[0].centre, 0);
    labels_destroy(l);
    opt.include_closed = 1; /* ... and with the closed one on A at 50 % */
    ck_assert_int_eq(labels_build(g, cs, &opt, &l, &err), 0);
    ck_assert_int_eq(labels_nearest(l, &p, 2, hit, &n, &err), 0);
    ck_assert_uint_eq(hit[0].centre, 3);
    ck_assert_double_eq_tol(hit[0].duration_s, 5 + 1, 1e-9);
    labels_destroy(l);
    opt.k = LABELS_K_MAX + 1;
    ck_assert_int_eq(labels_build(g, cs, &opt, &l, &err), KKC_EINVAL);
    centres_destroy(cs);
    fx_graph_done(g, path);
}
END_TEST

START_TEST(t_labels_brute)
{
    int nn, nc = 14;
    struct ofx f;
    ofx_open(&f, grid_db(12, 3000 + (unsigned)_i, &nn));
    struct labels *l = NULL;
    struct labels_options opt = {0, 0, 4, 0};
    double xy[14][2];
    int active[14];
    unsigned long long rs = 11 + (unsigned)_i;
    struct od *dist = calloc((size_t)nn * 14, sizeof *dist);
    struct kkc_err err = {0};
    struct centres *cs;

    for (int i = 0; i < nc; i++) {
        xy[i][0] = tu_rand(&rs) * 1100, xy[i][1] = tu_rand(&rs) * 1100;
        active[i] = i % 5 != 4;
    }
    xy[1][0] = xy[0][0] + 3, xy[1][1] = xy[0][1]; /* two centres at one place: a tie */
    cs = make_centres((const double(*)[2])xy, active, nc);
    ck_assert_msg(labels_build(f.g, cs, &opt, &l, &err) == 0, "%s", err.msg);
    for (int i = 0; i < nc; i++) {
        const struct snap *cp;
        if (labels_centre(l, (size_t)i, &cp) == LABELS_USED)
            oracle_from_point(f.o, (int)cp->edge, cp->fraction, dist + (size_t)i * nn);
    }
    for (int q = 0; q < 250; q++) {
        struct labels_hit hit[4], all[14];
        size_t n, na = 0;
        struct snap p;
        const struct snap *cp;
        if (q % 10 == 0) { /* on a centre's edge */
            int c = (int)(tu_rand(&rs) * nc);
            if (labels_centre(l, (size_t)c, &cp) != LABELS_USED)
                continue;
            snap_at(f.g, cp->edge, tu_rand(&rs), &p, &err);
        } else {
            random_snap(f.g, &rs, &p);
        }
        for (int i = 0; i < nc; i++) { /* brute force: a route from every centre */
            graph_cost c;
            struct od w;
            if (labels_centre(l, (size_t)i, &cp) != LABELS_USED)
                continue;
            w = oracle_to_point(f.o, dist + (size_t)i * nn, (int)cp->edge, cp->fraction,
                                (int)p.edge, p.fraction);
            if (route_cost(f.g, f.ctx, cp, &p, &c, &err) != 0) {
                ck_assert_int_lt(w.t, 0);
                continue;
            }
            ck_assert_int_eq((long long)graph_cost_ms(c), w.t);
            ck_assert_int_eq((long long)graph_cost_dm(c), w.d);
            all[na++] = (struct labels_hit){(uint32_t)i, 0, 0, c};
        }
        qsort(all, na, sizeof *all, cmp_hit);
        ck_assert_int_eq(labels_nearest(l, &p, 3, hit, &n, &err), 0);
        ck_assert_uint_eq(n, na < 3 ? na : 3);
        for (size_t j = 0; j < n; j++) {
            ck_assert_uint_eq(hit[j].centre, all[j].centre);
            ck_assert_uint_eq(hit[j].cost, all[j].cost);
            ck_assert_double_eq(hit[j].duration_s, graph_cost_seconds(all[j].cost));
        }
    }
    labels_destroy(l);
    centres_destroy(cs);
    free(dist);
    ofx_close(&f);
}
END_TEST

START_TEST(t_labels_node_times)
{
    int nn, nc = 6;
    struct ofx f;
    ofx_open(&f, grid_db(10, 4000, &nn));
    struct labels *l = NULL;
    double xy[6][2], *t = calloc((size_t)nn, sizeof *t), *t1 = calloc((size_t)nn, sizeof *t1);
    struct od *dist = calloc((size_t)nn, sizeof *dist);
    struct od *best = calloc((size_t)nn, sizeof *best);
    unsigned long long rs = 3;
    struct kkc_err err = {0};
    struct centres *cs;

    for (int i = 0; i < nc; i++)
        xy[i][0] = tu_rand(&rs) * 900, xy[i][1] = tu_rand(&rs) * 900;
    cs = make_centres((const double(*)[2])xy, NULL, nc);
    ck_assert_int_eq(labels_build(f.g, cs, NULL, &l, &err), 0);
    ck_assert_uint_eq(labels_k(l), LABELS_K_DEFAULT);
    for (int v = 0; v < nn; v++)
        best[v] = OD_INF;
    for (int i = 0; i < nc; i++) {
        const struct snap *cp;
        ck_assert_int_eq(labels_centre(l, (size_t)i, &cp), LABELS_USED);
        oracle_from_point(f.o, (int)cp->edge, cp->fraction, dist);
        ck_assert_int_eq(labels_centre_node_times(l, (size_t)i, t1, &err), 0);
        for (int id = 0; id < nn; id++) {
            double got = t1[graph_node_from_dbid(f.g, (uint32_t)id)];
            if (dist[id].t < 0)
                ck_assert(isinf(got));
            else
                ck_assert_double_eq_tol(got, (double)dist[id].t / 1000, 1e-9);
            if (od_less(dist[id], best[id]))
                best[id] = dist[id];
        }
    }
    labels_node_times(l, t);
    for (int id = 0; id < nn; id++) {
        double got = t[graph_node_from_dbid(f.g, (uint32_t)id)];
        if (best[id].t < 0)
            ck_assert(isinf(got));
        else
            ck_assert_double_eq_tol(got, (double)best[id].t / 1000, 1e-9);
    }
    ck_assert_int_eq(labels_centre_node_times(l, 99, t1, &err), KKC_EINVAL);
    labels_destroy(l);
    centres_destroy(cs);
    free(t), free(t1), free(dist), free(best);
    ofx_close(&f);
}
END_TEST

Suite *labels_suite(void); /* for the runner */

Suite *labels_suite(void)
{
    Suite *s = suite_create("labels");
    TCase *tc = tu_tcase(s, "labels", 300);
    tcase_add_test(tc, t_labels_hand);
    tcase_add_loop_test(tc, t_labels_brute, 0, 3);
    tcase_add_test(tc, t_labels_node_times);
    return s;
}
