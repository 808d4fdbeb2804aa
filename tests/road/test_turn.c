/* tests/road/test_turn.c -- the turn-aware graph on hand-made maps (tests/data/osm/turn_*.osm),
 * and the car rules of the import it rests on (car_rules.osm, bad_rules.osm).
 *
 * Every expected duration is worked out by hand: the sum of the road_edges durations of the ways
 * driven (read back with SQL) plus car.lua's turn costs, computed from its formula
 * P / (1 + exp(-(13 / b * a / 180 - 6.5 * b))) (a >= 0) with P = 7.5 s, b = 1.075:
 *     right 90 deg 2.105256 s, left -90 deg 5.394744 s, straight 0.006919 s,
 *     u-turn 180 deg 7.454800 s + 20 s; none where only two roads meet; signals 2 s.
 * Expected way-name sequences are the names along the route, repeats collapsed. */
#include "closures/avoid.h"
#include "closures/closures.h"
#include "coverage/reach.h"
#include "road/graph.h"
#include "road/import/osm_import.h"
#include "road/snap.h"
#include "road/turn.h"
#include "road/road_ch.h"
#include "road/route.h"
#include "road/table.h"
#include "road/tnet.h"
#include "base/store.h"
#include "testutil.h"

#include <check.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAPS "tests/data/osm/"
#define RIGHT 2.105256
#define LEFT 5.394744
#define STRAIGHT 0.006919
#define UTURN (7.454800 + 20)

struct tfx {
    char *db;
    struct store *st;
    struct graph *g;
    struct turn_graph *t;
    char reports[4096];
    struct kkc_err err;
};

static void collect(void *ud, const char *file, long row, const char *reason)
{
    struct tfx *f = ud;
    size_t n = strlen(f->reports);
    (void)file;
    snprintf(f->reports + n, sizeof f->reports - n, "%ld: %s\n", row, reason);
}

static void tfx_open(struct tfx *f, const char *map)
{
    struct osm_import_opts o = {.path = map, .report = collect, .report_ud = f};
    struct turn_costs c;
    turn_costs_default(&c);
    struct graph_options go = {.landmarks = 4, .turns = &c}; /* g->turn: car.lua's costs too */
    memset(f, 0, sizeof *f);
    f->db = tu_tmpfile("kkc.sqlite");
    ck_assert_int_eq(store_open(f->db, STORE_CREATE, &f->st, &f->err), KKC_OK);
    ck_assert_msg(osm_import(f->st, &o, NULL, &f->err) == KKC_OK, "%s", f->err.msg);
    ck_assert_msg(graph_load_opts(f->st, &go, &f->g, &f->err) == KKC_OK, "%s", f->err.msg);
    ck_assert_msg(turn_build(f->st, f->g, &c, &f->t, &f->err) == KKC_OK, "%s", f->err.msg);
}

static void tfx_close(struct tfx *f)
{
    turn_destroy(f->t);
    graph_destroy(f->g);
    store_close(f->st);
    unlink(f->db);
    rmdir(dirname(f->db));
    free(f->db);
}

/* One number from SQL with an integer parameter (NAN for NULL / no row). */
static double q1(struct tfx *f, const char *sql, long long v)
{
    return tu_sql_num(f->st, sql, v);
}

/* Duration in s of the whole OSM way. */
static double way_s(struct tfx *f, long long way)
{
    return q1(f, "SELECT sum(duration_s) FROM road_edges WHERE osm_way_id = ?", way);
}

/* The point at fraction along the first (last = 0) or last edge of an OSM way. */
static struct snap at(struct tfx *f, long long way, int last, double fraction)
{
    struct snap s;
    double e = q1(f,
                  last ? "SELECT max(id) FROM road_edges WHERE osm_way_id = ?"
                       : "SELECT min(id) FROM road_edges WHERE osm_way_id = ?",
                  way);
    ck_assert_int_eq(snap_at(f->g, (uint32_t)e, fraction, &s, &f->err), KKC_OK);
    return s;
}

