/* tests/base/test_crs.c -- PROJ transforms and geodesics (geo/base/crs.c) against independent values.
 *
 * Oracles: S-JTSK control values computed with PROJ's cs2cs command (tests/data/sjtsk_control.txt,
 * the commands are in its header), the closed-form spherical Web Mercator (EPSG:3857), published
 * geodesic examples (GeographicLib's Wellington-Salamanca, Vincenty's Flinders Peak-Buninyong,
 * exact quarter meridian and equator lengths) and a Vincenty inverse written here. */
#include "base/crs.h"
#include "testutil.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONTROL "tests/data/sjtsk_control.txt"
#define TOL_M 0.01 /* 1 cm */

#define REQUIRE(cond, ...)                                                                         \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ck_abort_msg(__VA_ARGS__);                                                             \
    } while (0)

/* ---------------------------------------------------------------- Vincenty (oracle) -------- */

static const double WGS_A = 6378137.0, WGS_F = 1 / 298.257223563;

/* Vincenty's inverse on WGS84 (1975, iterated to 1e-13 rad); returns metres, *az initial bearing
 * 0..360. Not for nearly antipodal points (the iteration may not converge): -1 then. */
static double vincenty(double lon1, double lat1, double lon2, double lat2, double *az)
{
    const double a = WGS_A, f = WGS_F, b = a * (1 - f), d2r = M_PI / 180;
    double L = (lon2 - lon1) * d2r, lambda = L, prev;
    double U1 = atan((1 - f) * tan(lat1 * d2r)), U2 = atan((1 - f) * tan(lat2 * d2r));
    double sU1 = sin(U1), cU1 = cos(U1), sU2 = sin(U2), cU2 = cos(U2);
    double ss, cs, sigma, sa, c2a, c2sm, C;
    int iter = 0;

    do {
        double sl = sin(lambda), cl = cos(lambda);
        ss = sqrt((cU2 * sl) * (cU2 * sl) +
                  (cU1 * sU2 - sU1 * cU2 * cl) * (cU1 * sU2 - sU1 * cU2 * cl));
        if (ss == 0) {
            if (az)
                *az = 0;
            return 0;
        }
        cs = sU1 * sU2 + cU1 * cU2 * cl;
        sigma = atan2(ss, cs);
        sa = cU1 * cU2 * sl / ss;
        c2a = 1 - sa * sa;
        c2sm = c2a != 0 ? cs - 2 * sU1 * sU2 / c2a : 0;
        C = f / 16 * c2a * (4 + f * (4 - 3 * c2a));
        prev = lambda;
        lambda = L + (1 - C) * f * sa * (sigma + C * ss * (c2sm + C * cs * (-1 + 2 * c2sm * c2sm)));
    } while (fabs(lambda - prev) > 1e-13 && ++iter < 200);
    if (iter >= 200)
        return -1;
    double u2 = c2a * (a * a - b * b) / (b * b);
    double A = 1 + u2 / 16384 * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)));
    double B = u2 / 1024 * (256 + u2 * (-128 + u2 * (74 - 47 * u2)));
    double ds = B * ss *
                (c2sm + B / 4 *
                            (cs * (-1 + 2 * c2sm * c2sm) -
                             B / 6 * c2sm * (-3 + 4 * ss * ss) * (-3 + 4 * c2sm * c2sm)));
    if (az) {
        double sl = sin(lambda), cl = cos(lambda);
        double t = atan2(cU2 * sl, cU1 * sU2 - sU1 * cU2 * cl) / d2r;
        *az = t < 0 ? t + 360 : t;
    }
    return b * A * (sigma - ds);
}

/* ---------------------------------------------------------------- control file ------------- */

struct control {
    int fwd; /* 1: lon lat -> x y; 0: x y -> lon lat */
    double a, b, c, d;
    int line;
};

/* Read the control file; returns the number of rows, at most cap. */
static int control_read(struct control *rows, int cap)
{
    FILE *f = fopen(CONTROL, "r");
    char line[256], tag[8];
    int n = 0, ln = 0;
    ck_assert_msg(f != NULL, "cannot open %s (run from the project root)", CONTROL);
    while (fgets(line, sizeof line, f)) {
        struct control r = {.line = ++ln};
        if (line[0] == '#' || line[0] == '\n')
            continue;
        ck_assert_msg(sscanf(line, "%7s %lf %lf %lf %lf", tag, &r.a, &r.b, &r.c, &r.d) == 5,
                      "%s:%d: bad line", CONTROL, ln);
        ck_assert_msg(strcmp(tag, "fwd") == 0 || strcmp(tag, "inv") == 0, "%s:%d: tag", CONTROL,
                      ln);
        r.fwd = tag[0] == 'f';
        ck_assert_int_lt(n, cap);
        rows[n++] = r;
    }
    fclose(f);
    return n;
}

