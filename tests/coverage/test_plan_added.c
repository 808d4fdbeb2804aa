/* tests/coverage/test_plan_added.c -- plans that count the sites the planner added as a what-if
 * (struct coverage_request.added in geo/coverage/plan.c; "added" of POST /v1/plan).
 *
 * Oracles the code under test did not produce:
 *   - brute force over every choice of k random candidates of an okres, with covering sets from
 *     PROJ's geod_inverse called here (municipality first, as plan.h says), where the centres
 *     of the kind AND the added sites cover before the choice;
 *   - the plan's first suggestion s1 without added sites: once s1 is added, a plan never
 *     suggests it again (it gains nothing) and the new best equals the brute force;
 *   - GET /v1/coverage with add=: its covered population is the plan's covered_before with the
 *     added sites, and covered_after with the added and the suggested ones.
 * Straight line on the default database (KHK reference data); by road on a copy of it with 60
 * made-up municipalities near the Heidelberg roads (the SQL of tests/web/report-db.sql), where
 * the covering sets come from route_cost() (A* with landmarks) from every snapped site to every
 * snapped municipality, computed here. */
#include "api.h"
#include "routes.h"
#include "tctx.h"
#include "base/crs.h"
#include "centres/centres.h"
#include "coverage/coverage.h"
#include "coverage/plan.h"
#include "base/store.h"
#include "road/route.h"
#include "road/snap.h"
#include "testutil.h"
#include "world.h"

#include <check.h>
#include <geodesic.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NCAND 16
#define ITEMS 4096

static struct world *w;
static GEOSContextHandle_t gh;
static struct crs_ctx *crs;
static const struct coverage_base *cb;
static struct geod_geodesic geod;

static struct api_res call(const char *method, const char *path, const char *const *kv,
                           const char *body)
{
    struct params q;
    struct api_res res;
    struct api_req r = {.method = method, .path = path, .q = &q, .body = body,
                        .body_len = body ? strlen(body) : 0, .w = w, .t = tctx_get()};
    params_init(&q);
    for (size_t i = 0; kv && kv[i]; i += 2)
        params_add(&q, kv[i], kv[i + 1]);
    api_dispatch(&r, &res);
    return res;
}

static json_t *call_ok(const char *method, const char *path, const char *const *kv,
                       const char *body)
{
    struct api_res res = call(method, path, kv, body);
    json_t *v = json_loads(res.body ? res.body : "", 0, NULL);
    ck_assert_msg(res.status == 200 && v, "%s %s: %d %s", path, body ? body : "", res.status,
                  res.body);
    free(res.body);
    return v;
}

static void setup(void)
{
    struct kkc_err err = {0};
    geod_init(&geod, 6378137, 1 / 298.257223563);
    if (world_load(tu_db(), &w, &err)) {
        fprintf(stderr, "test_plan_added: %s\n", err.msg);
        exit(1);
    }
    gh = GEOS_init_r();
    crs = crs_ctx_create();
    json_decref(call_ok("POST", "/v1/plan", NULL, "{\"km\": 1, \"add\": 1}")); /* builds it */
    cb = w->coverage;
    ck_assert_ptr_nonnull(cb);
}

static void teardown(void)
{
    struct world_holder hd;
    crs_ctx_destroy(crs);
    GEOS_finish_r(gh);
    world_holder_init(&hd, w);
    world_holder_done(&hd);
}

static int covers(double lon, double lat, const struct coverage_muni *m, double km)
{
    double s12 = 0;
    geod_inverse(&geod, m->lat, m->lon, lat, lon, &s12, NULL, NULL);
    return s12 <= km * 1000;
}

/* The question of the oracle: the region's municipalities, who is covered before. */
struct oracle {
    size_t n, muni[ITEMS];
    long pop[ITEMS];
    int covered[ITEMS];
    unsigned char cand[NCAND][ITEMS];
};

