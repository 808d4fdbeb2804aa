/* tests/tools/bench_nearest.c -- in-process benchmark of the nearest-centre index.
 *
 * Times centres_nearest() (geo/centres/centres.h) per query with a nanosecond clock over random points in
 * a box around the Czech Republic (fixed seed), and the same k-nearest queries as SpatiaLite SQL
 * on the same database in the same process: a full scan ranked by ellipsoidal ST_Distance, and the
 * VirtualKNN virtual table (SpatiaLite 5.0's R*Tree KNN). Then it repeats the index timing on
 * synthetic centre sets (centres_build) of growing size. Every result set is also checked against
 * a brute-force geodesic oracle, and the SQL answers against the index; disagreements are counted
 * and printed. Figures are printed, never asserted: the exit status is 0 unless something could
 * not run at all (a bad option, a database that does not open, a failed allocation).
 *
 * Built by scripts/bench (not by the Makefile) against build/libkkcgeo.a. */
#include "centres/centres.h"
#include "base/crs.h"
#include "base/err.h"
#include "base/store.h"

#include <getopt.h>
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define K_MAX 50
#define DIST_EPS 1e-6 /* metres: two geodesic distances closer than this are the same */

/* A box around the Czech Republic (WGS84 degrees). */
static const double CZ_LON0 = 12.09, CZ_LON1 = 18.86, CZ_LAT0 = 48.55, CZ_LAT1 = 51.06;

struct opts {
    const char *db;     /* NULL: skip the real-data and SQL sections */
    size_t queries;     /* distinct random points */
    int rounds;         /* timed passes over all points for the index */
    size_t sql_queries; /* points for each SQL method (each timed once per round); 0 = no SQL */
    int sql_rounds;
    size_t k;
    uint64_t seed;
    const char *sizes;   /* comma-separated synthetic set sizes, "" for none */
    size_t check_budget; /* geodesic calls allowed for the brute-force check of one set */
    int dump_points;     /* print the points ("lon lat" lines) and exit */
};

struct pt {
    double lon, lat;
};

struct stats {
    double median_ns, p99_ns, mean_ns; /* per query, each query timed on its own */
    double batch_ns;                   /* per query, one clock read around a whole pass */
};

/* ------------------------------------------------------------------ clock, random ---------- */

/* Monotonic time in nanoseconds. */
static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* splitmix64: a small, fast, well-mixed generator; the same seed gives the same points. */
static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* Uniform in [lo, hi). */
static double rng_range(uint64_t *s, double lo, double hi)
{
    return lo + (hi - lo) * (double)(rng_next(s) >> 11) / 9007199254740992.0;
}

