/* tests/coverage/test_shape.c -- the GEOS helpers of coverage (shape.h): polygons from rings,
 * ellipsoidal areas, point in polygon, the polygonal part of an overlay, validity.
 *
 * Oracles that the code under test did not produce: the closed formula of the area of a
 * latitude-longitude rectangle on the WGS84 ellipsoid (the authalic zone area, worked out here);
 * GEOS itself on geometries read from WKT written by hand (Contains, Equals, Area, IsValid). */
#include "coverage/shape.h"
#include "testutil.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>

static GEOSContextHandle_t h;

static void geos_setup(void)
{
    h = GEOS_init_r();
}

static void geos_teardown(void)
{
    GEOS_finish_r(h);
}

static GEOSGeometry *wkt(const char *text)
{
    GEOSWKTReader *rd = GEOSWKTReader_create_r(h);
    GEOSGeometry *g = GEOSWKTReader_read_r(h, rd, text);
    GEOSWKTReader_destroy_r(h, rd);
    ck_assert_msg(g != NULL, "bad WKT %s", text);
    return g;
}

/* Area in km2 of the rectangle lon0..lon1 x lat0..lat1 on the WGS84 ellipsoid: the zone between
 * two parallels, b^2 / 2 * (q(lat1) - q(lat0)) per radian of longitude, with
 * q(p) = sin p / (1 - e^2 sin^2 p) + ln((1 + e sin p) / (1 - e sin p)) / (2 e). */
static double rect_km2(double lon0, double lat0, double lon1, double lat1)
{
    const double a = 6378137, f = 1 / 298.257223563, b = a * (1 - f);
    const double e = sqrt(f * (2 - f));
    double q[2], lat[2] = {lat0, lat1};
    for (int k = 0; k < 2; k++) {
        double s = sin(lat[k] * M_PI / 180);
        q[k] = s / (1 - e * e * s * s) + log((1 + e * s) / (1 - e * s)) / (2 * e);
    }
    return (lon1 - lon0) * M_PI / 180 * b * b / 2 * (q[1] - q[0]) / 1e6;
}

/* Rectangles of 0.01 and 0.1 degree at 50.2 N, either orientation, and one with a hole and a
 * second part: the zone formula (the edges along parallels differ from geodesics by under
 * 2e-4 of the area at this size). */
START_TEST(t_shape_area)
{
    static const struct {
        const char *wkt;
        double lon0, lat0, lon1, lat1, tol;
    } rect[] = {
        {"POLYGON((15.80 50.20, 15.81 50.20, 15.81 50.21, 15.80 50.21, 15.80 50.20))", 15.80, 50.20,
         15.81, 50.21, 1e-5},
        {"POLYGON((15.80 50.20, 15.80 50.21, 15.81 50.21, 15.81 50.20, 15.80 50.20))", 15.80, 50.20,
         15.81, 50.21, 1e-5},
        {"POLYGON((15.8 50.2, 15.9 50.2, 15.9 50.3, 15.8 50.3, 15.8 50.2))", 15.8, 50.2, 15.9, 50.3,
         2e-4},
    };
    for (size_t i = 0; i < sizeof rect / sizeof *rect; i++) {
        GEOSGeometry *g = wkt(rect[i].wkt);
        double want = rect_km2(rect[i].lon0, rect[i].lat0, rect[i].lon1, rect[i].lat1);
        double got = shape_area_km2(h, g);
        ck_assert_msg(fabs(got - want) < rect[i].tol * want, "%s: %.6f km2, expected %.6f",
                      rect[i].wkt, got, want);
        GEOSGeom_destroy_r(h, g);
    }
    /* 0.02 x 0.02 with a 0.01 x 0.01 hole, and a second 0.01 x 0.01 part farther east */
    GEOSGeometry *g = wkt("MULTIPOLYGON(((15.80 50.20, 15.82 50.20, 15.82 50.22, 15.80 50.22, "
                          "15.80 50.20), (15.805 50.205, 15.805 50.215, 15.815 50.215, "
                          "15.815 50.205, 15.805 50.205)), ((15.90 50.20, 15.91 50.20, "
                          "15.91 50.21, 15.90 50.21, 15.90 50.20)))");
    double want = rect_km2(15.80, 50.20, 15.82, 50.22) - rect_km2(15.805, 50.205, 15.815, 50.215) +
                  rect_km2(15.90, 50.20, 15.91, 50.21);
    ck_assert_double_eq_tol(shape_area_km2(h, g), want, 1e-5 * want);
    GEOSGeom_destroy_r(h, g);
    g = wkt("POLYGON EMPTY");
    ck_assert_double_eq(shape_area_km2(h, g), 0);
    GEOSGeom_destroy_r(h, g);
}
END_TEST

