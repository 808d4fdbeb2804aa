/* tests/service/test_http.c -- the HTTP API through the real daemon (service/http.c + api.c) with libcurl.
 *
 * The default database is loaded once (unchecked fixture); every test starts its own daemon on a
 * free port in its own process, so the sanitizers see the handlers. Oracles: SQL over the same
 * database (counts, ids, coordinates), a brute-force geodesic ranking with PROJ's geod_inverse
 * called from here, the cs2cs control values of tests/data/sjtsk_control.txt, and the rules of
 * service/params.h and http.h written out case by case. */
#include "httputil.h"
#include "base/store.h"
#include "testutil.h"

#include <check.h>
#include <geodesic.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUIRE(cond, ...)                                                                         \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ck_abort_msg(__VA_ARGS__);                                                             \
    } while (0)

/* The fixture is httputil's hu_fx (hu_fx_tcase): the world loaded once, a daemon per test. */

/* ---------------------------------------------------------------- requests ----------------- */

/* GET target; the response must arrive. Caller frees. */
static struct hu_resp get(const char *target)
{
    struct hu_resp r;
    int rc = hu_get(hu_fx_port, target, &r);
    ck_assert_msg(rc == 0, "GET %.200s: curl error %d", target, rc);
    return r;
}

static struct hu_resp request(const char *method, const char *target, const char *body,
                              size_t body_len)
{
    struct hu_req rq = {.method = method, .target = target, .body = body, .body_len = body_len};
    struct hu_resp r;
    int rc = hu_perform(NULL, hu_fx_port, &rq, &r);
    ck_assert_msg(rc == 0, "%s %.200s: curl error %d", method, target, rc);
    return r;
}

/* The body as JSON (must parse); caller decrefs. */
static json_t *body_json(const struct hu_resp *r, const char *what)
{
    json_error_t je;
    json_t *v = json_loadb(r->body, r->len, 0, &je);
    ck_assert_msg(v != NULL, "%.200s: body is not JSON (%s): %.200s", what, je.text, r->body);
    return v;
}

/* What is wrong with r as an error answer (status, JSON {code, message} with string members, a
 * JSON content type, the CORS header) written to out; 0 when nothing. */
static int error_problem(const struct hu_resp *r, long status, const char *code, char *out,
                         size_t cap)
{
    char h[128];
    json_t *v = json_loadb(r->body, r->len, 0, NULL);
    json_t *c = json_object_get(v, "code"), *m = json_object_get(v, "message");
    out[0] = '\0';
    if (r->status != status)
        snprintf(out, cap, "status %ld, expected %ld; body %.160s", r->status, status, r->body);
    else if (!v)
        snprintf(out, cap, "body is not JSON: %.160s", r->body);
    else if (!json_is_string(c) || !json_is_string(m) || json_string_length(m) == 0)
        snprintf(out, cap, "no string code and message: %.160s", r->body);
    else if (strcmp(json_string_value(c), code) != 0)
        snprintf(out, cap, "code %s, expected %s", json_string_value(c), code);
    else if (!hu_header(r, "Content-Type", h, sizeof h) || !strstr(h, "application/json"))
        snprintf(out, cap, "content type %s", hu_header(r, "Content-Type", h, sizeof h));
    else if (!hu_header(r, "Access-Control-Allow-Origin", h, sizeof h) || strcmp(h, "*") != 0)
        snprintf(out, cap, "no Access-Control-Allow-Origin: *");
    json_decref(v);
    return out[0] != '\0';
}

static void expect_error(const struct hu_resp *r, long status, const char *code, const char *what)
{
    char why[400];
    if (error_problem(r, status, code, why, sizeof why))
        ck_abort_msg("%.300s: %s", what, why);
}

/* Failures of a table run in one daemon, reported together at the end. */
struct fails {
    char text[8192];
    int n;
};

static void fail_add(struct fails *f, const char *what, const char *why)
{
    size_t len = strlen(f->text);
    f->n++;
    snprintf(f->text + len, sizeof f->text - len, "\n  %.200s: %s", what, why);
}

/* GET each of the n targets: each must be the error answer status/code (error_problem); the
 * failures are listed together, what names the targets in the message. */
static void get_all_errors(const char *const *targets, size_t n, long status, const char *code,
                           const char *what)
{
    struct fails f = {.n = 0};
    char why[400];
    for (size_t i = 0; i < n; i++) {
        struct hu_resp r = get(targets[i]);
        if (error_problem(&r, status, code, why, sizeof why))
            fail_add(&f, targets[i], why);
        hu_resp_free(&r);
    }
    ck_assert_msg(f.n == 0, "%d of %zu %s:%s", f.n, n, what, f.text);
}

