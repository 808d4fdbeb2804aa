/* tests/service/test_osrm.c -- the OSRM compatible endpoints (service/api_osrm.c) over HTTP.
 *
 * A real daemon (http_start on port 0, in this process so the sanitizers see the handlers) is
 * called with libcurl. The Heidelberg world is loaded once by an unchecked fixture and each test
 * starts its own daemon on it. Oracles the endpoints did not produce: /v1/route (figures must be
 * identical, on random pairs), route_cost() for the table (an independent A* search), our own
 * polyline decoder checked elsewhere against Google's vectors, and two hand-made maps whose
 * maneuvers are known by construction (the pictures below): streets, and roundabouts with a
 * motorway and its ramps. */
#include "api_osrm.h"
#include "road/graph.h"
#include "http.h"
#include "road/import/osm_import.h"
#include "polyline.h"
#include "road/route.h"
#include "road/snap.h"
#include "base/store.h"
#include "testutil.h"
#include "world.h"

#include <check.h>
#include <curl/curl.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HD_LON0 8.62 /* random points fall in Heidelberg's built-up area */
#define HD_LON1 8.74
#define HD_LAT0 49.38
#define HD_LAT1 49.43

/* ---- fixtures ---------------------------------------------------------------------------- */

static struct world_holder heidelberg; /* loaded once (unchecked fixture), read by every test */
static struct http_server *srv;        /* per test */
static int port;

static void heidelberg_load(void)
{
    struct world *w = NULL;
    struct kkc_err err = {0};
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (world_load(tu_db(), &w, &err)) {
        fprintf(stderr, "test_osrm: cannot load %s: %s (make data/kkc.sqlite)\n", tu_db(), err.msg);
        abort();
    }
    world_holder_init(&heidelberg, w);
}

static void heidelberg_free(void)
{
    world_holder_done(&heidelberg);
    curl_global_cleanup();
}

/* Serve holder on 127.0.0.1, any port. */
static void serve(struct world_holder *holder)
{
    struct http_opts o = {.host = "127.0.0.1", .threads = 2};
    struct kkc_err err = {0};
    ck_assert_msg(http_start(&o, holder, &srv, &err) == KKC_OK, "%s", err.msg);
    port = http_port(srv);
}

static void serve_heidelberg(void)
{
    serve(&heidelberg);
}

static void unserve(void)
{
    http_stop(srv);
    srv = NULL;
}

/* ---- HTTP -------------------------------------------------------------------------------- */

struct buf {
    char *p;
    size_t len;
};

static size_t on_data(char *data, size_t size, size_t n, void *ud)
{
    struct buf *b = ud;
    char *grown = realloc(b->p, b->len + size * n + 1);
    if (!grown)
        return 0;
    memcpy(grown + b->len, data, size * n);
    b->p = grown, b->len += size * n;
    b->p[b->len] = '\0';
    return size * n;
}

/* METHOD path (printf-style) on the test daemon; the status into *status, the body parsed as
 * JSON (NULL when empty). The caller decrefs. */
