/* tests/road/test_guidance.c -- turn instructions (geo/road/guidance.c) on the structs, without
 * HTTP or JSON.
 *
 * Oracles: two hand-made maps whose maneuvers, bearings, exit numbers and names are known by
 * construction (the pictures in tests/fixture_osm.c), and sums the steps must keep: the steps
 * cover the route's pieces and points end to end, their figures add up to the route's. */
#include "base/store.h"
#include "fixture_osm.h"
#include "road/graph.h"
#include "road/guidance.h"
#include "road/route.h"
#include "road/snap.h"
#include "testutil.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct graph *g;
static struct route_ctx *ctx;

static void map_open(const char *const *xml)
{
    char *db = fx_osm_db(xml);
    struct store *st = NULL;
    struct kkc_err err = {0};
    ck_assert_int_eq(store_open(db, STORE_READONLY, &st, &err), KKC_OK);
    ck_assert_msg(graph_load(st, &g, &err) == KKC_OK, "%s", err.msg);
    ck_assert_int_eq(route_ctx_create(g, &ctx, NULL), KKC_OK);
    store_close(st);
    free(db);
}

static void hand_open(void)
{
    map_open((const char *const[]){fx_hand_map, NULL});
}

static void ramp_open(void)
{
    map_open(fx_ramp_map);
}

static void map_close(void)
{
    route_ctx_destroy(ctx);
    graph_destroy(g);
    g = NULL, ctx = NULL;
}

/* The route from "lon,lat" to "lon,lat" and its leg; the steps checked against the route. */
static struct route_result *leg_of(const char *from, const char *to, struct snap *b,
                                   struct guide_leg *leg)
{
    double p[4];
    struct snap a;
    struct route_result *rr = NULL;
    double dist = 0, dur = 0;

    ck_assert_int_eq(sscanf(from, "%lf,%lf", &p[0], &p[1]), 2);
    ck_assert_int_eq(sscanf(to, "%lf,%lf", &p[2], &p[3]), 2);
    ck_assert_int_eq(snap_point(g, p[0], p[1], SNAP_RADIUS_DEFAULT_M, &a, NULL), KKC_OK);
    ck_assert_int_eq(snap_point(g, p[2], p[3], SNAP_RADIUS_DEFAULT_M, b, NULL), KKC_OK);
    ck_assert_int_eq(route_compute(g, ctx, &a, b, 1, &rr, NULL), KKC_OK);
    ck_assert_int_eq(guidance_leg(g, rr, b, leg, NULL), KKC_OK);
    ck_assert_uint_ge(leg->step_count, 2);
    for (size_t i = 0; i < leg->step_count; i++) {
        const struct guide_step *s = &leg->steps[i];
        ck_assert_uint_ge(s->isect_count, 1);
        ck_assert_uint_le(s->isect_first + s->isect_count, leg->isect_count);
        if (i) { /* end to end: pieces and points */
            ck_assert_uint_eq(s->edge_first, leg->steps[i - 1].edge_end);
            ck_assert_uint_eq(s->coord_first, leg->steps[i - 1].coord_last);
            ck_assert_uint_eq(s->isect_first,
                              leg->steps[i - 1].isect_first + leg->steps[i - 1].isect_count);
        }
        dist += s->distance_m, dur += s->duration_s;
    }
    ck_assert_str_eq(leg->steps[0].m.type, "depart");
    ck_assert_str_eq(leg->steps[leg->step_count - 1].m.type, "arrive");
    ck_assert_uint_eq(leg->steps[leg->step_count - 1].coord_last, rr->coord_count - 1);
    ck_assert_uint_eq(leg->isect_count, leg->steps[leg->step_count - 1].isect_first + 1);
    ck_assert(fabs(dist - rr->distance_m) < 1e-6 && fabs(dur - rr->duration_s) < 1e-6);
    return rr;
}

/* The maneuvers as words (see fixture_osm.h). */
static void words(const struct guide_leg *leg, char *got, size_t cap)
{
    got[0] = '\0';
    for (size_t i = 0; i < leg->step_count; i++) {
        const struct guide_maneuver *m = &leg->steps[i].m;
        char word[64], exitno[16] = "";
        if (m->exit > 0)
            snprintf(exitno, sizeof exitno, "#%d", m->exit);
        snprintf(word, sizeof word, "%s%s%s%s%s", i ? " " : "", m->type,
                 i && m->modifier ? "/" : "", i && m->modifier ? m->modifier : "", exitno);
        for (char *c = word + (i > 0); *c; c++)
            *c = *c == ' ' ? '_' : *c;
        strncat(got, word, cap - strlen(got) - 1);
    }
}