/* ---------------------------------------------------------------- oracle data -------------- */

struct ref_centre {
    char id[72];
    char kind[16];
    double lon, lat;
    int active;
};

/* Every centre of the database by SQL; returns the count (at most cap). */
static size_t ref_centres(struct ref_centre *out, size_t cap, const char *where)
{
    struct store *st = NULL;
    struct kkc_err err = {0};
    sqlite3_stmt *s = NULL;
    char sql[512];
    size_t n = 0;
    snprintf(sql, sizeof sql,
             "SELECT id, kind, X(geom), Y(geom), status FROM centres %s ORDER BY id", where);
    ck_assert_msg(store_open(tu_db(), STORE_READONLY, &st, &err) == KKC_OK, "%s", err.msg);
    ck_assert_msg(store_prepare(st, sql, &s, &err) == KKC_OK, "%s", err.msg);
    while (sqlite3_step(s) == SQLITE_ROW && n < cap) {
        snprintf(out[n].id, sizeof out[n].id, "%s", (const char *)sqlite3_column_text(s, 0));
        snprintf(out[n].kind, sizeof out[n].kind, "%s", (const char *)sqlite3_column_text(s, 1));
        out[n].lon = sqlite3_column_double(s, 2);
        out[n].lat = sqlite3_column_double(s, 3);
        out[n].active = strcmp((const char *)sqlite3_column_text(s, 4), "active") == 0;
        n++;
    }
    sqlite3_finalize(s);
    store_close(st);
    return n;
}

#define MAX_CENTRES 4096

/* ---------------------------------------------------------------- health, centres ---------- */

