/* tests/road/test_graph.c -- loading the road graph (graph.h) and snapping points to it (snap.h).
 *
 * The fixtures are small databases written here with plain SQL: positions are given in metres
 * east/north of 15.80 E, 50.20 N and converted with scale factors taken from PROJ's `geod`
 * (0.01 degree of longitude = 713.979 m, of latitude = 1112.330 m at 50.2 N), not from the code
 * under test. Expected answers are worked out by hand from the pictures below. */
#include "road/graph.h"
#include "road/snap.h"
#include "base/store.h"
#include "testutil.h"
#include "fixture_graph.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


/* Load the graph of the database at path; returns the code, *g set on success. */
static enum kkc_code fx_load(const char *path, struct graph **g, struct kkc_err *err)
{
    struct store *st = NULL;
    enum kkc_code rc = store_open(path, STORE_READONLY, &st, err);
    if (!rc)
        rc = graph_load(st, g, err);
    store_close(st);
    return rc;
}

static struct graph *hand_graph(char **path)
{
    struct graph *g = NULL;
    struct kkc_err err = {0};
    *path = fx_db(hand_nodes, 8, hand_edges, 7);
    ck_assert_msg(fx_load(*path, &g, &err) == 0, "%s", err.msg);
    return g;
}

static void fx_done(struct graph *g, char *path)
{
    graph_destroy(g);
    unlink(path);
    free(path);
}

static enum kkc_code snap_xy(const struct graph *g, double x, double y, double radius,
                             struct snap *s, struct kkc_err *err);

/* ---- graph ----------------------------------------------------------------------------------- */

START_TEST(t_load_hand)
{
    char *path;
    struct graph *g = hand_graph(&path);
    uint32_t deg_out[8] = {2, 3, 1, 2, 1, 1, 0, 0}, deg_in[8] = {1, 2, 1, 2, 2, 0, 1, 1};

    ck_assert_uint_eq(graph_node_count(g), 8);
    ck_assert_uint_eq(graph_edge_count(g), 7);
    ck_assert_uint_eq(g->main_scc_nodes, 5);
    for (uint32_t id = 0; id < 8; id++) {
        uint32_t v = graph_node_from_dbid(g, id);
        double lon, lat;
        ck_assert_uint_lt(v, 8);
        ck_assert_uint_eq(graph_node_dbid(g, v), id);
        ck_assert_uint_eq(g->out_first[v + 1] - g->out_first[v], deg_out[id]);
        ck_assert_uint_eq(g->in_first[v + 1] - g->in_first[v], deg_in[id]);
        to_lonlat(hand_nodes[id].x, hand_nodes[id].y, &lon, &lat);
        ck_assert_double_eq_tol(g->node_lonlat[2 * v], lon, 1e-9);
        ck_assert_double_eq_tol(g->node_lonlat[2 * v + 1], lat, 1e-9);
    }
    ck_assert_uint_eq(graph_node_from_dbid(g, 8), GRAPH_NONE);
    for (uint32_t e = 0; e < 7; e++) {
        ck_assert_uint_eq(g->edge_source[e], graph_node_from_dbid(g, (uint32_t)hand_edges[e].s));
        ck_assert_str_eq(graph_string(g, g->edge_name[e]), hand_edges[e].name);
        ck_assert_str_eq(graph_string(g, g->edge_ref[e]), hand_edges[e].ref ? "II/300" : "");
        ck_assert_int_eq(!!(g->edge_flags[e] & GRAPH_SNAPPABLE), e < 5);
    }
    ck_assert_uint_eq(g->edge_name[0], g->edge_name[1]); /* "A" interned once */
    ck_assert_uint_eq(g->edge_coord_first[7], 15);       /* 6 straight edges + one with a via */
    ck_assert_uint_eq(graph_cost_ms(g->edge_cost[3]), 20000);
    ck_assert_uint_eq(graph_cost_dm(g->edge_cost[3]), 1414);
    ck_assert_double_eq_tol(g->coord_along[g->edge_coord_first[4] - 1], 141.42, 0.05);
    fx_done(g, path);
}
END_TEST

