/* tests/coverage/test_response.c -- response times, the N-th unit and nearest with a cutoff
 * (coverage/response.h, coverage.h with response/nth, GET /v1/nearest by=response|max_minutes).
 *
 * Oracle: route_cost() (route.h, A* with landmarks, a search the code under test does not use)
 * from every site to every place, plus the turnout added here by hand; the N-th unit and the
 * centres within T are then counted and sorted here by brute force. The places are random
 * points snapped on the Heidelberg roads, made into a small synthetic set of municipalities of
 * the network pseudo-region (the default database has no census data there). */
#include "httputil.h"
#include "api.h"
#include "routes.h"
#include "tctx.h"
#include "base/store.h"
#include "centres/centres.h"
#include "coverage/coverage.h"
#include "coverage/plan.h"
#include "coverage/response.h"
#include "coverage/standards.h"
#include "road/route.h"
#include "road/service_profile.h"
#include "testutil.h"
#include "tools/synth_base.h"
#include "world.h"

#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NPTS 40
#define NADD 6

static struct {
    struct world *w;
    struct store *st;
    struct coverage_base *real;
    struct synth_base sb; /* real with NPTS synthetic municipalities */
    char codes[NPTS][16], *names[NPTS];
    double added[2 * NADD];
    GEOSContextHandle_t h;
    struct route_ctx *route;
} fx;

/* The test's points: in the middle 60 % of the road box. */
static const struct synth_box mid = {0.2, 0.6};

/* A random point snapped on the roads inside the road bounding box. */
static void random_snap(unsigned long long *st, double *lon, double *lat, struct snap *s)
{
    synth_point(fx.real, fx.w->graph, mid, st, lon, lat, s);
}

/* The synthetic base: NPTS municipalities (T000, T001, ...) on the roads, all in the network
 * region, then NADD points to add. */
static int fake_base(void)
{
    unsigned long long st = 18;
    for (int i = 0; i < NPTS; i++) {
        snprintf(fx.codes[i], sizeof fx.codes[i], "T%03d", i);
        fx.names[i] = fx.codes[i];
    }
    if (synth_base_make(&fx.sb, fx.real, fx.w->graph, mid, &st, NPTS, fx.names))
        return -1;
    for (int k = 0; k < NADD; k++) {
        struct snap s;
        random_snap(&st, &fx.added[2 * k], &fx.added[2 * k + 1], &s);
    }
    return 0;
}

static void fx_load(void)
{
    struct kkc_err err = {0};
    if (world_load(tu_db(), &fx.w, &err) || store_open(tu_db(), STORE_READONLY, &fx.st, &err) ||
        coverage_base_build(fx.st, fx.w->graph, &fx.real, &err) ||
        route_ctx_create(fx.w->graph, &fx.route, &err)) {
        fprintf(stderr, "test_response: cannot load %s: %s\n", tu_db(), err.msg);
        exit(1);
    }
    fx.h = GEOS_init_r();
    if (fake_base()) {
        fprintf(stderr, "test_response: no synthetic base (no road network region?)\n");
        exit(1);
    }
}

static void fx_free(void)
{
    synth_base_free(&fx.sb);
    coverage_base_destroy(fx.real);
    route_ctx_destroy(fx.route);
    store_close(fx.st);
    GEOS_finish_r(fx.h);
    struct world_holder hd;
    world_holder_init(&hd, fx.w);
    world_holder_done(&hd);
}

/* ---- the oracle ---------------------------------------------------------------------------- */

/* Response time in ms from site s of res to municipality m by route_cost, UINT64_MAX when none. */
static unsigned long long oracle_ms(const struct coverage_result *res, size_t s, size_t m)
{
    graph_cost c;
    if (!res->sites[s].snapped ||
        route_cost(fx.w->graph, fx.route, &res->sites[s].at, &fx.sb.munis[m].at, &c, NULL))
        return UINT64_MAX;
    return (unsigned long long)graph_cost_ms(c) + res->sites[s].turnout_ms;
}

