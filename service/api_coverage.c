/* service/api_coverage.c -- GET /v1/isochrone, /v1/coverage, /v1/catchments.
 *
 * Parameters are parsed strictly (params.h) into a struct coverage_request; geo/coverage/coverage.c
 * and geo/coverage/isochrone.c do the work with this thread's GEOS and PROJ contexts; this file
 * only turns their results into JSON / GeoJSON. The per-world data every call needs (municipalities
 * with snapped positions, region rings, the network's area) is built on the first call against a
 * world and published in world->coverage with an atomic compare-and-swap: a race only costs a
 * second build, thrown away. */
#include "api_coverage.h"

#include "api_avoid.h"
#include "tctx.h"
#include "api_profile.h"
#include "api_report.h"
#include "json_geo.h"
#include "api_standards.h"

#include "centres/centres.h"
#include "coverage/coverage.h"
#include "base/crs.h"
#include "coverage/isochrone.h"
#include "json_out.h"
#include "coverage/reach.h"
#include "coverage/response.h"
#include "coverage/shape.h"
#include "road/service_profile.h"
#include "road/snap.h"
#include "world.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONTOURS_MAX 6
#define MINUTES_MAX 120.0
#define KM_MAX 200.0
#define LIST_MAX 2048 /* bytes of a list-valued parameter */
#define POPULATION_SOURCE "csu_sldb_2011"

/* ---------------------------------------------------------------- per-world data ---------- */

