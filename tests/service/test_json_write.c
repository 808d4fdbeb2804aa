/* tests/service/test_json_write.c -- the direct JSON writers (service/json_write.c) against
 * jansson's own json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(15)) as the oracle: reals of
 * every magnitude (rounded to 0..9 decimals as the answers round them, and raw), integers,
 * strings with every control byte, quotes and UTF-8, nested trees, route lines; the public form
 * of every centre of the built database and of hand-made centres with NULL and non-UTF-8
 * fields. */
#include "json_out.h"
#include "json_write.h"
#include "testutil.h"

#include "base/store.h"
#include "centres/centres.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static char *oracle(json_t *v)
{
    return json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(15));
}

/* v (stolen) written both ways; the two texts must be equal. */
static void same(json_t *v, const char *what)
{
    char *want, *got;
    ck_assert_ptr_nonnull(v);
    want = oracle(v);
    got = kjw_dump(v);
    ck_assert_ptr_nonnull(want);
    ck_assert_msg(got && strcmp(want, got) == 0, "%s: jansson %s, ours %s", what, want,
                  got ? got : "(null)");
    free(want);
    free(got);
    json_decref(v);
}

static double rnd_real(unsigned long long *st, int i)
{
    double mag = pow(10, (int)(tu_rand(st) * 44) - 22), x = (tu_rand(st) - 0.5) * 2 * mag;
    switch (i % 4) {
    case 0: /* rounded as kkc_json_num() rounds */
        return kkc_json_round(x, (int)(tu_rand(st) * 10));
    case 1: /* whole numbers */
        return trunc(x);
    default:
        return x;
    }
}

START_TEST(test_reals)
{
    static const double fixed[] = {0.0,
                                   -0.0,
                                   0.5,
                                   1.0,
                                   -1.0,
                                   1e-4,
                                   9.9999e-5,
                                   1e-5,
                                   0.1,
                                   0.2,
                                   0.3,
                                   1e15,
                                   1e15 - 1,
                                   999999999999999.9,
                                   1e16,
                                   1e300,
                                   -1e-300,
                                   5e-324,
                                   123456789012345.6,
                                   15.8303,
                                   50.2056,
                                   489.9,
                                   177.5,
                                   -641213.09,
                                   2.5e-4,
                                   0.000123456789,
                                   12345.678901234,
                                   1.7976931348623157e308};
    unsigned long long st = 20261203;
    json_t *arr = json_array();
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        json_array_append_new(arr, json_real(fixed[i]));
    same(arr, "fixed reals");
    for (int i = 0; i < 200000; i++) {
        double x = rnd_real(&st, i);
        json_t *v = json_array();
        json_array_append_new(v, json_real(x));
        same(v, "a random real");
    }
}
END_TEST

/* kjw_fixed(x, d) against the dump of kkc_json_num(x, d). */
START_TEST(test_fixed)
{
    static const double fixed[] = {0.0,           -0.0, 0.04, -0.05, 0.00005, 0.00015,
                                   1e-4,          5e-5, 0.5,  -0.5,  2.5,     1e14,
                                   9.99999999e14, 1e15, 1e16, NAN,   INFINITY};
    unsigned long long st = 17;
    for (int i = 0; i < 300000; i++) {
        int d = i % 10;
        double x = i < 170 ? fixed[i % 17] : rnd_real(&st, i | 2);
        json_t *v = json_array();
        struct strbuf b;
        char *want;
        json_array_append_new(v, kkc_json_num(x, d));
        want = oracle(v);
        strbuf_init(&b, 1 << 10);
        KJW_LIT(&b, "[");
        kjw_fixed(&b, x, d);
        KJW_LIT(&b, "]");
        ck_assert_msg(want && b.data && strcmp(want, b.data) == 0, "%.17g, %d: %s / %s", x, d, want,
                      b.data);
        strbuf_free(&b);
        free(want);
        json_decref(v);
    }
}
END_TEST

START_TEST(test_integers_and_atoms)
{
    json_t *v = json_pack("[I, I, I, I, b, b, n, {}, []]", (json_int_t)0, (json_int_t)-1,
                          (json_int_t)9223372036854775807LL,
                          (json_int_t)(-9223372036854775807LL - 1), 1, 0);
    same(v, "integers, true, false, null, empty containers");
}
END_TEST

