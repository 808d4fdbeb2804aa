/* tests/centres/test_centres.c -- the centre index (geo/centres/centres.c) against oracles it did not produce.
 *
 * Oracles: brute force over every centre with PROJ's geod_inverse called directly from here (its
 * own struct geod_geodesic, not crs_geodesic), SpatiaLite's ellipsoidal ST_Distance over the
 * built database, and small hand-made sets with deliberate ties. The 100,000-centre brute force
 * ranks candidates by great-circle distance first: ellipsoidal and spherical (R = 6371008.8 m)
 * geodesic lengths differ by less than 0.6 %, so every centre whose spherical distance is within
 * 2.1 % of the k-th smallest spherical distance is a candidate, and only those get geod_inverse. */
#include "centres/centres.h"
#include "base/store.h"
#include "testutil.h"

#include <check.h>
#include <geodesic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EARTH_R 6371008.8
#define SPHERE_SLACK 1.021 /* (1 + 0.01) / (1 - 0.01), see the file comment */

/* An assertion for hot loops: Check's ck_assert_* report every pass to the parent process (one
 * write per call), which would dominate the run time here. */
#define REQUIRE(cond, ...)                                                                         \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ck_abort_msg(__VA_ARGS__);                                                             \
    } while (0)

/* Sanitized builds (make sanitize) run a fifth of the random cases: the code paths are the same,
 * and ASan's cost on every geodesic would otherwise dominate the whole test run. */
#if defined(__SANITIZE_ADDRESS__)
#define WORK_DIV 5
#else
#define WORK_DIV 1
#endif

static const size_t ks[] = {1, 3, 10, 50};
#define NKS (sizeof ks / sizeof ks[0])

/* ---------------------------------------------------------------- oracle ------------------- */

static struct geod_geodesic oracle_geod;

static void oracle_init(void)
{
    geod_init(&oracle_geod, 6378137.0, 1.0 / 298.257223563);
}

/* Geodesic distance (m) and initial azimuth (0..360) from the query to a centre. */
static double oracle_dist(double lon1, double lat1, double lon2, double lat2, double *az)
{
    double s12 = 0, azi1 = 0, azi2 = 0;
    geod_inverse(&oracle_geod, lat1, lon1, lat2, lon2, &s12, &azi1, &azi2);
    if (az)
        *az = azi1 < 0 ? azi1 + 360 : azi1;
    return s12;
}

/* One centre as the brute force sees it. */
struct bf {
    double d, az;
    const struct centre *c;
};

static int bf_cmp(const void *a, const void *b)
{
    const struct bf *x = a, *y = b;
    if (x->d != y->d)
        return x->d < y->d ? -1 : 1;
    return strcmp(x->c->id, y->c->id);
}

static int eligible(const struct centre *c, unsigned mask, int closed)
{
    return (mask & (1u << c->kind)) && (c->active || closed);
}

/* Every centre of cs with its distance from lon,lat, sorted by (distance, id). Caller frees. */
static struct bf *bf_all(const struct centres *cs, double lon, double lat)
{
    size_t n = centres_count(cs);
    struct bf *all = calloc(n ? n : 1, sizeof *all);
    REQUIRE(all, "out of memory");
    for (size_t i = 0; i < n; i++) {
        all[i].c = centres_get(cs, i);
        all[i].d = oracle_dist(lon, lat, all[i].c->lon, all[i].c->lat, &all[i].az);
    }
    qsort(all, n, sizeof *all, bf_cmp);
    return all;
}