/* The coverage data of the request's world, built on first use; borrowed. NULL with err set. */
static const struct coverage_base *base_get(const struct api_req *r, struct kkc_err *err)
{
    struct coverage_base *b = __atomic_load_n(&r->w->coverage, __ATOMIC_ACQUIRE), *none = NULL;
    struct store *st;
    if (b)
        return b;
    if (!(st = api_store(r, err)) || coverage_base_build(st, r->w->graph, &b, err))
        return NULL;
    if (!__atomic_compare_exchange_n(&r->w->coverage, &none, b, 0, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
        coverage_base_destroy(b); /* another thread was first */
        b = none;
    }
    return b;
}

const struct coverage_base *api_coverage_base(const struct api_req *r, struct kkc_err *err)
{
    return base_get(r, err);
}

/* ---------------------------------------------------------------- parameters -------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* key=v1,v2,... (1..cap numbers, each in (0, max]) sorted ascending into out; absent: *n = 0. */
static enum kkc_code param_list(struct params *q, const char *key, double max, double *out,
                                size_t *n, size_t cap, struct kkc_err *err)
{
    const char *s = params_str(q, key);
    char t[256];
    struct params_items it = params_items(s ? s : "", ',');
    *n = 0;
    if (!s)
        return KKC_OK;
    if (strlen(s) >= sizeof t || !*s || s[strlen(s) - 1] == ',')
        return kkc_err_set(err, KKC_EINVAL, "%s must be a list of numbers", key);
    while (params_item_next(&it, t, sizeof t) > 0) {
        if (*n == cap)
            return kkc_err_set(err, KKC_EINVAL, "at most %zu values of %s", cap, key);
        if (!params_parse_double(t, &out[*n]) || !(out[*n] > 0 && out[*n] <= max))
            return kkc_err_set(err, KKC_EINVAL, "%s values must be in (0, %g]", key, max);
        (*n)++;
    }
    qsort(out, *n, sizeof *out, cmp_double);
    for (size_t i = 1; i < *n; i++)
        if (out[i] == out[i - 1])
            return kkc_err_set(err, KKC_EINVAL, "%s lists %g twice", key, out[i]);
    return KKC_OK;
}

/* close=ID,ID: centre indices into out (at most COVERAGE_CLOSED_MAX). */
static enum kkc_code param_close(const struct api_req *r, long *out, size_t *n, struct kkc_err *err)
{
    const char *s = params_str(r->q, "close");
    char t[LIST_MAX];
    struct params_items it = params_items(s ? s : "", ',');
    *n = 0;
    if (!s)
        return KKC_OK;
    if (strlen(s) >= sizeof t || !*s)
        return kkc_err_set(err, KKC_EINVAL, "close must be a list of centre ids");
    while (params_item_next(&it, t, sizeof t) > 0) {
        if (*n == COVERAGE_CLOSED_MAX)
            return kkc_err_set(err, KKC_EINVAL, "at most %d centres in close", COVERAGE_CLOSED_MAX);
        if ((out[*n] = centres_find(r->w->centres, t)) < 0)
            return kkc_err_set(err, KKC_EINVAL, "close: no centre with id '%.64s'", t);
        (*n)++;
    }
    return KKC_OK;
}

/* add=LON,LAT;LON,LAT: points into out (pairs, at most COVERAGE_ADDED_MAX). */
static enum kkc_code param_add(struct params *q, double *out, size_t *n, struct kkc_err *err)
{
    const char *s = params_str(q, "add");
    char t[LIST_MAX];
    struct params_items it = params_items(s ? s : "", ';');
    *n = 0;
    if (!s)
        return KKC_OK;
    if (strlen(s) >= sizeof t || !*s)
        return kkc_err_set(err, KKC_EINVAL, "add must be LON,LAT;LON,LAT...");
    while (params_item_next(&it, t, sizeof t) > 0) {
        if (*n == COVERAGE_ADDED_MAX)
            return kkc_err_set(err, KKC_EINVAL, "at most %d added centres", COVERAGE_ADDED_MAX);
        if (!params_parse_lonlat(t, &out[2 * *n], &out[2 * *n + 1]))
            return kkc_err_set(err, KKC_EINVAL, "add: '%.40s' is not LON,LAT in degrees", t);
        (*n)++;
    }
    return KKC_OK;
}

/* region=CODE | LEVEL:CODE | network into *region (-1 when absent). */
static enum kkc_code param_region(struct params *q, const struct coverage_base *b, long *region,
                                  struct kkc_err *err)
{
    const char *s = params_str(q, "region");
    *region = -1;
    if (!s)
        return KKC_OK;
    if ((*region = coverage_region_find(b, s)) < 0)
        return kkc_err_set(err, KKC_EINVAL,
                           "no region '%.40s' (a kraj, okres or ORP code such as CZ052, "
                           "LEVEL:CODE, or network)",
                           s);
    return KKC_OK;
}

/* Everything a coverage question takes from the query, with its storage. */
struct cov_params {
    struct coverage_request q;
    long closed[COVERAGE_CLOSED_MAX];
    double added[2 * COVERAGE_ADDED_MAX];
    int geojson;
    const struct standard *standard; /* standard=ID, or NULL */
    int profile;                     /* profile=: enum service_profile_id */
};

/* kind, close and add into p (which the caller zeroed). */
static enum kkc_code what_if_params(const struct api_req *r, struct cov_params *p,
                                    struct kkc_err *err)
{
    enum kkc_code rc = api_param_kinds(r->q, &p->q.kind_mask, err);
    if (!rc)
        rc = param_close(r, p->closed, &p->q.nclosed, err);
    if (!rc)
        rc = param_add(r->q, p->added, &p->q.nadded, err);
    if (!rc)
        rc = params_bool(r->q, "response", &p->q.response, err);
    p->q.closed = p->closed, p->q.added = p->added, p->q.region = -1;
    return rc;
}

/* kind, minutes|km, region, close, add (and format when fmt) into p, which the caller zeroed.
 * need_threshold: one of minutes and km is required. */
static enum kkc_code cov_params(const struct api_req *r, const struct coverage_base *b,
                                int need_threshold, int fmt, struct cov_params *p,
                                struct kkc_err *err)
{
    static const char *const formats[] = {"json", "geojson", "csv", NULL};
    static const char *const set_by_standard[] = {"minutes", "km", "kind", "nth", "response"};
    const char *std = params_str(r->q, "standard");
    double v[1];
    size_t n;
    enum kkc_code rc = what_if_params(r, p, err);
    for (size_t i = 0; std && !rc && i < sizeof set_by_standard / sizeof *set_by_standard; i++)
        if (params_str(r->q, set_by_standard[i]))
            rc = kkc_err_set(err, KKC_EINVAL, "standard=%.40s sets %s; do not give both", std,
                             set_by_standard[i]);
    if (!rc && std)
        rc = api_standard_apply(std, &p->q, &p->standard, err);
    if (!rc)
        rc = api_profile_param(r, p->q.kind_mask, &p->profile, err);
    if (std)
        need_threshold = 0;
    if (!rc)
        rc = param_list(r->q, "minutes", MINUTES_MAX, v, &n, 1, err);
    if (!std)
        p->q.minutes = !rc && n ? v[0] : 0;
    if (!rc)
        rc = param_list(r->q, "km", KM_MAX, v, &n, 1, err);
    if (!std)
        p->q.km = !rc && n ? v[0] : 0;
    if (!rc && p->q.minutes > 0 && p->q.km > 0)
        rc = kkc_err_set(err, KKC_EINVAL, "give minutes or km, not both");
    if (!rc && need_threshold && !(p->q.minutes > 0 || p->q.km > 0))
        rc = kkc_err_set(err, KKC_EINVAL, "minutes (0..%g] or km (0..%g] is required", MINUTES_MAX,
                         KM_MAX);
    if (!rc)
        rc = param_region(r->q, b, &p->q.region, err);
    if (!rc && !std)
        rc = api_response_params(r, need_threshold, &p->q, err);
    if (!rc && std) {
        long t = 0;
        rc = params_long(r->q, "turnout", 0, 0, RESPONSE_TURNOUT_MAX_S, &t, err);
        p->q.added_turnout_s = (int)t;
        p->q.added_turnout_set = params_str(r->q, "turnout") != NULL; /* 0 is 0 s */
    }
    if (!rc)
        rc = api_param_breakdown(r->q, &p->q.breakdown, err);
    if (!rc && fmt)
        rc = params_choice(r->q, "format", formats, &p->geojson, err);
    p->q.want_geometry = p->geojson == 1;
    return rc;
}

/* ---------------------------------------------------------------- GeoJSON ------------------ */

/* ---------------------------------------------------------------- isochrone -------------- */

/* The sources of an isochrone: centre=ID|LON,LAT, or the centres of kind (less close, plus
 * add). *label receives what to print as "centre" (stolen by the caller). */
struct iso_src {
    struct reach_source *src;
    size_t n;
    int census;
    json_t *label;
    unsigned kind_mask; /* the kinds the sources are (profile=auto): 0 for a bare LON,LAT */
};

/* centre=ID or LON,LAT snapped; 422 when off the roads. */
static enum kkc_code iso_one(const struct api_req *r, const struct graph *g, const char *s,
                             const struct coverage_base *b, struct iso_src *is,
                             struct kkc_err *err)
{
    double lon, lat;
    long c = -1;
    int resp = 0;
    if (!params_parse_lonlat(s, &lon, &lat)) {
        if ((c = centres_find(r->w->centres, s)) < 0)
            return kkc_err_set(err, KKC_EINVAL,
                               "centre: no centre with id '%.64s' (give an id "
                               "or LON,LAT)",
                               s);
        lon = centres_get(r->w->centres, (size_t)c)->lon;
        lat = centres_get(r->w->centres, (size_t)c)->lat;
    }
    if (!(is->src = calloc(1, sizeof *is->src)))
        return kkc_err_set(err, KKC_ENOMEM, "out of memory");
    if (snap_point(g, lon, lat, SNAP_RADIUS_DEFAULT_M, &is->src[0].at, err))
        return err->code;
    is->n = 1;
    is->census = coverage_census_at(b, lon, lat);
    if (params_bool(r->q, "response", &resp, err))
        return err->code;
    if (c >= 0 && resp)
        is->src[0].offset_ms =
            (uint32_t)response_turnout_s(centres_get(r->w->centres, (size_t)c)) * 1000u;
    if (c >= 0) {
        struct coverage_site site = {.centre = c, .lon = lon, .lat = lat};
        is->kind_mask = 1u << centres_get(r->w->centres, (size_t)c)->kind;
        is->label = kkc_json_site(r, &site);
    } else {
        is->label = json_pack("{s:o, s:o}", "lon", kkc_json_num(lon, 7), "lat", kkc_json_num(lat, 7));
    }
    return KKC_OK;
}

/* All centres of the kinds (less closed, plus added), as the coverage sites by road. */
static enum kkc_code iso_many(const struct api_req *r, const struct graph *g,
                              GEOSContextHandle_t h, const struct coverage_base *b,
                              struct iso_src *is, struct kkc_err *err)
{
    struct cov_params p = {0};
    struct coverage_result cr = {0};
    enum kkc_code rc = what_if_params(r, &p, err);
    if (!rc)
        rc = coverage_sites(b, r->w->centres, g, &p.q, 1, &cr, err);
    is->kind_mask = p.q.kind_mask;
    if (!rc && !(is->src = calloc(cr.nsites + 1, sizeof *is->src)))
        rc = kkc_err_set(err, KKC_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < cr.nsites; i++) {
        if (!cr.sites[i].snapped)
            continue;
        is->src[is->n++] =
            (struct reach_source){cr.sites[i].at, (uint32_t)i, cr.sites[i].turnout_ms};
        is->census |= coverage_census_at(b, cr.sites[i].lon, cr.sites[i].lat);
    }
    if (!rc)
        is->label = json_pack("{s:I, s:I, s:I}", "centres", (json_int_t)is->n, "closed",
                              (json_int_t)p.q.nclosed, "added", (json_int_t)p.q.nadded);
    coverage_result_free(h, &cr);
    return rc;
}

/* The isochrone features: one per contour. */
static json_t *iso_features(GEOSContextHandle_t h, const struct coverage_base *b,
                            const struct iso_src *is, GEOSGeometry **polys,
                            const struct isochrone_info *info, const double *minutes, size_t n,
                            const char *direction)
{
    json_t *features = json_array();
    for (size_t k = 0; k < n; k++) {
        long pop = 0, count = 0;
        if (is->census)
            coverage_population_in(h, b, polys[k], &pop, &count);
        json_t *props = json_pack(
            "{s:o, s:o, s:o, s:o, s:O, s:s, s:o, s:b}", "minutes", kkc_json_num(minutes[k], 3),
            "area_km2", kkc_json_num(shape_area_km2(h, polys[k]), 3), "population",
            is->census ? json_integer(pop) : json_null(), "municipalities",
            is->census ? json_integer(count) : json_null(), "centre", is->label, "direction",
            direction, "road_km", kkc_json_num(info[k].road_m / 1000, 2), "repaired", info[k].repaired);
        json_array_append_new(features, kkc_json_feature(kkc_json_area(h, polys[k]), props));
    }
    return features;
}

/* The parameters, sources and reach of an isochrone request, then the polygons. */
static enum kkc_code iso_run(const struct api_req *r, GEOSContextHandle_t h,
                             const struct coverage_base *b, struct iso_src *is, int dir,
                             const double *minutes, size_t n, GEOSGeometry **polys,
                             struct isochrone_info *info, struct kkc_err *err)
{
    const char *centre = params_str(r->q, "centre");
    double limits[CONTOURS_MAX];
    struct reach *rh = NULL;
    const struct graph *g = NULL;
    struct graph *owned = NULL;
    int profile = 0;
    struct graph *avoid = NULL; /* avoid= / exclude= / closures= (what-if): a private graph */
    enum kkc_code rc = api_avoid_graph(r, &avoid, err);
    const struct graph *base = avoid ? avoid : r->w->graph;
    if (!rc)
        rc = centre ? iso_one(r, base, centre, b, is, err) : iso_many(r, base, h, b, is, err);
    for (size_t k = 0; k < n; k++)
        limits[k] = minutes[k] * 60;
    if (!rc)
        rc = api_profile_param(r, is->kind_mask, &profile, err);
    if (!rc)
        rc = params_finish(r->q, err);
    if (!rc)
        rc = api_profile_graph(r, profile, base, &g, &owned, err);
    if (!rc)
        rc = reach_create(g, &rh, err);
    if (!rc)
        rc = reach_run(rh, is->src, is->n, dir ? REACH_IN : REACH_OUT,
                       (uint32_t)(limits[n - 1] * 1000), err);
    if (!rc)
        rc = isochrone_build(h, rh, limits, n, NULL, polys, info, err);
    reach_destroy(rh);
    service_profile_graph_destroy(owned);
    api_avoid_release(avoid);
    return rc;
}

void api_isochrone(const struct api_req *r, struct api_res *res)
{
    static const char *const dirs[] = {"out", "in", NULL};
    struct kkc_err err = {0};
    double minutes[CONTOURS_MAX];
    size_t n = 0;
    int dir = 0;
    struct iso_src is = {0};
    GEOSGeometry *polys[CONTOURS_MAX] = {0};
    struct isochrone_info info[CONTOURS_MAX];
    GEOSContextHandle_t h = api_geos(r);
    const struct coverage_base *b = NULL;
    enum kkc_code rc = param_list(r->q, "minutes", MINUTES_MAX, minutes, &n, CONTOURS_MAX, &err);

    if (!rc && n == 0)
        rc = kkc_err_set(&err, KKC_EINVAL, "minutes is required (1 to %d values in (0, %g])",
                         CONTOURS_MAX, MINUTES_MAX);
    if (!rc)
        rc = params_choice(r->q, "direction", dirs, &dir, &err);
    if (!rc && !h)
        rc = kkc_err_set(&err, KKC_ENOMEM, "no GEOS context");
    if (!rc && !r->w->graph)
        rc = kkc_err_set(&err, KKC_ENOSEGMENT, "no road network is loaded");
    if (!rc && !(b = base_get(r, &err)))
        rc = err.code;
    if (!rc)
        rc = iso_run(r, h, b, &is, dir, minutes, n, polys, info, &err);
    if (rc)
        api_error_e(res, rc, &err);
    else
        kkc_json_geo_reply(res, iso_features(h, b, &is, polys, info, minutes, n, dirs[dir]),
                       json_pack("{s:s, s:{s:s, s:o, s:o, s:s}}", "population_source",
                                 is.census ? POPULATION_SOURCE : "none", "method", "polygon",
                                 "roads reached within the time, buffered", "buffer_m",
                                 kkc_json_num(info[0].width_m, 1), "cell_m",
                                 kkc_json_num(info[0].cell_m, 2), "area", "WGS84 ellipsoid"));
    for (size_t k = 0; k < n; k++)
        if (polys[k])
            GEOSGeom_destroy_r(h, polys[k]);
    free(is.src);
    json_decref(is.label);
}

/* ---------------------------------------------------------------- coverage --------------- */

/* One uncovered municipality. */
static json_t *kkc_json_uncovered(const struct api_req *r, const struct coverage_base *b,
                              const struct coverage_result *cr, size_t k, int by_road, double limit)
{
    const struct coverage_muni_result *mr = &cr->muni[k];
    const struct coverage_muni *m = &b->muni[mr->muni];
    int reach = mr->status != COVERAGE_UNREACHABLE;
    json_t *o =
        json_pack("{s:s, s:s, s:o, s:o, s:o, s:b}", "code", m->code, "name", m->name, "population",
                  m->population >= 0 ? json_integer(m->population) : json_null(), "lon",
                  kkc_json_num(m->lon, 7), "lat", kkc_json_num(m->lat, 7), "reachable", reach);
    json_object_set_new(o, by_road ? "duration_s" : "distance_m",
                        reach ? kkc_json_num(mr->value, 1) : json_null());
    json_object_set_new(o, by_road ? "shortfall_s" : "shortfall_m",
                        reach ? kkc_json_num(mr->value - limit, 1) : json_null());
    json_object_set_new(o, "nearest_centre",
                        mr->site >= 0 ? kkc_json_site(r, &cr->sites[mr->site]) : json_null());
    if (cr->nth > 1)
        json_object_set_new(o, "units", json_integer(mr->units));
    return o;
}

/* The breakdown by the next level of regions. */
static json_t *kkc_json_children(const struct coverage_base *b, const struct coverage_result *cr)
{
    json_t *a = json_array();
    for (size_t i = 0; i < cr->nchild; i++) {
        const struct coverage_child *c = &cr->child[i];
        const struct coverage_region *g = &b->region[c->region];
        double share = cr->has_population
                           ? (c->pop_total > 0 ? (double)c->pop_covered / c->pop_total : NAN)
                           : (c->munis > 0 ? 1.0 - (double)c->uncovered / c->munis : NAN);
        json_array_append_new(
            a, json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:I, s:I}", "code", g->code, "level",
                         coverage_level_name(g->level), "name", g->name, "population",
                         cr->has_population ? json_integer(c->pop_total) : json_null(),
                         "population_covered",
                         cr->has_population ? json_integer(c->pop_covered) : json_null(),
                         "covered_share", kkc_json_num(share, 6), "municipalities",
                         (json_int_t)c->munis, "uncovered", (json_int_t)c->uncovered));
    }
    return a;
}

