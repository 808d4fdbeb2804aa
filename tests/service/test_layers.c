/* tests/service/test_layers.c -- the map-layer endpoints (service/api_layers.c) against SQL oracles.
 *
 * Requests go through api_dispatch in process, against the built default database (KKC_DB). The
 * oracles are plain SpatiaLite queries over the same file that the handlers do not run: a full
 * scan with MbrIntersects instead of the spatial index, the road classes per zoom written out
 * here as sets of highway values, and the municipality search re-done in C over every name_key. */
#include "httputil.h"
#include "api.h"
#include "routes.h"
#include "tctx.h"
#include "api_layers.h"
#include "base/store.h"
#include "testutil.h"
#include "world.h"

#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct world *lw;     /* loaded once for the suite (unchecked fixture) */
static struct store *oracle; /* a second connection for the oracle queries */

static void layers_setup(void)
{
    struct kkc_err err = {0};
    if (world_load(tu_db(), &lw, &err) || store_open(tu_db(), STORE_READONLY, &oracle, &err))
        ck_abort_msg("cannot open %s: %s", tu_db(), err.msg);
}

static void layers_teardown(void)
{
    store_close(oracle);
    oracle = NULL;
}

/* ---------------------------------------------------------------- helpers ------------------ */

/* GET path?query in process; query is "k=v&k=v" with no percent-encoding. Returns the parsed
 * body (caller decrefs) and the status in *status. */
static json_t *call(const char *path, const char *query, int *status)
{
    struct api_res res = {0};
    json_error_t jerr;
    json_t *v;

    hu_dispatch_get(lw, path, query, &res);
    *status = res.status;
    v = json_loads(res.body ? res.body : "", 0, &jerr);
    ck_assert_msg(v != NULL, "%s?%s: not JSON (%s): %.200s", path, query, jerr.text,
                  res.body ? res.body : "");
    free(res.body);
    return v;
}

/* A GeoJSON FeatureCollection answer with status 200; caller decrefs. */
static json_t *call_fc(const char *path, const char *query)
{
    int status;
    json_t *v = call(path, query, &status);
    ck_assert_msg(status == 200, "%s?%s: status %d: %s", path, query, status,
                  json_string_value(json_object_get(v, "message")));
    ck_assert_str_eq(json_string_value(json_object_get(v, "type")), "FeatureCollection");
    ck_assert(json_is_array(json_object_get(v, "features")));
    return v;
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* The integer column 0 of every row of sql with the bbox bound to ?1..?4, sorted; *n rows. */
static long *oracle_ids(const char *sql, const double b[4], size_t *n)
{
    sqlite3_stmt *st = NULL;
    long *ids = NULL;
    size_t cap = 0;
    ck_assert_int_eq(store_prepare(oracle, sql, &st, NULL), 0);
    for (int i = 0; i < 4; i++)
        sqlite3_bind_double(st, i + 1, b[i]);
    *n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 1024;
            ids = realloc(ids, cap * sizeof *ids);
            ck_assert(ids != NULL);
        }
        ids[(*n)++] = (long)sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    if (*n)
        qsort(ids, *n, sizeof *ids, cmp_long);
    return ids;
}

/* Number of coordinate pairs in a GeoJSON geometry's coordinates (any nesting). */
static size_t count_points(json_t *coords)
{
    size_t n = 0, i;
    json_t *c;
    if (json_array_size(coords) >= 2 && json_is_number(json_array_get(coords, 0)))
        return 1;
    json_array_foreach(coords, i, c) n += count_points(c);
    return n;
}

/* Every coordinate pair of coords within b (plus eps). */
static int points_within(json_t *coords, const double b[4], double eps)
{
    size_t i;
    json_t *c;
    if (json_array_size(coords) >= 2 && json_is_number(json_array_get(coords, 0))) {
        double x = json_number_value(json_array_get(coords, 0));
        double y = json_number_value(json_array_get(coords, 1));
        return x >= b[0] - eps && x <= b[2] + eps && y >= b[1] - eps && y <= b[3] + eps;
    }
    json_array_foreach(coords, i, c) if (!points_within(c, b, eps)) return 0;
    return 1;
}

/* ---------------------------------------------------------------- roads -------------------- */

