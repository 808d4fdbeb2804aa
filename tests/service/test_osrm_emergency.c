/* tests/service/test_osrm_emergency.c -- the OSRM endpoints stay car.lua's on a map with roads and
 * barriers only emergency vehicles may pass (tests/fixture_osm.h, fx_emergency_map): /route/v1
 * and /table/v1 answer exactly what they answer on the same map without them (Zkratka tagged
 * access=no, which nothing stores; a passable bollard a plain one), and the route's duration is
 * the car's detour
 * over Horní worked out by hand: SpatiaLite's GeodesicLength of Start, Horní and Cíl at car.lua's
 * residential 25 km/h (the runner's KKC_TURN_COSTS=off: no turn costs), to OSRM's 0.1 s. */
#include "api.h"
#include "base/store.h"
#include "fixture_osm.h"
#include "httputil.h"
#include "road/import/osm_import.h"
#include "testutil.h"
#include "world.h"

#include <check.h>
#include <jansson.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The world of the emergency map with Zkratka's and G's tags; *db the caller's (free). */
static struct world *em_world(const char *way_tags, const char *node_tags, char **db)
{
    char xml[4096];
    struct world *w = NULL;
    struct kkc_err err = {0};
    fx_emergency_map(xml, sizeof xml, way_tags, node_tags);
    *db = fx_osm_db((const char *const[]){xml, NULL});
    ck_assert_msg(world_load(*db, &w, &err) == KKC_OK, "%s", err.msg);
    return w;
}

/* GET path?query on w: status 200; the parsed body. */
static json_t *em_get_any(struct world *w, const char *path, const char *query)
{
    struct api_res res = {0};
    json_error_t je;
    hu_dispatch_get(w, path, query, &res);
    ck_assert_msg(res.status == 200, "%s?%s: %d %s", path, query, res.status,
                  res.body ? res.body : "");
    json_t *v = json_loads(res.body, 0, &je);
    free(res.body);
    ck_assert_ptr_nonnull(v);
    return v;
}

/* GET path?query on w: status 200, code Ok; the parsed body. */
static json_t *em_get(struct world *w, const char *path, const char *query)
{
    json_t *v = em_get_any(w, path, query);
    ck_assert_str_eq(json_string_value(json_object_get(v, "code")), "Ok");
    return v;
}

/* Metres of OSM way `way` by SpatiaLite (GeodesicLength of its stored rows). */
static double way_m(const char *db, long long way)
{
    struct store *st = NULL;
    struct kkc_err err = {0};
    sqlite3_stmt *s = NULL;
    double m = NAN;
    ck_assert_int_eq(store_open(db, STORE_READONLY, &st, &err), KKC_OK);
    ck_assert_int_eq(store_prepare(st,
                                   "SELECT sum(GeodesicLength(geom)) FROM road_edges "
                                   "WHERE osm_way_id = ?",
                                   &s, &err),
                     KKC_OK);
    sqlite3_bind_int64(s, 1, way);
    if (sqlite3_step(s) == SQLITE_ROW)
        m = sqlite3_column_double(s, 0);
    sqlite3_finalize(s);
    store_close(st);
    return m;
}

static void drop_db(char *db)
{
    char osm[600];
    unlink(db);
    char *dir = dirname(db);
    snprintf(osm, sizeof osm, "%s/map.osm", dir);
    unlink(osm);
    rmdir(dir);
    free(db);
}

#define NO_WAY "<tag k=\"highway\" v=\"residential\"/><tag k=\"access\" v=\"no\"/>"
#define OPEN_WAY "<tag k=\"highway\" v=\"residential\"/>"

/* Each map and the car's same map without the emergency access: the emergency-only road not
 * stored (access=no), the passable bollard a plain one. */
static const struct {
    const char *way, *node, *base_way, *base_node;
} em_cases[] = {
    {"<tag k=\"highway\" v=\"service\"/><tag k=\"service\" v=\"emergency_access\"/>", "", NO_WAY,
     ""},
    {NO_WAY "<tag k=\"emergency\" v=\"yes\"/>", "", NO_WAY, ""},
    {"<tag k=\"highway\" v=\"tertiary\"/><tag k=\"access\" v=\"no\"/><tag k=\"psv\" v=\"yes\"/>",
     "", NO_WAY, ""},
    {OPEN_WAY, "<tag k=\"barrier\" v=\"bollard\"/><tag k=\"emergency\" v=\"yes\"/>", OPEN_WAY,
     "<tag k=\"barrier\" v=\"bollard\"/>"},
};

