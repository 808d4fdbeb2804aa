/* tests/coverage/test_coverage.c -- coverage and catchments (coverage.h) and the endpoints of
 * coverage, isochrones and catchments (api_coverage.c); the isochrones themselves are
 * tests/coverage/test_isochrone.c, the distance grid and its polygons test_contour.c.
 *
 * Oracles that the code under test did not produce:
 *   - SpatiaLite's ST_Distance(a, b, 1) (geodesic on the WGS84 ellipsoid) for straight-line
 *     coverage of the KHK municipalities;
 *   - GEOS itself (IsValid, Covers, Intersection) for polygon properties.
 * Everything runs on the default database (KHK reference data + Heidelberg roads), loaded once
 * per test case by an unchecked fixture (tests/fixture_world.h). */
#include "httputil.h"
#include "api.h"
#include "routes.h"
#include "tctx.h"
#include "centres/centres.h"
#include "coverage/coverage.h"
#include "base/crs.h"
#include "road/graph.h"
#include "coverage/shape.h"
#include "base/store.h"
#include "testutil.h"
#include "fixture_world.h"
#include "world.h"

#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- coverage ---------------------------------------------------------------------------- */

/* Run q; the result is the caller's. */
static void run(const struct coverage_request *q, struct coverage_result *res)
{
    struct kkc_err err = {0};
    ck_assert_msg(coverage_run(wfx.h, wfx.crs, wfx.b, wfx.w->centres, wfx.w->graph, q, res, &err) ==
                      KKC_OK,
                  "%s", err.msg);
}

/* The share of the result that the monotonicity tests follow: population where there is
 * census data, else road length. */
static double share_of(const struct coverage_result *r)
{
    if (r->has_population)
        return (double)r->pop_covered / (double)r->pop_total;
    return r->road_covered_km / r->road_total_km;
}

/* covered + uncovered = total, and shares never fall as the threshold grows. */
START_TEST(totals_and_monotone)
{
    int road = _i == 1;
    double prev = -1, prev_area = -1;
    for (int k = 1; k <= 12; k++) {
        struct coverage_request q = {.kind_mask = road ? KIND_MASK_ALL : 1u << KIND_POLICE,
                                     .region = -1};
        struct coverage_result r;
        long pop_unc = 0, unc = 0;
        if (road)
            q.minutes = 1.5 * k;
        else
            q.km = 2.0 * k;
        run(&q, &r);
        for (size_t m = 0; m < r.nmuni; m++)
            if (r.muni[m].status != COVERAGE_COVERED) {
                long p = wfx.b->muni[r.muni[m].muni].population;
                pop_unc += p > 0 ? p : 0, unc++;
            }
        ck_assert_int_eq(r.pop_covered + pop_unc, r.pop_total);
        ck_assert_int_eq(unc, r.muni_uncovered);
        ck_assert_uint_eq(r.nworst, (size_t)r.muni_uncovered);
        ck_assert(share_of(&r) >= prev);
        ck_assert(r.area_covered_km2 >= prev_area - 1e-6);
        ck_assert(r.area_covered_km2 <= r.area_total_km2 * (1 + 1e-9));
        prev = share_of(&r), prev_area = r.area_covered_km2;
        coverage_result_free(wfx.h, &r);
    }
}
END_TEST

/* What-if: adding a centre never lowers coverage, closing one never raises it (by distance in
 * KHK, by road in Heidelberg). */
