/* tests/road/test_snap.c -- snapping points to the road graph (snap.h).
 *
 * The fixtures are small databases written with plain SQL (tests/fixture_graph.h): positions are
 * given in metres east/north of 15.80 E, 50.20 N and converted with scale factors taken from
 * PROJ's `geod`, not from the code under test. Expected answers are worked out by hand from the
 * hand graph's picture (fixture_graph.h), or by brute force over every segment. */
#include "road/graph.h"
#include "road/snap.h"
#include "testutil.h"
#include "fixture_graph.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Hand cases: point -> edge, distance, fraction, snapped point (metres). */
static const struct {
    double x, y;
    uint32_t edge;
    double dist, frac, sx, sy;
} snap_cases[] = {
    {30, 20, 0, 20, 0.3, 30, 0},      /* above A: onto the segment, not the nearest node */
    {5, -50, 0, 50, 0.05, 5, 0},      /* the dead end 5 m away is not snappable: A, 50 m */
    {100, 50, 2, 0, 0.5, 100, 50},    /* on B */
    {120, 60, 2, 20, 0.6, 100, 60},   /* right of B */
    {100, 0, 0, 0, 1, 100, 0},        /* node 1 ends A, A and B: the lowest edge id wins */
    {150, 160, 3, 10, 0.5, 150, 150}, /* above the bend of C */
    {-300, 0, 0, 300, 0, 0, 0},       /* west of node 0: beyond the graph's box */
    {1050, 5, 4, 850, 0.95, 200, 5},  /* next to the island: onto D, 850 m away, instead */
};

START_TEST(t_snap_hand)
{
    char *path;
    struct graph *g = fx_hand_graph(&path);
    struct snap s;
    struct kkc_err err = {0};
    double lon, lat;

    ck_assert_msg(fx_snap_xy(g, snap_cases[_i].x, snap_cases[_i].y, 1000, &s, &err) == 0, "%s",
                  err.msg);
    ck_assert_uint_eq(s.edge, snap_cases[_i].edge);
    ck_assert_double_eq_tol(s.distance_m, snap_cases[_i].dist, 0.02);
    ck_assert_double_eq_tol(s.fraction, snap_cases[_i].frac, 1e-4);
    to_lonlat(snap_cases[_i].sx, snap_cases[_i].sy, &lon, &lat);
    ck_assert_double_eq_tol(s.lon, lon, 2e-7);
    ck_assert_double_eq_tol(s.lat, lat, 2e-7);
    to_lonlat(snap_cases[_i].x, snap_cases[_i].y, &lon, &lat);
    ck_assert_double_eq(s.query_lon, lon);
    ck_assert_str_eq(s.name, hand_edges[s.edge].name);
    ck_assert_uint_eq(g->coord_edge[s.point], s.edge);
    fx_graph_done(g, path);
}
END_TEST

START_TEST(t_snap_errors)
{
    char *path;
    struct graph *g = fx_hand_graph(&path);
    struct snap s;
    struct kkc_err err = {0};

    ck_assert_int_eq(fx_snap_xy(g, 1050, 5, 100, &s, &err), KKC_ENOSEGMENT); /* island only */
    ck_assert_ptr_nonnull(strstr(err.msg, "100 m"));
    ck_assert_int_eq(fx_snap_xy(g, 500, 500, 300, &s, &err), KKC_ENOSEGMENT);
    ck_assert_int_eq(fx_snap_xy(g, 30, 20, 19.9, &s, &err), KKC_ENOSEGMENT);
    ck_assert_int_eq(fx_snap_xy(g, 30, 20, 20.1, &s, &err), 0);
    ck_assert_int_eq(fx_snap_xy(g, 30, 20, 0, &s, &err), KKC_EINVAL);
    ck_assert_int_eq(fx_snap_xy(g, 30, 20, 1e6, &s, &err), KKC_EINVAL);
    ck_assert_int_eq(snap_point(g, 200, 50, 1000, &s, &err), KKC_EINVAL);
    ck_assert_int_eq(snap_point(g, NAN, 50, 1000, &s, &err), KKC_EINVAL);
    ck_assert_int_eq(snap_point(g, -170, -80, 1000, &s, &err), KKC_ENOSEGMENT);
    ck_assert_int_eq(snap_at(g, 7, 0.5, &s, &err), KKC_EINVAL);
    fx_graph_done(g, path);
}
END_TEST

START_TEST(t_snap_at_partial)
{
    char *path;
    struct graph *g = fx_hand_graph(&path);
    struct snap s;
    struct graph_seed d[2];
    struct kkc_err err = {0};
    double lon, lat;

    ck_assert_int_eq(snap_at(g, 3, 0.75, &s, &err), 0); /* C, 3/4 of the way: (175, 125) */
    to_lonlat(175, 125, &lon, &lat);
    ck_assert_double_eq_tol(s.lon, lon, 1e-7);
    ck_assert_double_eq_tol(s.lat, lat, 1e-7);
    ck_assert_uint_eq(s.point, g->edge_coord_first[3] + 1);
    ck_assert_uint_eq(graph_cost_ms(snap_partial(g, 3, 0.75)), 15000);
    ck_assert_uint_eq(graph_cost_dm(snap_partial(g, 3, 0.75)), 1061); /* 0.75 * 1414 dm, rounded */
    ck_assert_uint_eq(snap_partial(g, 3, 1.5), g->edge_cost[3]);
    ck_assert_uint_eq(snap_partial(g, 3, -1), 0);
    /* e1 (one-way 1 -> 2) at 0.25: leave towards 2 only (7.5 s), arrive from 1 only (2.5 s) */
    ck_assert_int_eq(snap_at(g, 1, 0.25, &s, &err), 0);
    ck_assert_uint_eq(snap_departures(g, &s, d), 1);
    ck_assert_uint_eq(d[0].node, graph_node_from_dbid(g, 2));
    ck_assert_uint_eq(graph_cost_ms(d[0].cost), 7500);
    ck_assert_uint_eq(snap_arrivals(g, &s, d), 1);
    ck_assert_uint_eq(d[0].node, graph_node_from_dbid(g, 1));
    ck_assert_uint_eq(graph_cost_ms(d[0].cost), 2500);
    /* on node 1 itself (fraction 0): also leaves and is reached through node 1 at no cost */
    ck_assert_int_eq(snap_at(g, 1, 0, &s, &err), 0);
    ck_assert_uint_eq(snap_departures(g, &s, d), 2);
    ck_assert_uint_eq(d[1].node, graph_node_from_dbid(g, 1));
    ck_assert_uint_eq(d[1].cost, 0);
    fx_graph_done(g, path);
}
END_TEST

