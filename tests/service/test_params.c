/* tests/service/test_params.c -- strict query parameters (service/params.c), rule by rule.
 *
 * Every rule of service/params.h: a number is a whole finite decimal (no junk before or after, no
 * white space, no hex, no nan/inf, no overflow) inside its range; integers likewise; booleans are
 * true/false/1/0; choices are exact; absent optional values leave the output alone; a name given
 * twice, more than PARAMS_MAX names, or a name nobody took fail params_finish. */
#include "params.h"
#include "testutil.h"

#include <check.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- numbers ------------------ */

static const struct {
    const char *s;
    int ok;
    double want;
} dbl_cases[] = {
    {"15.5", 1, 15.5},
    {"-15.5", 1, -15.5},
    {"0", 1, 0},
    {"-0", 1, 0},
    {"180", 1, 180},
    {"-180", 1, -180},
    {"1e2", 1, 100},
    {"1E2", 1, 100},
    {"2.5e-3", 1, 0.0025},
    {".5", 1, 0.5},
    {"5.", 1, 5},
    {"49.123456789012", 1, 49.123456789012},
    /* out of range */
    {"180.0000001", 0, 0},
    {"-180.0000001", 0, 0},
    {"1e3", 0, 0},
    /* junk */
    {"", 0, 0},
    {" ", 0, 0},
    {"15abc", 0, 0},
    {"abc", 0, 0},
    {"15 ", 0, 0},
    {" 15", 0, 0},
    {"\t15", 0, 0},
    {"15\t", 0, 0},
    {"\n15", 0, 0},
    {"15\n", 0, 0},
    {"\r15", 0, 0},
    {"\v15", 0, 0},
    {"\f15", 0, 0},
    {"15\r", 0, 0},
    {"1,5", 0, 0},
    {"15;", 0, 0},
    {"1.5.5", 0, 0},
    {"--15", 0, 0},
    {"-", 0, 0},
    {".", 0, 0},
    {"e5", 0, 0},
    {"1e", 0, 0},
    {"1e+", 0, 0},
    {"15%", 0, 0},
    /* not finite, hex */
    {"nan", 0, 0},
    {"NaN", 0, 0},
    {"-nan", 0, 0},
    {"nan(123)", 0, 0},
    {"inf", 0, 0},
    {"-inf", 0, 0},
    {"INF", 0, 0},
    {"Infinity", 0, 0},
    {"-Infinity", 0, 0},
    {"1e999", 0, 0},
    {"-1e999", 0, 0},
    {"0x10", 0, 0},
    {"0X10", 0, 0},
    {"0x1p4", 0, 0},
    {"-0x1.8p1", 0, 0},
};

START_TEST(double_values)
{
    struct params p;
    struct kkc_err err = {0};
    double v = -999;
    params_init(&p);
    params_add(&p, "lon", dbl_cases[_i].s);
    enum kkc_code rc = params_double(&p, "lon", 1, -180, 180, &v, &err);
    if (dbl_cases[_i].ok) {
        ck_assert_msg(rc == KKC_OK, "'%s' rejected: %s", dbl_cases[_i].s, err.msg);
        ck_assert_double_eq(v, dbl_cases[_i].want);
    } else {
        ck_assert_msg(rc == KKC_EINVAL, "'%s' accepted as %.17g", dbl_cases[_i].s, v);
        ck_assert_int_eq(err.code, KKC_EINVAL);
        ck_assert_ptr_nonnull(strstr(err.msg, "lon"));
        ck_assert_double_eq(v, -999); /* untouched on failure */
    }
    /* the parser alone agrees (ranges aside) */
    double w = -999;
    int parsed = params_parse_double(dbl_cases[_i].s, &w);
    if (dbl_cases[_i].ok)
        ck_assert_int_eq(parsed, 1);
    else if (parsed)
        ck_assert_msg(fabs(w) > 180, "'%s' parses as %.17g", dbl_cases[_i].s, w);
}
END_TEST

START_TEST(parse_double_null)
{
    double w = 3;
    ck_assert_int_eq(params_parse_double(NULL, &w), 0);
    ck_assert_int_eq(params_parse_double("1e308", &w), 1);
    ck_assert_double_eq(w, 1e308);
    ck_assert_int_eq(params_parse_double("1e309", &w), 0);
}
END_TEST

