/* tests/road/test_road_ch.c -- the road graph's hierarchy (road_ch.h, g->ch) behind routes and
 * tables, and its cache file (cch_cache.h).
 *
 * Oracle: the same database loaded without the hierarchy, where route.c runs its A* and table.c
 * one Dijkstra per source (both checked against SQL and pgRouting elsewhere). For random snapped
 * points on Heidelberg: route_cost equal, route_compute's totals equal and its pieces a chain of
 * edges whose durations sum to the total, tables equal cell by cell. The cache: a second load maps
 * the file and reads the customized costs back, equal to the first load's; another key, another
 * graph or other weights are stale; a truncated file is rebuilt. The files made at import
 * (road_ch_prepare): a load maps both (the metric too), and routes and tables on it equal the
 * plain searches'; a file of another data version is rebuilt; a derived graph with closures
 * over the mapped metric equals a full customization with its costs. */
#include "closures/closures.h"
#include "closures/derive.h"
#include "road/cch_cache.h"
#include "road/graph.h"
#include "road/tnet.h"
#include "road/road_ch.h"
#include "road/turn.h"
#include "road/route.h"
#include "road/snap.h"
#include "road/table.h"
#include "base/store.h"
#include "testutil.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct graph *load(const char *db, int hierarchy, const char *cache)
{
    struct store *st = NULL;
    struct graph *g = NULL;
    struct kkc_err err = {0};
    struct graph_options o = {.landmarks = 8, .hierarchy = hierarchy, .hierarchy_cache = cache};
    ck_assert_msg(store_open(db, STORE_READONLY, &st, &err) == 0, "%s", err.msg);
    ck_assert_msg(graph_load_opts(st, &o, &g, &err) == 0, "%s", err.msg);
    store_close(st);
    ck_assert(!hierarchy || g->ch);
    return g;
}

/* n points snapped near random nodes (on both graphs: the same data, the same snap). */
static void random_snaps(const struct graph *g, unsigned long long seed, struct snap *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint32_t v = (uint32_t)(tu_rand(&seed) * g->node_count);
        double lon = g->node_lonlat[2 * v] + (tu_rand(&seed) - 0.5) * 0.001;
        double lat = g->node_lonlat[2 * v + 1] + (tu_rand(&seed) - 0.5) * 0.001;
        if (snap_point(g, lon, lat, 500, &s[i], NULL) == KKC_OK)
            i++;
    }
}

/* The pieces of r: each starts where the last ended; durations sum to the total. */
static void check_pieces(const struct graph *g, const struct route_result *r)
{
    double sum = 0;
    for (size_t i = 0; i < r->edge_count; i++) {
        const struct route_edge *e = &r->edges[i];
        sum += e->duration_s;
        if (i == 0)
            continue;
        const struct route_edge *p = &r->edges[i - 1];
        uint32_t pend = p->reverse ? g->edge_source[p->edge] : g->edge_target[p->edge];
        uint32_t start = e->reverse ? g->edge_target[e->edge] : g->edge_source[e->edge];
        ck_assert_uint_eq(pend, start);
    }
    ck_assert_double_eq_tol(sum, r->duration_s, 1e-6 * (1 + r->duration_s));
}

#define NPTS 120

/* Routes (costs, totals, pieces) and a 40 x 60 table on h (the hierarchy) equal those on a
 * (plain searches) between NPTS random points of seed. */
