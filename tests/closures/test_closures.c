/* tests/closures/test_closures.c -- road closures: storage and checks, matching, and the oracle:
 * a world with the bridge closed answers exactly as a fresh database without the bridge. */
#include "centres/centres.h"
#include "closures/avoid.h"
#include "closures/closures.h"
#include "road/graph.h"
#include "road/labels.h"
#include "road/nearest_time.h"
#include "road/road_ch.h"
#include "road/tnet.h"
#include "road/route.h"
#include "road/snap.h"
#include "base/store.h"
#include "fixture_graph.h"
#include "testutil.h"
#include "world.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Two banks of a river (metres): west 0..3, east 4..7; bridge 8 (e8: 1 - 4, quick) and bridge 9
 * (e9: 3 - 6, slow). Ways are 500 + edge index. */
static const struct fx_node br_nodes[8] = {{0, 0},   {200, 0},   {0, 300},   {200, 300},
                                           {500, 0}, {700, 0},   {500, 300}, {700, 300}};
static const struct fx_edge br_edges[10] = {
    {0, 1, 200, 20, 1, 1, "West 1", NULL, 0, 0}, {0, 2, 300, 30, 1, 1, "West 2", NULL, 0, 0},
    {1, 3, 300, 30, 1, 1, "West 3", NULL, 0, 0}, {2, 3, 200, 20, 1, 1, "West 4", NULL, 0, 0},
    {4, 5, 200, 20, 1, 1, "East 1", NULL, 0, 0}, {4, 6, 300, 30, 1, 1, "East 2", NULL, 0, 0},
    {5, 7, 300, 30, 1, 1, "East 3", NULL, 0, 0}, {6, 7, 200, 20, 1, 1, "East 4", NULL, 0, 0},
    {1, 4, 300, 25, 1, 1, "Quick bridge", NULL, 0, 0},
    {3, 6, 300, 200, 1, 1, "Slow bridge", NULL, 0, 0},
};
#define BRIDGE_WAY 508
#define SLOW_WAY 509

/* Query points (metres), none on a bridge. */
static const double pts[][2] = {{100, 0}, {650, 0}, {0, 150}, {600, 300}, {700, 150}, {150, 300}};
#define NPTS (sizeof pts / sizeof pts[0])

static void add_centre(struct store *st, const char *id, double x, double y)
{
    char sql[300];
    double lon, lat;
    struct kkc_err err = {0};
    to_lonlat(x, y, &lon, &lat);
    snprintf(sql, sizeof sql,
             "INSERT INTO centres (id, name, kind, source, geom) VALUES ('%s', '%s', 'fire', "
             "'test', MakePoint(%.10f, %.10f, 4326))", id, id, lon, lat);
    ck_assert_msg(store_exec(st, sql, &err) == KKC_OK, "%s", err.msg);
}

/* A database of the map without edge skip (-1: all edges), with a centre on each bank. */
static char *bridge_db(int skip, int skip2)
{
    struct fx_edge e[10];
    int n = 0;
    struct store *st = NULL;
    struct kkc_err err = {0};
    for (int i = 0; i < 10; i++)
        if (i != skip && i != skip2)
            e[n++] = br_edges[i];
    char *path = fx_db(br_nodes, 8, e, n);
    ck_assert_int_eq(store_open(path, STORE_READWRITE, &st, &err), KKC_OK);
    add_centre(st, "west", 0, 0);
    add_centre(st, "east", 700, 0);
    if (skip >= 0 && skip2 < 0) /* the remaining ways keep their ids (500 + index in the map) */
        ck_assert_int_eq(store_exec(st, skip == 8 ? "UPDATE road_edges SET osm_way_id = 509 "
                                                    "WHERE id = 8" : "SELECT 1", &err), KKC_OK);
    store_close(st);
    return path;
}

static struct world *load(const char *path)
{
    struct world *w = NULL;
    struct kkc_err err = {0};
    ck_assert_msg(world_load(path, &w, &err) == KKC_OK, "%s", err.msg);
    return w;
}