/* Two polygons as plain rings: a 10 x 10 square with a square hole, and a triangle. */
static const double ring_pts[] = {0,  0, 10, 0, 10, 10, 0, 10, /* ring 0: shell */
                                  3,  3, 3,  6, 6,  6,  6, 3,  /* ring 1: hole */
                                  12, 0, 20, 0, 16, 8};        /* ring 2: triangle */
static const size_t ring_first[] = {0, 4, 8, 11}, poly_first[] = {0, 2, 3};
static const char ring_wkt[] = "MULTIPOLYGON(((0 0, 10 0, 10 10, 0 10, 0 0), (3 3, 3 6, 6 6, 6 3, "
                               "3 3)), ((12 0, 20 0, 16 8, 12 0)))";

/* Random points in and around both: shape_point_in() agrees with GEOS Contains on the polygon
 * read from WKT; shape_from_rings() makes the same MultiPolygon. */
START_TEST(t_shape_rings)
{
    GEOSGeometry *want = wkt(ring_wkt),
                 *got = shape_from_rings(h, 2, poly_first, ring_first, ring_pts);
    unsigned long long rs = 5;
    int inside = 0;
    ck_assert_ptr_nonnull(got);
    ck_assert_int_eq(GEOSEquals_r(h, got, want), 1);
    ck_assert(shape_valid(h, got));
    for (int k = 0; k < 2000; k++) {
        double x = -2 + tu_rand(&rs) * 24, y = -2 + tu_rand(&rs) * 14;
        GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, x, y);
        for (int p = 0; p < 2; p++) {
            int in = GEOSContains_r(h, GEOSGetGeometryN_r(h, want, p), pt) == 1;
            ck_assert_int_eq(
                shape_point_in(x, y, ring_first, poly_first[p], poly_first[p + 1] - 1, ring_pts),
                in);
            inside += in;
        }
        GEOSGeom_destroy_r(h, pt);
    }
    ck_assert_int_gt(inside, 400);
    GEOSGeom_destroy_r(h, got);
    GEOSGeom_destroy_r(h, want);
}
END_TEST

static GEOSGeometry *hole_of(void *arg, size_t k)
{
    double buf[5 * 2];
    const double *src = (const double *)arg + 8 * k;
    for (int i = 0; i < 8; i++)
        buf[i] = src[i];
    return shape_ring_close(h, buf, 4);
}

/* A ring closed from four points, a polygon of it with two holes: GEOS sees the hand polygon
 * (area 100 - 4 - 4); no shell, no polygon. */
START_TEST(t_shape_polygon)
{
    double shell[5 * 2] = {0, 0, 10, 0, 10, 10, 0, 10};
    static const double holes[2 * 8] = {1, 1, 1, 3, 3, 3, 3, 1, 5, 5, 5, 7, 7, 7, 7, 5};
    GEOSGeometry *ring = shape_ring_close(h, shell, 4), *p;
    double area = 0;
    ck_assert_ptr_nonnull(ring);
    ck_assert_int_eq(GEOSGeomTypeId_r(h, ring), GEOS_LINEARRING);
    ck_assert_int_eq(GEOSGetNumCoordinates_r(h, ring), 5);
    ck_assert(GEOSisClosed_r(h, ring) == 1);
    p = shape_polygon(h, ring, 2, hole_of, (void *)holes);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(GEOSGetNumInteriorRings_r(h, p), 2);
    ck_assert(shape_valid(h, p));
    ck_assert_int_eq(GEOSArea_r(h, p, &area), 1);
    ck_assert_double_eq_tol(area, 92, 1e-12);
    GEOSGeom_destroy_r(h, p);
    ck_assert_ptr_null(shape_polygon(h, NULL, 2, hole_of, (void *)holes));
}
END_TEST

