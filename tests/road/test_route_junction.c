/* tests/road/test_route_junction.c -- routes to, from and between points lying exactly on a
 * junction, snapped onto another road than the one driven (tnet.h: a point on a junction starts
 * on every road leaving it and is reached at the end of every road into it; tnet_direct()).
 *
 * The hand graph (metres; -> one-way), traffic signals at J (3 s for every turn there, turns
 * otherwise free):
 *
 *              3 (100,100)
 *            ^ |  ^
 *      Return| North\Back (2 -> 3, 141.421 m, 30 s)
 *  (3 -> 0)  | |     \
 *            0 -West-> J (100,0) -East-> 2 (200,0)
 *                      ^
 *                      South (4 -> J)
 *                      4 (100,-100)
 *
 * West 0 -> J 100 m 10 s, East J -> 2 100 m 10 s, North J - 3 two-way 100 m 20 s, Back 2 -> 3
 * 141.421 m 30 s, Return 3 -> 0 141.421 m 30 s, South 4 -> J 100 m 10 s.
 * Worked out by hand (the drive along one road needs no turn, so no signal):
 *  (a) from West's middle to J snapped onto South's end (a road only into J): 5 s, 50 m along
 *      West (the search alone goes round North, Return and West again: 5 + 3 + 60 = 68 s);
 *      to J snapped onto East's start (a road out of J): 5 s, 50 m (not 5 + 3 + 10 - 10 = 8 s
 *      through the turn onto East and back to its start);
 *  (b) from J on West's end to J on South's end: 0 s, 0 m (the search alone: 60 s round);
 *  mirror: from J on South's end to East's middle: 5 s, 50 m along East (no turn: the crew at J
 *      sets off along East), and to North's middle: 10 s, 50 m.
 * Each for route_cost and route_compute (A* with landmarks, and the hierarchy) and a table cell;
 * the nearest centre by time (labels.h) of a centre at West's middle to J on East and on South:
 * 5 s. */
#include "base/store.h"
#include "centres/centres.h"
#include "road/graph.h"
#include "road/labels.h"
#include "road/route.h"
#include "road/snap.h"
#include "road/table.h"
#include "road/turn.h"
#include "fixture_graph.h"
#include "fixture_route.h"
#include "testutil.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { W, EAST, NORTH, BACK, RETURN, SOUTH }; /* edge ids */

static const struct fx_node jn_nodes[] = {{0, 0}, {100, 0}, {200, 0}, {100, 100}, {100, -100}};
static const struct fx_edge jn_edges[] = {
    {0, 1, 100, 10, 1, 0, "West", NULL, 0, 0},      {1, 2, 100, 10, 1, 0, "East", NULL, 0, 0},
    {1, 3, 100, 20, 1, 1, "North", NULL, 0, 0},     {2, 3, 141.421, 30, 1, 0, "Back", NULL, 0, 0},
    {3, 0, 141.421, 30, 1, 0, "Return", NULL, 0, 0}, {4, 1, 100, 10, 1, 0, "South", NULL, 0, 0},
};

struct jfx {
    char *path;
    struct graph *g;
    struct route_ctx *ctx;
    struct kkc_err err;
};

/* The junction graph with signals at J, loaded with landmarks (A*) or with the hierarchy. */
static void jfx_open(struct jfx *f, int hierarchy)
{
    struct store *st = NULL;
    struct turn_costs c = {.turn_penalty_s = 0, .turn_bias = 1, .u_turn_s = 0, .signal_s = 3};
    struct graph_options o = {.landmarks = hierarchy ? 0 : 2, .hierarchy = hierarchy, .turns = &c};
    double lon, lat;
    f->err = (struct kkc_err){0};
    f->path = fx_db(jn_nodes, 5, jn_edges, 6);
    ck_assert_int_eq(store_open(f->path, STORE_READWRITE, &st, &f->err), KKC_OK);
    to_lonlat(100, 0, &lon, &lat);
    char sql[256];
    snprintf(sql, sizeof sql,
             "INSERT INTO road_points (osm_id, barrier, signals, node, lon, lat) "
             "VALUES (9001, 0, 1, 1, %.10f, %.10f)",
             lon, lat);
    ck_assert_msg(store_exec(st, sql, &f->err) == KKC_OK, "%s", f->err.msg);
    store_close(st);
    ck_assert_int_eq(store_open(f->path, STORE_READONLY, &st, &f->err), KKC_OK);
    ck_assert_msg(graph_load_opts(st, &o, &f->g, &f->err) == KKC_OK, "%s", f->err.msg);
    store_close(st);
    ck_assert_msg(route_ctx_create(f->g, &f->ctx, &f->err) == KKC_OK, "%s", f->err.msg);
}