START_TEST(health)
{
    static struct ref_centre all[MAX_CENTRES];
    size_t n = ref_centres(all, MAX_CENTRES, ""), by[3] = {0};
    struct hu_resp r = get("/v1/health");
    json_t *v = body_json(&r, "health"), *k;
    char h[128];

    for (size_t i = 0; i < n; i++)
        by[strcmp(all[i].kind, "police") == 0 ? 0 : strcmp(all[i].kind, "fire") == 0 ? 1 : 2]++;
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(json_string_value(json_object_get(v, "status")), "ok");
    ck_assert_int_ge(n, 74);
    ck_assert_int_eq(json_integer_value(json_object_get(v, "centres")), (json_int_t)n);
    k = json_object_get(v, "centres_by_kind");
    ck_assert_int_eq(json_integer_value(json_object_get(k, "police")), (json_int_t)by[0]);
    ck_assert_int_eq(json_integer_value(json_object_get(k, "fire")), (json_int_t)by[1]);
    ck_assert_int_eq(json_integer_value(json_object_get(k, "ambulance")), (json_int_t)by[2]);
    ck_assert_int_ge(by[0], 36);
    ck_assert_int_ge(by[1], 22);
    ck_assert_int_ge(by[2], 16);
    ck_assert_int_eq(json_integer_value(json_object_get(v, "municipalities")), 6259);
    ck_assert_ptr_nonnull(hu_header(&r, "Access-Control-Allow-Origin", h, sizeof h));
    ck_assert_str_eq(h, "*");
    ck_assert_ptr_nonnull(hu_header(&r, "Content-Type", h, sizeof h));
    ck_assert_ptr_nonnull(strstr(h, "application/json"));
    json_decref(v);
    hu_resp_free(&r);

    /* HEAD: the same status and headers, no body */
    r = request("HEAD", "/v1/health", NULL, 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_uint_eq(r.len, 0);
    ck_assert_ptr_nonnull(hu_header(&r, "Access-Control-Allow-Origin", h, sizeof h));
    hu_resp_free(&r);
}
END_TEST

static const struct {
    const char *query, *where; /* the query string, and the same selection in SQL */
} list_cases[] = {
    {"", ""},
    {"?kind=fire", "WHERE kind = 'fire'"},
    {"?kind=police", "WHERE kind = 'police'"},
    {"?kind=ambulance", "WHERE kind = 'ambulance'"},
    {"?kind=police,ambulance", "WHERE kind IN ('police', 'ambulance')"},
    {"?kind=fire,police,ambulance", ""},
    {"?bbox=15.5,50.0,16.0,50.5", "WHERE X(geom) BETWEEN 15.5 AND 16.0 AND Y(geom) BETWEEN 50.0 "
                                  "AND 50.5"},
    {"?bbox=15.5,50.0,16.0,50.5&kind=fire",
     "WHERE kind = 'fire' AND X(geom) BETWEEN 15.5 AND 16.0 AND Y(geom) BETWEEN 50.0 AND 50.5"},
    {"?bbox=-180,-90,180,90", ""},
    {"?bbox=0,0,1,1", "WHERE 0"},
    {"?include_closed=false", "WHERE status = 'active'"},
    {"?include_closed=true&kind=police", "WHERE kind = 'police'"},
};

/* GET /v1/centres in both formats: the same ids as SQL, with their kinds and coordinates. */
START_TEST(centres_list)
{
    static struct ref_centre want[MAX_CENTRES];
    size_t n = ref_centres(want, MAX_CENTRES, list_cases[_i].where);
    char target[256], h[128];

    for (int fmt = 0; fmt < 2; fmt++) {
        snprintf(target, sizeof target, "/v1/centres%s%s", list_cases[_i].query,
                 !fmt                      ? ""
                 : list_cases[_i].query[0] ? "&format=geojson"
                                           : "?format=geojson");
        struct hu_resp r = get(target);
        json_t *v = body_json(&r, target), *list, *it;
        size_t i;
        ck_assert_msg(r.status == 200, "%s: %ld %s", target, r.status, r.body);
        ck_assert_ptr_nonnull(hu_header(&r, "Access-Control-Allow-Origin", h, sizeof h));
        ck_assert_str_eq(h, "*");
        hu_header(&r, "Content-Type", h, sizeof h);
        if (fmt) {
            ck_assert_msg(strstr(h, "geo+json") != NULL, "%s: content type %s", target, h);
            ck_assert_str_eq(json_string_value(json_object_get(v, "type")), "FeatureCollection");
            list = json_object_get(v, "features");
        } else {
            ck_assert_ptr_nonnull(strstr(h, "application/json"));
            list = json_object_get(v, "centres");
        }
        ck_assert_msg(json_is_array(list), "%s: no list", target);
        ck_assert_msg(json_array_size(list) == n, "%s: %zu centres, SQL has %zu", target,
                      json_array_size(list), n);
        json_array_foreach(list, i, it)
        {
            json_t *c = it;
            double lon, lat;
            if (fmt) {
                json_t *g = json_object_get(it, "geometry"),
                       *xy = json_object_get(g, "coordinates");
                ck_assert_str_eq(json_string_value(json_object_get(it, "type")), "Feature");
                ck_assert_str_eq(json_string_value(json_object_get(g, "type")), "Point");
                ck_assert(json_is_array(xy) && json_array_size(xy) == 2);
                ck_assert(json_is_number(json_array_get(xy, 0)));
                lon = json_number_value(json_array_get(xy, 0));
                lat = json_number_value(json_array_get(xy, 1));
                c = json_object_get(it, "properties");
                ck_assert(json_is_object(c));
            } else {
                lon = json_number_value(json_object_get(c, "lon"));
                lat = json_number_value(json_object_get(c, "lat"));
            }
            ck_assert_str_eq(json_string_value(json_object_get(c, "id")), want[i].id);
            ck_assert_str_eq(json_string_value(json_object_get(c, "kind")), want[i].kind);
            ck_assert(json_is_string(json_object_get(c, "name")));
            ck_assert_double_eq_tol(lon, want[i].lon, 6e-8);
            ck_assert_double_eq_tol(lat, want[i].lat, 6e-8);
        }
        json_decref(v);
        hu_resp_free(&r);
    }
}
END_TEST

START_TEST(centre_one)
{
    static struct ref_centre all[MAX_CENTRES];
    size_t n = ref_centres(all, MAX_CENTRES, "");
    char target[256];

    for (size_t i = 0; i < n; i += n / 10 + 1) {
        snprintf(target, sizeof target, "/v1/centres/%.100s", all[i].id);
        struct hu_resp r = get(target);
        json_t *v = body_json(&r, target);
        ck_assert_int_eq(r.status, 200);
        ck_assert_str_eq(json_string_value(json_object_get(v, "id")), all[i].id);
        ck_assert_str_eq(json_string_value(json_object_get(v, "kind")), all[i].kind);
        ck_assert_double_eq_tol(json_number_value(json_object_get(v, "lon")), all[i].lon, 6e-8);
        ck_assert_double_eq_tol(json_number_value(json_object_get(v, "lat")), all[i].lat, 6e-8);
        json_decref(v);
        hu_resp_free(&r);

        strncat(target, "?format=geojson", sizeof target - strlen(target) - 1);
        r = get(target);
        v = body_json(&r, target);
        ck_assert_int_eq(r.status, 200);
        ck_assert_str_eq(json_string_value(json_object_get(v, "type")), "Feature");
        ck_assert_str_eq(json_string_value(json_object_get(json_object_get(v, "properties"), "id")),
                         all[i].id);
        json_decref(v);
        hu_resp_free(&r);
    }
}
END_TEST

static const char *const not_found[] = {
    "/v1/centres/NO-SUCH-CENTRE",
    "/v1/centres/PCR1/extra",
    "/v1/centres/pcr1",
    "/v1/nope",
    "/v2/health",
    "/v1/health/",
    "/v1/healthx",
    "/V1/health",
    "/",
    "/v1",
    "/v1/nearest/",
    "/static/index.html",
};

START_TEST(not_found_paths)
{
    get_all_errors(not_found, sizeof not_found / sizeof not_found[0], 404, "NotFound", "paths");
}
END_TEST

/* ---------------------------------------------------------------- nearest ------------------ */

static struct geod_geodesic geod;

struct ranked {
    const struct ref_centre *c;
    double d, az;
};

static int ranked_cmp(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->d != y->d)
        return x->d < y->d ? -1 : 1;
    return strcmp(x->c->id, y->c->id);
}

