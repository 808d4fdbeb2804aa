/* tests/road/test_emergency.c -- emergency access in the road graph (road/import/car.h,
 * road/service_profile.h): roads only emergency vehicles may drive and barriers only they pass are
 * stored closed to cars; the car (and so the OSRM endpoints) never uses them, the police, fire and
 * ambulance profiles do.
 *
 * The hand-made map (lat 50.2, lon 15.795 .. 15.815), every way two-way unless tagged otherwise:
 *
 *              N1 +-------- Horní (residential, 25 km/h) --------+ N2
 *                 |                                              |
 *   S0 +--Start---+ A ----------- Zkratka ------ G ------------- + C ---Cíl---+ T0
 *
 * Start, Horní and Cíl are residential. Zkratka (A - G - C, the short way) carries the tags of the
 * case; G is a node in its middle with the barrier tags of the case. Routes run from S0 to T0.
 *
 * Expected durations are worked out by hand: each way's length is SpatiaLite's
 * GeodesicLength(geom) of its stored rows, its time length / (class speed / 3.6) from car.lua's
 * class speeds (residential 25, service 15, tertiary 40 km/h), divided by the profile's factor of
 * its class (service_profile.h's table: fire residential 0.90, service 0.80, tertiary 0.95;
 * ambulance 1.0, 1.0, 1.10; police 1.05, 1.0, 1.15), plus car.lua's turn costs, which count the
 * car's roads only: where only two car roads meet there is none; at A and C with Zkratka open to
 * cars (three roads), a left turn costs 5.394744 s and straight on 0.006919 s.
 *
 * Then on the default database (Heidelberg's emergency-only roads): the car's metric closes every
 * turn onto them, the profiles' weights open them, and the car's hierarchy customized with a
 * profile's weights answers the plain search's cost (tnet_search_run) exactly. */
#include "base/store.h"
#include "closures/avoid.h"
#include "closures/closures.h"
#include "fixture_osm.h"
#include "road/graph.h"
#include "road/road_ch.h"
#include "road/route.h"
#include "road/service_profile.h"
#include "road/snap.h"
#include "road/tnet.h"
#include "road/turn.h"
#include "testutil.h"

#include <check.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LEFT 5.394744
#define STRAIGHT 0.006919

struct efx {
    char *db;
    struct store *st;
    struct graph *g;
    struct kkc_err err;
};

/* Import the map with Zkratka's tags way_tags and G's tags node_tags (XML <tag/> elements). */
static void efx_open(struct efx *f, const char *way_tags, const char *node_tags)
{
    char xml[4096];
    fx_emergency_map(xml, sizeof xml, way_tags, node_tags);
    struct turn_costs c;
    turn_costs_default(&c); /* car.lua's (the runner turns them off by default) */
    struct graph_options go = {.landmarks = 4, .hierarchy = 1, .turns = &c};
    memset(f, 0, sizeof *f);
    f->db = fx_osm_db((const char *const[]){xml, NULL});
    ck_assert_int_eq(store_open(f->db, STORE_READONLY, &f->st, &f->err), KKC_OK);
    ck_assert_msg(graph_load_opts(f->st, &go, &f->g, &f->err) == KKC_OK, "%s", f->err.msg);
    ck_assert_ptr_nonnull(f->g->ch);
}

static void efx_close(struct efx *f)
{
    char osm[600];
    graph_destroy(f->g);
    store_close(f->st);
    unlink(f->db);
    char *dir = dirname(f->db);
    snprintf(osm, sizeof osm, "%s/map.osm", dir);
    unlink(osm);
    rmdir(dir);
    free(f->db);
}

/* One number from SQL with an integer parameter (NAN for NULL / no row). */
static double q1(struct efx *f, const char *sql, long long v)
{
    return tu_sql_num(f->st, sql, v);
}

/* Seconds to drive way `way` at kmh with factor: SpatiaLite's length, by hand. */
static double way_t(struct efx *f, long long way, double kmh, double factor)
{
    double len =
        q1(f, "SELECT sum(GeodesicLength(geom)) FROM road_edges WHERE osm_way_id = ?", way);
    ck_assert_msg(len > 100, "way %lld: length %g", way, len);
    return len / (kmh / 3.6) / factor;
}