/* The names of r's steps, joined by commas, into out. */
static void step_names(const struct route_result *r, char *out, size_t n)
{
    out[0] = 0;
    for (size_t i = 0; i < r->step_count; i++) {
        size_t len = strlen(out);
        if (i && strcmp(r->steps[i].name, r->steps[i - 1].name) == 0)
            continue;
        snprintf(out + len, n - len, "%s%s", len ? "," : "", r->steps[i].name);
    }
}

/* got equals want, or (for an end on a node, whose zero-length piece on the snapped edge is
 * left out of a route that turns straight off the node) want without that end's road. */
static int same_names(const char *got, const char *want, int a_node, int b_node)
{
    char w[256];
    snprintf(w, sizeof w, "%s", want);
    if (strcmp(got, w) == 0)
        return 1;
    char *first = strchr(w, ','), *last = strrchr(w, ',');
    if (a_node && first && strcmp(got, first + 1) == 0)
        return 1;
    if (b_node && last) {
        *last = 0;
        if (strcmp(got, w) == 0 || (a_node && first && first < last && !strcmp(got, first + 1)))
            return 1;
    }
    return 0;
}

/* The service's own route (A* with landmarks, then the hierarchy on the same turn graph) must
 * give the plain Dijkstra's names and duration; and the table and nearest-by-time figures. */
static void expect_service(struct tfx *f, struct snap a, struct snap b, const char *names,
                           uint64_t ms)
{
    for (int with_ch = 0; with_ch < 2; with_ch++) {
        struct route_ctx *ctx = NULL;
        struct route_result *r = NULL;
        char got[256];
        graph_cost tc;
        if (with_ch)
            ck_assert_msg(road_ch_create(f->g, NULL, "", &f->g->ch, &f->err) == KKC_OK, "%s",
                          f->err.msg);
        ck_assert_int_eq(route_ctx_create(f->g, &ctx, &f->err), KKC_OK);
        ck_assert_msg(route_compute(f->g, ctx, &a, &b, 1, &r, &f->err) == KKC_OK, "%s",
                      f->err.msg);
        step_names(r, got, sizeof got);
        ck_assert_msg(same_names(got, names, tnet_at_node(f->g, &a) != GRAPH_NONE,
                                 tnet_at_node(f->g, &b) != GRAPH_NONE),
                      "service route %s (ch %d), expected %s", got, with_ch, names);
        ck_assert_int_eq(llround(r->duration_s * 1000), (long long)ms);
        ck_assert_int_eq(route_table(f->g, ctx, &a, 1, &b, 1, &tc, &f->err), KKC_OK);
        ck_assert_int_eq(graph_cost_ms(tc), ms);
        route_result_destroy(r);
        route_ctx_destroy(ctx);
        if (with_ch)
            road_ch_destroy(f->g->ch), f->g->ch = NULL;
    }
}

/* Route from a to b; check the name sequence and the duration (to 5 ms: rounding per edge). */
static void expect(struct tfx *f, struct snap a, struct snap b, const char *names, double s)
{
    struct turn_path p;
    char got[256] = "";
    const char *last = NULL;
    ck_assert_msg(turn_route(f->g, f->t, &a, &b, &p, &f->err) == KKC_OK, "%s", f->err.msg);
    for (size_t i = 0; i < p.nsegs; i++) {
        const char *n = graph_string(f->g, f->g->edge_name[p.segs[i] >> 1]);
        if (last && strcmp(last, n) == 0)
            continue;
        size_t len = strlen(got);
        snprintf(got + len, sizeof got - len, "%s%s", len ? "," : "", n);
        last = n;
    }
    ck_assert_msg(strcmp(got, names) == 0, "route %s, expected %s", got, names);
    ck_assert_msg(fabs(p.ms / 1000.0 - s) < 0.005, "route %s: %.3f s, expected %.3f s", got,
                  p.ms / 1000.0, s);
    expect_service(f, a, b, names, p.ms);
    free(p.segs);
}