static const struct {
    const char *s;
    int ok;
    long want;
} long_cases[] = {
    {"3", 1, 3},
    {"1", 1, 1},
    {"50", 1, 50},
    {"0", 0, 0},
    {"51", 0, 0},
    {"-1", 0, 0},
    {"-0", 0, 0},
    {"3.0", 0, 0},
    {"3.", 0, 0},
    {"3x", 0, 0},
    {"x3", 0, 0},
    {"", 0, 0},
    {" 3", 0, 0},
    {"3 ", 0, 0},
    {"\t3", 0, 0},
    {"\n3", 0, 0},
    {"\v3", 0, 0},
    {"\f3", 0, 0},
    {"\r3", 0, 0},
    {"3\n", 0, 0},
    {"0x3", 0, 0},
    {"1e1", 0, 0},
    {"nan", 0, 0},
    {"inf", 0, 0},
    {"99999999999999999999", 0, 0},
    {"-99999999999999999999", 0, 0},
    {"3,4", 0, 0},
};

START_TEST(long_values)
{
    struct params p;
    struct kkc_err err = {0};
    long v = -999;
    params_init(&p);
    params_add(&p, "k", long_cases[_i].s);
    enum kkc_code rc = params_long(&p, "k", 1, 1, 50, &v, &err);
    if (long_cases[_i].ok) {
        ck_assert_msg(rc == KKC_OK, "'%s' rejected: %s", long_cases[_i].s, err.msg);
        ck_assert_int_eq(v, long_cases[_i].want);
    } else {
        ck_assert_msg(rc == KKC_EINVAL, "'%s' accepted as %ld", long_cases[_i].s, v);
        ck_assert_ptr_nonnull(strstr(err.msg, "k"));
        ck_assert_int_eq(v, -999);
    }
}
END_TEST

/* Range limits are inclusive and work for the extremes of long. */
START_TEST(long_limits)
{
    struct params p;
    struct kkc_err err = {0};
    long v = 0;
    params_init(&p);
    params_add(&p, "a", "-9223372036854775808");
    params_add(&p, "b", "9223372036854775807");
    params_add(&p, "c", "9223372036854775808");
    ck_assert_int_eq(params_long(&p, "a", 1, LONG_MIN, LONG_MAX, &v, &err), KKC_OK);
    ck_assert_int_eq(v, LONG_MIN);
    ck_assert_int_eq(params_long(&p, "b", 1, LONG_MIN, LONG_MAX, &v, &err), KKC_OK);
    ck_assert_int_eq(v, LONG_MAX);
    ck_assert_int_eq(params_long(&p, "c", 1, LONG_MIN, LONG_MAX, &v, &err), KKC_EINVAL);
}
END_TEST

/* ---------------------------------------------------------------- required / absent -------- */

START_TEST(required_and_absent)
{
    struct params p;
    struct kkc_err err = {0};
    double d = 7.5;
    long l = 7;
    int b = 7, ch = 7;
    static const char *const choices[] = {"json", "geojson", NULL};

    params_init(&p);
    ck_assert_int_eq(params_double(&p, "lat", 1, -90, 90, &d, &err), KKC_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "lat"));
    ck_assert_int_eq(params_long(&p, "k", 1, 1, 50, &l, &err), KKC_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "k"));
    kkc_err_clear(&err);
    ck_assert_int_eq(params_double(&p, "lat", 0, -90, 90, &d, &err), KKC_OK);
    ck_assert_int_eq(params_long(&p, "k", 0, 1, 50, &l, &err), KKC_OK);
    ck_assert_int_eq(params_bool(&p, "include_closed", &b, &err), KKC_OK);
    ck_assert_int_eq(params_choice(&p, "format", choices, &ch, &err), KKC_OK);
    ck_assert_double_eq(d, 7.5);
    ck_assert_int_eq(l, 7);
    ck_assert_int_eq(b, 7);
    ck_assert_int_eq(ch, 7);
    ck_assert_ptr_null(params_str(&p, "lat"));
    ck_assert_int_eq(params_finish(&p, &err), KKC_OK);
}
END_TEST