static void same_costs(struct graph *a, struct graph *h, unsigned long long seed)
{
    struct route_ctx *ca = NULL, *ch = NULL;
    struct snap *s = malloc(NPTS * sizeof *s);
    ck_assert_int_eq(route_ctx_create(a, &ca, NULL), KKC_OK);
    ck_assert_int_eq(route_ctx_create(h, &ch, NULL), KKC_OK);
    random_snaps(a, seed, s, NPTS);
    int routed = 0;
    for (size_t i = 0; i + 1 < NPTS; i++) {
        graph_cost x = 0, y = 0;
        enum kkc_code ra = route_cost(a, ca, &s[i], &s[i + 1], &x, NULL);
        ck_assert_int_eq(route_cost(h, ch, &s[i], &s[i + 1], &y, NULL), ra);
        ck_assert_uint_eq(x, y);
        struct route_result *r = NULL, *q = NULL;
        ra = route_compute(a, ca, &s[i], &s[i + 1], 1, &r, NULL);
        ck_assert_int_eq(route_compute(h, ch, &s[i], &s[i + 1], 1, &q, NULL), ra);
        if (ra == KKC_OK) {
            ck_assert_double_eq(r->duration_s, q->duration_s);
            ck_assert_double_eq(r->distance_m, q->distance_m);
            ck_assert_uint_ge(q->coord_count, 2);
            check_pieces(h, q);
            routed++;
        }
        route_result_destroy(r);
        route_result_destroy(q);
    }
    ck_assert_int_gt(routed, NPTS / 2);
    graph_cost *ta = malloc(40 * 60 * sizeof *ta), *th = malloc(40 * 60 * sizeof *th);
    ck_assert_int_eq(route_table(a, NULL, s, 40, s + 40, 60, ta, NULL), KKC_OK);
    ck_assert_int_eq(route_table(h, ch, s, 40, s + 40, 60, th, NULL), KKC_OK);
    for (int k = 0; k < 40 * 60; k++)
        ck_assert_uint_eq(ta[k], th[k]);
    free(ta), free(th), free(s);
    route_ctx_destroy(ca), route_ctx_destroy(ch);
}

START_TEST(t_road_ch_routes)
{
    struct graph *a = load(tu_db(), 0, NULL), *h = load(tu_db(), 1, NULL);
    same_costs(a, h, 5);
    /* points to themselves: zeros on the diagonal; a context of another graph: refused */
    struct route_ctx *ca = NULL;
    struct snap *s = malloc(40 * sizeof *s);
    graph_cost *th = malloc(40 * 40 * sizeof *th);
    random_snaps(a, 5, s, 40);
    ck_assert_int_eq(route_ctx_create(a, &ca, NULL), KKC_OK);
    ck_assert_int_eq(route_table(h, NULL, s, 40, s, 40, th, NULL), KKC_OK);
    for (int k = 0; k < 40; k++)
        ck_assert_uint_eq(th[k * 40 + k], 0);
    ck_assert_int_eq(route_table(h, ca, s, 1, s, 1, th, NULL), KKC_EINVAL);
    free(th), free(s);
    route_ctx_destroy(ca);
    graph_destroy(a), graph_destroy(h);
}
END_TEST