START_TEST(test_via_node)
{
    struct tfx f;
    tfx_open(&f, MAPS "turn_node.osm");
    /* no_left_turn Jižní -> Západní: straight on, u-turn at the end of Severní, right turn */
    expect(&f, at(&f, 11, 0, 0), at(&f, 13, 1, 1), "Jižní,Severní,Západní",
           way_s(&f, 11) + STRAIGHT + 2 * way_s(&f, 12) + UTURN + RIGHT + way_s(&f, 13));
    /* without a restriction: Jižní -> Východní is a right turn */
    expect(&f, at(&f, 11, 0, 0), at(&f, 14, 1, 1), "Jižní,Východní",
           way_s(&f, 11) + RIGHT + way_s(&f, 14));
    /* only_straight_on Východní -> Západní: to Severní only by the u-turn at Západní's end */
    expect(&f, at(&f, 14, 1, 1), at(&f, 12, 1, 1), "Východní,Západní,Severní",
           way_s(&f, 14) + STRAIGHT + 2 * way_s(&f, 13) + UTURN + LEFT + way_s(&f, 12));
    /* the restriction with a missing from way is reported with its relation id */
    ck_assert_msg(strstr(f.reports, "903: relation 903: restriction no_right_turn not applied"),
                  "%s", f.reports);
    ck_assert_int_eq(f.t->restrictions, 2);
    ck_assert_double_eq(q1(&f, "SELECT count(*) FROM road_restrictions WHERE id = ?", 904), 0);
    tfx_close(&f);
}
END_TEST

START_TEST(test_via_way)
{
    struct tfx f;
    tfx_open(&f, MAPS "turn_way.osm");
    /* no_straight_on Alfa -> Beta -> Gama: the detour east, then half of Gama southward */
    expect(&f, at(&f, 21, 0, 0), at(&f, 23, 0, 0.5), "Alfa,Boční1,Objízdná,Boční3,Gama",
           way_s(&f, 21) + RIGHT + way_s(&f, 24) + way_s(&f, 25) + way_s(&f, 26) +
               way_s(&f, 23) / 2);
    /* from Boční1 (driven west) the way through Beta is open: at X a right turn onto Beta */
    expect(&f, at(&f, 24, 1, 1), at(&f, 23, 0, 0.5), "Boční1,Beta,Gama",
           way_s(&f, 24) + RIGHT + way_s(&f, 22) + way_s(&f, 23) / 2);
    ck_assert_int_eq(f.t->restrictions, 1);
    tfx_close(&f);
}
END_TEST

START_TEST(test_points)
{
    struct tfx f;
    tfx_open(&f, MAPS "turn_points.osm");
    /* the bollard at B blocks Hlavní: round by Okruh (only two roads at P and Q); both ends are
     * nodes, P and Q themselves (a point on a node is that node): the drive is Okruh alone,
     * straight from P to Q without a turn (no piece of Hlavní) */
    expect(&f, at(&f, 31, 0, 0), at(&f, 31, 1, 1), "Okruh", way_s(&f, 32));
    /* the signals at T cost 2 s */
    expect(&f, at(&f, 33, 0, 0), at(&f, 33, 1, 1), "Signály", way_s(&f, 33) + 2);
    /* the gate is whitelisted: one edge, no node */
    ck_assert_double_eq(q1(&f, "SELECT count(*) FROM road_edges WHERE osm_way_id = ?", 34), 1);
    ck_assert_double_eq(q1(&f, "SELECT count(*) FROM road_points WHERE osm_id = ?", 22), 0);
    ck_assert_double_eq(q1(&f, "SELECT barrier FROM road_points WHERE osm_id = ?", 2), 1);
    ck_assert_double_eq(q1(&f, "SELECT signals FROM road_points WHERE osm_id = ?", 12), 1);
    tfx_close(&f);
}
END_TEST

/* A way stored as two one-way rows (per-direction speeds) is one road: no u-turn on it, and one
 * road among those at a node (tests/data/osm/turn_twin.osm). Straight on A -> B at node 2 (3
 * roads: A, B, D), none at node 3 (2 roads: B, C), the u-turn at dead end 4, a right turn B -> D
 * at node 2; B's two rows are driven once each (way_s(11) sums both). */
