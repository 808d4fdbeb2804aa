/* tests/tools/route_timing.c -- quick timings of the routing query side on one database.
 *
 *   route_timing DB [QUERIES]
 *
 * Loads the road graph (median of 5 loads), then over QUERIES (default 2000) random points
 * placed up to 30 m off random snappable edges measures snap_point, route_compute with and
 * without geometry, and, with 30 synthetic centres, labels_build and labels_nearest (k = 3).
 * Prints medians and 90th percentiles; figures, not assertions. */
#include "centres/centres.h"
#include "road/graph.h"
#include "road/labels.h"
#include "road/route.h"
#include "road/snap.h"
#include "base/store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *what, double *t, size_t n)
{
    qsort(t, n, sizeof *t, cmp_d);
    printf("%-34s median %9.2f us   p90 %9.2f us   (n=%zu)\n", what, t[n / 2], t[n * 9 / 10], n);
}

static unsigned long long rng = 88172645463325252ULL;
static double rnd(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

/* A point near a random snappable edge. */
static void random_point(const struct graph *g, double *lon, double *lat)
{
    struct snap s;
    uint32_t e;
    double kx, ky, a = rnd() * 2 * M_PI, d = rnd() * 30;
    do
        e = (uint32_t)(rnd() * g->edge_count);
    while (!(g->edge_flags[e] & GRAPH_SNAPPABLE));
    snap_at(g, e, rnd(), &s, NULL);
    graph_metres_per_degree(s.lat, &kx, &ky);
    *lon = s.lon + cos(a) * d / kx;
    *lat = s.lat + sin(a) * d / ky;
}

int main(int argc, char **argv)
{
    struct kkc_err err = {0};
    struct store *st = NULL;
    struct graph *g = NULL;
    struct route_ctx *ctx = NULL;
    size_t nq = argc > 2 ? (size_t)atol(argv[2]) : 2000, nc = 30, n, settled = 0;
    double *t = calloc(nq * 2 + 8, sizeof *t), t0;
    struct snap *sn = calloc(nq, sizeof *sn);
    struct centre *items = calloc(nc, sizeof *items);
    struct centres *cs = NULL;
    struct labels *l = NULL;
    struct labels_hit hit[3];
    char ids[30][8];

    if (argc < 2 || store_open(argv[1], STORE_READONLY, &st, &err)) {
        fprintf(stderr, "usage: route_timing DB [QUERIES] (%s)\n", err.msg);
        return 2;
    }
    for (int i = 0; i < 5; i++) {
        graph_destroy(g);
        t0 = now_us();
        if (graph_load(st, &g, &err)) {
            fprintf(stderr, "graph_load: %s\n", err.msg);
            return 1;
        }
        t[i] = now_us() - t0;
    }
    printf("graph: %u nodes, %u edges, %u in the main component, %u landmarks, grid %ux%u\n",
           g->node_count, g->edge_count, g->main_scc_nodes, g->lm_count, g->grid_nx, g->grid_ny);
    report("graph_load", t, 5);
    for (size_t i = 0; i < nq; i++) {
        double lon, lat;
        random_point(g, &lon, &lat);
        t0 = now_us();
        if (snap_point(g, lon, lat, SNAP_RADIUS_DEFAULT_M, &sn[i], &err))
            fprintf(stderr, "snap: %s\n", err.msg);
        t[i] = now_us() - t0;
    }
    report("snap_point", t, nq);
    route_ctx_create(g, &ctx, &err);
    for (int geom = 1; geom >= 0; geom--) {
        n = 0;
        for (size_t i = 0; i + 1 < nq; i += 2) {
            struct route_result *r = NULL;
            t0 = now_us();
            if (route_compute(g, ctx, &sn[i], &sn[i + 1], geom, &r, &err) == 0)
                t[n++] = now_us() - t0, settled += route_ctx_settled(ctx);
            route_result_destroy(r);
        }
        report(geom ? "route_compute (geometry, steps)" : "route_compute (no geometry)", t, n);
    }
    printf("settled nodes per route: mean %.0f\n", (double)settled / (double)(2 * n));
    for (size_t i = 0; i < nc; i++) {
        snprintf(ids[i], sizeof ids[i], "T%02zu", i);
        items[i] = (struct centre){.id = ids[i],
                                   .name = ids[i],
                                   .kind = (enum centre_kind)(i % 3),
                                   .source = "timing",
                                   .active = 1};
        random_point(g, &items[i].lon, &items[i].lat);
    }
    centres_build(items, nc, &cs, &err);
    t0 = now_us();
    if (labels_build(g, cs, NULL, &l, &err)) {
        fprintf(stderr, "labels_build: %s\n", err.msg);
        return 1;
    }
    printf("labels_build (%zu centres, K=%u): %.1f ms\n", nc, labels_k(l), (now_us() - t0) / 1e3);
    for (size_t i = 0; i < nq; i++) {
        t0 = now_us();
        labels_nearest(l, &sn[i], 3, hit, &n, &err);
        t[i] = now_us() - t0;
    }
    report("labels_nearest k=3 (snapped)", t, nq);
    for (size_t i = 0; i < nq; i++) {
        struct snap s;
        t0 = now_us();
        snap_point(g, sn[i].query_lon, sn[i].query_lat, SNAP_RADIUS_DEFAULT_M, &s, &err);
        labels_nearest(l, &s, 3, hit, &n, &err);
        t[i] = now_us() - t0;
    }
    report("snap + labels_nearest k=3", t, nq);
    labels_destroy(l);
    centres_destroy(cs);
    route_ctx_destroy(ctx);
    graph_destroy(g);
    store_close(st);
    free(t), free(sn), free(items);
    return 0;
}