static void drop(struct world *w)
{
    struct world_holder h;
    world_holder_init(&h, w);
    world_holder_done(&h);
}

/* Every route between the query points and (with labels) the two nearest centres of each agree
 * exactly on graphs ga and gb. */
static void assert_same_on(const struct graph *ga, const struct labels *la,
                           const struct graph *gb, const struct labels *lb)
{
    struct route_ctx *ca = NULL, *cb = NULL;
    struct kkc_err err = {0};
    ck_assert_int_eq(route_ctx_create(ga, &ca, &err), KKC_OK);
    ck_assert_int_eq(route_ctx_create(gb, &cb, &err), KKC_OK);
    for (size_t i = 0; i < NPTS; i++) {
        struct snap sa[NPTS], sb[NPTS];
        int ok[NPTS];
        double lon, lat;
        for (size_t j = 0; j < NPTS; j++) { /* a bank cut off is snapped to by neither */
            to_lonlat(pts[j][0], pts[j][1], &lon, &lat);
            enum kkc_code ka = snap_point(ga, lon, lat, 50, &sa[j], &err);
            ck_assert_int_eq(ka, snap_point(gb, lon, lat, 50, &sb[j], &err));
            ok[j] = ka == KKC_OK;
        }
        if (!ok[i])
            continue;
        for (size_t j = 0; j < NPTS; j++) {
            if (!ok[j])
                continue;
            struct route_result *ra = NULL, *rb = NULL;
            enum kkc_code ka = route_compute(ga, ca, &sa[i], &sa[j], 1, &ra, &err);
            enum kkc_code kb = route_compute(gb, cb, &sb[i], &sb[j], 1, &rb, &err);
            ck_assert_int_eq(ka, kb);
            if (ka == KKC_OK) {
                ck_assert_double_eq(ra->duration_s, rb->duration_s);
                ck_assert_double_eq(ra->distance_m, rb->distance_m);
                ck_assert_uint_eq(ra->coord_count, rb->coord_count);
                ck_assert_int_eq(memcmp(ra->coords, rb->coords,
                                        ra->coord_count * 2 * sizeof(double)), 0);
            }
            route_result_destroy(ra);
            route_result_destroy(rb);
        }
        struct labels_hit ha[2], hb[2];
        size_t na = 0, nb = 0;
        if (!la)
            continue;
        ck_assert_int_eq(labels_nearest(la, &sa[i], 2, ha, &na, &err), 0);
        ck_assert_int_eq(labels_nearest(lb, &sb[i], 2, hb, &nb, &err), 0);
        ck_assert_uint_eq(na, nb);
        for (size_t k = 0; k < na; k++) {
            ck_assert_uint_eq(ha[k].centre, hb[k].centre);
            ck_assert_uint_eq(ha[k].cost, hb[k].cost);
        }
    }
    route_ctx_destroy(ca);
    route_ctx_destroy(cb);
}

static void assert_same_answers(struct world *a, struct world *b)
{
    assert_same_on(a->graph, a->labels[KIND_MASK_ALL], b->graph, b->labels[KIND_MASK_ALL]);
}

/* One closure of way ids (factor f, direction dir) from now on. */
static struct closure way_closure(int64_t *ways, size_t n, double f, int dir)
{
    return (struct closure){.factor = f, .dir = dir, .ways = ways, .nways = n,
                            .reason = "povodeň", .source = "test", .valid_from = 0};
}

static int64_t cwrite(const char *path, enum closures_op op, struct closure *c, size_t n,
                     struct kkc_err *err)
{
    struct store *st = NULL;
    int64_t v = 0;
    enum kkc_code rc = store_open(path, STORE_READWRITE, &st, err);
    if (!rc)
        rc = closures_write(st, op, c, n, (int64_t)time(NULL), &v, err);
    store_close(st);
    return rc ? -(int64_t)rc : v;
}