START_TEST(test_twin_rows)
{
    struct tfx f;
    tfx_open(&f, MAPS "turn_twin.osm");
    ck_assert_double_eq(q1(&f, "SELECT count(*) FROM road_edges WHERE osm_way_id = ?", 11), 2);
    expect(&f, at(&f, 10, 0, 0), at(&f, 13, 1, 1), "A,B,C,B,D",
           way_s(&f, 10) + STRAIGHT + way_s(&f, 11) + 2 * way_s(&f, 12) + UTURN + RIGHT +
               way_s(&f, 13));
    tfx_close(&f);
}
END_TEST

/* The row of OSM way `way` open forward (fwd = 1) or backward (fwd = 0). */
static uint32_t row_of(struct tfx *f, long long way, int fwd)
{
    return (uint32_t)q1(f,
                        fwd ? "SELECT id FROM road_edges WHERE osm_way_id = ? AND forward = 1"
                            : "SELECT id FROM road_edges WHERE osm_way_id = ? AND backward = 1",
                        way);
}

/* The cost at point b of a reach from a alone, out (a -> b) or in (b -> a); the expected time. */
static void expect_reach(struct tfx *f, struct snap a, struct snap b, int in, double s)
{
    struct reach *r = NULL;
    struct reach_source src = {a, 0, 0};
    graph_cost c;
    uint32_t o;
    ck_assert_int_eq(reach_create(f->g, &r, &f->err), KKC_OK);
    ck_assert_int_eq(reach_run(r, &src, 1, in ? REACH_IN : REACH_OUT, REACH_NO_LIMIT, &f->err),
                     KKC_OK);
    ck_assert(reach_point(r, &b, &c, &o));
    ck_assert_msg(fabs(graph_cost_seconds(c) - s) < 0.005, "reach %d: %.3f s, expected %.3f s", in,
                  graph_cost_seconds(c), s);
    reach_destroy(r);
}

/* A point on a way stored as two one-way rows lies on both (tests/data/osm/turn_twin_point.osm):
 * it is left and reached in the direction of either row, whichever row it was snapped onto.
 * By hand: car.lua's speeds, maxspeed x 0.8: Tam 40 km/h east, 24 km/h west; residential 25 km/h;
 * no turn costs (two roads at each junction). */
START_TEST(test_twin_point)
{
    struct tfx f;
    tfx_open(&f, MAPS "turn_twin_point.osm");
    uint32_t fw = row_of(&f, 41, 1), bw = row_of(&f, 41, 0);
    double lt = q1(&f, "SELECT length_m FROM road_edges WHERE osm_way_id = ?", 41);
    double lw = q1(&f, "SELECT length_m FROM road_edges WHERE osm_way_id = ?", 42);
    double le = q1(&f, "SELECT length_m FROM road_edges WHERE osm_way_id = ?", 43);
    double east = lt / (40 / 3.6), west = lt / (24 / 3.6), w = lw / (25 / 3.6), e = le / (25 / 3.6);
    ck_assert(fw != bw && fabs(lt - 100) < 1 && fabs(lw - 100) < 1);
    ck_assert(fabs(f.g->edge_duration_s[bw] - west) < 1e-6);
    struct snap pf, pb, p7, p3, n3 = at(&f, 42, 0, 1), n4 = at(&f, 43, 0, 1);
    ck_assert_int_eq(snap_at(f.g, fw, 0.5, &pf, &f.err), KKC_OK);
    ck_assert_int_eq(snap_at(f.g, bw, 0.5, &pb, &f.err), KKC_OK);
    ck_assert_int_eq(snap_at(f.g, fw, 0.7, &p7, &f.err), KKC_OK);
    ck_assert_int_eq(snap_at(f.g, fw, 0.3, &p3, &f.err), KKC_OK);
    /* leaving on the twin (west, backward row) from a point on the forward row, and back */
    expect(&f, pf, n3, "Tam,Západ", west / 2 + w);
    expect(&f, pb, n4, "Tam,Východ", east / 2 + e);
    /* ending on the twin: from node 4 south, then west to the point on the forward row */
    expect(&f, n4, pf, "Východ,Tam", e + west / 2);
    expect(&f, n3, pb, "Západ,Tam", w + east / 2);
    /* both points on the forward row, the second behind: straight along the backward row */
    expect(&f, p7, p3, "Tam", 0.4 * west);
    expect(&f, p3, p7, "Tam", 0.4 * east);
    expect_reach(&f, pf, n3, 0, west / 2 + w);
    expect_reach(&f, pf, n4, 1, e + west / 2);
    expect_reach(&f, p7, p3, 0, 0.4 * west);
    ck_assert_uint_eq(turn_twin(f.g->turn, fw), bw);
    ck_assert_uint_eq(turn_twin(f.g->turn, bw), fw);
    ck_assert_uint_eq(turn_twin(f.g->turn, row_of(&f, 42, 1)), GRAPH_NONE);
    tfx_close(&f);
}
END_TEST

