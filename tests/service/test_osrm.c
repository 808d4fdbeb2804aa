/* tests/service/test_osrm.c -- the OSRM compatible endpoints (service/api_osrm.c) over HTTP.
 *
 * A real daemon (http_start on port 0, in this process so the sanitizers see the handlers) is
 * called with libcurl. The Heidelberg world is loaded once by an unchecked fixture and each test
 * starts its own daemon on it. Oracles the endpoints did not produce: /v1/route (figures must be
 * identical, on random pairs), the table against /v1/route, our own
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
#include "fixture_osm.h"
#include "httputil.h"
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

/* ---- fixtures: the default world and a daemon per test are httputil's hu_fx_* ------------- */

/* ---- HTTP -------------------------------------------------------------------------------- */

/* METHOD path (printf-style) on the test daemon; the status into *status, the body parsed as
 * JSON (NULL when empty). The caller decrefs. */
static json_t *call(const char *method, long *status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static json_t *call(const char *method, long *status, const char *fmt, ...)
{
    char *path = NULL;
    va_list ap;
    json_t *v = NULL;
    struct hu_resp r;

    va_start(ap, fmt);
    ck_assert_int_ge(vasprintf(&path, fmt, ap), 0);
    va_end(ap);
    struct hu_req rq = {.method = method, .target = path, .dot_segments = 1};
    ck_assert_msg(hu_perform(NULL, hu_fx_port, &rq, &r) == 0, "GET %s failed", path);
    *status = r.status;
    if (r.len) {
        v = json_loads(r.body, 0, NULL);
        ck_assert_msg(v != NULL, "%s: not JSON: %.200s", path, r.body);
    }
    hu_resp_free(&r);
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
        "?snapping=any&overview=false",
        "?snapping=default",
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
    {"GET", "/route/v1/driving/" FROM ";" TO "?snapping=nearest", 0, 400, "InvalidQuery"},
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

static struct world_holder hand;

/* Import an OSM map (XML parts up to NULL) into a fresh database and load it as a world into
 * holder. */
static void map_load(const char *const *xml, struct world_holder *holder)
{
    char *db = fx_osm_db(xml);
    struct world *w = NULL;
    struct kkc_err err = {0};

    ck_assert_msg(world_load(db, &w, &err) == KKC_OK, "%s", err.msg);
    world_holder_init(holder, w);
    free(db);
}

static void hand_serve(void)
{
    map_load((const char *const[]){fx_hand_map, NULL}, &hand);
    hu_fx_serve_holder(&hand);
}

static void hand_unserve(void)
{
    hu_fx_unserve();
    world_holder_done(&hand);
}

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
        get_ok("/route/v1/driving/%s;%s?steps=true", fx_hand_routes[_i].from, fx_hand_routes[_i].to);
    json_t *steps = route_steps(v);
    char got[256];
    maneuver_words(steps, got, sizeof got);
    ck_assert_msg(strcmp(got, fx_hand_routes[_i].maneuvers) == 0, "route %d: '%s', want '%s'", _i, got,
                  fx_hand_routes[_i].maneuvers);
    json_t *m1 = json_object_get(json_array_get(steps, 1), "maneuver");
    if (json_array_size(steps) > 2) {
        ck_assert_int_eq((int)num(m1, "bearing_before"), fx_hand_routes[_i].bearing_before);
        ck_assert_int_eq((int)num(m1, "bearing_after"), fx_hand_routes[_i].bearing_after);
    }
    json_t *m0 = json_object_get(json_array_get(steps, 0), "maneuver");
    ck_assert_int_eq((int)num(m0, "bearing_after"), fx_hand_routes[_i].depart);
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

/* Table: a point whose only road within the radius is the island's snaps there (OSRM: NoSegment
 * only without any road within the radius), and the island is unreachable from the streets and
 * back (null; see tests/road/test_table.c), reachable from itself (0). With a radius that takes
 * in the main component's road (8 km away) the point snaps there instead, and both ways route. */
START_TEST(test_hand_table_island)
{
    long status;
    json_t *v = call("GET", &status, "/table/v1/driving/15.0005,50.0001;15.101,50.050");
    ck_assert_int_eq(status, 200);
    ck_assert_str_eq(str(v, "code"), "Ok");
    json_t *d = arr(v, "durations");
    ck_assert(json_is_null(json_array_get(json_array_get(d, 0), 1)));
    ck_assert(json_is_null(json_array_get(json_array_get(d, 1), 0)));
    ck_assert_double_eq(json_number_value(json_array_get(json_array_get(d, 1), 1)), 0);
    json_decref(v);
    v = call("GET", &status, "/table/v1/driving/15.0005,50.0001;15.101,50.050?radiuses=;10000");
    ck_assert_int_eq(status, 200);
    d = arr(v, "durations");
    ck_assert(json_is_number(json_array_get(json_array_get(d, 0), 1)));
    ck_assert(json_is_number(json_array_get(json_array_get(d, 1), 0)));
    json_decref(v);
    v = call("GET", &status, "/table/v1/driving/15.0005,50.0001;15.101,50.060?radiuses=;100");
    ck_assert_int_eq(status, 400); /* 1.1 km from the island, 100 m radius: no road at all */
    ck_assert_str_eq(str(v, "code"), "NoSegment");
    json_decref(v);
}
END_TEST

/* The island is a place to snap to, with or without snapping=any (its road is the only one
 * within the default 1 km): a route on it exists (71.4 m of residential street at 25 km/h: 0.001
 * deg of longitude at 50.05 N = 71.42 m, 10.28 s, by hand), and one to the streets does not
 * (NoRoute). */
START_TEST(test_hand_snapping_any)
{
    long status;
    const char *any[] = {"", "?snapping=any"};
    for (int k = 0; k < 2; k++) {
        json_t *v = get_ok("/route/v1/driving/15.1005,50.0501;15.1015,50.0501%s", any[k]);
        json_t *r = json_array_get(json_object_get(v, "routes"), 0);
        ck_assert_double_eq_tol(json_number_value(json_object_get(r, "distance")), 71.4, 0.2);
        ck_assert_double_eq_tol(json_number_value(json_object_get(r, "duration")), 10.28, 0.05);
        json_decref(v);
    }
    json_t *v =
        call("GET", &status, "/route/v1/driving/15.0005,50.0001;15.1015,50.0501?snapping=any");
    ck_assert_int_eq(status, 400);
    ck_assert_str_eq(str(v, "code"), "NoRoute");
    json_decref(v);
    /* three points: every leg between snapped points, the island's legs do not route */
    v = call("GET", &status, "/route/v1/driving/15.1005,50.0501;15.1015,50.0501;15.0005,50.0001");
    ck_assert_int_eq(status, 400);
    ck_assert_str_eq(str(v, "code"), "NoRoute");
    json_decref(v);
}
END_TEST

/* /v1/route snaps as OSRM's default does: a nearer road off the main component is taken when the
 * route from it exists (island to island: the 71.4 m, 10.28 s of test_hand_snapping_any), and
 * left for the main component's road when it does not (island to the streets: a route from the
 * main component's nearest point, 8 km away). (The OSRM endpoints snap to the island when no
 * main road is within the radius, test_hand_snapping_any; with one, two-point routes take the
 * same rule.) */
START_TEST(test_hand_default_snapping)
{
    long status;
    json_t *v = call("GET", &status, "/v1/route?from=15.1005,50.0501&to=15.1015,50.0501");
    ck_assert_int_eq(status, 200);
    json_t *p = json_object_get(v, "properties");
    ck_assert_double_eq_tol(json_number_value(json_object_get(p, "duration_s")), 10.3, 0.051);
    json_decref(v);
    v = call("GET", &status, "/v1/route?from=15.1005,50.0501&to=15.0005,50.0001&radius=10000");
    ck_assert_int_eq(status, 200);
    p = json_object_get(v, "properties");
    double snap_m =
        json_number_value(json_object_get(json_object_get(p, "from"), "snap_distance_m"));
    ck_assert_msg(snap_m > 5000, "from snapped %.0f m away: the main component", snap_m);
    json_decref(v);
}
END_TEST

/* ---- the roundabout and motorway map ----------------------------------------------------- */

static struct world_holder ramps;

static void ramps_serve(void)
{
    map_load(fx_ramp_map, &ramps);
    hu_fx_serve_holder(&ramps);
}

static void ramps_unserve(void)
{
    hu_fx_unserve();
    world_holder_done(&ramps);
}

START_TEST(test_ramp_maneuvers)
{
    json_t *v =
        get_ok("/route/v1/driving/%s;%s?steps=true", fx_ramp_routes[_i].from, fx_ramp_routes[_i].to);
    json_t *steps = route_steps(v), *second = json_array_get(steps, 1);
    char got[256], names[256] = "";

    maneuver_words(steps, got, sizeof got);
    ck_assert_msg(strcmp(got, fx_ramp_routes[_i].maneuvers) == 0, "route %d: '%s', want '%s'", _i, got,
                  fx_ramp_routes[_i].maneuvers);
    for (size_t i = 0; i < json_array_size(steps); i++)
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? "," : "",
                 str(json_array_get(steps, i), "name"));
    ck_assert_msg(strcmp(names, fx_ramp_routes[_i].names) == 0, "route %d: names '%s', want '%s'", _i,
                  names, fx_ramp_routes[_i].names);
    if (fx_ramp_routes[_i].rotary)
        ck_assert_str_eq(str(second, "rotary_name"), fx_ramp_routes[_i].rotary);
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
    TCase *tc = hu_fx_tcase(s, "heidelberg", 300);
    tcase_add_test(tc, test_route_shape);
    tcase_add_test(tc, test_route_geometries);
    tcase_add_test(tc, test_route_client_params);
    tcase_add_test(tc, test_route_legs);
    tcase_add_test(tc, test_route_identical);
    tcase_add_test(tc, test_table_identical);
    tcase_add_test(tc, test_nearest);
    tcase_add_loop_test(tc, test_errors, 0, (int)(sizeof errors / sizeof errors[0]));
    tcase_add_test(tc, test_limits);
    tcase_add_test(tc, test_polyline_coordinates);
    tcase_add_test(tc, test_garbage);

    tc = tu_tcase(s, "hand", 60);
    tcase_add_checked_fixture(tc, hand_serve, hand_unserve);
    tcase_add_loop_test(tc, test_hand_maneuvers, 0,
                        FX_HAND_ROUTES);
    tcase_add_test(tc, test_hand_intersection);
    tcase_add_test(tc, test_hand_table_island);
    tcase_add_test(tc, test_hand_snapping_any);
    tcase_add_test(tc, test_hand_default_snapping);

    tc = tu_tcase(s, "ramps", 60);
    tcase_add_checked_fixture(tc, ramps_serve, ramps_unserve);
    tcase_add_loop_test(tc, test_ramp_maneuvers, 0,
                        FX_RAMP_ROUTES);
    tcase_add_test(tc, test_ramp_details);
    return s;
}