/* The centres taking part: used, off the roads, closed ids, added count. */
static json_t *kkc_json_centres_used(const struct api_req *r, const struct cov_params *p,
                                 const struct coverage_result *cr)
{
    json_t *closed = json_array();
    for (size_t i = 0; i < p->q.nclosed; i++)
        json_array_append_new(closed,
                              json_string(centres_get(r->w->centres, (size_t)p->closed[i])->id));
    return json_pack(
        "{s:I, s:I, s:o, s:I}", "used", (json_int_t)(cr->nsites - cr->nsites_unsnapped), "off_road",
        (json_int_t)cr->nsites_unsnapped, "closed", closed, "added", (json_int_t)p->q.nadded);
}

/* The report without the uncovered list. */
static json_t *kkc_json_report(const struct api_req *r, const struct coverage_base *b,
                           const struct cov_params *p, const struct coverage_result *cr)
{
    const struct coverage_region *g = &b->region[cr->region];
    int road = p->q.minutes > 0, pop = cr->has_population;
    json_t *o = json_pack(
        "{s:{s:o}, s:s, s:o, s:{s:s, s:s, s:s}, s:o, s:o, s:{s:I, s:I, s:I}, s:o, s:o, s:s}",
        "threshold", road ? "minutes" : "km", kkc_json_num(road ? p->q.minutes : p->q.km, 3), "by",
        road ? "road" : "straight_line", "kind", kkc_json_kinds(p->q.kind_mask), "region", "code",
        g->code, "level", coverage_level_name(g->level), "name", g->name, "population",
        kkc_json_share((double)cr->pop_covered, (double)cr->pop_total, pop, -1), "area_km2",
        kkc_json_share(cr->area_covered_km2, cr->area_total_km2, 1, 3), "municipalities", "total",
        (json_int_t)cr->muni_total, "uncovered", (json_int_t)cr->muni_uncovered, "unreachable",
        (json_int_t)cr->muni_unreachable, "regions", kkc_json_children(b, cr), "centres",
        kkc_json_centres_used(r, p, cr), "population_source", pop ? POPULATION_SOURCE : "none");
    json_object_set_new(o, "time", json_string(p->q.response ? "response" : "drive"));
    json_object_set_new(o, "nth", json_integer(p->q.nth > 1 ? p->q.nth : 1));
    if (road)
        json_object_set_new(o, "road_km", kkc_json_share(cr->road_covered_km, cr->road_total_km, 1, 3));
    json_object_set_new(
        o, "method",
        road ? json_pack("{s:s, s:s, s:o, s:s}", "covered",
                         p->q.response ? "turnout + drive time from the nth nearest centre "
                                         "to the snapped point"
                                       : "drive time from the nth nearest centre to the "
                                         "snapped point",
                         "areas", "roads reached within the time, buffered", "buffer_m",
                         kkc_json_num(ISOCHRONE_WIDTH_DEFAULT_M, 1), "area", "WGS84 ellipsoid")
             : json_pack("{s:s, s:s, s:s, s:i, s:s}", "covered",
                         "geodesic distance to the nearest centre (WGS84)", "areas",
                         "buffers of the centres", "crs", cr->crs, "quadsegs", COVERAGE_QUADSEGS,
                         "area", "WGS84 ellipsoid"));
    /* flat aliases of the population figures, for simple clients (the web page) */
    json_object_set(o, "covered_share",
                    json_object_get(json_object_get(o, pop ? "population" : "area_km2"), "share"));
    json_object_set_new(o, "population_covered", pop ? json_integer(cr->pop_covered) : json_null());
    json_object_set_new(o, "population_total", pop ? json_integer(cr->pop_total) : json_null());
    return o;
}