static void oracle_fill(struct oracle *o, long region, int kind, double km, const double *added,
                        size_t nadded, const double *cand)
{
    memset(o, 0, sizeof *o);
    for (size_t i = 0; i < cb->nmuni; i++) {
        const struct coverage_muni *m = &cb->muni[i];
        if (m->region[cb->region[region].level] != region)
            continue;
        ck_assert(o->n < ITEMS);
        o->muni[o->n] = i, o->pop[o->n] = m->population > 0 ? m->population : 0;
        for (size_t c = 0; c < centres_count(w->centres); c++) {
            const struct centre *ce = centres_get(w->centres, c);
            if ((int)ce->kind == kind && ce->active && covers(ce->lon, ce->lat, m, km))
                o->covered[o->n] = 1;
        }
        for (size_t a = 0; a < nadded; a++)
            o->covered[o->n] |= covers(added[2 * a], added[2 * a + 1], m, km);
        for (size_t j = 0; j < NCAND; j++)
            o->cand[j][o->n] = (unsigned char)covers(cand[2 * j], cand[2 * j + 1], m, km);
        o->n++;
    }
}

static long oracle_covered(const struct oracle *o)
{
    long p = 0;
    for (size_t i = 0; i < o->n; i++)
        p += o->covered[i] ? o->pop[i] : 0;
    return p;
}

/* The best gain of any k of the candidates (k <= 3: plain nested enumeration by recursion). */
static long oracle_best(const struct oracle *o, size_t k, size_t from, size_t *pick, size_t d)
{
    long best = 0;
    if (d == k) {
        for (size_t i = 0; i < o->n; i++) {
            int hit = 0;
            for (size_t s = 0; s < d; s++)
                hit |= o->cand[pick[s]][i];
            best += hit && !o->covered[i] ? o->pop[i] : 0;
        }
        return best;
    }
    for (size_t j = from; j < NCAND; j++) {
        long v;
        pick[d] = j;
        v = oracle_best(o, k, j + 1, pick, d + 1);
        best = v > best ? v : best;
    }
    return best;
}

/* Random okres, kind, km and candidates; the plan's first pick without added sites is added
 * and the plan asked again: the pick changes, the figures are the brute force's. */
START_TEST(added_site_changes_the_suggestion)
{
    static const char *const okresy[] = {"CZ0521", "CZ0522", "CZ0523", "CZ0524", "CZ0525"};
    static struct oracle o;
    unsigned long long seed = 4242 + (unsigned long long)_i;
    long region = coverage_region_find(cb, okresy[_i % 5]);
    const struct coverage_region *reg = &cb->region[region];
    int kind = _i % KIND_COUNT;
    double km = 3 + _i % 4, cand[2 * NCAND], added[2];
    size_t k = 1 + (size_t)_i % 3, pick[3];
    struct kkc_err err = {0};
    struct plan_result r;
    struct plan_request q = {.cov = {.kind_mask = 1u << kind, .km = km, .region = region},
                             .count = 1, .cand = cand, .ncand = NCAND, .method = PLAN_EXACT};
    for (size_t j = 0; j < NCAND; j++) {
        cand[2 * j] = plan_round7(reg->bbox[0] + tu_rand(&seed) * (reg->bbox[2] - reg->bbox[0]));
        cand[2 * j + 1] =
            plan_round7(reg->bbox[1] + tu_rand(&seed) * (reg->bbox[3] - reg->bbox[1]));
    }
    ck_assert_msg(plan_run(gh, crs, cb, w->centres, w->graph, &q, &r, &err) == KKC_OK, "%s",
                  err.msg);
    if (r.nsteps == 0) { /* every candidate covers only what is covered: nothing to show */
        plan_result_free(gh, &r);
        return;
    }
    long s1 = r.step[0].site;
    added[0] = r.cand[s1].lon, added[1] = r.cand[s1].lat;
    plan_result_free(gh, &r);

    oracle_fill(&o, region, kind, km, added, 1, cand);
    q.count = k, q.cov.added = added, q.cov.nadded = 1;
    ck_assert_msg(plan_run(gh, crs, cb, w->centres, w->graph, &q, &r, &err) == KKC_OK, "%s",
                  err.msg);
    ck_assert_int_eq(r.cov.pop_covered, oracle_covered(&o));
    ck_assert_int_eq(r.exact, oracle_best(&o, k, 0, pick, 0));
    for (size_t s = 0; s < r.nsteps; s++)
        ck_assert_msg(r.step[s].site != s1, "%s: the added site's candidate is suggested again",
                      reg->code);
    plan_result_free(gh, &r);
}
END_TEST

