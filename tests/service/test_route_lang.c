/* tests/service/test_route_lang.c -- GET /v1/route?steps=true&lang=cs|en: each step's
 * instruction on the hand-made street map of tests/fixture_osm.c, whose maneuvers are known by
 * construction (Main ends at Cross: left; at B North is left; North runs straight into South),
 * against sentences written out by hand. */
#include "api.h"
#include "fixture_osm.h"
#include "routes.h"
#include "tctx.h"
#include "testutil.h"
#include "world.h"

#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static struct world *hw;

static void lang_setup(void)
{
    struct kkc_err err = {0};
    char *db = fx_osm_db((const char *const[]){fx_hand_map, NULL});
    ck_assert_msg(world_load(db, &hw, &err) == KKC_OK, "%s", err.msg);
    free(db);
}

static void lang_teardown(void)
{
    struct world_holder h;
    world_holder_init(&h, hw); /* the holder takes the last reference */
    world_holder_done(&h);
    hw = NULL;
}

/* GET /v1/route with from, to, steps=true and lang (NULL: none); the status in *status. */
static json_t *route(const char *from, const char *to, const char *lang, int *status)
{
    struct params q;
    struct api_res res = {0};
    struct api_req r = {.method = "GET", .path = "/v1/route", .q = &q, .w = hw, .t = tctx_get()};
    json_t *v;

    params_init(&q);
    params_add(&q, "from", from);
    params_add(&q, "to", to);
    params_add(&q, "steps", "true");
    if (lang)
        params_add(&q, "lang", lang);
    api_dispatch(&r, &res);
    *status = res.status;
    v = json_loads(res.body ? res.body : "", 0, NULL);
    free(res.body);
    ck_assert_ptr_nonnull(v);
    return v;
}

static const struct {
    int route; /* index into fx_hand_routes */
    const char *lang, *expect[3];
} cases[] = {
    {0, "cs", {"Vyjeďte po ulici Main", "Na konci silnice odbočte vlevo na ulici Cross", NULL}},
    {0, "en", {"Head out on Main", "At the end of the road turn left onto Cross", NULL}},
    {1, NULL, {"Vyjeďte po ulici Main", "Na konci silnice odbočte vpravo na ulici Cross", NULL}},
    {2, "cs", {"Vyjeďte po ulici Main", "Odbočte vlevo na ulici North", NULL}},
    {3, "en", {"Head out on Main", "Turn right onto South", NULL}},
    {4, "cs", {"Vyjeďte po ulici North", "Pokračujte na ulici South", NULL}},
};

START_TEST(instructions_by_hand)
{
    int status;
    json_t *v = route(fx_hand_routes[cases[_i].route].from, fx_hand_routes[cases[_i].route].to,
                      cases[_i].lang, &status);
    json_t *steps = json_object_get(json_object_get(v, "properties"), "steps"), *s;
    size_t i;

    ck_assert_int_eq(status, 200);
    json_array_foreach(steps, i, s)
    {
        const char *got = json_string_value(json_object_get(s, "instruction"));
        ck_assert_msg(i < 2 && cases[_i].expect[i], "case %d: extra step %s", _i, got);
        ck_assert_str_eq(got, cases[_i].expect[i]);
    }
    ck_assert_int_eq((int)i, 2);
    json_decref(v);
}
END_TEST

START_TEST(bad_lang_is_400)
{
    int status;
    json_t *v = route(fx_hand_routes[0].from, fx_hand_routes[0].to, "de", &status);
    ck_assert_int_eq(status, 400);
    ck_assert_ptr_nonnull(json_string_value(json_object_get(v, "code")));
    json_decref(v);
}
END_TEST

Suite *route_lang_suite(void); /* for the runner */
Suite *route_lang_suite(void)
{
    Suite *s = suite_create("route_lang");
    TCase *tc = tu_tcase(s, "route_lang", 0);
    tcase_add_unchecked_fixture(tc, lang_setup, lang_teardown);
    tcase_add_loop_test(tc, instructions_by_hand, 0, (int)(sizeof cases / sizeof cases[0]));
    tcase_add_test(tc, bad_lang_is_400);
    return s;
}