/* The costs of a search over the hand graph, out (by graph node), against want (seconds by
 * road_nodes id, -1: not reached). */
static void check_seconds(const struct graph *g, const graph_cost *out, const double want[8])
{
    for (uint32_t id = 0; id < 8; id++) {
        graph_cost c = out[graph_node_from_dbid(g, id)];
        if (want[id] < 0)
            ck_assert_msg(c == GRAPH_COST_INF, "node %u reached", id);
        else
            ck_assert_double_eq_tol(graph_cost_seconds(c), want[id], 1e-9);
    }
}

START_TEST(t_search_all)
{
    char *path;
    struct graph *g = hand_graph(&path);
    graph_cost out[8];
    struct graph_seed s = {graph_node_from_dbid(g, 2), 0};
    /* from node 2: 2->4 (20 s) ->3 (40 s) ->1 (60 s) ->0 (70 s) ->7 (80 s); 5, 6 unreachable */
    double fwd[8] = {70, 60, 0, 40, 20, -1, -1, 80};
    /* to node 2: 1 (10 s), 0 (20 s), 3 (30 s), 4 (50 s) */
    double rev[8] = {20, 10, 0, 30, 50, -1, -1, -1};
    struct kkc_err err = {0};

    ck_assert_int_eq(graph_search_all(g, &s, 1, 0, out, &err), 0);
    check_seconds(g, out, fwd);
    ck_assert_double_eq_tol(graph_cost_metres(out[graph_node_from_dbid(g, 0)]), 441.4, 1e-9);
    ck_assert_int_eq(graph_search_all(g, &s, 1, 1, out, &err), 0);
    check_seconds(g, out, rev);
    fx_done(g, path);
}
END_TEST

START_TEST(t_landmarks)
{
    char *path;
    struct graph *g = hand_graph(&path);
    graph_cost out[8];
    struct kkc_err err = {0};

    ck_assert_uint_ge(g->lm_count, 2);
    ck_assert_uint_le(g->lm_count, 5); /* only the main component's 5 nodes qualify */
    for (uint32_t i = 0; i < g->lm_count; i++) {
        struct graph_seed s = {g->lm_node[i], 0};
        for (int rev = 0; rev < 2; rev++) {
            ck_assert_int_eq(graph_search_all(g, &s, 1, rev, out, &err), 0);
            for (uint32_t v = 0; v < 8; v++) {
                uint32_t want = out[v] == GRAPH_COST_INF ? UINT32_MAX : graph_cost_ms(out[v]);
                ck_assert_uint_eq(g->lm_dist[v * 2 * g->lm_count + rev * g->lm_count + i], want);
            }
        }
        for (uint32_t j = 0; j < i; j++)
            ck_assert_uint_ne(g->lm_node[i], g->lm_node[j]);
    }
    fx_done(g, path);
}
END_TEST

