/* tests/tools/bench_plan.c -- in-process timings of location-allocation (geo/coverage/plan.h).
 *
 * On the default database (KHK reference data + Heidelberg roads) it times plan_run over the KHK
 * municipalities as candidates (448, km=10, police: the acceptance figure is add=5 under 1 s),
 * then how the time grows with the number of candidates (random points in the KHK box: 100 ..
 * 10,000) and with add (1 .. 20), greedy and exact apart, and closing (remove 1 .. 20); and
 * coverage_run alone, the coverage before that every plan starts from; by road when the road
 * network's area has census population (a --db with municipalities there). The
 * per-world coverage data (coverage_base_build) is built once, outside the timings, as the
 * server does. Each figure is min / median / p90 in ms over --rounds runs after one warm-up,
 * with the value found, the method and the exact search's node count. Figures are printed,
 * never asserted; exit status 0 unless something could not run.
 *
 * Build (like tests/tools/bench_nearest.c, against the project's library):
 *   cc -std=c17 -D_GNU_SOURCE -O2 -Igeo tests/tools/bench_plan.c build/libkkcgeo.a \
 *      $(pkg-config --cflags --libs geos proj spatialite sqlite3 jansson readosm) \
 *      -lbz2 -lz -lpthread -lm -o build/bench_plan
 *   build/bench_plan [--db data/kkc.sqlite] [--rounds 10] [--seed 20261125] */
#include "centres/centres.h"
#include "coverage/coverage.h"
#include "base/crs.h"
#include "road/graph.h"
#include "coverage/plan.h"
#include "base/store.h"
#include "bench_util.h"
#include "bench_world.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ROUNDS_MAX 1000

/* Run q once to warm up, then rounds times; print the times and what was found. 0 or -1. */
static int timed(const char *what, struct bench_world *e, const struct plan_request *q, int rounds)
{
    double *t = malloc((size_t)rounds * sizeof *t);
    struct plan_result res;
    struct kkc_err err = {0};
    int rc = t ? 0 : -1;
    for (int i = -1; !rc && i < rounds; i++) {
        double t0 = now_ms();
        if (plan_run(e->h, e->crs, e->b, e->cs, e->g, q, &res, &err)) {
            fprintf(stderr, "bench_plan: %s: %s\n", what, err.msg);
            rc = -1;
        } else if (i >= 0) {
            t[i] = now_ms() - t0;
        }
        if (!rc && i == rounds - 1) {
            qsort(t, (size_t)rounds, sizeof *t, cmp_double);
            printf("%-44s %9.2f %9.2f %9.2f  %-6s %8ld %8ld %9zu\n", what, t[0], t[rounds / 2],
                   t[rounds * 9 / 10], res.method == PLAN_EXACT ? "exact" : "greedy", res.greedy,
                   res.exact, res.exact_nodes);
        }
        plan_result_free(e->h, &res);
    }
    free(t);
    return rc;
}

/* The same timings for coverage_run alone (no geometry): the fixed part of every plan. */
static int timed_coverage(const char *what, struct bench_world *e, const struct coverage_request *q,
                          int rounds)
{
    double *t = malloc((size_t)rounds * sizeof *t);
    struct coverage_result res;
    int rc = t ? 0 : -1;
    for (int i = -1; !rc && i < rounds; i++) {
        double t0 = now_ms();
        rc = coverage_run(e->h, e->crs, e->b, e->cs, e->g, q, &res, NULL) ? -1 : 0;
        if (i >= 0)
            t[i] = now_ms() - t0;
        coverage_result_free(e->h, &res);
    }
    if (!rc) {
        qsort(t, (size_t)rounds, sizeof *t, cmp_double);
        printf("%-44s %9.2f %9.2f %9.2f\n", what, t[0], t[rounds / 2], t[rounds * 9 / 10]);
    }
    free(t);
    return rc;
}