/* The polygonal part of overlays: squares sharing an edge meet in a line (no polygon); crossing
 * squares in a 1 x 1 square; a collection keeps only its polygons. */
START_TEST(t_shape_polygons)
{
    GEOSGeometry *a = wkt("POLYGON((0 0, 2 0, 2 2, 0 2, 0 0))");
    GEOSGeometry *b = wkt("POLYGON((2 0, 4 0, 4 2, 2 2, 2 0))");
    GEOSGeometry *c = wkt("POLYGON((1 1, 3 1, 3 3, 1 3, 1 1))");
    GEOSGeometry *x = GEOSIntersection_r(h, a, b), *p = shape_polygons(h, x);
    double area = -1;
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(GEOSGeomTypeId_r(h, p), GEOS_MULTIPOLYGON);
    ck_assert(GEOSisEmpty_r(h, p) == 1);
    GEOSGeom_destroy_r(h, p), GEOSGeom_destroy_r(h, x);
    x = GEOSIntersection_r(h, a, c), p = shape_polygons(h, x);
    ck_assert_int_eq(GEOSGeomTypeId_r(h, p), GEOS_MULTIPOLYGON);
    ck_assert_int_eq(GEOSArea_r(h, p, &area), 1);
    ck_assert_double_eq_tol(area, 1, 1e-12);
    GEOSGeom_destroy_r(h, p), GEOSGeom_destroy_r(h, x);
    x = wkt("GEOMETRYCOLLECTION(POINT(9 9), LINESTRING(0 0, 5 5), POLYGON((0 0, 2 0, 2 2, 0 2, "
            "0 0)), POLYGON((5 0, 6 0, 6 1, 5 0)))");
    p = shape_polygons(h, x);
    ck_assert_int_eq(GEOSGetNumGeometries_r(h, p), 2);
    ck_assert_int_eq(GEOSArea_r(h, p, &area), 1);
    ck_assert_double_eq_tol(area, 4.5, 1e-12);
    GEOSGeom_destroy_r(h, p), GEOSGeom_destroy_r(h, x);
    GEOSGeom_destroy_r(h, a), GEOSGeom_destroy_r(h, b), GEOSGeom_destroy_r(h, c);
}
END_TEST

/* A bow tie and a ring crossing its hole are invalid for GEOS; a square is valid. */
START_TEST(t_shape_valid)
{
    static const struct {
        const char *wkt;
        int valid;
    } cases[] = {
        {"POLYGON((0 0, 2 0, 2 2, 0 2, 0 0))", 1},
        {"POLYGON((0 0, 2 2, 2 0, 0 2, 0 0))", 0},
        {"POLYGON((0 0, 4 0, 4 4, 0 4, 0 0), (1 1, 5 1, 5 2, 1 2, 1 1))", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        GEOSGeometry *g = wkt(cases[i].wkt);
        ck_assert_msg(shape_valid(h, g) == cases[i].valid, "%s", cases[i].wkt);
        GEOSGeom_destroy_r(h, g);
    }
}
END_TEST

Suite *shape_suite(void); /* for the runner */

Suite *shape_suite(void)
{
    Suite *s = suite_create("shape");
    TCase *tc = tu_tcase(s, "shape", 60);
    tcase_add_checked_fixture(tc, geos_setup, geos_teardown);
    tcase_add_test(tc, t_shape_area);
    tcase_add_test(tc, t_shape_rings);
    tcase_add_test(tc, t_shape_polygon);
    tcase_add_test(tc, t_shape_polygons);
    tcase_add_test(tc, t_shape_valid);
    return s;
}