/* The coverage request over all kinds with the added points; the result is the caller's. */
static void run(double minutes, int nth, int response, int turnout, struct coverage_result *res)
{
    struct kkc_err err = {0};
    struct coverage_request q = {.kind_mask = KIND_MASK_ALL,
                                 .minutes = minutes,
                                 .region = fx.real->network,
                                 .added = fx.added,
                                 .nadded = NADD,
                                 .nth = nth,
                                 .response = response,
                                 .added_turnout_s = turnout};
    ck_assert_msg(coverage_run(fx.h, NULL, &fx.sb.base, fx.w->centres, fx.w->graph, &q, res,
                               &err) == KKC_OK,
                  "%s", err.msg);
}

/* Brute force: each municipality covered when >= nth sites reach it within T, the value the
 * nth smallest time; compared with coverage_run for nth 1..3, with and without turnout. */
START_TEST(nth_brute_force)
{
    int nth = 1 + _i % 3, response = _i / 3 % 2;
    double minutes = _i < 6 ? 4 : 7;
    struct coverage_result res;
    run(minutes, nth, response, 90, &res);
    long pop = 0;
    ck_assert_uint_eq(res.nmuni, NPTS);
    for (size_t k = 0; k < res.nmuni; k++) {
        size_t m = res.muni[k].muni;
        unsigned long long t[64], lim = (unsigned long long)(minutes * 60000);
        size_t n = 0;
        for (size_t s = 0; s < res.nsites && n < 64; s++) {
            unsigned long long v = oracle_ms(&res, s, m);
            if (v <= lim)
                t[n++] = v;
        }
        for (size_t i = 1; i < n; i++) /* insertion sort */
            for (size_t j = i; j > 0 && t[j - 1] > t[j]; j--) {
                unsigned long long x = t[j];
                t[j] = t[j - 1], t[j - 1] = x;
            }
        int covered = n >= (size_t)nth;
        ck_assert_msg((res.muni[k].status == COVERAGE_COVERED) == covered,
                      "%s nth %d: %zu sites within T, status %d", fx.sb.munis[m].code, nth, n,
                      res.muni[k].status);
        if (covered)
            ck_assert_msg(fabs(res.muni[k].value * 1000 - (double)t[nth - 1]) <= 1.5,
                          "%s: %.3f s, oracle %llu ms", fx.sb.munis[m].code, res.muni[k].value,
                          t[nth - 1]);
        if (nth > 1)
            ck_assert_int_eq(res.muni[k].units, (int)n);
        pop += covered ? fx.sb.munis[m].population : 0;
    }
    ck_assert_int_eq(res.pop_covered, pop);
    coverage_result_free(fx.h, &res);
}
END_TEST

/* More minutes never lower coverage, a higher N never raises it, turnout never raises it. */
START_TEST(monotone_t_n_turnout)
{
    long prev_t = -1;
    for (int k = 1; k <= 8; k++) {
        long prev_n = -1, plain = 0;
        for (int nth = 1; nth <= 3; nth++) {
            struct coverage_result a, b;
            run(1.0 * k, nth, 0, 0, &a);
            run(1.0 * k, nth, 1, 120, &b);
            ck_assert(b.pop_covered <= a.pop_covered);
            if (prev_n >= 0)
                ck_assert(a.pop_covered <= prev_n);
            prev_n = a.pop_covered;
            if (nth == 1)
                plain = a.pop_covered;
            coverage_result_free(fx.h, &a), coverage_result_free(fx.h, &b);
        }
        ck_assert(plain >= prev_t);
        prev_t = plain;
    }
}
END_TEST

/* nth = 1 through response_counts is the nearest-site coverage exactly (no turnout). */
START_TEST(nth1_equals_coverage)
{
    struct kkc_err err = {0};
    struct coverage_result res;
    struct reach_source src[64];
    struct snap pts[NPTS];
    struct response_count cnt[NPTS];
    size_t n = 0;
    run(6, 0, 0, 0, &res);
    for (size_t s = 0; s < res.nsites; s++)
        if (res.sites[s].snapped)
            src[n++] = (struct reach_source){res.sites[s].at, (uint32_t)s, 0};
    for (size_t k = 0; k < res.nmuni; k++)
        pts[k] = fx.sb.munis[res.muni[k].muni].at;
    ck_assert_int_eq(
        response_counts(fx.w->graph, src, n, pts, NULL, res.nmuni, 360000, 1, cnt, &err), KKC_OK);
    for (size_t k = 0; k < res.nmuni; k++) {
        int covered = res.muni[k].status == COVERAGE_COVERED;
        ck_assert_int_eq(covered, cnt[k].count >= 1);
        if (covered) {
            ck_assert_double_eq(res.muni[k].value, graph_cost_seconds(cnt[k].nth));
            ck_assert_int_eq(res.muni[k].site, (long)cnt[k].owner);
        }
    }
    coverage_result_free(fx.h, &res);
}
END_TEST

