/* tests/service/test_import_hierarchy.c -- `kkc import` builds the routing hierarchy's files
 * (DB.cch, DB.cch.metric) and `kkc serve`'s load maps them (world_load_deferred).
 *
 * The binary under test imports Heidelberg's OSM extract (--no-data); then: both files lie beside
 * the database and no temporary file is left; the world loaded as the server loads it maps the
 * hierarchy and the metric (no build, no customization) and comes with its labels left to the
 * labeller, which builds them; its route costs between random snapped points equal those of a
 * plain search (route.c's A*, no hierarchy) on the same database. With --no-hierarchy no file is
 * written. */
#include "world.h"

#include "road/graph.h"
#include "road/road_ch.h"
#include "road/route.h"
#include "road/snap.h"
#include "base/store.h"
#include "testutil.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NPTS 60

/* Run kkc import of Heidelberg into db with the extra flag (may be ""); its exit status. */
static int import(const char db[1024], const char *flag)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "%s import --no-data --osm %s/osm/heidelberg.osm.pbf %s --out %s "
             ">/dev/null 2>&1", tu_kkc_bin(), tu_data_src(), flag, db);
    return system(cmd);
}

static int exists(const char db[1024], const char *ext)
{
    char path[1100];
    snprintf(path, sizeof path, "%s%s", db, ext);
    return access(path, F_OK) == 0;
}

/* Files in dir whose name holds ".tmp." (what an import writes aside). */
static int temporaries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d)))
        n += strstr(e->d_name, ".tmp.") != NULL;
    closedir(d);
    return n;
}

/* Route costs on w's graph (the hierarchy) equal those of a plain search on db. */
static void same_as_plain(const struct graph *h, const char *db)
{
    struct store *st = NULL;
    struct graph *a = NULL;
    struct kkc_err err = {0};
    struct graph_options o = {.landmarks = 8};
    ck_assert_int_eq(store_open(db, STORE_READONLY, &st, &err), KKC_OK);
    ck_assert_msg(graph_load_opts(st, &o, &a, &err) == KKC_OK, "%s", err.msg);
    store_close(st);
    struct route_ctx *ca = NULL, *ch = NULL;
    ck_assert_int_eq(route_ctx_create(a, &ca, NULL), KKC_OK);
    ck_assert_int_eq(route_ctx_create(h, &ch, NULL), KKC_OK);
    struct snap s[NPTS];
    unsigned long long seed = 15;
    for (int i = 0; i < NPTS;) {
        uint32_t v = (uint32_t)(tu_rand(&seed) * a->node_count);
        if (snap_point(a, a->node_lonlat[2 * v], a->node_lonlat[2 * v + 1], 300, &s[i], NULL) ==
            KKC_OK)
            i++;
    }
    int routed = 0;
    for (int i = 0; i + 1 < NPTS; i++) { /* point i to point i + 1 on both */
        graph_cost cost[2] = {0, 0};
        enum kkc_code rc[2] = {route_cost(a, ca, &s[i], &s[i + 1], &cost[0], NULL),
                               route_cost(h, ch, &s[i], &s[i + 1], &cost[1], NULL)};
        ck_assert_msg(rc[0] == rc[1] && cost[0] == cost[1], "pair %d: %d %llu, %d %llu", i,
                      rc[0], (unsigned long long)cost[0], rc[1], (unsigned long long)cost[1]);
        routed += rc[0] == KKC_OK;
    }
    ck_assert_int_gt(routed, NPTS / 2);
    route_ctx_destroy(ca), route_ctx_destroy(ch);
    graph_destroy(a);
}

START_TEST(t_import_hierarchy)
{
    char *dir = tu_tmpdir(), db[1024], plain[1024];
    struct kkc_err err = {0};
    struct world *w = NULL;
    snprintf(db, sizeof db, "%s/kkc.sqlite", dir);
    snprintf(plain, sizeof plain, "%s/plain.sqlite", dir);
    ck_assert_int_eq(import(db, ""), 0);
    ck_assert(exists(db, ".cch"));
    ck_assert(exists(db, ".cch.metric"));
    ck_assert_int_eq(temporaries(dir), 0);
    ck_assert_msg(world_load_deferred(db, &w, &err) == KKC_OK, "%s", err.msg);
    ck_assert_ptr_nonnull(w->graph);
    ck_assert_ptr_nonnull(w->graph->ch);
    ck_assert_int_eq(w->graph->ch->from_cache, 1);
    ck_assert_int_eq(w->graph->ch->metric_from_cache, 1);
    ck_assert_ptr_nonnull(w->graph->ch->metric_file.map);
    ck_assert_int_eq(w->labels_stale, 1);
    same_as_plain(w->graph, db);
    const struct graph *g = w->graph;
    struct world_holder h;
    world_holder_init(&h, w); /* takes w: the labeller's swap frees it */
    world_labels_later(&h);
    world_holder_settle(&h);
    struct world *cur = world_get(&h);
    ck_assert_int_eq(cur->labels_stale, 0); /* the labeller's twin, labels built */
    ck_assert_ptr_eq(cur->graph, g);
    world_put(&h, cur);
    world_holder_done(&h);
    ck_assert_int_eq(import(plain, "--no-hierarchy"), 0);
    ck_assert(!exists(plain, ".cch"));
    ck_assert(!exists(plain, ".cch.metric"));
    ck_assert_int_eq(temporaries(dir), 0);
    const char *files[] = {db, plain};
    for (int i = 0; i < 2; i++) {
        char path[1100];
        unlink(files[i]);
        snprintf(path, sizeof path, "%s.cch", files[i]), unlink(path);
        snprintf(path, sizeof path, "%s.cch.metric", files[i]), unlink(path);
    }
    rmdir(dir);
    free(dir);
}
END_TEST

Suite *import_hierarchy_suite(void); /* for the runner */
Suite *import_hierarchy_suite(void)
{
    Suite *s = suite_create("import_hierarchy");
    TCase *tc = tu_tcase(s, "import_hierarchy", 300); /* two imports on a loaded machine */
    tcase_add_test(tc, t_import_hierarchy);
    return s;
}
