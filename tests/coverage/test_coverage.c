/* tests/coverage/test_coverage.c -- isochrones (reach.h, contour.h, isochrone.h), coverage and catchments
 * (coverage.h) and their endpoints (api_coverage.c).
 *
 * Oracles that the code under test did not produce:
 *   - distances to segments computed one by one here, for the distance grid;
 *   - route_cost() (route.h, A* with landmarks) for the time of every sampled road point, and a
 *     plain graph_search_all() for which edges can carry reached road at all (an edge with no
 *     end reached within T, and no source on it, carries none), for isochrone membership;
 *   - SpatiaLite's ST_Distance(a, b, 1) (geodesic on the WGS84 ellipsoid) for straight-line
 *     coverage of the KHK municipalities;
 *   - GEOS itself (IsValid, Covers, Intersection) for polygon properties.
 * Everything runs on the default database (KHK reference data + Heidelberg roads), loaded once
 * per test case by an unchecked fixture. */
#include "httputil.h"
#include "api.h"
#include "routes.h"
#include "tctx.h"
#include "centres/centres.h"
#include "coverage/contour.h"
#include "coverage/coverage.h"
#include "base/crs.h"
#include "road/graph.h"
#include "coverage/isochrone.h"
#include "coverage/reach.h"
#include "road/route.h"
#include "coverage/shape.h"
#include "road/snap.h"
#include "base/store.h"
#include "testutil.h"
#include "world.h"

#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The Heidelberg fire station (osm-w115669341) as the isochrone centre. */
#define FIRE_ID "osm-w115669341"

static struct {
    struct world *w;
    struct store *st;
    struct coverage_base *b;
    GEOSContextHandle_t h;
    struct crs_ctx *crs;
    struct route_ctx *route;
} fx;

static void fx_load(void)
{
    struct kkc_err err = {0};
    if (world_load(tu_db(), &fx.w, &err) || store_open(tu_db(), STORE_READONLY, &fx.st, &err) ||
        coverage_base_build(fx.st, fx.w->graph, &fx.b, &err) ||
        route_ctx_create(fx.w->graph, &fx.route, &err)) {
        fprintf(stderr, "test_coverage: cannot load %s: %s (make data/kkc.sqlite)\n", tu_db(),
                err.msg);
        exit(1);
    }
    fx.h = GEOS_init_r();
    fx.crs = crs_ctx_create();
}

static void fx_free(void)
{
    coverage_base_destroy(fx.b);
    route_ctx_destroy(fx.route);
    store_close(fx.st);
    crs_ctx_destroy(fx.crs);
    GEOS_finish_r(fx.h);
    struct world_holder hd;
    world_holder_init(&hd, fx.w);
    world_holder_done(&hd);
}

/* The snapped position of a centre by id. */
static struct snap centre_snap(const char *id)
{
    struct kkc_err err = {0};
    struct snap s;
    long i = centres_find(fx.w->centres, id);
    ck_assert_msg(i >= 0, "no centre %s", id);
    const struct centre *c = centres_get(fx.w->centres, (size_t)i);
    ck_assert_msg(snap_point(fx.w->graph, c->lon, c->lat, 1000, &s, &err) == KKC_OK, "%s", err.msg);
    return s;
}

/* ---- the distance grid ------------------------------------------------------------------ */

static double seg_dist(double x, double y, double ax, double ay, double bx, double by)
{
    double dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy, t = 0;
    if (l2 > 0)
        t = fmin(fmax(((x - ax) * dx + (y - ay) * dy) / l2, 0), 1);
    return hypot(x - ax - t * dx, y - ay - t * dy);
}

/* Random segments of every direction and length (_i < 4), or random polylines with sharp
 * corners, repeated points and single points (_i >= 4): every vertex within the radius holds the
 * squared distance to the nearest segment (float precision). */