START_TEST(closed_bridge_is_a_network_without_it)
{
    char *db = bridge_db(-1, -1), *oracle = bridge_db(8, -1), *oracle2 = bridge_db(8, 9);
    struct kkc_err err = {0};
    int64_t ways[2] = {BRIDGE_WAY, SLOW_WAY};
    struct closure c = way_closure(ways, 1, 0, CLOSURE_BOTH);
    struct world *before = load(db), *w, *o;

    ck_assert_int_eq(cwrite(db, CLOSURES_ADD, &c, 1, &err), 1);
    ck_assert(c.id > 0);
    w = load(db), o = load(oracle);
    ck_assert_int_eq(w->closures.active, 1);
    ck_assert_int_eq(w->closures.edges, 1);
    assert_same_answers(w, o);
    drop(w);
    drop(o);

    /* both bridges: the banks are apart, exactly as without both */
    struct closure c2 = way_closure(ways + 1, 1, 0, CLOSURE_BOTH);
    ck_assert_int_eq(cwrite(db, CLOSURES_ADD, &c2, 1, &err), 2);
    w = load(db), o = load(oracle2);
    assert_same_answers(w, o);
    drop(w);
    drop(o);

    /* removing both restores every answer */
    ck_assert_int_eq(cwrite(db, CLOSURES_REMOVE, &c, 1, &err), 3);
    ck_assert_int_eq(cwrite(db, CLOSURES_REMOVE, &c2, 1, &err), 4);
    w = load(db);
    ck_assert_int_eq(w->closures.active, 0);
    ck_assert_int_eq(w->closures.version, 4);
    assert_same_answers(w, before);
    drop(w);
    drop(before);
    unlink(db), unlink(oracle), unlink(oracle2);
    free(db), free(oracle), free(oracle2);
}
END_TEST

/* A polygon in metres (x0, y0, x1, y1 box) as WKT. */
static void box_wkt(char *buf, size_t cap, double x0, double y0, double x1, double y1)
{
    double a[2], b[2];
    to_lonlat(x0, y0, &a[0], &a[1]);
    to_lonlat(x1, y1, &b[0], &b[1]);
    snprintf(buf, cap, "POLYGON((%.10f %.10f, %.10f %.10f, %.10f %.10f, %.10f %.10f, %.10f %.10f))",
             a[0], a[1], b[0], a[1], b[0], b[1], a[0], b[1], a[0], a[1]);
}

START_TEST(slow_down_and_one_direction_match_their_oracles)
{
    struct fx_edge slow[10], oneway[10];
    memcpy(slow, br_edges, sizeof slow);
    memcpy(oneway, br_edges, sizeof oneway);
    slow[8].dur = 25 * 2.5;
    oneway[8].fw = 0; /* 1 -> 4 closed, 4 -> 1 open */
    char *db = bridge_db(-1, -1), *db2 = bridge_db(-1, -1);
    char *o1 = fx_db(br_nodes, 8, slow, 10), *o2 = fx_db(br_nodes, 8, oneway, 10);
    struct store *st = NULL;
    struct kkc_err err = {0};
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(store_open(i ? o2 : o1, STORE_READWRITE, &st, &err), KKC_OK);
        add_centre(st, "west", 0, 0);
        add_centre(st, "east", 700, 0);
        store_close(st);
    }
    int64_t way = BRIDGE_WAY;
    struct closure c = way_closure(&way, 1, 2.5, CLOSURE_BOTH);
    ck_assert_int_eq(cwrite(db, CLOSURES_ADD, &c, 1, &err), 1);
    c = way_closure(&way, 1, 0, CLOSURE_FORWARD);
    ck_assert_int_eq(cwrite(db2, CLOSURES_ADD, &c, 1, &err), 1);
    struct world *w = load(db), *o = load(o1);
    assert_same_answers(w, o);
    drop(w), drop(o);
    w = load(db2), o = load(o2);
    assert_same_answers(w, o);
    drop(w), drop(o);
    unlink(db), unlink(db2), unlink(o1), unlink(o2);
    free(db), free(db2), free(o1), free(o2);
}
END_TEST