/* The road classes drawn at each zoom, written out independently of the handler's CASE. */
static const struct {
    long zoom;
    const char *classes; /* SQL list, or NULL for every class */
} road_zooms[] = {
    {7, "'motorway','trunk'"},
    {9, "'motorway','trunk','primary','secondary'"},
    {12, "'motorway','trunk','primary','secondary','tertiary','motorway_link','trunk_link',"
         "'primary_link','secondary_link','tertiary_link'"},
    {14, NULL},
};

static const double road_boxes[][4] = {
    {8.60, 49.36, 8.78, 49.44}, /* Heidelberg */
    {8.68, 49.40, 8.70, 49.42}, /* the old town */
    {15.7, 50.1, 16.0, 50.3},   /* Hradec Králové: no roads in the default data */
};

/* Feature ids equal the oracle's (a full-scan MbrIntersects) for every zoom and bbox. */
START_TEST(roads_match_oracle)
{
    size_t zi = (size_t)_i / 3, bi = (size_t)_i % 3, n_oracle, n = 0, i;
    const double *b = road_boxes[bi];
    char query[160], sql[600];
    json_t *fc, *f;
    long *want, *got;

    snprintf(query, sizeof query, "bbox=%.2f,%.2f,%.2f,%.2f&zoom=%ld", b[0], b[1], b[2], b[3],
             road_zooms[zi].zoom);
    snprintf(sql, sizeof sql,
             "SELECT id FROM road_edges WHERE MbrIntersects(geom, BuildMbr(?1, ?2, ?3, ?4)) %s%s%s",
             road_zooms[zi].classes ? "AND highway IN (" : "",
             road_zooms[zi].classes ? road_zooms[zi].classes : "",
             road_zooms[zi].classes ? ")" : "");
    want = oracle_ids(sql, b, &n_oracle);
    fc = call_fc("/v1/layers/roads", query);
    got = calloc(json_array_size(json_object_get(fc, "features")) + 1, sizeof *got);
    json_array_foreach(json_object_get(fc, "features"), i, f)
    {
        json_t *g = json_object_get(f, "geometry");
        ck_assert_str_eq(json_string_value(json_object_get(g, "type")), "LineString");
        ck_assert(json_is_string(json_object_get(json_object_get(f, "properties"), "highway")));
        got[n++] = (long)json_integer_value(json_object_get(f, "id"));
    }
    qsort(got, n, sizeof *got, cmp_long);
    ck_assert_msg(n == n_oracle, "%s: %zu features, oracle %zu", query, n, n_oracle);
    for (i = 0; i < n; i++)
        ck_assert_msg(got[i] == want[i], "%s: feature %ld, oracle %ld", query, got[i], want[i]);
    ck_assert_int_eq(json_integer_value(json_object_get(fc, "count")), (json_int_t)n);
    ck_assert(json_is_false(json_object_get(fc, "truncated")));
    if (bi == 0 && zi >= 1)
        ck_assert_msg(n > 100, "Heidelberg has roads at zoom %ld", road_zooms[zi].zoom);
    free(got);
    free(want);
    json_decref(fc);
}
END_TEST

/* A lower zoom draws the same roads with fewer vertices; zoom 17+ draws the stored geometry. */
START_TEST(roads_simplified_by_zoom)
{
    json_t *lo = call_fc("/v1/layers/roads", "bbox=8.60,49.36,8.78,49.44&zoom=9");
    json_t *hi = call_fc("/v1/layers/roads", "bbox=8.68,49.40,8.70,49.42&zoom=17");
    json_t *mid = call_fc("/v1/layers/roads", "bbox=8.60,49.36,8.78,49.44&zoom=13");
    size_t i, p_lo = 0, p_mid = 0;
    json_t *f;
    sqlite3_stmt *st;

    /* the same major roads at zoom 13 (they are all drawn there too) have more vertices */
    json_array_foreach(json_object_get(lo, "features"), i, f)
        p_lo += count_points(json_object_get(json_object_get(f, "geometry"), "coordinates"));
    json_array_foreach(json_object_get(mid, "features"), i, f)
    {
        const char *hw = json_string_value(json_object_get(json_object_get(f, "properties"),
                                                           "highway"));
        if (!strcmp(hw, "motorway") || !strcmp(hw, "trunk") || !strcmp(hw, "primary") ||
            !strcmp(hw, "secondary"))
            p_mid += count_points(json_object_get(json_object_get(f, "geometry"), "coordinates"));
    }
    ck_assert_msg(p_lo < p_mid, "zoom 9 draws %zu vertices, zoom 13 %zu", p_lo, p_mid);
    /* zoom 17: exactly the stored vertex count */
    ck_assert_int_eq(store_prepare(oracle, "SELECT ST_NPoints(geom) FROM road_edges WHERE id = ?",
                                   &st, NULL),
                     0);
    json_array_foreach(json_object_get(hi, "features"), i, f)
    {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, json_integer_value(json_object_get(f, "id")));
        ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
        ck_assert_int_eq(
            (long)count_points(json_object_get(json_object_get(f, "geometry"), "coordinates")),
            sqlite3_column_int64(st, 0));
    }
    sqlite3_finalize(st);
    json_decref(lo);
    json_decref(mid);
    json_decref(hi);
}
END_TEST

