/* tests/search/test_search.c -- the place and address search (geo/search, service/api_search.c).
 *
 * Two databases, each built once for the suite: a hand-made village map (fixture below) whose
 * results and ranking are worked out by hand in the comments, and the real Prague extract
 * (DATA_SRC/osm/prague-nove-mesto-2017.osm) with the 6,259 municipalities, checked against the
 * source file (street names counted with grep while writing the test) and against SQL over
 * road_edges, which the search code does not produce. Requests go through api_dispatch in process,
 * so the status codes are the API's. */
#include "api.h"
#include "routes.h"
#include "tctx.h"
#include "world.h"

#include "base/store.h"
#include "import/data_import.h"
#include "road/import/osm_import.h"
#include "search/search.h"
#include "testutil.h"

#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- the village fixture ----- */
/* Two villages 1.5 km apart, both with a Hradecká street (two street rows, not one):
 *
 *   Dolní Lhota (16.000, 50.000):  Hradecká  n1 (15.999,50.000) - n2 (16.000,50.000) - n3
 * (16.001,50.000) Náměstí Míru  n2 - n4 (16.000, 50.001) Horní Lhota (16.021, 50.000):  Hradecká n5
 * (16.020,50.000) - n6 (16.022,50.000) address node n10 "Hradecká 12" at (16.0005, 49.9999),
 * addr:city Dolní Lhota building way w20 n11..n14 square 16.0001..16.0003 x 50.0002..50.0004,
 * conscription 101, street number 3, on Náměstí Míru: label "Náměstí Míru 101/3", centre
 * (16.0002, 50.0003) place nodes: Horní Lhota (village, 250 people), Lhota (hamlet, no population)
 *   n15: addr:housenumber without a street: reported, not written
 *   far away in Germany (8.000..8.002, 49.0): Hauptstraße, no municipality within 20 km; its
 *     address Hauptstraße 1 (addr:city Dorf) 33 m away names the street's town
 * Municipalities (SQL, below): Dolní Lhota 1200, Lhota 80, Lhotka 500, Praha 1.2 M far away. */
static const char village_osm[] =
    "<?xml version='1.0' encoding='UTF-8'?>\n<osm version='0.6'>\n"
    "<node id='1' lat='50.000' lon='15.999'/><node id='2' lat='50.000' lon='16.000'/>\n"
    "<node id='3' lat='50.000' lon='16.001'/><node id='4' lat='50.001' lon='16.000'/>\n"
    "<node id='5' lat='50.000' lon='16.020'/><node id='6' lat='50.000' lon='16.022'/>\n"
    "<node id='10' lat='49.9999' lon='16.0005'><tag k='addr:street' v='Hradecká'/>"
    "<tag k='addr:housenumber' v='12'/><tag k='addr:city' v='Dolní Lhota'/></node>\n"
    "<node id='11' lat='50.0002' lon='16.0001'/><node id='12' lat='50.0002' lon='16.0003'/>\n"
    "<node id='13' lat='50.0004' lon='16.0003'/><node id='14' lat='50.0004' lon='16.0001'/>\n"
    "<node id='15' lat='50.0005' lon='16.0005'><tag k='addr:housenumber' v='7'/></node>\n"
    "<node id='30' lat='50.0010' lon='16.021'><tag k='place' v='village'/>"
    "<tag k='name' v='Horní Lhota'/><tag k='population' v='250'/></node>\n"
    "<node id='31' lat='50.0100' lon='16.010'><tag k='place' v='hamlet'/>"
    "<tag k='name' v='Lhota'/></node>\n"
    "<node id='40' lat='49.0' lon='8.000'/><node id='41' lat='49.0' lon='8.002'/>\n"
    "<node id='42' lat='49.0003' lon='8.0005'><tag k='addr:street' v='Hauptstraße'/>"
    "<tag k='addr:housenumber' v='1'/><tag k='addr:city' v='Dorf'/></node>\n"
    "<way id='103'><nd ref='40'/><nd ref='41'/><tag k='highway' v='residential'/>"
    "<tag k='name' v='Hauptstraße'/></way>\n"
    "<way id='100'><nd ref='1'/><nd ref='2'/><nd ref='3'/><tag k='highway' v='residential'/>"
    "<tag k='name' v='Hradecká'/></way>\n"
    "<way id='101'><nd ref='2'/><nd ref='4'/><tag k='highway' v='residential'/>"
    "<tag k='name' v='Náměstí Míru'/></way>\n"
    "<way id='102'><nd ref='5'/><nd ref='6'/><tag k='highway' v='residential'/>"
    "<tag k='name' v='Hradecká'/></way>\n"
    "<way id='20'><nd ref='11'/><nd ref='12'/><nd ref='13'/><nd ref='14'/><nd ref='11'/>"
    "<tag k='building' v='house'/><tag k='addr:street' v='Náměstí Míru'/>"
    "<tag k='addr:conscriptionnumber' v='101'/><tag k='addr:streetnumber' v='3'/></way>\n"
    "</osm>\n";

