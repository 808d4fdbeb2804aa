/* tests/coverage/test_isochrone.c -- isochrones: the reached network (reach.h) buffered into
 * nested polygons (isochrone.h).
 *
 * Oracles that the code under test did not produce: route_cost() (route.h, A* with landmarks)
 * for the time of every sampled road point, and a plain graph_search_all() for which edges can
 * carry reached road at all (an edge with no end reached within T, and no source on it, carries
 * none), for isochrone membership; GEOS itself (IsValid, Covers) for polygon properties. Runs on
 * the default database, loaded once per test case (tests/fixture_world.h). */
#include "centres/centres.h"
#include "coverage/isochrone.h"
#include "coverage/reach.h"
#include "coverage/shape.h"
#include "road/graph.h"
#include "road/route.h"
#include "road/snap.h"
#include "testutil.h"
#include "fixture_world.h"
#include "world.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>

/* The snapped position of a centre by id. */
static struct snap centre_snap(const char *id)
{
    struct kkc_err err = {0};
    struct snap s;
    long i = centres_find(wfx.w->centres, id);
    ck_assert_msg(i >= 0, "no centre %s", id);
    const struct centre *c = centres_get(wfx.w->centres, (size_t)i);
    ck_assert_msg(snap_point(wfx.w->graph, c->lon, c->lat, 1000, &s, &err) == KKC_OK, "%s",
                  err.msg);
    return s;
}

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
            best = fmin(best, tu_seg_dist(0, 0, (p[0] - lon) * kx, (p[1] - lat) * ky,
                                          (p[2] - lon) * kx, (p[3] - lat) * ky));
        }
    }
    return best;
}

/* Whether the (lon/lat) geometry holds the point. */
static int holds(const GEOSPreparedGeometry *pg, double lon, double lat)
{
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(wfx.h, lon, lat);
    int in = GEOSPreparedIntersects_r(wfx.h, pg, pt) == 1;
    GEOSGeom_destroy_r(wfx.h, pt);
    return in;
}

/* For random road points, with T = 5 or 10 minutes, out from the fire station (_i even) or in
 * towards it (odd): every point route_cost() reaches within T is inside the T-isochrone, and
 * every point it reaches only after T + 1 s that lies farther than width + 1.75 cells (the
 * stated tolerance: the buffer plus the grid's reach) from any road that can be reached within
 * T is outside. Holes are kept (fill_m2 < 0), so the outside is exact there. */
START_TEST(isochrone_matches_routes)
{
    const struct graph *g = wfx.w->graph;
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
    ck_assert_int_eq(isochrone_build(wfx.h, r, &limit, 1, &o, &poly, &info, &err), KKC_OK);
    ck_assert(shape_valid(wfx.h, poly));
    size_t ns = in ? snap_arrivals(g, &c, seeds) : snap_departures(g, &c, seeds);
    ck_assert_int_eq(graph_search_all(g, seeds, ns, in, node, &err), KKC_OK);
    const GEOSPreparedGeometry *pg = GEOSPrepare_r(wfx.h, poly);
    for (int k = 0; k < 400; k++) {
        uint32_t e = (uint32_t)(tu_rand(&seed) * g->edge_count);
        graph_cost cost;
        if (!(g->edge_flags[e] & GRAPH_SNAPPABLE))
            continue;
        ck_assert_int_eq(snap_at(g, e, tu_rand(&seed), &s, &err), KKC_OK);
        if ((in ? route_cost(g, wfx.route, &s, &c, &cost, &err)
                : route_cost(g, wfx.route, &c, &s, &cost, &err)) != KKC_OK)
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
    GEOSPreparedGeom_destroy_r(wfx.h, pg);
    GEOSGeom_destroy_r(wfx.h, poly);
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
    ck_assert_int_eq(reach_create(wfx.w->graph, &r, &err), KKC_OK);
    ck_assert_int_eq(reach_run(r, &src, 1, _i % 2 ? REACH_IN : REACH_OUT, 900000, &err), 0);
    ck_assert_int_eq(isochrone_build(wfx.h, r, limits, 4, &o, p, NULL, &err), KKC_OK);
    for (int k = 0; k < 4; k++) {
        ck_assert(shape_valid(wfx.h, p[k]));
        ck_assert(!GEOSisEmpty_r(wfx.h, p[k]));
        if (k)
            ck_assert_msg(GEOSCovers_r(wfx.h, p[k], p[k - 1]) == 1, "%g does not cover %g",
                          limits[k], limits[k - 1]);
    }
    for (int k = 0; k < 4; k++)
        GEOSGeom_destroy_r(wfx.h, p[k]);
    reach_destroy(r);
}
END_TEST

Suite *isochrone_suite(void); /* for the runner */

Suite *isochrone_suite(void)
{
    Suite *s = suite_create("isochrone");
    TCase *tc = tu_tcase(s, "isochrone", 600);
    tcase_add_unchecked_fixture(tc, wfx_load, wfx_free);
    tcase_add_loop_test(tc, isochrone_matches_routes, 0, 4);
    tcase_add_loop_test(tc, isochrone_nested, 0, 4);
    return s;
}
