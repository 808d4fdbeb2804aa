/* tests/road/test_route.c -- point-to-point routes (route.h); nearest centres by time are
 * tests/road/test_labels.c.
 *
 * Two kinds of oracle, none of them the code under test: answers worked out by hand on a small
 * map (the picture in tests/fixture_graph.h), and the plain O(n^2) Dijkstra over the edges read
 * straight from the database with SQL (tests/fixture_route.h). Costs are compared exactly:
 * milliseconds and decimetres, each edge's duration and length rounded to those units, as
 * graph.h documents. */
#include "centres/centres.h"
#include "road/graph.h"
#include "road/labels.h"
#include "road/route.h"
#include "road/snap.h"
#include "base/store.h"
#include "testutil.h"
#include "fixture_graph.h"
#include "fixture_osm.h"
#include "fixture_route.h"

#include <check.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


/* The checked fixture of the "hand" test case: for each test, a new database with the hand graph,
 * the graph loaded from it and a route context on it. */
static char *hand_path;
static struct graph *hand_g;
static struct route_ctx *hand_ctx;

static void hand_setup(void)
{
    struct kkc_err err = {0};
    hand_path = fx_db(hand_nodes, HAND_NODES, hand_edges, HAND_EDGES);
    hand_g = fx_graph_load(hand_path);
    ck_assert_msg(route_ctx_create(hand_g, &hand_ctx, &err) == 0, "%s", err.msg);
}

static void hand_teardown(void)
{
    route_ctx_destroy(hand_ctx);
    hand_ctx = NULL;
    fx_graph_done(hand_g, hand_path);
}

/* "A|D|C" from a result's step names. */
static void step_names(const struct route_result *r, char *buf, size_t cap)
{
    buf[0] = '\0';
    for (size_t i = 0; i < r->step_count; i++)
        snprintf(buf + strlen(buf), cap - strlen(buf), "%s%s", i ? "|" : "", r->steps[i].name);
}

/* ---- hand cases ------------------------------------------------------------------------------ */

static const struct {
    uint32_t e1;
    double f1;
    uint32_t e2;
    double f2;
    enum kkc_code rc;
    double dur, dist;
    const char *steps;
} route_cases[] = {
    {0, 0.5, 1, 0.5, 0, 10, 100, "A"},             /* with the one-way */
    {1, 0.5, 0, 0.5, 0, 70, 441.4, "A|D|C|B|A"},   /* against it: round the block */
    {1, 0.25, 1, 0.75, 0, 5, 50, "A"},             /* same one-way edge, forward */
    {1, 0.75, 1, 0.25, 0, 65, 391.4, "A|D|C|B|A"}, /* same one-way edge, backward */
    {0, 0.75, 0, 0.25, 0, 5, 50, "A"},             /* same two-way edge, backward */
    {4, 0.75, 4, 0.25, 0, 10, 50, "D"},            /* backward-only edge, its way */
    {4, 0.25, 4, 0.75, 0, 60, 391.4, "D|C|B|A|D"}, /* backward-only edge, against it */
    {0, 0.5, 5, 0.5, KKC_ENOROUTE, 0, 0, NULL},    /* onto the island */
    {6, 0.5, 0, 0.5, KKC_ENOROUTE, 0, 0, NULL},    /* out of the dead end */
    {0, 0.5, 6, 0.5, 0, 10, 100, "A|Dead end"},    /* into the dead end */
    {2, 0, 1, 1, 0, 10, 100, "A"},                 /* node 1 to node 2: zero pieces dropped */
    {3, 0.5, 3, 0.5, 0, 0, 0, "C"},                /* the same point */
    {3, 0.25, 2, 0.5, 0, 15, 85.4, "C|B"},         /* partial C (35.4 m) then half of B */
};