/* ---------------------------------------------------------------- bad input ---------------- */

static const struct {
    const char *path, *query, *needle; /* needle: a word the message must contain */
} bad[] = {
    {"/v1/layers/roads", "", "zoom"},
    {"/v1/layers/roads", "zoom=12", "bbox"},
    {"/v1/layers/roads", "bbox=8.6,49.3,8.8,49.5", "zoom"},
    {"/v1/layers/roads", "bbox=8.6,49.3,8.8&zoom=12", "bbox"},
    {"/v1/layers/roads", "bbox=8.6,49.3,8.8,49.5,1&zoom=12", "bbox"},
    {"/v1/layers/roads", "bbox=8.8,49.3,8.6,49.5&zoom=12", "bbox"},
    {"/v1/layers/roads", "bbox=8.6,49.3,8.8,91&zoom=12", "bbox"},
    {"/v1/layers/roads", "bbox=nan,49.3,8.8,49.5&zoom=12", "bbox"},
    {"/v1/layers/roads", "bbox=8.6,49.3,8.8,49.5,&zoom=12", "bbox"},
    {"/v1/layers/roads", "bbox=8.6,49.3,8.8,49.5&zoom=23", "zoom"},
    {"/v1/layers/roads", "bbox=8.6,49.3,8.8,49.5&zoom=-1", "zoom"},
    {"/v1/layers/roads", "bbox=8.6,49.3,8.8,49.5&zoom=12.5", "zoom"},
    {"/v1/layers/roads", "bbox=0,0,40,40&zoom=12", "zoom out"},
    {"/v1/layers/roads", "bbox=8.6,49.3,8.8,49.5&zoom=12&level=kraj", "level"},
    {"/v1/layers/boundaries", "", "level"},
    {"/v1/layers/boundaries", "level=planet", "level"},
    {"/v1/layers/boundaries", "level=kraj&zoom=99", "zoom"},
    {"/v1/layers/boundaries", "level=kraj&outline=maybe", "outline"},
    {"/v1/layers/boundaries", "level=kraj&bbox=1,2,3", "bbox"},
    {"/v1/municipalities", "", "q"},
    {"/v1/municipalities", "q=", "letter"},
    {"/v1/municipalities", "q= - ", "letter"},
    {"/v1/municipalities", "q=hrad&bbox=15,50,16,51", "not both"},
    {"/v1/municipalities", "q=hrad&limit=0", "limit"},
    {"/v1/municipalities", "q=hrad&limit=51", "limit"},
    {"/v1/municipalities", "bbox=15,50,16,51&limit=5001", "limit"},
    {"/v1/municipalities", "q=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
     "long"},
    {"/v1/municipalities", "q=hrad&x=1", "unknown"},
};

/* Every bad request is a 400 InvalidQuery whose message says what is wrong. */
START_TEST(bad_input_is_400)
{
    int status;
    json_t *v = call(bad[_i].path, bad[_i].query, &status);
    const char *msg = json_string_value(json_object_get(v, "message_en")); /* the English */
    ck_assert_msg(status == 400, "%s?%s: status %d", bad[_i].path, bad[_i].query, status);
    ck_assert_str_eq(json_string_value(json_object_get(v, "code")), "InvalidQuery");
    ck_assert_msg(msg && strstr(msg, bad[_i].needle), "%s?%s: message '%s' lacks '%s'",
                  bad[_i].path, bad[_i].query, msg ? msg : "", bad[_i].needle);
    json_decref(v);
}
END_TEST