static const char village_sql[] =
    "INSERT INTO municipalities (code, name, name_key, okres_code, population, geom) VALUES"
    " ('1', 'Dolní Lhota', 'dolni lhota', 'CZ9999', 1200, MakePoint(16.0, 50.0, 4326)),"
    " ('2', 'Lhota', 'lhota', 'CZ9999', 80, MakePoint(16.01, 50.02, 4326)),"
    " ('3', 'Lhotka', 'lhotka', 'CZ9999', 500, MakePoint(15.98, 50.02, 4326)),"
    " ('4', 'Praha', 'praha', 'CZ0100', 1241664, MakePoint(14.42, 50.08, 4326));"
    "INSERT INTO regions (code, level, name, geom) VALUES ('CZ9999', 'okres', 'Test',"
    " CastToMultiPolygon(BuildMbr(15.9, 49.9, 16.1, 50.1, 4326)));";

static struct world *vw, *pw; /* the village and Prague worlds */
static struct store *poracle; /* a second connection to the Prague database */
static long village_rejected;

static void count_report(void *ud, const char *file, long row, const char *reason)
{
    (void)ud, (void)file, (void)row, (void)reason;
}

/* Write xml to DIR/map.osm and build DIR/map.sqlite with optional reference data and sql. */
static char *build_db(const char *xml_or_path, int is_path, const char *data_src, const char *sql,
                      struct search_build_stats *stats)
{
    char *dir = tu_tmpdir(), osm[600], *db;
    struct store *st = NULL;
    struct kkc_err err = {0};
    struct osm_import_opts oo = {.path = osm};
    struct data_import_opts dopt = {.data_src = data_src};
    struct data_import_stats ds;
    struct search_build_opts so = {.osm_path = osm, .report = count_report};

    ck_assert_ptr_nonnull(dir);
    ck_assert_int_ge(asprintf(&db, "%s/map.sqlite", dir), 0);
    if (is_path) {
        snprintf(osm, sizeof osm, "%s", xml_or_path);
    } else {
        FILE *f;
        snprintf(osm, sizeof osm, "%s/map.osm", dir);
        f = fopen(osm, "w");
        ck_assert_ptr_nonnull(f);
        fputs(xml_or_path, f);
        fclose(f);
    }
    ck_assert_int_eq(store_open(db, STORE_CREATE, &st, &err), KKC_OK);
    if (data_src)
        ck_assert_msg(data_import(st, &dopt, &ds, &err) == KKC_OK, "%s", err.msg);
    if (sql)
        ck_assert_msg(store_exec(st, sql, &err) == KKC_OK, "%s", err.msg);
    ck_assert_msg(osm_import(st, &oo, NULL, &err) == KKC_OK, "%s", err.msg);
    ck_assert_msg(search_build(st, &so, stats, &err) == KKC_OK, "%s", err.msg);
    store_close(st);
    free(dir);
    return db;
}