/* response_nearest with a cutoff: exactly the centres whose turnout + route_cost <= T. */
START_TEST(nearest_cutoff_brute_force)
{
    unsigned long long st = 7 + (unsigned long long)_i;
    struct kkc_err err = {0};
    struct response_hit *hits;
    size_t n;
    double lon, lat, minutes = 2.0 + 2.0 * _i;
    struct snap at;
    random_snap(&st, &lon, &lat, &at);
    uint32_t lim = (uint32_t)(minutes * 60000);
    ck_assert_int_eq(response_nearest(fx.w->graph, fx.w->centres, &at, KIND_MASK_ALL, 0, 1, lim, 0,
                                      SNAP_RADIUS_DEFAULT_M, &hits, &n, &err),
                     KKC_OK);
    size_t want = 0;
    for (size_t i = 0; i < centres_count(fx.w->centres); i++) {
        const struct centre *c = centres_get(fx.w->centres, i);
        struct snap cs;
        graph_cost cost;
        if (!c->active ||
            snap_point(fx.w->graph, c->lon, c->lat, SNAP_RADIUS_DEFAULT_M, &cs, NULL) ||
            route_cost(fx.w->graph, fx.route, &cs, &at, &cost, NULL))
            continue;
        unsigned long long t = graph_cost_ms(cost) + 1000ull * (unsigned)response_turnout_s(c);
        int found = 0;
        for (size_t h = 0; h < n; h++)
            if (hits[h].centre == i) {
                found = 1;
                ck_assert(llabs((long long)hits[h].response_ms - (long long)t) <= 1);
            }
        ck_assert_msg(found == (t <= lim), "centre %s: %llu ms vs %u", c->id, t, lim);
        want += t <= lim;
    }
    ck_assert_uint_eq(n, want);
    for (size_t h = 1; h < n; h++)
        ck_assert(hits[h - 1].response_ms <= hits[h].response_ms);
    free(hits);
}
END_TEST

/* A centre's own turnout is what response_nearest adds: three centres built here at added sites,
 * a fire station with its own 300 s, a police station with none (the police default, 60 s) and
 * an ambulance base with an explicit 0 (0, not the ambulance default 120 s); each hit is
 * route_cost + 300 000, + 60 000 or + 0 ms, and exactly route_cost without turnout. */
START_TEST(own_turnout_added)
{
    struct centre set[3] = {
        {.id = "OWN-FIRE", .name = "own", .kind = KIND_FIRE, .active = 1, .turnout_s = 300},
        {.id = "OWN-POLICE", .name = "default", .kind = KIND_POLICE, .active = 1},
        {.id = "OWN-ZERO",
         .name = "zero",
         .kind = KIND_AMBULANCE,
         .active = 1,
         .turnout_s = 0,
         .turnout_set = 1},
    };
    static const unsigned want_turnout_ms[3] = {300000, 60000, 0};
    struct kkc_err err = {0};
    struct centres *cs = NULL;
    const struct snap *at = &fx.sb.munis[0].at;

    for (int i = 0; i < 3; i++)
        set[i].lon = fx.added[2 * i], set[i].lat = fx.added[2 * i + 1];
    ck_assert_int_eq(centres_build(set, 3, &cs, &err), KKC_OK);
    for (int with = 0; with < 2; with++) {
        struct response_hit *hits = NULL;
        size_t n = 0;
        ck_assert_int_eq(response_nearest(fx.w->graph, cs, at, KIND_MASK_ALL, 0, with,
                                          REACH_NO_LIMIT, 0, SNAP_RADIUS_DEFAULT_M, &hits, &n,
                                          &err),
                         KKC_OK);
        for (size_t h = 0; h < n; h++) {
            const struct centre *c = centres_get(cs, hits[h].centre);
            int k = strcmp(c->id, "OWN-FIRE") == 0 ? 0 : strcmp(c->id, "OWN-POLICE") == 0 ? 1 : 2;
            struct snap from;
            graph_cost cost;
            ck_assert_int_eq(snap_point(fx.w->graph, c->lon, c->lat, SNAP_RADIUS_DEFAULT_M, &from,
                                        NULL),
                             KKC_OK);
            ck_assert_int_eq(route_cost(fx.w->graph, fx.route, &from, at, &cost, NULL), KKC_OK);
            unsigned long long want = graph_cost_ms(cost) + (with ? want_turnout_ms[k] : 0);
            ck_assert_uint_eq(hits[h].turnout_ms, with ? want_turnout_ms[k] : 0);
            ck_assert_msg(llabs((long long)hits[h].response_ms - (long long)want) <= 1,
                          "%s: %u ms, expected %llu", c->id, hits[h].response_ms, want);
        }
        ck_assert_uint_eq(n, 3); /* the sites were snapped on connected roads */
        free(hits);
    }
    centres_destroy(cs);
}
END_TEST