START_TEST(test_strings)
{
    char all[128];
    json_t *v = json_object();
    for (int i = 0; i < 127; i++)
        all[i] = (char)(i + 1);
    all[127] = '\0';
    json_object_set_new(v, "bytes 1..127", json_string(all));
    json_object_set_new(v, "with NUL", json_stringn("a\0b", 3));
    json_object_set_new(v, "key \"quoted\"\\\t",
                        json_string("Hradec Králové – Žluťoučký kůň 🚒 / \\"));
    json_object_set_new(v, "", json_string(""));
    json_object_set_new(v, "nested", json_pack("{s:[i, {s:s}], s:f}", "a", 1, "b", "c", "d", 0.25));
    same(v, "strings, keys, nesting");
}
END_TEST

START_TEST(test_line)
{
    unsigned long long st = 49;
    for (size_t n = 0; n < 300; n += 37) {
        double *xy = malloc((2 * n + 1) * sizeof *xy);
        json_t *c = json_array(), *v;
        struct strbuf b;
        char *want;
        for (size_t i = 0; i < 2 * n; i++)
            xy[i] = (tu_rand(&st) - 0.5) * (i % 2 ? 180 : 360) * pow(10, -(int)(i % 7));
        for (size_t i = 0; i < n; i++) /* the tree GET /v1/route built before */
            json_array_append_new(
                c, json_pack("[o,o]", kkc_json_num(xy[2 * i], 6), kkc_json_num(xy[2 * i + 1], 6)));
        v = json_pack("{s:s, s:o}", "type", "LineString", "coordinates", c);
        want = oracle(v);
        strbuf_init(&b, 1 << 24);
        kjw_line(&b, xy, n, 6);
        ck_assert_msg(want && b.data && strcmp(want, b.data) == 0, "%zu points: %.200s / %.200s", n,
                      want, b.data);
        strbuf_free(&b);
        free(want);
        json_decref(v);
        free(xy);
    }
}
END_TEST

/* The centre written directly must be the dump of kkc_json_centre(). */
static void same_centre(const struct centre *c)
{
    struct strbuf b;
    json_t *v = kkc_json_centre(c);
    char *want = oracle(v);
    strbuf_init(&b, 1 << 20);
    kjw_centre(&b, c);
    ck_assert_msg(want && b.data && strcmp(want, b.data) == 0, "centre %s: jansson %s, ours %s",
                  c->id ? c->id : "(null)", want, b.data);
    strbuf_free(&b);
    free(want);
    json_decref(v);
}

START_TEST(test_centres_of_the_database)
{
    struct store *st = NULL;
    struct centres *cs = NULL;
    struct kkc_err err = {0};
    ck_assert_msg(store_open(tu_db(), STORE_READONLY, &st, &err) == KKC_OK, "%s", err.msg);
    ck_assert_msg(centres_load(st, &cs, &err) == KKC_OK, "%s", err.msg);
    ck_assert_uint_gt(centres_count(cs), 0);
    for (size_t i = 0; i < centres_count(cs); i++)
        same_centre(centres_get(cs, i));
    centres_destroy(cs);
    store_close(st);
}
END_TEST

START_TEST(test_centres_made_by_hand)
{
    struct centre c = {.id = "X1",
                       .name = "Nový \"střed\"\n",
                       .kind = KIND_FIRE,
                       .lon = -0.00000001,
                       .lat = 89.99999995,
                       .active = 0,
                       .turnout_s = 90,
                       .source = "user"};
    same_centre(&c);
    c.name = "bad \xC3\x28 UTF-8"; /* json_string() refuses it: the field is left out */
    c.address = "\xED\xA0\x80";    /* a surrogate */
    c.phone = "\xF4\x90\x80\x80";  /* past U+10FFFF */
    c.email = "\xC0\xAF";          /* overlong */
    c.www = "ok \xF0\x9F\x9A\x92";
    c.turnout_s = 0;
    c.lon = NAN;
    same_centre(&c);
    c.id = NULL;
    c.name = NULL;
    c.lat = 1e-12;
    same_centre(&c);
}
END_TEST

Suite *json_write_suite(void); /* for the runner */

Suite *json_write_suite(void)
{
    Suite *s = suite_create("json_write");
    TCase *tc = tu_tcase(s, "against jansson", 60);
    tcase_add_test(tc, test_reals);
    tcase_add_test(tc, test_fixed);
    tcase_add_test(tc, test_integers_and_atoms);
    tcase_add_test(tc, test_strings);
    tcase_add_test(tc, test_line);
    tcase_add_test(tc, test_centres_of_the_database);
    tcase_add_test(tc, test_centres_made_by_hand);
    return s;
}