static long covered_of(json_t *v, const char *field)
{
    json_t *p = json_object_get(v, "population");
    return (long)json_integer_value(json_object_get(p, field));
}

static long coverage_with(const char *add)
{
    const char *kv[] = {"kind", "police", "km", "4", "region", "CZ0521", add ? "add" : NULL, add,
                        NULL};
    json_t *v = call_ok("GET", "/v1/coverage", kv, NULL);
    long n = (long)json_integer_value(json_object_get(json_object_get(v, "population"), "covered"));
    json_decref(v);
    return n;
}

/* POST /v1/plan: the first suggestion, added as {lon, lat, kind}, is not suggested again; the
 * before/after figures are GET /v1/coverage's with add=; an added site of another kind is left
 * out (the same answer as without it); bad added sites are 400. */
START_TEST(api_counts_added_sites)
{
    char body[512], add[128];
    const char *base = "{\"kind\": \"police\", \"km\": 4, \"region\": \"CZ0521\", \"add\": 1";
    snprintf(body, sizeof body, "%s}", base);
    json_t *a = call_ok("POST", "/v1/plan", NULL, body);
    json_t *s1 = json_array_get(json_object_get(a, "sites"), 0);
    ck_assert_ptr_nonnull(s1);
    double lon = json_real_value(json_object_get(s1, "lon"));
    double lat = json_real_value(json_object_get(s1, "lat"));
    snprintf(add, sizeof add, "%.7f,%.7f", lon, lat);

    snprintf(body, sizeof body, "%s, \"added\": [{\"lon\": %.7f, \"lat\": %.7f, \"kind\": "
             "\"police\"}]}", base, lon, lat);
    json_t *b = call_ok("POST", "/v1/plan", NULL, body);
    json_t *s2 = json_array_get(json_object_get(b, "sites"), 0);
    ck_assert_ptr_nonnull(s2);
    ck_assert(json_real_value(json_object_get(s2, "lon")) != lon ||
              json_real_value(json_object_get(s2, "lat")) != lat);
    ck_assert_int_eq(covered_of(b, "covered_before"), coverage_with(add));
    ck_assert_int_gt(covered_of(b, "covered_before"), covered_of(a, "covered_before"));
    const char *wi = json_string_value(json_object_get(json_object_get(b, "what_if"), "add"));
    ck_assert_ptr_nonnull(wi);
    ck_assert(strncmp(wi, add, strlen(add)) == 0); /* the added site, then the suggestion */
    ck_assert_int_eq(covered_of(b, "covered_after"), coverage_with(wi));
    ck_assert_int_eq(json_integer_value(json_object_get(
                         json_object_get(json_object_get(b, "centres"), "added"), "counted")),
                     1);

    snprintf(body, sizeof body, "%s, \"added\": [{\"lon\": %.7f, \"lat\": %.7f, \"kind\": "
             "\"fire\"}]}", base, lon, lat);
    json_t *c = call_ok("POST", "/v1/plan", NULL, body);
    ck_assert(json_equal(json_object_get(c, "sites"), json_object_get(a, "sites")));
    ck_assert_int_eq(json_integer_value(json_object_get(
                         json_object_get(json_object_get(c, "centres"), "added"), "other_kind")),
                     1);
    json_decref(a), json_decref(b), json_decref(c);

    static const char *const bad[] = {
        "\"added\": {}", "\"added\": [[15.8, 50.2]]", "\"added\": [{\"lon\": 15.8}]",
        "\"added\": [{\"lon\": 15.8, \"lat\": 95}]",
        "\"added\": [{\"lon\": 15.8, \"lat\": 50.2, \"kind\": \"navy\"}]",
        "\"added\": [{\"lon\": 15.8, \"lat\": 50.2, \"x\": 1}]"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        snprintf(body, sizeof body, "%s, %s}", base, bad[i]);
        struct api_res res = call("POST", "/v1/plan", NULL, body);
        ck_assert_msg(res.status == 400 && strstr(res.body, "added"), "%s: %d %s", bad[i],
                      res.status, res.body);
        free(res.body);
    }
}
END_TEST