/* Check one /v1/nearest answer against the brute-force ranking of all[] (kind filter: NULL or a
 * comma list; only active centres). */
static void check_nearest(const char *target, json_t *v, const struct ref_centre *all, size_t n,
                          double lon, double lat, const char *kinds, size_t k)
{
    struct ranked *rk = calloc(n, sizeof *rk);
    json_t *res = json_object_get(v, "results"), *it;
    size_t m = 0, i;

    for (size_t j = 0; j < n; j++) {
        double azi2;
        if (!all[j].active || (kinds && !strstr(kinds, all[j].kind)))
            continue;
        rk[m].c = &all[j];
        geod_inverse(&geod, lat, lon, all[j].lat, all[j].lon, &rk[m].d, &rk[m].az, &azi2);
        rk[m].az = rk[m].az < 0 ? rk[m].az + 360 : rk[m].az;
        m++;
    }
    qsort(rk, m, sizeof *rk, ranked_cmp);
    REQUIRE(json_is_array(res), "%s: no results", target);
    REQUIRE(json_array_size(res) == (k < m ? k : m), "%s: %zu results, expected %zu", target,
            json_array_size(res), k < m ? k : m);
    json_array_foreach(res, i, it)
    {
        json_t *c = json_object_get(it, "centre");
        const char *id = json_string_value(json_object_get(c, "id"));
        double d = json_number_value(json_object_get(it, "distance_m"));
        double az = json_number_value(json_object_get(it, "bearing_deg")),
               daz = fabs(az - rk[i].az);
        REQUIRE(json_integer_value(json_object_get(it, "rank")) == (json_int_t)(i + 1), "%s: rank",
                target);
        REQUIRE(id && strcmp(id, rk[i].c->id) == 0, "%s rank %zu: %s, brute force %s (%.3f m)",
                target, i + 1, id ? id : "(null)", rk[i].c->id, rk[i].d);
        REQUIRE(fabs(d - rk[i].d) <= 0.051, "%s rank %zu: %.3f m, brute force %.3f m", target,
                i + 1, d, rk[i].d);
        REQUIRE(fmin(daz, 360 - daz) <= 0.051, "%s rank %zu: bearing %.2f, brute force %.3f",
                target, i + 1, az, rk[i].az);
    }
    free(rk);
}

/* Random points in and around the republic, random k and kinds, against brute force. */
START_TEST(nearest_brute_force)
{
    static struct ref_centre all[MAX_CENTRES];
    static const char *const kinds[] = {NULL,        "police",      "fire",
                                        "ambulance", "police,fire", "fire,ambulance"};
    size_t n = ref_centres(all, MAX_CENTRES, "");
    unsigned long long rs = 4242;
    char target[256];

    geod_init(&geod, 6378137, 1 / 298.257223563);
    for (int p = 0; p < 300; p++) {
        double lon = 11.5 + 8 * tu_rand(&rs), lat = 48 + 3.5 * tu_rand(&rs);
        size_t k = 1 + (size_t)(tu_rand(&rs) * 50);
        const char *kind = kinds[p % 6];
        if (p % 10 == 0) { /* sometimes no k: the default is 3 */
            snprintf(target, sizeof target, "/v1/nearest?lon=%.6f&lat=%.6f", lon, lat);
            k = 3;
            kind = NULL;
        } else {
            snprintf(target, sizeof target, "/v1/nearest?lat=%.6f&lon=%.6f&k=%zu%s%s", lat, lon, k,
                     kind ? "&kind=" : "", kind ? kind : "");
        }
        lon = strtod(strstr(target, "lon=") + 4, NULL);
        lat = strtod(strstr(target, "lat=") + 4, NULL);
        struct hu_resp r = get(target);
        REQUIRE(r.status == 200, "%s: %ld %s", target, r.status, r.body);
        json_t *v = body_json(&r, target);
        check_nearest(target, v, all, n, lon, lat, kind, k);
        json_decref(v);
        hu_resp_free(&r);
    }
}
END_TEST