static void search_setup(void)
{
    struct kkc_err err = {0};
    struct search_build_stats vs, ps;
    char prague[600], *vdb, *pdb;

    snprintf(prague, sizeof prague, "%s/osm/prague-nove-mesto-2017.osm", tu_data_src());
    vdb = build_db(village_osm, 0, NULL, village_sql, &vs);
    pdb = build_db(prague, 1, tu_data_src(), NULL, &ps);
    village_rejected = vs.rejected;
    /* by hand: 4 municipalities, 2 places, 4 streets, 3 addresses; Prague: 6,259 municipalities */
    ck_assert_int_eq(vs.municipalities, 4);
    ck_assert_int_eq(vs.places, 2);
    ck_assert_int_eq(vs.streets, 4);
    ck_assert_int_eq(vs.addresses, 3);
    ck_assert_int_eq(ps.municipalities, 6259);
    if (world_load(vdb, &vw, &err) || world_load(pdb, &pw, &err) ||
        store_open(pdb, STORE_READONLY, &poracle, &err))
        ck_abort_msg("cannot load the search databases: %s", err.msg);
    free(vdb);
    free(pdb);
}

static void search_teardown(void)
{
    struct world_holder h;
    store_close(poracle);
    poracle = NULL;
    world_holder_init(&h, vw); /* the holders take the last references */
    world_holder_done(&h);
    world_holder_init(&h, pw);
    world_holder_done(&h);
    vw = pw = NULL;
}

/* ---------------------------------------------------------------- helpers ------------------ */

/* GET path with the parameters k[i]=v[i] (raw values, no encoding) against world w. Returns the
 * parsed body (caller decrefs) and the status in *status; the body must be JSON. */
static json_t *get(struct world *w, const char *path, const char *const *kv, int *status)
{
    struct params q;
    struct api_res res = {0};
    struct api_req r = {.method = "GET", .path = path, .q = &q, .w = w, .t = tctx_get()};
    json_error_t jerr;
    json_t *v;

    params_init(&q);
    for (; kv && kv[0]; kv += 2)
        params_add(&q, kv[0], kv[1]);
    api_dispatch(&r, &res);
    *status = res.status;
    v = json_loads(res.body ? res.body : "", 0, &jerr);
    ck_assert_msg(v != NULL, "%s: not JSON (%s): %.200s", path, jerr.text,
                  res.body ? res.body : "");
    free(res.body);
    return v;
}

/* The results of GET /v1/search?q=q&limit=limit on w, status 200 asserted; caller decrefs. */
static json_t *search(struct world *w, const char *q, const char *limit)
{
    const char *kv[] = {"q", q, "limit", limit, NULL};
    int status;
    json_t *v = get(w, "/v1/search", limit ? kv : (const char *[]){"q", q, NULL}, &status);
    ck_assert_msg(status == 200, "q=%s: status %d: %s", q, status,
                  json_string_value(json_object_get(v, "message")));
    json_incref(json_object_get(v, "results"));
    json_t *list = json_object_get(v, "results");
    json_decref(v);
    ck_assert(json_is_array(list));
    return list;
}