static void jfx_close(struct jfx *f)
{
    route_ctx_destroy(f->ctx);
    fx_graph_done(f->g, f->path);
}

static struct snap at(struct jfx *f, uint32_t e, double fraction)
{
    struct snap s;
    ck_assert_int_eq(snap_at(f->g, e, fraction, &s, &f->err), KKC_OK);
    return s;
}

/* route_cost, route_compute (pieces, geometry) and a table cell from a to b: ms and dm as hand
 * worked; the route drives one piece of edge `edge` (or none for 0 m) from f0 to f1. */
static void check_one(struct jfx *f, struct snap a, struct snap b, uint32_t ms, uint32_t dm,
                      uint32_t edge, double f0, double f1)
{
    graph_cost c, tc;
    struct route_result *r = NULL;
    ck_assert_msg(route_cost(f->g, f->ctx, &a, &b, &c, &f->err) == KKC_OK, "%s", f->err.msg);
    ck_assert_msg(graph_cost_ms(c) == ms && graph_cost_dm(c) == dm,
                  "e%u@%.2f -> e%u@%.2f: %u ms %u dm, by hand %u ms %u dm", a.edge, a.fraction,
                  b.edge, b.fraction, graph_cost_ms(c), graph_cost_dm(c), ms, dm);
    ck_assert_int_eq(route_table(f->g, f->ctx, &a, 1, &b, 1, &tc, &f->err), KKC_OK);
    ck_assert_uint_eq(tc, c);
    ck_assert_msg(route_compute(f->g, f->ctx, &a, &b, 1, &r, &f->err) == KKC_OK, "%s",
                  f->err.msg);
    ck_assert_int_eq(llround(r->duration_s * 1000), ms);
    ck_assert_int_eq(llround(r->distance_m * 10), dm);
    ck_assert_uint_ge(r->coord_count, 2);
    ck_assert_double_eq(r->coords[0], a.lon);
    ck_assert_double_eq(r->coords[1], a.lat);
    ck_assert_double_eq(r->coords[2 * r->coord_count - 2], b.lon);
    ck_assert_double_eq(r->coords[2 * r->coord_count - 1], b.lat);
    ck_assert_uint_eq(r->edge_count, 1);
    ck_assert_uint_eq(r->step_count, 1);
    if (dm) {
        ck_assert_uint_eq(r->edges[0].edge, edge);
        ck_assert_int_eq(r->edges[0].reverse, 0);
        ck_assert_double_eq_tol(r->edges[0].from_fraction, f0, 1e-9);
        ck_assert_double_eq_tol(r->edges[0].to_fraction, f1, 1e-9);
    }
    ck_assert_double_eq_tol(r->edges[0].duration_s, r->duration_s, 1e-9);
    ck_assert_double_eq_tol(r->steps[0].distance_m, r->distance_m, 1e-9);
    route_result_destroy(r);
}

/* A centre at West's middle (snapped 2 m off), the nearest by time to J snapped onto East (a road
 * out of J) and onto South (a road only into J): 5 s, 50 m along West, both. */