START_TEST(what_if_monotone)
{
    unsigned long long seed = 99 + (unsigned long long)_i;
    int road = _i % 2;
    for (int k = 0; k < 6; k++) {
        struct coverage_request base = {.kind_mask = road ? KIND_MASK_ALL : 1u << KIND_POLICE,
                                        .region = -1};
        struct coverage_result r0, r1, r2;
        double add[2];
        long close;
        if (road) {
            base.minutes = 3 + 4 * tu_rand(&seed);
            add[0] = 8.6 + 0.2 * tu_rand(&seed), add[1] = 49.38 + 0.05 * tu_rand(&seed);
            close = centres_find(wfx.w->centres, k % 2 ? FIRE_ID : "osm-w318410494");
        } else {
            base.km = 4 + 8 * tu_rand(&seed);
            add[0] = 15.4 + 1.2 * tu_rand(&seed), add[1] = 50.1 + 0.6 * tu_rand(&seed);
            close = (long)(tu_rand(&seed) * 36); /* ordered by id: the KHK ones come first */
        }
        struct coverage_request qa = base, qc = base;
        qa.added = add, qa.nadded = 1;
        qc.closed = &close, qc.nclosed = 1;
        run(&base, &r0);
        struct kkc_err err = {0};
        if (coverage_run(wfx.h, wfx.crs, wfx.b, wfx.w->centres, wfx.w->graph, &qa, &r1, &err)) {
            ck_assert_int_eq(err.code, KKC_ENOSEGMENT); /* the random point is off the roads */
            coverage_result_free(wfx.h, &r1);
            coverage_result_free(wfx.h, &r0);
            continue;
        }
        run(&qc, &r2);
        ck_assert(share_of(&r1) >= share_of(&r0));
        ck_assert(r1.area_covered_km2 >= r0.area_covered_km2 - 1e-6);
        ck_assert(share_of(&r2) <= share_of(&r0));
        ck_assert(r2.area_covered_km2 <= r0.area_covered_km2 + 1e-6);
        for (size_t m = 0; m < r0.nmuni; m++) { /* per municipality too */
            ck_assert(r1.muni[m].value <= r0.muni[m].value);
            ck_assert(r2.muni[m].value >= r0.muni[m].value);
        }
        coverage_result_free(wfx.h, &r0);
        coverage_result_free(wfx.h, &r1);
        coverage_result_free(wfx.h, &r2);
    }
}
END_TEST

/* Gaps and service areas are valid and overlap by less than 0.1 % of the area; together they
 * make up the region. */
START_TEST(gaps_and_service)
{
    struct coverage_request q = {.kind_mask = 1u << KIND_POLICE, .region = -1, .want_geometry = 1};
    struct coverage_result r;
    if (_i == 0)
        q.km = 8;
    else if (_i == 1)
        q.km = 12, q.region = coverage_region_find(wfx.b, "border:CZ052");
    else
        q.minutes = 10, q.kind_mask = KIND_MASK_ALL;
    run(&q, &r);
    ck_assert(shape_valid(wfx.h, r.service));
    ck_assert(shape_valid(wfx.h, r.gap));
    GEOSGeometry *both = GEOSIntersection_r(wfx.h, r.service, r.gap);
    double a_s = shape_area_km2(wfx.h, r.service), a_g = shape_area_km2(wfx.h, r.gap);
    double a_both = shape_area_km2(wfx.h, both);
    ck_assert_msg(a_both < 0.001 * a_s, "overlap %.4f km2 of %.1f", a_both, a_s);
    ck_assert_msg(fabs(a_s + a_g - r.area_total_km2) < 0.001 * r.area_total_km2,
                  "service %.2f + gap %.2f != region %.2f", a_s, a_g, r.area_total_km2);
    ck_assert(fabs(a_s - r.area_covered_km2) < 1e-6 * r.area_total_km2);
    GEOSGeom_destroy_r(wfx.h, both);
    coverage_result_free(wfx.h, &r);
}
END_TEST

/* Straight-line coverage of the KHK municipalities equals SpatiaLite's geodesic brute force:
 * the same municipalities covered, the same distances (to a millimetre). */