/* n random points in the Czech box; the caller frees. NULL when out of memory. */
static struct pt *points_make(size_t n, uint64_t seed)
{
    struct pt *p = malloc((n ? n : 1) * sizeof *p);
    for (size_t i = 0; p && i < n; i++) {
        p[i].lon = rng_range(&seed, CZ_LON0, CZ_LON1);
        p[i].lat = rng_range(&seed, CZ_LAT0, CZ_LAT1);
    }
    return p;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Median, 99th percentile and mean of n samples (sorts them in place). */
static void stats_fill(uint64_t *ns, size_t n, struct stats *st)
{
    double sum = 0;
    qsort(ns, n, sizeof *ns, cmp_u64);
    for (size_t i = 0; i < n; i++)
        sum += (double)ns[i];
    st->median_ns = (double)ns[n / 2];
    st->p99_ns = (double)ns[n * 99 / 100];
    st->mean_ns = sum / (double)n;
}

/* Median cost of one now_ns() pair: included in every per-query sample below. */
static double clock_overhead_ns(void)
{
    uint64_t s[10001];
    for (size_t i = 0; i < 10001; i++) {
        uint64_t t0 = now_ns();
        s[i] = now_ns() - t0;
    }
    qsort(s, 10001, sizeof *s, cmp_u64);
    return (double)s[5000];
}

/* ------------------------------------------------------------------ the index -------------- */

/* Time centres_nearest over all points, rounds times, each query on its own clock pair, after one
 * untimed warm-up pass; also one batch pass timed as a whole. Returns 0, or -1 on a query error
 * or when out of memory. */
static int bench_index(const struct centres *c, const struct pt *pts, size_t q, int rounds,
                       size_t k, struct stats *st)
{
    struct centres_hit hits[K_MAX];
    struct kkc_err err = {0};
    uint64_t *ns = malloc(q * (size_t)rounds * sizeof *ns), t0;
    size_t n, m = 0;
    int rc = 0;

    if (!ns)
        return -1;
    for (size_t i = 0; i < q && !rc; i++) /* warm-up: caches, branch predictors */
        rc = (int)centres_nearest(c, pts[i].lon, pts[i].lat, KIND_MASK_ALL, 0, k, hits, &n, &err);
    for (int r = 0; r < rounds && !rc; r++) {
        for (size_t i = 0; i < q && !rc; i++) {
            uint64_t a = now_ns();
            rc = (int)centres_nearest(c, pts[i].lon, pts[i].lat, KIND_MASK_ALL, 0, k, hits, &n,
                                      &err);
            ns[m++] = now_ns() - a;
        }
    }
    t0 = now_ns();
    for (size_t i = 0; i < q && !rc; i++)
        rc = (int)centres_nearest(c, pts[i].lon, pts[i].lat, KIND_MASK_ALL, 0, k, hits, &n, &err);
    st->batch_ns = (double)(now_ns() - t0) / (double)q;
    if (rc)
        fprintf(stderr, "bench_nearest: centres_nearest: %s\n", err.msg);
    else
        stats_fill(ns, m, st);
    free(ns);
    return rc ? -1 : 0;
}

struct ranked {
    double d;
    uint32_t index;
};

static int cmp_ranked(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->d != y->d)
        return x->d < y->d ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

/* Brute-force oracle: for the first q points, rank every active centre by crs_geodesic and compare
 * with centres_nearest (same indices, same order). Returns the number of points that disagree,
 * or (size_t)-1 when out of memory. */
static size_t check_brute(const struct centres *c, const struct pt *pts, size_t q, size_t k)
{
    size_t nc = centres_count(c), bad = 0;
    struct ranked *all = malloc((nc ? nc : 1) * sizeof *all);
    struct centres_hit hits[K_MAX];
    struct kkc_err err = {0};

    if (!all)
        return (size_t)-1;
    for (size_t i = 0; i < q; i++) {
        size_t n = 0, m = 0;
        for (size_t j = 0; j < nc; j++) {
            const struct centre *ce = centres_get(c, j);
            if (!ce->active)
                continue;
            all[m].d = crs_geodesic(pts[i].lon, pts[i].lat, ce->lon, ce->lat, NULL);
            all[m++].index = (uint32_t)j;
        }
        qsort(all, m, sizeof *all, cmp_ranked);
        centres_nearest(c, pts[i].lon, pts[i].lat, KIND_MASK_ALL, 0, k, hits, &n, &err);
        int same = n == (m < k ? m : k);
        for (size_t j = 0; same && j < n; j++)
            same = hits[j].index == all[j].index && hits[j].distance_m == all[j].d;
        bad += !same;
    }
    free(all);
    return bad;
}

/* ------------------------------------------------------------------ SpatiaLite ------------- */

/* Per-point SQL answer for the agreement check: centre indices (into centres_get). */
struct sql_answer {
    long idx[K_MAX];
    size_t n;
};

/* Map one SQL row to a centre index: column 0 is a centres.id text, or (knn) a rowid to look up
 * in rowid_ids. -1 when unknown. */
static long sql_row_index(sqlite3_stmt *s, const struct centres *c, char **rowid_ids,
                          sqlite3_int64 max_rowid)
{
    if (!rowid_ids) {
        const unsigned char *id = sqlite3_column_text(s, 0);
        return id ? centres_find(c, (const char *)id) : -1;
    }
    sqlite3_int64 fid = sqlite3_column_int64(s, 0);
    return fid >= 0 && fid <= max_rowid && rowid_ids[fid] ? centres_find(c, rowid_ids[fid]) : -1;
}

/* Do two answers name centres at the same geodesic distances (ties may pick different ids)? */
static int same_answer(const struct centres *c, struct pt p, const struct sql_answer *a,
                       const struct centres_hit *hits, size_t n)
{
    if (a->n != n)
        return 0;
    for (size_t j = 0; j < n; j++) {
        const struct centre *ce = a->idx[j] >= 0 ? centres_get(c, (size_t)a->idx[j]) : NULL;
        double d = ce ? crs_geodesic(p.lon, p.lat, ce->lon, ce->lat, NULL) : -1;
        if (fabs(d - hits[j].distance_m) > DIST_EPS)
            return 0;
    }
    return 1;
}

/* Time one prepared SQL method (parameters lon, lat, k) over q points, rounds times, and count
 * the points whose answer differs from the index's. Returns 0, or -1 on an SQL error. */
static int bench_sql(sqlite3 *db, const char *sql, const struct centres *c, char **rowid_ids,
                     sqlite3_int64 max_rowid, const struct pt *pts, size_t q, int rounds, size_t k,
                     struct stats *st, size_t *disagree)
{
    sqlite3_stmt *s = NULL;
    uint64_t *ns = malloc(q * (size_t)rounds * sizeof *ns);
    struct sql_answer *ans = calloc(q ? q : 1, sizeof *ans);
    size_t m = 0;
    int rc = -1;

