/* geo/coverage/coverage.c -- coverage of a region by a set of sites, straight line or by road;
 * gaps; catchments. See coverage.h for the definitions. A question runs in stages that each fill
 * part of the struct coverage_result: sites, region, municipalities, cov_totals, polygons. */
#include "coverage/coverage.h"

#include "centres/centres.h"
#include "base/crs.h"
#include "coverage/coverage_stages.h"
#include "coverage/isochrone.h"
#include "coverage/reach.h"
#include "coverage/response.h"
#include "coverage/shape.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- sites --------------------------------------------------------------------------------- */

/* Whether centre i is in the closed list of q. */
static int is_closed(const struct coverage_request *q, size_t i)
{
    for (size_t k = 0; k < q->nclosed; k++)
        if (q->closed[k] == (long)i)
            return 1;
    return 0;
}

/* Check the request's shape: one of minutes and km unless for catchments, list sizes, ids. */
static enum kkc_code check_request(const struct coverage_base *b, const struct centres *cs,
                                   const struct coverage_request *q, int catchments,
                                   struct kkc_err *err)
{
    if (!catchments && (q->minutes > 0) == (q->km > 0))
        return kkc_err_set(err, KKC_EINVAL, "give exactly one of minutes and km");
    if (q->minutes > 0 && q->km > 0)
        return kkc_err_set(err, KKC_EINVAL, "give at most one of minutes and km");
    if (q->nth < 0 || q->nth > RESPONSE_NTH_MAX)
        return kkc_err_set(err, KKC_EINVAL, "nth must be 1..%d", RESPONSE_NTH_MAX);
    if ((q->response || q->nth > 1) && !(q->minutes > 0) && !catchments)
        return kkc_err_set(err, KKC_EINVAL, "response times and nth need minutes (by road)");
    if (q->added_turnout_s < 0 || q->added_turnout_s > RESPONSE_TURNOUT_MAX_S ||
        q->fixed_turnout_s < 0 || q->fixed_turnout_s > RESPONSE_TURNOUT_MAX_S)
        return kkc_err_set(err, KKC_EINVAL, "turnout must be 0..%d s", RESPONSE_TURNOUT_MAX_S);
    if (q->nclosed > COVERAGE_CLOSED_MAX || q->nadded > COVERAGE_ADDED_MAX)
        return kkc_err_set(err, KKC_EINVAL, "at most %d closed and %d added centres",
                           COVERAGE_CLOSED_MAX, COVERAGE_ADDED_MAX);
    for (size_t k = 0; k < q->nclosed; k++)
        if (q->closed[k] < 0 || (size_t)q->closed[k] >= centres_count(cs))
            return kkc_err_set(err, KKC_EINVAL, "closed centre index %ld out of range",
                               q->closed[k]);
    if (q->region >= (long)b->nregion)
        return kkc_err_set(err, KKC_EINVAL, "region index %ld out of range", q->region);
    for (size_t k = 0; k < q->nadded; k++)
        if (!(fabs(q->added[2 * k]) <= 180) || !(fabs(q->added[2 * k + 1]) <= 90))
            return kkc_err_set(err, KKC_EINVAL, "added centre %zu: bad coordinates", k + 1);
    return KKC_OK;
}

/* The sites of q into res: active centres of the kinds, not closed, then the added points. */
enum kkc_code cov_sites_build(const struct centres *cs, const struct coverage_request *q,
                              struct coverage_result *res, struct kkc_err *err)
{
    size_t n = centres_count(cs);
    res->sites = calloc(n + q->nadded + 1, sizeof *res->sites);
    if (!res->sites)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (sites)");
    for (size_t i = 0; i < n; i++) {
        const struct centre *c = centres_get(cs, i);
        if (!(q->kind_mask & (1u << c->kind)) || !c->active || is_closed(q, i))
            continue;
        res->sites[res->nsites++] = (struct coverage_site){
            .centre = (long)i,
            .lon = c->lon,
            .lat = c->lat,
            .turnout_ms = !q->response             ? 0
                          : q->fixed_turnout_s > 0 ? (uint32_t)q->fixed_turnout_s * 1000u
                                                   : (uint32_t)response_turnout_s(c) * 1000u};
    }
    uint32_t added_ms = (uint32_t)response_added_turnout_s(q);
    for (size_t k = 0; k < q->nadded; k++)
        res->sites[res->nsites++] =
            (struct coverage_site){.centre = -1,
                                   .added = (int)k + 1,
                                   .lon = q->added[2 * k],
                                   .lat = q->added[2 * k + 1],
                                   .turnout_ms = q->response ? added_ms * 1000u : 0};
    return KKC_OK;
}