START_TEST(polygon_and_line_close_the_bridge)
{
    char *db = bridge_db(-1, -1), *oracle = bridge_db(8, -1);
    char wkt[400];
    double a[2], b[2];
    struct kkc_err err = {0};
    box_wkt(wkt, sizeof wkt, 300, -50, 400, 50); /* over the middle of the quick bridge */
    struct closure c = {.reason = "nehoda", .wkt = wkt};
    ck_assert_int_eq(cwrite(db, CLOSURES_ADD, &c, 1, &err), 1);
    struct world *w = load(db), *o = load(oracle);
    ck_assert_int_eq(w->closures.edges, 1);
    assert_same_answers(w, o);
    drop(w);
    ck_assert_int_eq(cwrite(db, CLOSURES_REMOVE, &c, 1, &err), 2);
    /* a line drawn 5 m beside the bridge, along it */
    to_lonlat(220, 5, &a[0], &a[1]);
    to_lonlat(480, 5, &b[0], &b[1]);
    snprintf(wkt, sizeof wkt, "LINESTRING(%.10f %.10f, %.10f %.10f)", a[0], a[1], b[0], b[1]);
    c = (struct closure){.reason = "stavba", .wkt = wkt};
    ck_assert_int_eq(cwrite(db, CLOSURES_ADD, &c, 1, &err), 3);
    w = load(db);
    ck_assert_int_eq(w->closures.edges, 1);
    assert_same_answers(w, o);
    drop(w), drop(o);
    unlink(db), unlink(oracle);
    free(db), free(oracle);
}
END_TEST

/* Each bad write fails with code and stores nothing (the version stays). */
static void bad(const char *db, struct closure *c, size_t n, enum kkc_code code, const char *msg)
{
    struct kkc_err err = {0};
    struct store *st = NULL;
    int64_t v0 = 0, v1 = 0;
    struct closure_list l = {0};
    ck_assert_int_eq(store_open(db, STORE_READWRITE, &st, &err), KKC_OK);
    closures_version(st, &v0, &err);
    ck_assert_int_eq(closures_write(st, CLOSURES_ADD, c, n, 100, &v1, &err), code);
    ck_assert_msg(strstr(err.msg, msg), "'%s' lacks '%s'", err.msg, msg);
    closures_version(st, &v1, &err);
    ck_assert_int_eq(v0, v1);
    ck_assert_int_eq(closures_load(st, &l, &err), KKC_OK);
    ck_assert_uint_eq(l.len, 1); /* only the good one of the start */
    closure_list_free(&l);
    store_close(st);
}

