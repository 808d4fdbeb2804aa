/* tests/closures/test_closures_live.c -- closure changes applied by derivation
 * (world_apply_change) while reader threads route and rank centres on whatever world is current:
 * no read fails, every answer is the network's answer with the road open or with it closed
 * (worked out by hand below), never a mix; the labeller's twins and the shared parts are freed
 * safely (run it under the sanitizers: make sanitize). */
#include "centres/centres.h"
#include "closures/closures.h"
#include "road/graph.h"
#include "road/nearest_time.h"
#include "road/route.h"
#include "road/snap.h"
#include "base/store.h"
#include "fixture_graph.h"
#include "testutil.h"
#include "world.h"

#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* A square: 0 (0,0) - 1 (1000,0) - 3 (1000,1000) is quick (40 + 40 s); 0 - 2 (0,1000) - 3 is
 * slow (100 + 100 s). Way ids are 500 + edge index: closing way 501 (1 - 3) leaves the slow way.
 * From node 0 to node 3: 80 s open, 200 s closed. */
static const struct fx_node sq_nodes[4] = {{0, 0}, {1000, 0}, {0, 1000}, {1000, 1000}};
static const struct fx_edge sq_edges[4] = {
    {0, 1, 1000, 40, 1, 1, "Rychlá 1", NULL, 0, 0},
    {1, 3, 1000, 40, 1, 1, "Rychlá 2", NULL, 0, 0},
    {0, 2, 1000, 100, 1, 1, "Pomalá 1", NULL, 0, 0},
    {2, 3, 1000, 100, 1, 1, "Pomalá 2", NULL, 0, 0},
};
#define READERS 3
#define WRITES 12

struct shared {
    struct world_holder h;
    atomic_int done, bad, reads;
};

static int snap_xy(const struct graph *g, double x, double y, struct snap *s)
{
    double lon, lat;
    struct kkc_err err = {0};
    to_lonlat(x, y, &lon, &lat);
    return snap_point(g, lon, lat, 50, s, &err) == KKC_OK;
}

/* One read on w: the route 0 -> 3 and the nearest centre (at node 0) by time to node 3 agree
 * with each other and are 80 s or 200 s. 0 when right. */
static int read_once(const struct world *w)
{
    struct kkc_err err = {0};
    struct route_ctx *ctx = NULL;
    struct snap a, b;
    graph_cost c = 0;
    struct nearest_time_hit hit;
    size_t n = 0;
    const struct labels *by_kind[KIND_COUNT];
    for (int k = 0; k < KIND_COUNT; k++)
        by_kind[k] = w->labels[1u << k];
    if (!snap_xy(w->graph, 0, 0, &a) || !snap_xy(w->graph, 1000, 1000, &b) ||
        route_ctx_create(w->graph, &ctx, &err) || route_cost(w->graph, ctx, &a, &b, &c, &err) ||
        nearest_time_kinds(w->graph, w->centres, by_kind, &b, KIND_MASK_ALL, 0, 1, &hit, &n,
                           &err) ||
        n != 1) {
        route_ctx_destroy(ctx);
        return 1;
    }
    route_ctx_destroy(ctx);
    double s = graph_cost_seconds(c);
    return !(s == 80 || s == 200) || hit.cost != c;
}

static void *reader(void *arg)
{
    struct shared *sh = arg;
    while (!atomic_load(&sh->done)) {
        struct world *w = world_get(&sh->h);
        if (read_once(w))
            atomic_fetch_add(&sh->bad, 1);
        atomic_fetch_add(&sh->reads, 1);
        world_put(&sh->h, w);
    }
    return NULL;
}

START_TEST(readers_see_the_old_or_the_new_world)
{
    char *db = fx_db(sq_nodes, 4, sq_edges, 4), sql[300];
    struct store *st = NULL;
    struct kkc_err err = {0};
    struct world *w = NULL;
    struct shared sh = {0};
    pthread_t t[READERS];
    double lon, lat;
    ck_assert_int_eq(store_open(db, STORE_READWRITE, &st, &err), KKC_OK);
    to_lonlat(0, 0, &lon, &lat);
    snprintf(sql, sizeof sql,
             "INSERT INTO centres (id, name, kind, source, geom) VALUES ('c', "
             "'c', 'fire', 'test', MakePoint(%.10f, %.10f, 4326))",
             lon, lat);
    ck_assert_msg(store_exec(st, sql, &err) == KKC_OK, "%s", err.msg);
    store_close(st);
    ck_assert_msg(world_load(db, &w, &err) == KKC_OK, "%s", err.msg);
    world_holder_init(&sh.h, w);
    for (int i = 0; i < READERS; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, reader, &sh), 0);
    int64_t way = 501, v = 0;
    struct closure c = {.ways = &way, .nways = 1, .reason = "nehoda", .source = "test"};
    for (int i = 0; i < WRITES; i++) {
        pthread_mutex_lock(&sh.h.write_mu);
        ck_assert_int_eq(store_open(db, STORE_READWRITE, &st, &err), KKC_OK);
        ck_assert_msg(closures_write(st, i % 2 ? CLOSURES_REMOVE : CLOSURES_ADD, &c, 1,
                                     (int64_t)time(NULL), &v, &err) == KKC_OK,
                      "%s", err.msg);
        store_close(st);
        ck_assert_msg(world_apply_change(&sh.h, WORLD_CHANGE_CLOSURES, &err) == KKC_OK, "%s",
                      err.msg);
        w = world_get(&sh.h); /* the answer right after the write honours it */
        struct snap a, b;
        graph_cost cost = 0;
        struct route_ctx *ctx = NULL;
        ck_assert(snap_xy(w->graph, 0, 0, &a) && snap_xy(w->graph, 1000, 1000, &b));
        ck_assert_int_eq(route_ctx_create(w->graph, &ctx, &err), KKC_OK);
        ck_assert_int_eq(route_cost(w->graph, ctx, &a, &b, &cost, &err), KKC_OK);
        ck_assert_double_eq(graph_cost_seconds(cost), i % 2 ? 80 : 200);
        route_ctx_destroy(ctx);
        world_put(&sh.h, w);
        pthread_mutex_unlock(&sh.h.write_mu);
        if (i % 3 == 0)
            world_holder_settle(&sh.h); /* let some label builds finish, cancel the others */
    }
    atomic_store(&sh.done, 1);
    for (int i = 0; i < READERS; i++)
        pthread_join(t[i], NULL);
    ck_assert_int_gt(atomic_load(&sh.reads), 0);
    ck_assert_int_eq(atomic_load(&sh.bad), 0);
    world_holder_done(&sh.h);
    free(db);
}
END_TEST

Suite *closures_live_suite(void);
Suite *closures_live_suite(void)
{
    Suite *s = suite_create("closures_live");
    TCase *tc = tu_tcase(s, "live", 300);
    tcase_add_test(tc, readers_see_the_old_or_the_new_world);
    return s;
}