START_TEST(test_bad_input)
{
    struct tfx f;
    tfx_open(&f, MAPS "bad_rules.osm");
    ck_assert_msg(strstr(f.reports, "911: relation 911: restriction no_left_turn not applied: no "
                                    "from or no to way"),
                  "%s", f.reports);
    ck_assert_msg(strstr(f.reports, "912: relation 912: restriction no_u_turn not applied"), "%s",
                  f.reports);
    ck_assert_msg(strstr(f.reports, "913: relation 913: restriction no_right_turn not applied: "
                                    "via node 5 is not on both"),
                  "%s", f.reports);
    ck_assert_msg(strstr(f.reports, "914: relation 914: restriction no_jumping not applied"), "%s",
                  f.reports);
    ck_assert_msg(strstr(f.reports, "45: way 45: duration=soon is not a time"), "%s", f.reports);
    ck_assert_int_eq(f.t->restrictions, 0);
    /* none = 140 km/h * 0.8; walk = 7 km/h * 0.8; signals: the class speed, 25 km/h */
    double len = q1(&f, "SELECT length_m FROM road_edges WHERE osm_way_id = ?", 42);
    ck_assert(fabs(way_s(&f, 42) - len / (112 / 3.6)) < 1e-6);
    len = q1(&f, "SELECT length_m FROM road_edges WHERE osm_way_id = ?", 43);
    ck_assert(fabs(way_s(&f, 43) - len / (5.6 / 3.6)) < 1e-6);
    len = q1(&f, "SELECT length_m FROM road_edges WHERE osm_way_id = ?", 44);
    ck_assert(fabs(way_s(&f, 44) - len / (25 / 3.6)) < 1e-6);
    len = q1(&f, "SELECT length_m FROM road_edges WHERE osm_way_id = ?", 45);
    ck_assert(fabs(way_s(&f, 45) - len / (5 / 3.6)) < 1e-6); /* ferry at its route speed */
    tfx_close(&f);
}
END_TEST

/* What the import keeps of each way of car_rules.osm: rows, directions, speed (km/h) or the
 * whole duration (ferries), restriction level. kmh 0 = dropped. */
static const struct car_case {
    long long way;
    int rows, fwd, bwd;
    double kmh, dur_s;
    int restricted;
} car_cases[] = {
    {51, 1, 1, 0, 25, 0, 0},  {52, 1, 1, 0, 25, 0, 0}, {54, 0, 0, 0, 0, 0, 0},
    {55, 1, 1, 1, 25, 0, 0},  {56, 0, 0, 0, 0, 0, 0},  {57, 0, 0, 0, 0, 0, 0},
    {58, 0, 0, 0, 0, 0, 0},   {59, 1, 1, 1, 25, 0, 0}, {60, 1, 1, 1, 40, 0, 0},
    {61, 1, 1, 1, 40, 0, 0},  {62, 0, 0, 0, 0, 0, 0},  {63, 0, 0, 0, 0, 0, 0},
    {64, 0, 0, 0, 0, 0, 0},   {65, 1, 1, 1, 25, 0, 1}, {66, 1, 1, 1, 0, 1800, 0},
    {67, 1, 1, 1, 0, 900, 0}, {68, 1, 1, 1, 25, 0, 2}, {69, 1, 1, 1, 40, 0, 0},
};