/* Compare one centres_nearest answer with the first k eligible entries of the sorted list. */
static void check_against(const struct centres *cs, const struct bf *all, size_t nall, double lon,
                          double lat, unsigned mask, int closed, size_t k)
{
    struct centres_hit hits[64];
    struct kkc_err err = {0};
    size_t n = 999, j = 0;
    enum kkc_code rc = centres_nearest(cs, lon, lat, mask, closed, k, hits, &n, &err);

    REQUIRE(rc == KKC_OK, "nearest(%.6f, %.6f, mask %u, closed %d, k %zu): rc %d %s", lon, lat,
            mask, closed, k, rc, err.msg);
    for (size_t i = 0; i < nall && j < k; i++) {
        if (!eligible(all[i].c, mask, closed))
            continue;
        REQUIRE(j < n,
                "(%.6f, %.6f) mask %u closed %d k %zu: %zu hits, expected more (next %s at "
                "%.3f m)",
                lon, lat, mask, closed, k, n, all[i].c->id, all[i].d);
        const struct centre *got = centres_get(cs, hits[j].index);
        REQUIRE(strcmp(got->id, all[i].c->id) == 0 && fabs(hits[j].distance_m - all[i].d) < 1e-6,
                "(%.6f, %.6f) mask %u closed %d k %zu rank %zu: got %s at %.6f m, brute "
                "force %s at %.6f m",
                lon, lat, mask, closed, k, j + 1, got->id, hits[j].distance_m, all[i].c->id,
                all[i].d);
        double daz = fabs(hits[j].bearing_deg - all[i].az);
        REQUIRE(all[i].d < 1e-6 || fmin(daz, 360 - daz) < 1e-7,
                "rank %zu %s: bearing %.9f, expected %.9f", j + 1, got->id, hits[j].bearing_deg,
                all[i].az);
        j++;
    }
    REQUIRE(n == j, "(%.6f, %.6f) mask %u closed %d k %zu: %zu hits, brute force %zu", lon, lat,
            mask, closed, k, n, j);
}

/* A random query point: mostly across and around the Czech Republic, some anywhere. */
static void random_point(unsigned long long *rs, int far, double *lon, double *lat)
{
    if (far) {
        *lon = -180 + 360 * tu_rand(rs);
        *lat = asin(2 * tu_rand(rs) - 1) * 180 / M_PI; /* uniform on the sphere */
    } else {
        *lon = 11.5 + 8 * tu_rand(rs);
        *lat = 48 + 3.5 * tu_rand(rs);
    }
}

/* ---------------------------------------------------------------- fixtures ----------------- */

static struct centres *load_db(void)
{
    struct store *st = NULL;
    struct centres *cs = NULL;
    struct kkc_err err = {0};
    ck_assert_msg(store_open(tu_db(), STORE_READONLY, &st, &err) == KKC_OK, "%s", err.msg);
    ck_assert_msg(centres_load(st, &cs, &err) == KKC_OK, "%s", err.msg);
    store_close(st);
    return cs;
}

/* A synthetic set of n centres: ids in scrambled order, every kind, some closed, some sharing
 * exact coordinates, a few far away (poles, antimeridian). rare_every > 0 makes ambulance rare. */
struct synth {
    struct centre *items;
    size_t n;
};

static void synth_make(struct synth *s, size_t n, unsigned long long seed, size_t rare_every)
{
    unsigned long long rs = seed;
    s->items = calloc(n, sizeof *s->items);
    s->n = n;
    ck_assert_ptr_nonnull(s->items);
    for (size_t i = 0; i < n; i++) {
        struct centre *c = &s->items[i];
        char id[32];
        double u = tu_rand(&rs);
        snprintf(id, sizeof id, "S%09llu", (unsigned long long)((i * 7919u + 13) % 1000000007u));
        c->id = strdup(id);
        c->name = strdup(id);
        if (rare_every)
            c->kind = i % rare_every == 0 ? KIND_AMBULANCE : u < 0.6 ? KIND_POLICE : KIND_FIRE;
        else
            c->kind = (enum centre_kind)(u * KIND_COUNT);
        c->active = tu_rand(&rs) >= 0.1;
        if (i > 0 && i % 37 == 0) { /* the same place as an earlier centre: exact ties */
            const struct centre *o = &s->items[(size_t)(tu_rand(&rs) * (double)i)];
            c->lon = o->lon;
            c->lat = o->lat;
        } else if (i % 101 == 0) {
            random_point(&rs, 1, &c->lon, &c->lat);
        } else {
            random_point(&rs, 0, &c->lon, &c->lat);
        }
    }
}

static struct centres *synth_build(const struct synth *s)
{
    struct centres *cs = NULL;
    struct kkc_err err = {0};
    ck_assert_msg(centres_build(s->items, s->n, &cs, &err) == KKC_OK, "%s", err.msg);
    ck_assert_uint_eq(centres_count(cs), s->n);
    return cs;
}