START_TEST(straight_line_oracle)
{
    static const double kms[] = {3, 6.5, 10, 15};
    sqlite3_stmt *s = NULL;
    struct kkc_err err = {0};
    struct coverage_request q = {.kind_mask = 1u << KIND_POLICE, .region = -1, .km = kms[_i]};
    struct coverage_result r;
    size_t n = 0, ambiguous = 0;
    run(&q, &r);
    ck_assert_int_eq(
        store_prepare(wfx.st,
                      "SELECT m.code, min(ST_Distance(m.geom, c.geom, 1)) FROM municipalities m, "
                      "centres c WHERE m.kraj_code = 'CZ052' AND c.kind = 'police' AND "
                      "c.status = 'active' GROUP BY m.code ORDER BY m.code",
                      &s, &err),
        KKC_OK);
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *code = (const char *)sqlite3_column_text(s, 0);
        double d = sqlite3_column_double(s, 1);
        size_t k = 0;
        while (k < r.nmuni && strcmp(wfx.b->muni[r.muni[k].muni].code, code) != 0)
            k++;
        ck_assert_msg(k < r.nmuni, "municipality %s missing", code);
        ck_assert_msg(fabs(r.muni[k].value - d) < 1e-3, "%s: %.4f m, SpatiaLite %.4f m", code,
                      r.muni[k].value, d);
        if (fabs(d - q.km * 1000) < 1e-3) {
            ambiguous++;
            continue;
        }
        ck_assert_int_eq(r.muni[k].status == COVERAGE_COVERED, d <= q.km * 1000);
        n++;
    }
    sqlite3_finalize(s);
    ck_assert_uint_eq(n + ambiguous, r.nmuni);
    ck_assert_uint_eq(r.nmuni, 448);
    coverage_result_free(wfx.h, &r);
}
END_TEST

/* Catchments split the region: by distance their areas add up to the region's and their
 * populations to the total; by road they are valid and do not overlap much. */
START_TEST(catchments_split)
{
    struct coverage_request q = {.kind_mask = _i ? KIND_MASK_ALL : 1u << KIND_POLICE,
                                 .region = _i ? wfx.b->network : -1};
    struct coverage_result r;
    struct coverage_catchment *c = NULL;
    struct kkc_err err = {0};
    int by_road;
    double area = 0, overlap = 0;
    long pop = 0;
    ck_assert_int_eq(coverage_catchments(wfx.h, wfx.crs, wfx.b, wfx.w->centres, wfx.w->graph, &q,
                                         &r, &c, &by_road, &err),
                     KKC_OK);
    ck_assert_int_eq(by_road, _i);
    for (size_t i = 0; i < r.nsites; i++) {
        ck_assert(shape_valid(wfx.h, c[i].area));
        area += c[i].area_km2, pop += c[i].population;
        for (size_t j = 0; j < i; j++) {
            GEOSGeometry *x = GEOSIntersection_r(wfx.h, c[i].area, c[j].area);
            overlap += shape_area_km2(wfx.h, x);
            GEOSGeom_destroy_r(wfx.h, x);
        }
    }
    ck_assert_msg(overlap < 0.01 * area, "catchments overlap by %.3f of %.1f km2", overlap, area);
    if (!by_road) {
        ck_assert(fabs(area - r.area_total_km2) < 1e-3 * r.area_total_km2);
        ck_assert_int_eq(pop, r.pop_total);
    }
    coverage_catchments_free(wfx.h, c, r.nsites);
    coverage_result_free(wfx.h, &r);
}
END_TEST

/* ---- the endpoints ----------------------------------------------------------------------- */

/* GET path?query in process; the caller frees res->body. */
static void call(const char *path, const char *query, struct api_res *res)
{
    hu_dispatch_get(wfx.w, path, query, res);
}