START_TEST(grid_segments_exact)
{
    unsigned long long seed = 12345 + (unsigned long long)_i;
    struct contour_grid *gr = NULL;
    struct kkc_err err = {0};
    double pt[41][2], radius = 60;
    int poly = _i >= 4;
    ck_assert_int_eq(contour_grid_create(0, 0, 500, 400, radius, 10, 1 << 20, &gr, &err), KKC_OK);
    for (int k = 0; k < 41; k++) {
        pt[k][0] = tu_rand(&seed) * 500, pt[k][1] = tu_rand(&seed) * 400;
        if (k % 5 == 1) /* horizontal, vertical and zero-length pieces */
            pt[k][1] = pt[k - 1][1];
        if (k % 7 == 1)
            pt[k][0] = pt[k - 1][0];
        if (k % 11 == 1)
            pt[k][0] = pt[k - 1][0], pt[k][1] = pt[k - 1][1];
    }
    if (poly) { /* polylines of 1, 2, 7 and 31 points */
        contour_grid_polyline(gr, pt[0], 1, radius);
        contour_grid_polyline(gr, pt[1], 2, radius);
        contour_grid_polyline(gr, pt[3], 7, radius);
        contour_grid_polyline(gr, pt[10], 31, radius);
    } else {
        for (int k = 0; k < 40; k += 2)
            contour_grid_segment(gr, pt[k][0], pt[k][1], pt[k + 1][0], pt[k + 1][1], radius);
    }
    for (size_t j = 0; j < gr->ny; j++)
        for (size_t i = 0; i < gr->nx; i++) {
            double x = gr->x0 + (double)i * gr->cell, y = gr->y0 + (double)j * gr->cell;
            double best = poly ? hypot(x - pt[0][0], y - pt[0][1]) : INFINITY;
            double got = sqrt(gr->val[j * gr->nx + i]);
            for (int k = poly; k < 40; k += 1 + !poly) {
                if (poly && (k == 2 || k == 9)) /* the gaps between the polylines */
                    continue;
                best = fmin(best, seg_dist(x, y, pt[k][0], pt[k][1], pt[k + 1][0], pt[k + 1][1]));
            }
            if (best <= radius)
                ck_assert_msg(fabs(got - best) < 1e-3 * fmax(1, best),
                              "vertex (%zu,%zu): %.6f, expected %.6f", i, j, got, best);
            else
                ck_assert_msg(got > radius - 1e-3, "vertex (%zu,%zu) far but %.3f", i, j, got);
        }
    contour_grid_destroy(gr);
}
END_TEST

/* A square loop of roads buffered: one polygon with one hole, valid, with the area of the
 * offset square ring (outer (a + 2w)^2 with rounded corners, inner (a - 2w)^2). */
START_TEST(ring_with_hole)
{
    struct contour_grid *gr = NULL;
    struct contour_rings *rs = NULL;
    struct kkc_err err = {0};
    struct contour_plane pl;
    GEOSGeometry *g = NULL;
    double a = 1000, w = 60, sq[5][2] = {{0, 0}, {a, 0}, {a, a}, {0, a}, {0, 0}};
    double expected = (a + 2 * w) * (a + 2 * w) - (4 - M_PI) * w * w - (a - 2 * w) * (a - 2 * w);
    contour_plane_init(&pl, 8.7, 49.4);
    ck_assert_int_eq(contour_grid_create(0, 0, a, a, w, 10, 1 << 20, &gr, &err), KKC_OK);
    for (int k = 0; k < 4; k++)
        contour_grid_segment(gr, sq[k][0], sq[k][1], sq[k + 1][0], sq[k + 1][1], w + 20);
    ck_assert_int_eq(contour_trace(gr, w, &rs, &err), KKC_OK);
    ck_assert_uint_eq(rs->n, 2);
    ck_assert_int_eq(contour_polygons(fx.h, rs, &pl, 0, &g, &err), KKC_OK);
    ck_assert(shape_valid(fx.h, g));
    ck_assert_int_eq(GEOSGetNumGeometries_r(fx.h, g), 1);
    ck_assert_int_eq(GEOSGetNumInteriorRings_r(fx.h, GEOSGetGeometryN_r(fx.h, g, 0)), 1);
    double got = shape_area_km2(fx.h, g) * 1e6;
    ck_assert_msg(fabs(got - expected) < 0.01 * expected, "area %.0f m2, expected %.0f", got,
                  expected);
    GEOSGeom_destroy_r(fx.h, g);
    /* filling holes under 1 km2 closes it */
    ck_assert_int_eq(contour_polygons(fx.h, rs, &pl, 1e6, &g, &err), KKC_OK);
    ck_assert_int_eq(GEOSGetNumInteriorRings_r(fx.h, GEOSGetGeometryN_r(fx.h, g, 0)), 0);
    GEOSGeom_destroy_r(fx.h, g);
    contour_rings_destroy(rs);
    contour_grid_destroy(gr);
}
END_TEST

/* ---- isochrones against routes ----------------------------------------------------------- */

/* Distance (m, local plane) from lon,lat to the nearest edge that may carry reached road: an
 * end node within limit_ms in node_ms, or the centre's own edge. */