START_TEST(t_road_ch_cache)
{
    char *path = tu_tmpfile("kkc.cch");
    struct graph *g1 = load(tu_db(), 1, path), *g2 = load(tu_db(), 1, path);
    ck_assert_int_eq(g1->ch->from_cache, 0);
    ck_assert_int_eq(g2->ch->from_cache, 1);
    ck_assert_int_eq(g1->ch->metric_from_cache, 0);
    ck_assert_int_eq(g2->ch->metric_from_cache, 1);
    ck_assert_str_eq(g2->ch->cache_note, "");
    ck_assert_uint_eq(g1->ch->c->arc_count, g2->ch->c->arc_count);
    for (uint64_t i = 0; i < g1->ch->c->arc_count; i++) {
        ck_assert_uint_eq(g1->ch->m->up[i], g2->ch->m->up[i]);
        ck_assert_uint_eq(g1->ch->m->down[i], g2->ch->m->down[i]);
    }
    /* another key, another graph: stale */
    const struct turn_graph *t = g1->turn; /* the hierarchy's input */
    uint32_t n = t->n;
    uint64_t *first = malloc(((size_t)n + 1) * sizeof *first);
    uint32_t *head = malloc(((size_t)t->first_out[n] + 1) * sizeof *head);
    for (uint32_t v = 0; v <= n; v++)
        first[v] = t->first_out[v];
    for (uint64_t k = 0; k < t->first_out[n]; k++)
        head[k] = t->head[k];
    struct cch_input in = {.n = n, .first_out = first, .head = head};
    struct cch *c = NULL;
    struct kkc_err err = {0};
    ck_assert_int_eq(cch_cache_load(&in, "another version", path, &c, &err), KKC_ENOTFOUND);
    head[0] = head[0] == 0 ? 1 : 0;
    char key[64];
    struct store *st = NULL;
    ck_assert_int_eq(store_open(tu_db(), STORE_READONLY, &st, NULL), KKC_OK);
    if (store_meta_get(st, "data_version", key, sizeof key, NULL))
        snprintf(key, sizeof key, "unknown");
    store_close(st);
    ck_assert_int_eq(cch_cache_load(&in, key, path, &c, &err), KKC_ENOTFOUND);
    head[0] = t->head[0];
    ck_assert_int_eq(cch_cache_load(&in, key, path, &c, &err), KKC_OK);
    /* the metric file: the same weights are read back, other weights are stale */
    char *mpath = NULL;
    struct cch_metric *m = NULL;
    ck_assert_int_ge(asprintf(&mpath, "%s.metric", path), 0);
    ck_assert_int_eq(cch_metric_load(c, g1->ch->m->weight, key, mpath, &m, &err), KKC_OK);
    ck_assert_int_eq(memcmp(m->up, g1->ch->m->up, c->arc_count * sizeof *m->up), 0);
    m->weight[0] += 1;
    ck_assert_int_eq(cch_metric_load(c, m->weight, key, mpath, &m, &err), KKC_ENOTFOUND);
    cch_metric_destroy(m);
    cch_destroy(c);
    /* a truncated file is not used, and the next load rewrites it */
    ck_assert_int_eq(truncate(path, 100), 0);
    struct graph *g3 = load(tu_db(), 1, path);
    ck_assert_int_eq(g3->ch->from_cache, 0);
    ck_assert_int_eq(g3->ch->metric_from_cache, 0); /* never with a rebuilt hierarchy */
    graph_destroy(g3);
    g3 = load(tu_db(), 1, path);
    ck_assert_int_eq(g3->ch->from_cache, 1);
    graph_destroy(g3);
    free(first), free(head);
    graph_destroy(g1), graph_destroy(g2);
    unlink(path), unlink(mpath);
    free(path), free(mpath);
}
END_TEST

/* A metric updated from the cached one over a few changed arcs (closures: some closed, some
 * slowed) equals a full customization with the new weights, arc for arc. */
START_TEST(t_road_ch_metric_update)
{
    char *path = tu_tmpfile("kkc.cch"), *mpath = NULL;
    struct graph *g = load(tu_db(), 1, path);
    const struct cch *c = g->ch->c;
    cch_cost *w = malloc((c->input_arcs + 1) * sizeof *w);
    unsigned long long rs = 31;
    struct cch_metric *full = NULL, *upd = NULL;
    struct kkc_err err = {0};
    uint64_t changed = 0, want = 0;
    char key[64];
    struct store *st = NULL;
    memcpy(w, g->ch->m->weight, c->input_arcs * sizeof *w);
    for (int i = 0; i < 40; i++) {
        uint64_t a = (uint64_t)(tu_rand(&rs) * (double)c->input_arcs);
        if (w[a] == g->ch->m->weight[a] && w[a] != CCH_INF)
            want++, w[a] = i % 2 ? CCH_INF : w[a] * 3;
    }
    ck_assert_int_eq(store_open(tu_db(), STORE_READONLY, &st, NULL), KKC_OK);
    if (store_meta_get(st, "data_version", key, sizeof key, NULL))
        snprintf(key, sizeof key, "unknown");
    store_close(st);
    ck_assert_int_ge(asprintf(&mpath, "%s.metric", path), 0);
    ck_assert_int_eq(cch_metric_create(c, NULL, w, &full, &err), KKC_OK);
    ck_assert_msg(cch_metric_load_update(c, w, key, mpath, c->input_arcs, &upd, &changed, &err) ==
                      KKC_OK,
                  "%s", err.msg);
    ck_assert_uint_eq(changed, want);
    ck_assert_int_eq(memcmp(upd->up, full->up, c->arc_count * sizeof *upd->up), 0);
    ck_assert_int_eq(memcmp(upd->down, full->down, c->arc_count * sizeof *upd->down), 0);
    cch_metric_destroy(upd);
    ck_assert_int_eq(cch_metric_load_update(c, w, key, mpath, want - 1, &upd, &changed, &err),
                     KKC_ENOTFOUND); /* too many changes: customize instead */
    cch_metric_destroy(full);
    free(w), free(mpath);
    graph_destroy(g);
    unlink(path);
    free(path);
}
END_TEST


