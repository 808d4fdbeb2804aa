/* tests/tools/bench_response.c -- in-process timings of coverage with response times, nth units
 * and standards, beside today's report.
 *
 * On the default database: KHK (km=10, police: today's report; the by-road questions cannot run
 * there, the data has no KHK roads) and the Heidelberg road area, where --munis random points
 * snapped on the roads (populations 100..1,000) stand in for municipalities (the area has no
 * census data) and --added random sites join its 3 OSM centres. Timed, each over --rounds runs
 * after one warm-up: today's report (minutes=10), response=true, nth=2, nth=3, and the standard
 * pcr-10 of data/standards.csv (all kinds here, so the sites are the same). Min / median / p90
 * ms printed, never asserted.
 *
 * Build (as scripts/bench response does):
 *   cc -std=c17 -D_GNU_SOURCE -O2 -Igeo tests/tools/bench_response.c build/libkkcgeo.a \
 *      $(pkg-config --cflags --libs geos proj spatialite sqlite3 jansson readosm) \
 *      -lbz2 -lz -lpthread -lm -o build/bench_response
 *   build/bench_response [--db data/kkc.sqlite] [--rounds 10] [--munis 500] [--added 20] */
#include "base/crs.h"
#include "base/store.h"
#include "centres/centres.h"
#include "coverage/coverage.h"
#include "coverage/standards.h"
#include "road/graph.h"
#include "road/snap.h"
#include "bench_util.h"
#include "bench_world.h"
#include "synth_base.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MUNIS_MAX 5000

static struct {
    struct bench_world w;
    struct synth_base sb; /* w.b with the synthetic municipalities */
    double added[2 * COVERAGE_ADDED_MAX];
} e;

/* Time coverage_run(q) on base b: one warm-up, then rounds runs; prints the covered share. */
static int timed(const char *what, const struct coverage_base *b, const struct coverage_request *q,
                 int rounds)
{
    double *t = malloc((size_t)rounds * sizeof *t);
    struct coverage_result res;
    struct kkc_err err = {0};
    long covered = 0, total = 0;
    for (int i = -1; t && i < rounds; i++) {
        double t0 = now_ms();
        if (coverage_run(e.w.h, e.w.crs, b, e.w.cs, e.w.g, q, &res, &err)) {
            fprintf(stderr, "bench_response: %s: %s\n", what, err.msg);
            coverage_result_free(e.w.h, &res);
            free(t);
            return -1;
        }
        if (i >= 0)
            t[i] = now_ms() - t0;
        covered = res.pop_covered, total = res.pop_total;
        coverage_result_free(e.w.h, &res);
    }
    if (!t)
        return -1;
    qsort(t, (size_t)rounds, sizeof *t, cmp_double);
    printf("%-44s %8.2f %8.2f %8.2f   covered %5.1f %%\n", what, t[0], t[rounds / 2],
           t[rounds * 9 / 10], total > 0 ? 100.0 * (double)covered / (double)total : 0.0);
    free(t);
    return 0;
}

/* The Heidelberg stand-in: n synthetic municipalities in the network region, then nadded
 * points to add; all in the middle 80 % of the road box. */
static int fake_base(int n, int nadded)
{
    static const struct synth_box mid = {0.1, 0.8};
    unsigned long long s = 2026;
    if (synth_base_make(&e.sb, e.w.b, e.w.g, mid, &s, (size_t)n, NULL))
        return -1;
    for (int k = 0; k < nadded; k++) {
        struct snap at;
        synth_point(e.w.b, e.w.g, mid, &s, &e.added[2 * k], &e.added[2 * k + 1], &at);
    }
    return 0;
}

/* The questions on the Heidelberg stand-in. */
static int heidelberg(int rounds, int nadded)
{
    struct standards *set = NULL;
    struct coverage_request q = {.kind_mask = KIND_MASK_ALL,
                                 .minutes = 10,
                                 .region = e.w.b->network,
                                 .added = e.added,
                                 .nadded = (size_t)nadded};
    int rc = timed("Heidelberg minutes=10 (today)", &e.sb.base, &q, rounds);
    q.response = 1;
    rc |= timed("Heidelberg minutes=10 response=true", &e.sb.base, &q, rounds);
    q.response = 0, q.nth = 2;
    rc |= timed("Heidelberg minutes=10 nth=2", &e.sb.base, &q, rounds);
    q.nth = 3;
    rc |= timed("Heidelberg minutes=10 nth=3", &e.sb.base, &q, rounds);
    q.response = 1, q.nth = 2;
    rc |= timed("Heidelberg minutes=10 nth=2 response=true", &e.sb.base, &q, rounds);
    if (standards_builtin(&set, NULL) || !standards_find(set, "pcr-10"))
        return -1;
    const struct standard *st = standards_find(set, "pcr-10");
    q.minutes = st->minutes, q.nth = st->nth, q.response = st->turnout != STANDARD_TURNOUT_NONE;
    rc |= timed("Heidelberg standard=pcr-10 (10 min, turnout)", &e.sb.base, &q, rounds);
    standards_destroy(set);
    return rc;
}

int main(int argc, char **argv)
{
    const char *db = "data/kkc.sqlite";
    int rounds = 10, munis = 500, nadded = 20, c;
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                         {"rounds", required_argument, 0, 'r'},
                                         {"munis", required_argument, 0, 'm'},
                                         {"added", required_argument, 0, 'a'},
                                         {0, 0, 0, 0}};
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1)
        if (c == 'd')
            db = optarg;
        else if (c == 'r')
            rounds = atoi(optarg);
        else if (c == 'm')
            munis = atoi(optarg);
        else if (c == 'a')
            nadded = atoi(optarg);
        else
            return 2;
    if (rounds < 1 || munis < 1 || munis > MUNIS_MAX || nadded < 0 || nadded > COVERAGE_ADDED_MAX)
        return 2;
    if (bench_world_open(&e.w, db, "bench_response", NULL))
        return 1;
    printf("%-44s %8s %8s %8s\n", "question (ms)", "min", "median", "p90");
    struct coverage_request khk = {.kind_mask = 1u << KIND_POLICE, .km = 10, .region = -1};
    int rc = timed("KHK km=10 police (today; no KHK roads)", e.w.b, &khk, rounds);
    if (fake_base(munis, nadded))
        return 1;
    printf("Heidelberg stand-in: %d synthetic municipalities, %zu centres + %d added sites\n",
           munis, centres_count(e.w.cs), nadded);
    rc |= heidelberg(rounds, nadded);
    return rc ? 1 : 0;
}