static double dist_to_reachable(const struct graph *g, const graph_cost *node, uint32_t limit_ms,
                                uint32_t own_edge, double lon, double lat)
{
    double kx, ky, best = INFINITY;
    graph_metres_per_degree(lat, &kx, &ky);
    for (uint32_t e = 0; e < g->edge_count; e++) {
        graph_cost cs = node[g->edge_source[e]], ct = node[g->edge_target[e]];
        if (e != own_edge && (cs == GRAPH_COST_INF || graph_cost_ms(cs) > limit_ms) &&
            (ct == GRAPH_COST_INF || graph_cost_ms(ct) > limit_ms))
            continue;
        for (uint32_t k = g->edge_coord_first[e]; k + 1 < g->edge_coord_first[e + 1]; k++) {
            const double *p = g->coords + 2 * (size_t)k;
            best = fmin(best, seg_dist(0, 0, (p[0] - lon) * kx, (p[1] - lat) * ky,
                                       (p[2] - lon) * kx, (p[3] - lat) * ky));
        }
    }
    return best;
}

/* Whether the (lon/lat) geometry holds the point. */
static int holds(const GEOSPreparedGeometry *pg, double lon, double lat)
{
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(fx.h, lon, lat);
    int in = GEOSPreparedIntersects_r(fx.h, pg, pt) == 1;
    GEOSGeom_destroy_r(fx.h, pt);
    return in;
}

/* For random road points, with T = 5 or 10 minutes, out from the fire station (_i even) or in
 * towards it (odd): every point route_cost() reaches within T is inside the T-isochrone, and
 * every point it reaches only after T + 1 s that lies farther than width + 1.75 cells (the
 * stated tolerance: the buffer plus the grid's reach) from any road that can be reached within
 * T is outside. Holes are kept (fill_m2 < 0), so the outside is exact there. */
START_TEST(isochrone_matches_routes)
{
    const struct graph *g = fx.w->graph;
    int in = _i % 2;
    double limit = _i < 2 ? 300 : 600;
    struct snap c = centre_snap(FIRE_ID), s;
    struct reach_source src = {c, 0, 0};
    struct reach *r = NULL;
    struct kkc_err err = {0};
    struct isochrone_opts o = {.fill_m2 = -1};
    struct isochrone_info info;
    GEOSGeometry *poly = NULL;
    struct graph_seed seeds[2];
    graph_cost *node = malloc(g->node_count * sizeof *node);
    unsigned long long seed = 777 + (unsigned long long)_i;
    int inside = 0, outside = 0;

    ck_assert_int_eq(reach_create(g, &r, &err), KKC_OK);
    ck_assert_int_eq(reach_run(r, &src, 1, in ? REACH_IN : REACH_OUT, REACH_NO_LIMIT, &err), 0);
    ck_assert_int_eq(isochrone_build(fx.h, r, &limit, 1, &o, &poly, &info, &err), KKC_OK);
    ck_assert(shape_valid(fx.h, poly));
    size_t ns = in ? snap_arrivals(g, &c, seeds) : snap_departures(g, &c, seeds);
    ck_assert_int_eq(graph_search_all(g, seeds, ns, in, node, &err), KKC_OK);
    const GEOSPreparedGeometry *pg = GEOSPrepare_r(fx.h, poly);
    for (int k = 0; k < 400; k++) {
        uint32_t e = (uint32_t)(tu_rand(&seed) * g->edge_count);
        graph_cost cost;
        if (!(g->edge_flags[e] & GRAPH_SNAPPABLE))
            continue;
        ck_assert_int_eq(snap_at(g, e, tu_rand(&seed), &s, &err), KKC_OK);
        if ((in ? route_cost(g, fx.route, &s, &c, &cost, &err)
                : route_cost(g, fx.route, &c, &s, &cost, &err)) != KKC_OK)
            continue;
        double t = graph_cost_seconds(cost);
        if (t <= limit) {
            ck_assert_msg(holds(pg, s.lon, s.lat), "%.6f,%.6f reached in %.1f s is outside", s.lon,
                          s.lat, t);
            inside++;
        } else if (t > limit + 1 &&
                   dist_to_reachable(g, node, (uint32_t)(limit * 1000), c.edge, s.lon, s.lat) >
                       info.width_m + 1.75 * info.cell_m) {
            ck_assert_msg(!holds(pg, s.lon, s.lat), "%.6f,%.6f reached in %.1f s is inside", s.lon,
                          s.lat, t);
            outside++;
        }
    }
    ck_assert_msg(inside >= 10 && outside >= 10, "too few samples: %d in, %d out", inside, outside);
    GEOSPreparedGeom_destroy_r(fx.h, pg);
    GEOSGeom_destroy_r(fx.h, poly);
    reach_destroy(r);
    free(node);
}
END_TEST

