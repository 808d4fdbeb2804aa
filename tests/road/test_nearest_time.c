/* tests/road/test_nearest_time.c -- nearest centres by driving time (geo/road/nearest_time.c):
 * the labels and the exhaustive search give the same answer under the one radius rule.
 *
 * On the hand graph (tests/fixture_graph.h) with centres placed by hand, one of them 1,150 m from
 * the nearest road: beyond NEAREST_TIME_CENTRE_RADIUS_M, but within a request radius of 2 km.
 * Oracle: route_cost() (a point-to-point A* search) from every centre snapped under the rule,
 * sorted by cost then index, against both ways of answering. */
#include "base/store.h"
#include "centres/centres.h"
#include "fixture_graph.h"
#include "road/graph.h"
#include "road/labels.h"
#include "road/nearest_time.h"
#include "road/route.h"
#include "road/snap.h"
#include "testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define NC 5
/* metres on the hand map: near A, near C, near D, far north of C, on the dead end e6 */
static const double centre_xy[NC][2] = {{50, 20}, {150, 130}, {200, 60}, {100, 1300}, {0, -50}};

static struct centres *hand_centres(void)
{
    struct centre items[NC] = {{0}};
    struct centres *cs = NULL;
    static const char *const ids[NC] = {"C0", "C1", "C2", "C3", "C4"};
    for (int i = 0; i < NC; i++) {
        items[i].id = (char *)ids[i], items[i].name = (char *)ids[i];
        items[i].kind = (enum centre_kind)(i % 3);
        items[i].source = "test", items[i].active = 1;
        to_lonlat(centre_xy[i][0], centre_xy[i][1], &items[i].lon, &items[i].lat);
    }
    ck_assert_int_eq(centres_build(items, NC, &cs, NULL), KKC_OK);
    return cs;
}

/* The answer by brute force: route_cost() from each centre snapped within the rule's radius. */
static size_t oracle(const struct graph *g, const struct centres *cs, const struct snap *at,
                     struct nearest_time_hit *out)
{
    struct route_ctx *ctx = NULL;
    size_t n = 0;
    ck_assert_int_eq(route_ctx_create(g, &ctx, NULL), KKC_OK);
    for (size_t i = 0; i < NC; i++) {
        const struct centre *c = centres_get(cs, i);
        struct snap s;
        graph_cost cost;
        if (snap_point(g, c->lon, c->lat, NEAREST_TIME_CENTRE_RADIUS_M, &s, NULL) ||
            route_cost(g, ctx, &s, at, &cost, NULL))
            continue;
        size_t j = n++;
        for (; j > 0 && out[j - 1].cost > cost; j--) /* stable: index order among equals */
            out[j] = out[j - 1];
        out[j] = (struct nearest_time_hit){(uint32_t)i, cost};
    }
    route_ctx_destroy(ctx);
    return n;
}

static void same_hits(const struct nearest_time_hit *a, size_t na,
                      const struct nearest_time_hit *b, size_t nb, const char *what)
{
    ck_assert_msg(na == nb, "%s: %zu hits, want %zu", what, na, nb);
    for (size_t i = 0; i < na; i++) {
        ck_assert_msg(a[i].centre == b[i].centre, "%s: hit %zu centre %u, want %u", what, i,
                      a[i].centre, b[i].centre);
        ck_assert(a[i].cost == b[i].cost);
    }
}

START_TEST(test_one_radius_rule)
{
    char *path = fx_db(hand_nodes, HAND_NODES, hand_edges, HAND_EDGES);
    struct store *st = NULL;
    struct graph *g = NULL;
    struct centres *cs = hand_centres();
    struct labels *lab = NULL;
    struct snap at, far;
    struct nearest_time_hit want[NC], got[NC];
    size_t nw, n;
    double lon, lat;

    ck_assert_int_eq(store_open(path, STORE_READONLY, &st, NULL), KKC_OK);
    ck_assert_int_eq(graph_load(st, &g, NULL), KKC_OK);
    store_close(st);
    ck_assert_int_eq(labels_build(g, cs, NULL, &lab, NULL), KKC_OK);
    to_lonlat(100, 0, &lon, &lat);
    ck_assert_int_eq(snap_point(g, lon, lat, 50, &at, NULL), KKC_OK);
    /* the far centre: a road within 2 km, none within the rule's radius; the labels agree */
    ck_assert_int_eq(snap_point(g, centres_get(cs, 3)->lon, centres_get(cs, 3)->lat, 2000, &far,
                                NULL),
                     KKC_OK);
    ck_assert_int_eq(labels_centre(lab, 3, NULL), LABELS_UNSNAPPED);
    nw = oracle(g, cs, &at, want);
    ck_assert_uint_ge(nw, 3); /* C0, C1, C2 reach the point; C3 is too far, C4 a dead end */
    for (size_t i = 0; i < nw; i++)
        ck_assert_uint_ne(want[i].centre, 3);

    ck_assert(nearest_time_uses_labels(lab, 0, nw));
    ck_assert_int_eq(nearest_time(g, cs, lab, &at, 7, 0, nw, got, &n, NULL), KKC_OK);
    same_hits(got, n, want, nw, "labels");
    ck_assert(!nearest_time_uses_labels(NULL, 0, nw));
    ck_assert_int_eq(nearest_time(g, cs, NULL, &at, 7, 0, NC, got, &n, NULL), KKC_OK);
    same_hits(got, n, want, nw, "exhaustive");
    ck_assert(!nearest_time_uses_labels(lab, 1, nw));
    ck_assert_int_eq(nearest_time(g, cs, lab, &at, 7, 1, NC, got, &n, NULL), KKC_OK);
    same_hits(got, n, want, nw, "exhaustive, closed too");
    ck_assert(!nearest_time_uses_labels(lab, 0, labels_k(lab) + 1));

    ck_assert_int_eq(nearest_time(g, cs, NULL, &at, 1u << 1, 0, NC, got, &n, NULL), KKC_OK);
    for (size_t i = 0; i < n; i++) /* a kind mask keeps to its kind */
        ck_assert_int_eq(centres_get(cs, got[i].centre)->kind, 1);

    /* labels per kind, merged, for every combination of kinds and every k: as the exhaustive */
    struct labels *one[KIND_COUNT];
    for (int kind = 0; kind < KIND_COUNT; kind++) {
        struct labels_options o = {.kind_mask = 1u << kind};
        ck_assert_int_eq(labels_build(g, cs, &o, &one[kind], NULL), KKC_OK);
    }
    for (unsigned mask = 1; mask <= KIND_MASK_ALL; mask++)
        for (size_t k = 1; k <= 4; k++) {
            ck_assert_int_eq(nearest_time(g, cs, NULL, &at, mask, 0, k, want, &nw, NULL), KKC_OK);
            ck_assert_int_eq(nearest_time_kinds(g, cs, (const struct labels *const *)one, &at,
                                                mask, 0, k, got, &n, NULL),
                             KKC_OK);
            same_hits(got, n, want, nw, "labels per kind, merged");
        }
    for (int kind = 0; kind < KIND_COUNT; kind++)
        labels_destroy(one[kind]);
    labels_destroy(lab);
    centres_destroy(cs);
    graph_destroy(g);
    unlink(path);
    free(path);
}
END_TEST

Suite *nearest_time_suite(void); /* for the runner */

Suite *nearest_time_suite(void)
{
    Suite *s = suite_create("nearest_time");
    TCase *tc = tu_tcase(s, "policy", 0);
    tcase_add_test(tc, test_one_radius_rule);
    return s;
}