static void synth_free(struct synth *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->items[i].id);
        free(s->items[i].name);
    }
    free(s->items);
}

/* ---------------------------------------------------------------- kinds -------------------- */

static const struct {
    const char *s;
    int kind;
} kind_cases[] = {
    {"police", KIND_POLICE},
    {"fire", KIND_FIRE},
    {"ambulance", KIND_AMBULANCE},
    {"Police", -1},
    {"", -1},
    {"hospital", -1},
    {"fire ", -1},
    {"polic", -1},
    {NULL, -1},
};

START_TEST(kind_parse)
{
    ck_assert_int_eq(centres_kind_parse(kind_cases[_i].s), kind_cases[_i].kind);
    if (kind_cases[_i].kind >= 0)
        ck_assert_str_eq(centres_kind_name((enum centre_kind)kind_cases[_i].kind),
                         kind_cases[_i].s);
}
END_TEST

START_TEST(kind_name_unknown)
{
    ck_assert_str_eq(centres_kind_name(KIND_COUNT), "unknown");
    ck_assert_str_eq(centres_kind_name((enum centre_kind) - 1), "unknown");
}
END_TEST

/* ---------------------------------------------------------------- the built database ------- */

/* The loaded set is the table, sorted by id, and centres_find finds every id. */
START_TEST(load_matches_table)
{
    struct store *st = NULL;
    struct kkc_err err = {0};
    sqlite3_stmt *s = NULL;
    struct centres *cs = load_db();
    size_t i = 0;

    ck_assert_int_eq(store_open(tu_db(), STORE_READONLY, &st, &err), KKC_OK);
    ck_assert_int_eq(store_prepare(st,
                                   "SELECT id, kind, X(geom), Y(geom), status FROM centres "
                                   "ORDER BY id COLLATE BINARY",
                                   &s, &err),
                     KKC_OK);
    while (sqlite3_step(s) == SQLITE_ROW) {
        const struct centre *c = centres_get(cs, i);
        ck_assert_ptr_nonnull(c);
        ck_assert_str_eq(c->id, (const char *)sqlite3_column_text(s, 0));
        ck_assert_str_eq(centres_kind_name(c->kind), (const char *)sqlite3_column_text(s, 1));
        ck_assert_double_eq(c->lon, sqlite3_column_double(s, 2));
        ck_assert_double_eq(c->lat, sqlite3_column_double(s, 3));
        ck_assert_int_eq(c->active, strcmp((const char *)sqlite3_column_text(s, 4), "active") == 0);
        ck_assert_int_eq(centres_find(cs, c->id), (long)i);
        i++;
    }
    ck_assert_uint_eq(i, centres_count(cs));
    ck_assert_uint_ge(i, 74);
    ck_assert_ptr_null(centres_get(cs, i));
    ck_assert_int_eq(centres_find(cs, "no-such-centre"), -1);
    ck_assert_int_eq(centres_find(cs, ""), -1);
    sqlite3_finalize(s);
    store_close(st);
    centres_destroy(cs);
}
END_TEST

/* 10,000 random points, every k, all kinds and one rotating kind mask, against brute force. */
START_TEST(db_brute_force)
{
    struct centres *cs = load_db();
    size_t n = centres_count(cs);
    unsigned long long rs = 0x9E3779B97F4A7C15ULL;

    oracle_init();
    for (int p = 0; p < 10000 / WORK_DIV; p++) {
        double lon, lat;
        random_point(&rs, p % 10 == 9, &lon, &lat);
        struct bf *all = bf_all(cs, lon, lat);
        unsigned mask = 1u + (unsigned)p % KIND_MASK_ALL; /* 1..7 */
        for (size_t i = 0; i < NKS; i++) {
            check_against(cs, all, n, lon, lat, KIND_MASK_ALL, p & 1, ks[i]);
            check_against(cs, all, n, lon, lat, mask, (p >> 1) & 1, ks[i]);
        }
        free(all);
    }
    centres_destroy(cs);
}
END_TEST

