/* tests/road/test_route_rebind.c -- route_ctx_rebind(): a routing context moved to another
 * graph of the same network (a reloaded world) answers as a context made for that graph, after
 * the graph it was made for is gone; a graph of another size is refused. Oracle: a fresh
 * route_ctx_create() on the new graph (and the costs and pieces it gives), on fixed-seed random
 * Heidelberg pairs, with the hierarchy and without (A*). */
#include "base/store.h"
#include "road/graph.h"
#include "road/route.h"
#include "road/snap.h"
#include "testutil.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PAIRS 60

static struct graph *load(const char *db, int hierarchy, const char *cache)
{
    struct store *st = NULL;
    struct graph *g = NULL;
    struct kkc_err err = {0};
    struct graph_options o = {GRAPH_LANDMARKS_DEFAULT, hierarchy, cache, NULL};
    ck_assert_msg(store_open(db, STORE_READONLY, &st, &err) == 0, "%s", err.msg);
    ck_assert_msg(graph_load_opts(st, &o, &g, &err) == 0, "%s", err.msg);
    store_close(st);
    return g;
}

/* PAIRS snapped pairs of random Heidelberg points on g. */
static size_t pairs(const struct graph *g, struct snap *s)
{
    unsigned long long seed = 20261204;
    size_t n = 0;
    while (n < 2 * PAIRS) {
        double lon = 8.62 + tu_rand(&seed) * 0.12, lat = 49.38 + tu_rand(&seed) * 0.05;
        if (snap_point(g, lon, lat, 200, &s[n], NULL) == KKC_OK)
            n++;
    }
    return n / 2;
}

/* Route every pair with ctx and with a fresh context on g: the same code, cost and pieces. */
static void same_answers(const struct graph *g, struct route_ctx *ctx, const struct snap *s,
                         size_t np)
{
    size_t ok = 0;
    struct route_ctx *fresh = NULL;
    struct kkc_err err = {0};
    ck_assert_int_eq(route_ctx_create(g, &fresh, &err), KKC_OK);
    for (size_t i = 0; i < np; i++) {
        struct route_result *a = NULL, *b = NULL;
        enum kkc_code ra = route_compute(g, ctx, &s[2 * i], &s[2 * i + 1], 1, &a, NULL);
        enum kkc_code rb = route_compute(g, fresh, &s[2 * i], &s[2 * i + 1], 1, &b, NULL);
        ck_assert_int_eq(ra, rb);
        if (ra == KKC_OK) {
            ok++;
            ck_assert(a->duration_s == b->duration_s && a->distance_m == b->distance_m);
            ck_assert_uint_eq(a->edge_count, b->edge_count);
            ck_assert_uint_eq(a->coord_count, b->coord_count);
            for (size_t k = 0; k < a->edge_count; k++)
                ck_assert_uint_eq(a->edges[k].edge, b->edges[k].edge);
            ck_assert(memcmp(a->coords, b->coords, 2 * a->coord_count * sizeof *a->coords) == 0);
        }
        route_result_destroy(a);
        route_result_destroy(b);
    }
    route_ctx_destroy(fresh);
    ck_assert_uint_gt(ok, np / 2);
}

START_TEST(t_rebind_reloaded)
{
    char *cache = tu_tmpfile("rebind.cch");
    struct graph *g1 = load(tu_db(), 1, cache), *g2, *g3;
    struct snap *s = malloc(2 * PAIRS * sizeof *s);
    struct route_ctx *ctx = NULL;
    struct kkc_err err = {0};
    size_t np = pairs(g1, s);

    ck_assert_int_eq(route_ctx_create(g1, &ctx, &err), KKC_OK);
    ck_assert_ptr_nonnull(route_ctx_hierarchy(ctx));
    same_answers(g1, ctx, s, np);
    g2 = load(tu_db(), 1, cache); /* the same network again, its hierarchy mapped */
    graph_destroy(g1);            /* the old world is gone before the context moves */
    ck_assert_int_eq(route_ctx_rebind(ctx, g2), 0);
    ck_assert_ptr_eq(route_ctx_graph(ctx), g2);
    ck_assert_ptr_nonnull(route_ctx_hierarchy(ctx));
    same_answers(g2, ctx, s, np);
    g3 = load(tu_db(), 0, NULL); /* no hierarchy: the context drops its query and runs A* */
    ck_assert_int_eq(route_ctx_rebind(ctx, g3), 0);
    ck_assert_ptr_null(route_ctx_hierarchy(ctx));
    same_answers(g3, ctx, s, np);
    ck_assert_int_eq(route_ctx_rebind(ctx, g2), -1); /* no query to move onto a hierarchy */
    route_ctx_destroy(ctx);
    graph_destroy(g2);
    graph_destroy(g3);
    free(s);
    unlink(cache);
    cache = realloc(cache, strlen(cache) + 8);
    unlink(strcat(cache, ".metric"));
    free(cache);
}
END_TEST

Suite *route_rebind_suite(void); /* for the runner */

Suite *route_rebind_suite(void)
{
    Suite *s = suite_create("route_rebind");
    TCase *tc = tcase_create("heidelberg");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, t_rebind_reloaded);
    suite_add_tcase(s, tc);
    return s;
}
