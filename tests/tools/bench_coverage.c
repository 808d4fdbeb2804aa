/* tests/tools/bench_coverage.c -- in-process timings of isochrones and coverage reports.
 *
 * On the default database (KHK reference data + Heidelberg roads) it times, each over --rounds
 * runs after one warm-up run, with a monotonic clock: the reached set of a 10-minute isochrone
 * from the Heidelberg fire station (reach_run with a limit, scratch reused), the finished polygon
 * from it (isochrone_build), three contours 5/10/15 min, the full coverage report for KHK
 * (km=10, police) and for Heidelberg (minutes=15, all kinds), each without and with polygons
 * (gap and service areas), and catchments both ways. The per-world data (coverage_base_build,
 * done once per world) and the first use of PROJ's S-JTSK transformation are timed apart.
 * Figures are printed (min / median / p90 in ms), never asserted; exit status 0 unless something
 * could not run.
 *
 * Build (like tests/tools/bench_nearest.c, against the project's library):
 *   cc -std=c17 -D_GNU_SOURCE -O2 -Igeo tests/tools/bench_coverage.c build/libkkcgeo.a \
 *      $(pkg-config --cflags --libs geos proj spatialite sqlite3 jansson readosm) \
 *      -lbz2 -lz -lpthread -lm -o build/bench_coverage
 *   build/bench_coverage [--db data/kkc.sqlite] [--rounds 30] */
#include "centres/centres.h"
#include "coverage/coverage.h"
#include "base/crs.h"
#include "road/graph.h"
#include "coverage/isochrone.h"
#include "coverage/reach.h"
#include "road/snap.h"
#include "base/store.h"
#include "bench_util.h"
#include "bench_world.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ROUNDS_MAX 10000
#define FIRE_ID "osm-w115669341"

struct env {
    struct bench_world w;
    struct reach *r;
    struct reach_source src;
};

/* One timed piece of work; returns 0 or -1 (failed). */
typedef int (*work_fn)(struct env *e, const void *arg);

/* Run fn once to warm up, then rounds times; print min / median / p90. */
static int timed(const char *what, struct env *e, work_fn fn, const void *arg, int rounds)
{
    double *t = malloc((size_t)rounds * sizeof *t);
    if (!t || fn(e, arg)) {
        fprintf(stderr, "bench_coverage: %s failed\n", what);
        free(t);
        return -1;
    }
    for (int i = 0; i < rounds; i++) {
        double t0 = now_ms();
        if (fn(e, arg)) {
            free(t);
            return -1;
        }
        t[i] = now_ms() - t0;
    }
    qsort(t, (size_t)rounds, sizeof *t, cmp_double);
    printf("%-58s %8.3f %8.3f %8.3f\n", what, t[0], t[rounds / 2], t[rounds * 9 / 10]);
    free(t);
    return 0;
}

static int work_reach(struct env *e, const void *arg)
{
    const double *minutes = arg;
    return reach_run(e->r, &e->src, 1, REACH_OUT, (uint32_t)(*minutes * 60000), NULL) ? -1 : 0;
}

/* Polygons of the contours in arg (a zero-terminated list of minutes) from the last reach. */
static int work_polygons(struct env *e, const void *arg)
{
    const double *minutes = arg;
    double lim[8] = {0};
    GEOSGeometry *out[8];
    size_t n = 0;
    for (; minutes[n] > 0 && n < 8; n++)
        lim[n] = minutes[n] * 60;
    if (isochrone_build(e->w.h, e->r, lim, n, NULL, out, NULL, NULL))
        return -1;
    for (size_t k = 0; k < n; k++)
        GEOSGeom_destroy_r(e->w.h, out[k]);
    return 0;
}

static int work_coverage(struct env *e, const void *arg)
{
    struct coverage_result res;
    int rc = coverage_run(e->w.h, e->w.crs, e->w.b, e->w.cs, e->w.g, arg, &res, NULL) ? -1 : 0;
    coverage_result_free(e->w.h, &res);
    return rc;
}