/* ---- by road --------------------------------------------------------------------------------- */

static struct world *rw; /* the copy with municipalities near the roads */
static struct route_ctx *rctx;
static char *rpath;

static void road_setup(void)
{
    struct kkc_err err = {0};
    struct store *st = NULL;
    char sql[1024];
    rpath = tu_tmpfile("plan-added-roads.sqlite");
    unlink(rpath);
    snprintf(sql, sizeof sql, "VACUUM INTO '%s'", rpath);
    if (store_open(tu_db(), STORE_READONLY, &st, &err) || store_exec(st, sql, &err)) {
        fprintf(stderr, "test_plan_added: copy: %s\n", err.msg);
        exit(1);
    }
    store_close(st);
    st = NULL;
    if (store_open(rpath, STORE_READWRITE, &st, &err) ||
        store_exec(st,
                   "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 59) "
                   "INSERT INTO municipalities (code, name, name_key, population, geom) "
                   "SELECT printf('T%03d', i), printf('Obec %d', i), printf('obec %d', i), "
                   "100 + (i * 7307) % 4900, MakePoint(ST_X(r.geom) + ((i * 37) % 11 - 5) * "
                   "0.0003, ST_Y(r.geom) + ((i * 53) % 11 - 5) * 0.0002, 4326) FROM n JOIN "
                   "road_nodes r ON r.id = (n.i * 7919) % (SELECT count(*) FROM road_nodes)",
                   &err) ||
        world_load(rpath, &rw, &err) || route_ctx_create(rw->graph, &rctx, &err)) {
        fprintf(stderr, "test_plan_added: road copy: %s\n", err.msg);
        exit(1);
    }
    store_close(st);
}

static void road_teardown(void)
{
    struct world_holder hd;
    route_ctx_destroy(rctx);
    world_holder_init(&hd, rw);
    world_holder_done(&hd);
    unlink(rpath);
    free(rpath);
}

/* The drive from the site at lon,lat to m's snapped point within minutes (route_cost). */
static int road_covers(double lon, double lat, const struct coverage_muni *m, double minutes)
{
    struct snap a, b;
    graph_cost c;
    if (snap_point(rw->graph, lon, lat, SNAP_RADIUS_DEFAULT_M, &a, NULL) ||
        snap_point(rw->graph, m->lon, m->lat, SNAP_RADIUS_DEFAULT_M, &b, NULL) ||
        route_cost(rw->graph, rctx, &a, &b, &c, NULL))
        return 0;
    return graph_cost_seconds(c) <= minutes * 60;
}

/* The oracle of a road question: municipalities of region, covered by the centres of kind or
 * the added sites, and what each candidate covers. */