START_TEST(bad_writes_store_nothing)
{
    char *db = bridge_db(-1, -1);
    char wkt[400];
    double p[4][2];
    struct kkc_err err = {0};
    int64_t good = BRIDGE_WAY, unknown = 424242, ways[2] = {BRIDGE_WAY, 424242};
    struct closure c = way_closure(&good, 1, 0, CLOSURE_BOTH);
    ck_assert_int_eq(cwrite(db, CLOSURES_ADD, &c, 1, &err), 1);

    c = way_closure(&unknown, 1, 0, CLOSURE_BOTH);
    bad(db, &c, 1, KKC_EINVAL, "way 424242 is not in the road network");
    struct closure two[2] = {way_closure(ways, 1, 0, 0), way_closure(ways + 1, 1, 0, 0)};
    bad(db, two, 2, KKC_EINVAL, "closure 2 of 2: way 424242");
    c = way_closure(&good, 1, 0, CLOSURE_BOTH);
    c.valid_from = 1000, c.valid_until = 900;
    bad(db, &c, 1, KKC_EINVAL, "valid_until must be after valid_from");
    c = way_closure(&good, 1, 0.5, CLOSURE_BOTH);
    bad(db, &c, 1, KKC_EINVAL, "factor");
    /* a bow tie */
    to_lonlat(300, -50, &p[0][0], &p[0][1]), to_lonlat(400, 50, &p[1][0], &p[1][1]);
    to_lonlat(400, -50, &p[2][0], &p[2][1]), to_lonlat(300, 50, &p[3][0], &p[3][1]);
    snprintf(wkt, sizeof wkt, "POLYGON((%.10f %.10f, %.10f %.10f, %.10f %.10f, %.10f %.10f, "
             "%.10f %.10f))", p[0][0], p[0][1], p[1][0], p[1][1], p[2][0], p[2][1], p[3][0],
             p[3][1], p[0][0], p[0][1]);
    c = (struct closure){.reason = "x", .wkt = wkt};
    bad(db, &c, 1, KKC_EINVAL, "not valid");
    c.wkt = "POLYGON EMPTY";
    bad(db, &c, 1, KKC_EINVAL, "empty");
    c.wkt = "nonsense";
    bad(db, &c, 1, KKC_EINVAL, "not WKT");
    box_wkt(wkt, sizeof wkt, -100, -100, 800, 400);
    c.wkt = wkt;
    bad(db, &c, 1, KKC_EINVAL, "covers the whole road network");
    box_wkt(wkt, sizeof wkt, -50, -50, 250, 350); /* the west bank: 6 of 10 edges */
    bad(db, &c, 1, KKC_EINVAL, "more than 50 %");
    box_wkt(wkt, sizeof wkt, 5000, 5000, 5100, 5100);
    bad(db, &c, 1, KKC_EINVAL, "touches no road");
    struct closure *many = calloc(10000, sizeof *many);
    for (int i = 0; i < 10000; i++)
        many[i] = way_closure(&good, 1, 0, 0);
    bad(db, many, 10000, KKC_ETOOBIG, "at most");
    free(many);
    unlink(db);
    free(db);
}
END_TEST

START_TEST(expiry_follows_the_injected_clock)
{
    char *db = bridge_db(-1, -1);
    struct kkc_err err = {0};
    struct store *st = NULL;
    struct closure_list l = {0};
    struct closure_effects e;
    int64_t way = BRIDGE_WAY, v;
    struct closure c = way_closure(&way, 1, 0, CLOSURE_BOTH);
    c.valid_from = 1000, c.valid_until = 2000;
    ck_assert_int_eq(store_open(db, STORE_READWRITE, &st, &err), KKC_OK);
    ck_assert_int_eq(closures_write(st, CLOSURES_ADD, &c, 1, 500, &v, &err), KKC_OK);
    ck_assert_int_eq(closures_load(st, &l, &err), KKC_OK);
    ck_assert_uint_eq(l.len, 1);
    ck_assert_str_eq(l.items[0].reason, "povodeň");
    ck_assert_int_eq(l.items[0].created, 500);
    const int64_t at[] = {999, 1000, 1999, 2000};
    const size_t active[] = {0, 1, 1, 0}, next[] = {1000, 2000, 2000, 0};
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(closures_match(st, &l, at[i], &e, &err), KKC_OK);
        ck_assert_uint_eq(e.active, active[i]);
        ck_assert_uint_eq(e.len, active[i]);
        ck_assert_int_eq(e.next_change, (int64_t)next[i]);
        closure_effects_free(&e);
    }
    closure_list_free(&l);
    store_close(st);
    unlink(db);
    free(db);
}
END_TEST

static void count_report(void *ud, const char *file, long row, const char *reason)
{
    (void)file, (void)row;
    ck_assert_ptr_nonnull(strstr(reason, "way 508 no longer exists"));
    (*(int *)ud)++;
}

