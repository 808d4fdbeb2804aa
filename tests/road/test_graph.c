/* tests/road/test_graph.c -- loading the road graph (graph.h); snapping is tests/road/test_snap.c.
 *
 * The fixtures are small databases written here with plain SQL: positions are given in metres
 * east/north of 15.80 E, 50.20 N and converted with scale factors taken from PROJ's `geod`
 * (0.01 degree of longitude = 713.979 m, of latitude = 1112.330 m at 50.2 N), not from the code
 * under test. Expected answers are worked out by hand from the pictures below. */
#include "road/graph.h"
#include "road/snap.h" /* t_load_no_cycle snaps */
#include "base/store.h"
#include "testutil.h"
#include "fixture_graph.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


/* ---- graph ----------------------------------------------------------------------------------- */

START_TEST(t_load_hand)
{
    char *path;
    struct graph *g = fx_hand_graph(&path);
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
    fx_graph_done(g, path);
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
    struct graph *g = fx_hand_graph(&path);
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
    fx_graph_done(g, path);
}
END_TEST

START_TEST(t_landmarks)
{
    char *path;
    struct graph *g = fx_hand_graph(&path);
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
    fx_graph_done(g, path);
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

    ck_assert_msg(fx_graph_open(path, &g, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(g->main_scc_nodes, 1);
    ck_assert_uint_eq(g->lm_count, 0);
    ck_assert_uint_eq(g->edge_flags[0] & GRAPH_SNAPPABLE, 0);
    ck_assert_int_eq(fx_snap_xy(g, 50, 0, 1000, &s, &err), KKC_ENOSEGMENT);
    seed.node = graph_node_from_dbid(g, 0);
    ck_assert_int_eq(graph_search_all(g, &seed, 1, 0, out, &err), 0);
    ck_assert_double_eq_tol(graph_cost_seconds(out[graph_node_from_dbid(g, 2)]), 20, 1e-9);
    fx_graph_done(g, path);
}
END_TEST

START_TEST(t_load_empty)
{
    char *path = fx_db(hand_nodes, 0, hand_edges, 0);
    struct graph *g = NULL;
    struct kkc_err err = {0};
    ck_assert_int_eq(fx_graph_open(path, &g, &err), KKC_ENOTFOUND);
    ck_assert_ptr_null(g);
    ck_assert_ptr_nonnull(strstr(err.msg, "road"));
    fx_graph_done(NULL, path);
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
    ck_assert_int_eq(fx_graph_open(path, &g, &err), KKC_EINVAL);
    ck_assert_ptr_null(g);
    ck_assert_ptr_nonnull(strstr(err.msg, "road_"));
    fx_graph_done(NULL, path);
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
    ck_assert_msg(fx_graph_open(path, &g, &err) == 0, "%s", err.msg);
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
    ck_assert_msg(fx_graph_open(path, &g, &err) == 0, "%s", err.msg);
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
    ck_assert_msg(fx_graph_open(path, &g, &err) == 0, "%s", err.msg);
    for (uint32_t e = 0; e < 7; e++) {
        ck_assert_uint_eq(g->edge_class[e], hand_classes[e].cls);
        ck_assert_uint_eq(g->edge_roundabout[e], 0);
    }
    fx_graph_done(g, path);
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