/* A fresh cache path and its metric's (*mpath), no file yet. */
static char *cache_paths(char **mpath)
{
    char *path = tu_tmpfile("kkc.cch");
    ck_assert_int_ge(asprintf(mpath, "%s.metric", path), 0);
    unlink(path), unlink(*mpath);
    return path;
}

static void cache_paths_drop(char *path, char *mpath)
{
    unlink(path), unlink(mpath);
    free(path), free(mpath);
}

/* tu_db()'s data_version, the key of its hierarchy files. */
static void db_key(char *key, size_t cap)
{
    struct store *st = NULL;
    ck_assert_int_eq(store_open(tu_db(), STORE_READONLY, &st, NULL), KKC_OK);
    if (store_meta_get(st, "data_version", key, cap, NULL))
        snprintf(key, cap, "unknown");
    store_close(st);
}

static void prepare(const char *path, struct road_ch_prepare_stats *hs)
{
    struct store *st = NULL;
    struct kkc_err err = {0};
    ck_assert_int_eq(store_open(tu_db(), STORE_READONLY, &st, NULL), KKC_OK);
    ck_assert_msg(road_ch_prepare(st, path, hs, &err) == KKC_OK, "%s", err.msg);
    store_close(st);
}

/* The files an import writes (road_ch_prepare) are what a server maps: the hierarchy and the
 * metric both from the files, the metric mapped, costs equal to plain searches; prepared again,
 * the files are current; written under another data version, they are stale and rebuilt. */
START_TEST(t_road_ch_prepared)
{
    char *mpath = NULL, *path = cache_paths(&mpath), key[64];
    struct road_ch_prepare_stats hs = {0};
    struct kkc_err err = {0};
    prepare(path, &hs);
    ck_assert_int_eq(hs.from_cache, 0);
    ck_assert_uint_gt(hs.nodes, 0);
    ck_assert_int_eq(access(path, R_OK), 0);
    ck_assert_int_eq(access(mpath, R_OK), 0);
    struct graph *a = load(tu_db(), 0, NULL), *h = load(tu_db(), 1, path);
    ck_assert_int_eq(h->ch->from_cache, 1);
    ck_assert_int_eq(h->ch->metric_from_cache, 1);
    ck_assert_ptr_nonnull(h->ch->metric_file.map);
    ck_assert_uint_eq(hs.arcs, h->ch->c->arc_count);
    same_costs(a, h, 11);
    graph_destroy(h);
    prepare(path, &hs);
    ck_assert_int_eq(hs.from_cache, 1);
    /* files of another data version: the next load (a server's, or the import's) rebuilds */
    h = load(tu_db(), 0, NULL);
    ck_assert_msg(road_ch_create(h, path, "another version", &h->ch, &err) == KKC_OK, "%s",
                  err.msg);
    ck_assert_int_eq(h->ch->from_cache, 0);
    graph_destroy(h);
    h = load(tu_db(), 1, path);
    ck_assert_int_eq(h->ch->from_cache, 0);
    ck_assert_int_eq(h->ch->metric_from_cache, 0);
    ck_assert_ptr_null(h->ch->metric_file.map);
    same_costs(a, h, 12);
    graph_destroy(h);
    h = load(tu_db(), 1, path); /* the rebuild rewrote them under the right key */
    ck_assert_int_eq(h->ch->from_cache, 1);
    ck_assert_int_eq(h->ch->metric_from_cache, 1);
    db_key(key, sizeof key);
    struct cch_metric *m = NULL;
    ck_assert_int_eq(cch_metric_load(h->ch->c, h->ch->m->weight, key, mpath, &m, &err), KKC_OK);
    ck_assert_int_eq(memcmp(m->up, h->ch->m->up, m->c->arc_count * sizeof *m->up), 0);
    ck_assert_int_eq(memcmp(m->down, h->ch->m->down, m->c->arc_count * sizeof *m->down), 0);
    cch_metric_destroy(m);
    graph_destroy(h), graph_destroy(a);
    cache_paths_drop(path, mpath);
}
END_TEST