/* Snap the sites to the roads: centres off the roads are left out (counted), an added one is
 * an error. */
static enum kkc_code sites_snap(const struct graph *g, struct coverage_result *res,
                                struct kkc_err *err)
{
    for (size_t i = 0; i < res->nsites; i++) {
        struct coverage_site *s = &res->sites[i];
        s->snapped = snap_point(g, s->lon, s->lat, SNAP_RADIUS_DEFAULT_M, &s->at, NULL) == KKC_OK;
        if (!s->snapped && s->added)
            return kkc_err_set(err, KKC_ENOSEGMENT,
                               "added centre %d (%.5f, %.5f) is farther than %.0f m from any "
                               "routable road",
                               s->added, s->lon, s->lat, SNAP_RADIUS_DEFAULT_M);
        res->nsites_unsnapped += !s->snapped;
    }
    return KKC_OK;
}

/* ---- region ------------------------------------------------------------------------------ */

static int boxes_meet(const double *a, const double *b)
{
    return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}

/* Whether the road graph reaches into region r at all. */
int cov_region_has_roads(const struct coverage_base *b, const struct graph *g, long r)
{
    return g && b->network >= 0 && (r == b->network || boxes_meet(b->region[r].bbox, b->road_bbox));
}

/* The kraj holding most sites (ties: the first in table order), or -1. */
long cov_sites_kraj(const struct coverage_base *b, const struct coverage_result *res)
{
    long best = -1, best_n = 0;
    for (size_t r = 0; r < b->nregion; r++) {
        const struct coverage_region *k = &b->region[r];
        long n = 0;
        if (k->level != COVERAGE_KRAJ)
            continue;
        for (size_t i = 0; i < res->nsites; i++) {
            double lon = res->sites[i].lon, lat = res->sites[i].lat;
            if (lon < k->bbox[0] || lon > k->bbox[2] || lat < k->bbox[1] || lat > k->bbox[3])
                continue;
            for (size_t p = 0; p < k->npolys; p++)
                if (shape_point_in(lon, lat, k->ring_first, k->poly_first[p],
                                   k->poly_first[p + 1] - 1, k->pts)) {
                    n++;
                    break;
                }
        }
        if (n > best_n)
            best = (long)r, best_n = n;
    }
    return best;
}

/* Choose the region (see coverage.h); by_road: the question is asked by road. */
static enum kkc_code pick_region(const struct coverage_base *b, const struct graph *g,
                                 const struct coverage_request *q, int by_road,
                                 struct coverage_result *res, struct kkc_err *err)
{
    long r = q->region;
    if (r < 0) {
        long k = cov_sites_kraj(b, res);
        r = k >= 0 && (!by_road || cov_region_has_roads(b, g, k)) ? k : b->network;
        if (r < 0)
            return by_road ? kkc_err_set(err, KKC_ENOSEGMENT,
                                         "no road network is loaded: use "
                                         "km= for straight-line coverage")
                           : kkc_err_set(err, KKC_EINVAL, "no default region: give region=");
    }
    if (by_road && !cov_region_has_roads(b, g, r))
        return kkc_err_set(err, KKC_ENOSEGMENT,
                           "no road network covers region %s (%s)%s; use km= for straight-line "
                           "coverage",
                           b->region[r].code, b->region[r].name,
                           g ? ": the loaded roads lie elsewhere" : ": no roads are loaded");
    res->region = r;
    return KKC_OK;
}

/* The municipalities of the region into res->muni. */
static enum kkc_code region_munis(const struct coverage_base *b, struct coverage_result *res,
                                  struct kkc_err *err)
{
    enum coverage_level l = b->region[res->region].level;
    res->muni = calloc(b->region[res->region].munis + 1, sizeof *res->muni);
    res->worst = calloc(b->region[res->region].munis + 1, sizeof *res->worst);
    if (!res->muni || !res->worst)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (municipalities)");
    for (size_t i = 0; i < b->nmuni; i++)
        if (b->muni[i].region[l] == res->region)
            res->muni[res->nmuni++] =
                (struct coverage_muni_result){i, COVERAGE_UNREACHABLE, INFINITY, -1, -1, 0};
    return KKC_OK;
}

