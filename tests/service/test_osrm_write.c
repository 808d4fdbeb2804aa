/* tests/service/test_osrm_write.c -- the OSRM answers' pieces written straight into a buffer
 * (service/api_osrm_write.c) against jansson as the oracle: the trees the handlers built before
 * (json_pack of kkc_json_num, json_string of polyline_encode...) dumped by json_dumps(v,
 * JSON_COMPACT | JSON_REAL_PRECISION(15)). Polylines of random points, among them many whose
 * text holds a backslash (the one character of the alphabet JSON escapes); steps made by hand
 * with every optional field; text that is not UTF-8 against kkc_json_text(). */
#include "api_osrm_req.h"
#include "json_out.h"
#include "json_write.h"
#include "polyline.h"
#include "road/guidance.h"
#include "road/route.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static char *oracle(json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(15));
    json_decref(v);
    return s;
}

/* The text of buffer b against the dump of v (stolen); frees b. */
static void same(struct strbuf *b, json_t *v, const char *what)
{
    char *want;
    ck_assert_ptr_nonnull(v);
    want = oracle(v);
    ck_assert_ptr_nonnull(want);
    ck_assert_msg(!b->failed && b->data && strcmp(want, b->data) == 0, "%s: jansson %s, ours %s",
                  what, want, b->data ? b->data : "(null)");
    free(want);
    strbuf_free(b);
}

static double rnd(unsigned long long *st)
{
    *st = *st * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(*st >> 11) / 9007199254740992.0;
}

/* A geometry inside an array (the oracle dumps arrays and objects only). */
static void geometry_in_array(struct strbuf *b, const double *ll, size_t n, enum geom_fmt f)
{
    KJW_LIT(b, "[");
    ck_assert_int_eq(osrm_w_geometry(b, ll, n, f), 0);
    KJW_LIT(b, "]");
}

START_TEST(test_polylines)
{
    unsigned long long st = 20261204;
    int with_backslash = 0;
    for (int i = 0; i < 3000; i++) {
        size_t n = 1 + (size_t)(rnd(&st) * 40);
        double ll[80];
        int fmt = i % 2 ? GEOM_POLYLINE6 : GEOM_POLYLINE;
        char *enc = NULL;
        struct strbuf b;
        for (size_t k = 0; k < 2 * n; k++)
            ll[k] = k % 2 ? 49.4 + (rnd(&st) - 0.5) * 0.02 : 8.69 + (rnd(&st) - 0.5) * 0.02;
        if (n == 1) /* one point is written twice */
            ll[2] = ll[0], ll[3] = ll[1];
        ck_assert_int_eq(polyline_encode(ll, n == 1 ? 2 : n, fmt == GEOM_POLYLINE6 ? 6 : 5, &enc,
                                         NULL),
                         KKC_OK);
        with_backslash += strchr(enc, '\\') != NULL;
        strbuf_init(&b, 1 << 20);
        geometry_in_array(&b, ll, n, (enum geom_fmt)fmt);
        same(&b, json_pack("[s]", enc), "polyline");
        free(enc);
    }
    ck_assert_int_gt(with_backslash, 100); /* the escape was exercised */
}
END_TEST

START_TEST(test_geojson_and_numbers)
{
    double ll[6] = {8.6912345678, 49.40000049, -0.0000004, 0.1234565, 180, -90};
    struct strbuf b;
    json_t *c = json_array();
    for (int i = 0; i < 3; i++)
        json_array_append_new(c, json_pack("[o,o]", kkc_json_num(ll[2 * i], 6),
                                           kkc_json_num(ll[2 * i + 1], 6)));
    strbuf_init(&b, 1 << 20);
    geometry_in_array(&b, ll, 3, GEOM_GEOJSON);
    same(&b, json_pack("[{s:s, s:o}]", "type", "LineString", "coordinates", c), "geojson");

    graph_cost m[6] = {graph_cost_make(1234, 5678), GRAPH_COST_INF, graph_cost_make(0, 0),
                       graph_cost_make(999999, 1), graph_cost_make(50, 50), 7};
    for (int what = 0; what < 2; what++) {
        json_t *rows = json_array();
        for (int i = 0; i < 2; i++) {
            json_t *row = json_array();
            for (int j = 0; j < 3; j++) {
                graph_cost x = m[i * 3 + j];
                json_array_append_new(row, x == GRAPH_COST_INF ? json_null()
                                           : what ? kkc_json_num(graph_cost_metres(x), 1)
                                                  : kkc_json_num(graph_cost_seconds(x), 1));
            }
            json_array_append_new(rows, row);
        }
        strbuf_init(&b, 1 << 20);
        osrm_w_matrix(&b, m, 2, 3, what);
        same(&b, rows, "matrix");
    }
}
END_TEST

START_TEST(test_text)
{
    static const char *const texts[] = {"", "Hauptstraße", "a \"quoted\" \\ name\n\t",
                                        "\x01\x1f control", "\xC3\x28 bad", "\xF4\x90\x80\x80",
                                        "ok \xF0\x9F\x9A\x92 then \xFF"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        struct strbuf b;
        strbuf_init(&b, 1 << 20);
        KJW_LIT(&b, "[");
        osrm_w_text(&b, texts[i]);
        KJW_LIT(&b, "]");
        same(&b, json_pack("[o]", kkc_json_text(texts[i])), texts[i]);
    }
}
END_TEST