/* S0 (start of Start) and T0 (end of Cíl) on g. */
static void ends(struct efx *f, const struct graph *g, struct snap *a, struct snap *b)
{
    double ea = q1(f, "SELECT min(id) FROM road_edges WHERE osm_way_id = ?", 10);
    double eb = q1(f, "SELECT min(id) FROM road_edges WHERE osm_way_id = ?", 13);
    ck_assert_int_eq(snap_at(g, (uint32_t)ea, 0, a, &f->err), KKC_OK);
    ck_assert_int_eq(snap_at(g, (uint32_t)eb, 1, b, &f->err), KKC_OK);
}

/* The route cost from S0 to T0 (reverse: T0 to S0) on g, in seconds; -1 when none. */
static double cost_s(struct efx *f, const struct graph *g, int reverse)
{
    struct route_ctx *ctx = NULL;
    struct snap a, b;
    graph_cost c = 0;
    ends(f, g, &a, &b);
    ck_assert_int_eq(route_ctx_create(g, &ctx, &f->err), KKC_OK);
    enum kkc_code rc =
        reverse ? route_cost(g, ctx, &b, &a, &c, &f->err) : route_cost(g, ctx, &a, &b, &c, &f->err);
    route_ctx_destroy(ctx);
    if (rc == KKC_ENOROUTE)
        return -1;
    ck_assert_msg(rc == KKC_OK, "%s", f->err.msg);
    return graph_cost_ms(c) / 1000.0;
}

/* The cost from a to b (on different edges) by a plain one-to-all search on g's turn graph
 * (tnet_search_run), no hierarchy; GRAPH_COST_INF when none. */
static graph_cost plain_cost(const struct graph *g, const struct snap *a, const struct snap *b)
{
    struct tnet_seed seeds[32];
    struct tnet_search *s = NULL;
    struct kkc_err err = {0};
    size_t n = tnet_sources(g, a, seeds, 32);
    ck_assert_uint_le(n, 32);
    ck_assert_int_eq(tnet_search_create(g, &s, &err), KKC_OK);
    ck_assert_int_eq(tnet_search_run(g, s, seeds, n, 0, GRAPH_COST_INF, &err), KKC_OK);
    graph_cost c = tnet_cost_at(g, s, 0, b);
    tnet_search_destroy(s);
    return c;
}

/* The same S0 -> T0 (reverse: T0 -> S0) in seconds; -1 when none. */
static double plain_s(struct efx *f, const struct graph *g, int reverse)
{
    struct snap a, b;
    ends(f, g, &a, &b);
    graph_cost c = reverse ? plain_cost(g, &b, &a) : plain_cost(g, &a, &b);
    return c == GRAPH_COST_INF ? -1 : graph_cost_ms(c) / 1000.0;
}

/* The car's route: its way names and its duration (with and without the hierarchy). */
static void expect_car(struct efx *f, const char *names, double want_s)
{
    struct route_ctx *ctx = NULL;
    struct route_result *r = NULL;
    struct snap a, b;
    char got[256] = "";
    ends(f, f->g, &a, &b);
    ck_assert_int_eq(route_ctx_create(f->g, &ctx, &f->err), KKC_OK);
    ck_assert_msg(route_compute(f->g, ctx, &a, &b, 1, &r, &f->err) == KKC_OK, "%s", f->err.msg);
    for (size_t i = 0; i < r->step_count; i++) {
        size_t len = strlen(got);
        if (i && strcmp(r->steps[i].name, r->steps[i - 1].name) == 0)
            continue;
        if (*r->steps[i].name)
            snprintf(got + len, sizeof got - len, "%s%s", len ? "," : "", r->steps[i].name);
    }
    ck_assert_msg(strcmp(got, names) == 0, "car route %s, expected %s", got, names);
    ck_assert_msg(fabs(r->duration_s - want_s) < 0.005, "car %.3f s, expected %.3f s",
                  r->duration_s, want_s);
    route_result_destroy(r);
    route_ctx_destroy(ctx);
    ck_assert_msg(fabs(plain_s(f, f->g, 0) - want_s) < 0.005, "car plain %.3f s, expected %.3f",
                  plain_s(f, f->g, 0), want_s);
}