/* The turnout table: every kind has a default, a centre's own value wins, an explicit 0 too. */
START_TEST(turnout_defaults)
{
    struct centre c = {.kind = KIND_FIRE};
    ck_assert_int_eq(response_turnout_s(&c), 120); /* unset: the fire default */
    c.turnout_s = 45;
    ck_assert_int_eq(response_turnout_s(&c), 45);
    c.turnout_s = 0, c.turnout_set = 1;
    ck_assert_int_eq(response_turnout_s(&c), 0); /* explicit 0, not 120 */
    c.turnout_set = 0;
    ck_assert_int_eq(response_turnout_s(&c), 120);
    for (int k = 0; k < KIND_COUNT; k++)
        ck_assert_int_gt(response_turnout_default_s((enum centre_kind)k), 0);
    ck_assert_int_eq(response_turnout_mask_s(1u << KIND_POLICE | 1u << KIND_FIRE), 60);
    /* added sites: the least default of the kinds, a given value (0 included), a fixed one */
    struct coverage_request q = {.kind_mask = 1u << KIND_FIRE | 1u << KIND_AMBULANCE};
    ck_assert_int_eq(response_added_turnout_s(&q), 120);
    q.added_turnout_set = 1;
    ck_assert_int_eq(response_added_turnout_s(&q), 0);
    q.added_turnout_s = 45;
    ck_assert_int_eq(response_added_turnout_s(&q), 45);
    q.fixed_turnout_s = 300;
    ck_assert_int_eq(response_added_turnout_s(&q), 300);
    int t = -1;
    ck_assert(response_turnout_parse("45", NULL, &t) && t == 45);
    ck_assert(response_turnout_parse(NULL, "1.5", &t) && t == 90);
    ck_assert(response_turnout_parse("", "", &t) && t == -1);   /* none: the kind's default */
    ck_assert(response_turnout_parse("0", NULL, &t) && t == 0); /* an explicit 0 */
    ck_assert(response_turnout_parse(NULL, "0", &t) && t == 0);
    ck_assert(!response_turnout_parse("12.5", NULL, &t) && t == -1);
    ck_assert(!response_turnout_parse("-1", NULL, &t));
    ck_assert(!response_turnout_parse(NULL, "90", &t));
    ck_assert(!response_turnout_parse("abc", NULL, &t));
}
END_TEST

/* The distribution adds up to the population; the minutes below T hold only covered people. */
START_TEST(distribution_sums)
{
    struct coverage_result res;
    long bins[61], sum = 0, below = 0;
    run(5, 1 + _i, _i, 60, &res);
    response_distribution(&fx.sb.base, &res, bins, 61);
    for (int k = 0; k < 61; k++)
        sum += bins[k], below += k < 5 ? bins[k] : 0;
    ck_assert_int_eq(sum, res.pop_total);
    ck_assert_int_le(below, res.pop_covered);
    coverage_result_free(fx.h, &res);
}
END_TEST

/* Every built-in standard parses and names a source (a law "Sb." or a web address), with both
 * descriptions; rows without a source, with a bad kind, nth or turnout are refused. */