/* The query echo: WGS84 in, S-JTSK out, and the other way round (cs2cs control values). */
START_TEST(nearest_sjtsk)
{
    static struct ref_centre all[MAX_CENTRES];
    size_t n = ref_centres(all, MAX_CENTRES, "");
    static const char *const targets[] = {
        "/v1/nearest?x=-641213.0946&y=-1042282.5167&crs=EPSG:5514&k=5",
        "/v1/nearest?x=-641213.0946&y=-1042282.5167&k=5", /* S-JTSK is the default crs */
        "/v1/nearest?lon=15.83&lat=50.21&k=5",
    };

    geod_init(&geod, 6378137, 1 / 298.257223563);
    for (size_t t = 0; t < sizeof targets / sizeof targets[0]; t++) {
        struct hu_resp r = get(targets[t]);
        json_t *v = body_json(&r, targets[t]), *q = json_object_get(v, "query");
        ck_assert_msg(r.status == 200, "%s: %ld %s", targets[t], r.status, r.body);
        ck_assert_double_eq_tol(json_number_value(json_object_get(q, "lon")), 15.83, 2e-7);
        ck_assert_double_eq_tol(json_number_value(json_object_get(q, "lat")), 50.21, 2e-7);
        ck_assert_double_eq_tol(json_number_value(json_object_get(q, "x")), -641213.0946, 0.015);
        ck_assert_double_eq_tol(json_number_value(json_object_get(q, "y")), -1042282.5167, 0.015);
        ck_assert_str_eq(json_string_value(json_object_get(q, "crs")), "EPSG:5514");
        if (t < 2) {
            json_t *in = json_object_get(q, "input");
            ck_assert_str_eq(json_string_value(json_object_get(in, "crs")), "EPSG:5514");
            ck_assert_double_eq_tol(json_number_value(json_object_get(in, "x")), -641213.0946,
                                    1e-3);
            ck_assert_double_eq_tol(json_number_value(json_object_get(in, "y")), -1042282.5167,
                                    1e-3);
        }
        check_nearest(targets[t], v, all, n, 15.83, 50.21, NULL, 5);
        json_decref(v);
        hu_resp_free(&r);
    }
}
END_TEST

/* ---------------------------------------------------------------- every 400 ---------------- */

