/* tests/road/test_table.c -- the many-to-many table (geo/road/table.c).
 *
 * Oracles: route_cost() (an independent A* search between one pair) for every pair of random
 * points on the Heidelberg graph, in both search directions; and the hand-made street map, whose
 * island is by construction unreachable from the streets. */
#include "base/store.h"
#include "fixture_osm.h"
#include "road/graph.h"
#include "road/route.h"
#include "road/snap.h"
#include "road/table.h"
#include "testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HD_LON0 8.62 /* random points fall in Heidelberg's built-up area */
#define HD_LON1 8.74
#define HD_LAT0 49.38
#define HD_LAT1 49.43

static struct graph *graph_of(const char *db)
{
    struct store *st = NULL;
    struct graph *g = NULL;
    struct kkc_err err = {0};
    ck_assert_msg(store_open(db, STORE_READONLY, &st, &err) == KKC_OK, "%s: %s", db, err.msg);
    ck_assert_msg(graph_load(st, &g, &err) == KKC_OK, "%s", err.msg);
    store_close(st);
    return g;
}

/* The table's costs equal route_cost() exactly, from sources to destinations in either search
 * direction (7 x 5: one search per destination; 5 x 7: per source). */
START_TEST(test_table_route_cost)
{
    enum { NS = 7, ND = 5 };
    struct graph *g = graph_of(tu_db());
    struct route_ctx *ctx = NULL;
    struct snap s[NS], d[ND];
    graph_cost fw[NS * ND], bw[ND * NS], c;
    unsigned long long seed = 4242;

    ck_assert_int_eq(route_ctx_create(g, &ctx, NULL), KKC_OK);
    for (int i = 0; i < NS + ND; i++) {
        struct snap *p = i < NS ? &s[i] : &d[i - NS];
        while (snap_point(g, HD_LON0 + tu_rand(&seed) * (HD_LON1 - HD_LON0),
                          HD_LAT0 + tu_rand(&seed) * (HD_LAT1 - HD_LAT0), 500, p, NULL))
            ;
    }
    d[0] = s[0]; /* a pair on the same point, and on one edge */
    ck_assert_int_eq(table_costs(g, s, NS, d, ND, fw, NULL), KKC_OK);
    ck_assert_int_eq(table_costs(g, d, ND, s, NS, bw, NULL), KKC_OK);
    for (int i = 0; i < NS; i++)
        for (int j = 0; j < ND; j++) {
            ck_assert_int_eq(route_cost(g, ctx, &s[i], &d[j], &c, NULL), KKC_OK);
            ck_assert_msg(fw[i * ND + j] == c, "%d->%d: %llu vs %llu", i, j,
                          (unsigned long long)fw[i * ND + j], (unsigned long long)c);
            ck_assert_int_eq(route_cost(g, ctx, &d[j], &s[i], &c, NULL), KKC_OK);
            ck_assert(bw[j * NS + i] == c);
        }
    ck_assert(fw[0] == 0);
    route_ctx_destroy(ctx);
    graph_destroy(g);
}
END_TEST

/* GRAPH_COST_INF where the destination cannot be reached: a street point and a point on the
 * island (made with snap_at(): snapping keeps to the main component), both ways. */
START_TEST(test_table_unreachable)
{
    char *db = fx_osm_db((const char *const[]){fx_hand_map, NULL});
    struct graph *g = graph_of(db);
    struct snap p[2];
    graph_cost c[4];
    uint32_t island = GRAPH_NONE;

    for (uint32_t e = 0; e < g->edge_count; e++)
        if (strcmp(graph_string(g, g->edge_name[e]), "Island") == 0)
            island = e;
    ck_assert_uint_ne(island, GRAPH_NONE);
    ck_assert_int_eq(snap_point(g, 15.0005, 50.0001, 100, &p[0], NULL), KKC_OK);
    ck_assert_int_eq(snap_at(g, island, 0.5, &p[1], NULL), KKC_OK);
    ck_assert_int_eq(table_costs(g, p, 2, p, 2, c, NULL), KKC_OK);
    ck_assert(c[0] == 0 && c[3] == 0);
    ck_assert(c[1] == GRAPH_COST_INF && c[2] == GRAPH_COST_INF);
    graph_destroy(g);
    free(db);
}
END_TEST

Suite *table_suite(void); /* for the runner */

Suite *table_suite(void)
{
    Suite *s = suite_create("table");
    TCase *tc = tu_tcase(s, "table", 120);
    tcase_add_test(tc, test_table_route_cost);
    tcase_add_test(tc, test_table_unreachable);
    return s;
}