START_TEST(standards_have_sources)
{
    struct standards *s = NULL;
    struct kkc_err err = {0};
    ck_assert_msg(standards_builtin(&s, &err) == KKC_OK, "%s", err.msg);
    ck_assert_uint_ge(standards_count(s), 5);
    for (size_t i = 0; i < standards_count(s); i++) {
        const struct standard *t = standards_get(s, i);
        ck_assert_msg(strstr(t->source, "Sb.") || strstr(t->source, "https://"), "%s", t->id);
        ck_assert(*t->description_cs && *t->description_en);
        ck_assert(t->minutes > 0 && t->nth >= 1);
    }
    ck_assert_ptr_nonnull(standards_find(s, "zzs-20"));
    ck_assert_ptr_null(standards_find(s, "nope"));
    standards_destroy(s);
    static const char *const bad[] = {
        "id,kind,minutes,nth,turnout,description_cs,description_en,source\nx,fire,10,1,none,a,b,\n",
        "id,kind,minutes,nth,turnout,description_cs,description_en,source\nx,boat,10,1,none,a,b,"
        "c\n",
        "id,kind,minutes,nth,turnout,description_cs,description_en,source\nx,fire,10,9,none,a,b,"
        "c\n",
        "id,kind,minutes,nth,turnout,description_cs,description_en,source\nx,fire,10,1,soon,a,b,"
        "c\n",
        "id,kind,minutes,nth,turnout,description_cs,description_en,source\nx,fire,0,1,none,a,b,c\n",
        "id,kind,minutes,nth,turnout,description_cs,description_en,source\nx,fire,5,1,none,a,b,c\n"
        "x,fire,6,1,none,a,b,c\n",
        "id,kind,minutes,nth,turnout,description_cs,source\nx,fire,10,1,none,a,c\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(standards_parse(bad[i], "bad", &s, &err), KKC_EINVAL);
        ck_assert_ptr_null(s);
    }
}
END_TEST

/* Profile graphs: car is the car's graph exactly; police's edge and arc times are the car's /
 * the table's factor (recomputed here), distances kept; a faster profile never covers less and a
 * slower one never more. */
START_TEST(profile_weights)
{
    struct service_profile t[PROFILE_COUNT];
    struct graph *v[PROFILE_COUNT] = {0};
    struct kkc_err err = {0};
    const struct graph *g = fx.w->graph;
    static const double police[SERVICE_CLASSES] = {1.10, 1.10, 1.15, 1.15, 1.15,
                                                   1.10, 1.05, 1.0,  1.0,  1.0};
    service_profile_table(t);
    for (int p = 0; p < PROFILE_COUNT; p++)
        ck_assert_int_eq(service_profile_graph(g, &t[p], &v[p], &err), KKC_OK);
    for (uint32_t e = 0; e < g->edge_count; e++) {
        graph_cost c = g->edge_cost[e];
        double f = police[g->edge_class[e] & GRAPH_CLASS_MASK];
        ck_assert(v[PROFILE_CAR]->edge_cost[e] == c);
        ck_assert_uint_eq(graph_cost_ms(v[PROFILE_POLICE]->edge_cost[e]),
                          (uint32_t)llround(graph_cost_ms(c) / f));
        ck_assert_uint_eq(graph_cost_dm(v[PROFILE_POLICE]->edge_cost[e]), graph_cost_dm(c));
    }
    for (uint32_t a = 0; a < g->out_first[g->node_count]; a++)
        ck_assert(v[PROFILE_CAR]->out[a].cost == g->out[a].cost);
    long cov[PROFILE_COUNT];
    for (int p = 0; p < PROFILE_COUNT; p++) {
        struct coverage_result res;
        struct coverage_request q = {.kind_mask = KIND_MASK_ALL,
                                     .minutes = 4,
                                     .region = fx.real->network,
                                     .added = fx.added,
                                     .nadded = NADD};
        ck_assert_int_eq(coverage_run(fx.h, NULL, &fx.sb.base, fx.w->centres, v[p], &q, &res, &err),
                         KKC_OK);
        cov[p] = res.pop_covered;
        coverage_result_free(fx.h, &res);
        service_profile_graph_destroy(v[p]);
    }
    ck_assert_int_ge(cov[PROFILE_POLICE], cov[PROFILE_CAR]);
    ck_assert_int_ge(cov[PROFILE_AMBULANCE] + 0, cov[PROFILE_FIRE]);
    ck_assert_int_le(cov[PROFILE_FIRE], cov[PROFILE_CAR]);
}
END_TEST