    if (!ns || !ans || sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
        fprintf(stderr, "bench_nearest: %s\n  %s\n", sql, sqlite3_errmsg(db));
        goto out;
    }
    for (int r = 0; r < rounds; r++) {
        for (size_t i = 0; i < q; i++) {
            uint64_t t0 = now_ns();
            int step;
            sqlite3_bind_double(s, 1, pts[i].lon);
            sqlite3_bind_double(s, 2, pts[i].lat);
            sqlite3_bind_int(s, 3, (int)k);
            ans[i].n = 0;
            while ((step = sqlite3_step(s)) == SQLITE_ROW)
                if (ans[i].n < K_MAX)
                    ans[i].idx[ans[i].n++] = sql_row_index(s, c, rowid_ids, max_rowid);
            sqlite3_reset(s);
            ns[m++] = now_ns() - t0;
            if (step != SQLITE_DONE) {
                fprintf(stderr, "bench_nearest: %s\n  %s\n", sql, sqlite3_errmsg(db));
                goto out;
            }
        }
    }
    stats_fill(ns, m, st);
    st->batch_ns = st->mean_ns;
    *disagree = 0;
    for (size_t i = 0; i < q; i++) {
        struct centres_hit hits[K_MAX];
        size_t n = 0;
        struct kkc_err err = {0};
        centres_nearest(c, pts[i].lon, pts[i].lat, KIND_MASK_ALL, 0, k, hits, &n, &err);
        *disagree += !same_answer(c, pts[i], &ans[i], hits, n);
    }
    rc = 0;
out:
    sqlite3_finalize(s);
    free(ans);
    free(ns);
    return rc;
}

/* rowid -> centres.id for the VirtualKNN rows (which give the rowid as fid). *out is an array of
 * *max + 1 strings (NULL where no row), freed with rowid_map_free. Returns 0 or -1. */
static int rowid_map_load(sqlite3 *db, char ***out, sqlite3_int64 *max)
{
    sqlite3_stmt *s = NULL;
    char **map = NULL;
    int rc = -1;

    *out = NULL;
    *max = -1;
    if (sqlite3_prepare_v2(db, "SELECT max(rowid) FROM centres", -1, &s, NULL) != SQLITE_OK ||
        sqlite3_step(s) != SQLITE_ROW)
        goto out;
    *max = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    s = NULL;
    map = calloc((size_t)*max + 1, sizeof *map);
    if (!map || sqlite3_prepare_v2(db, "SELECT rowid, id FROM centres", -1, &s, NULL) != SQLITE_OK)
        goto out;
    while (sqlite3_step(s) == SQLITE_ROW) {
        sqlite3_int64 r = sqlite3_column_int64(s, 0);
        if (r >= 0 && r <= *max)
            map[r] = strdup((const char *)sqlite3_column_text(s, 1));
    }
    *out = map;
    map = NULL;
    rc = 0;
out:
    free(map);
    sqlite3_finalize(s);
    return rc;
}

static void rowid_map_free(char **map, sqlite3_int64 max)
{
    for (sqlite3_int64 i = 0; map && i <= max; i++)
        free(map[i]);
    free(map);
}

/* ------------------------------------------------------------------ report ----------------- */

static void print_stats(const char *label, const struct stats *st)
{
    printf("  %-34s median %10.3f us   p99 %10.3f us   mean %10.3f us   batch %10.3f us\n", label,
           st->median_ns / 1e3, st->p99_ns / 1e3, st->mean_ns / 1e3, st->batch_ns / 1e3);
}

/* The real database: the index against SpatiaLite SQL. Returns 0 or -1. */
static int section_real(const struct opts *o, const struct pt *pts)
{
    static const char full_sql[] =
        "SELECT id, ST_Distance(geom, MakePoint(?1, ?2, 4326), 1) AS d FROM centres "
        "ORDER BY d LIMIT ?3";
    static const char knn_sql[] = "SELECT fid, distance FROM KNN WHERE f_table_name = 'centres' "
                                  "AND ref_geometry = MakePoint(?1, ?2, 4326) AND max_items = ?3";
    struct store *st = NULL;
    struct centres *c = NULL;
    struct kkc_err err = {0};
    struct stats idx, full, knn;
    char **map = NULL;
    sqlite3_int64 max = -1;
    size_t sq = o->sql_queries < o->queries ? o->sql_queries : o->queries, bad_full, bad_knn;
    int rc = -1;

    if (store_open(o->db, STORE_READONLY, &st, &err) || centres_load(st, &c, &err)) {
        fprintf(stderr, "bench_nearest: %s: %s\n", o->db, err.msg);
        goto out;
    }
    printf("real data: %s, %zu centres, k=%zu\n", o->db, centres_count(c), o->k);
    if (bench_index(c, pts, o->queries, o->rounds, o->k, &idx))
        goto out;
    printf("  brute-force check: %zu of %zu points disagree\n",
           check_brute(c, pts, o->queries, o->k), o->queries);
    print_stats("index centres_nearest", &idx);
    printf("    (%zu points x %d rounds)\n", o->queries, o->rounds);
    if (sq == 0) {
        printf("RESULT nearest_real n=%zu k=%zu index_median_us=%.3f index_p99_us=%.3f\n",
               centres_count(c), o->k, idx.median_ns / 1e3, idx.p99_ns / 1e3);
        rc = 0;
        goto out;
    }
    if (rowid_map_load(store_db(st), &map, &max)) {
        fprintf(stderr, "bench_nearest: rowid map: %s\n", sqlite3_errmsg(store_db(st)));
        goto out;
    }
    if (bench_sql(store_db(st), full_sql, c, NULL, max, pts, sq, o->sql_rounds, o->k, &full,
                  &bad_full) ||
        bench_sql(store_db(st), knn_sql, c, map, max, pts, sq, o->sql_rounds, o->k, &knn, &bad_knn))
        goto out;
    print_stats("SQL ST_Distance(..,1) full scan", &full);
    printf("    (%zu points x %d rounds; %zu of %zu answers differ from the index)\n", sq,
           o->sql_rounds, bad_full, sq);
    print_stats("SQL VirtualKNN", &knn);
    printf("    (%zu points x %d rounds; %zu of %zu answers differ from the index)\n", sq,
           o->sql_rounds, bad_knn, sq);
    printf("  ratio (median): full scan / index = %.0fx, VirtualKNN / index = %.0fx\n",
           full.median_ns / idx.median_ns, knn.median_ns / idx.median_ns);
    printf("RESULT nearest_real n=%zu k=%zu index_median_us=%.3f index_p99_us=%.3f "
           "full_median_us=%.3f knn_median_us=%.3f knn_p99_us=%.3f\n",
           centres_count(c), o->k, idx.median_ns / 1e3, idx.p99_ns / 1e3, full.median_ns / 1e3,
           knn.median_ns / 1e3, knn.p99_ns / 1e3);
    rc = 0;
out:
    rowid_map_free(map, max);
    centres_destroy(c);
    store_close(st);
    return rc;
}

/* n synthetic active centres in the Czech box, kinds round-robin; ids "S0000001"... */
static struct centres *synthetic_build(size_t n, uint64_t seed, double *build_ms)
{
    struct centre *items = calloc(n ? n : 1, sizeof *items);
    char(*ids)[24] = calloc(n ? n : 1, sizeof *ids);
    struct centres *c = NULL;
    struct kkc_err err = {0};