static const char *const bad_queries[] = {
    /* missing */
    "/v1/nearest",
    "/v1/nearest?lon=15.8",
    "/v1/nearest?lat=50.2",
    "/v1/nearest?k=3",
    "/v1/nearest?x=-641213&crs=EPSG:5514",
    "/v1/nearest?y=-1042282",
    /* malformed, trailing junk, white space */
    "/v1/nearest?lon=abc&lat=50.2",
    "/v1/nearest?lon=15.8&lat=50.2abc",
    "/v1/nearest?lon=15.8&lat=50.2%20",
    "/v1/nearest?lon=%2015.8&lat=50.2",
    "/v1/nearest?lon=%0915.8&lat=50.2",
    "/v1/nearest?lon=15.8&lat=50.2%0A",
    "/v1/nearest?lon=15,8&lat=50.2",
    "/v1/nearest?lon=15.8.1&lat=50.2",
    "/v1/nearest?lon=15.8&lat=",
    "/v1/nearest?lon=15.8&lat",
    "/v1/nearest?lon=15.8%00&lat=50.2",
    "/v1/nearest?lon=15.8&lat=50.2%00junk",
    "/v1/nearest?lon=0x10&lat=50.2",
    "/v1/nearest?lon=15.8&lat=50.2&k=3x",
    "/v1/nearest?lon=15.8&lat=50.2&k=3.0",
    "/v1/nearest?lon=15.8&lat=50.2&k=%093",
    "/v1/nearest?lon=15.8&lat=50.2&k=",
    "/v1/nearest?lon=15.8&lat=50.2&k=0x3",
    "/v1/nearest?x=-641213abc&y=-1042282&crs=EPSG:5514",
    /* out of range */
    "/v1/nearest?lon=15.8&lat=91",
    "/v1/nearest?lon=15.8&lat=-90.0001",
    "/v1/nearest?lon=180.0001&lat=50.2",
    "/v1/nearest?lon=-181&lat=50.2",
    "/v1/nearest?lon=15.8&lat=50.2&k=0",
    "/v1/nearest?lon=15.8&lat=50.2&k=51",
    "/v1/nearest?lon=15.8&lat=50.2&k=-1",
    "/v1/nearest?lon=15.8&lat=50.2&k=99999999999999999999",
    "/v1/nearest?lon=1e3&lat=50.2",
    /* NaN and infinities */
    "/v1/nearest?lon=nan&lat=50.2",
    "/v1/nearest?lon=15.8&lat=NaN",
    "/v1/nearest?lon=inf&lat=50.2",
    "/v1/nearest?lon=15.8&lat=-inf",
    "/v1/nearest?lon=-Infinity&lat=50.2",
    "/v1/nearest?lon=15.8&lat=1e999",
    "/v1/nearest?x=nan&y=-1042282&crs=EPSG:5514",
    "/v1/nearest?x=-641213&y=inf&crs=EPSG:5514",
    /* duplicated */
    "/v1/nearest?lon=15.8&lon=15.9&lat=50.2",
    "/v1/nearest?lon=15.8&lat=50.2&lat=50.2",
    "/v1/nearest?lon=15.8&lat=50.2&k=3&k=3",
    "/v1/nearest?lon=15.8&lat=50.2&kind=fire&kind=police",
    /* unknown parameter */
    "/v1/nearest?lon=15.8&lat=50.2&foo=1",
    "/v1/nearest?lon=15.8&lat=50.2&LON=15.8",
    "/v1/nearest?lon=15.8&lat=50.2&p1=1&p2=1&p3=1&p4=1&p5=1&p6=1&p7=1&p8=1&p9=1&p10=1&p11=1"
    "&p12=1&p13=1&p14=1&p15=1&p16=1&p17=1&p18=1&p19=1&p20=1&p21=1&p22=1&p23=1&p24=1&p25=1"
    "&p26=1&p27=1&p28=1&p29=1&p30=1&p31=1&p32=1&p33=1",
    /* choices, kinds, booleans, CRS */
    "/v1/nearest?lon=15.8&lat=50.2&kind=hospital",
    "/v1/nearest?lon=15.8&lat=50.2&kind=police,hospital",
    "/v1/nearest?lon=15.8&lat=50.2&kind=Police",
    "/v1/nearest?lon=15.8&lat=50.2&kind=",
    "/v1/nearest?lon=15.8&lat=50.2&kind=,",
    "/v1/nearest?lon=15.8&lat=50.2&include_closed=yes",
    "/v1/nearest?lon=15.8&lat=50.2&include_closed=",
    "/v1/nearest?lon=15.8&lat=50.2&by=fastest",
    "/v1/nearest?x=-641213&y=-1042282&crs=EPSG:999999",
    "/v1/nearest?x=-641213&y=-1042282&crs=nonsense",
    "/v1/nearest?x=-641213&y=-1042282&crs=",
    "/v1/nearest?x=-641213&y=-1042282&crs=EPSG:1623",
    "/v1/nearest?lon=15.8&lat=50.2&x=-641213&y=-1042282",
    "/v1/nearest?lon=15.8&lat=50.2&crs=EPSG:5514",
    /* the other endpoints */
    "/v1/health?verbose=1",
    "/v1/centres?kind=hospital",
    "/v1/centres?kind=",
    "/v1/centres?foo=1",
    "/v1/centres?format=xml",
    "/v1/centres?format=json&format=geojson",
    "/v1/centres?bbox=15,50,16",
    "/v1/centres?bbox=15,50,16,51,17",
    "/v1/centres?bbox=16,50,15,51",
    "/v1/centres?bbox=15,51,16,50",
    "/v1/centres?bbox=a,b,c,d",
    "/v1/centres?bbox=15,50,16,51,",
    "/v1/centres?bbox=15,50,16,nan",
    "/v1/centres?bbox=15,50,16,91",
    "/v1/centres?bbox=",
    "/v1/centres?include_closed=2",
    "/v1/centres/PCR1?format=xml",
    "/v1/centres/PCR1?k=3",
};

/* Every query is answered 400 InvalidQuery; all run on one daemon, failures listed together. */
START_TEST(bad_query)
{
    get_all_errors(bad_queries, sizeof bad_queries / sizeof bad_queries[0], 400, "InvalidQuery",
                   "queries");
}
END_TEST