/* The same answers as SpatiaLite's ellipsoidal ST_Distance over the same table. */
START_TEST(db_vs_spatialite)
{
    struct store *st = NULL;
    struct kkc_err err = {0};
    sqlite3_stmt *s = NULL;
    struct centres *cs = load_db();
    unsigned long long rs = 42;
    double worst = 0;

    ck_assert_int_eq(store_open(tu_db(), STORE_READONLY, &st, &err), KKC_OK);
    ck_assert_int_eq(store_prepare(st,
                                   "SELECT id, ST_Distance(geom, MakePoint(?1, ?2, 4326), 1) AS d "
                                   "FROM centres ORDER BY d, id LIMIT ?3",
                                   &s, &err),
                     KKC_OK);
    for (int p = 0; p < 300 / WORK_DIV; p++) {
        double lon, lat, sd[64];
        char sid[64][72];
        struct centres_hit hits[50];
        size_t k = ks[p % NKS], n = 0, m = 0;

        random_point(&rs, p % 10 == 9, &lon, &lat);
        sqlite3_reset(s);
        sqlite3_bind_double(s, 1, lon);
        sqlite3_bind_double(s, 2, lat);
        sqlite3_bind_int(s, 3, (int)k + 5); /* a few extra rows for near-ties at rank k */
        while (sqlite3_step(s) == SQLITE_ROW && m < 64) {
            snprintf(sid[m], sizeof sid[m], "%s", (const char *)sqlite3_column_text(s, 0));
            sd[m++] = sqlite3_column_double(s, 1);
        }
        REQUIRE(centres_nearest(cs, lon, lat, KIND_MASK_ALL, 1, k, hits, &n, &err) == KKC_OK, "%s",
                err.msg);
        REQUIRE(n == (k < m ? k : m), "%zu hits for k %zu", n, k);
        for (size_t i = 0; i < n; i++) {
            const struct centre *c = centres_get(cs, hits[i].index);
            size_t j = 0;
            while (j < m && strcmp(sid[j], c->id) != 0)
                j++;
            REQUIRE(j < m, "(%.6f, %.6f) rank %zu: %s not among SpatiaLite's %zu nearest", lon, lat,
                    i + 1, c->id, m);
            /* the same centre at the same distance, and the same rank unless a near-tie */
            REQUIRE(fabs(sd[j] - hits[i].distance_m) < 0.5,
                    "%s: %.4f m here, %.4f m by ST_Distance", c->id, hits[i].distance_m, sd[j]);
            REQUIRE(fabs(sd[i] - hits[i].distance_m) < 0.5,
                    "(%.6f, %.6f) rank %zu: %s at %.4f m here, SpatiaLite has %s at %.4f m", lon,
                    lat, i + 1, c->id, hits[i].distance_m, sid[i], sd[i]);
            worst = fmax(worst, fabs(sd[j] - hits[i].distance_m));
        }
    }
    ck_assert_double_lt(worst, 0.5);
    sqlite3_finalize(s);
    store_close(st);
    centres_destroy(cs);
}
END_TEST

/* ---------------------------------------------------------------- synthetic sets ----------- */

/* 2,000 centres with closed ones and exact duplicates; 1,000 points; every k and kind mask. */
START_TEST(synthetic_brute_force)
{
    struct synth sy;
    unsigned long long rs = 7;

    oracle_init();
    synth_make(&sy, 2000, 1234567, 0);
    struct centres *cs = synth_build(&sy);
    for (int p = 0; p < 1000 / WORK_DIV; p++) {
        double lon, lat;
        random_point(&rs, p % 10 == 9, &lon, &lat);
        if (p % 50 == 0) { /* exactly on a centre (and maybe its duplicates) */
            const struct centre *c = &sy.items[(size_t)(tu_rand(&rs) * (double)sy.n)];
            lon = c->lon;
            lat = c->lat;
        }
        struct bf *all = bf_all(cs, lon, lat);
        for (size_t i = 0; i < NKS; i++)
            for (unsigned mask = 1; mask <= KIND_MASK_ALL; mask++)
                check_against(cs, all, sy.n, lon, lat, mask, (p + (int)mask) & 1, ks[i]);
        free(all);
    }
    centres_destroy(cs);
    synth_free(&sy);
}
END_TEST