static const char *field(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* ---------------------------------------------------------------- ranking (by hand) ------- */

/* q, then the expected results as "name/kind" in order (all of them, limit 50). */
static const struct {
    const char *q;
    const char *expect[12];
} ranked[] = {
    /* equal names first (by population: 80, then none), then a word starting with it */
    {"lhota",
     {"Lhota/municipality", "Lhota/place", "Dolní Lhota/municipality", "Horní Lhota/place",
      "Hradecká/street", "Hradecká/street", "Náměstí Míru/street", "Hradecká 12/address",
      "Náměstí Míru 101/3/address", NULL}},
    /* prefixes: Lhotka (500) before Lhota (80) */
    {"lhot",
     {"Lhotka/municipality", "Lhota/municipality", "Lhota/place", "Dolní Lhota/municipality",
      "Horní Lhota/place", "Hradecká/street", "Hradecká/street", "Náměstí Míru/street",
      "Hradecká 12/address", "Náměstí Míru 101/3/address", NULL}},
    /* accents, case and a quote, star or parenthesis around words change nothing */
    {"HRADECKA 12", {"Hradecká 12/address", NULL}},
    {"\"hradecká\" 12*", {"Hradecká 12/address", NULL}},
    {"(náměstí) míru 101", {"Náměstí Míru 101/3/address", NULL}},
    {"namesti", {"Náměstí Míru/street", "Náměstí Míru 101/3/address", NULL}},
    {"horni lhota", {"Horní Lhota/place", NULL}},
    {"lhotka OR praha", {NULL}}, /* OR is a word here, and no name has both */
    {"praha", {"Praha/municipality", NULL}},
    {"dorf", {"Hauptstraße/street", "Hauptstraße 1/address", NULL}},
};

START_TEST(ranking_by_hand)
{
    json_t *list = search(vw, ranked[_i].q, "50"), *h;
    size_t i;
    char got[96];

    json_array_foreach(list, i, h)
    {
        ck_assert_msg(i < 11 && ranked[_i].expect[i], "q=%s: more results than expected: %s",
                      ranked[_i].q, field(h, "name"));
        snprintf(got, sizeof got, "%s/%s", field(h, "name"), field(h, "kind"));
        ck_assert_msg(strcmp(got, ranked[_i].expect[i]) == 0, "q=%s: result %zu is %s, not %s",
                      ranked[_i].q, i, got, ranked[_i].expect[i]);
    }
    ck_assert_msg(i == 11 || !ranked[_i].expect[i], "q=%s: only %zu results", ranked[_i].q, i);
    json_decref(list);
}
END_TEST

START_TEST(fields_by_hand)
{
    json_t *list = search(vw, "namesti miru 101", NULL), *h = json_array_get(list, 0);
    /* the building's centre: the mean of its four corners */
    ck_assert_str_eq(field(h, "name"), "Náměstí Míru 101/3");
    ck_assert_str_eq(field(h, "municipality"), "Dolní Lhota"); /* the nearest municipality */
    ck_assert_double_eq_tol(json_number_value(json_object_get(h, "lon")), 16.0002, 1e-6);
    ck_assert_double_eq_tol(json_number_value(json_object_get(h, "lat")), 50.0003, 1e-6);
    ck_assert(json_is_null(json_object_get(h, "population")));
    json_decref(list);
    list = search(vw, "lhota", "1");
    h = json_array_get(list, 0);
    ck_assert_int_eq((int)json_array_size(list), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(h, "population")), 80);
    ck_assert_str_eq(field(h, "code"), "2");
    json_decref(list);
    list = search(vw, "horni", NULL);
    ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(list, 0), "population")),
                     250);
    json_decref(list);
    ck_assert_int_eq(village_rejected, 1); /* n15: a house number without a street */
}
END_TEST

/* ---------------------------------------------------------------- bad and hostile input --- */

/* Texts that are FTS5 or SQL syntax: each is a 200 (maybe with no results), never an error. */
static const char *const hostile[] = {
    "\"",
    "*",
    "\"\"\"",
    "NEAR(lhota hradecka)",
    "lhota OR hradecka",
    "(",
    ")",
    "lhota\"",
    "\"lhota",
    "lhota*",
    "-lhota",
    "^lhota",
    "lhota AND",
    "NOT",
    "name:lhota",
    "{name}:lhota",
    "'; DROP TABLE search_items; --",
    "%",
    "_",
    "lhota NEAR/2 hradecka",
    "+",
    ":",
    "\\",
    "a\"b\"c",
    "Žluťoučký kůň",
    "🚒 lhota",
    "1 2 3 4 5 6 7 8 9 10 11 12",
};

START_TEST(hostile_text_is_200)
{
    json_t *list = search(vw, hostile[_i], NULL);
    json_decref(list);
    /* lhota with syntax around it still finds Lhota first */
    if (strstr(hostile[_i], "lhota") == hostile[_i] && !strchr(hostile[_i], ' ')) {
        list = search(vw, hostile[_i], NULL);
        ck_assert_str_eq(field(json_array_get(list, 0), "name"), "Lhota");
        json_decref(list);
    }
}
END_TEST