START_TEST(t_route_hand)
{
    struct route_result *r = NULL;
    struct snap a, b;
    struct kkc_err err = {0};
    graph_cost cost;
    char names[256];
    double sd = 0, st = 0;

    ck_assert_int_eq(snap_at(hand_g, route_cases[_i].e1, route_cases[_i].f1, &a, &err), 0);
    ck_assert_int_eq(snap_at(hand_g, route_cases[_i].e2, route_cases[_i].f2, &b, &err), 0);
    ck_assert_int_eq(route_compute(hand_g, hand_ctx, &a, &b, 1, &r, &err), route_cases[_i].rc);
    ck_assert_int_eq(route_cost(hand_g, hand_ctx, &a, &b, &cost, &err), route_cases[_i].rc);
    if (route_cases[_i].rc) {
        ck_assert_ptr_null(r);
        ck_assert_int_eq(err.code, route_cases[_i].rc);
        goto out;
    }
    ck_assert_double_eq_tol(r->duration_s, route_cases[_i].dur, 1e-9);
    ck_assert_double_eq_tol(r->distance_m, route_cases[_i].dist, 1e-9);
    ck_assert_double_eq(graph_cost_seconds(cost), r->duration_s);
    step_names(r, names, sizeof names);
    ck_assert_str_eq(names, route_cases[_i].steps);
    for (size_t i = 0; i < r->step_count; i++)
        sd += r->steps[i].distance_m, st += r->steps[i].duration_s;
    ck_assert_double_eq_tol(sd, r->distance_m, 1e-6);
    ck_assert_double_eq_tol(st, r->duration_s, 1e-6);
    ck_assert_uint_ge(r->coord_count, 2);
    ck_assert_double_eq(r->coords[0], a.lon);
    ck_assert_double_eq(r->coords[2 * r->coord_count - 1], b.lat);
out:
    route_result_destroy(r);
}
END_TEST

START_TEST(t_route_geometry)
{
    struct route_result *r = NULL;
    struct snap a, b;
    struct kkc_err err = {0};
    /* e1 at 0.5 -> e0 at 0.5: (150,0) 2 (200,0) 4 (200,100) via (150,150) 3 (100,100) 1 (100,0)
     * and (50,0) */
    static const double want[7][2] = {{150, 0},   {200, 0}, {200, 100}, {150, 150},
                                      {100, 100}, {100, 0}, {50, 0}};
    static const uint32_t edges[5] = {1, 4, 3, 2, 0};
    static const size_t first[5] = {0, 1, 2, 4, 5};

    ck_assert_int_eq(snap_at(hand_g, 1, 0.5, &a, &err), 0);
    ck_assert_int_eq(snap_at(hand_g, 0, 0.5, &b, &err), 0);
    ck_assert_int_eq(route_compute(hand_g, hand_ctx, &a, &b, 1, &r, &err), 0);
    ck_assert_uint_eq(r->coord_count, 7);
    for (int i = 0; i < 7; i++) {
        double lon, lat;
        to_lonlat(want[i][0], want[i][1], &lon, &lat);
        ck_assert_double_eq_tol(r->coords[2 * i], lon, 1e-9);
        ck_assert_double_eq_tol(r->coords[2 * i + 1], lat, 1e-9);
    }
    ck_assert_uint_eq(r->edge_count, 5);
    for (int i = 0; i < 5; i++) {
        ck_assert_uint_eq(r->edges[i].edge, edges[i]);
        ck_assert_int_eq(r->edges[i].reverse, i > 0);
        ck_assert_uint_eq(r->edges[i].coord_first, first[i]);
        ck_assert_uint_eq(r->edges[i].coord_last, i < 4 ? first[i + 1] : 6);
        ck_assert_uint_eq(r->steps[i].edge_first, (size_t)i);
        ck_assert_uint_eq(r->steps[i].edge_count, 1);
    }
    ck_assert_double_eq(r->edges[0].from_fraction, 0.5);
    ck_assert_double_eq(r->edges[0].to_fraction, 1);
    ck_assert_double_eq(r->edges[4].from_fraction, 1);
    ck_assert_double_eq(r->edges[4].to_fraction, 0.5);
    ck_assert_double_eq_tol(r->edges[2].duration_s, 20, 1e-9);
    ck_assert_str_eq(r->steps[2].ref, "II/300");
    ck_assert_str_eq(r->steps[2].name, "C");
    route_result_destroy(r);
    /* without geometry: the same figures, no points */
    ck_assert_int_eq(route_compute(hand_g, hand_ctx, &a, &b, 0, &r, &err), 0);
    ck_assert_uint_eq(r->coord_count, 0);
    ck_assert_ptr_null(r->coords);
    ck_assert_uint_eq(r->step_count, 5);
    ck_assert_double_eq_tol(r->duration_s, 70, 1e-9);
    route_result_destroy(r);
}
END_TEST