/* Ties: equal distances are ordered by id, whatever the input order, also across the k cut. */
START_TEST(ties_by_id)
{
    /* four centres on one spot, listed out of id order; two more symmetric about the query */
    static const struct centre set[] = {
        {.id = "T9", .name = "n", .kind = KIND_POLICE, .lon = 15.5, .lat = 50.0, .active = 1},
        {.id = "T1", .name = "n", .kind = KIND_POLICE, .lon = 15.5, .lat = 50.0, .active = 1},
        {.id = "T5", .name = "n", .kind = KIND_FIRE, .lon = 15.5, .lat = 50.0, .active = 1},
        {.id = "T3", .name = "n", .kind = KIND_POLICE, .lon = 15.5, .lat = 50.0, .active = 0},
        {.id = "W2", .name = "n", .kind = KIND_POLICE, .lon = 15.25, .lat = 50.5, .active = 1},
        {.id = "E1", .name = "n", .kind = KIND_POLICE, .lon = 15.75, .lat = 50.5, .active = 1},
        {.id = "Z0", .name = "n", .kind = KIND_AMBULANCE, .lon = 16.0, .lat = 49.0, .active = 1},
    };
    static const struct {
        double lon, lat;
        unsigned mask;
        int closed;
        size_t k;
        const char *expect; /* ids joined by ',' */
    } cases[] = {
        {15.5, 50.0, KIND_MASK_ALL, 0, 2, "T1,T5"},
        {15.5, 50.0, KIND_MASK_ALL, 1, 2, "T1,T3"},
        {15.5, 50.0, KIND_MASK_ALL, 1, 4, "T1,T3,T5,T9"},
        {15.5, 50.0, 1u << KIND_POLICE, 0, 3, "T1,T9,E1"},
        {15.5, 50.0, 1u << KIND_POLICE, 1, 3, "T1,T3,T9"},
        {15.5, 50.5, 1u << KIND_POLICE, 0, 1, "E1"}, /* E1 and W2 are equidistant */
        {15.5, 50.5, 1u << KIND_POLICE, 0, 2, "E1,W2"},
        {15.5, 50.4, 1u << KIND_POLICE, 0, 3, "E1,W2,T1"},
        {15.5, 50.0, 1u << KIND_AMBULANCE, 1, 50, "Z0"}, /* k > matches */
        {15.5, 50.0, KIND_MASK_ALL, 1, 50, "T1,T3,T5,T9,E1,W2,Z0"},
    };
    struct centres *cs = NULL;
    struct kkc_err err = {0};

    ck_assert_int_eq(centres_build(set, sizeof set / sizeof set[0], &cs, &err), KKC_OK);
    for (size_t t = 0; t < sizeof cases / sizeof cases[0]; t++) {
        struct centres_hit hits[50];
        char got[256] = "";
        size_t n = 0;
        ck_assert_int_eq(centres_nearest(cs, cases[t].lon, cases[t].lat, cases[t].mask,
                                         cases[t].closed, cases[t].k, hits, &n, &err),
                         KKC_OK);
        for (size_t i = 0; i < n; i++) {
            if (i)
                strcat(got, ",");
            strcat(got, centres_get(cs, hits[i].index)->id);
        }
        ck_assert_msg(strcmp(got, cases[t].expect) == 0, "case %zu: got %s, expected %s", t, got,
                      cases[t].expect);
    }
    /* the symmetric pair really is an exact tie */
    {
        struct centres_hit hits[2];
        size_t n = 0;
        centres_nearest(cs, 15.5, 50.5, 1u << KIND_POLICE, 0, 2, hits, &n, &err);
        ck_assert_uint_eq(n, 2);
        ck_assert_double_eq(hits[0].distance_m, hits[1].distance_m);
    }
    centres_destroy(cs);
}
END_TEST

static void unit(double lon, double lat, double v[3])
{
    double lo = lon * M_PI / 180, la = lat * M_PI / 180;
    v[0] = cos(la) * cos(lo);
    v[1] = cos(la) * sin(lo);
    v[2] = sin(la);
}

/* The exact k nearest by brute force for a large set: sph[i] is centre i's great-circle distance;
 * the k-th smallest eligible one bounds the candidates, which alone get geod_inverse. */
