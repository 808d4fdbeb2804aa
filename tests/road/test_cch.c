/* tests/road/test_cch.c -- the customizable contraction hierarchy (cch.h) against a plain
 * Dijkstra written here over the same CSR graph.
 *
 * Graphs: the node-based road graph of every real extract (Heidelberg from KKC_DB, the others
 * imported with the OSM importer), costs graph_cost as loaded (graph_cost_make: ms, dm); and the
 * PACE 2016 FLA topology (1.07 M nodes, no weights: SEEDED uniform weights of 1..100,000 ms per
 * arc, each direction drawn apart), and FLA turn-expanded (tests/fixture_turn.h: a routing node per
 * directed arc, an arc per allowed turn, SEEDED segment and turn costs, forbidden turns), the shape
 * of the service's turn graph at 2.69 M routing nodes. Checked: 10,000 random pairs per extract
 * (1,000 on each FLA) exactly equal to Dijkstra; every unpacked path is a chain of input arcs from
 * source to target whose weights sum to the cost; a many-to-many table with two-node groups and
 * seed costs equal to the Dijkstra minimum; after a customization with new weights, the same again;
 * a partial update of a few arcs (some closed, some opened) equal to a full customization, arc by
 * arc, costs and middles (cch.h), and two threads equal to one; and a grid of tied costs (0..2),
 * where the middles decide the unpacked paths. */
#include "road/cch.h"
#include "road/graph.h"
#include "road/import/osm_import.h"
#include "base/store.h"
#include "testutil.h"
#include "fixture_turn.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct tg {
    uint32_t n;
    uint64_t *first;
    uint32_t *head, *tail;
    cch_cost *w;
};

static void tg_free(struct tg *g)
{
    free(g->first), free(g->head), free(g->tail), free(g->w);
}

static void tg_tails(struct tg *g)
{
    g->tail = malloc((g->first[g->n] + 1) * sizeof *g->tail);
    for (uint32_t v = 0; v < g->n; v++)
        for (uint64_t a = g->first[v]; a < g->first[v + 1]; a++)
            g->tail[a] = v;
}

static void tg_from_graph(const struct graph *gr, struct tg *g)
{
    g->n = gr->node_count;
    g->first = malloc(((size_t)g->n + 1) * sizeof *g->first);
    g->head = malloc(((size_t)gr->out_first[g->n] + 1) * sizeof *g->head);
    g->w = malloc(((size_t)gr->out_first[g->n] + 1) * sizeof *g->w);
    for (uint32_t v = 0; v <= g->n; v++)
        g->first[v] = gr->out_first[v];
    for (uint32_t a = 0; a < gr->out_first[g->n]; a++)
        g->head[a] = gr->out[a].node, g->w[a] = gr->out[a].cost;
    tg_tails(g);
}

/* Seeded uniform weights lo..hi per arc. */
static void tg_reweigh(struct tg *g, unsigned long long seed, cch_cost lo, cch_cost hi)
{
    for (uint64_t a = 0; a < g->first[g->n]; a++)
        g->w[a] = lo + (cch_cost)(tu_rand(&seed) * (double)(hi - lo + 1));
}

/* A PACE 2016 .gr.xz file (1-based undirected edges) as arcs both ways. */
static void tg_read_gr(const char *path, struct tg *g)
{
    ck_assert_msg(ft_read_gr(path, &g->n, &g->first, &g->head) == 0, "%s: unreadable", path);
    g->w = malloc((g->first[g->n] + 1) * sizeof *g->w);
    tg_tails(g);
}

/* ---- the oracle: textbook Dijkstra with a binary heap ------------------------------------- */

struct hi {
    cch_cost d;
    uint32_t v;
};

static void heap_push(struct hi *h, size_t *len, struct hi x)
{
    size_t i = (*len)++;
    while (i && h[(i - 1) / 2].d > x.d)
        h[i] = h[(i - 1) / 2], i = (i - 1) / 2;
    h[i] = x;
}