START_TEST(test_car_rules)
{
    struct tfx f;
    tfx_open(&f, MAPS "car_rules.osm");
    for (size_t i = 0; i < sizeof car_cases / sizeof car_cases[0]; i++) {
        const struct car_case *c = &car_cases[i];
        double n = q1(&f, /* the car's rows (emergency-only ways are stored closed to cars) */
                      "SELECT count(*) FROM road_edges WHERE osm_way_id = ? AND forward + backward",
                      c->way);
        ck_assert_msg(n == c->rows, "way %lld: %g rows", c->way, n);
        if (!c->rows)
            continue;
        double len = q1(&f, "SELECT length_m FROM road_edges WHERE osm_way_id = ?", c->way);
        double want = c->dur_s > 0 ? c->dur_s : len / (c->kmh / 3.6);
        ck_assert_msg(fabs(way_s(&f, c->way) - want) < 1e-6, "way %lld: %.4f s, expected %.4f",
                      c->way, way_s(&f, c->way), want);
        ck_assert_double_eq(q1(&f, "SELECT forward FROM road_edges WHERE osm_way_id = ?", c->way),
                            c->fwd);
        ck_assert_double_eq(q1(&f, "SELECT backward FROM road_edges WHERE osm_way_id = ?", c->way),
                            c->bwd);
        ck_assert_double_eq(
            q1(&f, "SELECT restricted FROM road_edges WHERE osm_way_id = ?", c->way),
            c->restricted);
    }
    /* maxspeed:forward=50 / :backward=30: a forward row at 40 km/h, a backward one at 24 */
    double len = q1(&f, "SELECT length_m FROM road_edges WHERE osm_way_id = ?", 53);
    ck_assert(
        fabs(q1(&f, "SELECT duration_s FROM road_edges WHERE osm_way_id = ? AND forward", 53) -
             len / (40 / 3.6)) < 1e-6);
    ck_assert(
        fabs(q1(&f, "SELECT duration_s FROM road_edges WHERE osm_way_id = ? AND backward", 53) -
             len / (24 / 3.6)) < 1e-6);
    tfx_close(&f);
}
END_TEST

/* The penalties (graph.h) of the table's cost from a to b, hierarchy or not. */
static uint32_t penalties(struct tfx *f, struct snap a, struct snap b)
{
    struct route_ctx *ctx = NULL;
    graph_cost tc;
    ck_assert_int_eq(route_ctx_create(f->g, &ctx, &f->err), KKC_OK);
    ck_assert_int_eq(route_table(f->g, ctx, &a, 1, &b, 1, &tc, &f->err), KKC_OK);
    route_ctx_destroy(ctx);
    return graph_cost_penalties(tc);
}

/* access=destination (Zkratka) and private (Soukromá, motor_vehicle=private) as car.lua means
 * them: no through traffic although they are the short way (by time too), driven where the
 * route starts or ends on them; the duration is the time driven, the penalty only orders. A
 * private service road is not even a place to start or end (car.lua's is_startpoint). */