static int work_catchments(struct env *e, const void *arg)
{
    struct coverage_result res;
    struct coverage_catchment *c = NULL;
    int by_road, rc = coverage_catchments(e->w.h, e->w.crs, e->w.b, e->w.cs, e->w.g, arg, &res, &c,
                                          &by_road, NULL)
                          ? -1
                          : 0;
    coverage_catchments_free(e->w.h, c, res.nsites);
    coverage_result_free(e->w.h, &res);
    return rc;
}

/* Load the database and the fire station's snapped position. */
static int env_open(struct env *e, const char *db)
{
    struct kkc_err err = {0};
    double t0;
    long fire;
    if (bench_world_open(&e->w, db, "bench_coverage",
                         "coverage data for the world (once per world)"))
        return -1;
    if (reach_create(e->w.g, &e->r, &err)) {
        fprintf(stderr, "bench_coverage: %s: %s\n", db, err.msg);
        return -1;
    }
    fire = centres_find(e->w.cs, FIRE_ID);
    if (fire < 0 || snap_point(e->w.g, centres_get(e->w.cs, (size_t)fire)->lon,
                               centres_get(e->w.cs, (size_t)fire)->lat, 1000, &e->src.at, &err)) {
        fprintf(stderr, "bench_coverage: no %s on the roads (is this the default database?)\n",
                FIRE_ID);
        return -1;
    }
    t0 = now_ms();
    double xy[2] = {15.8, 50.2};
    crs_array_from_wgs84(e->w.crs, CRS_SJTSK, xy, 1, NULL);
    printf("first use of %s in a thread (PROJ, once per thread): %.1f ms\n\n", CRS_SJTSK,
           now_ms() - t0);
    return 0;
}

static int run_all(struct env *e, int rounds)
{
    static const double ten = 10, fifteen = 15, c10[] = {10, 0}, c51015[] = {5, 10, 15, 0};
    struct coverage_request khk = {.kind_mask = 1u << KIND_POLICE, .km = 10, .region = -1};
    struct coverage_request hd = {.kind_mask = KIND_MASK_ALL, .minutes = 15, .region = -1};
    struct coverage_request khk_g = khk, hd_g = hd,
                            cat_khk = {.kind_mask = 1u << KIND_POLICE, .region = -1},
                            cat_hd = {.kind_mask = KIND_MASK_ALL,
                                      .minutes = 20,
                                      .region = e->w.b->network};
    khk_g.want_geometry = hd_g.want_geometry = 1;
    printf("%-58s %8s %8s %8s\n", "ms", "min", "median", "p90");
    return timed("isochrone 10 min, Heidelberg: reached set", e, work_reach, &ten, rounds) ||
           timed("isochrone 10 min, Heidelberg: polygon from it", e, work_polygons, c10, rounds) ||
           work_reach(e, &fifteen) ||
           timed("isochrones 5/10/15 min: polygons (one grid)", e, work_polygons, c51015, rounds) ||
           timed("coverage KHK km=10 police: report", e, work_coverage, &khk, rounds) ||
           timed("coverage KHK km=10 police: report + gap polygons", e, work_coverage, &khk_g,
                 rounds) ||
           timed("coverage Heidelberg minutes=15: report", e, work_coverage, &hd, rounds) ||
           timed("coverage Heidelberg minutes=15: report + gap polygons", e, work_coverage, &hd_g,
                 rounds) ||
           timed("catchments KHK police (Voronoi, S-JTSK)", e, work_catchments, &cat_khk, rounds) ||
           timed("catchments Heidelberg 20 min (network Voronoi)", e, work_catchments, &cat_hd,
                 rounds);
}

int main(int argc, char **argv)
{
    static const struct option longs[] = {
        {"db", required_argument, 0, 'd'}, {"rounds", required_argument, 0, 'r'}, {0, 0, 0, 0}};
    const char *db = "data/kkc.sqlite";
    int rounds = 30, c, rc;
    struct env e = {0};
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        if (c == 'd')
            db = optarg;
        else if (c == 'r' && (rounds = atoi(optarg)) >= 1 && rounds <= ROUNDS_MAX)
            continue;
        else {
            fprintf(stderr, "usage: bench_coverage [--db FILE] [--rounds 1..%d]\n", ROUNDS_MAX);
            return 2;
        }
    }
    rc = env_open(&e, db) || run_all(&e, rounds);
    reach_destroy(e.r);
    bench_world_close(&e.w);
    return rc ? 1 : 0;
}