/* ---- who is covered ------------------------------------------------------------------------ */

/* The nearest site to m by geodesic distance, centres through the centre index (k = closed + 1
 * nearest, closed ones skipped), added ones directly. */
static void nearest_straight(const struct centres *cs, const struct coverage_request *q,
                             const long *site_of, const struct coverage_result *res,
                             const struct coverage_muni *m, struct coverage_muni_result *mr)
{
    struct centres_hit hits[COVERAGE_CLOSED_MAX + 1];
    size_t n = 0;
    if (centres_nearest(cs, m->lon, m->lat, q->kind_mask, 0, q->nclosed + 1, hits, &n, NULL))
        n = 0;
    for (size_t k = 0; k < n; k++)
        if (site_of[hits[k].index] >= 0) {
            mr->value = hits[k].distance_m, mr->site = site_of[hits[k].index];
            break;
        }
    for (size_t i = res->nsites - q->nadded; i < res->nsites; i++) {
        double d = crs_geodesic(m->lon, m->lat, res->sites[i].lon, res->sites[i].lat, NULL);
        if (d < mr->value)
            mr->value = d, mr->site = (long)i;
    }
}

/* Straight-line status of every municipality of the region. */
enum kkc_code cov_eval_straight(const struct coverage_base *b, const struct centres *cs,
                                const struct coverage_request *q, double limit_m,
                                struct coverage_result *res, struct kkc_err *err)
{
    long *site_of = malloc((centres_count(cs) + 1) * sizeof *site_of);
    if (!site_of)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory");
    for (size_t i = 0; i < centres_count(cs); i++)
        site_of[i] = -1;
    for (size_t i = 0; i < res->nsites; i++)
        if (res->sites[i].centre >= 0)
            site_of[res->sites[i].centre] = (long)i;
    for (size_t k = 0; k < res->nmuni; k++) {
        struct coverage_muni_result *mr = &res->muni[k];
        nearest_straight(cs, q, site_of, res, &b->muni[mr->muni], mr);
        mr->status = mr->site < 0           ? COVERAGE_UNREACHABLE
                     : mr->value <= limit_m ? COVERAGE_COVERED
                                            : COVERAGE_UNCOVERED;
    }
    free(site_of);
    return KKC_OK;
}

/* The snapped sites as reach sources (owner = site index, offset = turnout) into *src (the
 * caller's to free) and their number into *n. */
static enum kkc_code sites_sources(const struct coverage_result *res, struct reach_source **src,
                                   size_t *n, struct kkc_err *err)
{
    *src = malloc((res->nsites + 1) * sizeof **src), *n = 0;
    if (!*src)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory");
    for (size_t i = 0; i < res->nsites; i++)
        if (res->sites[i].snapped)
            (*src)[(*n)++] =
                (struct reach_source){res->sites[i].at, (uint32_t)i, res->sites[i].turnout_ms};
    return KKC_OK;
}

/* Search out from the snapped sites (owner = site index), no time limit. */
enum kkc_code cov_sites_reach(const struct graph *g, const struct coverage_result *res,
                              struct reach **out, struct kkc_err *err)
{
    struct reach_source *src;
    size_t n;
    enum kkc_code rc = sites_sources(res, &src, &n, err);
    if (rc)
        return rc;
    rc = reach_create(g, out, err);
    if (!rc)
        rc = reach_run(*out, src, n, REACH_OUT, REACH_NO_LIMIT, err);
    free(src);
    return rc;
}

/* Road status of every municipality: drive time from the nearest site to its snapped point. */
void cov_eval_road(const struct coverage_base *b, const struct reach *r, double limit_s,
                   struct coverage_result *res)
{
    for (size_t k = 0; k < res->nmuni; k++) {
        struct coverage_muni_result *mr = &res->muni[k];
        const struct coverage_muni *m = &b->muni[mr->muni];
        graph_cost c;
        uint32_t owner;
        if (!m->snapped || !reach_point(r, &m->at, &c, &owner)) {
            mr->status = COVERAGE_UNREACHABLE;
            continue;
        }
        mr->value = graph_cost_seconds(c), mr->site = (long)owner;
        mr->status = mr->value <= limit_s ? COVERAGE_COVERED : COVERAGE_UNCOVERED;
    }
}

