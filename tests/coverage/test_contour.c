/* tests/coverage/test_contour.c -- the distance grid, its traced rings and their polygons
 * (contour.h: contour.c, contour_poly.c).
 *
 * Oracles that the code under test did not produce: distances to segments computed one by one
 * (tu_seg_dist), for the distance grid; the area of an offset square ring worked out by hand; GEOS
 * itself (IsValid, rings) for polygon properties. */
#include "coverage/contour.h"
#include "coverage/shape.h"
#include "testutil.h"

#include <check.h>
#include <math.h>
#include <stddef.h>

/* The GEOS context of the test case (an unchecked fixture). */
static struct {
    GEOSContextHandle_t h;
} fx;

static void geos_load(void)
{
    fx.h = GEOS_init_r();
}

static void geos_free(void)
{
    GEOS_finish_r(fx.h);
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
                best =
                    fmin(best, tu_seg_dist(x, y, pt[k][0], pt[k][1], pt[k + 1][0], pt[k + 1][1]));
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

Suite *contour_suite(void); /* for the runner */

Suite *contour_suite(void)
{
    Suite *s = suite_create("contour");
    TCase *tc = tu_tcase(s, "contour", 600);
    tcase_add_unchecked_fixture(tc, geos_load, geos_free);
    tcase_add_loop_test(tc, grid_segments_exact, 0, 8);
    tcase_add_test(tc, ring_with_hole);
    return s;
}