/* ---------------------------------------------------------------- boundaries --------------- */

/* Each level: every region of the oracle, with its code, name and population. */
START_TEST(boundaries_levels)
{
    static const char *const levels[] = {"country", "kraj", "okres", "orp", "border"};
    char query[64];
    sqlite3_stmt *st;
    json_t *fc, *f;
    size_t i, n = 0;

    snprintf(query, sizeof query, "level=%s&zoom=8", levels[_i]);
    fc = call_fc("/v1/layers/boundaries", query);
    ck_assert_int_eq(store_prepare(oracle,
                                   "SELECT name, population FROM regions WHERE level = ?1 AND "
                                   "code = ?2",
                                   &st, NULL),
                     0);
    json_array_foreach(json_object_get(fc, "features"), i, f)
    {
        json_t *p = json_object_get(f, "properties");
        const char *type = json_string_value(json_object_get(json_object_get(f, "geometry"), "type"));
        ck_assert_msg(!strcmp(type, "Polygon") || !strcmp(type, "MultiPolygon"), "type %s", type);
        ck_assert_str_eq(json_string_value(json_object_get(p, "level")), levels[_i]);
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, levels[_i], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, json_string_value(json_object_get(p, "code")), -1,
                          SQLITE_TRANSIENT);
        ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
        ck_assert_str_eq(json_string_value(json_object_get(p, "name")),
                         (const char *)sqlite3_column_text(st, 0));
        if (sqlite3_column_type(st, 1) == SQLITE_NULL)
            ck_assert(json_is_null(json_object_get(p, "population")));
        else
            ck_assert_int_eq(json_integer_value(json_object_get(p, "population")),
                             sqlite3_column_int64(st, 1));
        n++;
    }
    sqlite3_finalize(st);
    ck_assert_int_eq(store_prepare(oracle, "SELECT count(*) FROM regions WHERE level = ?", &st,
                                   NULL),
                     0);
    sqlite3_bind_text(st, 1, levels[_i], -1, SQLITE_STATIC);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_int_eq((long)n, sqlite3_column_int64(st, 0));
    ck_assert_msg(n > 0, "level %s has regions", levels[_i]);
    sqlite3_finalize(st);
    json_decref(fc);
}
END_TEST

/* With a bbox: the regions whose box meets it (oracle: MbrIntersects); outlines stay inside it;
 * the republic has fewer vertices at a lower zoom. */
START_TEST(boundaries_bbox_outline_zoom)
{
    static const double b[4] = {15.7, 50.1, 16.3, 50.5};
    size_t n_want, n = 0, i;
    long *want = oracle_ids("SELECT CAST(code AS INTEGER) FROM regions WHERE level = 'orp' AND "
                            "MbrIntersects(geom, BuildMbr(?1, ?2, ?3, ?4))",
                            b, &n_want);
    json_t *fc = call_fc("/v1/layers/boundaries", "level=orp&bbox=15.7,50.1,16.3,50.5&zoom=10");
    json_t *ol = call_fc("/v1/layers/boundaries",
                         "level=country&bbox=16.0,50.3,16.6,50.7&zoom=12&outline=true");
    json_t *z5 = call_fc("/v1/layers/boundaries", "level=country&zoom=5");
    json_t *z10 = call_fc("/v1/layers/boundaries", "level=country&zoom=10");
    json_t *f;
    long *got = calloc(json_array_size(json_object_get(fc, "features")) + 1, sizeof *got);

    json_array_foreach(json_object_get(fc, "features"), i, f) got[n++] =
        atol(json_string_value(json_object_get(json_object_get(f, "properties"), "code")));
    qsort(got, n, sizeof *got, cmp_long);
    ck_assert_int_eq((long)n, (long)n_want);
    for (i = 0; i < n; i++)
        ck_assert_int_eq(got[i], want[i]);

    ck_assert_int_eq((long)json_array_size(json_object_get(ol, "features")), 1);
    f = json_array_get(json_object_get(ol, "features"), 0);
    ck_assert(strstr(json_string_value(json_object_get(json_object_get(f, "geometry"), "type")),
                     "LineString") != NULL);
    ck_assert(points_within(json_object_get(json_object_get(f, "geometry"), "coordinates"),
                            (const double[4]){16.0, 50.3, 16.6, 50.7}, 1e-6));

    size_t p5 = count_points(json_object_get(
        json_object_get(json_array_get(json_object_get(z5, "features"), 0), "geometry"),
        "coordinates"));
    size_t p10 = count_points(json_object_get(
        json_object_get(json_array_get(json_object_get(z10, "features"), 0), "geometry"),
        "coordinates"));
    ck_assert_msg(p5 > 50 && p5 < p10 && p10 < 133784, "zoom 5: %zu, zoom 10: %zu vertices", p5,
                  p10);
    free(got);
    free(want);
    json_decref(fc);
    json_decref(ol);
    json_decref(z5);
    json_decref(z10);
}
END_TEST

