/* tests/road/test_route.c -- point-to-point routes (route.h) and nearest centres by time (labels.h).
 *
 * Three kinds of oracle, none of them the code under test: answers worked out by hand on a
 * small map (the picture below); a plain O(n^2) Dijkstra written here over the edges read
 * straight from the database with SQL; and brute force (a route from every centre) for the
 * labels. Costs are compared exactly: milliseconds and decimetres, each edge's duration and
 * length rounded to those units, as graph.h documents. */
#include "centres/centres.h"
#include "road/graph.h"
#include "road/labels.h"
#include "road/route.h"
#include "road/snap.h"
#include "base/store.h"
#include "testutil.h"
#include "fixture_graph.h"
#include "fixture_osm.h"

#include <check.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


static struct graph *fx_load(const char *path)
{
    struct store *st = NULL;
    struct graph *g = NULL;
    struct kkc_err err = {0};
    ck_assert_msg(store_open(path, STORE_READONLY, &st, &err) == 0, "%s", err.msg);
    ck_assert_msg(graph_load(st, &g, &err) == 0, "%s", err.msg);
    store_close(st);
    return g;
}

static void fx_done(struct graph *g, char *path)
{
    graph_destroy(g);
    unlink(path);
    free(path);
}

/* The checked fixture of the "hand" test case: for each test, a new database with the hand graph,
 * the graph loaded from it and a route context on it. */
static char *hand_path;
static struct graph *hand_g;
static struct route_ctx *hand_ctx;

static void hand_setup(void)
{
    struct kkc_err err = {0};
    hand_path = fx_db(hand_nodes, HAND_NODES, hand_edges, HAND_EDGES);
    hand_g = fx_load(hand_path);
    ck_assert_msg(route_ctx_create(hand_g, &hand_ctx, &err) == 0, "%s", err.msg);
}