/* ---------------------------------------------------------------- methods, CORS ------------ */

static const struct {
    const char *method, *target;
} bad_methods[] = {
    {"POST", "/v1/health"},      {"PUT", "/v1/health"},        {"DELETE", "/v1/health"},
    {"PATCH", "/v1/health"},     {"PUT", "/v1/nearest"},       {"DELETE", "/v1/nearest"},
    {"PATCH", "/v1/centres"},    {"POST", "/v1/centres"},      {"DELETE", "/v1/centres/PCR1"},
    {"PUT", "/v1/centres/PCR1"}, {"POST", "/v1/centres/PCR1"},
};

/* A method the resource does not take: 405, Allow lists GET, and the error body. Writes are
 * refused too: this daemon has no admin token. */
START_TEST(method_not_allowed)
{
    struct fails f = {.n = 0};
    char why[400], what[128], h[128];
    for (size_t i = 0; i < sizeof bad_methods / sizeof bad_methods[0]; i++) {
        struct hu_resp r = request(bad_methods[i].method, bad_methods[i].target, "{}", 2);
        snprintf(what, sizeof what, "%s %s", bad_methods[i].method, bad_methods[i].target);
        if (error_problem(&r, 405, "MethodNotAllowed", why, sizeof why))
            fail_add(&f, what, why);
        else if (!hu_header(&r, "Allow", h, sizeof h))
            fail_add(&f, what, "no Allow header");
        else if (!strstr(h, "GET") || strstr(h, bad_methods[i].method))
            fail_add(&f, what, h);
        hu_resp_free(&r);
    }
    ck_assert_msg(f.n == 0, "%d of %zu requests:%s", f.n,
                  sizeof bad_methods / sizeof bad_methods[0], f.text);
}
END_TEST

START_TEST(options_preflight)
{
    static const char *const targets[] = {"/v1/nearest", "/v1/health", "/v1/centres",
                                          "/v1/centres/PCR1"};
    static const char *const hdrs[] = {"Origin: https://example.org",
                                       "Access-Control-Request-Method: GET", NULL};
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        struct hu_req rq = {.method = "OPTIONS", .target = targets[i], .headers = hdrs};
        struct hu_resp r;
        char h[160];
        ck_assert_int_eq(hu_perform(NULL, hu_fx_port, &rq, &r), 0);
        ck_assert_msg(r.status == 204, "OPTIONS %s: %ld", targets[i], r.status);
        ck_assert_uint_eq(r.len, 0);
        ck_assert_ptr_nonnull(hu_header(&r, "Access-Control-Allow-Origin", h, sizeof h));
        ck_assert_str_eq(h, "*");
        ck_assert_msg(
            hu_header(&r, "Access-Control-Allow-Methods", h, sizeof h) && strstr(h, "GET"),
            "OPTIONS %s: Access-Control-Allow-Methods missing or without GET", targets[i]);
        ck_assert_msg(hu_header(&r, "Allow", h, sizeof h) && strstr(h, "GET"),
                      "OPTIONS %s: Allow missing or without GET", targets[i]);
        hu_resp_free(&r);
    }
}
END_TEST

/* ---------------------------------------------------------------- limits ------------------- */

/* "/v1/health?pad=xxx..." exactly len bytes long; caller frees. */
static char *padded_target(size_t len)
{
    static const char head[] = "/v1/health?pad=";
    char *t = malloc(len + 1);
    memcpy(t, head, sizeof head - 1);
    memset(t + sizeof head - 1, 'x', len - (sizeof head - 1));
    t[len] = '\0';
    return t;
}

START_TEST(url_limit)
{
    char *t = padded_target(8192); /* at the limit: parsed, refused for its unknown parameter */
    struct hu_resp r = get(t);
    expect_error(&r, 400, "InvalidQuery", "8192-byte target");
    hu_resp_free(&r);
    free(t);

    t = padded_target(8193);
    r = get(t);
    expect_error(&r, 414, "TooBig", "8193-byte target");
    hu_resp_free(&r);
    free(t);

    t = padded_target(20000);
    r = get(t);
    expect_error(&r, 414, "TooBig", "20000-byte target");
    hu_resp_free(&r);
    free(t);
}
END_TEST