static json_t *call(const char *method, long *status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static json_t *call(const char *method, long *status, const char *fmt, ...)
{
    char *path = NULL, *url = NULL;
    struct buf b = {NULL, 0};
    CURL *c = curl_easy_init();
    va_list ap;
    json_t *v = NULL;

    va_start(ap, fmt);
    ck_assert_int_ge(vasprintf(&path, fmt, ap), 0);
    va_end(ap);
    ck_assert_int_ge(asprintf(&url, "http://127.0.0.1:%d%s", port, path), 0);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    ck_assert_msg(curl_easy_perform(c) == CURLE_OK, "GET %s failed", path);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    if (b.len) {
        v = json_loads(b.p, 0, NULL);
        ck_assert_msg(v != NULL, "%s: not JSON: %.200s", path, b.p);
    }
    curl_easy_cleanup(c);
    free(b.p);
    free(url);
    free(path);
    return v;
}

/* GET that must answer 200 with code Ok. */
static json_t *get_ok(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static json_t *get_ok(const char *fmt, ...)
{
    char *path = NULL;
    long status = 0;
    va_list ap;
    json_t *v;
    va_start(ap, fmt);
    ck_assert_int_ge(vasprintf(&path, fmt, ap), 0);
    va_end(ap);
    v = call("GET", &status, "%s", path);
    ck_assert_msg(status == 200 && v, "%s: status %ld", path, status);
    ck_assert_msg(json_is_string(json_object_get(v, "code")) &&
                      strcmp(json_string_value(json_object_get(v, "code")), "Ok") == 0,
                  "%s: code is not Ok", path);
    free(path);
    return v;
}

/* ---- JSON helpers ------------------------------------------------------------------------ */

static double num(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    ck_assert_msg(json_is_number(v), "'%s' is not a number", key);
    return json_number_value(v);
}

static const char *str(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    ck_assert_msg(json_is_string(v), "'%s' is not a string", key);
    return json_string_value(v);
}

static json_t *arr(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    ck_assert_msg(json_is_array(v), "'%s' is not an array", key);
    return v;
}

/* A geometry (polyline string of the given precision, or GeoJSON LineString) as lon,lat pairs;
 * the caller frees. */
static double *geometry_points(const json_t *g, int precision, size_t *n)
{
    double *pts = NULL;
    if (json_is_string(g)) {
        const char *s = json_string_value(g);
        ck_assert_int_eq(polyline_decode(s, strlen(s), precision, 1000000, &pts, n, NULL), KKC_OK);
        return pts;
    }
    ck_assert_str_eq(str(g, "type"), "LineString");
    json_t *c = arr(g, "coordinates");
    *n = json_array_size(c);
    pts = malloc(2 * (*n + 1) * sizeof *pts);
    for (size_t i = 0; i < *n; i++) {
        pts[2 * i] = json_number_value(json_array_get(json_array_get(c, i), 0));
        pts[2 * i + 1] = json_number_value(json_array_get(json_array_get(c, i), 1));
    }
    return pts;
}

static int one_of(const char *s, const char *const *set)
{
    for (; *set; set++)
        if (strcmp(s, *set) == 0)
            return 1;
    return 0;
}

/* A random point of Heidelberg as "lon,lat" into buf. */
static void random_point(unsigned long long *seed, char *buf, size_t cap)
{
    double lon = HD_LON0 + tu_rand(seed) * (HD_LON1 - HD_LON0);
    double lat = HD_LAT0 + tu_rand(seed) * (HD_LAT1 - HD_LAT0);
    snprintf(buf, cap, "%.6f,%.6f", lon, lat);
}

/* ---- shapes ------------------------------------------------------------------------------ */

#define FROM "8.672400,49.409300" /* Bergheim, west of the main station */
#define TO "8.693400,49.410600"   /* Sofienstraße, near Bismarckplatz */

/* Every field a client reads, on one step. */
static void check_step(const json_t *st, size_t i, size_t nsteps)
{
    static const char *const types[] = {
        "depart",      "turn",   "new name",        "continue",    "fork",
        "end of road", "arrive", "merge",           "on ramp",     "off ramp",
        "roundabout",  "rotary", "exit roundabout", "exit rotary", NULL};
    static const char *const ring_types[] = {"roundabout", "rotary", "exit roundabout",
                                             "exit rotary", NULL};
    static const char *const mods[] = {"straight",    "slight right", "right",
                                       "sharp right", "uturn",        "sharp left",
                                       "left",        "slight left",  NULL};
    const json_t *m = json_object_get(st, "maneuver"), *xs = arr(st, "intersections");
    const char *type = str(m, "type");

    ck_assert(json_is_string(json_object_get(st, "name")));
    ck_assert_str_eq(str(st, "mode"), "driving");
    ck_assert_str_eq(str(st, "driving_side"), "right");
    ck_assert(num(st, "distance") >= 0 && num(st, "duration") >= 0);
    ck_assert(num(st, "weight") == num(st, "duration"));
    ck_assert_msg(one_of(type, types), "unknown maneuver type %s", type);
    ck_assert_str_eq(type, i == 0 ? "depart" : i + 1 == nsteps ? "arrive" : type);
    ck_assert_msg(i == 0 || i + 1 == nsteps || (strcmp(type, "depart") && strcmp(type, "arrive")),
                  "depart/arrive in the middle");
    if (strcmp(type, "depart") != 0 && strcmp(type, "arrive") != 0)
        ck_assert_msg(json_is_string(json_object_get(m, "modifier")) &&
                          one_of(str(m, "modifier"), mods),
                      "step %zu (%s) lacks a modifier", i, type);
    if (json_object_get(m, "exit")) /* an exit number counts exits of a roundabout, from 1 */
        ck_assert_msg(json_is_integer(json_object_get(m, "exit")) && num(m, "exit") >= 1 &&
                          one_of(type, ring_types),
                      "step %zu (%s): exit", i, type);
    if (json_object_get(st, "rotary_name"))
        ck_assert_str_eq(type, "rotary");
    ck_assert(num(m, "bearing_before") >= 0 && num(m, "bearing_before") < 360);
    ck_assert(num(m, "bearing_after") >= 0 && num(m, "bearing_after") < 360);
    ck_assert_uint_eq(json_array_size(arr(m, "location")), 2);
    ck_assert_uint_ge(json_array_size(xs), 1);
    for (size_t k = 0; k < json_array_size(xs); k++) {
        const json_t *x = json_array_get(xs, k);
        size_t nb = json_array_size(arr(x, "bearings"));
        ck_assert_uint_ge(nb, 1);
        ck_assert_uint_eq(json_array_size(arr(x, "entry")), nb);
        ck_assert_uint_eq(json_array_size(arr(x, "location")), 2);
        ck_assert(json_object_get(x, "in") || json_object_get(x, "out"));
        if (json_object_get(x, "in"))
            ck_assert(num(x, "in") >= 0 && num(x, "in") < (double)nb);
        if (json_object_get(x, "out")) {
            ck_assert(num(x, "out") >= 0 && num(x, "out") < (double)nb);
            ck_assert(json_is_true(json_array_get(arr(x, "entry"), (size_t)num(x, "out"))));
        }
    }
    /* the first intersection is where the maneuver happens */
    ck_assert(json_equal(json_object_get(json_array_get(xs, 0), "location"),
                         json_object_get(m, "location")));
}

START_TEST(test_route_shape)
{
    json_t *v = get_ok("/route/v1/driving/" FROM ";" TO
                       "?steps=true&overview=full&geometries=polyline6&annotations=true");
    json_t *routes = arr(v, "routes"), *r = json_array_get(routes, 0);
    json_t *wps = arr(v, "waypoints"), *leg, *steps, *ann, *loc;
    double *all, sum = 0;
    size_t n, nsteps, at = 0;

    ck_assert_uint_eq(json_array_size(routes), 1);
    ck_assert_uint_eq(json_array_size(wps), 2);
    ck_assert_str_eq(str(r, "weight_name"), "duration");
    ck_assert(num(r, "weight") == num(r, "duration"));
    ck_assert(num(r, "distance") > 1000 && num(r, "distance") < 5000);
    ck_assert_uint_eq(json_array_size(arr(r, "legs")), 1);
    leg = json_array_get(arr(r, "legs"), 0);
    ck_assert(num(leg, "distance") == num(r, "distance"));
    ck_assert(num(leg, "duration") == num(r, "duration"));
    ck_assert(json_is_string(json_object_get(leg, "summary")));
    all = geometry_points(json_object_get(r, "geometry"), 6, &n);
    ck_assert_uint_ge(n, 2);
    for (size_t i = 0; i < 2; i++) { /* the line runs between the snapped waypoints */
        const double *p = all + (i ? 2 * (n - 1) : 0);
        loc = arr(json_array_get(wps, i), "location");
        ck_assert(fabs(p[0] - json_number_value(json_array_get(loc, 0))) <= 1.01e-6);
        ck_assert(fabs(p[1] - json_number_value(json_array_get(loc, 1))) <= 1.01e-6);
        ck_assert(json_is_string(json_object_get(json_array_get(wps, i), "name")));
        ck_assert(num(json_array_get(wps, i), "distance") >= 0);
    }
    /* steps: the fields, and their geometries chain into the route's */
    steps = arr(leg, "steps");
    nsteps = json_array_size(steps);
    ck_assert_uint_ge(nsteps, 3);
    for (size_t i = 0; i < nsteps; i++) {
        json_t *st = json_array_get(steps, i);
        size_t sn;
        double *sp = geometry_points(json_object_get(st, "geometry"), 6, &sn);
        check_step(st, i, nsteps);
        sum += num(st, "distance");
        ck_assert_uint_ge(sn, 2);
        ck_assert_msg(fabs(sp[0] - all[2 * at]) < 1e-9 && fabs(sp[1] - all[2 * at + 1]) < 1e-9,
                      "step %zu does not start where the previous one ended", i);
        loc = arr(json_object_get(st, "maneuver"), "location");
        for (size_t k = 0; k < 2; k++) /* the maneuver is where the step starts */
            ck_assert(fabs(sp[k] - json_number_value(json_array_get(loc, k))) <= 1.01e-6);
        at += i + 1 < nsteps ? sn - 1 : 0;
        free(sp);
    }
    ck_assert_uint_eq(at, n - 1);
    ck_assert_msg(fabs(sum - num(leg, "distance")) <= 0.05 * (double)nsteps + 0.1,
                  "steps add up to %.1f, the leg is %.1f", sum, num(leg, "distance"));
    /* annotations: one value per segment, adding up to the leg */
    ann = json_object_get(leg, "annotation");
    ck_assert_uint_eq(json_array_size(arr(ann, "distance")), n - 1);
    ck_assert_uint_eq(json_array_size(arr(ann, "duration")), n - 1);
    ck_assert_uint_eq(json_array_size(arr(ann, "speed")), n - 1);
    sum = 0;
    for (size_t i = 0; i < n - 1; i++)
        sum += json_number_value(json_array_get(arr(ann, "distance"), i));
    ck_assert(fabs(sum - num(leg, "distance")) <= 0.05 * (double)n + 0.1);
    free(all);
    json_decref(v);
}
END_TEST

/* polyline, polyline6 and geojson describe the same line, to their precision; simplified keeps
 * the ends and drops points; overview=false has no geometry; steps=false has empty steps. */
START_TEST(test_route_geometries)
{
    static const struct {
        const char *fmt;
        int precision;
    } f[] = {{"polyline", 5}, {"polyline6", 6}};
    json_t *gj = get_ok("/route/v1/driving/" FROM ";" TO "?overview=full&geometries=geojson");
    size_t n, m;
    double *ref = geometry_points(json_object_get(json_array_get(arr(gj, "routes"), 0), "geometry"),
                                  0, &n),
           *p;
    json_t *v, *r;

    for (size_t k = 0; k < 2; k++) {
        double q = pow(10, -f[k].precision) / 2 + 1e-9;
        v = get_ok("/route/v1/driving/" FROM ";" TO "?overview=full&geometries=%s", f[k].fmt);
        p = geometry_points(json_object_get(json_array_get(arr(v, "routes"), 0), "geometry"),
                            f[k].precision, &m);
        ck_assert_uint_eq(m, n);
        for (size_t i = 0; i < 2 * n; i++)
            ck_assert_msg(fabs(p[i] - ref[i]) <= q, "%s value %zu: %.7f vs %.7f", f[k].fmt, i, p[i],
                          ref[i]);
        free(p);
        json_decref(v);
    }
    v = get_ok("/route/v1/driving/" FROM ";" TO); /* defaults: simplified polyline, no steps */
    r = json_array_get(arr(v, "routes"), 0);
    p = geometry_points(json_object_get(r, "geometry"), 5, &m);
    ck_assert_uint_ge(m, 2);
    ck_assert_uint_le(m, n);
    ck_assert(fabs(p[0] - ref[0]) < 1e-5 && fabs(p[2 * m - 1] - ref[2 * n - 1]) < 1e-5);
    ck_assert_uint_eq(json_array_size(arr(json_array_get(arr(r, "legs"), 0), "steps")), 0);
    ck_assert_ptr_null(json_object_get(json_array_get(arr(r, "legs"), 0), "annotation"));
    free(p);
    json_decref(v);
    v = get_ok("/route/v1/driving/" FROM ";" TO "?overview=false&skip_waypoints=true");
    ck_assert_ptr_null(json_object_get(json_array_get(arr(v, "routes"), 0), "geometry"));
    ck_assert_ptr_null(json_object_get(v, "waypoints"));
    json_decref(v);
    free(ref);
    json_decref(gj);
}
END_TEST

/* What Leaflet Routing Machine sends, and the other accepted OSRM parameters. */
START_TEST(test_route_client_params)
{
    static const char *const queries[] = {
        "?overview=false&alternatives=true&steps=true&hints=;",
        "?&alternatives=true&steps=true&hints=;&continue_straight=false",
        "?alternatives=false&annotations=false&continue_straight=default&generate_hints=false",
        "?alternatives=2&annotations=duration,distance&radiuses=100;unlimited",
        "?radiuses=;&geometries=polyline6&overview=simplified",
    };
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        json_t *v = get_ok("/route/v1/driving/" FROM ";" TO "%s", queries[i]);
        json_decref(v);
        v = get_ok("/route/v1/car/" FROM ";" TO ".json%s", queries[i]);
        json_decref(v);
    }
    /* clients may percent-encode the separators */
    json_t *plain = get_ok("/route/v1/driving/" FROM ";" TO "?overview=false");
    json_t *enc = get_ok("/route/v1/driving/8.672400%%2C49.409300%%3B8.693400%%2C49.410600"
                         "?overview=false&radiuses=100%%3B200");
    ck_assert(json_equal(json_object_get(plain, "routes"), json_object_get(enc, "routes")));
    json_decref(plain);
    json_decref(enc);
}
END_TEST

/* Three waypoints: two legs, each identical to /v1/route between its ends. */
START_TEST(test_route_legs)
{
    static const char *const pts[] = {FROM, TO, "8.700000,49.400000"};
    json_t *v = get_ok("/route/v1/driving/%s;%s;%s?steps=true", pts[0], pts[1], pts[2]);
    json_t *r = json_array_get(arr(v, "routes"), 0), *legs = arr(r, "legs");
    double dist = 0;
    ck_assert_uint_eq(json_array_size(legs), 2);
    ck_assert_uint_eq(json_array_size(arr(v, "waypoints")), 3);
    for (size_t i = 0; i < 2; i++) {
        long status;
        json_t *leg = json_array_get(legs, i), *steps = arr(leg, "steps");
        json_t *ours = call("GET", &status, "/v1/route?from=%s&to=%s", pts[i], pts[i + 1]);
        ck_assert_int_eq(status, 200);
        ck_assert(num(leg, "distance") == num(json_object_get(ours, "properties"), "distance_m"));
        ck_assert(num(leg, "duration") == num(json_object_get(ours, "properties"), "duration_s"));
        ck_assert_str_eq(str(json_object_get(json_array_get(steps, 0), "maneuver"), "type"),
                         "depart");
        ck_assert_str_eq(
            str(json_object_get(json_array_get(steps, json_array_size(steps) - 1), "maneuver"),
                "type"),
            "arrive");
        dist += num(leg, "distance");
        json_decref(ours);
    }
    ck_assert(fabs(num(r, "distance") - dist) <= 0.1);
    json_decref(v);
}
END_TEST

/* ---- identical figures ------------------------------------------------------------------- */

/* On random pairs: /route/v1 answers exactly what /v1/route answers (distance, duration,
 * snapped points), or NoSegment where /v1/route does. At least 100 routed pairs. */
START_TEST(test_route_identical)
{
    unsigned long long seed = 20261125;
    int routed = 0, tries = 0;
    while (routed < 100 && tries++ < 400) {
        char a[64], b[64];
        long s1, s2;
        random_point(&seed, a, sizeof a);
        random_point(&seed, b, sizeof b);
        json_t *ours = call("GET", &s1, "/v1/route?from=%s&to=%s", a, b);
        json_t *osrm = call("GET", &s2, "/route/v1/driving/%s;%s?overview=false", a, b);
        if (s1 == 422) {
            ck_assert_int_eq(s2, 400);
            ck_assert_str_eq(str(osrm, "code"), str(ours, "code"));
        } else {
            json_t *p = json_object_get(ours, "properties");
            json_t *r = json_array_get(arr(osrm, "routes"), 0);
            ck_assert_int_eq(s1, 200);
            ck_assert_int_eq(s2, 200);
            ck_assert_msg(num(r, "distance") == num(p, "distance_m"), "%s;%s: %.1f vs %.1f", a, b,
                          num(r, "distance"), num(p, "distance_m"));
            ck_assert_msg(num(r, "duration") == num(p, "duration_s"), "%s;%s: %.1f vs %.1f", a, b,
                          num(r, "duration"), num(p, "duration_s"));
            for (int e = 0; e < 2; e++) {
                json_t *snapped = arr(json_object_get(p, e ? "to" : "from"), "snapped");
                json_t *loc = arr(json_array_get(arr(osrm, "waypoints"), (size_t)e), "location");
                for (size_t k = 0; k < 2; k++)
                    ck_assert(fabs(json_number_value(json_array_get(snapped, k)) -
                                   json_number_value(json_array_get(loc, k))) <= 1.01e-6);
            }
            routed++;
        }
        json_decref(ours);
        json_decref(osrm);
    }
    ck_assert_int_ge(routed, 100);
}
END_TEST

/* /table equals /route for every pair of random points (both directions of the search). */
START_TEST(test_table_identical)
{
    enum { N = 9 };
    unsigned long long seed = 77;
    char pts[N][64], coords[N * 64] = "";
    json_t *v, *dur, *dis;
    for (int i = 0; i < N; i++) {
        long s;
        json_t *t;
        do { /* points that snap */
            random_point(&seed, pts[i], sizeof pts[i]);
            t = call("GET", &s, "/nearest/v1/driving/%s?radiuses=%d", pts[i],
                     (int)SNAP_RADIUS_DEFAULT_M);
            json_decref(t);
        } while (s != 200);
        strcat(strcat(coords, i ? ";" : ""), pts[i]);
    }
    for (int pass = 0; pass < 2; pass++) { /* 3 x 9 and 9 x 3 */
        const char *q = pass ? "sources=all&destinations=0;4;8" : "sources=1;2;3";
        v = get_ok("/table/v1/driving/%s?annotations=duration,distance&%s", coords, q);
        dur = arr(v, "durations"), dis = arr(v, "distances");
        size_t ns = json_array_size(dur), nd = json_array_size(json_array_get(dur, 0));
        ck_assert_uint_eq(ns, pass ? N : 3);
        ck_assert_uint_eq(nd, pass ? 3 : N);
        ck_assert_uint_eq(json_array_size(arr(v, "sources")), ns);
        ck_assert_uint_eq(json_array_size(arr(v, "destinations")), nd);
        for (size_t i = 0; i < ns; i++)
            for (size_t j = 0; j < nd; j++) {
                int si = pass ? (int)i : (int)i + 1, dj = pass ? (int)j * 4 : (int)j;
                json_t *r = get_ok("/route/v1/driving/%s;%s?overview=false", pts[si], pts[dj]);
                json_t *rt = json_array_get(arr(r, "routes"), 0);
                double d = json_number_value(json_array_get(json_array_get(dur, i), j));
                double m = json_number_value(json_array_get(json_array_get(dis, i), j));
                ck_assert_msg(d == num(rt, "duration") && m == num(rt, "distance"),
                              "table %zu,%zu: %.1f s %.1f m, route %.1f s %.1f m", i, j, d, m,
                              num(rt, "duration"), num(rt, "distance"));
                json_decref(r);
            }
        json_decref(v);
    }
    v = get_ok("/table/v1/driving/%s", coords); /* default: durations only, N x N */
    ck_assert_uint_eq(json_array_size(arr(v, "durations")), N);
    ck_assert_ptr_null(json_object_get(v, "distances"));
    for (size_t i = 0; i < N; i++)
        ck_assert(json_number_value(json_array_get(json_array_get(arr(v, "durations"), i), i)) ==
                  0);
    json_decref(v);
}
END_TEST

/* In process: the table's costs equal route_cost() exactly, from sources to destinations in
 * either search direction. */
START_TEST(test_table_costs_route_cost)
{
    enum { NS = 7, ND = 5 };
    struct world *w = world_get(&heidelberg);
    const struct graph *g = w->graph;
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
    ck_assert_int_eq(api_osrm_table_costs(g, s, NS, d, ND, fw, NULL), KKC_OK); /* per destination */
    ck_assert_int_eq(api_osrm_table_costs(g, d, ND, s, NS, bw, NULL), KKC_OK); /* per source */
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
    world_put(&heidelberg, w);
}
END_TEST

/* ---- nearest ----------------------------------------------------------------------------- */

START_TEST(test_nearest)
{
    json_t *v = get_ok("/nearest/v1/driving/8.692400,49.409300?number=5"), *wps;
    json_t *one = get_ok("/nearest/v1/driving/8.692400,49.409300");
    long status;
    json_t *ours = call("GET", &status, "/v1/route?from=8.6924,49.4093&to=" TO);
    double last = -1;

    wps = arr(v, "waypoints");
    ck_assert_uint_eq(json_array_size(wps), 5);
    ck_assert_uint_eq(json_array_size(arr(one, "waypoints")), 1);
    ck_assert(json_equal(json_array_get(wps, 0), json_array_get(arr(one, "waypoints"), 0)));
    for (size_t i = 0; i < 5; i++) { /* nearest first, one per road */
        json_t *w = json_array_get(wps, i);
        ck_assert(num(w, "distance") >= last);
        last = num(w, "distance");
        ck_assert_uint_eq(json_array_size(arr(w, "location")), 2);
        for (size_t j = 0; j < i; j++)
            ck_assert(strcmp(str(w, "name"), str(json_array_get(wps, j), "name")) != 0 ||
                      !*str(w, "name"));
    }
    /* the first is where /v1/route snaps */
    json_t *snapped = arr(json_object_get(json_object_get(ours, "properties"), "from"), "snapped");
    for (size_t k = 0; k < 2; k++)
        ck_assert(fabs(json_number_value(json_array_get(snapped, k)) -
                       json_number_value(
                           json_array_get(arr(json_array_get(wps, 0), "location"), k))) <= 1.01e-6);
    json_decref(ours);
    json_decref(one);
    json_decref(v);
}
END_TEST

/* ---- errors ------------------------------------------------------------------------------ */

/* A path with n copies of a Heidelberg coordinate after prefix, then suffix. */
static char *many(const char *prefix, int n, const char *suffix)
{
    size_t cap = strlen(prefix) + strlen(suffix) + (size_t)n * 20 + 1;
    char *p = malloc(cap);
    strcpy(p, prefix);
    for (int i = 0; i < n; i++)
        strcat(strcat(p, i ? ";" : ""), "8.6924,49.4093");
    return strcat(p, suffix);
}

static const struct {
    const char *method, *path;
    int repeat; /* > 0: path is a prefix, repeated coordinates follow */
    long status;
    const char *code;
} errors[] = {
    {"GET", "/route/v1/driving/" FROM, 0, 400, "InvalidValue"},
    {"GET", "/route/v1/driving/" FROM ";8.69", 0, 400, "InvalidUrl"},
    {"GET", "/route/v1/driving/" FROM ";abc,def", 0, 400, "InvalidUrl"},
    {"GET", "/route/v1/driving/" FROM ";;" TO, 0, 400, "InvalidUrl"},
    {"GET", "/route/v1/walking/" FROM ";" TO, 0, 400, "InvalidUrl"},
    {"GET", "/route/v1/driving/", 0, 400, "InvalidUrl"},
    {"GET", "/route/v1/driving/" FROM "/" TO, 0, 400, "InvalidUrl"},
    {"GET", "/route/v1/driving/polyline(_p~iF~ps|U_ulLnnqC_mqNvxq", 0, 400, "InvalidUrl"},
    {"GET", "/route/v1/driving/8.69,91;" TO, 0, 400, "InvalidValue"},
    {"GET", "/route/v1/driving/181,49.4;" TO, 0, 400, "InvalidValue"},
    {"GET", "/route/v1/driving/" FROM ";" TO "?foo=bar", 0, 400, "InvalidQuery"},
    {"GET", "/route/v1/driving/" FROM ";" TO "?overview=maybe", 0, 400, "InvalidQuery"},
    {"GET", "/route/v1/driving/" FROM ";" TO "?geometries=wkt", 0, 400, "InvalidQuery"},
    {"GET", "/route/v1/driving/" FROM ";" TO "?steps=yes", 0, 400, "InvalidQuery"},
    {"GET", "/route/v1/driving/" FROM ";" TO "?steps=true&steps=false", 0, 400, "InvalidQuery"},
    {"GET", "/route/v1/driving/" FROM ";" TO "?alternatives=many", 0, 400, "InvalidQuery"},
    {"GET", "/route/v1/driving/" FROM ";" TO "?annotations=lanes", 0, 400, "InvalidQuery"},
    {"GET", "/route/v1/driving/" FROM ";" TO "?annotations=nodes", 0, 400, "InvalidValue"},
    {"GET", "/route/v1/driving/" FROM ";" TO "?radiuses=10", 0, 400, "InvalidValue"},
    {"GET", "/route/v1/driving/" FROM ";" TO "?radiuses=10;20;30", 0, 400, "InvalidValue"},
    {"GET", "/route/v1/driving/" FROM ";" TO "?radiuses=-5;10", 0, 400, "InvalidQuery"},
    {"GET", "/route/v1/driving/" FROM ";" TO "?radiuses=1;1", 0, 400, "NoSegment"},
    {"GET", "/route/v1/driving/0,0;" TO, 0, 400, "NoSegment"},
    {"GET", "/route/v1/driving/", OSRM_ROUTE_MAX_WAYPOINTS + 1, 400, "TooBig"},
    {"GET", "/table/v1/driving/", OSRM_TABLE_MAX + 1, 400, "TooBig"},
    {"GET", "/table/v1/driving/" FROM ";" TO "?sources=2", 0, 400, "InvalidValue"},
    {"GET", "/table/v1/driving/" FROM ";" TO "?sources=x", 0, 400, "InvalidQuery"},
    {"GET", "/table/v1/driving/" FROM ";" TO "?destinations=0;", 0, 400, "InvalidQuery"},
    {"GET", "/table/v1/driving/" FROM ";" TO "?annotations=speed", 0, 400, "InvalidQuery"},
    {"GET", "/table/v1/driving/" FROM ";" TO "?fallback_speed=10", 0, 400, "InvalidQuery"},
    {"GET", "/table/v1/driving/0,0;" TO, 0, 400, "NoSegment"},
    {"GET", "/nearest/v1/driving/" FROM ";" TO, 0, 400, "InvalidValue"},
    {"GET", "/nearest/v1/driving/" FROM "?number=0", 0, 400, "InvalidValue"},
    {"GET", "/nearest/v1/driving/" FROM "?number=101", 0, 400, "TooBig"},
    {"GET", "/nearest/v1/driving/" FROM "?number=two", 0, 400, "InvalidQuery"},
    {"GET", "/nearest/v1/driving/0,0", 0, 400, "NoSegment"},
    {"POST", "/route/v1/driving/" FROM ";" TO, 0, 405, "MethodNotAllowed"},
};

START_TEST(test_errors)
{
    long status = 0;
    char *path = errors[_i].repeat > 0 ? many(errors[_i].path, errors[_i].repeat, "")
                                       : strdup(errors[_i].path);
    json_t *v = call(errors[_i].method, &status, "%s", path);
    ck_assert_msg(status == errors[_i].status, "%.80s: status %ld", path, status);
    ck_assert_ptr_nonnull(v);
    if (errors[_i].status == 400) /* OSRM's codes; the others are the service's own */
        ck_assert_msg(strcmp(str(v, "code"), errors[_i].code) == 0, "%.80s: code %s", path,
                      str(v, "code"));
    ck_assert_str_ne(str(v, "message"), "");
    ck_assert_ptr_null(json_object_get(v, "routes"));
    json_decref(v);
    free(path);
}
END_TEST

/* The largest table and route allowed are answered. */
START_TEST(test_limits)
{
    char *path = many("/table/v1/driving/", OSRM_TABLE_MAX, "?annotations=duration,distance");
    json_t *v = get_ok("%s", path);
    ck_assert_uint_eq(json_array_size(arr(v, "durations")), OSRM_TABLE_MAX);
    ck_assert_uint_eq(json_array_size(json_array_get(arr(v, "distances"), 99)), OSRM_TABLE_MAX);
    json_decref(v);
    free(path);
    path = many("/route/v1/driving/", OSRM_ROUTE_MAX_WAYPOINTS, "?steps=true");
    v = get_ok("%s", path);
    ck_assert_uint_eq(json_array_size(arr(json_array_get(arr(v, "routes"), 0), "legs")),
                      OSRM_ROUTE_MAX_WAYPOINTS - 1);
    json_decref(v);
    free(path);
    long status;
    v = call("OPTIONS", &status, "/route/v1/driving/" FROM ";" TO);
    ck_assert_int_eq(status, 204);
    json_decref(v);
}
END_TEST

/* Random paths and queries made of the characters the parsers look at: every answer is JSON
 * with a code, 200 Ok or 400 with one of OSRM's codes; nothing crashes (run under ASan). */
START_TEST(test_garbage)
{
    static const char alphabet[] = "0123456789.,;-+eE()/?&=_polyine6jsnrtaux%";
    static const char *const prefixes[] = {"/route/v1/driving/", "/table/v1/driving/",
                                           "/nearest/v1/driving/", "/route/v1/"};
    static const char *const codes[] = {"Ok",        "InvalidUrl", "InvalidQuery", "InvalidValue",
                                        "NoSegment", "NoRoute",    "TooBig",       NULL};
    unsigned long long seed = 5;
    CURL *c = curl_easy_init();
    for (int round = 0; round < 300; round++) {
        char text[48], *esc;
        size_t len = (size_t)(tu_rand(&seed) * (sizeof text - 1));
        long status;
        for (size_t i = 0; i < len; i++)
            text[i] = alphabet[(size_t)(tu_rand(&seed) * (sizeof alphabet - 1))];
        text[len] = '\0';
        if (round % 3 == 0) /* around a valid request */
            snprintf(text, sizeof text, "8.69%d,49.4%d;8.7,49.4?%c=%d", round % 10, round % 7,
                     alphabet[round % (sizeof alphabet - 1)], round);
        esc = curl_easy_escape(c, text, 0);
        json_t *v = call("GET", &status, "%s%s", prefixes[round % 4], round % 2 ? esc : text);
        ck_assert_msg(status == 200 || status == 400, "%s: %ld", text, status);
        ck_assert_msg(v && one_of(str(v, "code"), codes), "%s: no OSRM code", text);
        json_decref(v);
        curl_free(esc);
    }
    curl_easy_cleanup(c);
}
END_TEST

/* Coordinates given as an encoded polyline route as the same points given plainly. */
START_TEST(test_polyline_coordinates)
{
    double ll[4] = {8.6724, 49.4093, 8.6934, 49.4106};
    char *enc = NULL, *esc;
    CURL *c = curl_easy_init();
    json_t *a, *b;
    ck_assert_int_eq(polyline_encode(ll, 2, 5, &enc, NULL), KKC_OK);
    esc = curl_easy_escape(c, enc, 0);
    a = get_ok("/route/v1/driving/polyline(%s)?overview=false", esc);
    b = get_ok("/route/v1/driving/" FROM ";" TO "?overview=false");
    ck_assert(json_equal(json_object_get(a, "routes"), json_object_get(b, "routes")));
    json_decref(a);
    json_decref(b);
    curl_free(esc);
    free(enc);
    curl_easy_cleanup(c);
}
END_TEST

/* ---- the hand map ------------------------------------------------------------------------ */

/* Residential streets around 15.00 E, 50.00 N (one grid step: 0.002 degrees, ~143 m east,
 * ~222 m north), and an island no snapped point can reach:
 *
 *            N          CN
 *            |          |            North: B-N, South: B-S-Y
 *   A ------ B -------- C            Main:  A-B-C (ends at C)
 *            |          |            Cross: CS-C-CN
 *            S          CS           Left Fork: Y-L, Right Fork: Y-R (21 degrees off south)
 *            |                       Island: I1-I2, 8 km away
 *            Y
 *           / \
 *          L   R                                                                               */
static const char hand_map[] =
    "<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\" generator=\"hand\">\n"
    "<node id=\"1\" lat=\"50.000\" lon=\"15.000\"/><node id=\"2\" lat=\"50.000\" lon=\"15.002\"/>"
    "<node id=\"3\" lat=\"50.000\" lon=\"15.004\"/><node id=\"4\" lat=\"50.002\" lon=\"15.002\"/>"
    "<node id=\"5\" lat=\"49.998\" lon=\"15.002\"/><node id=\"6\" lat=\"50.002\" lon=\"15.004\"/>"
    "<node id=\"7\" lat=\"49.998\" lon=\"15.004\"/><node id=\"8\" lat=\"50.050\" lon=\"15.100\"/>"
    "<node id=\"9\" lat=\"50.050\" lon=\"15.102\"/>\n"
    "<way id=\"10\"><nd ref=\"1\"/><nd ref=\"2\"/><nd ref=\"3\"/>"
    "<tag k=\"highway\" v=\"residential\"/><tag k=\"name\" v=\"Main\"/></way>\n"
    "<way id=\"11\"><nd ref=\"2\"/><nd ref=\"4\"/>"
    "<tag k=\"highway\" v=\"residential\"/><tag k=\"name\" v=\"North\"/></way>\n"
    "<node id=\"15\" lat=\"49.996\" lon=\"15.002\"/><node id=\"16\" lat=\"49.9943\" "
    "lon=\"15.001\"/>"
    "<node id=\"17\" lat=\"49.9943\" lon=\"15.003\"/>\n"
    "<way id=\"12\"><nd ref=\"2\"/><nd ref=\"5\"/><nd ref=\"15\"/>"
    "<tag k=\"highway\" v=\"residential\"/><tag k=\"name\" v=\"South\"/></way>\n"
    "<way id=\"13\"><nd ref=\"7\"/><nd ref=\"3\"/><nd ref=\"6\"/>"
    "<tag k=\"highway\" v=\"residential\"/><tag k=\"name\" v=\"Cross\"/></way>\n"
    "<way id=\"15\"><nd ref=\"15\"/><nd ref=\"16\"/>"
    "<tag k=\"highway\" v=\"residential\"/><tag k=\"name\" v=\"Left Fork\"/></way>\n"
    "<way id=\"16\"><nd ref=\"15\"/><nd ref=\"17\"/>"
    "<tag k=\"highway\" v=\"residential\"/><tag k=\"name\" v=\"Right Fork\"/></way>\n"
    "<way id=\"14\"><nd ref=\"8\"/><nd ref=\"9\"/>"
    "<tag k=\"highway\" v=\"residential\"/><tag k=\"name\" v=\"Island\"/></way>\n"
    "</osm>\n";

static struct world_holder hand;

/* Import an OSM map (XML text: the parts up to NULL) into a fresh database and load it as a world
 * into holder. */
static void map_load(const char *const *xml, struct world_holder *holder)
{
    char *dir = tu_tmpdir(), osm[512], db[512];
    struct store *st = NULL;
    struct world *w = NULL;
    struct kkc_err err = {0};
    struct osm_import_opts o = {.path = osm};
    FILE *f;

    ck_assert_ptr_nonnull(dir);
    snprintf(osm, sizeof osm, "%s/map.osm", dir);
    snprintf(db, sizeof db, "%s/map.sqlite", dir);
    f = fopen(osm, "w");
    ck_assert_ptr_nonnull(f);
    for (; *xml; xml++)
        fputs(*xml, f);
    fclose(f);
    ck_assert_int_eq(store_open(db, STORE_CREATE, &st, &err), KKC_OK);
    ck_assert_msg(osm_import(st, &o, NULL, &err) == KKC_OK, "%s", err.msg);
    store_close(st);
    ck_assert_msg(world_load(db, &w, &err) == KKC_OK, "%s", err.msg);
    world_holder_init(holder, w);
    free(dir);
}

static void hand_serve(void)
{
    map_load((const char *const[]){hand_map, NULL}, &hand);
    serve(&hand);
}

static void hand_unserve(void)
{
    unserve();
    world_holder_done(&hand);
}

static const struct {
    const char *from, *to;
    const char *maneuvers;                     /* type/modifier of each step, space separated */
    int depart, bearing_before, bearing_after; /* bearings of the first and second step */
} hand_routes[] = {
    /* east on Main, straight through B without a word, Main ends at C: left onto Cross */
    {"15.0005,50.0000", "15.0040,50.0015", "depart end_of_road/left arrive/straight", 90, 90, 0},
    /* the same to the south: right */
    {"15.0005,50.0000", "15.0040,49.9985", "depart end_of_road/right arrive/straight", 90, 90, 180},
    /* left and right at the crossing B, where going straight was possible */
    {"15.0005,50.0000", "15.0020,50.0015", "depart turn/left arrive/straight", 90, 90, 0},
    {"15.0005,50.0000", "15.0020,49.9985", "depart turn/right arrive/straight", 90, 90, 180},
    /* straight across B from North into South: a new name */
    {"15.0020,50.0015", "15.0020,49.9985", "depart new_name/straight arrive/straight", 180, 180,
     180},
    /* along Main past B: nothing to say; the destination lies left, then right, of the road */
    {"15.0005,50.0000", "15.0035,50.0002", "depart arrive/left", 90, 0, 0},
    {"15.0005,50.0000", "15.0035,49.9998", "depart arrive/right", 90, 0, 0},
    /* down South to Y, which splits into two branches 21 degrees either side: heading south,
     * the western branch is the right one */
    {"15.0020,50.0015", "15.0015,49.99515",
     "depart new_name/straight fork/slight_right arrive/straight", 180, 180, 180},
    {"15.0020,50.0015", "15.0025,49.99515",
     "depart new_name/straight fork/slight_left arrive/straight", 180, 180, 180},
    /* back west from Cross onto Main: a right turn off a road that goes on */
    {"15.0040,50.0015", "15.0005,50.0000", "depart turn/right arrive/straight", 180, 180, 270},
};

/* The steps of the first leg of route answer v; every step passes check_step(). */
static json_t *route_steps(json_t *v)
{
    json_t *steps =
        arr(json_array_get(arr(json_array_get(arr(v, "routes"), 0), "legs"), 0), "steps");
    for (size_t i = 0; i < json_array_size(steps); i++)
        check_step(json_array_get(steps, i), i, json_array_size(steps));
    return steps;
}

/* The maneuvers of steps as words "type/modifier#exit" (the depart without its modifier, spaces
 * inside a word as '_'), space separated, into got. */
static void maneuver_words(const json_t *steps, char *got, size_t cap)
{
    got[0] = '\0';
    for (size_t i = 0; i < json_array_size(steps); i++) {
        json_t *m = json_object_get(json_array_get(steps, i), "maneuver");
        char word[64], exitno[16] = "";
        if (json_object_get(m, "exit"))
            snprintf(exitno, sizeof exitno, "#%d", (int)num(m, "exit"));
        snprintf(word, sizeof word, "%s%s%s%s%s", i ? " " : "", str(m, "type"),
                 i && json_object_get(m, "modifier") ? "/" : "",
                 i && json_object_get(m, "modifier") ? str(m, "modifier") : "", exitno);
        for (char *c = word + (i > 0); *c; c++) /* "end of road/slight left" as one word */
            *c = *c == ' ' ? '_' : *c;
        strncat(got, word, cap - strlen(got) - 1);
    }
}

START_TEST(test_hand_maneuvers)
{
    json_t *v =
        get_ok("/route/v1/driving/%s;%s?steps=true", hand_routes[_i].from, hand_routes[_i].to);
    json_t *steps = route_steps(v);
    char got[256];
    maneuver_words(steps, got, sizeof got);
    ck_assert_msg(strcmp(got, hand_routes[_i].maneuvers) == 0, "route %d: '%s', want '%s'", _i, got,
                  hand_routes[_i].maneuvers);
    json_t *m1 = json_object_get(json_array_get(steps, 1), "maneuver");
    if (json_array_size(steps) > 2) {
        ck_assert_int_eq((int)num(m1, "bearing_before"), hand_routes[_i].bearing_before);
        ck_assert_int_eq((int)num(m1, "bearing_after"), hand_routes[_i].bearing_after);
    }
    json_t *m0 = json_object_get(json_array_get(steps, 0), "maneuver");
    ck_assert_int_eq((int)num(m0, "bearing_after"), hand_routes[_i].depart);
    json_decref(v);
}
END_TEST

/* The junction B as OSRM describes it when passed along Main: four roads, in from the west. */
START_TEST(test_hand_intersection)
{
    json_t *v = get_ok("/route/v1/driving/15.0005,50.0000;15.0035,50.0000?steps=true");
    json_t *st = json_array_get(
        arr(json_array_get(arr(json_array_get(arr(v, "routes"), 0), "legs"), 0), "steps"), 0);
    json_t *xs = arr(st, "intersections"), *b = json_array_get(xs, 1);
    json_t *want = json_loads("[0,90,180,270]", 0, NULL);
    ck_assert_uint_eq(json_array_size(xs), 2);
    ck_assert(json_equal(arr(b, "bearings"), want));
    ck_assert_int_eq((int)num(b, "in"), 3);
    ck_assert_int_eq((int)num(b, "out"), 1);
    for (size_t i = 0; i < 4; i++)
        ck_assert(json_is_true(json_array_get(arr(b, "entry"), i)));
    json_decref(want);
    json_decref(v);
}
END_TEST

/* Table: null where the destination cannot be reached. Snapping keeps to the main component, so
 * over HTTP every snapped pair is connected; an island point made with snap_at() is not. */
START_TEST(test_hand_table_unreachable)
{
    struct world *w = world_get(&hand);
    const struct graph *g = w->graph;
    struct snap p[2];
    graph_cost c[4];
    uint32_t island = GRAPH_NONE;
    for (uint32_t e = 0; e < g->edge_count; e++)
        if (strcmp(graph_string(g, g->edge_name[e]), "Island") == 0)
            island = e;
    ck_assert_uint_ne(island, GRAPH_NONE);
    ck_assert_int_eq(snap_point(g, 15.0005, 50.0001, 100, &p[0], NULL), KKC_OK);
    ck_assert_int_eq(snap_at(g, island, 0.5, &p[1], NULL), KKC_OK);
    ck_assert_int_eq(api_osrm_table_costs(g, p, 2, p, 2, c, NULL), KKC_OK);
    ck_assert(c[0] == 0 && c[3] == 0);
    ck_assert(c[1] == GRAPH_COST_INF && c[2] == GRAPH_COST_INF);
    world_put(&hand, w);

    long status; /* and the island itself is no place to snap to */
    json_t *v = call("GET", &status, "/table/v1/driving/15.0005,50.0001;15.101,50.050");
    ck_assert_int_eq(status, 400);
    ck_assert_str_eq(str(v, "code"), "NoSegment");
    json_decref(v);
}
END_TEST

/* ---- the roundabout and motorway map ----------------------------------------------------- */

/* Around 16.00 E, 50.00 N; positions in metres east/north of it (converted with the WGS84 radii
 * of curvature at 50 N), every street two-way unless marked:
 *
 *                     A 1 (motorway, one way east): (-1000,600) - J1 (300,600) - J2 (800,600) - ..
 *     F2 (0,550)                               on ramp  /                     \  off ramp
 *     F1 (0,450) ----------------------------(motorway_link)        (motorway_link, one way)
 *      | Feeder (primary)                                                      G (1000,400)
 *     (0,200)                                                                  | Exit Road
 *      | North Road                                                            | (secondary)
 *   West Road --(Little Ring)-- East Road ---------- (200,0) ---------------- (1000,0)
 *      | South Road    \ Depot Lane (service)
 *     (0,-200)
 *      | Circle Road
 *   (Big Circle)-- East Arm (to (300,-600))
 *      | South Arm
 *
 * Little Ring: radius 12 m, one way anticlockwise through E, N, W, S (arms there) and the
 * service road at 315 degrees. Big Circle: radius 40 m, named, arms at N, S and E: a rotary
 * (OSRM: named, radius over 15 m, its name on no arm). Exits are counted by hand from the
 * picture: entering from the south, East Road is the 1st exit of Little Ring (the service road
 * passed before it is not counted, as OSRM counts), North Road the 2nd, West Road the 3rd. The
 * motorway route beats the streets by about 25 s: every maneuver of it is a ramp's. The map
 * comes in two parts: C17 promises string literals of 4095 bytes only. */
static const char *const ramp_map[] = {
    "<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\" generator=\"hand\">\n"
    "<node id=\"101\" lat=\"50.0000000\" lon=\"16.0001674\"/>"
    "<node id=\"102\" lat=\"50.0000763\" lon=\"16.0001184\"/>"
    "<node id=\"103\" lat=\"50.0001079\" lon=\"16.0000000\"/>"
    "<node id=\"104\" lat=\"50.0000763\" lon=\"15.9998816\"/>"
    "<node id=\"105\" lat=\"50.0000000\" lon=\"15.9998326\"/>"
    "<node id=\"106\" lat=\"49.9999237\" lon=\"15.9998816\"/>"
    "<node id=\"107\" lat=\"49.9998921\" lon=\"16.0000000\"/>"
    "<node id=\"108\" lat=\"49.9999237\" lon=\"16.0001184\"/>"
    "<node id=\"111\" lat=\"50.0000000\" lon=\"16.0027896\"/>"
    "<node id=\"112\" lat=\"50.0017981\" lon=\"16.0000000\"/>"
    "<node id=\"113\" lat=\"50.0000000\" lon=\"15.9972104\"/>"
    "<node id=\"114\" lat=\"49.9982019\" lon=\"16.0000000\"/>"
    "<node id=\"115\" lat=\"49.9991010\" lon=\"16.0013948\"/>"
    "<node id=\"201\" lat=\"49.9946057\" lon=\"16.0005579\"/>"
    "<node id=\"202\" lat=\"49.9947433\" lon=\"16.0005154\"/>"
    "<node id=\"203\" lat=\"49.9948600\" lon=\"16.0003945\"/>"
    "<node id=\"204\" lat=\"49.9949380\" lon=\"16.0002135\"/>"
    "<node id=\"205\" lat=\"49.9949653\" lon=\"16.0000000\"/>"
    "<node id=\"206\" lat=\"49.9949380\" lon=\"15.9997865\"/>"
    "<node id=\"207\" lat=\"49.9948600\" lon=\"15.9996055\"/>"
    "<node id=\"208\" lat=\"49.9947433\" lon=\"15.9994846\"/>"
    "<node id=\"209\" lat=\"49.9946057\" lon=\"15.9994421\"/>"
    "<node id=\"210\" lat=\"49.9944681\" lon=\"15.9994846\"/>"
    "<node id=\"211\" lat=\"49.9943514\" lon=\"15.9996055\"/>"
    "<node id=\"212\" lat=\"49.9942735\" lon=\"15.9997865\"/>"
    "<node id=\"213\" lat=\"49.9942461\" lon=\"16.0000000\"/>"
    "<node id=\"214\" lat=\"49.9942735\" lon=\"16.0002135\"/>"
    "<node id=\"215\" lat=\"49.9943514\" lon=\"16.0003945\"/>"
    "<node id=\"216\" lat=\"49.9944681\" lon=\"16.0005154\"/>"
    "<node id=\"221\" lat=\"49.9946057\" lon=\"16.0041843\"/>"
    "<node id=\"222\" lat=\"49.9919086\" lon=\"16.0000000\"/>"
    "<node id=\"301\" lat=\"50.0040457\" lon=\"16.0000000\"/>"
    "<node id=\"302\" lat=\"50.0049448\" lon=\"16.0000000\"/>"
    "<node id=\"311\" lat=\"50.0053943\" lon=\"15.9860522\"/>"
    "<node id=\"312\" lat=\"50.0053943\" lon=\"16.0041843\"/>"
    "<node id=\"313\" lat=\"50.0053943\" lon=\"16.0111583\"/>"
    "<node id=\"314\" lat=\"50.0053943\" lon=\"16.0209217\"/>"
    "<node id=\"321\" lat=\"50.0046750\" lon=\"16.0006974\"/>"
    "<node id=\"322\" lat=\"50.0053044\" lon=\"16.0020922\"/>"
    "<node id=\"323\" lat=\"50.0052145\" lon=\"16.0125530\"/>"
    "<node id=\"324\" lat=\"50.0044952\" lon=\"16.0136689\"/>"
    "<node id=\"331\" lat=\"50.0035962\" lon=\"16.0139478\"/>"
    "<node id=\"332\" lat=\"50.0000000\" lon=\"16.0139478\"/>"
    "\n",
    "<way id=\"401\"><nd ref=\"101\"/><nd ref=\"102\"/><nd ref=\"103\"/><nd ref=\"104\"/>"
    "<nd ref=\"105\"/><nd ref=\"106\"/><nd ref=\"107\"/><nd ref=\"108\"/><nd ref=\"101\"/>"
    "<tag k=\"highway\" v=\"tertiary\"/><tag k=\"junction\" v=\"roundabout\"/>"
    "<tag k=\"name\" v=\"Little Ring\"/></way>\n"
    "<way id=\"402\"><nd ref=\"101\"/><nd ref=\"111\"/><tag k=\"highway\" v=\"tertiary\"/>"
    "<tag k=\"name\" v=\"East Road\"/></way>\n"
    "<way id=\"403\"><nd ref=\"103\"/><nd ref=\"112\"/><tag k=\"highway\" v=\"tertiary\"/>"
    "<tag k=\"name\" v=\"North Road\"/></way>\n"
    "<way id=\"404\"><nd ref=\"105\"/><nd ref=\"113\"/><tag k=\"highway\" v=\"tertiary\"/>"
    "<tag k=\"name\" v=\"West Road\"/></way>\n"
    "<way id=\"405\"><nd ref=\"107\"/><nd ref=\"114\"/><tag k=\"highway\" v=\"tertiary\"/>"
    "<tag k=\"name\" v=\"South Road\"/></way>\n"
    "<way id=\"406\"><nd ref=\"108\"/><nd ref=\"115\"/><tag k=\"highway\" v=\"service\"/>"
    "<tag k=\"name\" v=\"Depot Lane\"/></way>\n"
    "<way id=\"407\"><nd ref=\"201\"/><nd ref=\"202\"/><nd ref=\"203\"/><nd ref=\"204\"/>"
    "<nd ref=\"205\"/><nd ref=\"206\"/><nd ref=\"207\"/><nd ref=\"208\"/><nd ref=\"209\"/>"
    "<nd ref=\"210\"/><nd ref=\"211\"/><nd ref=\"212\"/><nd ref=\"213\"/><nd ref=\"214\"/>"
    "<nd ref=\"215\"/><nd ref=\"216\"/><nd ref=\"201\"/>"
    "<tag k=\"highway\" v=\"secondary\"/><tag k=\"junction\" v=\"roundabout\"/>"
    "<tag k=\"name\" v=\"Big Circle\"/></way>\n"
    "<way id=\"408\"><nd ref=\"114\"/><nd ref=\"205\"/><tag k=\"highway\" v=\"tertiary\"/>"
    "<tag k=\"name\" v=\"Circle Road\"/></way>\n"
    "<way id=\"409\"><nd ref=\"201\"/><nd ref=\"221\"/><tag k=\"highway\" v=\"tertiary\"/>"
    "<tag k=\"name\" v=\"East Arm\"/></way>\n"
    "<way id=\"410\"><nd ref=\"213\"/><nd ref=\"222\"/><tag k=\"highway\" v=\"tertiary\"/>"
    "<tag k=\"name\" v=\"South Arm\"/></way>\n"
    "<way id=\"411\"><nd ref=\"112\"/><nd ref=\"301\"/><nd ref=\"302\"/>"
    "<tag k=\"highway\" v=\"primary\"/><tag k=\"name\" v=\"Feeder\"/></way>\n"
    "<way id=\"412\"><nd ref=\"311\"/><nd ref=\"312\"/><nd ref=\"313\"/><nd ref=\"314\"/>"
    "<tag k=\"highway\" v=\"motorway\"/><tag k=\"ref\" v=\"A 1\"/></way>\n"
    "<way id=\"413\"><nd ref=\"301\"/><nd ref=\"321\"/><nd ref=\"322\"/><nd ref=\"312\"/>"
    "<tag k=\"highway\" v=\"motorway_link\"/></way>\n"
    "<way id=\"414\"><nd ref=\"313\"/><nd ref=\"323\"/><nd ref=\"324\"/><nd ref=\"331\"/>"
    "<tag k=\"highway\" v=\"motorway_link\"/></way>\n"
    "<way id=\"415\"><nd ref=\"331\"/><nd ref=\"332\"/><nd ref=\"111\"/>"
    "<tag k=\"highway\" v=\"secondary\"/><tag k=\"name\" v=\"Exit Road\"/></way>\n"
    "</osm>\n",
    NULL};

static struct world_holder ramps;

static void ramps_serve(void)
{
    map_load(ramp_map, &ramps);
    serve(&ramps);
}

static void ramps_unserve(void)
{
    unserve();
    world_holder_done(&ramps);
}

#define SOUTH "16.0000000,49.9986514"   /* South Road, 150 m south of Little Ring */
#define RING_NW "15.9998816,50.0000763" /* on Little Ring, north-west (between N and W) */
#define CIRCLE "16.0000000,49.9964038"  /* Circle Road, (0,-400) */

static const struct {
    const char *from, *to;
    const char *maneuvers; /* maneuver_words() */
    const char *names;     /* the steps' names, comma separated */
    const char *rotary;    /* rotary_name of the second step; NULL: none */
} ramp_routes[] = {
    /* into Little Ring from the south; the entry turns right onto the ring */
    {SOUTH, "16.0020922,50.0000000", "depart roundabout/right#1 arrive/straight",
     "South Road,East Road,East Road", NULL},
    {SOUTH, "16.0000000,50.0013486", "depart roundabout/right#2 arrive/straight",
     "South Road,North Road,North Road", NULL},
    {SOUTH, "15.9979078,50.0000000", "depart roundabout/right#3 arrive/straight",
     "South Road,West Road,West Road", NULL},
    /* the service road is no exit to count, but it is the 1st exit when it is taken */
    {SOUTH, "16.0008369,49.9994606", "depart roundabout/right#1 arrive/straight",
     "South Road,Depot Lane,Depot Lane", NULL},
    /* ending on the ring: no exit (OSRM's "roundabout-exit-undefined"), the ring's name */
    {SOUTH, RING_NW, "depart roundabout/right arrive/straight",
     "South Road,Little Ring,Little Ring", NULL},
    /* departing on the ring: only the exit is announced, past West and South Road */
    {RING_NW, "16.0020922,50.0000000", "depart exit_roundabout/right#3 arrive/straight",
     "Little Ring,East Road,East Road", NULL},
    /* Big Circle is a rotary: from the north, South Arm is the 1st exit, East Arm the 2nd */
    {CIRCLE, "16.0027896,49.9946057", "depart rotary/right#2 arrive/straight",
     "Circle Road,East Arm,East Arm", "Big Circle"},
    {CIRCLE, "16.0000000,49.9928076", "depart rotary/right#1 arrive/straight",
     "Circle Road,South Arm,South Arm", "Big Circle"},
    /* Feeder -> on ramp (35 degrees right) -> merge (the ramp joins from the right) -> A 1 ->
     * off ramp (11 degrees right, the motorway goes straight on) -> Exit Road */
    {"16.0000000,50.0026971", "16.0139478,50.0026971",
     "depart on_ramp/slight_right merge/slight_left off_ramp/slight_right new_name/straight "
     "arrive/straight",
     "Feeder,,,,Exit Road,Exit Road", NULL},
};

START_TEST(test_ramp_maneuvers)
{
    json_t *v =
        get_ok("/route/v1/driving/%s;%s?steps=true", ramp_routes[_i].from, ramp_routes[_i].to);
    json_t *steps = route_steps(v), *second = json_array_get(steps, 1);
    char got[256], names[256] = "";

    maneuver_words(steps, got, sizeof got);
    ck_assert_msg(strcmp(got, ramp_routes[_i].maneuvers) == 0, "route %d: '%s', want '%s'", _i, got,
                  ramp_routes[_i].maneuvers);
    for (size_t i = 0; i < json_array_size(steps); i++)
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? "," : "",
                 str(json_array_get(steps, i), "name"));
    ck_assert_msg(strcmp(names, ramp_routes[_i].names) == 0, "route %d: names '%s', want '%s'", _i,
                  names, ramp_routes[_i].names);
    if (ramp_routes[_i].rotary)
        ck_assert_str_eq(str(second, "rotary_name"), ramp_routes[_i].rotary);
    else
        ck_assert_ptr_null(json_object_get(second, "rotary_name"));
    json_decref(v);
}
END_TEST