/* ---------------------------------------------------------------- S-JTSK ------------------- */

/* Every control row in its direction: WGS84 -> S-JTSK within 1 cm, S-JTSK -> WGS84 within 1 cm
 * on the ground. Also the other way round for the forward rows (round trip through PROJ). */
START_TEST(sjtsk_control)
{
    struct control rows[64];
    int n = control_read(rows, 64), nf = 0, ni = 0;
    struct crs_ctx *c = crs_ctx_create();
    struct kkc_err err = {0};

    ck_assert_ptr_nonnull(c);
    for (int i = 0; i < n; i++) {
        const struct control *r = &rows[i];
        double x, y, lon, lat;
        if (r->fwd) {
            nf++;
            ck_assert_msg(crs_from_wgs84(c, CRS_SJTSK, r->a, r->b, &x, &y, &err) == KKC_OK,
                          "line %d: %s", r->line, err.msg);
            ck_assert_msg(hypot(x - r->c, y - r->d) < TOL_M,
                          "line %d: (%.4f, %.4f) -> (%.4f, %.4f), cs2cs says (%.4f, %.4f)", r->line,
                          r->a, r->b, x, y, r->c, r->d);
            ck_assert_msg(crs_to_wgs84(c, CRS_SJTSK, r->c, r->d, &lon, &lat, &err) == KKC_OK,
                          "line %d: %s", r->line, err.msg);
            ck_assert_msg(vincenty(lon, lat, r->a, r->b, NULL) < TOL_M,
                          "line %d: back to (%.9f, %.9f), expected (%.4f, %.4f)", r->line, lon, lat,
                          r->a, r->b);
        } else {
            ni++;
            ck_assert_msg(crs_to_wgs84(c, CRS_SJTSK, r->a, r->b, &lon, &lat, &err) == KKC_OK,
                          "line %d: %s", r->line, err.msg);
            ck_assert_msg(vincenty(lon, lat, r->c, r->d, NULL) < TOL_M,
                          "line %d: (%.2f, %.2f) -> (%.9f, %.9f), cs2cs says (%.9f, %.9f)", r->line,
                          r->a, r->b, lon, lat, r->c, r->d);
        }
    }
    ck_assert_int_ge(nf, 10);
    ck_assert_int_ge(ni, 5);
    crs_ctx_destroy(c);
}
END_TEST

/* The same transformation written as other names PROJ accepts; and the axis order is x=east. */
START_TEST(sjtsk_other_spellings)
{
    static const char *const names[] = {"EPSG:5514", "epsg:5514", "urn:ogc:def:crs:EPSG::5514"};
    struct crs_ctx *c = crs_ctx_create();
    struct kkc_err err = {0};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        double x, y;
        ck_assert_msg(crs_from_wgs84(c, names[i], 15.83, 50.21, &x, &y, &err) == KKC_OK, "%s: %s",
                      names[i], err.msg);
        /* control line 1: 15.83 50.21 -> -641213.0946 -1042282.5167 */
        ck_assert_msg(hypot(x + 641213.0946, y + 1042282.5167) < TOL_M, "%s: (%.4f, %.4f)",
                      names[i], x, y);
    }
    crs_ctx_destroy(c);
}
END_TEST

/* ---------------------------------------------------------------- Web Mercator -------------- */

/* EPSG:3857 is spherical Mercator on a = 6378137: x = a lon, y = a ln tan(pi/4 + lat/2). */
START_TEST(web_mercator_closed_form)
{
    static const double pts[][2] = {{0, 0},       {15.83, 50.21}, {-122.4, 37.8},
                                    {179.9, -60}, {-179.9, 80},   {12.5, -33.3}};
    struct crs_ctx *c = crs_ctx_create();
    struct kkc_err err = {0};
    for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++) {
        double lon = pts[i][0], lat = pts[i][1], x, y, lon2, lat2;
        double ex = WGS_A * lon * M_PI / 180, ey = WGS_A * log(tan(M_PI / 4 + lat * M_PI / 360));
        ck_assert_int_eq(crs_from_wgs84(c, "EPSG:3857", lon, lat, &x, &y, &err), KKC_OK);
        ck_assert_msg(fabs(x - ex) < 1e-3 && fabs(y - ey) < 1e-3,
                      "(%g, %g): (%.4f, %.4f) vs (%.4f, %.4f)", lon, lat, x, y, ex, ey);
        ck_assert_int_eq(crs_to_wgs84(c, "EPSG:3857", ex, ey, &lon2, &lat2, &err), KKC_OK);
        ck_assert_double_eq_tol(lon2, lon, 1e-9);
        ck_assert_double_eq_tol(lat2, lat, 1e-9);
    }
    crs_ctx_destroy(c);
}
END_TEST