START_TEST(test_restricted)
{
    struct tfx f;
    tfx_open(&f, MAPS "turn_access.osm");
    ck_assert_double_eq(q1(&f, "SELECT restricted FROM road_edges WHERE osm_way_id = ?", 32), 1);
    ck_assert_double_eq(q1(&f, "SELECT restricted FROM road_edges WHERE osm_way_id = ?", 35), 2);
    /* the short sides are faster: through them W -> E would take less time */
    ck_assert(way_s(&f, 32) + STRAIGHT < way_s(&f, 33) + 2 * RIGHT);
    ck_assert(way_s(&f, 35) + STRAIGHT < way_s(&f, 36) + 2 * RIGHT);
    struct snap w = at(&f, 31, 0, 0), e = at(&f, 37, 1, 1);
    /* through: round both squares, a right turn at each of A, B, A2, B2 */
    expect(&f, w, e, "Západní,Objížďka,Spojka,Oklika,Východní",
           way_s(&f, 31) + way_s(&f, 33) + way_s(&f, 34) + way_s(&f, 36) + way_s(&f, 37) +
               4 * RIGHT);
    ck_assert_uint_eq(penalties(&f, w, e), 0);
    /* ending on Zkratka: straight on at A, half of it; one penalty (it cannot be avoided) */
    expect(&f, w, at(&f, 32, 0, 0.5), "Západní,Zkratka",
           way_s(&f, 31) + STRAIGHT + way_s(&f, 32) / 2);
    ck_assert_uint_eq(penalties(&f, w, at(&f, 32, 0, 0.5)), 1);
    /* starting on Zkratka: leaving it costs nothing; straight on at B, round square 2 */
    expect(&f, at(&f, 32, 0, 0.5), e, "Zkratka,Spojka,Oklika,Východní",
           way_s(&f, 32) / 2 + STRAIGHT + way_s(&f, 34) + RIGHT + way_s(&f, 36) + RIGHT +
               way_s(&f, 37));
    ck_assert_uint_eq(penalties(&f, at(&f, 32, 0, 0.5), e), 0);
    /* private likewise: to the middle of Soukromá, and from it */
    expect(&f, w, at(&f, 35, 0, 0.5), "Západní,Objížďka,Spojka,Soukromá",
           way_s(&f, 31) + RIGHT + way_s(&f, 33) + RIGHT + way_s(&f, 34) + STRAIGHT +
               way_s(&f, 35) / 2);
    expect(&f, at(&f, 35, 0, 0.5), e, "Soukromá,Východní",
           way_s(&f, 35) / 2 + STRAIGHT + way_s(&f, 37));
    /* from one restricted road to the other: Spojka between, one penalty onto Soukromá */
    expect(&f, at(&f, 32, 0, 0.5), at(&f, 35, 0, 0.5), "Zkratka,Spojka,Soukromá",
           way_s(&f, 32) / 2 + STRAIGHT + way_s(&f, 34) + STRAIGHT + way_s(&f, 35) / 2);
    ck_assert_uint_eq(penalties(&f, at(&f, 32, 0, 0.5), at(&f, 35, 0, 0.5)), 1);
    /* a point on Dvůr (private service road) snaps off it, onto A2 (44.5 m south: 0.0004 deg of
     * latitude); one on Soukromá (private residential) stays on it */
    struct snap p;
    ck_assert_int_eq(snap_point(f.g, 15.804, 50.2004, 1000, &p, &f.err), KKC_OK);
    ck_assert_str_ne(p.name, "Dvůr");
    ck_assert_double_eq_tol(p.distance_m, 44.5, 0.1);
    ck_assert_int_eq(snap_point(f.g, 15.805, 50.2000, 1000, &p, &f.err), KKC_OK);
    ck_assert_str_eq(p.name, "Soukromá");
    tfx_close(&f);
}
END_TEST

/* Route from a to b on graph copy g (A* with landmarks, then its own hierarchy), and the table:
 * the name sequence and the duration (to 5 ms). */