/* Reply with the report: JSON, or GeoJSON (service area, gaps, uncovered points). */
static void coverage_reply(const struct api_req *r, GEOSContextHandle_t h,
                           const struct coverage_base *b, const struct cov_params *p,
                           const struct coverage_result *cr, struct api_res *res)
{
    if (p->geojson == 2) {
        api_report_csv(res, b, &p->q, cr);
        return;
    }
    json_t *rep = kkc_json_report(r, b, p, cr), *unc = json_array(), *features;
    int road = p->q.minutes > 0;
    double limit = road ? p->q.minutes * 60 : p->q.km * 1000;
    api_report_extend(rep, b, &p->q, p->standard, cr);
    for (size_t i = 0; i < cr->nworst; i++)
        json_array_append_new(unc, kkc_json_uncovered(r, b, cr, cr->worst[i], road, limit));
    if (!p->geojson) {
        json_object_set_new(rep, "uncovered", unc);
        api_reply(res, rep);
        return;
    }
    features = json_array();
    json_array_append_new(features,
                          kkc_json_feature(kkc_json_area(h, cr->service),
                                       json_pack("{s:s, s:o}", "role", "service", "area_km2",
                                                 kkc_json_num(shape_area_km2(h, cr->service), 3))));
    json_array_append_new(
        features,
        kkc_json_feature(kkc_json_area(h, cr->gap), json_pack("{s:s, s:o}", "role", "gap", "area_km2",
                                                      kkc_json_num(shape_area_km2(h, cr->gap), 3))));
    for (size_t i = 0; i < json_array_size(unc); i++) {
        json_t *m = json_array_get(unc, i);
        json_object_set_new(m, "role", json_string("uncovered"));
        json_array_append_new(features,
                              kkc_json_feature(kkc_json_point(json_real_value(json_object_get(m, "lon")),
                                                      json_real_value(json_object_get(m, "lat"))),
                                           json_incref(m)));
    }
    json_decref(unc);
    kkc_json_geo_reply(res, features, rep);
}