/* Node to node (road_nodes ids); -1 = no route. */
static const struct {
    uint32_t a, b;
    double dur, dist;
} node_cases[] = {
    {0, 2, 20, 200}, {2, 0, 70, 441.4}, {0, 7, 10, 100}, {7, 0, -1, 0},
    {5, 6, 10, 100}, {6, 5, -1, 0},     {3, 3, 0, 0},    {4, 1, 40, 241.4},
};

START_TEST(t_route_nodes)
{
    struct kkc_err err = {0};
    graph_cost c = 0;
    enum kkc_code rc;

    for (size_t i = 0; i < sizeof node_cases / sizeof *node_cases; i++) {
        rc = route_node_cost(hand_g, hand_ctx, graph_node_from_dbid(hand_g, node_cases[i].a),
                             graph_node_from_dbid(hand_g, node_cases[i].b), &c, &err);
        if (node_cases[i].dur < 0) {
            ck_assert_int_eq(rc, KKC_ENOROUTE);
            continue;
        }
        ck_assert_msg(rc == 0, "%u->%u: %s", node_cases[i].a, node_cases[i].b, err.msg);
        ck_assert_double_eq_tol(graph_cost_seconds(c), node_cases[i].dur, 1e-9);
        ck_assert_double_eq_tol(graph_cost_metres(c), node_cases[i].dist, 1e-9);
    }
    ck_assert_int_eq(route_node_cost(hand_g, hand_ctx, 8, 0, &c, &err), KKC_EINVAL);
}
END_TEST

START_TEST(t_route_snapped)
{
    struct route_result *r = NULL;
    struct snap a, b;
    struct kkc_err err = {0};
    double lon, lat;

    to_lonlat(20, 15, &lon, &lat); /* above A at 20 m */
    ck_assert_int_eq(snap_point(hand_g, lon, lat, 1000, &a, &err), 0);
    to_lonlat(180, -10, &lon, &lat); /* below the one-way at 180 m */
    ck_assert_int_eq(snap_point(hand_g, lon, lat, 1000, &b, &err), 0);
    ck_assert_uint_eq(b.edge, 1);
    ck_assert_int_eq(route_compute(hand_g, hand_ctx, &a, &b, 1, &r, &err), 0);
    ck_assert_double_eq_tol(r->duration_s, 16, 1e-9); /* 8 s of A, 8 s of the one-way */
    ck_assert_double_eq_tol(r->distance_m, 160, 1e-9);
    ck_assert_double_eq(r->coords[0], a.lon);
    ck_assert_double_eq(r->coords[1], a.lat);
    route_result_destroy(r);
    ck_assert_int_eq(route_compute(hand_g, hand_ctx, &b, &a, 1, &r, &err), 0);
    ck_assert_double_eq_tol(r->duration_s, 2 + 60 + 8, 1e-9);
    route_result_destroy(r);
}
END_TEST

START_TEST(t_route_other_graph)
{
    struct graph *g2 = fx_graph_load(hand_path);
    struct route_result *r = NULL;
    struct snap a;
    struct kkc_err err = {0};
    ck_assert_int_eq(snap_at(hand_g, 0, 0.5, &a, &err), 0);
    ck_assert_int_eq(route_compute(g2, hand_ctx, &a, &a, 1, &r, &err), KKC_EINVAL);
    route_ctx_destroy(NULL);
    route_result_destroy(NULL);
    graph_destroy(g2);
}
END_TEST

