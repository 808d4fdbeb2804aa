/* tests/road/test_cch_order.c -- the CCH's cut-based order on turn-expanded graphs (cch_order.h).
 *
 * Oracles worked out by hand on tiny junction graphs (tests/fixture_turn.h expands them: a
 * routing node per directed segment, an arc per allowed turn):
 *  - two squares 0-1-2-3 and 4-5-6-7 joined by the road 3-4: the only balanced edge cut of
 *    weight 2 is that road (any other cuts two square sides: 4 segments; the junction weights,
 *    2 per road end, are 4 4 4 6 | 6 4 4 4, balanced), so the top separator is exactly the
 *    segments 3->4 and 4->3 (the last two ranks), and each square's 8 segments take one of the
 *    ranges 0..7 and 8..15 below it;
 *  - the two squares without the road: two components, no separator: each square's segments
 *    take one range.
 * And on a 20 x 20 grid's turn graph (1,520 routing nodes, seeded costs, ~2 % of the turns
 * forbidden): the order is a permutation, a junction id out of range is refused, and the
 * hierarchy's costs equal a plain O(n^2) Dijkstra written here, for 25 sources to every node. */
#include "road/cch.h"
#include "road/cch_order.h"
#include "fixture_turn.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

/* The node graph of the undirected edges e[0..2m) as a CSR with both directions. */
static void csr(uint32_t n, const uint32_t *e, uint32_t m, uint64_t **first, uint32_t **head)
{
    *first = calloc(n + 2, sizeof **first);
    *head = malloc((2 * m + 1) * sizeof **head);
    uint64_t *at = calloc(n + 1, sizeof *at);
    for (uint32_t i = 0; i < 2 * m; i++)
        (*first)[e[i] + 1]++;
    for (uint32_t v = 0; v < n; v++)
        (*first)[v + 1] += (*first)[v];
    memcpy(at, *first, n * sizeof *at);
    for (uint32_t i = 0; i < m; i++)
        (*head)[at[e[2 * i]]++] = e[2 * i + 1], (*head)[at[e[2 * i + 1]]++] = e[2 * i];
    free(at);
}

struct tiny {
    struct ft_turns t;
    struct cch_input in;
    uint32_t *rank, *order;
};

static void tiny_order(struct tiny *x, uint32_t n, const uint32_t *e, uint32_t m, uint32_t leaf)
{
    uint64_t *first;
    uint32_t *head;
    struct kkc_err err = {0};
    csr(n, e, m, &first, &head);
    ck_assert_int_eq(ft_expand(n, first, head, 1, 2, &x->t), 0);
    free(first), free(head);
    x->in = (struct cch_input){x->t.n, x->t.first, x->t.head, x->t.ends, x->t.ends + x->t.n, n};
    x->rank = malloc(x->t.n * sizeof *x->rank);
    x->order = malloc(x->t.n * sizeof *x->order);
    ck_assert_msg(cch_order(&x->in, leaf, x->rank, x->order, &err) == 0, "%s", err.msg);
    uint8_t *seen = calloc(x->t.n, 1);
    for (uint32_t v = 0; v < x->t.n; v++) { /* a permutation, and order is its inverse */
        ck_assert_uint_lt(x->rank[v], x->t.n);
        ck_assert_int_eq(seen[x->rank[v]]++, 0);
        ck_assert_uint_eq(x->order[x->rank[v]], v);
    }
    free(seen);
}

static void tiny_free(struct tiny *x)
{
    ft_free(&x->t);
    free(x->rank), free(x->order);
}

/* The ranks of the segments with both ends in junctions lo..hi are exactly a range of 8. */
static uint32_t square_range(const struct tiny *x, uint32_t lo, uint32_t hi)
{
    uint32_t min = UINT32_MAX, max = 0, k = 0;
    for (uint32_t v = 0; v < x->t.n; v++) {
        uint32_t a = x->t.ends[v], b = x->t.ends[x->t.n + v];
        if (a >= lo && a <= hi && b >= lo && b <= hi) {
            k++;
            min = x->rank[v] < min ? x->rank[v] : min;
            max = x->rank[v] > max ? x->rank[v] : max;
        }
    }
    ck_assert_uint_eq(k, 8);
    ck_assert_uint_eq(max - min, 7);
    ck_assert_uint_eq(min % 8, 0);
    return min;
}

static const uint32_t squares[] = {0, 1, 1, 2, 2, 3, 3, 0, 4, 5, 5, 6, 6, 7, 7, 4, 3, 4};