static void expect_on(struct graph *g, struct snap a, struct snap b, const char *names, double s)
{
    struct kkc_err err = {0};
    for (int with_ch = 0; with_ch < 2; with_ch++) {
        struct route_ctx *ctx = NULL;
        struct route_result *r = NULL;
        graph_cost tc;
        char got[256];
        if (with_ch)
            ck_assert_msg(road_ch_create(g, NULL, "", &g->ch, &err) == KKC_OK, "%s", err.msg);
        ck_assert_int_eq(route_ctx_create(g, &ctx, &err), KKC_OK);
        ck_assert_msg(route_compute(g, ctx, &a, &b, 1, &r, &err) == KKC_OK, "%s", err.msg);
        step_names(r, got, sizeof got);
        ck_assert_msg(strcmp(got, names) == 0, "route %s (ch %d), expected %s", got, with_ch,
                      names);
        ck_assert_msg(fabs(r->duration_s - s) < 0.005, "route %s: %.3f s, expected %.3f s", got,
                      r->duration_s, s);
        ck_assert_int_eq(route_table(g, ctx, &a, 1, &b, 1, &tc, &err), KKC_OK);
        ck_assert_int_eq(graph_cost_ms(tc), llround(r->duration_s * 1000));
        route_result_destroy(r);
        route_ctx_destroy(ctx);
        if (with_ch)
            road_ch_destroy(g->ch), g->ch = NULL;
    }
}

/* A closure that makes a new dead end adds a u-turn there: Jižní -> Západní may not turn left at
 * C, so it goes north and comes back. With Dálková open the turn-round is at M, Dálková's dead
 * end (N has two roads: no turn cost, no u-turn); with Dálková closed N is a dead end and the
 * route turns round there, the u-turn's cost by hand (7.4548 + 20 s, as at any dead end). */
START_TEST(test_closure_dead_end)
{
    struct tfx f;
    tfx_open(&f, MAPS "turn_closure.osm");
    struct snap s = at(&f, 11, 0, 0), w = at(&f, 13, 1, 1);
    double base = way_s(&f, 11) + STRAIGHT + 2 * way_s(&f, 12) + RIGHT + way_s(&f, 13);
    expect(&f, s, w, "Jižní,Severní,Dálková,Severní,Západní",
           base + 2 * way_s(&f, 15) + UTURN);
    struct closure_effect ce = {(uint32_t)q1(&f, "SELECT id FROM road_edges WHERE osm_way_id = ?",
                                             15),
                                0, 0};
    struct closure_effects e = {.items = &ce, .len = 1, .active = 1};
    struct graph *copy = NULL;
    ck_assert_int_eq(closures_graph_with(f.g, &e, &copy, &f.err), KKC_OK);
    expect_on(copy, s, w, "Jižní,Severní,Západní", base + UTURN);
    closures_graph_release(copy);
    /* only Dálková's northbound direction closed: from the south N is a dead end all the same */
    ce.bw = 1;
    ck_assert_int_eq(closures_graph_with(f.g, &e, &copy, &f.err), KKC_OK);
    expect_on(copy, s, w, "Jižní,Severní,Západní", base + UTURN);
    closures_graph_release(copy);
    tfx_close(&f);
}
END_TEST

START_TEST(test_costs)
{
    struct turn_costs c;
    turn_costs_default(&c);
    ck_assert(fabs(turn_cost_s(&c, 90, 3, 0, 0) - RIGHT) < 1e-6);
    ck_assert(fabs(turn_cost_s(&c, -90, 3, 0, 0) - LEFT) < 1e-6);
    ck_assert(fabs(turn_cost_s(&c, 0, 4, 0, 0) - STRAIGHT) < 1e-6);
    ck_assert(fabs(turn_cost_s(&c, 180, 1, 1, 0) - UTURN) < 1e-6);
    ck_assert(fabs(turn_cost_s(&c, 90, 2, 0, 1) - 2) < 1e-9); /* two roads: signals only */
}
END_TEST

Suite *turn_suite(void); /* for the runner */

Suite *turn_suite(void)
{
    Suite *s = suite_create("turn");
    TCase *tc = tu_tcase(s, "maps", 60);
    tcase_add_test(tc, test_via_node);
    tcase_add_test(tc, test_via_way);
    tcase_add_test(tc, test_points);
    tcase_add_test(tc, test_twin_rows);
    tcase_add_test(tc, test_twin_point);
    tcase_add_test(tc, test_bad_input);
    tcase_add_test(tc, test_car_rules);
    tcase_add_test(tc, test_costs);
    tcase_add_test(tc, test_restricted);
    tcase_add_test(tc, test_closure_dead_end);
    return s;
}