static size_t big_brute(const struct centres *cs, const double *sph, size_t n, double lon,
                        double lat, unsigned mask, int closed, size_t k, struct bf *out, size_t cap)
{
    double top[64]; /* the k smallest eligible distances so far, ascending */
    size_t nt = 0, m = 0;
    double limit = INFINITY;

    REQUIRE(k <= 64, "k too large for the oracle");
    for (size_t i = 0; i < n; i++) {
        if (!eligible(centres_get(cs, i), mask, closed) || (nt == k && sph[i] >= top[k - 1]))
            continue;
        size_t j = nt < k ? nt++ : k - 1;
        while (j > 0 && top[j - 1] > sph[i]) {
            top[j] = top[j - 1];
            j--;
        }
        top[j] = sph[i];
    }
    if (nt == k)
        limit = top[k - 1] * SPHERE_SLACK + 1.0;
    for (size_t i = 0; i < n; i++) {
        const struct centre *c = centres_get(cs, i);
        if (!eligible(c, mask, closed) || sph[i] > limit)
            continue;
        REQUIRE(m < cap, "candidate list overflow");
        out[m].c = c;
        out[m].d = oracle_dist(lon, lat, c->lon, c->lat, &out[m].az);
        m++;
    }
    qsort(out, m, sizeof *out, bf_cmp);
    return m;
}

/* 100,000 centres, 200 points, brute force; a rare kind makes k exceed the matches. */
START_TEST(scale_100k)
{
    enum { N = 100000, P = 200 / WORK_DIV };
    struct synth sy;
    unsigned long long rs = 99;
    double(*u)[3] = malloc(N * sizeof *u);
    double *sph = malloc(N * sizeof *sph);
    struct bf *cand = malloc(N * sizeof *cand);
    static const struct {
        unsigned mask;
        size_t k;
    } combos[] = {
        {KIND_MASK_ALL, 1},         {KIND_MASK_ALL, 3},
        {KIND_MASK_ALL, 10},        {KIND_MASK_ALL, 50},
        {1u << KIND_FIRE, 10},      {1u << KIND_AMBULANCE, 3},
        {1u << KIND_AMBULANCE, 50}, {(1u << KIND_AMBULANCE) | (1u << KIND_FIRE), 50},
    };

    oracle_init();
    ck_assert(u && sph && cand);
    synth_make(&sy, N, 31337, 4000); /* 25 ambulance bases among 100,000 */
    struct centres *cs = synth_build(&sy);
    for (size_t i = 0; i < N; i++) {
        const struct centre *c = centres_get(cs, i);
        unit(c->lon, c->lat, u[i]);
    }
    for (int p = 0; p < P; p++) {
        double lon, lat, q[3];
        random_point(&rs, p % 5 == 4, &lon, &lat);
        unit(lon, lat, q);
        for (size_t i = 0; i < N; i++) {
            double dx = u[i][0] - q[0], dy = u[i][1] - q[1], dz = u[i][2] - q[2];
            double ch = sqrt(dx * dx + dy * dy + dz * dz);
            sph[i] = 2 * EARTH_R * asin(fmin(1.0, ch / 2));
        }
        for (size_t t = 0; t < sizeof combos / sizeof combos[0]; t++) {
            int closed = (p + (int)t) & 1;
            size_t m =
                big_brute(cs, sph, N, lon, lat, combos[t].mask, closed, combos[t].k, cand, N);
            check_against(cs, cand, m, lon, lat, combos[t].mask, closed, combos[t].k);
        }
    }
    centres_destroy(cs);
    synth_free(&sy);
    free(u);
    free(sph);
    free(cand);
}
END_TEST

/* A kind with no centre at all in a large set: an empty answer, not an error. */
START_TEST(scale_no_match)
{
    struct synth sy;
    struct centres_hit hits[50];
    struct kkc_err err = {0};
    size_t n = 99;

    synth_make(&sy, 20000, 5, 0);
    for (size_t i = 0; i < sy.n; i++)
        if (sy.items[i].kind == KIND_AMBULANCE)
            sy.items[i].kind = KIND_FIRE;
    struct centres *cs = synth_build(&sy);
    enum kkc_code rc = centres_nearest(cs, 15.5, 50.0, 1u << KIND_AMBULANCE, 1, 10, hits, &n, &err);
    ck_assert_msg(rc == KKC_OK, "rc %d: %s", rc, err.msg);
    ck_assert_uint_eq(n, 0);
    centres_destroy(cs);
    synth_free(&sy);
}
END_TEST