/* Empty, blank, missing and over-long texts and bad limits: a 400 with code and message. */
START_TEST(bad_input_is_400)
{
    char longq[SEARCH_Q_MAX + 2], okq[SEARCH_Q_MAX + 1];
    const char *cases[][5] = {
        {"q", "", NULL},          {"q", "   ", NULL},       {"limit", "5", NULL},
        {"q", longq, NULL},       {"q", "a", "limit", "0"}, {"q", "a", "limit", "51"},
        {"q", "a", "limit", "x"}, {"q", "a", "bogus", "1"}, {"q", "\xC3", NULL}};
    int status;

    memset(longq, 'a', sizeof longq - 1);
    longq[sizeof longq - 1] = '\0';
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *v = get(vw, "/v1/search", cases[i], &status);
        ck_assert_msg(status == 400, "case %zu: status %d", i, status);
        ck_assert_ptr_nonnull(field(v, "code"));
        ck_assert_ptr_nonnull(field(v, "message"));
        json_decref(v);
    }
    memset(okq, 'a', sizeof okq - 1); /* exactly SEARCH_Q_MAX bytes is allowed */
    okq[sizeof okq - 1] = '\0';
    json_decref(search(vw, okq, "50"));
}
END_TEST

/* The FTS expression: every word quoted as a prefix, syntax dropped, words capped. */
START_TEST(fts_expr_quotes_words)
{
    char out[512];
    ck_assert_int_eq(search_fts_expr("Václavské nám.", out, sizeof out), 2);
    ck_assert_str_eq(out, "\"Václavské\"* \"nám\"*");
    ck_assert_int_eq(search_fts_expr("NEAR(\"a\" OR b*)", out, sizeof out), 4);
    ck_assert_str_eq(out, "\"NEAR\"* \"a\"* \"OR\"* \"b\"*");
    ck_assert_int_eq(search_fts_expr(" \"*() ", out, sizeof out), 0);
    ck_assert_str_eq(out, "");
    ck_assert_int_eq(search_fts_expr("a b c d e f g h i j", out, sizeof out), SEARCH_TOKENS_MAX);
}
END_TEST

/* ---------------------------------------------------------------- Prague ------------------- */

/* Accent-free and partial texts and the street of the extract they must find first (each name
 * counted in the .osm with grep: Václavské náměstí 11 ways' tags, Karlovo náměstí 26, ...). */
static const struct {
    const char *q, *name;
} prague[] = {
    {"vaclavske", "Václavské náměstí"},
    {"Václavské náměstí", "Václavské náměstí"},
    {"vaclavske nam", "Václavské náměstí"},
    {"karlovo nam", "Karlovo náměstí"},
    {"jecna", "Ječná"},
    {"ZITNA", "Žitná"},
    {"resslova", "Resslova"},
    {"legerova", "Legerova"},
    {"sokolska", "Sokolská"},
    {"vodickova", "Vodičkova"},
    {"italska", "Italská"},
    {"narodni", "Národní"},
};

START_TEST(prague_accent_free)
{
    json_t *list = search(pw, prague[_i].q, NULL), *h = json_array_get(list, 0);
    ck_assert_msg(h != NULL, "q=%s: no result", prague[_i].q);
    ck_assert_msg(strcmp(field(h, "name"), prague[_i].name) == 0, "q=%s: first is %s, not %s",
                  prague[_i].q, field(h, "name"), prague[_i].name);
    ck_assert_str_eq(field(h, "kind"), "street");
    ck_assert_str_eq(field(h, "municipality"), "Praha");
    json_decref(list);
}
END_TEST

/* Every distinct name of road_edges (SQL oracle) is found as a street by its exact name, and
 * the first result is it, or a municipality (a municipality Lipová has a population and comes
 * before the street Lípová). One street row per name: the extract is one town. */