static const struct {
    const char *path, *query;
    int status;
} api_cases[] = {
    {"/v1/coverage", "km=10&kind=police", 200},
    {"/v1/coverage", "minutes=15", 200},
    {"/v1/coverage", "km=5&format=geojson&close=PCR1&add=16.1,50.4;15.9,50.3", 200},
    {"/v1/coverage", "minutes=15&region=CZ052", 422},
    {"/v1/coverage", "minutes=0", 400},
    {"/v1/coverage", "minutes=120.5", 400},
    {"/v1/coverage", "minutes=nan", 400},
    {"/v1/coverage", "minutes=5,10", 400},
    {"/v1/coverage", "km=-1", 400},
    {"/v1/coverage", "km=201", 400},
    {"/v1/coverage", "km=5&minutes=5", 400},
    {"/v1/coverage", "kind=police", 400},
    {"/v1/coverage", "km=5&kind=bakery", 400},
    {"/v1/coverage", "km=5&region=XX99", 400},
    {"/v1/coverage", "km=5&format=xml", 400},
    {"/v1/coverage", "km=5&close=NOPE", 400},
    {"/v1/coverage", "km=5&close=", 400},
    {"/v1/coverage", "km=5&add=16.1", 400},
    {"/v1/coverage", "km=5&add=16.1,95", 400},
    {"/v1/coverage",
     "km=5&add=1,1;1,1;1,1;1,1;1,1;1,1;1,1;1,1;1,1;1,1;1,1;1,1;1,1;1,1;1,1;1,1;"
     "1,1;1,1;1,1;1,1;1,1",
     400},
    {"/v1/coverage", "km=5&bogus=1", 400},
    {"/v1/isochrone", "centre=" FIRE_ID "&minutes=5,10,15", 200},
    {"/v1/isochrone", "centre=8.69,49.41&minutes=10&direction=in", 200},
    {"/v1/isochrone", "kind=fire&minutes=10&close=" FIRE_ID "&add=8.70,49.40", 200},
    {"/v1/isochrone", "centre=" FIRE_ID, 400},
    {"/v1/isochrone", "centre=" FIRE_ID "&minutes=1,2,3,4,5,6,7", 400},
    {"/v1/isochrone", "centre=" FIRE_ID "&minutes=0", 400},
    {"/v1/isochrone", "centre=" FIRE_ID "&minutes=121", 400},
    {"/v1/isochrone", "centre=" FIRE_ID "&minutes=5,5", 400},
    {"/v1/isochrone", "centre=" FIRE_ID "&minutes=5&direction=up", 400},
    {"/v1/isochrone", "centre=NOPE&minutes=5", 400},
    {"/v1/isochrone", "centre=" FIRE_ID "&minutes=5&kind=fire", 400},
    {"/v1/isochrone", "centre=PCR1&minutes=5", 422},
    {"/v1/isochrone", "kind=fire&minutes=5&add=8.7,48.0", 422},
    {"/v1/catchments", "kind=police", 200},
    {"/v1/catchments", "kind=fire&minutes=20&region=network", 200},
    {"/v1/catchments", "kind=ambulance&km=15&add=16.0,50.5", 200},
    {"/v1/catchments", "kind=police&minutes=10&region=CZ052", 422},
    {"/v1/catchments", "kind=police&km=0", 400},
};

/* Every answer is the stated status with a JSON body; errors carry code and message; polygons
 * of successful answers pass GEOS IsValid after the JSON round trip. */
START_TEST(api_answers)
{
    struct api_res res;
    json_error_t je;
    call(api_cases[_i].path, api_cases[_i].query, &res);
    json_t *v = json_loads(res.body ? res.body : "", 0, &je);
    ck_assert_msg(res.status == api_cases[_i].status, "%s?%s: %d %s", api_cases[_i].path,
                  api_cases[_i].query, res.status, res.body);
    ck_assert_msg(v != NULL, "not JSON: %s", je.text);
    if (res.status != 200) {
        ck_assert(json_is_string(json_object_get(v, "code")));
        ck_assert(json_is_string(json_object_get(v, "message")));
    }
    json_t *f;
    size_t k;
    json_array_foreach(json_object_get(v, "features"), k, f)
    {
        char *geo = json_dumps(json_object_get(f, "geometry"), 0);
        GEOSGeoJSONReader *rd = GEOSGeoJSONReader_create_r(wfx.h);
        GEOSGeometry *g = GEOSGeoJSONReader_readGeometry_r(wfx.h, rd, geo);
        ck_assert_msg(g && shape_valid(wfx.h, g), "feature %zu of %s?%s is not valid", k,
                      api_cases[_i].path, api_cases[_i].query);
        GEOSGeom_destroy_r(wfx.h, g);
        GEOSGeoJSONReader_destroy_r(wfx.h, rd);
        free(geo);
    }
    json_decref(v);
    free(res.body);
}
END_TEST