/* More CRSs than the cache holds, interleaved: every answer still right (eviction is safe). */
START_TEST(cache_eviction)
{
    struct crs_ctx *c = crs_ctx_create();
    struct kkc_err err = {0};
    char name[32];
    for (int round = 0; round < 3; round++) {
        for (int zone = 28; zone <= 38; zone++) { /* 11 UTM zones + S-JTSK each time */
            double x, y, lon, lat, lon0 = zone * 6 - 183;
            snprintf(name, sizeof name, "EPSG:326%02d", zone);
            ck_assert_int_eq(crs_from_wgs84(c, name, lon0, 0, &x, &y, &err), KKC_OK);
            /* on the central meridian at the equator: false easting, zero northing */
            ck_assert_double_eq_tol(x, 500000, 1e-6);
            ck_assert_double_eq_tol(y, 0, 1e-6);
            ck_assert_int_eq(crs_to_wgs84(c, name, 500000, 0, &lon, &lat, &err), KKC_OK);
            ck_assert_double_eq_tol(lon, lon0, 1e-9);
            ck_assert_double_eq_tol(lat, 0, 1e-9);
            ck_assert_int_eq(crs_from_wgs84(c, CRS_SJTSK, 15.83, 50.21, &x, &y, &err), KKC_OK);
            ck_assert_msg(hypot(x + 641213.0946, y + 1042282.5167) < TOL_M, "(%f, %f)", x, y);
        }
    }
    crs_ctx_destroy(c);
}
END_TEST

/* ---------------------------------------------------------------- errors ------------------- */

static const char *const bad_crs[] =
    {
        "EPSG:999999", "EPSG:",      "",           "nonsense", "WGS 84 please",
        "+proj=merc",  "EPSG:5514x", "EPSG:-5514", "http://x", "+proj=helmert +x=1",
        "EPSG:1623", /* an operation, not a CRS */
};

START_TEST(unknown_crs)
{
    struct crs_ctx *c = crs_ctx_create();
    struct kkc_err err = {0};
    double x = 1, y = 2;
    ck_assert_int_eq(crs_to_wgs84(c, bad_crs[_i], -600000, -1100000, &x, &y, &err), KKC_EINVAL);
    ck_assert_int_eq(err.code, KKC_EINVAL);
    ck_assert_msg(err.msg[0] != '\0', "no message");
    kkc_err_clear(&err);
    ck_assert_int_eq(crs_from_wgs84(c, bad_crs[_i], 15, 50, &x, &y, &err), KKC_EINVAL);
    ck_assert_int_eq(err.code, KKC_EINVAL);
    /* NULL err is allowed */
    ck_assert_int_eq(crs_to_wgs84(c, bad_crs[_i], 1, 2, &x, &y, NULL), KKC_EINVAL);
    crs_ctx_destroy(c);
}
END_TEST

START_TEST(overlong_crs)
{
    struct crs_ctx *c = crs_ctx_create();
    struct kkc_err err = {0};
    char name[400];
    double x, y;
    memset(name, ' ', sizeof name - 10);
    strcpy(name + sizeof name - 10, "EPSG:5514");
    ck_assert_int_eq(crs_from_wgs84(c, name, 15, 50, &x, &y, &err), KKC_EINVAL);
    ck_assert_int_eq(crs_to_wgs84(c, name, -6e5, -1.1e6, &x, &y, &err), KKC_EINVAL);
    crs_ctx_destroy(c);
}
END_TEST

static const double nonfinite[][2] = {
    {NAN, 50}, {15, NAN}, {NAN, NAN}, {INFINITY, 50}, {15, -INFINITY}, {-INFINITY, INFINITY},
};

START_TEST(nonfinite_input)
{
    struct crs_ctx *c = crs_ctx_create();
    struct kkc_err err = {0};
    double a = nonfinite[_i][0], b = nonfinite[_i][1], x = 7, y = 7;
    ck_assert_int_eq(crs_from_wgs84(c, CRS_SJTSK, a, b, &x, &y, &err), KKC_EINVAL);
    ck_assert_int_eq(err.code, KKC_EINVAL);
    kkc_err_clear(&err);
    ck_assert_int_eq(crs_to_wgs84(c, CRS_SJTSK, a, b, &x, &y, &err), KKC_EINVAL);
    ck_assert_int_eq(err.code, KKC_EINVAL);
    ck_assert_int_eq(crs_to_wgs84(c, "EPSG:4326", a, b, &x, &y, &err), KKC_EINVAL);
    /* the outputs are left alone on failure */
    ck_assert_double_eq(x, 7);
    ck_assert_double_eq(y, 7);
    crs_ctx_destroy(c);
}
END_TEST