/* ---------------------------------------------------------------- municipalities ----------- */

struct muni {
    char code[16], key[128], name[128];
    long long pop; /* -1 = NULL */
    int exact, prefix;
};

/* Oracle order of a name search: exact, then prefix, then word matches; population desc
 * (NULL last), then name and code in byte order. */
static int muni_cmp(const void *a, const void *b)
{
    const struct muni *x = a, *y = b;
    int c;
    if (x->exact != y->exact)
        return y->exact - x->exact;
    if (x->prefix != y->prefix)
        return y->prefix - x->prefix;
    if (x->pop != y->pop)
        return y->pop > x->pop ? 1 : -1;
    c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->code, y->code);
}

/* Does key start a word of name_key (words separated by blanks or hyphens)? */
static int word_prefix(const char *name_key, const char *key)
{
    size_t n = strlen(key);
    for (const char *p = name_key; *p; p++)
        if ((p == name_key || p[-1] == ' ' || p[-1] == '-') && strncmp(p, key, n) == 0)
            return 1;
    return 0;
}

static const struct {
    const char *q, *key; /* as typed, and folded by hand */
} searches[] = {
    {"hrad", "hrad"},
    {"Hradec Králové", "hradec kralove"},
    {"KRÁLOVÉ", "kralove"},
    {"ústí", "usti"},
    {"nad", "nad"},
    {"  Brno ", "brno"},
    {"Třebechovice", "trebechovice"},
};

/* The name search equals a C re-implementation over every municipality's name_key. */
START_TEST(municipalities_search_oracle)
{
    char query[160];
    sqlite3_stmt *st;
    struct muni *all = calloc(8000, sizeof *all);
    size_t n = 0, i;
    json_t *v, *m;
    int status;

    ck_assert_int_eq(store_prepare(oracle,
                                   "SELECT code, name_key, name, population FROM municipalities",
                                   &st, NULL),
                     0);
    while (sqlite3_step(st) == SQLITE_ROW && n < 8000) {
        struct muni *u = &all[n];
        snprintf(u->code, sizeof u->code, "%s", sqlite3_column_text(st, 0));
        snprintf(u->key, sizeof u->key, "%s", sqlite3_column_text(st, 1));
        snprintf(u->name, sizeof u->name, "%s", sqlite3_column_text(st, 2));
        u->pop = sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 3);
        u->exact = strcmp(u->key, searches[_i].key) == 0;
        u->prefix = strncmp(u->key, searches[_i].key, strlen(searches[_i].key)) == 0;
        if (u->prefix || word_prefix(u->key, searches[_i].key))
            n++;
    }
    sqlite3_finalize(st);
    qsort(all, n, sizeof *all, muni_cmp);

    snprintf(query, sizeof query, "q=%s&limit=50", searches[_i].q);
    v = call("/v1/municipalities", query, &status);
    ck_assert_int_eq(status, 200);
    ck_assert_msg(n > 0, "'%s' matches something", searches[_i].q);
    ck_assert_int_eq((long)json_array_size(json_object_get(v, "municipalities")),
                     (long)(n < 50 ? n : 50));
    ck_assert(json_boolean_value(json_object_get(v, "truncated")) == (n > 50));
    json_array_foreach(json_object_get(v, "municipalities"), i, m)
    {
        ck_assert_msg(!strcmp(json_string_value(json_object_get(m, "code")), all[i].code),
                      "'%s' #%zu: %s, oracle %s %s", searches[_i].q, i,
                      json_string_value(json_object_get(m, "name")), all[i].code, all[i].name);
        ck_assert(json_is_number(json_object_get(m, "lon")));
        ck_assert(json_is_number(json_object_get(m, "lat")));
    }
    json_decref(v);
    free(all);
}
END_TEST