/* What coverage and catchments both need: the base, the parameters, a GEOS context and the graph
 * they search (a private one for avoid= / exclude= / closures= what-ifs or another profile). */
struct cov_run {
    const struct coverage_base *b;
    struct cov_params p;
    GEOSContextHandle_t h;
    const struct graph *g;
    struct graph *owned, *avoid;
};

static enum kkc_code cov_run_prepare(const struct api_req *r, int gaps, struct cov_run *run,
                                     struct kkc_err *err)
{
    enum kkc_code rc;
    run->h = api_geos(r);
    if (!(run->b = base_get(r, err)))
        return err->code;
    rc = cov_params(r, run->b, gaps, gaps, &run->p, err);
    if (!rc)
        rc = api_avoid_graph(r, &run->avoid, err);
    if (!rc)
        rc = params_finish(r->q, err);
    if (!rc && !run->h)
        rc = kkc_err_set(err, KKC_ENOMEM, "no GEOS context");
    if (!rc)
        rc = api_profile_graph(r, run->p.profile, run->avoid ? run->avoid : r->w->graph, &run->g,
                               &run->owned, err);
    return rc;
}

static void cov_run_release(struct cov_run *run)
{
    service_profile_graph_destroy(run->owned);
    api_avoid_release(run->avoid);
}