static struct hi heap_pop(struct hi *h, size_t *len)
{
    struct hi top = h[0], last = h[--*len];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= *len)
            break;
        if (c + 1 < *len && h[c + 1].d < h[c].d)
            c++;
        if (h[c].d >= last.d)
            break;
        h[i] = h[c], i = c;
    }
    if (*len)
        h[i] = last;
    return top;
}

/* dist[v] = least cost from any seed s[i] (starting at its cost) to v (CCH_INF unreachable). */
static void dijkstra_seeds(const struct tg *g, const struct cch_seed *s, size_t ns, cch_cost *dist,
                           struct hi *heap)
{
    size_t len = 0;
    for (uint32_t v = 0; v < g->n; v++)
        dist[v] = CCH_INF;
    for (size_t i = 0; i < ns; i++)
        if (s[i].cost < dist[s[i].node]) {
            dist[s[i].node] = s[i].cost;
            heap_push(heap, &len, (struct hi){s[i].cost, s[i].node});
        }
    while (len) {
        struct hi x = heap_pop(heap, &len);
        if (x.d != dist[x.v])
            continue;
        for (uint64_t a = g->first[x.v]; a < g->first[x.v + 1]; a++) {
            if (g->w[a] == CCH_INF)
                continue;
            cch_cost nd = x.d + g->w[a];
            if (nd < dist[g->head[a]]) {
                dist[g->head[a]] = nd;
                heap_push(heap, &len, (struct hi){nd, g->head[a]});
            }
        }
    }
}

static void dijkstra(const struct tg *g, uint32_t s, cch_cost *dist, struct hi *heap)
{
    struct cch_seed one = {s, 0};
    dijkstra_seeds(g, &one, 1, dist, heap);
}

/* ---- checks -------------------------------------------------------------------------------- */

struct fix {
    struct tg g;
    struct cch *c;
    struct cch_metric *m;
    struct cch_query *q;
    cch_cost *dist;
    struct hi *heap;
    uint8_t *uturn; /* a turn-expanded graph (fixture_turn.h): its u-turn flags, else NULL */
    uint32_t *ends, junctions; /* and its node graph's arc ends (the order's coarse graph) */
};

static void fix_open(struct fix *f)
{
    struct kkc_err err = {0};
    struct cch_input in = {f->g.n, f->g.first, f->g.head, f->ends,
                           f->ends ? f->ends + f->g.n : NULL, f->junctions};
    ck_assert_msg(cch_build(&in, &f->c, &err) == 0, "%s", err.msg);
    ck_assert_msg(cch_metric_create(f->c, NULL, f->g.w, &f->m, &err) == 0, "%s", err.msg);
    ck_assert_msg(cch_query_create(f->c, &f->q, &err) == 0, "%s", err.msg);
    f->dist = malloc(((size_t)f->g.n + 1) * sizeof *f->dist);
    f->heap = malloc((f->g.first[f->g.n] + 2) * sizeof *f->heap);
}

static void fix_close(struct fix *f)
{
    cch_query_destroy(f->q);
    cch_metric_destroy(f->m);
    cch_destroy(f->c);
    free(f->dist), free(f->heap), free(f->uturn), free(f->ends);
    tg_free(&f->g);
}

