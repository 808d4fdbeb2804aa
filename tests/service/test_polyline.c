/* tests/service/test_polyline.c -- the encoded polyline writer and reader (service/polyline.c).
 *
 * Oracles the code did not produce: the worked example of Google's format documentation, and
 * strings written by @mapbox/polyline 1.2.1 (the decoder Leaflet Routing Machine uses) for the
 * same points at precision 5 and 6, including halves that must round away from zero. */
#include "polyline.h"
#include "testutil.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PTS_MAX 4

struct vector {
    const char *what;
    int precision;
    size_t n;
    double latlon[PTS_MAX][2]; /* as the documentation writes them: lat, lon */
    const char *encoded;
};

static const struct vector vectors[] = {
    {"Google's documentation",
     5,
     3,
     {{38.5, -120.2}, {40.7, -120.95}, {43.252, -126.453}},
     "_p~iF~ps|U_ulLnnqC_mqNvxq`@"},
    {"the same at precision 6",
     6,
     3,
     {{38.5, -120.2}, {40.7, -120.95}, {43.252, -126.453}},
     "_izlhA~rlgdF_{geC~ywl@_kwzCn`{nI"},
    {"Heidelberg, halves at precision 5",
     5,
     4,
     {{49.4093512, 8.6939241}, {49.40936, 8.69392}, {-0.000005, 0.000005}, {0, 0}},
     "mgqlH_`at@A?pgqlH|_at@A@"},
    {"Heidelberg, halves at precision 6",
     6,
     4,
     {{49.4093512, 8.6939241}, {49.40936, 8.69392}, {-0.0000005, 0.0000015}, {0, 0}},
     "msuf}AgisqOQF`tuf}AzhsqOAB"},
    {"the corners", 5, 2, {{90, 180}, {-90, -180}}, "_cidP_gsia@~fsia@~ngtcA"},
    {"no points", 5, 0, {{0, 0}}, ""},
};

/* The vector's points as lon,lat pairs. */
static void lonlat_of(const struct vector *v, double *out)
{
    for (size_t i = 0; i < v->n; i++)
        out[2 * i] = v->latlon[i][1], out[2 * i + 1] = v->latlon[i][0];
}

START_TEST(test_encode_vectors)
{
    const struct vector *v = &vectors[_i];
    double ll[2 * PTS_MAX];
    char *s = NULL;
    struct kkc_err err = {0};

    lonlat_of(v, ll);
    ck_assert_int_eq(polyline_encode(ll, v->n, v->precision, &s, &err), KKC_OK);
    ck_assert_msg(strcmp(s, v->encoded) == 0, "%s: got '%s', want '%s'", v->what, s, v->encoded);
    free(s);
}
END_TEST

START_TEST(test_decode_vectors)
{
    const struct vector *v = &vectors[_i];
    double ll[2 * PTS_MAX], *got = NULL, q = pow(10, -v->precision);
    size_t n = 99;
    struct kkc_err err = {0};

    lonlat_of(v, ll);
    ck_assert_int_eq(
        polyline_decode(v->encoded, strlen(v->encoded), v->precision, 100, &got, &n, &err), KKC_OK);
    ck_assert_uint_eq(n, v->n);
    for (size_t i = 0; i < 2 * n; i++) /* within half a unit, plus the half-way cases */
        ck_assert_msg(fabs(got[i] - ll[i]) <= q * 0.5 + 1e-12, "%s: value %zu is %.9f not %.9f",
                      v->what, i, got[i], ll[i]);
    free(got);
}
END_TEST

/* A single value from Google's step-by-step description: -179.9832104 -> "`~oia@". */
START_TEST(test_encode_single_value)
{
    double ll[2] = {0, -179.9832104};
    char *s = NULL;
    ck_assert_int_eq(polyline_encode(ll, 1, 5, &s, NULL), KKC_OK);
    ck_assert_str_eq(s, "`~oia@?");
    free(s);
}
END_TEST

static const struct {
    const char *what, *text;
    int precision;
    size_t max_points;
    enum kkc_code rc;
} bad[] = {
    {"cut short", "_p~iF~ps|U_ulLnnqC_mqNvxq`", 5, 100, KKC_EINVAL},
    {"a lone latitude", "_p~iF", 5, 100, KKC_EINVAL},
    {"a space", "_p~iF ~ps|U", 5, 100, KKC_EINVAL},
    {"below '?'", "_p~iF>ps|U", 5, 100, KKC_EINVAL},
    {"too long a value", "~~~~~~~~~~~~~~~~?", 5, 100, KKC_EINVAL},
    {"latitude over 90", "_cidP?_cidP?", 5, 100, KKC_EINVAL},
    {"more than max_points", "_p~iF~ps|U_ulLnnqC_mqNvxq`@", 5, 2, KKC_ETOOBIG},
    {"precision out of range", "_p~iF~ps|U", 10, 100, KKC_EINVAL},
    {"negative precision", "_p~iF~ps|U", -1, 100, KKC_EINVAL},
};