/* crs_to_wgs84 never answers a lon,lat outside the WGS84 range. */
START_TEST(result_in_range)
{
    static const double far[][2] = {{1e9, 1e9}, {-1e9, 3e9}, {5e7, -5e7}, {0, 1e12}};
    struct crs_ctx *c = crs_ctx_create();
    struct kkc_err err = {0};
    for (size_t i = 0; i < sizeof far / sizeof far[0]; i++) {
        double lon = 0, lat = 0;
        enum kkc_code rc = crs_to_wgs84(c, "EPSG:3857", far[i][0], far[i][1], &lon, &lat, &err);
        if (rc == KKC_OK)
            ck_assert_msg(fabs(lon) <= 180 && fabs(lat) <= 90 && isfinite(lon) && isfinite(lat),
                          "(%g, %g) -> (%g, %g)", far[i][0], far[i][1], lon, lat);
        else
            ck_assert_int_eq(rc, KKC_EINVAL);
    }
    crs_ctx_destroy(c);
}
END_TEST

START_TEST(ctx_destroy_null)
{
    crs_ctx_destroy(NULL);
}
END_TEST

/* ---------------------------------------------------------------- geodesics ---------------- */

static const struct {
    const char *what;
    double lon1, lat1, lon2, lat2;
    double s12;  /* metres */
    double azi1; /* degrees 0..360, or NAN when not checked */
    double tol;  /* metres */
} geod_cases[] = {
    /* GeographicLib documentation, Geodesic.Inverse: 19959.679267 km, azi1 161.067669986 */
    {"Wellington-Salamanca", 174.81, -41.32, -5.50, 40.96, 19959679.267, 161.067669986, 0.001},
    /* Vincenty (1975) / Geoscience Australia: 54972.271 m, 306 52 05.37 (GRS80; the change of
     * flattening to WGS84 moves this by far less than 1 mm) */
    {"Flinders Peak-Buninyong", 144 + 25 / 60. + 29.52440 / 3600, -(37 + 57 / 60. + 3.72030 / 3600),
     143 + 55 / 60. + 35.38390 / 3600, -(37 + 39 / 60. + 10.15610 / 3600), 54972.271,
     306 + 52 / 60. + 5.37 / 3600, 0.001},
    /* a quarter of the equator: a * pi / 2 */
    {"equator 90 deg", 0, 0, 90, 0, 6378137.0 * M_PI / 2, 90, 1e-6},
    /* WGS84 quarter meridian 10,001,965.729 m */
    {"equator to pole", 0, 0, 0, 90, 10001965.729, 0, 0.001},
    {"pole to pole", 0, 90, 0, -90, 2 * 10001965.729, 180, 0.002},
    {"equatorial antipodes (over a pole)", 0, 0, 180, 0, 2 * 10001965.729, NAN, 0.002},
    {"one degree of equator", 0, 0, 1, 0, 6378137.0 * M_PI / 180, 90, 1e-6},
    {"same point", 15.83, 50.21, 15.83, 50.21, 0, NAN, 1e-9},
    {"across the antimeridian", 179.5, 0, -179.5, 0, 6378137.0 * M_PI / 180, 90, 1e-6},
    {"due west", 1, 0, 0, 0, 6378137.0 * M_PI / 180, 270, 1e-6},
};

START_TEST(geodesic_known)
{
    double az = -1;
    double s = crs_geodesic(geod_cases[_i].lon1, geod_cases[_i].lat1, geod_cases[_i].lon2,
                            geod_cases[_i].lat2, &az);
    ck_assert_msg(fabs(s - geod_cases[_i].s12) <= geod_cases[_i].tol, "%s: %.6f m, expected %.6f",
                  geod_cases[_i].what, s, geod_cases[_i].s12);
    ck_assert_msg(az >= 0 && az < 360, "%s: azimuth %.9f outside 0..360", geod_cases[_i].what, az);
    if (!isnan(geod_cases[_i].azi1))
        ck_assert_msg(fabs(az - geod_cases[_i].azi1) < 1e-6, "%s: azimuth %.9f, expected %.9f",
                      geod_cases[_i].what, az, geod_cases[_i].azi1);
    /* without an azimuth pointer the distance is the same */
    ck_assert_double_eq(crs_geodesic(geod_cases[_i].lon1, geod_cases[_i].lat1, geod_cases[_i].lon2,
                                     geod_cases[_i].lat2, NULL),
                        s);
}
END_TEST