/* The motorway route in detail: the merge step carries the motorway's ref, the roundabout step
 * lists the junctions it passes (entry, the ring's nodes with other roads, the exit). */
START_TEST(test_ramp_details)
{
    json_t *v = get_ok("/route/v1/driving/16.0000000,50.0026971;16.0139478,50.0026971"
                       "?steps=true");
    json_t *steps = route_steps(v);
    ck_assert_str_eq(str(json_array_get(steps, 2), "ref"), "A 1");
    ck_assert_ptr_null(json_object_get(json_array_get(steps, 1), "ref"));
    json_decref(v);

    v = get_ok("/route/v1/driving/" SOUTH ";15.9979078,50.0000000?steps=true");
    steps = route_steps(v);
    json_t *xs = arr(json_array_get(steps, 1), "intersections");
    /* S (entry), the service road, E, N, W (exit), then nothing until the end of West Road */
    ck_assert_uint_eq(json_array_size(xs), 5);
    ck_assert_int_eq((int)num(json_object_get(json_array_get(steps, 1), "maneuver"), "exit"), 3);
    json_decref(v);
}
END_TEST

Suite *osrm_suite(void); /* for the runner */

Suite *osrm_suite(void)
{
    Suite *s = suite_create("osrm");
    TCase *tc = tcase_create("heidelberg");
    tcase_set_timeout(tc, 300);
    tcase_add_unchecked_fixture(tc, heidelberg_load, heidelberg_free);
    tcase_add_checked_fixture(tc, serve_heidelberg, unserve);
    tcase_add_test(tc, test_route_shape);
    tcase_add_test(tc, test_route_geometries);
    tcase_add_test(tc, test_route_client_params);
    tcase_add_test(tc, test_route_legs);
    tcase_add_test(tc, test_route_identical);
    tcase_add_test(tc, test_table_identical);
    tcase_add_test(tc, test_table_costs_route_cost);
    tcase_add_test(tc, test_nearest);
    tcase_add_loop_test(tc, test_errors, 0, (int)(sizeof errors / sizeof errors[0]));
    tcase_add_test(tc, test_limits);
    tcase_add_test(tc, test_polyline_coordinates);
    tcase_add_test(tc, test_garbage);
    suite_add_tcase(s, tc);

    tc = tcase_create("hand");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, hand_serve, hand_unserve);
    tcase_add_loop_test(tc, test_hand_maneuvers, 0,
                        (int)(sizeof hand_routes / sizeof hand_routes[0]));
    tcase_add_test(tc, test_hand_intersection);
    tcase_add_test(tc, test_hand_table_unreachable);
    suite_add_tcase(s, tc);

    tc = tcase_create("ramps");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, ramps_serve, ramps_unserve);
    tcase_add_loop_test(tc, test_ramp_maneuvers, 0,
                        (int)(sizeof ramp_routes / sizeof ramp_routes[0]));
    tcase_add_test(tc, test_ramp_details);
    suite_add_tcase(s, tc);
    return s;
}