/* ---------------------------------------------------------------- edge cases --------------- */

/* Centres near the poles and on both sides of the antimeridian. */
START_TEST(antimeridian_and_poles)
{
    static const struct centre set[] = {
        {.id = "A", .name = "n", .kind = KIND_POLICE, .lon = 179.99, .lat = 10, .active = 1},
        {.id = "B", .name = "n", .kind = KIND_POLICE, .lon = -179.98, .lat = 10, .active = 1},
        {.id = "C", .name = "n", .kind = KIND_POLICE, .lon = 179.0, .lat = 10, .active = 1},
        {.id = "D", .name = "n", .kind = KIND_POLICE, .lon = -178.5, .lat = 10, .active = 1},
        {.id = "N1", .name = "n", .kind = KIND_FIRE, .lon = 0, .lat = 89.9, .active = 1},
        {.id = "N2", .name = "n", .kind = KIND_FIRE, .lon = 180, .lat = 89.95, .active = 1},
        {.id = "N3", .name = "n", .kind = KIND_FIRE, .lon = 90, .lat = 90, .active = 1},
        {.id = "S1", .name = "n", .kind = KIND_AMBULANCE, .lon = -45, .lat = -89.99, .active = 1},
        {.id = "S2", .name = "n", .kind = KIND_AMBULANCE, .lon = 135, .lat = -89.5, .active = 1},
        {.id = "E", .name = "n", .kind = KIND_AMBULANCE, .lon = 15, .lat = 50, .active = 1},
    };
    static const double pts[][2] = {
        {180, 10},  {-180, 10}, {179.999999, 10}, {-179.999999, 10}, {180, 0},
        {0, 90},    {180, 90},  {-123, 90},       {0, -90},          {77, -90},
        {180, -90}, {-180, 45}, {179.5, 10},      {-179, 9.5},
    };
    struct centres *cs = NULL;
    struct kkc_err err = {0};
    size_t n = sizeof set / sizeof set[0];

    oracle_init();
    ck_assert_int_eq(centres_build(set, n, &cs, &err), KKC_OK);
    for (size_t p = 0; p < sizeof pts / sizeof pts[0]; p++) {
        struct bf *all = bf_all(cs, pts[p][0], pts[p][1]);
        for (size_t i = 0; i < NKS; i++)
            for (unsigned mask = 1; mask <= KIND_MASK_ALL; mask++)
                check_against(cs, all, n, pts[p][0], pts[p][1], mask, 0, ks[i]);
        free(all);
    }
    /* 180 and -180 are the same meridian */
    {
        struct centres_hit a[3], b[3];
        size_t na = 0, nb = 0;
        centres_nearest(cs, 180, 10, KIND_MASK_ALL, 0, 3, a, &na, &err);
        centres_nearest(cs, -180, 10, KIND_MASK_ALL, 0, 3, b, &nb, &err);
        ck_assert_uint_eq(na, 3);
        ck_assert_uint_eq(nb, 3);
        for (size_t i = 0; i < 3; i++) {
            ck_assert_uint_eq(a[i].index, b[i].index);
            ck_assert_double_eq_tol(a[i].distance_m, b[i].distance_m, 1e-6);
        }
        ck_assert_str_eq(centres_get(cs, a[0].index)->id, "A");
        ck_assert_str_eq(centres_get(cs, a[1].index)->id, "B");
    }
    centres_destroy(cs);
}
END_TEST