START_TEST(t_order_bridge)
{
    struct tiny x;
    tiny_order(&x, 8, squares, 9, 2);
    ck_assert_uint_eq(x.t.n, 18);
    for (uint32_t r = 16; r < 18; r++) { /* the top two: 3 -> 4 and 4 -> 3 */
        uint32_t v = x.order[r], a = x.t.ends[v], b = x.t.ends[x.t.n + v];
        ck_assert_msg((a == 3 && b == 4) || (a == 4 && b == 3), "rank %u: segment %u -> %u", r,
                      a, b);
    }
    ck_assert_uint_ne(square_range(&x, 0, 3), square_range(&x, 4, 7));
    tiny_free(&x);
}
END_TEST

START_TEST(t_order_components)
{
    struct tiny x;
    tiny_order(&x, 8, squares, 8, 2);
    ck_assert_uint_eq(x.t.n, 16);
    ck_assert_uint_ne(square_range(&x, 0, 3), square_range(&x, 4, 7));
    tiny_free(&x);
}
END_TEST

/* Least costs from s to every node over g's arcs (O(n^2) Dijkstra). */
static void dijkstra(const struct ft_turns *g, uint32_t s, cch_cost *dist, uint8_t *done)
{
    for (uint32_t v = 0; v < g->n; v++)
        dist[v] = CCH_INF, done[v] = 0;
    dist[s] = 0;
    for (;;) {
        uint32_t u = CCH_NONE;
        for (uint32_t v = 0; v < g->n; v++)
            if (!done[v] && dist[v] != CCH_INF && (u == CCH_NONE || dist[v] < dist[u]))
                u = v;
        if (u == CCH_NONE)
            return;
        done[u] = 1;
        for (uint64_t a = g->first[u]; a < g->first[u + 1]; a++)
            if (dist[u] + g->w[a] < dist[g->head[a]])
                dist[g->head[a]] = dist[u] + g->w[a];
    }
}

/* A 20 x 20 grid of junctions (4-neighbours) as undirected edges; returns their count. */
static uint32_t grid(uint32_t *e)
{
    uint32_t m = 0;
    for (uint32_t y = 0; y < 20; y++)
        for (uint32_t x = 0; x < 20; x++) {
            if (x + 1 < 20)
                e[2 * m] = y * 20 + x, e[2 * m + 1] = y * 20 + x + 1, m++;
            if (y + 1 < 20)
                e[2 * m] = y * 20 + x, e[2 * m + 1] = (y + 1) * 20 + x, m++;
        }
    return m;
}

START_TEST(t_order_grid_costs)
{
    static uint32_t e[2 * 760];
    struct tiny x;
    struct kkc_err err = {0};
    uint32_t m = grid(e);
    ck_assert_uint_eq(m, 760);
    tiny_order(&x, 400, e, m, 16); /* small leaves: deep recursion, still a permutation */
    struct cch *c = NULL;
    struct cch_metric *mt = NULL;
    struct cch_query *q = NULL;
    ck_assert_msg(cch_build(&x.in, &c, &err) == 0, "%s", err.msg); /* the default leaf */
    ck_assert_msg(cch_metric_create(c, NULL, x.t.w, &mt, &err) == 0, "%s", err.msg);
    ck_assert_msg(cch_query_create(c, &q, &err) == 0, "%s", err.msg);
    cch_cost *dist = malloc(x.t.n * sizeof *dist);
    uint8_t *done = malloc(x.t.n);
    for (uint32_t i = 0; i < 25; i++) {
        uint32_t s = (i * 977) % x.t.n;
        dijkstra(&x.t, s, dist, done);
        for (uint32_t t = 0; t < x.t.n; t++) {
            struct cch_seed a = {s, 0}, b = {t, 0};
            ck_assert_uint_eq(cch_query_run(q, mt, &a, 1, &b, 1), dist[t]);
        }
    }
    free(dist), free(done);
    cch_query_destroy(q), cch_metric_destroy(mt), cch_destroy(c);
    x.t.ends[5] = 400; /* a junction out of range */
    ck_assert_int_eq(cch_build(&x.in, &c, &err), KKC_EINVAL);
    tiny_free(&x);
}
END_TEST

Suite *cch_order_suite(void); /* for the runner */
Suite *cch_order_suite(void)
{
    Suite *s = suite_create("cch_order");
    TCase *tc = tcase_create("cch_order");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, t_order_bridge);
    tcase_add_test(tc, t_order_components);
    tcase_add_test(tc, t_order_grid_costs);
    suite_add_tcase(s, tc);
    return s;
}