static void road_oracle(struct oracle *o, const struct coverage_base *b, long region, int kind,
                        double minutes, const double *added, size_t nadded, const double *cand)
{
    memset(o, 0, sizeof *o);
    for (size_t i = 0; i < b->nmuni; i++) {
        const struct coverage_muni *m = &b->muni[i];
        if (m->region[b->region[region].level] != region || !m->snapped)
            continue;
        o->muni[o->n] = i, o->pop[o->n] = m->population > 0 ? m->population : 0;
        for (size_t c = 0; c < centres_count(rw->centres) && !o->covered[o->n]; c++) {
            const struct centre *ce = centres_get(rw->centres, c);
            o->covered[o->n] = (int)ce->kind == kind && ce->active &&
                               road_covers(ce->lon, ce->lat, m, minutes);
        }
        for (size_t a = 0; a < nadded; a++)
            o->covered[o->n] |= road_covers(added[2 * a], added[2 * a + 1], m, minutes);
        for (size_t j = 0; j < NCAND; j++)
            o->cand[j][o->n] = (unsigned char)road_covers(cand[2 * j], cand[2 * j + 1], m, minutes);
        o->n++;
    }
}

/* By road: the first pick, once added, is not picked again; the figures are brute force's. */
START_TEST(road_added_site_changes_the_suggestion)
{
    static struct oracle o;
    unsigned long long seed = 99 + (unsigned long long)_i;
    const struct coverage_base *b;
    const struct graph *g = rw->graph;
    int kind = _i % 2 ? KIND_POLICE : KIND_FIRE;
    double minutes = 3 + _i % 4, cand[2 * NCAND], added[2];
    size_t k = 1 + (size_t)_i % 3, pick[3];
    struct kkc_err err = {0};
    struct plan_result r;
    struct api_res res = {0};
    struct params q0;
    const char *body = "{\"km\": 1, \"add\": 1}";
    struct api_req rq = {.method = "POST", .path = "/v1/plan", .q = &q0, .w = rw, .t = tctx_get(),
                         .body = body, .body_len = strlen(body)};
    params_init(&q0);
    api_dispatch(&rq, &res); /* builds the copy's coverage data */
    free(res.body);
    b = rw->coverage;
    ck_assert_ptr_nonnull(b);
    for (size_t j = 0; j < NCAND; j++) { /* a random edge's first point: on the roads */
        const double *c =
            g->coords + 2 * (size_t)g->edge_coord_first[(uint32_t)(tu_rand(&seed) * g->edge_count)];
        cand[2 * j] = plan_round7(c[0]), cand[2 * j + 1] = plan_round7(c[1]);
    }
    struct plan_request q = {.cov = {.kind_mask = 1u << kind, .minutes = minutes,
                                     .region = b->network},
                             .count = 1, .cand = cand, .ncand = NCAND, .method = PLAN_EXACT};
    ck_assert_msg(plan_run(gh, crs, b, rw->centres, g, &q, &r, &err) == KKC_OK, "%s", err.msg);
    if (r.nsteps == 0) {
        plan_result_free(gh, &r);
        return;
    }
    long s1 = r.step[0].site;
    added[0] = r.cand[s1].lon, added[1] = r.cand[s1].lat;
    plan_result_free(gh, &r);
    road_oracle(&o, b, b->network, kind, minutes, added, 1, cand);
    q.count = k, q.cov.added = added, q.cov.nadded = 1;
    ck_assert_msg(plan_run(gh, crs, b, rw->centres, g, &q, &r, &err) == KKC_OK, "%s", err.msg);
    ck_assert_int_eq(r.cov.pop_covered, oracle_covered(&o));
    ck_assert_int_eq(r.exact, oracle_best(&o, k, 0, pick, 0));
    for (size_t s = 0; s < r.nsteps; s++)
        ck_assert_int_ne(r.step[s].site, s1);
    plan_result_free(gh, &r);
}
END_TEST

Suite *plan_added_suite(void); /* for the runner */
Suite *plan_added_suite(void)
{
    Suite *s = suite_create("plan_added");
    TCase *tc = tu_tcase(s, "added", 300);
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, added_site_changes_the_suggestion, 0, 15);
    tcase_add_test(tc, api_counts_added_sites);
    tc = tu_tcase(s, "road", 300);
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_add_unchecked_fixture(tc, road_setup, road_teardown);
    tcase_add_loop_test(tc, road_added_site_changes_the_suggestion, 0, 8);
    return s;
}