/* The path of the last query: a chain of input arcs s -> t summing to cost. */
static void check_path(struct fix *f, uint32_t s, uint32_t t, cch_cost cost)
{
    struct kkc_err err = {0};
    uint64_t *arcs = NULL;
    size_t k = 0;
    uint32_t ps, pt;
    ck_assert_msg(cch_query_path(f->q, f->m, &arcs, &k, &ps, &pt, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(ps, s);
    ck_assert_uint_eq(pt, t);
    cch_cost sum = 0;
    uint32_t at = s;
    for (size_t i = 0; i < k; i++) {
        ck_assert_uint_eq(f->g.tail[arcs[i]], at);
        sum += f->g.w[arcs[i]];
        at = f->g.head[arcs[i]];
    }
    ck_assert_uint_eq(at, t);
    ck_assert_uint_eq(sum, cost);
    free(arcs);
}

/* nsrc random sources x ntgt random targets, each pair against Dijkstra. */
static void check_pairs(struct fix *f, unsigned long long seed, int nsrc, int ntgt)
{
    long reached = 0;
    for (int i = 0; i < nsrc; i++) {
        uint32_t s = (uint32_t)(tu_rand(&seed) * f->g.n);
        dijkstra(&f->g, s, f->dist, f->heap);
        for (int j = 0; j < ntgt; j++) {
            uint32_t t = (uint32_t)(tu_rand(&seed) * f->g.n);
            struct cch_seed a = {s, 0}, b = {t, 0};
            cch_cost got = cch_query_run(f->q, f->m, &a, 1, &b, 1);
            ck_assert_msg(got == f->dist[t], "%u -> %u: cch %llu, dijkstra %llu", s, t,
                          (unsigned long long)got, (unsigned long long)f->dist[t]);
            if (got != CCH_INF)
                check_path(f, s, t, got), reached++;
        }
    }
    ck_assert_int_gt(reached, (long)nsrc * ntgt / 2); /* the pairs are mostly connected */
}

/* A table of ns x nt groups of two nodes with seed costs, and the same pairs by
 * cch_query_run, against min over the seeds of Dijkstra. */
static void check_table(struct fix *f, unsigned long long seed, size_t ns, size_t nt)
{
    struct kkc_err err = {0};
    struct cch_seed *src = malloc(2 * ns * sizeof *src), *dst = malloc(2 * nt * sizeof *dst);
    size_t *sf = malloc((ns + 1) * sizeof *sf), *df = malloc((nt + 1) * sizeof *df);
    cch_cost *got = malloc(ns * nt * sizeof *got), *want = malloc(ns * nt * sizeof *want);
    for (size_t i = 0; i < 2 * ns; i++)
        src[i] = (struct cch_seed){(uint32_t)(tu_rand(&seed) * f->g.n),
                                   (cch_cost)(tu_rand(&seed) * 5000)};
    for (size_t j = 0; j < 2 * nt; j++)
        dst[j] = (struct cch_seed){(uint32_t)(tu_rand(&seed) * f->g.n),
                                   (cch_cost)(tu_rand(&seed) * 5000)};
    for (size_t i = 0; i <= ns; i++)
        sf[i] = 2 * i;
    for (size_t j = 0; j <= nt; j++)
        df[j] = 2 * j;
    for (size_t k = 0; k < ns * nt; k++)
        want[k] = CCH_INF;
    for (size_t i = 0; i < ns; i++) { /* one Dijkstra from both seeds of group i */
        dijkstra_seeds(&f->g, src + 2 * i, 2, f->dist, f->heap);
        for (size_t j = 0; j < 2 * nt; j++) {
            cch_cost d = f->dist[dst[j].node];
            if (d != CCH_INF && d + dst[j].cost < want[i * nt + j / 2])
                want[i * nt + j / 2] = d + dst[j].cost;
        }
    }
    ck_assert_msg(cch_table(f->q, f->m, src, sf, ns, dst, df, nt, got, &err) == 0, "%s", err.msg);
    for (size_t i = 0; i < ns; i++)
        for (size_t j = 0; j < nt; j++) {
            ck_assert_uint_eq(got[i * nt + j], want[i * nt + j]);
            ck_assert_uint_eq(cch_query_run(f->q, f->m, src + 2 * i, 2, dst + 2 * j, 2),
                              want[i * nt + j]);
        }
    free(src), free(dst), free(sf), free(df), free(got), free(want);
}

/* Change a few arcs (a third closed, closed ones opened) by cch_metric_update; the costs must equal
 * those of a metric customized in full from the same weights. */
static void check_update(struct fix *f, unsigned long long seed, size_t count)
{
    struct kkc_err err = {0};
    uint64_t *arcs = malloc(count * sizeof *arcs), touched = 0;
    cch_cost *w = malloc(count * sizeof *w);
    struct cch_metric *full = NULL;
    for (size_t i = 0; i < count; i++) {
        arcs[i] = (uint64_t)(tu_rand(&seed) * (double)f->g.first[f->g.n]);
        /* a closed arc opens (as a latent u-turn when a closure leaves one road at a node) */
        w[i] = i % 3 == 0 ? CCH_INF : f->g.w[arcs[i]] == CCH_INF ? 1 : f->g.w[arcs[i]] * 3 + 1;
        f->g.w[arcs[i]] = w[i];
    }
    ck_assert_msg(cch_metric_update(f->m, arcs, w, count, &touched, &err) == 0, "%s", err.msg);
    ck_assert_uint_gt(touched, 0);
    ck_assert_msg(cch_metric_create(f->c, NULL, f->g.w, &full, &err) == 0, "%s", err.msg);
    for (uint64_t a = 0; a < f->c->arc_count; a++) {
        ck_assert_uint_eq(f->m->up[a], full->up[a]);
        ck_assert_uint_eq(f->m->down[a], full->down[a]);
        /* the middles (the unpacking follows them) too: the same rule, not just the same cost */
        ck_assert_uint_eq(f->m->mid[2 * a], full->mid[2 * a]);
        ck_assert_uint_eq(f->m->mid[2 * a + 1], full->mid[2 * a + 1]);
    }
    cch_metric_destroy(full);
    free(arcs), free(w);
}

/* A full customization on two threads gives the one-thread costs and middles, bit for bit (and
 * the pairs checked after it hold them against Dijkstra). */
static void check_threads(struct fix *f)
{
    size_t bytes = f->c->arc_count * sizeof(cch_cost);
    cch_cost *up = malloc(bytes + 8), *down = malloc(bytes + 8);
    uint32_t *mid = malloc(bytes + 8); /* two uint32 an arc: as many bytes as its cost */
    setenv("KKC_CCH_THREADS", "1", 1);
    cch_metric_customize(f->m);
    memcpy(up, f->m->up, bytes), memcpy(down, f->m->down, bytes), memcpy(mid, f->m->mid, bytes);
    setenv("KKC_CCH_THREADS", "2", 1);
    cch_metric_customize(f->m);
    unsetenv("KKC_CCH_THREADS");
    ck_assert_msg(!memcmp(up, f->m->up, bytes) && !memcmp(down, f->m->down, bytes) &&
                      !memcmp(mid, f->m->mid, bytes),
                  "two-thread customization differs from one thread (%llu arcs)",
                  (unsigned long long)f->c->arc_count);
    free(up), free(down), free(mid);
}

/* Pairs, table, new weights and a partial update on f's graph. */
static void check_all(struct fix *f, int nsrc, int ntgt, int full_reweigh)
{
    check_pairs(f, 11, nsrc, ntgt);
    check_table(f, 12, 20, 25);
    if (full_reweigh) {
        if (f->uturn) { /* new seeded segment and turn costs */
            struct ft_turns t = {
                .n = f->g.n, .first = f->g.first, .head = f->g.head, .uturn = f->uturn};
            ft_weigh(&t, 13, f->g.w);
        } else {
            tg_reweigh(&f->g, 13, 1, 100000);
        }
        memcpy(f->m->weight, f->g.w, f->g.first[f->g.n] * sizeof *f->g.w);
        check_threads(f);
        check_pairs(f, 14, nsrc / 4 + 1, ntgt);
    }
    check_update(f, 15, 40);
    check_pairs(f, 16, nsrc / 4 + 1, ntgt);
    check_table(f, 17, 10, 10);
}

/* ---- tests --------------------------------------------------------------------------------- */

static const char *const extracts[] = {
    "heidelberg", "monaco-2016",           "andorra", "liechtenstein-2015", "helsinki",
    "baltimore",  "prague-nove-mesto-2017"};

static void load_graph(const char *db, struct tg *g)
{
    struct store *st = NULL;
    struct graph *gr = NULL;
    struct kkc_err err = {0};
    struct graph_options o = {0};
    ck_assert_msg(store_open(db, STORE_READONLY, &st, &err) == 0, "%s", err.msg);
    ck_assert_msg(graph_load_opts(st, &o, &gr, &err) == 0, "%s", err.msg);
    store_close(st);
    tg_from_graph(gr, g);
    graph_destroy(gr);
}

/* Every real extract's road graph: 100 sources x 100 targets = 10,000 pairs. */
START_TEST(t_cch_extract)
{
    struct fix f = {0};
    char *path = NULL;
    if (_i == 0) {
        load_graph(tu_db(), &f.g);
    } else {
        char *src = NULL;
        struct store *st = NULL;
        struct osm_import_opts o = {0};
        struct kkc_err err = {0};
        const char *ext = strstr(extracts[_i], "2017") ? "osm" : "osm.pbf";
        path = tu_tmpfile("cch.sqlite");
        ck_assert_int_ge(asprintf(&src, "%s/osm/%s.%s", tu_data_src(), extracts[_i], ext), 0);
        ck_assert_msg(store_open(path, STORE_CREATE, &st, &err) == 0, "%s", err.msg);
        o.path = src;
        ck_assert_msg(osm_import(st, &o, NULL, &err) == 0, "%s: %s", src, err.msg);
        store_close(st);
        free(src);
        load_graph(path, &f.g);
    }
    fix_open(&f);
    check_all(&f, 100, 100, 1);
    fix_close(&f);
    if (path)
        unlink(path), free(path);
}
END_TEST

/* FLA (1.07 M nodes), seeded weights: 20 sources x 50 targets = 1,000 pairs. */
START_TEST(t_cch_fla)
{
    struct fix f = {0};
    char *path = NULL;
    ck_assert_int_ge(asprintf(&path, "%s/graphs/pace16-FLA.gr.xz", tu_data_src()), 0);
    tg_read_gr(path, &f.g);
    tg_reweigh(&f.g, 7, 1, 100000);
    fix_open(&f);
    check_all(&f, 20, 50, 1);
    fix_close(&f);
    free(path);
}
END_TEST

/* FLA turn-expanded (fixture_turn.h: 2.69 M routing nodes, 5.1 M turns with seeded segment and
 * turn costs, dead-end u-turns, ~2 % of the turns forbidden), fed to the CCH as road_ch.c feeds
 * the turn graph: 20 sources x 50 targets = 1,000 pairs, a 20 x 25 table, new costs, again. */
START_TEST(t_cch_fla_turns)
{
    struct fix f = {0};
    struct ft_turns t;
    char *path = NULL;
    uint32_t n;
    uint64_t *first;
    uint32_t *head;
    ck_assert_int_ge(asprintf(&path, "%s/graphs/pace16-FLA.gr.xz", tu_data_src()), 0);
    ck_assert_msg(ft_read_gr(path, &n, &first, &head) == 0, "%s: unreadable", path);
    ck_assert_int_eq(ft_expand(n, first, head, 21, 22, &t), 0);
    ck_assert_uint_eq(t.n, first[n]);
    ck_assert_uint_gt(t.forbidden, t.first[t.n] / 100); /* about 2 % restricted */
    ck_assert_uint_gt(t.uturns, 0);
    free(first), free(head);
    f.g.n = t.n, f.g.first = t.first, f.g.head = t.head, f.g.w = t.w, f.uturn = t.uturn;
    /* the service's order (METIS_NodeND, road_ch.c's default); the cut-based one is suite
     * cch_order's, against Dijkstra on a grid */
    free(t.ends);
    tg_tails(&f.g);
    fix_open(&f);
    check_all(&f, 20, 50, 1);
    fix_close(&f);
    free(path);
}
END_TEST

/* Bad input is refused with the reason; tiny graphs (no arcs, loops, parallel arcs) work. */
START_TEST(t_cch_small)
{
    struct kkc_err err = {0};
    struct cch *c = NULL;
    uint64_t bad_first[] = {0, 2, 1};
    uint32_t head[] = {1, 1, 0, 0};
    struct cch_input bad = {.n = 2, .first_out = bad_first, .head = head};
    ck_assert_int_eq(cch_build(&bad, &c, &err), KKC_EINVAL);
    uint64_t first2[] = {0, 3, 4};
    uint32_t head2[] = {1, 9, 0, 0};
    struct cch_input bad2 = {.n = 2, .first_out = first2, .head = head2};
    ck_assert_int_eq(cch_build(&bad2, &c, &err), KKC_EINVAL);

    struct fix f = {0};
    uint64_t first[] = {0, 3, 4, 4};
    f.g.n = 3;
    f.g.first = malloc(sizeof first), memcpy(f.g.first, first, sizeof first);
    f.g.head = malloc(4 * sizeof *f.g.head);
    f.g.w = malloc(4 * sizeof *f.g.w);
    uint32_t h[] = {1, 1, 0, 0};
    cch_cost w[] = {7, 5, 3, 2}; /* 0->1 twice, loop 0->0, 1->0; node 2 isolated */
    memcpy(f.g.head, h, sizeof h), memcpy(f.g.w, w, sizeof w);
    tg_tails(&f.g);
    fix_open(&f);
    struct cch_seed a = {0, 0}, b = {1, 0}, z = {2, 0};
    ck_assert_uint_eq(cch_query_run(f.q, f.m, &a, 1, &b, 1), 5);
    check_path(&f, 0, 1, 5);
    ck_assert_uint_eq(cch_query_run(f.q, f.m, &b, 1, &a, 1), 2);
    ck_assert_uint_eq(cch_query_run(f.q, f.m, &a, 1, &z, 1), CCH_INF);
    ck_assert_uint_eq(cch_query_run(f.q, f.m, &a, 1, &a, 1), 0);
    check_path(&f, 0, 0, 0);
    fix_close(&f);
}
END_TEST

/* A 40 x 40 grid of two-way streets with costs 0..2 (a tenth closed one way): ties everywhere,
 * zero-cost cycles, so many triangles give an arc the same cost and the middle kept (cch.h)
 * decides the path: every unpacked path must still be a walk on the input arcs summing to the
 * cost, and the middles after a partial update and on two threads equal a full customization. */
START_TEST(t_cch_ties)
{
    struct fix f = {0};
    unsigned long long seed = 31;
    uint32_t side = 40, n = side * side;
    f.g.n = n;
    f.g.first = calloc((size_t)n + 1, sizeof *f.g.first);
    f.g.head = malloc(4 * (size_t)n * sizeof *f.g.head);
    f.g.w = malloc(4 * (size_t)n * sizeof *f.g.w);
    for (uint32_t v = 0; v < n; v++) {
        uint64_t a = f.g.first[v];
        uint32_t x = v % side, y = v / side;
        uint32_t nb[4] = {x ? v - 1 : CCH_NONE, x + 1 < side ? v + 1 : CCH_NONE,
                          y ? v - side : CCH_NONE, y + 1 < side ? v + side : CCH_NONE};
        for (int k = 0; k < 4; k++)
            if (nb[k] != CCH_NONE) {
                double r = tu_rand(&seed);
                f.g.head[a] = nb[k];
                f.g.w[a++] = r < 0.1 ? CCH_INF : (cch_cost)(r * 3);
            }
        f.g.first[v + 1] = a;
    }
    tg_tails(&f.g);
    fix_open(&f);
    check_threads(&f);
    check_all(&f, 40, 40, 0);
    fix_close(&f);
}
END_TEST

Suite *cch_suite(void); /* for the runner */
Suite *cch_suite(void)
{
    Suite *s = suite_create("cch");
    TCase *tc = tcase_create("cch");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, t_cch_small);
    tcase_add_loop_test(tc, t_cch_extract, 0, (int)(sizeof extracts / sizeof *extracts));
    tcase_add_test(tc, t_cch_fla);
    suite_add_tcase(s, tc);
    TCase *ti = tcase_create("cch_ties"); /* CK_RUN_CASE=cch_ties runs it alone */
    tcase_add_test(ti, t_cch_ties);
    suite_add_tcase(s, ti);
    TCase *tt = tcase_create("cch_turns"); /* CK_RUN_CASE=cch_turns runs it alone */
    tcase_set_timeout(tt, 600);
    tcase_add_test(tt, t_cch_fla_turns);
    suite_add_tcase(s, tt);
    return s;
}