void api_coverage(const struct api_req *r, struct api_res *res)
{
    struct kkc_err err = {0};
    struct cov_run run = {0};
    struct coverage_result cr = {0};
    enum kkc_code rc = cov_run_prepare(r, 1, &run, &err);

    if (!rc)
        rc = coverage_run(run.h, r->t->crs, run.b, r->w->centres, run.g, &run.p.q, &cr, &err);
    if (rc)
        api_error_e(res, rc, &err);
    else
        coverage_reply(r, run.h, run.b, &run.p, &cr, res);
    coverage_result_free(run.h, &cr);
    cov_run_release(&run);
}

/* ---------------------------------------------------------------- catchments ------------- */

/* One catchment feature. */
static json_t *catchment_feature(const struct api_req *r, GEOSContextHandle_t h,
                                 const struct coverage_result *cr,
                                 const struct coverage_catchment *c, int by_road)
{
    json_t *props = json_pack("{s:o, s:o, s:o, s:I}", "centre", kkc_json_site(r, &cr->sites[c->site]),
                              "area_km2", kkc_json_num(c->area_km2, 3), "population",
                              cr->has_population ? json_integer(c->population) : json_null(),
                              "municipalities", (json_int_t)c->munis);
    json_object_set_new(
        props, by_road ? "time_s" : "distance_m",
        json_pack("{s:o, s:o}", "mean", kkc_json_num(c->mean, 1), "max", kkc_json_num(c->max, 1)));
    return kkc_json_feature(kkc_json_area(h, c->area), props);
}

