/* tests/tools/bench_route.c -- our routing query side, timed per query (scripts/bench route).
 *
 *   bench_route --db DB [--pairs FILE] [--queries N] [--seed S] [--centres 30]
 *
 * FILE has one pair a line, "from_node to_node lon1 lat1 lon2 lat2" (road_nodes ids and their
 * coordinates); without it, N pairs of nodes at the ends of random snappable edges are drawn with
 * a fixed seed, and --dump-pairs FILE writes them in that form (so that the peers of
 * scripts/bench route get the same pairs). Each point is snapped once
 * (untimed), then route_compute with geometry and steps, and without, is timed per pair. For the
 * nearest-by-time question, S synthetic centres (random points near snappable edges, fixed seed)
 * get labels (labels_build, timed once), then per query point snap_point + labels_nearest k = 3
 * is timed. Prints median / p90 / p99 microseconds and RESULT lines; asserts nothing. */
#include "centres/centres.h"
#include "road/graph.h"
#include "road/labels.h"
#include "road/route.h"
#include "road/snap.h"
#include "base/store.h"

#include <getopt.h>
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

static void report(const char *key, const char *what, double *t, size_t n)
{
    if (n == 0) {
        printf("%-36s no samples\n", what);
        return;
    }
    qsort(t, n, sizeof *t, cmp_d);
    printf("%-36s median %9.2f us   p90 %9.2f us   p99 %9.2f us   (n=%zu)\n", what, t[n / 2],
           t[n * 9 / 10], t[n * 99 / 100], n);
    printf("RESULT ours %s median_us=%.2f p99_us=%.2f n=%zu\n", key, t[n / 2], t[n * 99 / 100], n);
}