/* 5,000 random pairs (not nearly antipodal) against Vincenty: within 1 mm and 1e-6 degree. */
START_TEST(geodesic_vs_vincenty)
{
    unsigned long long rs = 2024;
    int checked = 0;
    for (int i = 0; i < 5000; i++) {
        double lon1 = -180 + 360 * tu_rand(&rs), lat1 = -89 + 178 * tu_rand(&rs);
        double lon2, lat2, az, vaz;
        if (i % 2) { /* short, as in the service */
            lon2 = lon1 + (tu_rand(&rs) - 0.5) * 4;
            lat2 = fmax(-89.9, fmin(89.9, lat1 + (tu_rand(&rs) - 0.5) * 4));
            lon2 = lon2 > 180 ? lon2 - 360 : lon2 < -180 ? lon2 + 360 : lon2;
        } else {
            lon2 = -180 + 360 * tu_rand(&rs);
            lat2 = -89 + 178 * tu_rand(&rs);
        }
        double v = vincenty(lon1, lat1, lon2, lat2, &vaz);
        if (v < 0 || v > 19500000)
            continue; /* Vincenty is not an oracle near antipodes */
        double s = crs_geodesic(lon1, lat1, lon2, lat2, &az);
        double daz = fabs(az - vaz);
        REQUIRE(fabs(s - v) < 1e-3, "(%.6f, %.6f)-(%.6f, %.6f): %.6f vs Vincenty %.6f", lon1, lat1,
                lon2, lat2, s, v);
        REQUIRE(fmin(daz, 360 - daz) < 1e-6, "azimuth %.9f vs Vincenty %.9f", az, vaz);
        checked++;
    }
    ck_assert_int_gt(checked, 4000);
}
END_TEST

/* The direct problem: the end point lies at the distance and azimuth asked (Vincenty's inverse). */
START_TEST(geodesic_direct)
{
    unsigned long long rs = 77;
    for (int i = 0; i < 2000; i++) {
        double lon = 11 + 9 * tu_rand(&rs), lat = 48 + 4 * tu_rand(&rs);
        double azi = 360 * tu_rand(&rs), dist = 200000 * tu_rand(&rs), lon2, lat2, vaz;
        crs_geodesic_direct(lon, lat, azi, dist, &lon2, &lat2);
        double v = vincenty(lon, lat, lon2, lat2, &vaz);
        double daz = fabs(vaz - azi);
        REQUIRE(fabs(v - dist) < 1e-3, "direct(%.6f, %.6f, %.6f, %.3f) -> (%.9f, %.9f) at %.4f m",
                lon, lat, azi, dist, lon2, lat2, v);
        REQUIRE(dist < 1 || fmin(daz, 360 - daz) < 1e-6, "azimuth %.9f, asked %.9f", vaz, azi);
    }
    /* a known one: 1 degree of longitude east along the equator */
    double lon2, lat2;
    crs_geodesic_direct(0, 0, 90, 6378137.0 * M_PI / 180, &lon2, &lat2);
    ck_assert_double_eq_tol(lon2, 1, 1e-12);
    ck_assert_double_eq_tol(lat2, 0, 1e-12);
}
END_TEST

Suite *crs_suite(void); /* for the runner */

Suite *crs_suite(void)
{
    Suite *s = suite_create("crs");
    TCase *tc = tu_tcase(s, "transform", 120);
    tcase_add_test(tc, sjtsk_control);
    tcase_add_test(tc, sjtsk_other_spellings);
    tcase_add_test(tc, web_mercator_closed_form);
    tcase_add_test(tc, cache_eviction);
    tcase_add_loop_test(tc, unknown_crs, 0, sizeof bad_crs / sizeof bad_crs[0]);
    tcase_add_test(tc, overlong_crs);
    tcase_add_loop_test(tc, nonfinite_input, 0, sizeof nonfinite / sizeof nonfinite[0]);
    tcase_add_test(tc, result_in_range);
    tcase_add_test(tc, ctx_destroy_null);

    tc = tu_tcase(s, "geodesic", 120);
    tcase_add_loop_test(tc, geodesic_known, 0, sizeof geod_cases / sizeof geod_cases[0]);
    tcase_add_test(tc, geodesic_vs_vincenty);
    tcase_add_test(tc, geodesic_direct);
    return s;
}