void api_catchments(const struct api_req *r, struct api_res *res)
{
    struct kkc_err err = {0};
    struct cov_run run = {0};
    struct coverage_result cr = {0};
    struct coverage_catchment *c = NULL;
    int by_road = 0;
    enum kkc_code rc = cov_run_prepare(r, 0, &run, &err);
    GEOSContextHandle_t h = run.h;
    const struct coverage_base *b = run.b;

    if (!rc)
        rc = coverage_catchments(h, r->t->crs, b, r->w->centres, run.g, &run.p.q, &cr, &c, &by_road,
                                 &err);
    if (rc) {
        api_error_e(res, rc, &err);
    } else {
        json_t *features = json_array();
        const struct coverage_region *g = &b->region[cr.region];
        for (size_t i = 0; i < cr.nsites; i++)
            if (c[i].munis > 0 || !GEOSisEmpty_r(h, c[i].area))
                json_array_append_new(features, catchment_feature(r, h, &cr, &c[i], by_road));
        kkc_json_geo_reply(res, features,
                       json_pack("{s:s, s:{s:s, s:s, s:s}, s:o, s:s}", "method",
                                 by_road ? "network_voronoi_by_time" : "voronoi_by_distance",
                                 "region", "code", g->code, "level", coverage_level_name(g->level),
                                 "name", g->name, "kind", kkc_json_kinds(run.p.q.kind_mask),
                                 "population_source",
                                 cr.has_population ? POPULATION_SOURCE : "none"));
    }
    coverage_catchments_free(h, c, cr.nsites);
    cov_run_release(&run);
    coverage_result_free(h, &cr);
}