static unsigned long long rng = 88172645463325252ULL;
static double rnd(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

/* A point near a random snappable edge (for the synthetic centres). */
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
    const char *db = "data/kkc.sqlite", *pairs = NULL, *dump = NULL;
    size_t nq = 1000, nc = 30, n, np = 0, settled = 0;
    static const struct option lo[] = {{"db", 1, 0, 'd'},     {"pairs", 1, 0, 'p'},
                                       {"queries", 1, 0, 'q'}, {"seed", 1, 0, 's'},
                                       {"centres", 1, 0, 'c'}, {"dump-pairs", 1, 0, 'o'},
                                       {0, 0, 0, 0}};
    int o;
    while ((o = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (o) {
        case 'd': db = optarg; break;
        case 'p': pairs = optarg; break;
        case 'q': nq = (size_t)atol(optarg); break;
        case 's': rng ^= (unsigned long long)atoll(optarg) * 0x9E3779B97F4A7C15ULL; break;
        case 'c': nc = (size_t)atol(optarg); break;
        case 'o': dump = optarg; break;
        default: fprintf(stderr, "usage: bench_route --db DB [--pairs FILE] [--queries N] [--seed S] [--centres N] [--dump-pairs FILE]\n"); return 2;
        }
    }
    if (store_open(db, STORE_READONLY, &st, &err) || graph_load(st, &g, &err)) {
        fprintf(stderr, "bench_route: %s: %s\n", db, err.msg);
        return 1;
    }
    printf("graph: %u nodes, %u edges, %u in the main component\n", g->node_count, g->edge_count,
           g->main_scc_nodes);
    double *pt = NULL; /* lon1 lat1 lon2 lat2 per pair */
    if (pairs) {
        FILE *f = fopen(pairs, "r");
        size_t cap = 0;
        double a, b, c, d;
        long x, y;
        if (!f) {
            perror(pairs);
            return 1;
        }
        while (fscanf(f, "%ld %ld %lf %lf %lf %lf", &x, &y, &a, &b, &c, &d) == 6) {
            if (np == cap)
                cap = cap ? cap * 2 : 1024, pt = realloc(pt, cap * 4 * sizeof *pt);
            pt[np * 4] = a, pt[np * 4 + 1] = b, pt[np * 4 + 2] = c, pt[np * 4 + 3] = d, np++;
        }
        fclose(f);
    } else {
        /* Nodes at either end of random snappable edges, so that every point snaps to itself. */
        FILE *f = dump ? fopen(dump, "w") : NULL;
        pt = calloc(nq * 4, sizeof *pt);
        for (np = 0; np < nq; np++) {
            uint32_t v[2];
            for (int k = 0; k < 2; k++) {
                uint32_t e;
                do
                    e = (uint32_t)(rnd() * g->edge_count);
                while (!(g->edge_flags[e] & GRAPH_SNAPPABLE));
                v[k] = rnd() < 0.5 ? g->edge_source[e] : g->edge_target[e];
                pt[np * 4 + 2 * k] = g->node_lonlat[2 * v[k]];
                pt[np * 4 + 2 * k + 1] = g->node_lonlat[2 * v[k] + 1];
            }
            if (f)
                fprintf(f, "%u %u %.7f %.7f %.7f %.7f\n", graph_node_dbid(g, v[0]),
                        graph_node_dbid(g, v[1]), pt[np * 4], pt[np * 4 + 1], pt[np * 4 + 2],
                        pt[np * 4 + 3]);
        }
        if (f)
            fclose(f);
    }
    double *t = calloc(2 * np + 8, sizeof *t), t0;
    struct snap *sn = calloc(2 * np, sizeof *sn);
    for (size_t i = 0; i < 2 * np; i++)
        if (snap_point(g, pt[2 * i], pt[2 * i + 1], SNAP_RADIUS_DEFAULT_M, &sn[i], &err))
            fprintf(stderr, "snap: %s\n", err.msg);
    route_ctx_create(g, &ctx, &err);
    size_t unreachable = 0;
    for (int geom = 1; geom >= 0; geom--) {
        n = 0, settled = 0, unreachable = 0;
        for (size_t i = 0; i < np; i++) {
            struct route_result *r = NULL;
            t0 = now_us();
            int rc = route_compute(g, ctx, &sn[2 * i], &sn[2 * i + 1], geom, &r, &err);
            t[n++] = now_us() - t0; /* unreachable pairs are timed too: the peers' are */
            if (rc == 0)
                settled += route_ctx_settled(ctx);
            else
                unreachable++;
            route_result_destroy(r);
        }
        report(geom ? "route_geometry" : "route_cost", geom ? "route (geometry, steps)" : "route (no geometry)", t, n);
    }
    printf("pairs %zu, unreachable %zu, settled nodes per route: mean %.0f\n", np, unreachable,
           np > unreachable ? (double)settled / (double)(np - unreachable) : 0.0);

    struct centre *items = calloc(nc, sizeof *items);
    char (*ids)[24] = calloc(nc, sizeof *ids);
    struct centres *cs = NULL;
    struct labels *l = NULL;
    struct labels_hit hit[3];
    for (size_t i = 0; i < nc; i++) {
        snprintf(ids[i], sizeof ids[i], "T%03zu", i);
        items[i] = (struct centre){.id = ids[i], .name = ids[i], .kind = (enum centre_kind)(i % 3),
                                   .source = "bench", .active = 1};
        random_point(g, &items[i].lon, &items[i].lat);
    }
    centres_build(items, nc, &cs, &err);
    t0 = now_us();
    if (labels_build(g, cs, NULL, &l, &err)) {
        fprintf(stderr, "labels_build: %s\n", err.msg);
        return 1;
    }
    printf("labels_build (%zu synthetic centres, K=%u): %.1f ms\n", nc, labels_k(l), (now_us() - t0) / 1e3);
    for (size_t i = 0; i < 2 * np; i++) {
        struct snap s;
        t0 = now_us();
        snap_point(g, pt[2 * i], pt[2 * i + 1], SNAP_RADIUS_DEFAULT_M, &s, &err);
        labels_nearest(l, &s, 3, hit, &n, &err);
        t[i] = now_us() - t0;
    }
    report("nearest_k3", "snap + labels_nearest k=3", t, 2 * np);
    labels_destroy(l);
    centres_destroy(cs);
    route_ctx_destroy(ctx);
    graph_destroy(g);
    store_close(st);
    free(t), free(sn), free(items), free(ids), free(pt);
    return 0;
}