/* Contours of one call are nested and valid, holes filled or not, in both directions. */
START_TEST(isochrone_nested)
{
    double limits[4] = {120, 300, 600, 900};
    struct snap c = centre_snap(FIRE_ID);
    struct reach_source src = {c, 0, 0};
    struct reach *r = NULL;
    struct kkc_err err = {0};
    struct isochrone_opts o = {.fill_m2 = _i < 2 ? -1 : 0};
    GEOSGeometry *p[4];
    ck_assert_int_eq(reach_create(fx.w->graph, &r, &err), KKC_OK);
    ck_assert_int_eq(reach_run(r, &src, 1, _i % 2 ? REACH_IN : REACH_OUT, 900000, &err), 0);
    ck_assert_int_eq(isochrone_build(fx.h, r, limits, 4, &o, p, NULL, &err), KKC_OK);
    for (int k = 0; k < 4; k++) {
        ck_assert(shape_valid(fx.h, p[k]));
        ck_assert(!GEOSisEmpty_r(fx.h, p[k]));
        if (k)
            ck_assert_msg(GEOSCovers_r(fx.h, p[k], p[k - 1]) == 1, "%g does not cover %g",
                          limits[k], limits[k - 1]);
    }
    for (int k = 0; k < 4; k++)
        GEOSGeom_destroy_r(fx.h, p[k]);
    reach_destroy(r);
}
END_TEST

/* ---- coverage ---------------------------------------------------------------------------- */

/* Run q; the result is the caller's. */
static void run(const struct coverage_request *q, struct coverage_result *res)
{
    struct kkc_err err = {0};
    ck_assert_msg(coverage_run(fx.h, fx.crs, fx.b, fx.w->centres, fx.w->graph, q, res, &err) ==
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
                long p = fx.b->muni[r.muni[m].muni].population;
                pop_unc += p > 0 ? p : 0, unc++;
            }
        ck_assert_int_eq(r.pop_covered + pop_unc, r.pop_total);
        ck_assert_int_eq(unc, r.muni_uncovered);
        ck_assert_uint_eq(r.nworst, (size_t)r.muni_uncovered);
        ck_assert(share_of(&r) >= prev);
        ck_assert(r.area_covered_km2 >= prev_area - 1e-6);
        ck_assert(r.area_covered_km2 <= r.area_total_km2 * (1 + 1e-9));
        prev = share_of(&r), prev_area = r.area_covered_km2;
        coverage_result_free(fx.h, &r);
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
            close = centres_find(fx.w->centres, k % 2 ? FIRE_ID : "osm-w318410494");
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
        if (coverage_run(fx.h, fx.crs, fx.b, fx.w->centres, fx.w->graph, &qa, &r1, &err)) {
            ck_assert_int_eq(err.code, KKC_ENOSEGMENT); /* the random point is off the roads */
            coverage_result_free(fx.h, &r1);
            coverage_result_free(fx.h, &r0);
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
        coverage_result_free(fx.h, &r0);
        coverage_result_free(fx.h, &r1);
        coverage_result_free(fx.h, &r2);
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
        q.km = 12, q.region = coverage_region_find(fx.b, "border:CZ052");
    else
        q.minutes = 10, q.kind_mask = KIND_MASK_ALL;
    run(&q, &r);
    ck_assert(shape_valid(fx.h, r.service));
    ck_assert(shape_valid(fx.h, r.gap));
    GEOSGeometry *both = GEOSIntersection_r(fx.h, r.service, r.gap);
    double a_s = shape_area_km2(fx.h, r.service), a_g = shape_area_km2(fx.h, r.gap);
    double a_both = shape_area_km2(fx.h, both);
    ck_assert_msg(a_both < 0.001 * a_s, "overlap %.4f km2 of %.1f", a_both, a_s);
    ck_assert_msg(fabs(a_s + a_g - r.area_total_km2) < 0.001 * r.area_total_km2,
                  "service %.2f + gap %.2f != region %.2f", a_s, a_g, r.area_total_km2);
    ck_assert(fabs(a_s - r.area_covered_km2) < 1e-6 * r.area_total_km2);
    GEOSGeom_destroy_r(fx.h, both);
    coverage_result_free(fx.h, &r);
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
        store_prepare(fx.st,
                      "SELECT m.code, min(ST_Distance(m.geom, c.geom, 1)) FROM municipalities m, "
                      "centres c WHERE m.kraj_code = 'CZ052' AND c.kind = 'police' AND "
                      "c.status = 'active' GROUP BY m.code ORDER BY m.code",
                      &s, &err),
        KKC_OK);
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *code = (const char *)sqlite3_column_text(s, 0);
        double d = sqlite3_column_double(s, 1);
        size_t k = 0;
        while (k < r.nmuni && strcmp(fx.b->muni[r.muni[k].muni].code, code) != 0)
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
    coverage_result_free(fx.h, &r);
}
END_TEST