/* Profile files: rows override the table; bad rows are refused with their line. */
START_TEST(profile_files)
{
    struct service_profile t[PROFILE_COUNT];
    struct kkc_err err = {0};
    service_profile_table(t);
    ck_assert_int_eq(service_profile_parse("profile,class,factor\nfire,motorway,0.7\n"
                                           "police,residential,1.2\n",
                                           t, &err),
                     KKC_OK);
    ck_assert_double_eq(t[PROFILE_FIRE].factor[GRAPH_CLASS_MOTORWAY], 0.7);
    ck_assert_double_eq(t[PROFILE_POLICE].factor[GRAPH_CLASS_RESIDENTIAL], 1.2);
    static const char *const bad[] = {
        "profile,class,factor\nboat,motorway,1\n", "profile,class,factor\nfire,canal,1\n",
        "profile,class,factor\nfire,motorway,0\n", "profile,class,factor\nfire,motorway,4\n",
        "profile,class,factor\nfire,motorway\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_int_eq(service_profile_parse(bad[i], t, &err), KKC_EINVAL);
    ck_assert_int_eq(service_profile_find("ambulance"), PROFILE_AMBULANCE);
    ck_assert_int_eq(service_profile_find("tank"), -1);
}
END_TEST

/* GET path?query answered in process (api_dispatch); the caller frees res.body. */
static struct api_res api_get(const char *path, const char *query)
{
    struct api_res res = {0};
    hu_dispatch_get(fx.w, path, query, &res);
    return res;
}

/* The features of an isochrone answer as compact JSON (caller frees). */
static char *iso_features(const char *query)
{
    struct api_res res = api_get("/v1/isochrone", query);
    json_t *v = json_loads(res.body, 0, NULL);
    char *f;
    ck_assert_msg(res.status == 200 && v, "%s: %d %.200s", query, res.status, res.body);
    f = json_dumps(json_object_get(v, "features"), JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(v);
    free(res.body);
    return f;
}

/* profile=auto on /v1/isochrone: a fire station's own isochrone is the fire engine's, the
 * centres of one kind take that kind's profile, several kinds and a bare point the car's; a
 * fire engine's differs from the car's (its factors are below 1), so the test can fail. */
START_TEST(iso_auto_profile)
{
    static const char *const same[][2] = {
        {"centre=osm-w115669341&minutes=5&profile=auto",
         "centre=osm-w115669341&minutes=5&profile=fire"},
        {"kind=fire&minutes=4&profile=auto", "kind=fire&minutes=4&profile=fire"},
        {"kind=fire,police&minutes=4&profile=auto", "kind=fire,police&minutes=4"},
        {"centre=8.69,49.41&minutes=4&profile=auto", "centre=8.69,49.41&minutes=4&profile=car"},
    };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        char *a = iso_features(same[i][0]), *b = iso_features(same[i][1]);
        ck_assert_msg(strcmp(a, b) == 0, "%s differs from %s", same[i][0], same[i][1]);
        free(a), free(b);
    }
    char *car = iso_features("centre=osm-w115669341&minutes=5&profile=car");
    char *fire = iso_features("centre=osm-w115669341&minutes=5&profile=fire");
    ck_assert_msg(strcmp(car, fire) != 0, "the fire engine's isochrone is the car's");
    free(car), free(fire);
}
END_TEST

/* ---- the API ------------------------------------------------------------------------------- */

static const struct {
    const char *path, *query;
    int status;
} cases[] = {
    {"/v1/nearest", "lon=8.69&lat=49.41&by=response", 200},
    {"/v1/nearest", "lon=8.69&lat=49.41&max_minutes=10", 200},
    {"/v1/nearest", "lon=8.69&lat=49.41&by=response&max_minutes=10&k=2", 200},
    {"/v1/nearest", "lon=8.69&lat=49.41&max_minutes=-1", 400},
    {"/v1/nearest", "lon=8.69&lat=49.41&by=speed", 400},
    {"/v1/nearest", "lon=8.69&lat=49.41&by=response&profile=fire", 200},
    {"/v1/nearest", "lon=8.69&lat=49.41&by=time&profile=fire", 400},
    {"/v1/nearest", "lon=8.69&lat=49.41&max_minutes=5&profile=tank", 400},
    {"/v1/coverage", "minutes=10&response=true", 200},
    {"/v1/coverage", "minutes=10&nth=2", 200},
    {"/v1/coverage", "minutes=10&nth=2&response=true&add=8.70,49.40&turnout=30", 200},
    {"/v1/coverage", "minutes=10&nth=9", 400},
    {"/v1/coverage", "km=10&nth=2", 400},
    {"/v1/coverage", "km=10&response=true", 400},
    {"/v1/coverage", "minutes=10&response=maybe", 400},
    {"/v1/isochrone", "centre=osm-w115669341&minutes=5&response=true", 200},
    {"/v1/isochrone", "kind=fire&minutes=5&response=true", 200},
    {"/v1/catchments", "kind=fire&minutes=20&region=network&response=true", 200},
    {"/v1/standards", "", 200},
    {"/v1/coverage", "standard=pcr-10&region=network", 200},
    {"/v1/coverage", "standard=hzs-jpo1&region=network&format=csv", 200},
    {"/v1/coverage", "km=10&kind=police&breakdown=orp&format=csv", 200},
    {"/v1/coverage", "km=10&kind=police&region=CZ052&breakdown=orp", 200},
    {"/v1/coverage", "km=10&breakdown=street", 400},
    {"/v1/coverage", "standard=nope", 400},
    {"/v1/coverage", "standard=zzs-20&minutes=5", 400},
    {"/v1/coverage", "standard=zzs-20&kind=police", 400},
    {"/v1/coverage", "minutes=10&profile=fire", 200},
    {"/v1/coverage", "minutes=10&kind=police&profile=auto&response=true", 200},
    {"/v1/coverage", "minutes=10&profile=tank", 400},
    {"/v1/isochrone", "centre=osm-w115669341&minutes=5&profile=fire", 200},
    {"/v1/catchments", "kind=fire&minutes=20&region=network&profile=fire", 200},
};

START_TEST(api_statuses)
{
    struct api_res res = api_get(cases[_i].path, cases[_i].query);
    ck_assert_msg(res.status == cases[_i].status, "%s?%s: %d %.300s", cases[_i].path,
                  cases[_i].query, res.status, res.body);
    if (res.content_type && strncmp(res.content_type, "text/csv", 8) == 0) {
        ck_assert(strncmp(res.body, "section,code,level,name", 23) == 0);
        free(res.body);
        return;
    }
    json_t *v = json_loads(res.body, 0, NULL);
    ck_assert_ptr_nonnull(v);
    if (strstr(cases[_i].query, "profile=tank"))
        ck_assert_msg(strstr(res.body, "police") && strstr(res.body, "ambulance"), "%s", res.body);
    if (strstr(cases[_i].query, "standard=nope"))
        ck_assert_msg(strstr(res.body, "zzs-20") && strstr(res.body, "pcr-10"), "%s", res.body);
    if (res.status != 200)
        ck_assert_ptr_nonnull(json_object_get(v, "message"));
    json_decref(v);
    free(res.body);
}
END_TEST

/* POST /v1/plan with response times and standards: statuses and the known ids on a bad one. */
static const struct {
    const char *body;
    int status;
} plans[] = {
    /* parsed, then refused: the default database has no census data on the roads */
    {"{\"standard\": \"pcr-10\", \"add\": 1, \"region\": \"network\"}", 400},
    {"{\"kind\": \"fire\", \"minutes\": 8, \"response\": true, \"turnout\": 60, "
     "\"add\": 2, \"region\": \"network\"}",
     400},
    {"{\"standard\": \"nope\", \"add\": 1}", 400},
    {"{\"standard\": \"pcr-10\", \"minutes\": 5, \"add\": 1}", 400},
    {"{\"km\": 5, \"response\": true, \"add\": 1}", 400},
    {"{\"minutes\": 5, \"turnout\": -1, \"add\": 1}", 400},
    {"{\"minutes\": 5, \"nth\": 6, \"add\": 1}", 400},
    {"{\"km\": 5, \"nth\": 2, \"add\": 1}", 400},
};

START_TEST(plan_statuses)
{
    struct params q;
    struct api_res res = {0};
    struct api_req r = {.method = "POST",
                        .path = "/v1/plan",
                        .q = &q,
                        .w = fx.w,
                        .t = tctx_get(),
                        .body = plans[_i].body,
                        .body_len = strlen(plans[_i].body)};
    params_init(&q);
    api_dispatch(&r, &res);
    ck_assert_msg(res.status == plans[_i].status, "%s: %d %.300s", plans[_i].body, res.status,
                  res.body);
    if (strstr(plans[_i].body, "nope"))
        ck_assert_msg(strstr(res.body, "zzs-20"), "%s", res.body);
    free(res.body);
}
END_TEST

/* The plan with response times on the synthetic municipalities (add for the first unit, add
 * and close for the second): its "before" is coverage's, and after its steps the coverage (run
 * again with the sites added or the centres closed, turnout as the plan assumed) is what the
 * plan says. */
START_TEST(plan_with_turnout)
{
    struct kkc_err err = {0};
    struct plan_request pq = {.cov = {.kind_mask = KIND_MASK_ALL,
                                      .minutes = _i ? 8 : 3,
                                      .region = fx.real->network,
                                      .response = 1,
                                      .added_turnout_s = 45,
                                      .nth = _i ? 2 : 1},
                              .goal = _i == 2 ? PLAN_REMOVE : PLAN_ADD,
                              .count = 2,
                              .method = PLAN_GREEDY};
    struct plan_result pr;
    struct coverage_result before, after;
    ck_assert_msg(plan_run(fx.h, NULL, &fx.sb.base, fx.w->centres, fx.w->graph, &pq, &pr, &err) ==
                      KKC_OK,
                  "%s", err.msg);
    struct coverage_request q = pq.cov;
    ck_assert_int_eq(coverage_run(fx.h, NULL, &fx.sb.base, fx.w->centres, fx.w->graph, &q, &before,
                                  &err),
                     KKC_OK);
    ck_assert_int_eq(pr.cov.pop_covered, before.pop_covered);
    double added[2 * (NADD + 2)];
    long closed[4];
    for (size_t i = 0; i < pr.nsteps && pq.goal == PLAN_ADD; i++)
        added[2 * (q.nadded + i)] = pr.step[i].lon, added[2 * (q.nadded + i) + 1] = pr.step[i].lat;
    for (size_t i = 0; i < pr.nsteps && pq.goal == PLAN_REMOVE; i++)
        closed[i] = pr.step[i].site;
    if (pq.goal == PLAN_ADD)
        q.nadded += pr.nsteps;
    else
        q.closed = closed, q.nclosed = pr.nsteps;
    q.added = added;
    ck_assert_int_eq(coverage_run(fx.h, NULL, &fx.sb.base, fx.w->centres, fx.w->graph, &q, &after,
                                  &err),
                     KKC_OK);
    ck_assert_uint_ge(pr.nsteps, 1);
    ck_assert_int_eq(after.pop_covered, pr.step[pr.nsteps - 1].covered);
    coverage_result_free(fx.h, &before), coverage_result_free(fx.h, &after);
    plan_result_free(fx.h, &pr);
}
END_TEST

Suite *response_suite(void); /* for the runner */

Suite *response_suite(void)
{
    Suite *s = suite_create("response");
    TCase *tc = tu_tcase(s, "response", 600);
    tcase_add_unchecked_fixture(tc, fx_load, fx_free);
    tcase_add_loop_test(tc, nth_brute_force, 0, 12);
    tcase_add_test(tc, monotone_t_n_turnout);
    tcase_add_test(tc, nth1_equals_coverage);
    tcase_add_loop_test(tc, nearest_cutoff_brute_force, 0, 6);
    tcase_add_test(tc, turnout_defaults);
    tcase_add_test(tc, own_turnout_added);
    tcase_add_loop_test(tc, distribution_sums, 0, 3);
    tcase_add_test(tc, standards_have_sources);
    tcase_add_test(tc, profile_weights);
    tcase_add_test(tc, profile_files);
    tcase_add_test(tc, iso_auto_profile);
    tcase_add_loop_test(tc, api_statuses, 0, sizeof cases / sizeof cases[0]);
    tcase_add_loop_test(tc, plan_statuses, 0, sizeof plans / sizeof plans[0]);
    tcase_add_loop_test(tc, plan_with_turnout, 0, 3);
    return s;
}