/* A name without a value ("?lat") is present and empty: required numbers reject it. */
START_TEST(empty_value)
{
    struct params p;
    struct kkc_err err = {0};
    double d = 1;
    params_init(&p);
    params_add(&p, "lat", NULL);
    ck_assert_str_eq(params_str(&p, "lat"), "");
    ck_assert_int_eq(params_double(&p, "lat", 0, -90, 90, &d, &err), KKC_EINVAL);
    ck_assert_double_eq(d, 1);
}
END_TEST

/* ---------------------------------------------------------------- booleans and choices ----- */

static const struct {
    const char *s;
    int ok, want;
} bool_cases[] = {
    {"true", 1, 1},  {"1", 1, 1},     {"false", 1, 0}, {"0", 1, 0},       {"TRUE", 0, 0},
    {"True", 0, 0},  {"yes", 0, 0},   {"no", 0, 0},    {"", 0, 0},        {"2", 0, 0},
    {"true ", 0, 0}, {" true", 0, 0}, {"truex", 0, 0}, {"00", 0, 0},      {"on", 0, 0},
    {"-1", 0, 0},    {"t", 0, 0},     {"f", 0, 0},     {"false\n", 0, 0},
};

START_TEST(bool_values)
{
    struct params p;
    struct kkc_err err = {0};
    int v = 7;
    params_init(&p);
    params_add(&p, "include_closed", bool_cases[_i].s);
    enum kkc_code rc = params_bool(&p, "include_closed", &v, &err);
    if (bool_cases[_i].ok) {
        ck_assert_msg(rc == KKC_OK, "'%s' rejected", bool_cases[_i].s);
        ck_assert_int_eq(v, bool_cases[_i].want);
    } else {
        ck_assert_msg(rc == KKC_EINVAL, "'%s' accepted as %d", bool_cases[_i].s, v);
        ck_assert_ptr_nonnull(strstr(err.msg, "include_closed"));
        ck_assert_int_eq(v, 7);
    }
}
END_TEST

static const struct {
    const char *s;
    int want; /* index, -1 = rejected */
} choice_cases[] = {
    {"distance", 0}, {"time", 1},   {"Distance", -1}, {"TIME", -1},      {"", -1},
    {"dist", -1},    {"time ", -1}, {" time", -1},    {"distancex", -1}, {"timedistance", -1},
};

START_TEST(choice_values)
{
    static const char *const bys[] = {"distance", "time", NULL};
    struct params p;
    struct kkc_err err = {0};
    int v = 7;
    params_init(&p);
    params_add(&p, "by", choice_cases[_i].s);
    enum kkc_code rc = params_choice(&p, "by", bys, &v, &err);
    if (choice_cases[_i].want >= 0) {
        ck_assert_int_eq(rc, KKC_OK);
        ck_assert_int_eq(v, choice_cases[_i].want);
    } else {
        ck_assert_msg(rc == KKC_EINVAL, "'%s' accepted as %d", choice_cases[_i].s, v);
        ck_assert_int_eq(v, 7);
        /* the message names the parameter and every choice */
        ck_assert_ptr_nonnull(strstr(err.msg, "by"));
        ck_assert_ptr_nonnull(strstr(err.msg, "distance"));
        ck_assert_ptr_nonnull(strstr(err.msg, "time"));
    }
}
END_TEST

/* ---------------------------------------------------------------- params_finish ------------ */

START_TEST(duplicate_name)
{
    struct params p;
    struct kkc_err err = {0};
    double v = 0;
    params_init(&p);
    params_add(&p, "lon", "15");
    params_add(&p, "lat", "50");
    params_add(&p, "lon", "16");
    /* the handler may read it, but the request is still refused */
    ck_assert_int_eq(params_double(&p, "lon", 1, -180, 180, &v, &err), KKC_OK);
    ck_assert_int_eq(params_double(&p, "lat", 1, -90, 90, &v, &err), KKC_OK);
    ck_assert_int_eq(params_finish(&p, &err), KKC_EINVAL);
    ck_assert_int_eq(err.code, KKC_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "lon"));
}
END_TEST

START_TEST(duplicate_same_value)
{
    struct params p;
    struct kkc_err err = {0};
    params_init(&p);
    params_add(&p, "k", "3");
    params_add(&p, "k", "3");
    params_str(&p, "k");
    ck_assert_int_eq(params_finish(&p, &err), KKC_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "k"));
}
END_TEST