    if (items && ids) {
        for (size_t i = 0; i < n; i++) {
            snprintf(ids[i], sizeof ids[i], "S%07zu", i);
            items[i].id = ids[i];
            items[i].name = ids[i];
            items[i].kind = (enum centre_kind)(i % KIND_COUNT);
            items[i].lon = rng_range(&seed, CZ_LON0, CZ_LON1);
            items[i].lat = rng_range(&seed, CZ_LAT0, CZ_LAT1);
            items[i].active = 1;
        }
        uint64_t t0 = now_ns();
        if (centres_build(items, n, &c, &err))
            fprintf(stderr, "bench_nearest: centres_build(%zu): %s\n", n, err.msg);
        *build_ms = (double)(now_ns() - t0) / 1e6;
    }
    free(ids);
    free(items);
    return c;
}

/* Synthetic sets of the sizes in o->sizes. Returns 0 or -1. */
static int section_synthetic(const struct opts *o, const struct pt *pts)
{
    const char *p = o->sizes;

    while (p && *p) {
        char *end;
        unsigned long long n = strtoull(p, &end, 10);
        double build_ms = 0;
        struct stats idx;
        struct centres *c;

        if (end == p || n == 0 || n > 10000000) {
            fprintf(stderr, "bench_nearest: bad --sizes at '%s'\n", p);
            return -1;
        }
        p = *end == ',' ? end + 1 : end;
        c = synthetic_build((size_t)n, o->seed ^ n, &build_ms);
        if (!c || bench_index(c, pts, o->queries, o->rounds, o->k, &idx)) {
            centres_destroy(c);
            return -1;
        }
        size_t nq = o->check_budget / (size_t)n;
        nq = nq < 10 ? 10 : nq > o->queries ? o->queries : nq;
        printf("synthetic: %llu centres, k=%zu, build %.1f ms\n", n, o->k, build_ms);
        print_stats("index centres_nearest", &idx);
        printf("  brute-force check: %zu of %zu points disagree\n", check_brute(c, pts, nq, o->k),
               nq);
        printf("RESULT nearest_synthetic n=%llu k=%zu index_median_us=%.3f index_p99_us=%.3f "
               "build_ms=%.1f\n",
               n, o->k, idx.median_ns / 1e3, idx.p99_ns / 1e3, build_ms);
        centres_destroy(c);
    }
    return 0;
}

static void usage(void)
{
    fputs("usage: bench_nearest [--db FILE] [--queries N] [--rounds N] [--sql-queries N]\n"
          "                     [--sql-rounds N] [-k N] [--seed N] [--sizes N,N,...]\n"
          "                     [--check-budget N] [--dump-points]\n"
          "--sql-queries 0 skips SpatiaLite; --sizes '' skips the synthetic sets; --dump-points\n"
          "prints the --queries random points (lon lat, the seed's) and exits.\n",
          stderr);
}

/* Parse argv into o. Returns 0, or -1 after printing the usage. */
static int parse_opts(int argc, char **argv, struct opts *o)
{
    static const struct option lo[] = {
        {"db", required_argument, 0, 'd'},         {"queries", required_argument, 0, 'q'},
        {"rounds", required_argument, 0, 'r'},     {"sql-queries", required_argument, 0, 'Q'},
        {"sql-rounds", required_argument, 0, 'R'}, {"seed", required_argument, 0, 's'},
        {"sizes", required_argument, 0, 'z'},      {"check-budget", required_argument, 0, 'b'},
        {"dump-points", no_argument, 0, 'P'},      {0, 0, 0, 0}};
    int ch;

    while ((ch = getopt_long(argc, argv, "k:", lo, NULL)) != -1) {
        unsigned long long v = optarg ? strtoull(optarg, NULL, 10) : 0;
        switch (ch) {
        case 'd':
            o->db = *optarg ? optarg : NULL;
            break;
        case 'q':
            o->queries = (size_t)v;
            break;
        case 'r':
            o->rounds = (int)v;
            break;
        case 'Q':
            o->sql_queries = (size_t)v;
            break;
        case 'R':
            o->sql_rounds = (int)v;
            break;
        case 'k':
            o->k = (size_t)v;
            break;
        case 's':
            o->seed = v;
            break;
        case 'z':
            o->sizes = optarg;
            break;
        case 'b':
            o->check_budget = (size_t)v;
            break;
        case 'P':
            o->dump_points = 1;
            break;
        default:
            usage();
            return -1;
        }
    }
    if (optind != argc || o->queries < 1 || o->queries > 10000000 || o->rounds < 1 ||
        o->rounds > 10000 || o->sql_rounds < 1 || o->sql_rounds > 10000 || o->k < 1 ||
        o->k > K_MAX) {
        usage();
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct opts o = {.db = NULL,
                     .queries = 10000,
                     .rounds = 20,
                     .sql_queries = 1000,
                     .sql_rounds = 3,
                     .k = 3,
                     .seed = 20261125,
                     .sizes = "1000,10000,100000",
                     .check_budget = 2000000};
    struct pt *pts;
    int rc = 0;

    if (parse_opts(argc, argv, &o))
        return 2;
    pts = points_make(o.queries, o.seed);
    if (!pts)
        return 1;
    if (o.dump_points) {
        for (size_t i = 0; i < o.queries; i++)
            printf("%.6f %.6f\n", pts[i].lon, pts[i].lat);
        free(pts);
        return 0;
    }
    printf("bench_nearest: %zu random points in lon %.2f..%.2f lat %.2f..%.2f, seed %llu; "
           "clock pair overhead %.0f ns (included in per-query figures)\n",
           o.queries, CZ_LON0, CZ_LON1, CZ_LAT0, CZ_LAT1, (unsigned long long)o.seed,
           clock_overhead_ns());
    if (o.db && section_real(&o, pts))
        rc = 1;
    if (!rc && section_synthetic(&o, pts))
        rc = 1;
    free(pts);
    return rc;
}