START_TEST(reimport_keeps_closures_and_reports_missing_ways)
{
    char *db = bridge_db(-1, -1), *fresh = bridge_db(8, -1);
    struct kkc_err err = {0};
    struct store *st = NULL;
    struct closure_list l = {0};
    int64_t ways[2] = {BRIDGE_WAY, SLOW_WAY}, v = 0;
    int missing = 0;
    struct closure c = way_closure(ways, 2, 0, CLOSURE_BOTH);
    ck_assert_int_eq(cwrite(db, CLOSURES_ADD, &c, 1, &err), 1);
    ck_assert_int_eq(store_open(fresh, STORE_READWRITE, &st, &err), KKC_OK);
    ck_assert_msg(closures_carry_over(st, db, count_report, &missing, &err) == KKC_OK, "%s",
                  err.msg);
    ck_assert_int_eq(closures_load(st, &l, &err), KKC_OK);
    ck_assert_int_eq(closures_version(st, &v, &err), KKC_OK);
    ck_assert_uint_eq(l.len, 1);
    ck_assert_uint_eq(l.items[0].nways, 2);
    ck_assert_int_eq(v, 1);
    ck_assert_int_eq(missing, 1);
    closure_list_free(&l);
    store_close(st);
    struct world *w = load(fresh); /* the slow bridge still closed, the lost way counted */
    ck_assert_int_eq(w->closures.edges, 1);
    ck_assert_int_eq(w->closures.missing_ways, 1);
    drop(w);
    unlink(db), unlink(fresh);
    free(db), free(fresh);
}
END_TEST

START_TEST(avoid_area_matches_a_network_without_the_bridge)
{
    char *db = bridge_db(-1, -1), *oracle = bridge_db(8, -1);
    struct world *w = load(db), *o = load(oracle);
    struct kkc_err err = {0};
    struct closure_effects e;
    struct graph *copy = NULL;
    double ring[8];
    to_lonlat(300, -50, &ring[0], &ring[1]), to_lonlat(400, -50, &ring[2], &ring[3]);
    to_lonlat(400, 50, &ring[4], &ring[5]), to_lonlat(300, 50, &ring[6], &ring[7]);
    struct avoid_area area = {ring, 4};
    struct avoid_opts opts = {&area, 1, 0};
    ck_assert_int_eq(closures_avoid_effects(w->graph, &opts, &e, &err), KKC_OK);
    ck_assert_uint_eq(e.len, 1);
    ck_assert_uint_eq(e.items[0].edge, 8);
    ck_assert_int_eq(closures_graph_with(w->graph, &e, &copy, &err), KKC_OK);
    assert_same_on(copy, NULL, o->graph, NULL);
    closures_graph_release(copy);
    closure_effects_free(&e);
    /* exclude=motorway: the quick bridge made a motorway is left out, as if it were not there */
    struct store *st = NULL;
    ck_assert_int_eq(store_open(db, STORE_READWRITE, &st, &err), KKC_OK);
    ck_assert_int_eq(store_exec(st, "UPDATE road_edges SET highway = 'motorway' WHERE id = 8",
                                &err), KKC_OK);
    store_close(st);
    struct world *mw = load(db);
    struct avoid_opts ex = {NULL, 0, 1u << GRAPH_CLASS_MOTORWAY};
    ck_assert_int_eq(closures_avoid_effects(mw->graph, &ex, &e, &err), KKC_OK);
    ck_assert_uint_eq(e.len, 1);
    ck_assert_int_eq(closures_graph_with(mw->graph, &e, &copy, &err), KKC_OK);
    assert_same_on(copy, NULL, o->graph, NULL);
    closures_graph_release(copy);
    closure_effects_free(&e);
    drop(mw);
    /* the world's own graph is untouched: still the answers of the full network */
    struct world *full = load(db);
    assert_same_answers(w, full);
    drop(w), drop(o), drop(full);
    unlink(db), unlink(oracle);
    free(db), free(oracle);
}
END_TEST


/* ---- a change applied by deriving the world (world_apply_change) --------------------------- */

/* The nearest centres by time of every kind from each query point agree on a and b (a's labels
 * or, when stale, its exhaustive search; b loaded afresh). */