START_TEST(unknown_name)
{
    struct params p;
    struct kkc_err err = {0};
    double v;
    params_init(&p);
    params_add(&p, "lon", "15");
    params_add(&p, "lat", "50");
    params_add(&p, "radius", "5");
    params_double(&p, "lon", 1, -180, 180, &v, &err);
    params_double(&p, "lat", 1, -90, 90, &v, &err);
    ck_assert_int_eq(params_finish(&p, &err), KKC_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "radius"));
    /* once taken, it is known */
    params_str(&p, "radius");
    kkc_err_clear(&err);
    ck_assert_int_eq(params_finish(&p, &err), KKC_OK);
}
END_TEST

/* Names are exact: case and spaces matter. */
START_TEST(names_exact)
{
    struct params p;
    struct kkc_err err = {0};
    double v = 1;
    params_init(&p);
    params_add(&p, "LON", "15");
    params_add(&p, "lat ", "50");
    ck_assert_int_eq(params_double(&p, "lon", 1, -180, 180, &v, &err), KKC_EINVAL);
    ck_assert_int_eq(params_double(&p, "lat", 1, -90, 90, &v, &err), KKC_EINVAL);
    ck_assert_int_eq(params_finish(&p, &err), KKC_EINVAL);
}
END_TEST

START_TEST(too_many)
{
    struct params p;
    struct kkc_err err = {0};
    char names[PARAMS_MAX + 1][16];
    params_init(&p);
    for (int i = 0; i < PARAMS_MAX; i++) {
        snprintf(names[i], sizeof names[i], "p%d", i);
        params_add(&p, names[i], "1");
    }
    for (int i = 0; i < PARAMS_MAX; i++)
        ck_assert_ptr_nonnull(params_str(&p, names[i]));
    ck_assert_int_eq(params_finish(&p, &err), KKC_OK); /* exactly PARAMS_MAX is fine */
    snprintf(names[PARAMS_MAX], sizeof names[PARAMS_MAX], "p%d", PARAMS_MAX);
    params_add(&p, names[PARAMS_MAX], "1");
    params_str(&p, names[PARAMS_MAX]);
    ck_assert_int_eq(params_finish(&p, &err), KKC_EINVAL);
    ck_assert_int_eq(err.code, KKC_EINVAL);
}
END_TEST

/* A long value is cut short in the message, not overrun it. */
START_TEST(long_value_message)
{
    struct params p;
    struct kkc_err err = {0};
    char *big = malloc(10001);
    double v;
    memset(big, '9', 10000);
    big[0] = 'x';
    big[10000] = '\0';
    params_init(&p);
    params_add(&p, "lat", big);
    ck_assert_int_eq(params_double(&p, "lat", 1, -90, 90, &v, &err), KKC_EINVAL);
    ck_assert_uint_lt(strlen(err.msg), KKC_ERR_MSG_MAX);
    free(big);
}
END_TEST

Suite *params_suite(void); /* for the runner */

/* The one list splitter: empty items skipped, items that do not fit reported and skipped. */
START_TEST(list_items)
{
    char buf[4];
    struct params_items it = params_items(",ab,,c;d,toolong,e,", ',');
    ck_assert_int_eq(params_item_next(&it, buf, sizeof buf), 1);
    ck_assert_str_eq(buf, "ab");
    ck_assert_int_eq(params_item_next(&it, buf, sizeof buf), 1);
    ck_assert_str_eq(buf, "c;d");
    ck_assert_int_eq(params_item_next(&it, buf, sizeof buf), -1);
    ck_assert_int_eq(params_item_next(&it, buf, sizeof buf), 1);
    ck_assert_str_eq(buf, "e");
    ck_assert_int_eq(params_item_next(&it, buf, sizeof buf), 0);
    ck_assert_int_eq(params_item_next(&it, buf, sizeof buf), 0);
    it = params_items("", ';');
    ck_assert_int_eq(params_item_next(&it, buf, sizeof buf), 0);
}
END_TEST

/* The exact walk keeps empty items and reads only len bytes; the items written out by hand,
 * joined with '|' ("-" for an item too long for the 4-byte buffer). */