/* Only one-way streets in a line: no cycle, so no edge may be snapped to and no landmark. */
START_TEST(t_load_no_cycle)
{
    static const struct fx_edge line[] = {{0, 1, 100, 10, 1, 0, "L", NULL, 0, 0},
                                          {1, 2, 100, 10, 1, 0, "L", NULL, 0, 0}};
    char *path = fx_db(hand_nodes, 3, line, 2);
    struct graph *g = NULL;
    struct snap s;
    struct kkc_err err = {0};
    graph_cost out[3];
    struct graph_seed seed = {0, 0};

    ck_assert_msg(fx_load(path, &g, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(g->main_scc_nodes, 1);
    ck_assert_uint_eq(g->lm_count, 0);
    ck_assert_uint_eq(g->edge_flags[0] & GRAPH_SNAPPABLE, 0);
    ck_assert_int_eq(snap_xy(g, 50, 0, 1000, &s, &err), KKC_ENOSEGMENT);
    seed.node = graph_node_from_dbid(g, 0);
    ck_assert_int_eq(graph_search_all(g, &seed, 1, 0, out, &err), 0);
    ck_assert_double_eq_tol(graph_cost_seconds(out[graph_node_from_dbid(g, 2)]), 20, 1e-9);
    fx_done(g, path);
}
END_TEST

START_TEST(t_load_empty)
{
    char *path = fx_db(hand_nodes, 0, hand_edges, 0);
    struct graph *g = NULL;
    struct kkc_err err = {0};
    ck_assert_int_eq(fx_load(path, &g, &err), KKC_ENOTFOUND);
    ck_assert_ptr_null(g);
    ck_assert_ptr_nonnull(strstr(err.msg, "road"));
    fx_done(NULL, path);
}
END_TEST

/* Broken databases: each statement damages the hand graph in one way. */
static const char *const bad_sql[] = {
    "UPDATE road_edges SET id = 9 WHERE id = 6",
    "UPDATE road_edges SET target = 42 WHERE id = 2",
    "UPDATE road_edges SET duration_s = -1 WHERE id = 1",
    "UPDATE road_nodes SET id = 11 WHERE id = 7",
    "UPDATE road_edges SET length_m = 1e12 WHERE id = 0",
};

START_TEST(t_load_bad)
{
    char *path = fx_db(hand_nodes, 8, hand_edges, 7);
    struct store *st = NULL;
    struct graph *g = NULL;
    struct kkc_err err = {0};
    ck_assert_int_eq(store_open(path, STORE_READWRITE, &st, &err), 0);
    ck_assert_int_eq(store_exec(st, bad_sql[_i], &err), 0);
    store_close(st);
    ck_assert_int_eq(fx_load(path, &g, &err), KKC_EINVAL);
    ck_assert_ptr_null(g);
    ck_assert_ptr_nonnull(strstr(err.msg, "road_"));
    fx_done(NULL, path);
}
END_TEST

/* highway values and the edge_class they give (graph.h). */
static const struct {
    const char *highway;
    unsigned cls;
} class_cases[] = {
    {"motorway", GRAPH_CLASS_MOTORWAY},
    {"motorway_link", GRAPH_CLASS_MOTORWAY | GRAPH_CLASS_LINK},
    {"trunk", GRAPH_CLASS_TRUNK},
    {"trunk_link", GRAPH_CLASS_TRUNK | GRAPH_CLASS_LINK},
    {"primary", GRAPH_CLASS_PRIMARY},
    {"primary_link", GRAPH_CLASS_PRIMARY | GRAPH_CLASS_LINK},
    {"secondary", GRAPH_CLASS_SECONDARY},
    {"secondary_link", GRAPH_CLASS_SECONDARY | GRAPH_CLASS_LINK},
    {"tertiary", GRAPH_CLASS_TERTIARY},
    {"tertiary_link", GRAPH_CLASS_TERTIARY | GRAPH_CLASS_LINK},
    {"unclassified", GRAPH_CLASS_UNCLASSIFIED},
    {"residential", GRAPH_CLASS_RESIDENTIAL},
    {"service", GRAPH_CLASS_SERVICE},
    {"living_street", GRAPH_CLASS_LIVING_STREET},
    {"track", GRAPH_CLASS_OTHER},
    {"Motorway", GRAPH_CLASS_OTHER},
    {"motorway_lin", GRAPH_CLASS_OTHER},
    {"motorwaylink", GRAPH_CLASS_OTHER},
    {"_link", GRAPH_CLASS_OTHER},
    {"track_link", GRAPH_CLASS_OTHER},
    {"", GRAPH_CLASS_OTHER},
    {NULL, GRAPH_CLASS_OTHER},
};

START_TEST(t_class_of)
{
    ck_assert_uint_eq(graph_class_of(class_cases[_i].highway), class_cases[_i].cls);
}
END_TEST

/* The hand graph with other classes and two roundabout edges: both loaded per edge. */
static const struct {
    const char *highway;
    int roundabout;
    unsigned cls;
} hand_classes[] = {
    {"motorway", 0, GRAPH_CLASS_MOTORWAY},
    {"motorway_link", 1, GRAPH_CLASS_MOTORWAY | GRAPH_CLASS_LINK},
    {"trunk_link", 0, GRAPH_CLASS_TRUNK | GRAPH_CLASS_LINK},
    {"primary", 1, GRAPH_CLASS_PRIMARY},
    {"living_street", 0, GRAPH_CLASS_LIVING_STREET},
    {"track", 0, GRAPH_CLASS_OTHER},
    {"service", 0, GRAPH_CLASS_SERVICE},
};

START_TEST(t_load_classes)
{
    char *path = fx_db(hand_nodes, 8, hand_edges, 7);
    struct store *st = NULL;
    struct graph *g = NULL;
    struct kkc_err err = {0};
    char sql[256];

    ck_assert_int_eq(store_open(path, STORE_READWRITE, &st, &err), 0);
    for (int e = 0; e < 7; e++) {
        snprintf(sql, sizeof sql,
                 "UPDATE road_edges SET highway = '%s', roundabout = %d WHERE id = %d",
                 hand_classes[e].highway, hand_classes[e].roundabout, e);
        ck_assert_int_eq(store_exec(st, sql, &err), 0);
    }
    store_close(st);
    ck_assert_msg(fx_load(path, &g, &err) == 0, "%s", err.msg);
    for (uint32_t e = 0; e < 7; e++) {
        ck_assert_uint_eq(g->edge_class[e], hand_classes[e].cls);
        ck_assert_uint_eq(g->edge_roundabout[e], hand_classes[e].roundabout);
    }
    /* flags unchanged; emergency NULL: emergency vehicles drive as the car */
    ck_assert_uint_eq(g->edge_flags[1], GRAPH_FORWARD | GRAPH_SNAPPABLE | GRAPH_EMERGENCY_FORWARD);
    graph_destroy(g);

    /* road_edges.emergency: 2 on a row closed to cars is an emergency-only backward direction,
     * with no arcs in the car's adjacency; 0 on a car's row closes it to emergency vehicles */
    ck_assert_int_eq(store_open(path, STORE_READWRITE, &st, &err), 0);
    ck_assert_int_eq(store_exec(st,
                                "UPDATE road_edges SET forward = 0, backward = 0, "
                                "emergency = 2 WHERE id = 6",
                                &err),
                     0);
    ck_assert_int_eq(store_exec(st, "UPDATE road_edges SET emergency = 0 WHERE id = 1", &err), 0);
    store_close(st);
    ck_assert_msg(fx_load(path, &g, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(g->edge_flags[6], GRAPH_EMERGENCY_BACKWARD);
    ck_assert_uint_eq(g->edge_flags[1] & ~GRAPH_SNAPPABLE, GRAPH_FORWARD);
    for (uint32_t a = 0; a < g->out_first[g->node_count]; a++)
        ck_assert_uint_ne(g->out[a].edge >> 1, 6);
    graph_destroy(g);

    /* a database made before road_edges.roundabout existed: classes, and no roundabouts */
    ck_assert_int_eq(store_open(path, STORE_READWRITE, &st, &err), 0);
    ck_assert_msg(store_exec(st, "ALTER TABLE road_edges DROP COLUMN roundabout", &err) == 0, "%s",
                  err.msg);
    store_close(st);
    ck_assert_msg(fx_load(path, &g, &err) == 0, "%s", err.msg);
    for (uint32_t e = 0; e < 7; e++) {
        ck_assert_uint_eq(g->edge_class[e], hand_classes[e].cls);
        ck_assert_uint_eq(g->edge_roundabout[e], 0);
    }
    fx_done(g, path);
}
END_TEST

START_TEST(t_heap)
{
    struct graph_heap h = {0};
    struct graph_heap_item it, prev = {0, 0, 0};
    unsigned long long rs = 42;
    ck_assert_int_eq(graph_heap_reserve(&h, 4, NULL), 0);
    for (int i = 0; i < 1000; i++)
        ck_assert_int_eq(graph_heap_push(&h, (graph_cost)(tu_rand(&rs) * 50), (uint32_t)i,
                                         (uint32_t)(tu_rand(&rs) * 5)),
                         0);
    for (int i = 0; i < 1000; i++) {
        graph_heap_pop(&h, &it);
        ck_assert(it.key > prev.key || (it.key == prev.key && it.aux >= prev.aux));
        prev = it;
    }
    ck_assert_uint_eq(h.len, 0);
    graph_heap_free(&h);
}
END_TEST

Suite *graph_suite(void); /* for the runner */

Suite *graph_suite(void)
{
    Suite *s = suite_create("graph");
    /* each test writes a new SpatiaLite database: slow under ASan */
    TCase *tc = tu_tcase(s, "load", 60);
    tcase_add_test(tc, t_load_hand);
    tcase_add_test(tc, t_search_all);
    tcase_add_test(tc, t_landmarks);
    tcase_add_test(tc, t_load_empty);
    tcase_add_test(tc, t_load_no_cycle);
    tcase_add_loop_test(tc, t_load_bad, 0, (int)(sizeof bad_sql / sizeof *bad_sql));
    tcase_add_loop_test(tc, t_class_of, 0, (int)(sizeof class_cases / sizeof *class_cases));
    tcase_add_test(tc, t_load_classes);
    tcase_add_test(tc, t_heap);
    return s;
}

/* ---- snap ------------------------------------------------------------------------------------ */

/* Snap the point x,y (metres) on the hand graph. */
static enum kkc_code snap_xy(const struct graph *g, double x, double y, double radius,
                             struct snap *s, struct kkc_err *err)
{
    double lon, lat;
    to_lonlat(x, y, &lon, &lat);
    return snap_point(g, lon, lat, radius, s, err);
}

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
    struct graph *g = hand_graph(&path);
    struct snap s;
    struct kkc_err err = {0};
    double lon, lat;

    ck_assert_msg(snap_xy(g, snap_cases[_i].x, snap_cases[_i].y, 1000, &s, &err) == 0, "%s",
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
    fx_done(g, path);
}
END_TEST

START_TEST(t_snap_errors)
{
    char *path;
    struct graph *g = hand_graph(&path);
    struct snap s;
    struct kkc_err err = {0};

    ck_assert_int_eq(snap_xy(g, 1050, 5, 100, &s, &err), KKC_ENOSEGMENT); /* island only */
    ck_assert_ptr_nonnull(strstr(err.msg, "100 m"));
    ck_assert_int_eq(snap_xy(g, 500, 500, 300, &s, &err), KKC_ENOSEGMENT);
    ck_assert_int_eq(snap_xy(g, 30, 20, 19.9, &s, &err), KKC_ENOSEGMENT);
    ck_assert_int_eq(snap_xy(g, 30, 20, 20.1, &s, &err), 0);
    ck_assert_int_eq(snap_xy(g, 30, 20, 0, &s, &err), KKC_EINVAL);
    ck_assert_int_eq(snap_xy(g, 30, 20, 1e6, &s, &err), KKC_EINVAL);
    ck_assert_int_eq(snap_point(g, 200, 50, 1000, &s, &err), KKC_EINVAL);
    ck_assert_int_eq(snap_point(g, NAN, 50, 1000, &s, &err), KKC_EINVAL);
    ck_assert_int_eq(snap_point(g, -170, -80, 1000, &s, &err), KKC_ENOSEGMENT);
    ck_assert_int_eq(snap_at(g, 7, 0.5, &s, &err), KKC_EINVAL);
    fx_done(g, path);
}
END_TEST

START_TEST(t_snap_at_partial)
{
    char *path;
    struct graph *g = hand_graph(&path);
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
    fx_done(g, path);
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

    ck_assert_msg(fx_load(path, &g, &err) == 0, "%s", err.msg);
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
    fx_done(g, path);
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