/* nth > 1 by road: a municipality is covered when nth distinct sites reach it within limit_s;
 * its value becomes the nth smallest time (INFINITY when fewer). Unreachable ones stay so. */
static enum kkc_code eval_nth(const struct coverage_base *b, const struct graph *g, int nth,
                              double limit_s, struct coverage_result *res, struct kkc_err *err)
{
    struct snap *pts = malloc((res->nmuni + 1) * sizeof *pts);
    int *ok = malloc((res->nmuni + 1) * sizeof *ok);
    struct response_count *cnt = malloc((res->nmuni + 1) * sizeof *cnt);
    struct reach_source *src = NULL;
    size_t n = 0;
    enum kkc_code rc = pts && ok && cnt ? sites_sources(res, &src, &n, err)
                                        : kkc_err_set(err, KKC_ENOMEM, "out of memory");
    for (size_t k = 0; !rc && k < res->nmuni; k++) {
        const struct coverage_muni *m = &b->muni[res->muni[k].muni];
        pts[k] = m->at, ok[k] = m->snapped && res->muni[k].status != COVERAGE_UNREACHABLE;
    }
    if (!rc)
        rc = response_counts(g, src, n, pts, ok, res->nmuni, (uint32_t)llround(limit_s * 1000), nth,
                             cnt, err);
    for (size_t k = 0; !rc && k < res->nmuni; k++) {
        struct coverage_muni_result *mr = &res->muni[k];
        mr->units = (int)cnt[k].count;
        if (mr->status == COVERAGE_UNREACHABLE)
            continue;
        int enough = cnt[k].count >= (uint32_t)nth;
        mr->value = enough ? graph_cost_seconds(cnt[k].nth) : INFINITY;
        mr->site = enough ? (long)cnt[k].owner : -1;
        mr->status = enough ? COVERAGE_COVERED : COVERAGE_UNCOVERED;
    }
    free(pts), free(ok), free(cnt), free(src);
    return rc;
}

/* ---- totals ---------------------------------------------------------------------------------- */

/* The child entry for region c, added when new; -1 when out of memory. */
static long child_of(struct coverage_result *res, long c, size_t cap)
{
    for (size_t i = 0; i < res->nchild; i++)
        if (res->child[i].region == c)
            return (long)i;
    if (res->nchild == cap)
        return -1;
    res->child[res->nchild] = (struct coverage_child){c, 0, 0, 0, 0};
    return (long)res->nchild++;
}

/* An uncovered municipality ready for sorting: population x shortfall, worst first. */
struct worst_key {
    double badness; /* INFINITY for unreachable ones: they come first */
    long population;
    const char *code;
    size_t k; /* index into res->muni */
};

static int cmp_worst(const void *a, const void *b)
{
    const struct worst_key *x = a, *y = b;
    if (x->badness != y->badness)
        return x->badness > y->badness ? -1 : 1;
    if (x->population != y->population)
        return x->population > y->population ? -1 : 1;
    return strcmp(x->code, y->code);
}

/* Order res->worst[0..nworst) worst first. */
static enum kkc_code sort_worst(const struct coverage_base *b, double limit,
                                struct coverage_result *res, struct kkc_err *err)
{
    struct worst_key *w = malloc((res->nworst + 1) * sizeof *w);
    if (!w)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory");
    for (size_t i = 0; i < res->nworst; i++) {
        const struct coverage_muni_result *m = &res->muni[res->worst[i]];
        long pop = b->muni[m->muni].population;
        w[i] = (struct worst_key){m->status == COVERAGE_UNREACHABLE || !isfinite(m->value)
                                      ? INFINITY
                                      : (double)(pop > 0 ? pop : 0) * (m->value - limit),
                                  pop, b->muni[m->muni].code, res->worst[i]};
    }
    qsort(w, res->nworst, sizeof *w, cmp_worst);
    for (size_t i = 0; i < res->nworst; i++)
        res->worst[i] = w[i].k;
    free(w);
    return KKC_OK;
}