START_TEST(test_decode_bad)
{
    double *got = (double *)1;
    size_t n = 99;
    struct kkc_err err = {0};
    enum kkc_code rc = polyline_decode(bad[_i].text, strlen(bad[_i].text), bad[_i].precision,
                                       bad[_i].max_points, &got, &n, &err);
    ck_assert_msg(rc == bad[_i].rc, "%s: code %d", bad[_i].what, rc);
    ck_assert_ptr_null(got);
    ck_assert_uint_eq(n, 0);
    ck_assert_str_ne(err.msg, "");
}
END_TEST

START_TEST(test_encode_bad)
{
    double ll[4] = {8.7, 49.4, NAN, 49.4};
    char *s = (char *)1;
    ck_assert_int_eq(polyline_encode(ll, 2, 5, &s, NULL), KKC_EINVAL);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(polyline_encode(ll, 1, POLYLINE_PRECISION_MAX + 1, &s, NULL), KKC_EINVAL);
    ck_assert_ptr_null(s);
}
END_TEST

/* Random points anywhere on Earth: decode(encode(p)) is p to half a unit at precision 5 and 6,
 * and encoding the decoded points again gives the same text. */
START_TEST(test_round_trip)
{
    enum { N = 500 };
    unsigned long long seed = 0x9e3779b97f4a7c15ULL + (unsigned long long)_i;
    static double ll[2 * N];
    int precision = 5 + _i;
    double q = pow(10, -precision), *got = NULL;
    char *s = NULL, *again = NULL;
    size_t n = 0;

    for (size_t i = 0; i < N; i++) {
        ll[2 * i] = tu_rand(&seed) * 360 - 180;
        ll[2 * i + 1] = tu_rand(&seed) * 180 - 90;
    }
    ck_assert_int_eq(polyline_encode(ll, N, precision, &s, NULL), KKC_OK);
    ck_assert_int_eq(polyline_decode(s, strlen(s), precision, N, &got, &n, NULL), KKC_OK);
    ck_assert_uint_eq(n, N);
    for (size_t i = 0; i < 2 * N; i++)
        ck_assert_msg(fabs(got[i] - ll[i]) <= q * 0.5 * (1 + 1e-9), "value %zu: %.9f vs %.9f", i,
                      got[i], ll[i]);
    ck_assert_int_eq(polyline_encode(got, n, precision, &again, NULL), KKC_OK);
    ck_assert_str_eq(again, s);
    free(s);
    free(again);
    free(got);
}
END_TEST

/* Random text in and around the alphabet: decoded or refused, never read past its end. */
START_TEST(test_decode_garbage)
{
    unsigned long long seed = 99;
    for (int round = 0; round < 2000; round++) {
        size_t len = (size_t)(tu_rand(&seed) * 40);
        char *s = malloc(len + 1), *again = NULL; /* exact size: ASan sees any overread */
        double *got = NULL;
        size_t n = 0;
        for (size_t i = 0; i < len; i++)
            s[i] = (char)(32 + (int)(tu_rand(&seed) * 96));
        enum kkc_code rc = polyline_decode(s, len, 5 + round % 2, 8, &got, &n, NULL);
        ck_assert(rc == KKC_OK || rc == KKC_EINVAL || rc == KKC_ETOOBIG);
        if (rc == KKC_OK) { /* what decodes encodes to text that decodes to the same points */
            double *back = NULL;
            size_t nb = 0;
            ck_assert_int_eq(polyline_encode(got, n, 5 + round % 2, &again, NULL), KKC_OK);
            ck_assert_int_eq(
                polyline_decode(again, strlen(again), 5 + round % 2, 8, &back, &nb, NULL), KKC_OK);
            ck_assert_uint_eq(nb, n);
            ck_assert(n == 0 || memcmp(back, got, 2 * n * sizeof *got) == 0);
            free(back);
        }
        free(again);
        free(got);
        free(s);
    }
}
END_TEST

Suite *polyline_suite(void); /* for the runner */

Suite *polyline_suite(void)
{
    Suite *s = suite_create("polyline");
    TCase *tc = tu_tcase(s, "codec", 0);
    size_t nv = sizeof vectors / sizeof vectors[0], nb = sizeof bad / sizeof bad[0];
    tcase_add_loop_test(tc, test_encode_vectors, 0, (int)nv);
    tcase_add_loop_test(tc, test_decode_vectors, 0, (int)nv);
    tcase_add_test(tc, test_encode_single_value);
    tcase_add_loop_test(tc, test_decode_bad, 0, (int)nb);
    tcase_add_test(tc, test_encode_bad);
    tcase_add_loop_test(tc, test_round_trip, 0, 2);
    tcase_add_test(tc, test_decode_garbage);
    return s;
}