static void hand_teardown(void)
{
    route_ctx_destroy(hand_ctx);
    hand_ctx = NULL;
    fx_done(hand_g, hand_path);
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
    struct graph *g2 = fx_load(hand_path);
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

/* ---- the independent oracle ------------------------------------------------------------------ */

/* The edges as read with SQL, costs rounded to ms and dm. */
struct oracle {
    int n, m;
    int *src, *dst, *fw, *bw;
    long long *ms, *dm;
};

static struct oracle *oracle_load(const char *path)
{
    struct oracle *o = calloc(1, sizeof *o);
    struct store *st = NULL;
    sqlite3_stmt *s = NULL;
    struct kkc_err err = {0};
    ck_assert_int_eq(store_open(path, STORE_READONLY, &st, &err), 0);
    ck_assert_int_eq(store_prepare(st,
                                   "SELECT (SELECT count(*) FROM road_nodes), count(*) FROM "
                                   "road_edges",
                                   &s, &err),
                     0);
    ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
    o->n = sqlite3_column_int(s, 0), o->m = sqlite3_column_int(s, 1);
    sqlite3_finalize(s);
    o->src = calloc((size_t)o->m, sizeof(int)), o->dst = calloc((size_t)o->m, sizeof(int));
    o->fw = calloc((size_t)o->m, sizeof(int)), o->bw = calloc((size_t)o->m, sizeof(int));
    o->ms = calloc((size_t)o->m, sizeof(long long)),
    o->dm = calloc((size_t)o->m, sizeof(long long));
    ck_assert_int_eq(store_prepare(st,
                                   "SELECT id, source, target, duration_s, length_m, "
                                   "forward, backward FROM road_edges", /* restricted roads
                                   are driven: KKC_TURN_COSTS=off takes their penalty off */
                                   &s, &err),
                     0);
    while (sqlite3_step(s) == SQLITE_ROW) {
        int e = sqlite3_column_int(s, 0);
        o->src[e] = sqlite3_column_int(s, 1), o->dst[e] = sqlite3_column_int(s, 2);
        o->ms[e] = llround(sqlite3_column_double(s, 3) * 1000);
        o->dm[e] = llround(sqlite3_column_double(s, 4) * 10);
        o->fw[e] = sqlite3_column_int(s, 5), o->bw[e] = sqlite3_column_int(s, 6);
    }
    sqlite3_finalize(s);
    store_close(st);
    return o;
}

static void oracle_free(struct oracle *o)
{
    free(o->src), free(o->dst), free(o->fw), free(o->bw), free(o->ms), free(o->dm);
    free(o);
}

/* (time, distance) pairs compared in that order. */
struct od {
    long long t, d;
};
#define OD_INF ((struct od){-1, -1})

static int od_less(struct od a, struct od b)
{
    if (b.t < 0)
        return a.t >= 0;
    return a.t >= 0 && (a.t < b.t || (a.t == b.t && a.d < b.d));
}

/* Plain O(n^2) Dijkstra from seeds (road_nodes ids with start costs) into out[n]. */
static void oracle_run(const struct oracle *o, const int *seed, const struct od *sc, int ns,
                       struct od *out)
{
    char *done = calloc((size_t)o->n, 1);
    for (int v = 0; v < o->n; v++)
        out[v] = OD_INF;
    for (int i = 0; i < ns; i++)
        if (od_less(sc[i], out[seed[i]]))
            out[seed[i]] = sc[i];
    for (;;) {
        int u = -1;
        for (int v = 0; v < o->n; v++)
            if (!done[v] && out[v].t >= 0 && (u < 0 || od_less(out[v], out[u])))
                u = v;
        if (u < 0)
            break;
        done[u] = 1;
        for (int e = 0; e < o->m; e++) {
            int to = -1;
            if (o->src[e] == u && o->fw[e])
                to = o->dst[e];
            else if (o->dst[e] == u && o->bw[e])
                to = o->src[e];
            if (to >= 0) {
                struct od c = {out[u].t + o->ms[e], out[u].d + o->dm[e]};
                if (od_less(c, out[to]))
                    out[to] = c;
            }
        }
    }
    free(done);
}

/* The part of edge e up to fraction f, and the rest. */
static void oracle_part(const struct oracle *o, int e, double f, struct od *p, struct od *rest)
{
    p->t = llround(f * (double)o->ms[e]), p->d = llround(f * (double)o->dm[e]);
    rest->t = o->ms[e] - p->t, rest->d = o->dm[e] - p->d;
}

/* Ways out of (dir 0) or into (dir 1) a point at fraction f of edge e: node ids and costs. A
 * point on a node joins it both ways, except on an edge of zero cost (graph.h / snap.h). */
static int oracle_ends(const struct oracle *o, int e, double f, int dir, int *node, struct od *c)
{
    struct od p, rest;
    int n = 0, nonzero = o->ms[e] || o->dm[e];
    oracle_part(o, e, f, &p, &rest);
    int at_s = nonzero && p.t == 0 && p.d == 0, at_t = nonzero && rest.t == 0 && rest.d == 0;
    if (dir == 0) {
        if (o->fw[e] || at_t)
            node[n] = o->dst[e], c[n++] = rest;
        if (o->bw[e] || at_s)
            node[n] = o->src[e], c[n++] = p;
    } else {
        if (o->fw[e] || at_s)
            node[n] = o->src[e], c[n++] = p;
        if (o->bw[e] || at_t)
            node[n] = o->dst[e], c[n++] = rest;
    }
    return n;
}

/* The oracle's cost from point (e1, f1) to every node (into dist). */
static void oracle_from_point(const struct oracle *o, int e1, double f1, struct od *dist)
{
    int node[2];
    struct od c[2];
    int n = oracle_ends(o, e1, f1, 0, node, c);
    oracle_run(o, node, c, n, dist);
}

/* Given dist from point (e1, f1), the cost to point (e2, f2). */
static struct od oracle_to_point(const struct oracle *o, const struct od *dist, int e1, double f1,
                                 int e2, double f2)
{
    int node[2];
    struct od c[2], best = OD_INF, p1, r1, p2, r2;
    int n = oracle_ends(o, e2, f2, 1, node, c);
    for (int i = 0; i < n; i++) {
        struct od x = {dist[node[i]].t + c[i].t, dist[node[i]].d + c[i].d};
        if (dist[node[i]].t >= 0 && od_less(x, best))
            best = x;
    }
    if (e1 == e2) {
        oracle_part(o, e1, f1, &p1, &r1);
        oracle_part(o, e2, f2, &p2, &r2);
        struct od fwd = {p2.t - p1.t, p2.d - p1.d}, bwd = {p1.t - p2.t, p1.d - p2.d};
        if (o->fw[e1] && f1 <= f2 && od_less(fwd, best))
            best = fwd;
        if (o->bw[e1] && f1 >= f2 && od_less(bwd, best))
            best = bwd;
    }
    return best;
}

/* A random road grid of n x n nodes about 90 m apart: mostly two-way, some one-way either way,
 * random speeds, some bends, some parallel edges, some zero-length edges to a twin node. */
static char *grid_db(int n, unsigned long long seed, int *nnodes)
{
    int nn = n * n, ne = 0, extra = n;
    struct fx_node *nodes = calloc((size_t)(nn + extra), sizeof *nodes);
    struct fx_edge *edges = calloc((size_t)nn * 3 + (size_t)extra, sizeof *edges);
    static const char *names[] = {"Main", "Side", "Ring", "Park"};
    char *path;
    for (int i = 0; i < nn; i++)
        nodes[i] = (struct fx_node){(i % n) * 90 + tu_rand(&seed) * 25,
                                    (i / n) * 90 + tu_rand(&seed) * 25};
    for (int i = 0; i < nn; i++) {
        for (int d = 0; d < 3; d++) {
            int j = d == 1 ? i + n : i + 1;
            double r = tu_rand(&seed), len = 80 + tu_rand(&seed) * 40;
            if ((d != 1 && i % n == n - 1) || j >= nn || tu_rand(&seed) < (d == 2 ? 0.9 : 0.1))
                continue;
            edges[ne] = (struct fx_edge){i,
                                         j,
                                         len,
                                         len / (4 + tu_rand(&seed) * 20),
                                         r<0.85, r> 0.15,
                                         names[(i / 7 + d) % 4],
                                         NULL,
                                         0,
                                         0};
            if (tu_rand(&seed) < 0.5) /* round figures: ties between paths */
                edges[ne].len = 90, edges[ne].dur = 9;
            if (tu_rand(&seed) < 0.25)
                edges[ne].via_x = (nodes[i].x + nodes[j].x) / 2 + 12,
                edges[ne].via_y = (nodes[i].y + nodes[j].y) / 2 - 9;
            ne++;
        }
    }
    for (int k = 0; k < extra; k++) { /* a twin of a node, joined by a zero-length edge */
        int i = (int)(tu_rand(&seed) * nn), r = (int)(tu_rand(&seed) * 3);
        nodes[nn + k] = nodes[i];
        edges[ne++] = (struct fx_edge){i, nn + k, 0, 0, r != 1, r != 2, "Twin", NULL, 0, 0};
        edges[ne++] = (struct fx_edge){nn + k, (i + 1) % nn, 95, 9.5, 1, 1, "Twin", NULL, 0, 0};
    }
    path = fx_db(nodes, nn + extra, edges, ne);
    *nnodes = nn + extra;
    free(nodes);
    free(edges);
    return path;
}

/* ---- the oracle tests' fixture ----------------------------------------------------------- */

/* A new test database (path, taken over) with the graph loaded from it, a route context on the
 * graph and the oracle read from the same database with SQL. */
struct ofx {
    char *path;
    struct graph *g;
    struct route_ctx *ctx;
    struct oracle *o;
};

static void ofx_open(struct ofx *f, char *path)
{
    struct kkc_err err = {0};
    f->path = path;
    f->g = fx_load(path);
    f->o = oracle_load(path);
    f->ctx = NULL;
    ck_assert_msg(route_ctx_create(f->g, &f->ctx, &err) == 0, "%s", err.msg);
}

static void ofx_close(struct ofx *f)
{
    oracle_free(f->o);
    route_ctx_destroy(f->ctx);
    fx_done(f->g, f->path);
}

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

/* A random point near the grid, snapped. */
static void random_snap(const struct graph *g, unsigned long long *rs, struct snap *s)
{
    struct kkc_err err = {0};
    for (;;) {
        double lon, lat;
        to_lonlat(-50 + tu_rand(rs) * 1400, -50 + tu_rand(rs) * 1400, &lon, &lat);
        if (snap_point(g, lon, lat, 1000, s, &err) == 0)
            return;
    }
}

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

/* ---- centres for the labels tests ------------------------------------------------------------ */

/* Centres at lon,lat (xy == 0) or metre positions on the map (xy != 0); kinds cycle police,
 * fire, ambulance; ids C00, C01, ... so the index order is the given order. */
static struct centres *make_centres_at(const double (*pos)[2], int xy, const int *active, int n)
{
    struct centre *items = calloc((size_t)n, sizeof *items);
    struct centres *cs = NULL;
    struct kkc_err err = {0};
    char ids[64][16];
    ck_assert_int_le(n, 64);
    for (int i = 0; i < n; i++) {
        snprintf(ids[i], sizeof ids[i], "C%02d", i);
        items[i].id = ids[i];
        items[i].name = ids[i];
        items[i].kind = (enum centre_kind)(i % 3);
        items[i].lon = pos[i][0], items[i].lat = pos[i][1];
        if (xy)
            to_lonlat(pos[i][0], pos[i][1], &items[i].lon, &items[i].lat);
        items[i].source = "test";
        items[i].active = active ? active[i] : 1;
    }
    ck_assert_msg(centres_build(items, (size_t)n, &cs, &err) == 0, "%s", err.msg);
    free(items);
    return cs;
}

static struct centres *make_centres(const double (*xy)[2], const int *active, int n)
{
    return make_centres_at(xy, 1, active, n);
}

/* Order (cost, index) pairs. */
static int cmp_hit(const void *a, const void *b)
{
    const struct labels_hit *x = a, *y = b;
    if (x->cost != y->cost)
        return x->cost < y->cost ? -1 : 1;
    return x->centre < y->centre ? -1 : x->centre > y->centre;
}

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
    struct graph *g = fx_load(path);
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
    fx_done(g, path);
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

/* ---- labels ---------------------------------------------------------------------------------- */

START_TEST(t_labels_hand)
{
    char *path = fx_db(hand_nodes, 8, hand_edges, 7);
    struct graph *g = fx_load(path);
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
    fx_done(g, path);
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