/* The step as api_osrm_route.c built it with jansson before it wrote it straight. */
static json_t *step_tree(const struct guide_leg *l, const struct guide_step *g,
                         const struct route_result *rr)
{
    json_t *isects = json_array(), *st, *man;
    char *enc = NULL;
    for (size_t i = 0; i < g->isect_count; i++) {
        const struct guide_isect *x = &l->isects[g->isect_first + i];
        json_t *bs = json_array(), *en = json_array(), *o;
        for (int k = 0; k < x->n; k++) {
            json_array_append_new(bs, json_integer(x->bearing[k]));
            json_array_append_new(en, json_boolean(x->entry[k]));
        }
        o = json_pack("{s:[o,o], s:o, s:o}", "location", kkc_json_num(x->loc[0], 6),
                      kkc_json_num(x->loc[1], 6), "bearings", bs, "entry", en);
        if (x->in >= 0)
            json_object_set_new(o, "in", json_integer(x->in));
        if (x->out >= 0)
            json_object_set_new(o, "out", json_integer(x->out));
        json_array_append_new(isects, o);
    }
    man = json_pack("{s:i, s:i, s:[o,o], s:s}", "bearing_after", g->m.bearing_after,
                    "bearing_before", g->m.bearing_before, "location", kkc_json_num(g->m.loc[0], 6),
                    kkc_json_num(g->m.loc[1], 6), "type", g->m.type);
    if (g->m.modifier)
        json_object_set_new(man, "modifier", json_string(g->m.modifier));
    if (g->m.exit > 0)
        json_object_set_new(man, "exit", json_integer(g->m.exit));
    const double *p = rr->coords + 2 * g->coord_first;
    double two[4] = {p[0], p[1], p[0], p[1]}; /* one point is written twice */
    size_t n = g->coord_last - g->coord_first + 1;
    ck_assert_int_eq(polyline_encode(n == 1 ? two : p, n == 1 ? 2 : n, 5, &enc, NULL), KKC_OK);
    st = json_pack("{s:s, s:o, s:o, s:o, s:s, s:s, s:s, s:o, s:o}", "geometry", enc, "distance",
                   kkc_json_num(g->distance_m, 1), "duration", kkc_json_num(g->duration_s, 1),
                   "weight", kkc_json_num(g->duration_s, 1), "name", g->name, "mode", "driving",
                   "driving_side", "right", "maneuver", man, "intersections", isects);
    free(enc);
    if (*g->ref)
        json_object_set_new(st, "ref", json_string(g->ref));
    if (g->rotary_name)
        json_object_set_new(st, "rotary_name", json_string(g->rotary_name));
    return st;
}

START_TEST(test_steps_by_hand)
{
    double coords[8] = {8.69, 49.41, 8.6912, 49.4105, 8.69251, 49.41122, 8.6931, 49.4119};
    struct route_result rr = {0};
    struct guide_isect isects[3] = {
        {{8.69, 49.41}, 1, -1, 0, {0}, {66}, {1}},
        {{8.6912, 49.4105}, 4, 2, 1, {0}, {0, 93, 181, 359}, {1, 0, 1, 1}},
        {{8.69251, 49.41122}, 2, 0, -1, {0}, {12, 300}, {0, 1}},
    };
    struct guide_step steps[3] = {
        {0, 1, 0, 1, 123.45, 17.25, "Hauptstraße", "", NULL,
         {"depart", NULL, {8.69, 49.41}, 0, 66, 0}, 0, 1},
        {1, 2, 1, 3, 0.04, 1e-7, "", "B 37", "Bismarckplatz",
         {"rotary", "slight right", {8.6912, 49.4105}, 72, 93, 2}, 1, 2},
        {2, 2, 3, 3, 0, 0, "Ring \"Süd\"", "", NULL,
         {"arrive", "left", {8.6931, 49.4119}, 300, 0, 0}, 3, 0},
    };
    struct guide_leg l = {steps, 3, isects, 3};
    rr.coords = coords, rr.coord_count = 4;
    for (size_t i = 0; i < 3; i++) {
        struct strbuf b;
        strbuf_init(&b, 1 << 20);
        KJW_LIT(&b, "[");
        ck_assert_int_eq(osrm_w_step(&b, &l, &steps[i], &rr, GEOM_POLYLINE), 0);
        KJW_LIT(&b, "]");
        same(&b, json_pack("[o]", step_tree(&l, &steps[i], &rr)), steps[i].m.type);
    }
}
END_TEST

Suite *osrm_write_suite(void); /* for the runner */

Suite *osrm_write_suite(void)
{
    Suite *s = suite_create("osrm_write");
    TCase *tc = tcase_create("against jansson");
    tcase_add_test(tc, test_polylines);
    tcase_add_test(tc, test_geojson_and_numbers);
    tcase_add_test(tc, test_text);
    tcase_add_test(tc, test_steps_by_hand);
    suite_add_tcase(s, tc);
    return s;
}