static void assert_same_nearest(const struct world *a, const struct world *b)
{
    struct kkc_err err = {0};
    for (size_t i = 0; i < NPTS; i++) {
        const struct labels *la[KIND_COUNT], *lb[KIND_COUNT];
        struct nearest_time_hit ha[4], hb[4];
        struct snap sa, sb;
        size_t na = 0, nb = 0;
        double lon, lat;
        to_lonlat(pts[i][0], pts[i][1], &lon, &lat);
        if (snap_point(a->graph, lon, lat, 50, &sa, &err) ||
            snap_point(b->graph, lon, lat, 50, &sb, &err))
            continue; /* assert_same_on checks both snap alike */
        for (int k = 0; k < KIND_COUNT; k++)
            la[k] = a->labels[1u << k], lb[k] = b->labels[1u << k];
        ck_assert_int_eq(nearest_time_kinds(a->graph, a->centres, la, &sa, KIND_MASK_ALL, 0, 4,
                                            ha, &na, &err), 0);
        ck_assert_int_eq(nearest_time_kinds(b->graph, b->centres, lb, &sb, KIND_MASK_ALL, 0, 4,
                                            hb, &nb, &err), 0);
        ck_assert_uint_eq(na, nb);
        for (size_t k = 0; k < na; k++) {
            ck_assert_str_eq(centres_get(a->centres, ha[k].centre)->id,
                             centres_get(b->centres, hb[k].centre)->id);
            ck_assert_uint_eq(ha[k].cost, hb[k].cost);
        }
    }
}

/* w's hierarchy costs equal a full customization from its own graph's turn arc costs. */
static void assert_metric_full(const struct world *w)
{
    struct kkc_err err = {0};
    const struct cch_metric *m = w->graph->ch->m;
    uint64_t na = w->graph->turn->first_out[w->graph->turn->n];
    cch_cost *wt = malloc((na + 1) * sizeof *wt);
    struct cch_metric *full = NULL;
    for (uint64_t a = 0; a < na; a++)
        wt[a] = tnet_arc_cost(w->graph, a);
    ck_assert_int_eq(cch_metric_create(m->c, NULL, wt, &full, &err), KKC_OK);
    ck_assert_int_eq(memcmp(full->up, m->up, m->c->arc_count * sizeof *m->up), 0);
    ck_assert_int_eq(memcmp(full->down, m->down, m->c->arc_count * sizeof *m->down), 0);
    cch_metric_destroy(full);
    free(wt);
}

/* Apply `what` to h as a writer does, then check the current world (labels stale) and, once the
 * labeller is done, its twin (labels built) against fresh loads of `same` (a copy of the state, no cache
 * files) and `oracle` (the network without the closed edges, NULL: none). */
static void apply_and_check(struct world_holder *h, unsigned what, const char *same,
                            const char *oracle)
{
    struct kkc_err err = {0};
    pthread_mutex_lock(&h->write_mu);
    ck_assert_msg(world_apply_change(h, what, &err) == KKC_OK, "%s", err.msg);
    /* write_mu stays held for the first pass: the labeller cannot swap its twin in meanwhile */
    struct world *f = load(same), *o = oracle ? load(oracle) : NULL;
    for (int pass = 0; pass < 2; pass++) {
        struct world *w = world_get(h);
        ck_assert_int_eq(w->labels_stale, pass == 0);
        ck_assert_int_eq(w->closures.version, f->closures.version);
        ck_assert_int_eq(w->closures.edges, f->closures.edges);
        assert_same_on(w->graph, NULL, f->graph, NULL);
        assert_same_nearest(w, f);
        assert_metric_full(w);
        if (o) {
            assert_same_on(w->graph, NULL, o->graph, NULL);
            assert_same_nearest(w, o);
        }
        world_put(h, w);
        if (pass == 0)
            pthread_mutex_unlock(&h->write_mu);
        world_holder_settle(h);
    }
    drop(f);
    if (o)
        drop(o);
}

/* The database at src copied to a new temporary path (without its cache files). */
static char *copy_db(const char *src)
{
    char *dst = tu_tmpfile("same.sqlite"), cmd[2048];
    snprintf(cmd, sizeof cmd, "sqlite3 '%s' \".backup '%s'\"", src, dst); /* WAL included */
    ck_assert_int_eq(system(cmd), 0);
    return dst;
}