/* Hradec Králové comes first for its own name typed without accents; default limit 10. */
START_TEST(municipalities_search_default)
{
    int status;
    json_t *v = call("/v1/municipalities", "q=hradec kralove", &status);
    json_t *first = json_array_get(json_object_get(v, "municipalities"), 0);
    ck_assert_int_eq(status, 200);
    ck_assert_str_eq(json_string_value(json_object_get(first, "code")), "569810");
    ck_assert_str_eq(json_string_value(json_object_get(first, "okres")), "Hradec Králové");
    ck_assert(fabs(json_number_value(json_object_get(first, "lon")) - 15.83) < 0.01);
    json_decref(v);
    v = call("/v1/municipalities", "q=h", &status);
    ck_assert_int_eq((long)json_array_size(json_object_get(v, "municipalities")),
                     LAYERS_MUNI_Q_MAX);
    ck_assert(json_is_true(json_object_get(v, "truncated")));
    json_decref(v);
}
END_TEST

/* The bbox listing equals the oracle: the municipalities inside, most populous first. */
START_TEST(municipalities_bbox_oracle)
{
    static const double b[4] = {15.6, 50.1, 16.1, 50.4};
    sqlite3_stmt *st;
    int status, limit = _i == 0 ? 5000 : 7;
    char query[96];
    size_t i, n = 0;
    json_t *v, *m;

    snprintf(query, sizeof query, "bbox=15.6,50.1,16.1,50.4&limit=%d", limit);
    v = call("/v1/municipalities", query, &status);
    ck_assert_int_eq(status, 200);
    ck_assert_int_eq(store_prepare(oracle,
                                   "SELECT code FROM municipalities WHERE X(geom) BETWEEN ?1 AND "
                                   "?3 AND Y(geom) BETWEEN ?2 AND ?4 ORDER BY population DESC "
                                   "NULLS LAST, code",
                                   &st, NULL),
                     0);
    for (int k = 0; k < 4; k++)
        sqlite3_bind_double(st, k + 1, b[k]);
    json_array_foreach(json_object_get(v, "municipalities"), i, m)
    {
        ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
        ck_assert_str_eq(json_string_value(json_object_get(m, "code")),
                         (const char *)sqlite3_column_text(st, 0));
        n++;
    }
    ck_assert_int_eq(json_is_true(json_object_get(v, "truncated")),
                     sqlite3_step(st) == SQLITE_ROW);
    ck_assert_msg(n >= 7, "KHK has municipalities (%zu)", n);
    sqlite3_finalize(st);
    json_decref(v);
}
END_TEST

Suite *layers_suite(void); /* for the runner */

Suite *layers_suite(void)
{
    Suite *s = suite_create("layers");
    TCase *tc = tu_tcase(s, "layers", 60);
    tcase_add_unchecked_fixture(tc, layers_setup, layers_teardown);
    tcase_add_loop_test(tc, roads_match_oracle, 0,
                        (int)(sizeof road_zooms / sizeof road_zooms[0]) * 3);
    tcase_add_test(tc, roads_simplified_by_zoom);
    tcase_add_loop_test(tc, bad_input_is_400, 0, (int)(sizeof bad / sizeof bad[0]));
    tcase_add_loop_test(tc, boundaries_levels, 0, 5);
    tcase_add_test(tc, boundaries_bbox_outline_zoom);
    tcase_add_loop_test(tc, municipalities_search_oracle, 0,
                        (int)(sizeof searches / sizeof searches[0]));
    tcase_add_test(tc, municipalities_search_default);
    tcase_add_loop_test(tc, municipalities_bbox_oracle, 0, 2);
    return s;
}