START_TEST(prague_every_street)
{
    sqlite3_stmt *s;
    long names = 0;
    ck_assert_int_eq(store_prepare(poracle,
                                   "SELECT DISTINCT name FROM road_edges WHERE name <> ''"
                                   " ORDER BY name",
                                   &s, NULL),
                     KKC_OK);
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(s, 0);
        json_t *list = search(pw, name, "50"), *h;
        size_t i;
        int streets = 0;
        json_array_foreach(list, i, h) streets +=
            strcmp(field(h, "kind"), "street") == 0 && strcmp(field(h, "name"), name) == 0;
        ck_assert_msg(streets == 1, "%s: %d street rows", name, streets);
        h = json_array_get(list, 0);
        ck_assert_msg(strcasecmp(field(h, "name"), name) == 0 ||
                          strcmp(field(h, "kind"), "municipality") == 0,
                      "%s: first result %s", name, field(h, "name"));
        json_decref(list);
        names++;
    }
    sqlite3_finalize(s);
    ck_assert_int_gt(names, 100);
}
END_TEST

/* Municipalities rank by population among equal matches: "praha" is Praha (1.2 M) first; a
 * prefix gives the largest municipality starting with it (SQL oracle over municipalities). */
START_TEST(prague_municipalities_by_population)
{
    sqlite3_stmt *s;
    json_t *list = search(pw, "hradec", NULL);
    ck_assert_int_eq(store_prepare(poracle,
                                   "SELECT name FROM municipalities WHERE name_key LIKE 'hradec%'"
                                   " ORDER BY name_key = 'hradec' DESC, population DESC LIMIT 1",
                                   &s, NULL),
                     KKC_OK);
    ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
    ck_assert_str_eq(field(json_array_get(list, 0), "name"),
                     (const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    json_decref(list);
    list = search(pw, "praha", NULL);
    ck_assert_str_eq(field(json_array_get(list, 0), "name"), "Praha");
    ck_assert_int_gt(json_integer_value(json_object_get(json_array_get(list, 0), "population")),
                     1000000);
    json_decref(list);
}
END_TEST

/* ---------------------------------------------------------------- reverse ----------------- */

static json_t *reverse(struct world *w, const char *lon, const char *lat, int *status)
{
    const char *kv[] = {"lon", lon, "lat", lat, NULL};
    return get(w, "/v1/reverse", kv, status);
}

/* On Hradecká at 16.0005, 50.0000 (hand-worked geodesic distances at 50° N: 0.0001° of
 * latitude is 11.12 m, 0.0005° of longitude 35.85 m). */
START_TEST(reverse_by_hand)
{
    int status;
    json_t *v = reverse(vw, "16.0005", "50.0", &status), *a, *m;

    ck_assert_int_eq(status, 200);
    a = json_object_get(v, "address");
    m = json_object_get(v, "municipality");
    ck_assert_str_eq(field(a, "name"), "Hradecká 12");
    ck_assert_double_eq_tol(json_number_value(json_object_get(a, "distance_m")), 11.12, 0.1);
    ck_assert_double_eq_tol(json_number_value(json_object_get(v, "distance_m")), 11.12, 0.1);
    ck_assert_str_eq(field(json_object_get(v, "street"), "name"), "Hradecká");
    ck_assert_double_eq_tol(
        json_number_value(json_object_get(json_object_get(v, "street"), "distance_m")), 0, 0.1);
    ck_assert_str_eq(field(m, "name"), "Dolní Lhota");
    ck_assert_str_eq(field(m, "code"), "1");
    ck_assert_double_eq_tol(json_number_value(json_object_get(m, "centre_distance_m")), 35.85, 1);
    json_decref(v);
    /* 16.05, 50.05: nothing within the radii; the nearest municipality of the okres is Lhota
     * (4.4 km; Lhotka 5.4 km, Dolní Lhota 6.6 km) */
    v = reverse(vw, "16.05", "50.05", &status);
    ck_assert(json_is_null(json_object_get(v, "address")));
    ck_assert(json_is_null(json_object_get(v, "street")));
    ck_assert(json_is_null(json_object_get(v, "distance_m")));
    ck_assert_str_eq(field(json_object_get(v, "municipality"), "name"), "Lhota");
    json_decref(v);
    /* outside every okres (Praha's point has no okres boundary in this database) */
    v = reverse(vw, "14.42", "50.08", &status);
    ck_assert(json_is_null(json_object_get(v, "municipality")));
    json_decref(v);
}
END_TEST

/* In Prague on a vertex of Václavské náměstí (SQL oracle): that street, in Praha; in the North
 * Sea nothing; bad coordinates a 400. */
START_TEST(reverse_prague)
{
    sqlite3_stmt *s;
    char lon[32], lat[32];
    int status;
    json_t *v;

    ck_assert_int_eq(store_prepare(poracle,
                                   "SELECT X(PointN(geom, 1)), Y(PointN(geom, 1)) FROM road_edges"
                                   " WHERE name = 'Václavské náměstí' LIMIT 1",
                                   &s, NULL),
                     KKC_OK);
    ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
    snprintf(lon, sizeof lon, "%.7f", sqlite3_column_double(s, 0));
    snprintf(lat, sizeof lat, "%.7f", sqlite3_column_double(s, 1));
    sqlite3_finalize(s);
    v = reverse(pw, lon, lat, &status);
    ck_assert_int_eq(status, 200);
    ck_assert_str_eq(field(json_object_get(v, "street"), "name"), "Václavské náměstí");
    ck_assert_double_eq_tol(json_number_value(json_object_get(v, "distance_m")), 0, 0.1);
    ck_assert_str_eq(field(json_object_get(v, "municipality"), "name"), "Praha");
    json_decref(v);
    v = reverse(pw, "3.0", "55.0", &status);
    ck_assert_int_eq(status, 200);
    ck_assert(json_is_null(json_object_get(v, "street")));
    ck_assert(json_is_null(json_object_get(v, "municipality")));
    json_decref(v);
    v = reverse(pw, "200", "50", &status);
    ck_assert_int_eq(status, 400);
    json_decref(v);
    v = reverse(pw, "abc", "50", &status);
    ck_assert_int_eq(status, 400);
    json_decref(v);
}
END_TEST

/* A database from before the search tables: 404 with what to do, not a 500. */
START_TEST(no_index_is_404)
{
    char *dir = tu_tmpdir(), *db;
    struct store *st = NULL;
    struct world *w = NULL;
    struct world_holder h;
    struct kkc_err err = {0};
    int status;
    json_t *v;

    ck_assert_int_ge(asprintf(&db, "%s/old.sqlite", dir), 0);
    ck_assert_int_eq(store_open(db, STORE_CREATE, &st, &err), KKC_OK);
    ck_assert_int_eq(store_exec(st, "DROP TABLE search_fts", &err), KKC_OK);
    store_close(st);
    ck_assert_msg(world_load(db, &w, &err) == KKC_OK, "%s", err.msg);
    v = get(w, "/v1/search", (const char *[]){"q", "praha", NULL}, &status);
    ck_assert_int_eq(status, 404);
    ck_assert_ptr_nonnull(strstr(field(v, "message"), "kkc import"));
    json_decref(v);
    v = reverse(w, "14.42", "50.08", &status);
    ck_assert_int_eq(status, 404);
    json_decref(v);
    world_holder_init(&h, w);
    world_holder_done(&h);
    free(db);
    free(dir);
}
END_TEST

Suite *search_suite(void); /* for the runner */
Suite *search_suite(void)
{
    Suite *s = suite_create("search");
    TCase *tc = tu_tcase(s, "search", 300);
    tcase_add_unchecked_fixture(tc, search_setup, search_teardown);
    tcase_add_loop_test(tc, ranking_by_hand, 0, (int)(sizeof ranked / sizeof ranked[0]));
    tcase_add_test(tc, fields_by_hand);
    tcase_add_loop_test(tc, hostile_text_is_200, 0, (int)(sizeof hostile / sizeof hostile[0]));
    tcase_add_test(tc, bad_input_is_400);
    tcase_add_test(tc, fts_expr_quotes_words);
    tcase_add_loop_test(tc, prague_accent_free, 0, (int)(sizeof prague / sizeof prague[0]));
    tcase_add_test(tc, prague_every_street);
    tcase_add_test(tc, prague_municipalities_by_population);
    tcase_add_test(tc, reverse_by_hand);
    tcase_add_test(tc, reverse_prague);
    tcase_add_test(tc, no_index_is_404);
    return s;
}
