/* geo/coverage/coverage.c -- coverage of a region by a set of sites, straight line or by road; gaps;
 * catchments. See coverage.h for the definitions. A question runs in stages that each fill part
 * of the struct coverage_result: sites, region, municipalities, totals, polygons. */
#include "coverage/coverage.h"

#include "centres/centres.h"
#include "base/crs.h"
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
static enum kkc_code sites_build(const struct centres *cs, const struct coverage_request *q,
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
            .turnout_ms = !q->response            ? 0
                          : q->fixed_turnout_s > 0 ? (uint32_t)q->fixed_turnout_s * 1000u
                                                   : (uint32_t)response_turnout_s(c) * 1000u};
    }
    uint32_t added_ms = (uint32_t)(q->fixed_turnout_s > 0   ? q->fixed_turnout_s
                                   : q->added_turnout_s > 0 ? q->added_turnout_s
                                                            : response_turnout_mask_s(q->kind_mask));
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
static int region_has_roads(const struct coverage_base *b, const struct graph *g, long r)
{
    return g && b->network >= 0 && (r == b->network || boxes_meet(b->region[r].bbox, b->road_bbox));
}

/* The kraj holding most sites (ties: the first in table order), or -1. */
static long sites_kraj(const struct coverage_base *b, const struct coverage_result *res)
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
        long k = sites_kraj(b, res);
        r = k >= 0 && (!by_road || region_has_roads(b, g, k)) ? k : b->network;
        if (r < 0)
            return by_road ? kkc_err_set(err, KKC_ENOSEGMENT,
                                         "no road network is loaded: use "
                                         "km= for straight-line coverage")
                           : kkc_err_set(err, KKC_EINVAL, "no default region: give region=");
    }
    if (by_road && !region_has_roads(b, g, r))
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
static enum kkc_code eval_straight(const struct coverage_base *b, const struct centres *cs,
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
static enum kkc_code sites_reach(const struct graph *g, const struct coverage_result *res,
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
static void eval_road(const struct coverage_base *b, const struct reach *r, double limit_s,
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
        rc = response_counts(g, src, n, pts, ok, res->nmuni, (uint32_t)llround(limit_s * 1000),
                             nth, cnt, err);
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
static enum kkc_code totals(const struct coverage_base *b, double limit,
                            enum coverage_level breakdown, struct coverage_result *res,
                            struct kkc_err *err)
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

/* ---- polygons: straight line ---------------------------------------------------------------- */

/* Whether a circle of radius_m around lon,lat can reach into box b. */
static int circle_meets_box(double lon, double lat, double radius_m, const double *b)
{
    double cl = fmin(fmax(lon, b[0]), b[2]), ct = fmin(fmax(lat, b[1]), b[3]);
    return crs_geodesic(lon, lat, cl, ct, NULL) <= radius_m * 1.01 + 1000;
}

/* The buffer of radius_m around lon,lat in the metric crs (radius scaled by the point scale
 * factor, COVERAGE_QUADSEGS segments per quarter). NULL with err set on failure. */
static GEOSGeometry *site_circle(GEOSContextHandle_t h, struct crs_ctx *c, const char *crs,
                                 double lon, double lat, double radius_m, struct kkc_err *err)
{
    double xy[2] = {lon, lat}, k;
    GEOSGeometry *pt, *buf;
    if (crs_scale_factor(c, crs, lon, lat, &k, err) || crs_array_from_wgs84(c, crs, xy, 1, err))
        return NULL;
    if (!(pt = GEOSGeom_createPointFromXY_r(h, xy[0], xy[1])))
        return NULL;
    buf = GEOSBuffer_r(h, pt, radius_m * k, COVERAGE_QUADSEGS);
    GEOSGeom_destroy_r(h, pt);
    return buf;
}

/* The union of the circles of every site that can reach the region (metric crs). */
static GEOSGeometry *sites_circles(GEOSContextHandle_t h, struct crs_ctx *c, const char *crs,
                                   const struct coverage_region *reg,
                                   const struct coverage_result *res, double radius_m,
                                   struct kkc_err *err)
{
    GEOSGeometry **parts = malloc((res->nsites + 1) * sizeof *parts), *col, *u = NULL;
    size_t n = 0;
    if (!parts)
        return NULL;
    for (size_t i = 0; i < res->nsites; i++) {
        const struct coverage_site *s = &res->sites[i];
        if (!circle_meets_box(s->lon, s->lat, radius_m, reg->bbox))
            continue;
        if (!(parts[n] = site_circle(h, c, crs, s->lon, s->lat, radius_m, err)))
            break;
        n++;
    }
    col = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts, (unsigned)n);
    free(parts);
    if (col)
        u = GEOSUnaryUnion_r(h, col), GEOSGeom_destroy_r(h, col);
    return u;
}

/* a op b (op 0 intersection, 1 difference) in the metric crs, back in lon/lat, polygons only,
 * checked with GEOSisValid_r (repaired with GEOSMakeValid_r when needed). */
static enum kkc_code overlay_back(GEOSContextHandle_t h, struct crs_ctx *c, const char *crs,
                                  const GEOSGeometry *a, const GEOSGeometry *b, int op,
                                  GEOSGeometry **out, struct kkc_err *err)
{
    GEOSGeometry *o = op ? GEOSDifference_r(h, a, b) : GEOSIntersection_r(h, a, b), *p, *ll;
    enum kkc_code rc;
    *out = NULL;
    if (!o)
        return kkc_err_set(err, KKC_EINTERNAL, "GEOS overlay failed");
    p = shape_polygons(h, o);
    GEOSGeom_destroy_r(h, o);
    if (!p)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (overlay)");
    rc = crs ? shape_transform(h, c, crs, p, 1, &ll, err) : KKC_OK;
    if (!crs)
        ll = p, p = NULL;
    if (p)
        GEOSGeom_destroy_r(h, p);
    if (!rc && !shape_valid(h, ll)) { /* reprojection can, rarely, fold a sliver */
        GEOSGeometry *fixed = GEOSMakeValid_r(h, ll),
                     *poly = fixed ? shape_polygons(h, fixed) : NULL;
        GEOSGeom_destroy_r(h, ll);
        if (fixed)
            GEOSGeom_destroy_r(h, fixed);
        if (!(ll = poly))
            return kkc_err_set(err, KKC_EINTERNAL, "GEOS could not repair an overlay");
    }
    if (!rc)
        *out = ll;
    return rc;
}

/* Service area and gap polygons, areas, for straight-line coverage within radius_m. */
static enum kkc_code straight_polygons(GEOSContextHandle_t h, struct crs_ctx *c,
                                       const struct coverage_base *b, double radius_m, int want,
                                       struct coverage_result *res, struct kkc_err *err)
{
    const struct coverage_region *reg = &b->region[res->region];
    GEOSGeometry *ll = coverage_region_geometry(h, reg), *rm = NULL, *u = NULL, *cov = NULL;
    enum kkc_code rc = ll ? KKC_OK : kkc_err_set(err, KKC_ENOMEM, "out of memory (region)");

    crs_metric_for((reg->bbox[0] + reg->bbox[2]) / 2, (reg->bbox[1] + reg->bbox[3]) / 2, res->crs,
                   sizeof res->crs);
    if (!rc)
        rc = shape_transform(h, c, res->crs, ll, 0, &rm, err);
    if (!rc && !(u = sites_circles(h, c, res->crs, reg, res, radius_m, err)))
        rc = err && err->code ? err->code : kkc_err_set(err, KKC_EINTERNAL, "GEOS union failed");
    if (!rc)
        rc = overlay_back(h, c, res->crs, rm, u, 0, &cov, err);
    if (!rc && want)
        rc = overlay_back(h, c, res->crs, rm, u, 1, &res->gap, err);
    if (!rc) { /* reprojected edges may add a few parts per million: never above the total */
        res->area_total_km2 = coverage_region_area_m2(reg) / 1e6;
        res->area_covered_km2 = fmin(shape_area_km2(h, cov), res->area_total_km2);
    }
    if (!rc && want)
        res->service = cov, cov = NULL;
    GEOSGeom_destroy_r(h, ll);
    if (rm)
        GEOSGeom_destroy_r(h, rm);
    if (u)
        GEOSGeom_destroy_r(h, u);
    if (cov)
        GEOSGeom_destroy_r(h, cov);
    return rc;
}

/* ---- polygons: by road -------------------------------------------------------------------- */

/* Road length (km) in the region, and the part reached within limit_s (reached_m: the whole
 * reached length, which is the answer for the network region). */
static enum kkc_code road_lengths(const struct coverage_base *b, const struct graph *g,
                                  const struct reach *r, double limit_s, double reached_m,
                                  struct coverage_result *res, struct kkc_err *err)
{
    const struct coverage_region *reg = &b->region[res->region];
    uint8_t *in = malloc((size_t)g->edge_count + 1);
    struct reach_piece *p = NULL;
    size_t np = 0;
    int all = res->region == b->network;
    enum kkc_code rc = !in   ? kkc_err_set(err, KKC_ENOMEM, "out of memory")
                       : all ? KKC_OK
                             : reach_pieces(r, limit_s, &p, &np, err);
    for (uint32_t e = 0; !rc && e < g->edge_count; e++) {
        const double *c = g->coords + 2 * (size_t)g->edge_coord_first[e];
        in[e] = all || (c[0] >= reg->bbox[0] && c[0] <= reg->bbox[2] && c[1] >= reg->bbox[1] &&
                        c[1] <= reg->bbox[3] &&
                        shape_point_in(c[0], c[1], reg->ring_first, 0,
                                       reg->poly_first[reg->npolys] - 1, reg->pts));
        if (in[e])
            res->road_total_km += g->coord_along[g->edge_coord_first[e + 1] - 1] / 1000;
    }
    for (size_t i = 0; !rc && i < np; i++)
        if (in[p[i].edge])
            res->road_covered_km += reach_piece_length(g, &p[i], limit_s) / 1000;
    if (all)
        res->road_covered_km = reached_m / 1000;
    free(in);
    free(p);
    return rc;
}

/* The region's first ring in plane pl (for contour_complement); caller frees. */
static double *region_plane_ring(const struct coverage_region *reg, const struct contour_plane *pl,
                                 size_t *n)
{
    double *xy;
    *n = reg->ring_first[1] - reg->ring_first[0];
    if (!(xy = malloc((*n + 1) * 2 * sizeof *xy)))
        return NULL;
    for (size_t i = 0; i < *n; i++)
        contour_plane_xy(pl, reg->pts[2 * i], reg->pts[2 * i + 1], &xy[2 * i], &xy[2 * i + 1]);
    return xy;
}

/* Gap polygons within the network area: the complement of the service rings (no overlay). */
static enum kkc_code network_gap(GEOSContextHandle_t h, const struct coverage_region *reg,
                                 const struct contour_rings *rings, const struct contour_plane *pl,
                                 GEOSGeometry **gap, struct kkc_err *err)
{
    size_t n;
    double *outer = region_plane_ring(reg, pl, &n);
    enum kkc_code rc =
        outer ? contour_complement(h, rings, pl, ISOCHRONE_FILL_DEFAULT_M2, outer, n, gap, err)
              : kkc_err_set(err, KKC_ENOMEM, "out of memory");
    free(outer);
    if (!rc && !shape_valid(h, *gap)) { /* the margin was not enough: overlay instead */
        GEOSGeom_destroy_r(h, *gap);
        *gap = NULL;
        return KKC_EINTERNAL;
    }
    return rc;
}

/* Service area (isochrone of all sites at limit_s) and gaps, areas, road lengths. */
static enum kkc_code road_polygons(GEOSContextHandle_t h, const struct coverage_base *b,
                                   const struct graph *g, const struct reach *r, double limit_s,
                                   int want, struct coverage_result *res, struct kkc_err *err)
{
    const struct coverage_region *reg = &b->region[res->region];
    GEOSGeometry *svc = NULL, *ll = NULL, *cov = NULL;
    struct contour_rings *rings = NULL;
    struct contour_plane pl;
    struct isochrone_opts o = {.unchecked = !want};
    struct isochrone_info info;
    enum kkc_code rc = isochrone_build_rings(h, r, &limit_s, 1, &o, &svc, &info, &rings, &pl, err);

    if (!rc)
        rc = road_lengths(b, g, r, limit_s, info.road_m, res, err);
    if (!rc && res->region == b->network) { /* the service area lies inside by construction */
        cov = svc, svc = NULL;
        if (want && network_gap(h, reg, rings, &pl, &res->gap, err) == KKC_EINTERNAL)
            kkc_err_clear(err); /* fall through to the overlay below */
    }
    if (!rc && (cov == NULL || (want && !res->gap))) {
        if (!(ll = coverage_region_geometry(h, reg)))
            rc = kkc_err_set(err, KKC_ENOMEM, "out of memory (region)");
        if (!rc && !cov)
            rc = overlay_back(h, NULL, NULL, ll, svc, 0, &cov, err);
        if (!rc && want && !res->gap)
            rc = overlay_back(h, NULL, NULL, ll, cov, 1, &res->gap, err);
    }
    if (!rc) {
        res->area_total_km2 = coverage_region_area_m2(reg) / 1e6;
        res->area_covered_km2 = shape_area_km2(h, cov);
        if (want)
            res->service = cov, cov = NULL;
    }
    contour_rings_destroy(rings);
    if (svc)
        GEOSGeom_destroy_r(h, svc);
    if (ll)
        GEOSGeom_destroy_r(h, ll);
    if (cov)
        GEOSGeom_destroy_r(h, cov);
    return rc;
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
static enum kkc_code prepare(const struct coverage_base *b, const struct centres *cs,
                             const struct graph *g, const struct coverage_request *q, int by_road,
                             int catchments, struct coverage_result *res, struct kkc_err *err)
{
    enum kkc_code rc = check_request(b, cs, q, catchments, err);
    memset(res, 0, sizeof *res);
    res->region = -1;
    if (!rc)
        rc = sites_build(cs, q, res, err);
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
        rc = sites_build(cs, q, res, err);
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
    enum kkc_code rc = prepare(b, cs, g, q, by_road, 0, res, err);

    if (!rc && by_road)
        rc = sites_reach(g, res, &r, err);
    if (!rc && by_road)
        eval_road(b, r, limit, res);
    else if (!rc)
        rc = eval_straight(b, cs, q, limit, res, err);
    res->nth = q->nth;
    if (!rc && by_road && q->nth > 1)
        rc = eval_nth(b, g, q->nth, limit, res, err);
    if (!rc)
        rc = totals(b, limit, q->breakdown, res, err);
    if (!rc && by_road)
        rc = road_polygons(h, b, g, r, limit, q->want_geometry, res, err);
    else if (!rc)
        rc = straight_polygons(h, crs, b, limit, q->want_geometry, res, err);
    reach_destroy(r);
    return rc;
}

/* ---- catchments ----------------------------------------------------------------------------- */

void coverage_catchments_free(GEOSContextHandle_t h, struct coverage_catchment *c, size_t n)
{
    for (size_t i = 0; c && i < n; i++)
        if (c[i].area)
            GEOSGeom_destroy_r(h, c[i].area);
    free(c);
}

/* Municipality counts and population per site (those covered when a limit applies); straight
 * line: the population-weighted mean distance (plain mean without census data). */
static void catchment_munis(const struct coverage_base *b, const struct coverage_result *res,
                            int by_road, struct coverage_catchment *c)
{
    double *wsum = calloc(res->nsites + 1, 2 * sizeof *wsum);
    for (size_t k = 0; k < res->nmuni; k++) {
        const struct coverage_muni_result *mr = &res->muni[k];
        long pop = b->muni[mr->muni].population;
        double w = res->has_population ? (pop > 0 ? (double)pop : 0) : 1;
        if (mr->site < 0 || mr->status != COVERAGE_COVERED)
            continue;
        c[mr->site].munis++;
        c[mr->site].population += pop > 0 ? pop : 0;
        if (wsum && !by_road)
            wsum[2 * mr->site] += w * mr->value, wsum[2 * mr->site + 1] += w;
    }
    for (size_t i = 0; wsum && !by_road && i < res->nsites; i++)
        c[i].mean = wsum[2 * i + 1] > 0 ? wsum[2 * i] / wsum[2 * i + 1] : NAN;
    free(wsum);
}

/* Clip a (lon/lat) catchment to the region unless the region is the network's own area. */
static enum kkc_code clip_to_region(GEOSContextHandle_t h, const struct coverage_base *b,
                                    const struct coverage_result *res, const GEOSGeometry *reg,
                                    GEOSGeometry **g, struct kkc_err *err)
{
    GEOSGeometry *clipped;
    enum kkc_code rc;
    if (res->region == b->network)
        return KKC_OK;
    rc = overlay_back(h, NULL, NULL, *g, reg, 0, &clipped, err);
    if (!rc)
        GEOSGeom_destroy_r(h, *g), *g = clipped;
    return rc;
}

/* Catchments by road: network Voronoi from the sites, polygons per owner. */
static enum kkc_code road_catchments(GEOSContextHandle_t h, const struct coverage_base *b,
                                     const struct reach *r, double limit_s,
                                     struct coverage_result *res, struct coverage_catchment *c,
                                     struct kkc_err *err)
{
    GEOSGeometry **areas = calloc(res->nsites + 1, sizeof *areas), *reg = NULL;
    struct isochrone_info *info = calloc(res->nsites + 1, sizeof *info);
    enum kkc_code rc = areas && info ? KKC_OK : kkc_err_set(err, KKC_ENOMEM, "out of memory");

    if (!rc)
        rc = isochrone_catchments(h, r, limit_s, res->nsites, NULL, areas, info, err);
    if (!rc && res->region != b->network &&
        !(reg = coverage_region_geometry(h, &b->region[res->region])))
        rc = kkc_err_set(err, KKC_ENOMEM, "out of memory (region)");
    for (size_t i = 0; !rc && i < res->nsites; i++) {
        rc = clip_to_region(h, b, res, reg, &areas[i], err);
        c[i].area = areas[i], areas[i] = NULL;
        c[i].area_km2 = rc ? 0 : shape_area_km2(h, c[i].area);
        c[i].mean = info[i].road_m > 0 ? info[i].time_mean_s : NAN;
        c[i].max = info[i].road_m > 0 ? info[i].time_max_s : NAN;
    }
    for (size_t i = 0; areas && i < res->nsites; i++)
        if (areas[i])
            GEOSGeom_destroy_r(h, areas[i]);
    if (reg)
        GEOSGeom_destroy_r(h, reg);
    free(areas), free(info);
    return rc;
}

/* The sites as a MultiPoint in the metric crs; NULL on failure. */
static GEOSGeometry *sites_points(GEOSContextHandle_t h, struct crs_ctx *crs, const char *name,
                                  const struct coverage_result *res, struct kkc_err *err)
{
    GEOSGeometry **pts = malloc((res->nsites + 1) * sizeof *pts), *mp = NULL;
    size_t n = 0;
    for (; pts && n < res->nsites; n++) {
        double xy[2] = {res->sites[n].lon, res->sites[n].lat};
        if (crs_array_from_wgs84(crs, name, xy, 1, err) ||
            !(pts[n] = GEOSGeom_createPointFromXY_r(h, xy[0], xy[1])))
            break;
    }
    if (pts && n == res->nsites)
        mp = GEOSGeom_createCollection_r(h, GEOS_MULTIPOINT, pts, (unsigned)n);
    if (!mp)
        while (pts && n > 0)
            GEOSGeom_destroy_r(h, pts[--n]);
    free(pts);
    return mp;
}

/* The site whose (metric) point lies in Voronoi cell `cell`; -1 when none. */
static long cell_site(GEOSContextHandle_t h, const GEOSGeometry *cell, const GEOSGeometry *mp)
{
    for (int i = 0; i < GEOSGetNumGeometries_r(h, mp); i++)
        if (GEOSIntersects_r(h, cell, GEOSGetGeometryN_r(h, mp, i)) == 1)
            return i;
    return -1;
}

/* The farthest vertex of lon/lat polygon g from lon,lat (geodesic metres; 0 when empty). */
static double farthest_vertex(GEOSContextHandle_t h, const GEOSGeometry *g, double lon, double lat)
{
    GEOSGeometry *pts = GEOSGeom_extractUniquePoints_r(h, g);
    double far = 0, x, y;
    for (int i = 0; pts && i < GEOSGetNumGeometries_r(h, pts); i++)
        if (GEOSGeomGetX_r(h, GEOSGetGeometryN_r(h, pts, i), &x) &&
            GEOSGeomGetY_r(h, GEOSGetGeometryN_r(h, pts, i), &y))
            far = fmax(far, crs_geodesic(lon, lat, x, y, NULL));
    if (pts)
        GEOSGeom_destroy_r(h, pts);
    return far;
}

/* Voronoi cell of every site in the metric crs (the whole region for a single site). */
static enum kkc_code voronoi_cells(GEOSContextHandle_t h, const GEOSGeometry *mp,
                                   const GEOSGeometry *region_m, size_t nsites,
                                   GEOSGeometry **cells, struct kkc_err *err)
{
    GEOSGeometry *vd;
    if (nsites == 1)
        return (cells[0] = GEOSGeom_clone_r(h, region_m)) ? KKC_OK
                                                          : kkc_err_set(err, KKC_ENOMEM, "oom");
    if (!(vd = GEOSVoronoiDiagram_r(h, mp, region_m, 0.0, 0)))
        return kkc_err_set(err, KKC_EINTERNAL, "GEOS Voronoi diagram failed");
    for (int i = 0; i < GEOSGetNumGeometries_r(h, vd); i++) {
        const GEOSGeometry *cell = GEOSGetGeometryN_r(h, vd, i);
        long s = cell_site(h, cell, mp);
        if (s >= 0 && !cells[s])
            cells[s] = GEOSGeom_clone_r(h, cell);
    }
    GEOSGeom_destroy_r(h, vd);
    return KKC_OK;
}

/* One Voronoi catchment: cell (metric) clipped to the region and the km circle, in lon/lat. */
static enum kkc_code straight_catchment(GEOSContextHandle_t h, struct crs_ctx *crs,
                                        const struct coverage_result *res, size_t i,
                                        const GEOSGeometry *cell, const GEOSGeometry *region_m,
                                        double km, struct coverage_catchment *c,
                                        struct kkc_err *err)
{
    const struct coverage_site *s = &res->sites[i];
    GEOSGeometry *clip = NULL, *circ = NULL;
    enum kkc_code rc = KKC_OK;
    if (!cell)
        return (c->area = GEOSGeom_createEmptyCollection_r(h, GEOS_MULTIPOLYGON))
                   ? KKC_OK
                   : kkc_err_set(err, KKC_ENOMEM, "out of memory");
    if (km > 0 && !(circ = site_circle(h, crs, res->crs, s->lon, s->lat, km * 1000, err)))
        rc = err && err->code ? err->code : kkc_err_set(err, KKC_EINTERNAL, "GEOS buffer failed");
    if (!rc && circ && !(clip = GEOSIntersection_r(h, cell, circ)))
        rc = kkc_err_set(err, KKC_EINTERNAL, "GEOS overlay failed");
    if (!rc)
        rc = overlay_back(h, crs, res->crs, clip ? clip : cell, region_m, 0, &c->area, err);
    if (!rc) {
        c->area_km2 = shape_area_km2(h, c->area);
        c->max = farthest_vertex(h, c->area, s->lon, s->lat);
    }
    if (clip)
        GEOSGeom_destroy_r(h, clip);
    if (circ)
        GEOSGeom_destroy_r(h, circ);
    return rc;
}

/* Catchments by straight line: Voronoi cells of the sites in the metric crs. */
static enum kkc_code straight_catchments(GEOSContextHandle_t h, struct crs_ctx *crs,
                                         const struct coverage_base *b, double km,
                                         struct coverage_result *res, struct coverage_catchment *c,
                                         struct kkc_err *err)
{
    const struct coverage_region *reg = &b->region[res->region];
    GEOSGeometry *ll = coverage_region_geometry(h, reg), *rm = NULL, *mp = NULL;
    GEOSGeometry **cells = calloc(res->nsites + 1, sizeof *cells);
    enum kkc_code rc = ll && cells ? KKC_OK : kkc_err_set(err, KKC_ENOMEM, "out of memory");

    crs_metric_for((reg->bbox[0] + reg->bbox[2]) / 2, (reg->bbox[1] + reg->bbox[3]) / 2, res->crs,
                   sizeof res->crs);
    if (!rc)
        rc = shape_transform(h, crs, res->crs, ll, 0, &rm, err);
    if (!rc && res->nsites && !(mp = sites_points(h, crs, res->crs, res, err)))
        rc = err && err->code ? err->code : kkc_err_set(err, KKC_EINTERNAL, "GEOS points failed");
    if (!rc && res->nsites)
        rc = voronoi_cells(h, mp, rm, res->nsites, cells, err);
    for (size_t i = 0; !rc && i < res->nsites; i++)
        rc = straight_catchment(h, crs, res, i, cells[i], rm, km, &c[i], err);
    for (size_t i = 0; cells && i < res->nsites; i++)
        if (cells[i])
            GEOSGeom_destroy_r(h, cells[i]);
    free(cells);
    if (ll)
        GEOSGeom_destroy_r(h, ll);
    if (rm)
        GEOSGeom_destroy_r(h, rm);
    if (mp)
        GEOSGeom_destroy_r(h, mp);
    return rc;
}

/* By road when minutes are given, or when the region (given or default) has roads and no km. */
static int catchments_by_road(const struct coverage_base *b, const struct centres *cs,
                              const struct graph *g, const struct coverage_request *q)
{
    struct coverage_result tmp = {0};
    long k;
    if (q->minutes > 0)
        return 1;
    if (q->km > 0 || !g)
        return 0;
    if (q->region >= 0)
        return region_has_roads(b, g, q->region);
    if (sites_build(cs, q, &tmp, NULL))
        return 0;
    k = sites_kraj(b, &tmp);
    free(tmp.sites);
    return k < 0 ? b->network >= 0 : region_has_roads(b, g, k);
}

enum kkc_code coverage_catchments(GEOSContextHandle_t h, struct crs_ctx *crs,
                                  const struct coverage_base *b, const struct centres *cs,
                                  const struct graph *g, const struct coverage_request *q,
                                  struct coverage_result *res, struct coverage_catchment **out,
                                  int *by_road, struct kkc_err *err)
{
    double limit = q->minutes > 0 ? q->minutes * 60 : q->km > 0 ? q->km * 1000 : INFINITY;
    struct reach *r = NULL;
    enum kkc_code rc;

    *out = NULL;
    *by_road = catchments_by_road(b, cs, g, q);
    rc = prepare(b, cs, g, q, *by_road, 1, res, err);
    if (!rc && !(*out = calloc(res->nsites + 1, sizeof **out)))
        rc = kkc_err_set(err, KKC_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < res->nsites; i++)
        (*out)[i].site = i, (*out)[i].mean = (*out)[i].max = NAN;
    if (!rc && *by_road)
        rc = sites_reach(g, res, &r, err);
    if (!rc && *by_road)
        eval_road(b, r, limit, res);
    else if (!rc)
        rc = eval_straight(b, cs, q, limit, res, err);
    if (!rc)
        rc = totals(b, isfinite(limit) ? limit : 0, q->breakdown, res, err);
    if (!rc) {
        catchment_munis(b, res, *by_road, *out);
        res->area_total_km2 = coverage_region_area_m2(&b->region[res->region]) / 1e6;
    }
    if (!rc && *by_road)
        rc = road_catchments(h, b, r, limit, res, *out, err);
    else if (!rc)
        rc = straight_catchments(h, crs, b, q->km, res, *out, err);
    reach_destroy(r);
    if (rc) {
        coverage_catchments_free(h, *out, res->nsites);
        *out = NULL;
    }
    return rc;
}