START_TEST(t_route_vs_oracle_nodes)
{
    int nn;
    struct ofx f;
    ofx_open(&f, grid_db(14, 1000 + (unsigned)_i, &nn));
    struct od *dist = calloc((size_t)nn, sizeof *dist);
    struct kkc_err err = {0};
    unsigned long long rs = 5 + (unsigned)_i;
    int reached = 0;

    for (int q = 0; q < 12; q++) {
        int a = (int)(tu_rand(&rs) * nn);
        struct od zero = {0, 0};
        oracle_run(f.o, &a, &zero, 1, dist);
        for (int b = 0; b < nn; b++) {
            graph_cost c = 0;
            enum kkc_code rc = route_node_cost(f.g, f.ctx, graph_node_from_dbid(f.g, (uint32_t)a),
                                               graph_node_from_dbid(f.g, (uint32_t)b), &c, &err);
            if (dist[b].t < 0) {
                ck_assert_int_eq(rc, KKC_ENOROUTE);
                continue;
            }
            ck_assert_msg(rc == 0, "%d->%d: %s", a, b, err.msg);
            ck_assert_int_eq((long long)graph_cost_ms(c), dist[b].t);
            ck_assert_int_eq((long long)graph_cost_dm(c), dist[b].d);
            reached++;
        }
    }
    ck_assert_int_gt(reached, 12 * nn / 2);
    free(dist);
    ofx_close(&f);
}
END_TEST

/* Route invariants: points from the start to the end, pieces joined end to end, sums. */
static void check_result(const struct graph *g, const struct route_result *r, const struct snap *a,
                         const struct snap *b)
{
    double d = 0, t = 0;
    ck_assert_double_eq(r->coords[0], a->lon);
    ck_assert_double_eq(r->coords[1], a->lat);
    ck_assert_double_eq(r->coords[2 * r->coord_count - 2], b->lon);
    ck_assert_double_eq(r->coords[2 * r->coord_count - 1], b->lat);
    for (size_t i = 0; i < r->edge_count; i++) {
        const struct route_edge *e = &r->edges[i];
        d += e->distance_m, t += e->duration_s;
        ck_assert_uint_le(e->coord_first, e->coord_last);
        ck_assert_uint_lt(e->coord_last, r->coord_count);
        if (i > 0) {
            const struct route_edge *p = &r->edges[i - 1];
            uint32_t pn = p->reverse ? g->edge_source[p->edge] : g->edge_target[p->edge];
            uint32_t en = e->reverse ? g->edge_target[e->edge] : g->edge_source[e->edge];
            ck_assert_uint_eq(pn, en);
            ck_assert_uint_eq(p->coord_last, e->coord_first);
        }
        ck_assert(g->edge_flags[e->edge] & (e->reverse ? GRAPH_BACKWARD : GRAPH_FORWARD) ||
                  e->duration_s == 0);
    }
    ck_assert_double_eq_tol(d, r->distance_m, 1e-6);
    ck_assert_double_eq_tol(t, r->duration_s, 1e-6);
}

START_TEST(t_route_vs_oracle_points)
{
    int nn;
    struct ofx f;
    ofx_open(&f, grid_db(12, 2000 + (unsigned)_i, &nn));
    struct od *dist = calloc((size_t)nn, sizeof *dist);
    struct kkc_err err = {0};
    unsigned long long rs = 77 + (unsigned)_i;

    for (int q = 0; q < 15; q++) {
        struct snap a, b;
        random_snap(f.g, &rs, &a);
        oracle_from_point(f.o, (int)a.edge, a.fraction, dist);
        for (int k = 0; k < 20; k++) {
            struct route_result *r = NULL;
            struct od want;
            if (k < 3) /* on the same edge */
                snap_at(f.g, a.edge, tu_rand(&rs), &b, &err);
            else
                random_snap(f.g, &rs, &b);
            want = oracle_to_point(f.o, dist, (int)a.edge, a.fraction, (int)b.edge, b.fraction);
            ck_assert_msg(want.t >= 0, "the grid's main component is strongly connected");
            ck_assert_msg(route_compute(f.g, f.ctx, &a, &b, 1, &r, &err) == 0, "%s", err.msg);
            ck_assert_int_eq(llround(r->duration_s * 1000), want.t);
            ck_assert_int_eq(llround(r->distance_m * 10), want.d);
            check_result(f.g, r, &a, &b);
            route_result_destroy(r);
        }
    }
    free(dist);
    ofx_close(&f);
}
END_TEST

/* ---- real extracts and threads --------------------------------------------------------------- */

/* The extract NAME imported into a new database, for the node-based SQL oracle without its turn
 * restrictions (those have the pgr_trsp oracle, tests/scripts/route_oracle.sh); its path. */
static char *osm_db(const char *name)
{
    return fx_extract_db(name, "DELETE FROM road_restrictions");
}