static const struct {
    const char *s;
    size_t len; /* 0: strlen */
    const char *want;
} exact_cases[] = {
    {"a;b", 0, "a|b"},          {"a;;b", 0, "a||b"},    {";a;", 0, "|a|"},
    {"", 0, ""},                {";", 0, "|"},          {"ab;toolong;c", 0, "ab|-|c"},
    {"1,2;3,4.json", 7, "1,2|3,4"}, {"x;y", 1, "x"},
};

START_TEST(list_items_exact)
{
    char buf[4], got[64] = "";
    size_t len = exact_cases[_i].len ? exact_cases[_i].len : strlen(exact_cases[_i].s);
    struct params_items it = params_items_exact(exact_cases[_i].s, len, ';');
    int r, n = 0;
    while ((r = params_item_next(&it, buf, sizeof buf)) != 0) {
        if (n++)
            strcat(got, "|");
        strcat(got, r > 0 ? buf : "-");
    }
    ck_assert_str_eq(got, exact_cases[_i].want);
    ck_assert_int_eq(n, (int)params_items_count(exact_cases[_i].s, len, ';'));
}
END_TEST

/* Pairs: exactly two finite decimals; LON,LAT within WGS84 range. */
START_TEST(pairs)
{
    static const char *const bad[] = {"1",     "1,",   ",2",  "1,2,3", "1;2",  "a,2",
                                      "1,nan", "0x1,2", "1, 2", "",    ",",    "1,,2"};
    double a = 0, b = 0;
    ck_assert(params_parse_pair("15.83,-50.5", &a, &b) && a == 15.83 && b == -50.5);
    ck_assert(params_parse_lonlat("-180,90", &a, &b) && a == -180 && b == 90);
    ck_assert(!params_parse_lonlat("180.5,0", &a, &b));
    ck_assert(!params_parse_lonlat("0,-90.1", &a, &b));
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(!params_parse_pair(bad[i], &a, &b), "'%s' taken as a pair", bad[i]);
}
END_TEST

/* Lists of lists: the outer items in place, the inner walked over the span. */
START_TEST(list_spans)
{
    struct params_items out = params_items("1,2,3,4||5,6", '|'), in;
    const char *item;
    size_t len;
    char buf[8];
    ck_assert(params_item_span(&out, &item, &len) && len == 7 && strncmp(item, "1,2,3,4", 7) == 0);
    in = params_items_exact(item, len, ',');
    for (int k = 1; k <= 4; k++) {
        ck_assert_int_eq(params_item_next(&in, buf, sizeof buf), 1);
        ck_assert_int_eq(atoi(buf), k);
    }
    ck_assert_int_eq(params_item_next(&in, buf, sizeof buf), 0);
    ck_assert(params_item_span(&out, &item, &len) && len == 3 && strncmp(item, "5,6", 3) == 0);
    ck_assert(!params_item_span(&out, &item, &len));
}
END_TEST

Suite *params_suite(void)
{
    Suite *s = suite_create("params");
    TCase *tc = tu_tcase(s, "values", 30); /* tiny tests, but forked: a loaded sanitized run needs slack */
    tcase_add_loop_test(tc, double_values, 0, sizeof dbl_cases / sizeof dbl_cases[0]);
    tcase_add_test(tc, parse_double_null);
    tcase_add_loop_test(tc, long_values, 0, sizeof long_cases / sizeof long_cases[0]);
    tcase_add_test(tc, long_limits);
    tcase_add_test(tc, required_and_absent);
    tcase_add_test(tc, empty_value);
    tcase_add_loop_test(tc, bool_values, 0, sizeof bool_cases / sizeof bool_cases[0]);
    tcase_add_loop_test(tc, choice_values, 0, sizeof choice_cases / sizeof choice_cases[0]);

    tc = tu_tcase(s, "finish", 30);
    tcase_add_test(tc, duplicate_name);
    tcase_add_test(tc, duplicate_same_value);
    tcase_add_test(tc, unknown_name);
    tcase_add_test(tc, names_exact);
    tcase_add_test(tc, too_many);
    tcase_add_test(tc, long_value_message);
    tcase_add_test(tc, list_items);
    tcase_add_loop_test(tc, list_items_exact, 0, sizeof exact_cases / sizeof exact_cases[0]);
    tcase_add_test(tc, pairs);
    tcase_add_test(tc, list_spans);
    return s;

}