/* k larger than the set, k = 0, a kind without centres, an empty set, invalid points. */
START_TEST(k_and_empty_edges)
{
    static const struct centre set[] = {
        {.id = "P1", .name = "n", .kind = KIND_POLICE, .lon = 15.8, .lat = 50.2, .active = 1},
        {.id = "P2", .name = "n", .kind = KIND_POLICE, .lon = 15.9, .lat = 50.3, .active = 0},
        {.id = "F1", .name = "n", .kind = KIND_FIRE, .lon = 16.0, .lat = 50.1, .active = 1},
    };
    struct centres *cs = NULL, *empty = NULL;
    struct centres_hit hits[50];
    struct kkc_err err = {0};
    size_t n = 99;

    ck_assert_int_eq(centres_build(set, 3, &cs, &err), KKC_OK);
    ck_assert_int_eq(centres_nearest(cs, 15.8, 50.2, KIND_MASK_ALL, 0, 50, hits, &n, &err), KKC_OK);
    ck_assert_uint_eq(n, 2); /* the closed one skipped */
    ck_assert_int_eq(centres_nearest(cs, 15.8, 50.2, KIND_MASK_ALL, 1, 50, hits, &n, &err), KKC_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert_int_eq(centres_nearest(cs, 15.8, 50.2, 1u << KIND_AMBULANCE, 1, 5, hits, &n, &err),
                     KKC_OK);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(centres_nearest(cs, 15.8, 50.2, 0, 1, 5, hits, &n, &err), KKC_OK);
    ck_assert_uint_eq(n, 0);
    n = 99;
    ck_assert_int_eq(centres_nearest(cs, 15.8, 50.2, KIND_MASK_ALL, 1, 0, hits, &n, &err), KKC_OK);
    ck_assert_uint_eq(n, 0);

    ck_assert_int_eq(centres_build(NULL, 0, &empty, &err), KKC_OK);
    ck_assert_uint_eq(centres_count(empty), 0);
    ck_assert_int_eq(centres_find(empty, "P1"), -1);
    n = 99;
    ck_assert_int_eq(centres_nearest(empty, 15.8, 50.2, KIND_MASK_ALL, 1, 3, hits, &n, &err),
                     KKC_OK);
    ck_assert_uint_eq(n, 0);
    centres_destroy(empty);
    centres_destroy(NULL);

    static const double bad[][2] = {
        {NAN, 50},        {15, NAN},  {INFINITY, 50},  {15, -INFINITY},
        {180.000001, 50}, {-181, 50}, {15, 90.000001}, {15, -91},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        n = 99;
        kkc_err_clear(&err);
        ck_assert_int_eq(
            centres_nearest(cs, bad[i][0], bad[i][1], KIND_MASK_ALL, 1, 3, hits, &n, &err),
            KKC_EINVAL);
        ck_assert_int_eq(err.code, KKC_EINVAL);
        ck_assert_uint_eq(n, 0);
    }
    centres_destroy(cs);
}
END_TEST

/* The index copies what it is given: the caller's strings may go away after centres_build. */
START_TEST(build_copies_strings)
{
    struct centre c = {.kind = KIND_FIRE, .lon = 15, .lat = 50, .active = 1};
    struct centres *cs = NULL;
    struct kkc_err err = {0};
    c.id = strdup("X1");
    c.name = strdup("Name");
    c.phone = strdup("+420 123 456 789");
    ck_assert_int_eq(centres_build(&c, 1, &cs, &err), KKC_OK);
    free(c.id);
    free(c.name);
    free(c.phone);
    ck_assert_str_eq(centres_get(cs, 0)->id, "X1");
    ck_assert_str_eq(centres_get(cs, 0)->name, "Name");
    ck_assert_str_eq(centres_get(cs, 0)->phone, "+420 123 456 789");
    ck_assert_ptr_null(centres_get(cs, 0)->email);
    centres_destroy(cs);
}
END_TEST

Suite *centres_suite(void); /* for the runner */

Suite *centres_suite(void)
{
    Suite *s = suite_create("centres");
    TCase *tc = tu_tcase(s, "unit", 60);
    tcase_add_loop_test(tc, kind_parse, 0, sizeof kind_cases / sizeof kind_cases[0]);
    tcase_add_test(tc, kind_name_unknown);
    tcase_add_test(tc, ties_by_id);
    tcase_add_test(tc, antimeridian_and_poles);
    tcase_add_test(tc, k_and_empty_edges);
    tcase_add_test(tc, build_copies_strings);

    tc = tu_tcase(s, "database", 120);
    tcase_add_test(tc, load_matches_table);
    tcase_add_test(tc, db_brute_force);
    tcase_add_test(tc, db_vs_spatialite);

    tc = tu_tcase(s, "synthetic", 240);
    tcase_add_test(tc, synthetic_brute_force);
    tcase_add_test(tc, scale_100k);
    tcase_add_test(tc, scale_no_match);
    return s;
}