/* The report's figures agree with themselves: population and municipality counts, shares,
 * uncovered worst first (population x shortfall), the breakdown adding up. */
START_TEST(api_report_consistent)
{
    struct api_res res;
    call("/v1/coverage", "km=7&kind=police", &res);
    ck_assert_int_eq(res.status, 200);
    json_t *v = json_loads(res.body, 0, NULL), *u = json_object_get(v, "uncovered"), *it;
    json_t *pop = json_object_get(v, "population");
    size_t i;
    double prev = INFINITY, unc_pop = 0, child_pop = 0;
    ck_assert_str_eq(json_string_value(json_object_get(v, "population_source")), "csu_sldb_2011");
    ck_assert_int_eq(
        (long)json_array_size(u),
        json_integer_value(json_object_get(json_object_get(v, "municipalities"), "uncovered")));
    json_array_foreach(u, i, it)
    {
        double p = json_is_integer(json_object_get(it, "population"))
                       ? (double)json_integer_value(json_object_get(it, "population"))
                       : 0;
        double bad = p * json_number_value(json_object_get(it, "shortfall_m"));
        ck_assert(json_number_value(json_object_get(it, "shortfall_m")) > 0);
        ck_assert(bad <= prev + 1e-6);
        prev = bad, unc_pop += p;
    }
    ck_assert_int_eq(json_integer_value(json_object_get(pop, "covered")) + (json_int_t)unc_pop,
                     json_integer_value(json_object_get(pop, "total")));
    json_array_foreach(json_object_get(v, "regions"), i, it) child_pop +=
        (double)json_integer_value(json_object_get(it, "population"));
    ck_assert_int_eq((json_int_t)child_pop, json_integer_value(json_object_get(pop, "total")));
    json_decref(v);
    free(res.body);
    call("/v1/coverage", "minutes=10", &res); /* no census data in the Heidelberg road area */
    v = json_loads(res.body, 0, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(v, "population_source")), "none");
    ck_assert(json_is_null(json_object_get(json_object_get(v, "population"), "total")));
    ck_assert(json_number_value(json_object_get(json_object_get(v, "road_km"), "share")) > 0);
    json_decref(v);
    free(res.body);
}
END_TEST

Suite *coverage_suite(void); /* for the runner */

Suite *coverage_suite(void)
{
    Suite *s = suite_create("coverage");
    TCase *tc = tu_tcase(s, "coverage", 600);
    tcase_add_unchecked_fixture(tc, wfx_load, wfx_free);
    tcase_add_loop_test(tc, totals_and_monotone, 0, 2);
    tcase_add_loop_test(tc, what_if_monotone, 0, 4);
    tcase_add_loop_test(tc, gaps_and_service, 0, 3);
    tcase_add_loop_test(tc, straight_line_oracle, 0, 4);
    tcase_add_loop_test(tc, catchments_split, 0, 2);

    tc = tu_tcase(s, "api", 600);
    tcase_add_unchecked_fixture(tc, wfx_load, wfx_free);
    tcase_add_loop_test(tc, api_answers, 0, sizeof api_cases / sizeof api_cases[0]);
    tcase_add_test(tc, api_report_consistent);
    return s;
}