/* Totals, the breakdown by the next level and the worst-first list of uncovered ones. */
enum kkc_code cov_totals(const struct coverage_base *b, double limit, enum coverage_level breakdown,
                         struct coverage_result *res, struct kkc_err *err)
{
    enum coverage_level cl = breakdown > COVERAGE_COUNTRY && breakdown <= COVERAGE_ORP
                                 ? breakdown
                                 : coverage_level_child(b->region[res->region].level);
    res->child = calloc(res->nmuni + 1, sizeof *res->child);
    if (!res->child)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory");
    res->has_population = b->region[res->region].has_population;
    for (size_t k = 0; k < res->nmuni; k++) {
        struct coverage_muni_result *mr = &res->muni[k];
        const struct coverage_muni *m = &b->muni[mr->muni];
        long pop = m->population > 0 ? m->population : 0, c = -1;
        int covered = mr->status == COVERAGE_COVERED;
        if (cl < COVERAGE_LEVELS && m->region[cl] >= 0)
            c = child_of(res, m->region[cl], res->nmuni);
        mr->child = c;
        res->muni_total++, res->pop_total += pop;
        res->pop_covered += covered ? pop : 0;
        res->muni_uncovered += !covered;
        res->muni_unreachable += mr->status == COVERAGE_UNREACHABLE;
        if (!covered)
            res->worst[res->nworst++] = k;
        if (c >= 0) {
            struct coverage_child *ch = &res->child[c];
            ch->munis++, ch->uncovered += !covered, ch->pop_total += pop;
            ch->pop_covered += covered ? pop : 0;
        }
    }
    return sort_worst(b, limit, res, err);
}

/* ---- questions ------------------------------------------------------------------------------ */

void coverage_result_free(GEOSContextHandle_t h, struct coverage_result *res)
{
    free(res->sites);
    free(res->muni);
    free(res->worst);
    free(res->child);
    if (res->service)
        GEOSGeom_destroy_r(h, res->service);
    if (res->gap)
        GEOSGeom_destroy_r(h, res->gap);
    memset(res, 0, sizeof *res);
}

/* Sites, region and municipalities for q; by_road: snap the sites, the region needs roads. */
enum kkc_code cov_prepare(const struct coverage_base *b, const struct centres *cs,
                          const struct graph *g, const struct coverage_request *q, int by_road,
                          int catchments, struct coverage_result *res, struct kkc_err *err)
{
    enum kkc_code rc = check_request(b, cs, q, catchments, err);
    memset(res, 0, sizeof *res);
    res->region = -1;
    if (!rc)
        rc = cov_sites_build(cs, q, res, err);
    if (!rc)
        rc = pick_region(b, g, q, by_road, res, err);
    if (!rc && by_road)
        rc = sites_snap(g, res, err);
    if (!rc)
        rc = region_munis(b, res, err);
    return rc;
}

enum kkc_code coverage_sites(const struct coverage_base *b, const struct centres *cs,
                             const struct graph *g, const struct coverage_request *q, int by_road,
                             struct coverage_result *res, struct kkc_err *err)
{
    enum kkc_code rc = check_request(b, cs, q, 1, err);
    memset(res, 0, sizeof *res);
    res->region = -1;
    if (!rc)
        rc = cov_sites_build(cs, q, res, err);
    if (!rc && by_road && !g)
        rc = kkc_err_set(err, KKC_ENOSEGMENT, "no road network is loaded");
    if (!rc && by_road)
        rc = sites_snap(g, res, err);
    return rc;
}

enum kkc_code coverage_run(GEOSContextHandle_t h, struct crs_ctx *crs,
                           const struct coverage_base *b, const struct centres *cs,
                           const struct graph *g, const struct coverage_request *q,
                           struct coverage_result *res, struct kkc_err *err)
{
    int by_road = q->minutes > 0;
    double limit = by_road ? q->minutes * 60 : q->km * 1000;
    struct reach *r = NULL;
    enum kkc_code rc = cov_prepare(b, cs, g, q, by_road, 0, res, err);

    if (!rc && by_road)
        rc = cov_sites_reach(g, res, &r, err);
    if (!rc && by_road)
        cov_eval_road(b, r, limit, res);
    else if (!rc)
        rc = cov_eval_straight(b, cs, q, limit, res, err);
    res->nth = q->nth;
    if (!rc && by_road && q->nth > 1)
        rc = eval_nth(b, g, q->nth, limit, res, err);
    if (!rc)
        rc = cov_totals(b, limit, q->breakdown, res, err);
    if (!rc && by_road)
        rc = cov_road_polygons(h, b, g, r, limit, q->want_geometry, res, err);
    else if (!rc)
        rc = cov_straight_polygons(h, crs, b, limit, q->want_geometry, res, err);
    reach_destroy(r);
    return rc;
}