static void check_labels(struct jfx *f, const struct snap *j_e, const struct snap *j_s)
{
    static const double xy[1][2] = {{50, 2}};
    struct centres *cs = make_centres(xy, NULL, 1);
    struct labels *l = NULL;
    struct labels_options o = {0, 0, 1, 0};
    const struct snap *cp = NULL;
    ck_assert_msg(labels_build(f->g, cs, &o, &l, &f->err) == KKC_OK, "%s", f->err.msg);
    ck_assert_int_eq(labels_centre(l, 0, &cp), LABELS_USED);
    ck_assert_uint_eq(cp->edge, W);
    for (int i = 0; i < 2; i++) {
        struct labels_hit hit[1];
        size_t n = 0;
        ck_assert_int_eq(labels_nearest(l, i ? j_s : j_e, 1, hit, &n, &f->err), KKC_OK);
        ck_assert_uint_eq(n, 1);
        ck_assert_uint_eq(graph_cost_ms(hit[0].cost), 5000);
        ck_assert_uint_eq(graph_cost_dm(hit[0].cost), 500);
    }
    labels_destroy(l);
    centres_destroy(cs);
}

/* All the hand cases on one graph; returns the costs for comparing A* with the hierarchy. */
static void check_cases(int hierarchy, graph_cost out[6])
{
    struct jfx f;
    jfx_open(&f, hierarchy);
    struct snap mid_w = at(&f, W, 0.5), j_w = at(&f, W, 1), j_s = at(&f, SOUTH, 1);
    struct snap j_e = at(&f, EAST, 0), mid_e = at(&f, EAST, 0.5), mid_n = at(&f, NORTH, 0.5);
    ck_assert_double_eq(j_w.lon, j_s.lon); /* the same junction */
    ck_assert_double_eq(j_w.lat, j_s.lat);
    check_one(&f, mid_w, j_s, 5000, 500, W, 0.5, 1);   /* (a) onto a road only into J */
    check_one(&f, mid_w, j_e, 5000, 500, W, 0.5, 1);   /* (a) onto a road out of J */
    check_one(&f, j_w, j_s, 0, 0, W, 1, 1);            /* (b) one junction, two roads */
    check_one(&f, j_s, j_w, 0, 0, W, 1, 1);            /* (b) the other way round */
    check_one(&f, j_s, mid_e, 5000, 500, EAST, 0, 0.5); /* mirror */
    check_one(&f, j_s, mid_n, 10000, 500, NORTH, 0, 0.5);
    struct snap pairs[6][2] = {{mid_w, j_s}, {mid_w, j_e}, {j_w, j_s},
                               {j_s, j_w},   {j_s, mid_e}, {j_s, mid_n}};
    for (int i = 0; i < 6; i++)
        ck_assert_int_eq(route_cost(f.g, f.ctx, &pairs[i][0], &pairs[i][1], &out[i], &f.err),
                         KKC_OK);
    /* the turn still costs where the route goes on: West's middle to East's middle 5 + 3 + 5 s */
    graph_cost c;
    ck_assert_int_eq(route_cost(f.g, f.ctx, &mid_w, &mid_e, &c, &f.err), KKC_OK);
    ck_assert_uint_eq(graph_cost_ms(c), 13000);
    if (!hierarchy)
        check_labels(&f, &j_e, &j_s);
    jfx_close(&f);
}

/* The hand values by A* with landmarks. */
START_TEST(t_junction_astar)
{
    graph_cost a[6];
    check_cases(0, a);
}
END_TEST

/* The same by the hierarchy, each cost equal to A*'s. */
START_TEST(t_junction_hierarchy)
{
    graph_cost a[6], h[6];
    check_cases(1, h);
    check_cases(0, a);
    for (int i = 0; i < 6; i++)
        ck_assert_uint_eq(h[i], a[i]);
}
END_TEST

Suite *route_junction_suite(void); /* for the runner */

Suite *route_junction_suite(void)
{
    TCase *tc = tcase_create("junction");
    tcase_add_test(tc, t_junction_astar);
    tcase_add_test(tc, t_junction_hierarchy);
    Suite *s = suite_create("route_junction");
    suite_add_tcase(s, tc);
    return s;
}