/* A point up to 25 m off a random snappable edge, snapped. */
static void random_edge_snap(const struct graph *g, unsigned long long *rs, struct snap *s)
{
    struct kkc_err err = {0};
    for (;;) {
        uint32_t e = (uint32_t)(tu_rand(rs) * g->edge_count);
        double a = tu_rand(rs) * 2 * M_PI, d = tu_rand(rs) * 25, kx;
        struct snap on;
        if (!(g->edge_flags[e] & GRAPH_SNAPPABLE))
            continue;
        ck_assert_int_eq(snap_at(g, e, tu_rand(rs), &on, &err), 0);
        kx = KY * cos(on.lat * M_PI / 180); /* metres per degree of longitude, roughly */
        if (snap_point(g, on.lon + cos(a) * d / kx, on.lat + sin(a) * d / KY, 1000, s, &err) == 0)
            return;
    }
}

static const char *const extracts[] = {"monaco-2016", "andorra"};

/* Real roads: routes against the SQL oracle, nearest-by-time against a route from each centre. */
START_TEST(t_real_extract)
{
    struct ofx f;
    ofx_open(&f, osm_db(extracts[_i]));
    struct labels *l = NULL;
    struct labels_options opt = {0, 0, 4, 0};
    struct od *dist = calloc((size_t)f.o->n, sizeof *dist);
    double pos[12][2];
    unsigned long long rs = 500 + (unsigned)_i;
    struct kkc_err err = {0};
    struct centres *cs;

    for (int q = 0; q < 5; q++) {
        struct snap a, b;
        random_edge_snap(f.g, &rs, &a);
        oracle_from_point(f.o, (int)a.edge, a.fraction, dist);
        for (int k = 0; k < 40; k++) {
            struct route_result *r = NULL;
            struct od want;
            random_edge_snap(f.g, &rs, &b);
            want = oracle_to_point(f.o, dist, (int)a.edge, a.fraction, (int)b.edge, b.fraction);
            ck_assert_int_ge(want.t, 0);
            ck_assert_msg(route_compute(f.g, f.ctx, &a, &b, 1, &r, &err) == 0, "%s", err.msg);
            ck_assert_int_eq(llround(r->duration_s * 1000), want.t);
            ck_assert_int_eq(llround(r->distance_m * 10), want.d);
            check_result(f.g, r, &a, &b);
            route_result_destroy(r);
        }
    }
    for (int i = 0; i < 12; i++) {
        struct snap c;
        random_edge_snap(f.g, &rs, &c);
        pos[i][0] = c.query_lon, pos[i][1] = c.query_lat;
    }
    cs = make_centres_at((const double(*)[2])pos, 0, NULL, 12);
    ck_assert_msg(labels_build(f.g, cs, &opt, &l, &err) == 0, "%s", err.msg);
    for (int q = 0; q < 150; q++) {
        struct labels_hit hit[3], all[12];
        size_t n, na = 0;
        struct snap p;
        random_edge_snap(f.g, &rs, &p);
        for (int i = 0; i < 12; i++) {
            const struct snap *cp;
            graph_cost c;
            ck_assert_int_eq(labels_centre(l, (size_t)i, &cp), LABELS_USED);
            ck_assert_int_eq(route_cost(f.g, f.ctx, cp, &p, &c, &err), 0);
            all[na++] = (struct labels_hit){(uint32_t)i, 0, 0, c};
        }
        qsort(all, na, sizeof *all, cmp_hit);
        ck_assert_int_eq(labels_nearest(l, &p, 3, hit, &n, &err), 0);
        ck_assert_uint_eq(n, 3);
        for (size_t j = 0; j < n; j++) {
            ck_assert_uint_eq(hit[j].centre, all[j].centre);
            ck_assert_uint_eq(hit[j].cost, all[j].cost);
        }
    }
    labels_destroy(l);
    centres_destroy(cs);
    free(dist);
    ofx_close(&f);
}
END_TEST

/* Work for one thread: the same queries as the main thread, answers compared there. */
struct thr {
    const struct graph *g;
    const struct labels *l;
    const struct snap *pts;
    const graph_cost *want;
    const struct labels_hit *want_hit;
    int n, bad;
};