/* Profile p's duration S0 -> T0 (reverse: T0 -> S0): the profile's graph searched directly, by
 * a plain search, and through the car's hierarchy customized with the profile's weights. */
static void expect_profile(struct efx *f, int p, int reverse, double want_s)
{
    struct service_profile table[PROFILE_COUNT];
    struct graph *v = NULL;
    service_profile_table(table);
    ck_assert_int_eq(service_profile_graph(f->g, &table[p], &v, &f->err), KKC_OK);
    double direct = cost_s(f, v, reverse), plain = plain_s(f, v, reverse);
    ck_assert_int_eq(service_profile_hierarchy(v, f->g, &f->err), KKC_OK);
    double via_ch = cost_s(f, v, reverse);
    ck_assert_msg(fabs(direct - want_s) < 0.005 && fabs(plain - want_s) < 0.005 &&
                      fabs(via_ch - want_s) < 0.005,
                  "%s%s: %.3f s (plain %.3f, hierarchy %.3f), expected %.3f s", table[p].name,
                  reverse ? " back" : "", direct, plain, via_ch, want_s);
    service_profile_graph_destroy(v);
}

/* The car's detour over Horní with no turn costs (two car roads at A and C). */
static double car_detour(struct efx *f)
{
    return way_t(f, 10, 25, 1) + way_t(f, 11, 25, 1) + way_t(f, 13, 25, 1);
}

/* Zkratka tagged as an emergency access road (highway=service + service=emergency_access). */
START_TEST(emergency_access_road)
{
    struct efx f;
    efx_open(&f, "<tag k=\"highway\" v=\"service\"/><tag k=\"service\" v=\"emergency_access\"/>",
             "");
    double st = way_t(&f, 10, 25, 1) + way_t(&f, 13, 25, 1), z = way_t(&f, 12, 15, 1);
    expect_car(&f, "Start,Horní,Cíl", car_detour(&f));
    expect_profile(&f, PROFILE_FIRE, 0, st / 0.90 + z / 0.80);
    expect_profile(&f, PROFILE_AMBULANCE, 0, st / 1.0 + z / 1.0);
    expect_profile(&f, PROFILE_POLICE, 0, st / 1.05 + z / 1.0);
    expect_profile(&f, PROFILE_POLICE, 1, st / 1.05 + z / 1.0);
    /* stored closed to cars, open both ways to emergency vehicles */
    ck_assert_double_eq(
        q1(&f, "SELECT sum(forward + backward) FROM road_edges WHERE osm_way_id = ?", 12), 0);
    ck_assert_double_eq(q1(&f, "SELECT min(emergency) FROM road_edges WHERE osm_way_id = ?", 12),
                        3);
    efx_close(&f);
}
END_TEST