START_TEST(derived_world_answers_as_a_fresh_load)
{
    char *db = bridge_db(-1, -1), *oracle = bridge_db(8, -1), *same;
    struct kkc_err err = {0};
    struct world_holder h;
    int64_t way = BRIDGE_WAY;
    struct closure c = way_closure(&way, 1, 0, CLOSURE_BOTH);
    struct world *before = load(db), *w, *first;
    world_holder_init(&h, load(db));
    first = world_get(&h); /* kept: the new worlds share its base */

    ck_assert_int_eq(cwrite(db, CLOSURES_ADD, &c, 1, &err), 1);
    apply_and_check(&h, WORLD_CHANGE_CLOSURES, same = copy_db(db), oracle);
    unlink(same), free(same);
    w = world_get(&h);
    ck_assert_ptr_eq(w->graph->turn, first->graph->turn); /* shared, not rebuilt */
    ck_assert_ptr_eq(w->graph->ch->c, first->graph->ch->c);
    ck_assert_ptr_eq(w->graph->coords, first->graph->coords);
    ck_assert_ptr_ne(w->graph->ch->m, first->graph->ch->m);
    ck_assert_ptr_ne(w->graph->out, first->graph->out);
    world_put(&h, w);
    world_put(&h, first);

    /* a centre added (beside the closure): centres derived, graph shared */
    struct store *st = NULL;
    ck_assert_int_eq(store_open(db, STORE_READWRITE, &st, &err), KKC_OK);
    add_centre(st, "middle", 200, 300);
    store_close(st);
    w = world_get(&h);
    const struct graph *g0 = w->graph;
    world_put(&h, w);
    apply_and_check(&h, WORLD_CHANGE_CENTRES, same = copy_db(db), NULL);
    unlink(same), free(same);
    w = world_get(&h);
    ck_assert_ptr_eq(w->graph, g0);
    ck_assert_uint_eq(centres_count(w->centres), 3);
    world_put(&h, w);

    /* removed again: every answer and every hierarchy cost as before, bit for bit */
    ck_assert_int_eq(store_open(db, STORE_READWRITE, &st, &err), KKC_OK);
    ck_assert_int_eq(store_exec(st, "DELETE FROM centres WHERE id = 'middle'", &err), KKC_OK);
    store_close(st);
    ck_assert_int_eq(cwrite(db, CLOSURES_REMOVE, &c, 1, &err), 2);
    apply_and_check(&h, WORLD_CHANGE_CLOSURES | WORLD_CHANGE_CENTRES, same = copy_db(db), NULL);
    unlink(same), free(same);
    w = world_get(&h);
    ck_assert_int_eq(w->closures.edges, 0);
    assert_same_on(w->graph, NULL, before->graph, NULL);
    assert_same_nearest(w, before);
    const struct cch_metric *m = w->graph->ch->m, *m0 = before->graph->ch->m;
    ck_assert_int_eq(memcmp(m->up, m0->up, m->c->arc_count * sizeof *m->up), 0);
    ck_assert_int_eq(memcmp(m->down, m0->down, m->c->arc_count * sizeof *m->down), 0);
    world_put(&h, w);
    world_holder_done(&h);
    drop(before);
    unlink(db), unlink(oracle);
    free(db), free(oracle);
}
END_TEST

Suite *closures_suite(void);
Suite *closures_suite(void)
{
    Suite *s = suite_create("closures");
    TCase *tc = tu_tcase(s, "core", 120);
    tcase_add_test(tc, closed_bridge_is_a_network_without_it);
    tcase_add_test(tc, slow_down_and_one_direction_match_their_oracles);
    tcase_add_test(tc, polygon_and_line_close_the_bridge);
    tcase_add_test(tc, bad_writes_store_nothing);
    tcase_add_test(tc, expiry_follows_the_injected_clock);
    tcase_add_test(tc, reimport_keeps_closures_and_reports_missing_ways);
    tcase_add_test(tc, avoid_area_matches_a_network_without_the_bridge);
    tcase_add_test(tc, derived_world_answers_as_a_fresh_load);
    return s;
}