/* Closures over a base whose metric is mapped from the file: the derived metric (the file
 * mapped copy-on-write, updated over the changed arcs) equals a full customization with the
 * derived graph's costs, and the base's stays the file's. */
START_TEST(t_road_ch_mapped_closures)
{
    char *mpath = NULL, *path = cache_paths(&mpath);
    struct road_ch_prepare_stats hs = {0};
    struct kkc_err err = {0};
    prepare(path, &hs);
    struct graph *g = load(tu_db(), 1, path), *d = NULL;
    ck_assert_ptr_nonnull(g->ch->metric_file.map);
    struct closures_base *b = NULL;
    ck_assert_int_eq(closures_base_create(g, &b, &err), KKC_OK);
    struct closure_effect items[24];
    size_t n = 0;
    /* edge ids ascending, as closures_match gives them; car roads both ways: some closed, some
     * slowed, one direction or both */
    for (uint32_t k = 1; n < 24 && k < g->edge_count; k += g->edge_count / 40)
        if ((g->edge_flags[k] & (GRAPH_FORWARD | GRAPH_BACKWARD)) ==
            (GRAPH_FORWARD | GRAPH_BACKWARD)) {
            items[n] = (struct closure_effect){k, n % 3 ? 4.0 : 0.0, n % 2 ? 0.0 : 1.0};
            n++;
        }
    ck_assert_uint_ge(n, 10);
    struct closure_effects e = {.items = items, .len = n, .active = n};
    struct closures_derive_stats ds = {0};
    ck_assert_msg(closures_graph_derive(b, &e, &d, &ds, &err) == KKC_OK, "%s", err.msg);
    ck_assert_uint_gt(ds.arcs_changed, 0);
    const struct cch *c = g->ch->c;
    cch_cost *w = malloc((c->input_arcs + 1) * sizeof *w);
    for (uint64_t a = 0; a < c->input_arcs; a++)
        w[a] = tnet_arc_cost(d, a);
    struct cch_metric *full = NULL;
    ck_assert_int_eq(cch_metric_create(c, NULL, w, &full, &err), KKC_OK);
    ck_assert_int_eq(memcmp(d->ch->m->up, full->up, c->arc_count * sizeof *full->up), 0);
    ck_assert_int_eq(memcmp(d->ch->m->down, full->down, c->arc_count * sizeof *full->down), 0);
    for (uint64_t a = 0; a < c->input_arcs; a++)
        w[a] = tnet_arc_cost(g, a);
    cch_metric_destroy(full);
    ck_assert_int_eq(cch_metric_create(c, NULL, w, &full, &err), KKC_OK);
    ck_assert_int_eq(memcmp(g->ch->m->up, full->up, c->arc_count * sizeof *full->up), 0);
    cch_metric_destroy(full);
    free(w);
    closures_graph_derived_free(d);
    closures_base_destroy(b); /* frees g */
    cache_paths_drop(path, mpath);
}
END_TEST

Suite *road_ch_suite(void); /* for the runner */
Suite *road_ch_suite(void)
{
    Suite *s = suite_create("road_ch");
    TCase *tc = tu_tcase(s, "road_ch", 300);
    tcase_add_test(tc, t_road_ch_routes);
    tcase_add_test(tc, t_road_ch_cache);
    tcase_add_test(tc, t_road_ch_metric_update);
    tcase_add_test(tc, t_road_ch_prepared);
    tcase_add_test(tc, t_road_ch_mapped_closures);
    return s;
}