/* A jittered grid of n x n nodes 80 m apart with random one-ways and some bends. */
static char *grid_db(int n, unsigned long long seed)
{
    struct fx_node *nodes = calloc((size_t)n * n, sizeof *nodes);
    struct fx_edge *edges = calloc((size_t)n * n * 2, sizeof *edges);
    int ne = 0;
    char *path;
    for (int i = 0; i < n * n; i++)
        nodes[i] = (struct fx_node){(i % n) * 80 + tu_rand(&seed) * 30,
                                    (i / n) * 80 + tu_rand(&seed) * 30};
    for (int i = 0; i < n * n; i++) {
        for (int d = 0; d < 2; d++) {
            int j = d ? i + n : i + 1;
            double r = tu_rand(&seed);
            if ((d == 0 && i % n == n - 1) || j >= n * n || tu_rand(&seed) < 0.15)
                continue;
            edges[ne] = (struct fx_edge){i, j, 90, 9, r<0.85, r> 0.15, "g", NULL, 0, 0};
            if (tu_rand(&seed) < 0.3)
                edges[ne].via_x = (nodes[i].x + nodes[j].x) / 2 + 15,
                edges[ne].via_y = (nodes[i].y + nodes[j].y) / 2 + 10;
            ne++;
        }
    }
    path = fx_db(nodes, n * n, edges, ne);
    free(nodes);
    free(edges);
    return path;
}

/* Brute force: the nearest point of any snappable segment, in the tests' own local plane. */
static double brute_snap(const struct graph *g, double lon, double lat, uint32_t *edge)
{
    double best = INFINITY;
    for (uint32_t e = 0; e < g->edge_count; e++) {
        if (!(g->edge_flags[e] & GRAPH_SNAPPABLE))
            continue;
        for (uint32_t k = g->edge_coord_first[e]; k + 1 < g->edge_coord_first[e + 1]; k++) {
            const double *p = g->coords + 2 * k;
            double kx = KX * cos(lat * M_PI / 180) / cos(LAT0 * M_PI / 180);
            double ax = (p[0] - lon) * kx, ay = (p[1] - lat) * KY;
            double dx = (p[2] - p[0]) * kx, dy = (p[3] - p[1]) * KY, t = 0;
            if (dx * dx + dy * dy > 0)
                t = fmin(1, fmax(0, -(ax * dx + ay * dy) / (dx * dx + dy * dy)));
            if (hypot(ax + t * dx, ay + t * dy) < best)
                best = hypot(ax + t * dx, ay + t * dy), *edge = e;
        }
    }
    return best;
}

START_TEST(t_snap_brute)
{
    char *path = grid_db(25, 7);
    struct graph *g = NULL;
    struct kkc_err err = {0};
    unsigned long long rs = 99;
    int snapped = 0;

    ck_assert_msg(fx_graph_open(path, &g, &err) == 0, "%s", err.msg);
    for (int i = 0; i < 3000; i++) {
        double x = -300 + tu_rand(&rs) * 2600, y = -300 + tu_rand(&rs) * 2600, lon, lat;
        double radius = i % 3 ? 1000 : 40;
        uint32_t be = 0;
        struct snap s;
        enum kkc_code rc;
        to_lonlat(x, y, &lon, &lat);
        double want = brute_snap(g, lon, lat, &be);
        rc = snap_point(g, lon, lat, radius, &s, &err);
        if (want > radius + 0.01) {
            ck_assert_int_eq(rc, KKC_ENOSEGMENT);
            continue;
        }
        if (want > radius - 0.01 && rc)
            continue; /* at the edge of the radius: either answer is right */
        ck_assert_msg(rc == 0, "%s", err.msg);
        ck_assert_msg(fabs(s.distance_m - want) < 0.01 + want * 1e-4, "got %f want %f",
                      s.distance_m, want);
        ck_assert(s.fraction >= 0 && s.fraction <= 1);
        snapped++;
    }
    ck_assert_int_gt(snapped, 1000);
    fx_graph_done(g, path);
}
END_TEST

Suite *snap_suite(void); /* for the runner */

Suite *snap_suite(void)
{
    Suite *s = suite_create("snap");
    TCase *tc = tu_tcase(s, "snap", 120);
    tcase_add_loop_test(tc, t_snap_hand, 0, (int)(sizeof snap_cases / sizeof *snap_cases));
    tcase_add_test(tc, t_snap_errors);
    tcase_add_test(tc, t_snap_at_partial);
    tcase_add_test(tc, t_snap_brute);
    return s;
}