START_TEST(body_limit)
{
    size_t mib = 1u << 20;
    char *body = malloc(mib + 4097);
    struct hu_resp r;
    memset(body, 'a', mib + 4097);

    r = request("POST", "/v1/health", body, mib); /* at the limit: read, then refused as POST */
    expect_error(&r, 405, "MethodNotAllowed", "POST of 1 MiB");
    hu_resp_free(&r);

    r = request("POST", "/v1/health", body, mib + 1);
    expect_error(&r, 413, "TooBig", "POST of 1 MiB + 1");
    hu_resp_free(&r);

    r = request("PUT", "/v1/centres/PCR1", body, mib + 4097);
    expect_error(&r, 413, "TooBig", "PUT of 1 MiB + 4 KiB");
    hu_resp_free(&r);

    r = request("GET", "/v1/health", body, mib + 1); /* a GET with a body is still a body */
    expect_error(&r, 413, "TooBig", "GET with a body of 1 MiB + 1");
    hu_resp_free(&r);
    free(body);

    /* the daemon still answers afterwards */
    r = get("/v1/health");
    ck_assert_int_eq(r.status, 200);
    hu_resp_free(&r);
}
END_TEST

/* ---------------------------------------------------------------- concurrency -------------- */

#define THREADS 4
#define PER_THREAD 500
#define NTARGETS 16

static char targets[NTARGETS][160];
static struct hu_resp expected[NTARGETS];

struct worker {
    int id, port;
    int done, not_ok, differ, transport;
    long bad_status;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    void *h = hu_handle_new();
    for (int i = 0; i < PER_THREAD && h; i++) {
        int t = (i * 7 + w->id * 3) % NTARGETS;
        struct hu_req rq = {.target = targets[t]};
        struct hu_resp r;
        if (hu_perform(h, w->port, &rq, &r) != 0) {
            w->transport++;
            continue;
        }
        w->done++;
        if (r.status != 200) {
            w->not_ok++;
            w->bad_status = r.status;
        } else if (r.len != expected[t].len || memcmp(r.body, expected[t].body, r.len) != 0) {
            w->differ++;
        }
        hu_resp_free(&r);
    }
    hu_handle_free(h);
    return NULL;
}

/* 4 threads x 500 keep-alive requests: every answer 200 and byte for byte the single-threaded
 * one. */
START_TEST(concurrent)
{
    pthread_t th[THREADS];
    struct worker w[THREADS];
    unsigned long long rs = 99;

    for (int t = 0; t < NTARGETS; t++) {
        if (t % 4 == 0)
            snprintf(targets[t], sizeof targets[t], "/v1/health");
        else if (t % 4 == 1)
            snprintf(targets[t], sizeof targets[t], "/v1/centres?kind=%s",
                     t % 8 == 1 ? "fire" : "police,ambulance");
        else
            snprintf(targets[t], sizeof targets[t], "/v1/nearest?lon=%.5f&lat=%.5f&k=%d",
                     12 + 7 * tu_rand(&rs), 48.6 + 2.4 * tu_rand(&rs), 1 + t * 3);
        expected[t] = get(targets[t]);
        ck_assert_msg(expected[t].status == 200, "%s: %ld", targets[t], expected[t].status);
    }
    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct worker){.id = i, .port = hu_fx_port};
        ck_assert_int_eq(pthread_create(&th[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < THREADS; i++) {
        ck_assert_msg(w[i].transport == 0, "thread %d: %d transport errors", i, w[i].transport);
        ck_assert_int_eq(w[i].done, PER_THREAD);
        ck_assert_msg(w[i].not_ok == 0, "thread %d: %d answers not 200 (e.g. %ld)", i, w[i].not_ok,
                      w[i].bad_status);
        ck_assert_msg(w[i].differ == 0, "thread %d: %d answers differ from the serial ones", i,
                      w[i].differ);
    }
    for (int t = 0; t < NTARGETS; t++)
        hu_resp_free(&expected[t]);
}
END_TEST

Suite *http_suite(void); /* for the runner */

Suite *http_suite(void)
{
    Suite *s = suite_create("http");
    TCase *tc = hu_fx_tcase(s, "api", 180); /* the world loaded once, a daemon per test */
    tcase_add_test(tc, health);
    tcase_add_loop_test(tc, centres_list, 0, sizeof list_cases / sizeof list_cases[0]);
    tcase_add_test(tc, centre_one);
    tcase_add_test(tc, not_found_paths);
    tcase_add_test(tc, nearest_brute_force);
    tcase_add_test(tc, nearest_sjtsk);
    tcase_add_test(tc, bad_query);
    tcase_add_test(tc, method_not_allowed);
    tcase_add_test(tc, options_preflight);
    tcase_add_test(tc, url_limit);
    tcase_add_test(tc, body_limit);
    tcase_add_test(tc, concurrent);
    return s;
}