/* xorshift64* in [0, 1). */
static double rnd(unsigned long long *s)
{
    *s ^= *s >> 12, *s ^= *s << 25, *s ^= *s >> 27;
    return (double)((*s * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

/* By road, when the road network's area has census population (not in the default data: give
 * --db a copy with municipalities there): the region's municipalities as candidates. */
static int run_road(struct bench_world *e, int rounds)
{
    static const size_t adds[] = {1, 5, 20};
    long net = e->b->network;
    struct plan_request q = {.cov = {.kind_mask = KIND_MASK_ALL, .region = net}};
    char what[96];
    int rc = 0;
    if (net < 0 || !e->b->region[net].has_population) {
        printf("by road: skipped (no census population in the road network's area; see --db)\n");
        return 0;
    }
    printf("by road, region network (%zu municipalities), all kinds:\n", e->b->region[net].munis);
    for (int m = 5; !rc && m <= 15; m += 5) {
        q.cov.minutes = m;
        snprintf(what, sizeof what, "  of which the coverage before, %d min", m);
        rc = timed_coverage(what, e, &q.cov, rounds);
        for (size_t a = 0; !rc && a < sizeof adds / sizeof adds[0]; a++)
            for (int g = 0; !rc && g < 2; g++) {
                q.count = adds[a], q.method = g ? PLAN_GREEDY : PLAN_AUTO;
                snprintf(what, sizeof what, "municipalities, %d min, add=%zu (%s)", m, adds[a],
                         g ? "greedy" : "auto");
                rc = timed(what, e, &q, rounds);
            }
    }
    return rc;
}

/* The figures (see the file comment). */
static int run(struct bench_world *e, int rounds, unsigned long long seed)
{
    static const size_t ncands[] = {100, 300, 1000, 3000, 10000};
    static const size_t adds[] = {1, 3, 5, 10, 20};
    double *pts = malloc(2 * PLAN_CANDIDATES_MAX * sizeof *pts);
    long region = coverage_region_find(e->b, "CZ052");
    const struct coverage_region *reg = region >= 0 ? &e->b->region[region] : NULL;
    struct plan_request q = {.cov = {.kind_mask = 1u << KIND_POLICE, .km = 10, .region = region},
                             .count = 5};
    char what[96];
    int rc = pts && reg ? 0 : -1;

    for (size_t i = 0; pts && reg && i < PLAN_CANDIDATES_MAX; i++) {
        pts[2 * i] = reg->bbox[0] + rnd(&seed) * (reg->bbox[2] - reg->bbox[0]);
        pts[2 * i + 1] = reg->bbox[1] + rnd(&seed) * (reg->bbox[3] - reg->bbox[1]);
    }
    printf("%-44s %9s %9s %9s  %-6s %8s %8s %9s\n", "question (KHK, police)", "min ms", "median",
           "p90", "method", "greedy", "exact", "nodes");
    rc = rc ? rc : timed("448 municipalities, km=10, add=5 (auto)", e, &q, rounds);
    for (int km = 5; !rc && km <= 15; km += 5) {
        q.cov.km = km;
        snprintf(what, sizeof what, "  of which the coverage before, km=%d", km);
        rc = timed_coverage(what, e, &q.cov, rounds);
    }
    for (int km = 5; !rc && km <= 15; km += 5)
        for (size_t a = 0; !rc && a < sizeof adds / sizeof adds[0]; a++) {
            q.cov.km = km, q.count = adds[a], q.method = PLAN_AUTO;
            snprintf(what, sizeof what, "448 municipalities, km=%d, add=%zu (auto)", km, adds[a]);
            rc = timed(what, e, &q, rounds);
            q.method = PLAN_GREEDY;
            snprintf(what, sizeof what, "448 municipalities, km=%d, add=%zu (greedy)", km, adds[a]);
            rc = rc ? rc : timed(what, e, &q, rounds);
        }
    q.cand = pts, q.cov.km = 5;
    for (size_t c = 0; !rc && c < sizeof ncands / sizeof ncands[0]; c++)
        for (int m = 0; !rc && m < 2; m++) {
            q.ncand = ncands[c], q.count = 5, q.method = m ? PLAN_GREEDY : PLAN_AUTO;
            snprintf(what, sizeof what, "%zu random points, km=5, add=5 (%s)", ncands[c],
                     m ? "greedy" : "auto");
            rc = timed(what, e, &q, rounds);
        }
    q.cand = NULL, q.goal = PLAN_REMOVE, q.cov.km = 5, q.method = PLAN_AUTO;
    for (size_t a = 0; !rc && a < sizeof adds / sizeof adds[0]; a++) {
        q.count = adds[a];
        snprintf(what, sizeof what, "close %zu of 35 police centres, km=5 (auto)", adds[a]);
        rc = timed(what, e, &q, rounds);
    }
    free(pts);
    return rc ? rc : run_road(e, rounds);
}

int main(int argc, char **argv)
{
    static const struct option longs[] = {{"db", required_argument, 0, 'd'},
                                          {"rounds", required_argument, 0, 'r'},
                                          {"seed", required_argument, 0, 's'},
                                          {0, 0, 0, 0}};
    const char *db = "data/kkc.sqlite";
    int rounds = 10, c, rc;
    unsigned long long seed = 20261125;
    struct bench_world e = {0};
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        if (c == 'd')
            db = optarg;
        else if (c == 'r')
            rounds = atoi(optarg);
        else if (c == 's')
            seed = strtoull(optarg, NULL, 10);
        else
            return 2;
    }
    if (rounds < 1 || rounds > ROUNDS_MAX || seed == 0) {
        fprintf(stderr, "bench_plan: --rounds 1..%d, --seed > 0\n", ROUNDS_MAX);
        return 2;
    }
    rc = bench_world_open(&e, db, "bench_plan",
                          "coverage base (once per world, not in the figures)") ||
                 run(&e, rounds, seed)
             ? 1
             : 0;
    bench_world_close(&e);
    return rc;
}