/* Catchments split the region: by distance their areas add up to the region's and their
 * populations to the total; by road they are valid and do not overlap much. */
START_TEST(catchments_split)
{
    struct coverage_request q = {.kind_mask = _i ? KIND_MASK_ALL : 1u << KIND_POLICE,
                                 .region = _i ? fx.b->network : -1};
    struct coverage_result r;
    struct coverage_catchment *c = NULL;
    struct kkc_err err = {0};
    int by_road;
    double area = 0, overlap = 0;
    long pop = 0;
    ck_assert_int_eq(coverage_catchments(fx.h, fx.crs, fx.b, fx.w->centres, fx.w->graph, &q, &r, &c,
                                         &by_road, &err),
                     KKC_OK);
    ck_assert_int_eq(by_road, _i);
    for (size_t i = 0; i < r.nsites; i++) {
        ck_assert(shape_valid(fx.h, c[i].area));
        area += c[i].area_km2, pop += c[i].population;
        for (size_t j = 0; j < i; j++) {
            GEOSGeometry *x = GEOSIntersection_r(fx.h, c[i].area, c[j].area);
            overlap += shape_area_km2(fx.h, x);
            GEOSGeom_destroy_r(fx.h, x);
        }
    }
    ck_assert_msg(overlap < 0.01 * area, "catchments overlap by %.3f of %.1f km2", overlap, area);
    if (!by_road) {
        ck_assert(fabs(area - r.area_total_km2) < 1e-3 * r.area_total_km2);
        ck_assert_int_eq(pop, r.pop_total);
    }
    coverage_catchments_free(fx.h, c, r.nsites);
    coverage_result_free(fx.h, &r);
}
END_TEST

/* ---- the endpoints ----------------------------------------------------------------------- */

/* GET path?query in process; the caller frees res->body. */
static void call(const char *path, const char *query, struct api_res *res)
{
    hu_dispatch_get(fx.w, path, query, res);
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
        GEOSGeoJSONReader *rd = GEOSGeoJSONReader_create_r(fx.h);
        GEOSGeometry *g = GEOSGeoJSONReader_readGeometry_r(fx.h, rd, geo);
        ck_assert_msg(g && shape_valid(fx.h, g), "feature %zu of %s?%s is not valid", k,
                      api_cases[_i].path, api_cases[_i].query);
        GEOSGeom_destroy_r(fx.h, g);
        GEOSGeoJSONReader_destroy_r(fx.h, rd);
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
    TCase *tc = tu_tcase(s, "contour", 600);
    tcase_add_unchecked_fixture(tc, fx_load, fx_free);
    tcase_add_loop_test(tc, grid_segments_exact, 0, 8);
    tcase_add_test(tc, ring_with_hole);

    tc = tu_tcase(s, "isochrone", 600);
    tcase_add_unchecked_fixture(tc, fx_load, fx_free);
    tcase_add_loop_test(tc, isochrone_matches_routes, 0, 4);
    tcase_add_loop_test(tc, isochrone_nested, 0, 4);

    tc = tu_tcase(s, "coverage", 600);
    tcase_add_unchecked_fixture(tc, fx_load, fx_free);
    tcase_add_loop_test(tc, totals_and_monotone, 0, 2);
    tcase_add_loop_test(tc, what_if_monotone, 0, 4);
    tcase_add_loop_test(tc, gaps_and_service, 0, 3);
    tcase_add_loop_test(tc, straight_line_oracle, 0, 4);
    tcase_add_loop_test(tc, catchments_split, 0, 2);

    tc = tu_tcase(s, "api", 600);
    tcase_add_unchecked_fixture(tc, fx_load, fx_free);
    tcase_add_loop_test(tc, api_answers, 0, sizeof api_cases / sizeof api_cases[0]);
    tcase_add_test(tc, api_report_consistent);
    return s;
}