START_TEST(test_street_maneuvers)
{
    const struct fx_hand_route *r = &fx_hand_routes[_i];
    struct snap to;
    struct guide_leg leg;
    struct route_result *rr = leg_of(r->from, r->to, &to, &leg);
    char got[256];

    words(&leg, got, sizeof got);
    ck_assert_msg(strcmp(got, r->maneuvers) == 0, "route %d: '%s', want '%s'", _i, got,
                  r->maneuvers);
    ck_assert_int_eq(leg.steps[0].m.bearing_after, r->depart);
    if (leg.step_count > 2) {
        ck_assert_int_eq(leg.steps[1].m.bearing_before, r->bearing_before);
        ck_assert_int_eq(leg.steps[1].m.bearing_after, r->bearing_after);
    }
    guide_leg_free(&leg);
    route_result_destroy(rr);
}
END_TEST

/* The crossing B passed along Main: four roads at 0, 90, 180, 270 degrees, in from the west
 * (270, index 3), out to the east (index 1), all of them drivable away from B. */
START_TEST(test_street_intersection)
{
    struct snap to;
    struct guide_leg leg;
    struct route_result *rr = leg_of("15.0005,50.0000", "15.0035,50.0000", &to, &leg);
    const struct guide_isect *b;
    static const int want[4] = {0, 90, 180, 270};

    ck_assert_uint_eq(leg.step_count, 2);
    ck_assert_uint_eq(leg.steps[0].isect_count, 2);
    b = &leg.isects[leg.steps[0].isect_first + 1];
    ck_assert_int_eq(b->n, 4);
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(b->bearing[i], want[i]);
        ck_assert(b->entry[i]);
    }
    ck_assert_int_eq(b->in, 3);
    ck_assert_int_eq(b->out, 1);
    ck_assert(fabs(b->loc[0] - 15.002) < 1e-7 && fabs(b->loc[1] - 50.0) < 1e-7);
    guide_leg_free(&leg);
    route_result_destroy(rr);
}
END_TEST

START_TEST(test_ring_maneuvers)
{
    const struct fx_ramp_route *r = &fx_ramp_routes[_i];
    struct snap to;
    struct guide_leg leg;
    struct route_result *rr = leg_of(r->from, r->to, &to, &leg);
    char got[256], names[256] = "";

    words(&leg, got, sizeof got);
    ck_assert_msg(strcmp(got, r->maneuvers) == 0, "route %d: '%s', want '%s'", _i, got,
                  r->maneuvers);
    for (size_t i = 0; i < leg.step_count; i++)
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? "," : "",
                 leg.steps[i].name);
    ck_assert_msg(strcmp(names, r->names) == 0, "route %d: names '%s', want '%s'", _i, names,
                  r->names);
    if (r->rotary)
        ck_assert_str_eq(leg.steps[1].rotary_name, r->rotary);
    else
        ck_assert_ptr_null(leg.steps[1].rotary_name);
    guide_leg_free(&leg);
    route_result_destroy(rr);
}
END_TEST

/* Through Little Ring from the south to West Road: the roundabout step lists S (entry), the
 * service road, E, N and W (the exit): five junctions; the motorway's merge step carries A 1. */
START_TEST(test_ring_details)
{
    struct snap to;
    struct guide_leg leg;
    struct route_result *rr = leg_of(SOUTH, "15.9979078,50.0000000", &to, &leg);

    ck_assert_uint_eq(leg.steps[1].isect_count, 5);
    ck_assert_int_eq(leg.steps[1].m.exit, 3);
    guide_leg_free(&leg);
    route_result_destroy(rr);
    rr = leg_of("16.0000000,50.0026971", "16.0139478,50.0026971", &to, &leg);
    ck_assert_str_eq(leg.steps[2].ref, "A 1");
    ck_assert_str_eq(leg.steps[1].ref, "");
    guide_leg_free(&leg);
    route_result_destroy(rr);
}
END_TEST

START_TEST(test_bearing)
{
    double o[2] = {15.0, 50.0}, n[2] = {15.0, 50.1}, e[2] = {15.1, 50.0}, s[2] = {15.0, 49.9};
    ck_assert_int_eq(guide_bearing(o, n), 0);
    ck_assert_int_eq(guide_bearing(o, s), 180);
    ck_assert_int_eq(guide_bearing(o, o), 0);
    /* due east from 50 N: the great circle starts a hair north of east */
    ck_assert_int_eq(guide_bearing(o, e), 90);
}
END_TEST

Suite *guidance_suite(void); /* for the runner */

Suite *guidance_suite(void)
{
    Suite *s = suite_create("guidance");
    TCase *tc = tu_tcase(s, "streets", 60);
    tcase_add_checked_fixture(tc, hand_open, map_close);
    tcase_add_loop_test(tc, test_street_maneuvers, 0, FX_HAND_ROUTES);
    tcase_add_test(tc, test_street_intersection);
    tcase_add_test(tc, test_bearing);
    tc = tu_tcase(s, "rings", 60);
    tcase_add_checked_fixture(tc, ramp_open, map_close);
    tcase_add_loop_test(tc, test_ring_maneuvers, 0, FX_RAMP_ROUTES);
    tcase_add_test(tc, test_ring_details);
    return s;
}