static void *thr_run(void *arg)
{
    struct thr *t = arg;
    struct route_ctx *ctx = NULL;
    struct kkc_err err = {0};
    if (route_ctx_create(t->g, &ctx, &err)) {
        t->bad = -1;
        return NULL;
    }
    for (int rep = 0; rep < 3; rep++) {
        for (int i = 0; i < t->n; i++) {
            struct route_result *r = NULL;
            struct labels_hit hit[3];
            size_t nh;
            if (route_compute(t->g, ctx, &t->pts[i], &t->pts[(i * 7 + 3) % t->n], 1, &r, &err) ||
                llround(r->duration_s * 1000) != graph_cost_ms(t->want[i]))
                t->bad++;
            route_result_destroy(r);
            if (labels_nearest(t->l, &t->pts[i], 3, hit, &nh, &err) || nh != 3)
                t->bad++;
            for (size_t j = 0; j < 3 && nh == 3; j++)
                t->bad += hit[j].centre != t->want_hit[3 * i + j].centre ||
                          hit[j].cost != t->want_hit[3 * i + j].cost;
        }
    }
    route_ctx_destroy(ctx);
    return NULL;
}

/* Four threads share one graph and one set of labels, each with its own route_ctx. */
START_TEST(t_route_threads)
{
    int nn, n = 150;
    char *path = grid_db(12, 6000, &nn);
    struct graph *g = fx_graph_load(path);
    struct route_ctx *ctx = NULL;
    struct snap *pts = calloc((size_t)n, sizeof *pts);
    graph_cost *want = calloc((size_t)n, sizeof *want);
    struct labels_hit *want_hit = calloc((size_t)n * 3, sizeof *want_hit);
    double xy[8][2];
    unsigned long long rs = 17;
    struct labels *l = NULL;
    struct kkc_err err = {0};
    struct thr t[4];
    pthread_t th[4];
    struct centres *cs;
    size_t nh;

    for (int i = 0; i < 8; i++)
        xy[i][0] = tu_rand(&rs) * 1000, xy[i][1] = tu_rand(&rs) * 1000;
    cs = make_centres((const double(*)[2])xy, NULL, 8);
    ck_assert_int_eq(labels_build(g, cs, NULL, &l, &err), 0);
    ck_assert_int_eq(route_ctx_create(g, &ctx, &err), 0);
    for (int i = 0; i < n; i++)
        random_snap(g, &rs, &pts[i]);
    for (int i = 0; i < n; i++) {
        ck_assert_int_eq(route_cost(g, ctx, &pts[i], &pts[(i * 7 + 3) % n], &want[i], &err), 0);
        ck_assert_int_eq(labels_nearest(l, &pts[i], 3, want_hit + 3 * i, &nh, &err), 0);
    }
    for (int i = 0; i < 4; i++) {
        t[i] = (struct thr){g, l, pts, want, want_hit, n, 0};
        ck_assert_int_eq(pthread_create(&th[i], NULL, thr_run, &t[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        ck_assert_int_eq(t[i].bad, 0);
    }
    labels_destroy(l);
    centres_destroy(cs);
    free(pts), free(want), free(want_hit);
    route_ctx_destroy(ctx);
    fx_graph_done(g, path);
}
END_TEST

Suite *route_suite(void); /* for the runner */

Suite *route_suite(void)
{
    Suite *s = suite_create("route");
    /* each test writes a new SpatiaLite database: slow under ASan */
    TCase *tc = tu_tcase(s, "hand", 60);
    TCase *to = tu_tcase(s, "oracle", 300);
    tcase_add_checked_fixture(tc, hand_setup, hand_teardown);
    tcase_add_loop_test(tc, t_route_hand, 0, (int)(sizeof route_cases / sizeof *route_cases));
    tcase_add_test(tc, t_route_geometry);
    tcase_add_test(tc, t_route_nodes);
    tcase_add_test(tc, t_route_snapped);
    tcase_add_test(tc, t_route_other_graph);
    tcase_add_loop_test(to, t_route_vs_oracle_nodes, 0, 3);
    tcase_add_loop_test(to, t_route_vs_oracle_points, 0, 3);
    tcase_add_loop_test(to, t_real_extract, 0, (int)(sizeof extracts / sizeof *extracts));
    tcase_add_test(to, t_route_threads);
    return s;
}