/* The other emergency-only tags, each as a residential (or tertiary) Zkratka. */
START_TEST(emergency_only_tags)
{
    static const struct {
        const char *tags;
        double kmh, fire; /* Zkratka's speed and fire factor; 0: not for emergency vehicles */
    } cases[] = {
        {"<tag k=\"highway\" v=\"residential\"/><tag k=\"access\" v=\"no\"/>"
         "<tag k=\"emergency\" v=\"yes\"/>",
         25, 0.90},
        {"<tag k=\"highway\" v=\"residential\"/><tag k=\"motor_vehicle\" v=\"no\"/>"
         "<tag k=\"emergency\" v=\"designated\"/>",
         25, 0.90},
        {"<tag k=\"highway\" v=\"tertiary\"/><tag k=\"access\" v=\"no\"/>"
         "<tag k=\"psv\" v=\"yes\"/>",
         40, 0.95},
        {"<tag k=\"highway\" v=\"residential\"/><tag k=\"access\" v=\"no\"/>", 0, 0},
        {"<tag k=\"highway\" v=\"service\"/><tag k=\"service\" v=\"emergency_access\"/>"
         "<tag k=\"emergency\" v=\"no\"/>",
         0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct efx f;
        efx_open(&f, cases[i].tags, "");
        double st = way_t(&f, 10, 25, 0.90) + way_t(&f, 13, 25, 0.90);
        double want = cases[i].kmh > 0 ? st + way_t(&f, 12, cases[i].kmh, cases[i].fire)
                                       : st + way_t(&f, 11, 25, 0.90);
        expect_car(&f, "Start,Horní,Cíl", car_detour(&f));
        expect_profile(&f, PROFILE_FIRE, 0, want);
        efx_close(&f);
    }
}
END_TEST

/* A one-way emergency-only Zkratka (oneway=-1: C -> A only): the fire engine takes it back from
 * T0 to S0, and Horní from S0 to T0. */
START_TEST(emergency_oneway)
{
    struct efx f;
    efx_open(&f,
             "<tag k=\"highway\" v=\"residential\"/><tag k=\"access\" v=\"no\"/>"
             "<tag k=\"emergency\" v=\"yes\"/><tag k=\"oneway\" v=\"-1\"/>",
             "");
    double st = way_t(&f, 10, 25, 0.90) + way_t(&f, 13, 25, 0.90);
    expect_profile(&f, PROFILE_FIRE, 0, st + way_t(&f, 11, 25, 0.90));
    expect_profile(&f, PROFILE_FIRE, 1, st + way_t(&f, 12, 25, 0.90));
    ck_assert_msg(fabs(cost_s(&f, f.g, 1) - car_detour(&f)) < 0.005, "car back %.3f s",
                  cost_s(&f, f.g, 1));
    efx_close(&f);
}
END_TEST

/* A barrier at G on a residential Zkratka open to cars. Passable by emergency vehicles: the fire
 * engine drives through (straight on at A and C, 0 s through the passage), the car goes round
 * (left at A and C: three car roads meet there). Not passable: both go round. barrier=gate alone
 * is no barrier at all (car.lua): both drive through. */
START_TEST(emergency_barriers)
{
    static const struct {
        const char *tags;
        int fire_through, car_through;
    } cases[] = {
        {"<tag k=\"barrier\" v=\"lift_gate\"/><tag k=\"access\" v=\"no\"/>"
         "<tag k=\"emergency\" v=\"yes\"/>",
         1, 0},
        {"<tag k=\"barrier\" v=\"bollard\"/><tag k=\"emergency\" v=\"designated\"/>", 1, 0},
        {"<tag k=\"barrier\" v=\"gate\"/><tag k=\"access\" v=\"emergency\"/>", 1, 0},
        {"<tag k=\"barrier\" v=\"bollard\"/>", 0, 0},
        {"<tag k=\"barrier\" v=\"bollard\"/><tag k=\"emergency\" v=\"no\"/>", 0, 0},
        {"<tag k=\"barrier\" v=\"gate\"/>", 1, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct efx f;
        efx_open(&f, "<tag k=\"highway\" v=\"residential\"/>", cases[i].tags);
        double st = way_t(&f, 10, 25, 1) + way_t(&f, 13, 25, 1);
        double z = way_t(&f, 12, 25, 1), h = way_t(&f, 11, 25, 1);
        double through = 2 * STRAIGHT, round = 2 * LEFT;
        expect_car(&f, cases[i].car_through ? "Start,Zkratka,Cíl" : "Start,Horní,Cíl",
                   cases[i].car_through ? st + z + through : st + h + round);
        expect_profile(&f, PROFILE_FIRE, 0,
                       cases[i].fire_through ? (st + z) / 0.90 + through : (st + h) / 0.90 + round);
        expect_profile(&f, PROFILE_AMBULANCE, 0,
                       cases[i].fire_through ? st + z + through : st + h + round);
        ck_assert_double_eq(q1(&f,
                               "SELECT coalesce(max(emergency), -1) FROM road_points "
                               "WHERE osm_id = ?",
                               7),
                            cases[i].car_through ? -1 : cases[i].fire_through);
        ck_assert_double_eq(q1(&f,
                               "SELECT count(*) FROM road_edges WHERE osm_way_id = ? AND "
                               "length_m = 0 AND forward + backward = 0 AND emergency = 3",
                               -7),
                            cases[i].fire_through && !cases[i].car_through);
        efx_close(&f);
    }
}
END_TEST

/* The car's graph does not see the emergency-only road: the car's costs of every pair of nodes
 * are those of the same map without it (Zkratka access=no: not stored at all). */
START_TEST(car_unchanged)
{
    struct efx with, without;
    efx_open(&with, "<tag k=\"highway\" v=\"service\"/><tag k=\"service\" v=\"emergency_access\"/>",
             "");
    efx_open(&without, "<tag k=\"highway\" v=\"residential\"/><tag k=\"access\" v=\"no\"/>", "");
    for (int r = 0; r < 2; r++) {
        ck_assert_double_eq(cost_s(&with, with.g, r), cost_s(&without, without.g, r));
        ck_assert_double_eq(plain_s(&with, with.g, r), plain_s(&without, without.g, r));
    }
    /* the turn graph (so the hierarchy's topology) has the emergency-only segments: more
     * routing nodes with arcs */
    ck_assert_uint_gt(with.g->turn->first_out[with.g->turn->n],
                      without.g->turn->first_out[without.g->turn->n]);
    efx_close(&with);
    efx_close(&without);
}
END_TEST

/* A closure of the emergency-only road (factor 0 both ways, closures_overlay) closes it for the
 * emergency profiles too: the fire engine goes round over Horní; a slow-down (factor 1.1, still
 * faster than Horní) makes its time there 1.1 times as long. */
START_TEST(emergency_closed)
{
    struct efx f;
    efx_open(&f, "<tag k=\"highway\" v=\"service\"/><tag k=\"service\" v=\"emergency_access\"/>",
             "");
    double st = way_t(&f, 10, 25, 0.90) + way_t(&f, 13, 25, 0.90);
    uint32_t z = (uint32_t)q1(&f, "SELECT min(id) FROM road_edges WHERE osm_way_id = ?", 12);
    ck_assert_double_eq(q1(&f, "SELECT count(*) FROM road_edges WHERE osm_way_id = ?", 12), 1);
    for (int slow = 0; slow < 2; slow++) {
        struct closure_effect item = {z, slow ? 1.1 : 0, slow ? 1.1 : 0};
        struct closure_effects e = {.items = &item, .len = 1};
        struct graph *c = NULL, *v = NULL;
        struct service_profile table[PROFILE_COUNT];
        service_profile_table(table);
        ck_assert_int_eq(closures_graph_with(f.g, &e, &c, &f.err), KKC_OK);
        ck_assert_int_eq(service_profile_graph(c, &table[PROFILE_FIRE], &v, &f.err), KKC_OK);
        double want = slow ? st + 1.1 * way_t(&f, 12, 15, 0.80) : st + way_t(&f, 11, 25, 0.90);
        ck_assert_msg(fabs(cost_s(&f, v, 0) - want) < 0.005 &&
                          fabs(plain_s(&f, v, 0) - want) < 0.005,
                      "fire with closure %d: %.3f s, expected %.3f", slow, cost_s(&f, v, 0), want);
        service_profile_graph_destroy(v);
        closures_graph_release(c);
    }
    efx_close(&f);
}
END_TEST

/* On the default database's real roads (Heidelberg, with its emergency-only roads): the car's
 * metric has every turn onto an emergency-only segment at infinity and each emergency profile's
 * weights open them; the car's hierarchy customized with a profile's weights
 * (service_profile_hierarchy) gives the plain search's cost on the profile's graph, to the
 * millisecond, for random pairs. */
START_TEST(extract_profiles)
{
    struct store *st = NULL;
    struct graph *g = NULL;
    struct kkc_err err = {0};
    struct turn_costs c;
    turn_costs_default(&c);
    struct graph_options go = {.landmarks = 0, .hierarchy = 1, .turns = &c};
    ck_assert_int_eq(store_open(tu_db(), STORE_READONLY, &st, &err), KKC_OK);
    ck_assert_msg(graph_load_opts(st, &go, &g, &err) == KKC_OK, "%s", err.msg);
    const struct turn_graph *t = g->turn;
    struct service_profile table[PROFILE_COUNT];
    service_profile_table(table);
    for (int p = PROFILE_POLICE; p < PROFILE_COUNT; p++) {
        struct graph *v = NULL;
        size_t em_arcs = 0;
        ck_assert_int_eq(service_profile_graph(g, &table[p], &v, &err), KKC_OK);
        for (uint64_t a = 0; a < t->first_out[t->n]; a++) {
            uint8_t fl = g->edge_flags[t->seg[t->head[a]] >> 1];
            uint32_t sg = t->seg[t->head[a]];
            int car = fl & (sg & 1 ? GRAPH_BACKWARD : GRAPH_FORWARD);
            int em = fl & (sg & 1 ? GRAPH_EMERGENCY_BACKWARD : GRAPH_EMERGENCY_FORWARD);
            if (car || !em || t->arc_flags[a] & TURN_ARC_LATENT) /* latent: a u-turn (turn.h) */
                continue;
            em_arcs++;
            ck_assert(tnet_arc_cost(g, a) == GRAPH_COST_INF);
            ck_assert(tnet_arc_cost(v, a) != GRAPH_COST_INF);
        }
        ck_assert_uint_gt(em_arcs, 10); /* the extract has emergency-only roads */
        ck_assert_int_eq(service_profile_hierarchy(v, g, &err), KKC_OK);
        struct route_ctx *ctx = NULL;
        ck_assert_int_eq(route_ctx_create(v, &ctx, &err), KKC_OK);
        unsigned long long rs = 18 + (unsigned long long)p;
        int reached = 0;
        for (int k = 0; k < 40; k++) {
            struct snap a, b;
            uint32_t ea, eb;
            do
                ea = (uint32_t)(tu_rand(&rs) * g->edge_count);
            while (!(g->edge_flags[ea] & GRAPH_SNAPPABLE));
            do
                eb = (uint32_t)(tu_rand(&rs) * g->edge_count);
            while (!(g->edge_flags[eb] & GRAPH_SNAPPABLE) || eb == ea);
            ck_assert_int_eq(snap_at(v, ea, tu_rand(&rs), &a, &err), KKC_OK);
            ck_assert_int_eq(snap_at(v, eb, tu_rand(&rs), &b, &err), KKC_OK);
            graph_cost want = plain_cost(v, &a, &b), got = GRAPH_COST_INF;
            enum kkc_code rc = route_cost(v, ctx, &a, &b, &got, &err);
            ck_assert(rc == KKC_OK || rc == KKC_ENOROUTE);
            if (rc == KKC_ENOROUTE)
                got = GRAPH_COST_INF;
            ck_assert_msg(got == want, "%s pair %d: hierarchy %u ms, plain %u ms", table[p].name, k,
                          graph_cost_ms(got), graph_cost_ms(want));
            reached += want != GRAPH_COST_INF;
        }
        ck_assert_int_ge(reached, 30); /* most pairs are connected */
        route_ctx_destroy(ctx);
        service_profile_graph_destroy(v);
    }
    graph_destroy(g);
    store_close(st);
}
END_TEST

Suite *emergency_suite(void); /* for the runner */
Suite *emergency_suite(void)
{
    Suite *s = suite_create("emergency");
    TCase *tc = tu_tcase(s, "maps", 120);
    tcase_add_test(tc, emergency_access_road);
    tcase_add_test(tc, emergency_only_tags);
    tcase_add_test(tc, emergency_oneway);
    tcase_add_test(tc, emergency_barriers);
    tcase_add_test(tc, car_unchanged);
    tcase_add_test(tc, emergency_closed);
    tc = tu_tcase(s, "extract", 300);
    tcase_add_test(tc, extract_profiles);
    return s;
}