START_TEST(osrm_unchanged)
{
    static const char route[] = "/route/v1/driving/" FX_EM_S0 ";" FX_EM_T0;
    static const char table[] = "/table/v1/driving/" FX_EM_S0 ";" FX_EM_T0 ";15.8050000,50.2040000";
    char *db0 = NULL, *db1 = NULL;
    struct world *w0 = em_world(em_cases[_i].base_way, em_cases[_i].base_node, &db0);
    struct world *w1 = em_world(em_cases[_i].way, em_cases[_i].node, &db1);
    json_t *r0 = em_get(w0, route, "steps=true&overview=full");
    json_t *r1 = em_get(w1, route, "steps=true&overview=full");
    ck_assert_msg(json_equal(json_object_get(r0, "routes"), json_object_get(r1, "routes")),
                  "case %d: /route/v1 differs from the map without the emergency road", _i);
    json_t *t0 = em_get(w0, table, "annotations=duration,distance");
    json_t *t1 = em_get(w1, table, "annotations=duration,distance");
    ck_assert(json_equal(json_object_get(t0, "durations"), json_object_get(t1, "durations")));
    ck_assert(json_equal(json_object_get(t0, "distances"), json_object_get(t1, "distances")));
    /* the car's detour over Horní, by hand */
    double want = (way_m(db1, 10) + way_m(db1, 11) + way_m(db1, 13)) / (25 / 3.6);
    json_t *first = json_array_get(json_object_get(r1, "routes"), 0);
    double got = json_number_value(json_object_get(first, "duration"));
    ck_assert_msg(fabs(got - want) <= 0.051, "case %d: %.2f s, expected %.2f s", _i, got, want);
    json_decref(r0), json_decref(r1), json_decref(t0), json_decref(t1);
    struct world_holder h0, h1; /* the holders drop the worlds */
    world_holder_init(&h0, w0), world_holder_init(&h1, w1);
    world_holder_done(&h0), world_holder_done(&h1);
    drop_db(db0), drop_db(db1);
}
END_TEST

/* /v1/nearest?by=response from a fire station at S0 (an OSM amenity=fire_station 5.6 m north of
 * S0, snapped onto S0) to T0, on the map whose Zkratka is an emergency access road: the car's
 * drive time is the detour over Horní, the fire engine's (profile=fire, and profile=auto with
 * kind=fire) Start and Cíl at 25 km/h / 0.90 plus Zkratka at 15 km/h / 0.80, the ambulance's at
 * factors 1.0; all by hand from SpatiaLite's lengths, to the answer's 0.1 s; the fire default
 * turnout 120 s on top. */
START_TEST(nearest_by_profile)
{
    static const char station[] = "<node id=\"100\" lat=\"50.2000500\" lon=\"15.7950000\">"
                                  "<tag k=\"amenity\" v=\"fire_station\"/>"
                                  "<tag k=\"name\" v=\"HZS Start\"/></node>\n</osm>\n";
    char xml[4096], *dir = tu_tmpdir(), osm[512], *db = NULL;
    struct store *st = NULL;
    struct kkc_err err = {0};
    struct world *w = NULL;
    fx_emergency_map(
        xml, sizeof xml - sizeof station,
        "<tag k=\"highway\" v=\"service\"/><tag k=\"service\" v=\"emergency_access\"/>", "");
    strcpy(strstr(xml, "</osm>"), station);
    snprintf(osm, sizeof osm, "%s/map.osm", dir);
    ck_assert_int_ge(asprintf(&db, "%s/map.sqlite", dir), 0);
    FILE *f = fopen(osm, "w");
    ck_assert_ptr_nonnull(f);
    fputs(xml, f);
    fclose(f);
    struct osm_import_opts o = {.path = osm, .centres_from_osm = 1};
    ck_assert_int_eq(store_open(db, STORE_CREATE, &st, &err), KKC_OK);
    ck_assert_msg(osm_import(st, &o, NULL, &err) == KKC_OK, "%s", err.msg);
    store_close(st);
    ck_assert_msg(world_load(db, &w, &err) == KKC_OK, "%s", err.msg);
    double s = way_m(db, 10) + way_m(db, 13), h = way_m(db, 11), z = way_m(db, 12);
    static const struct {
        const char *q;
        double want_s;
    } cases[] = {{"profile=car", 0},
                 {"profile=fire", 1},
                 {"profile=auto&kind=fire", 1},
                 {"profile=ambulance", 2}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char q[200];
        snprintf(q, sizeof q, "lon=15.815&lat=50.2&by=response&k=1&%s", cases[i].q);
        json_t *v = em_get_any(w, "/v1/nearest", q);
        json_t *hit = json_array_get(json_object_get(v, "results"), 0);
        double d = json_number_value(json_object_get(hit, "duration_s"));
        double want = cases[i].want_s == 0   ? (s + h) / (25 / 3.6)
                      : cases[i].want_s == 1 ? s / (25 / 3.6) / 0.90 + z / (15 / 3.6) / 0.80
                                             : s / (25 / 3.6) + z / (15 / 3.6);
        ck_assert_msg(fabs(d - want) <= 0.051, "%s: %.2f s, expected %.2f s", cases[i].q, d, want);
        ck_assert_double_eq(json_number_value(json_object_get(hit, "turnout_s")), 120);
        json_decref(v);
    }
    struct world_holder hold;
    world_holder_init(&hold, w);
    world_holder_done(&hold);
    drop_db(db);
    free(dir);
}
END_TEST

Suite *osrm_emergency_suite(void); /* for the runner */
Suite *osrm_emergency_suite(void)
{
    Suite *s = suite_create("osrm_emergency");
    TCase *tc = tu_tcase(s, "maps", 120);
    tcase_add_loop_test(tc, osrm_unchanged, 0, (int)(sizeof em_cases / sizeof em_cases[0]));
    tcase_add_test(tc, nearest_by_profile);
    return s;
}
