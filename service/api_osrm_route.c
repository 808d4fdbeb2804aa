/* service/api_osrm_route.c -- GET /route/v1/{profile}/{coordinates}: parameters, the legs from
 * route_compute(), the steps of guidance_leg() and the geometry, written as OSRM writes them. */
#include "api_osrm_req.h"
#include "road/route_ends.h"

#include "json_write.h"
#include "params.h"
#include "road/guidance.h"
#include "road/line.h"
#include "road/route.h"
#include "tctx.h"
#include "world.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The steps of one leg (route rr ending at snapped point `to`): depart, the maneuvers, arrive;
 * -1 when out of memory. */
static int leg_steps(struct strbuf *b, const struct graph *g, const struct route_result *rr,
                     const struct snap *to, enum geom_fmt fmt)
{
    struct guide_leg l;
    int bad = 0;

    if (guidance_leg(g, rr, to, &l, NULL))
        return -1;
    KJW_LIT(b, "[");
    for (size_t i = 0; i < l.step_count && !bad; i++) {
        if (i)
            KJW_LIT(b, ",");
        bad = osrm_w_step(b, &l, &l.steps[i], rr, fmt);
    }
    KJW_LIT(b, "]");
    guide_leg_free(&l);
    return bad ? -1 : 0;
}

/* ---------------------------------------------------------------- /route ------------------- */

enum {
    ANN_DURATION = 1,
    ANN_DISTANCE = 2,
    ANN_SPEED = 4,
    ANN_WEIGHT = 8,
    ANN_DATASOURCES = 16,
};

struct route_opts {
    int overview; /* 0 simplified, 1 full, 2 false */
    int fmt;      /* enum geom_fmt */
    int steps;
    unsigned annotations;
};

/* annotations=true|false|duration,distance,speed,weight,datasources into a mask. */
static enum kkc_code param_route_annotations(struct oreq *o, unsigned *mask)
{
    static const char *const names[] = {"duration", "distance", "speed", "weight", "datasources"};
    const char *s = params_str(o->r->q, "annotations");
    *mask = 0;
    if (!s || strcmp(s, "false") == 0)
        return KKC_OK;
    if (strcmp(s, "true") == 0) {
        *mask = ANN_DURATION | ANN_DISTANCE | ANN_SPEED | ANN_WEIGHT | ANN_DATASOURCES;
        return KKC_OK;
    }
    while (*s) {
        size_t len = strcspn(s, ","), i = 0;
        while (i < 5 && !(strlen(names[i]) == len && strncmp(s, names[i], len) == 0))
            i++;
        if (i == 5 && len == 5 && strncmp(s, "nodes", 5) == 0)
            return osrm_fail(o, KKC_EINVAL, "InvalidValue",
                        "annotations=nodes is not available: the road graph has no OSM node ids");
        if (i == 5)
            return osrm_fail(o, KKC_EINVAL, "InvalidQuery",
                        "annotations must be true, false or a list of duration, distance, speed, "
                        "weight, datasources");
        *mask |= 1u << i;
        s += len + (s[len] == ',');
    }
    return KKC_OK;
}

/* alternatives=true|false|N: accepted; one route is always returned. */
static enum kkc_code param_alternatives(struct oreq *o)
{
    const char *s = params_str(o->r->q, "alternatives");
    double n;
    if (!s || strcmp(s, "true") == 0 || strcmp(s, "false") == 0 ||
        (params_parse_double(s, &n) && n >= 0 && n <= 10 && n == floor(n)))
        return KKC_OK;
    return osrm_fail(o, KKC_EINVAL, "InvalidQuery", "alternatives must be true, false or 0..10");
}

static enum kkc_code route_params(struct oreq *o, struct route_opts *ro)
{
    static const char *const overviews[] = {"simplified", "full", "false", NULL};
    static const char *const geoms[] = {"polyline", "polyline6", "geojson", NULL};
    static const char *const straight[] = {"default", "true", "false", NULL};
    struct params *q = o->r->q;
    int cs = 0;
    enum kkc_code rc = osrm_param_common(o, SNAP_RADIUS_DEFAULT_M);

    if (!rc)
        rc = osrm_query_rc(o, params_choice(q, "overview", overviews, &ro->overview, &o->err));
    if (!rc)
        rc = osrm_query_rc(o, params_choice(q, "geometries", geoms, &ro->fmt, &o->err));
    if (!rc)
        rc = osrm_query_rc(o, params_bool(q, "steps", &ro->steps, &o->err));
    if (!rc)
        rc = osrm_query_rc(o, params_choice(q, "continue_straight", straight, &cs, &o->err));
    if (!rc)
        rc = param_alternatives(o);
    if (!rc)
        rc = param_route_annotations(o, &ro->annotations);
    if (!rc)
        rc = osrm_query_rc(o, params_finish(q, &o->err));
    return rc;
}

/* One route per leg between consecutive snapped waypoints, into legs[0 .. n-1). */
static enum kkc_code route_legs(struct oreq *o, struct route_result **legs)
{
    struct kkc_err e = {0};
    struct route_ctx *own = NULL; /* for the private graph of exclude= */
    struct route_ctx *ctx = o->g == o->r->w->graph      ? api_route_ctx(o->r, &e)
                            : route_ctx_create(o->g, &own, &e) ? NULL
                                                               : own;
    enum kkc_code rc = KKC_OK;
    if (!ctx)
        return osrm_fail(o, e.code, e.code == KKC_ENOSEGMENT ? "NoSegment" : NULL, "%s", e.msg);
    for (size_t i = 0; !rc && i + 1 < o->n; i++) {
        if (o->n == 2 && !o->snap_any) /* as /v1/route: a nearer road off the main one, if it connects */
            rc = route_ends(o->g, ctx, o->ll[0], o->ll[1], o->radius[0], o->ll[2], o->ll[3],
                            o->radius[1], &o->snaps[0], &o->snaps[1], &legs[0], &e);
        else
            rc = route_compute(o->g, ctx, &o->snaps[i], &o->snaps[i + 1], 1, &legs[i], &e);
        if (rc == KKC_ENOROUTE)
            osrm_fail(o, rc, "NoRoute", "Impossible route between points %zu and %zu", i, i + 1);
        else if (rc)
            osrm_fail(o, rc, NULL, "%s", e.msg);
    }
    route_ctx_destroy(own);
    return rc;
}

/* OSRM's leg summary: the names of the two longest named roads of the leg, in driving order. */
static void leg_summary(struct strbuf *b, const struct route_result *rr)
{
    size_t top[2] = {SIZE_MAX, SIZE_MAX};
    double topd[2] = {0, 0};
    char buf[512];

    for (size_t i = 0; i < rr->step_count; i++) {
        const char *name = rr->steps[i].name;
        double d = 0;
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(rr->steps[j].name, name) == 0;
        if (!*name || seen)
            continue;
        for (size_t j = i; j < rr->step_count; j++)
            d += strcmp(rr->steps[j].name, name) == 0 ? rr->steps[j].distance_m : 0;
        if (top[0] == SIZE_MAX || d > topd[0]) {
            top[1] = top[0], topd[1] = topd[0], top[0] = i, topd[0] = d;
        } else if (top[1] == SIZE_MAX || d > topd[1]) {
            top[1] = i, topd[1] = d;
        }
    }
    if (top[0] == SIZE_MAX) {
        KJW_LIT(b, "\"\"");
        return;
    }
    if (top[1] == SIZE_MAX) {
        osrm_w_text(b, rr->steps[top[0]].name);
        return;
    }
    snprintf(buf, sizeof buf, "%s, %s", rr->steps[top[0] < top[1] ? top[0] : top[1]].name,
             rr->steps[top[0] < top[1] ? top[1] : top[0]].name);
    osrm_w_text(b, buf);
}

/* Per-segment annotation arrays of a leg: each piece's distance and duration shared among its
 * segments by length. -1 when out of memory. */
static int leg_annotation(struct strbuf *b, const struct route_result *rr, unsigned mask)
{
    static const char *const names[] = {"duration", "distance", "speed", "weight", "datasources"};
    size_t ns = rr->coord_count - 1;
    double *dist = calloc(ns + 1, sizeof *dist), *dur = calloc(ns + 1, sizeof *dur);
    int first = 1;

    if (!dist || !dur) {
        free(dist), free(dur);
        return -1;
    }
    line_apportion(rr, dist, dur);
    KJW_LIT(b, "{");
    for (int f = 0; f < 5; f++) {
        if (!(mask & (1u << f)))
            continue;
        if (!first)
            KJW_LIT(b, ",");
        KJW_LIT(b, "\"");
        strbuf_append(b, names[f], strlen(names[f]));
        KJW_LIT(b, "\":[");
        first = 0;
        for (size_t k = 0; k < ns; k++) {
            if (k)
                KJW_LIT(b, ",");
            double speed = dur[k] > 0 ? dist[k] / dur[k] : 0;
            if (f == 4)
                KJW_LIT(b, "0");
            else
                kjw_fixed(b, f == 1 ? dist[k] : f == 2 ? speed : dur[k], 1);
        }
        KJW_LIT(b, "]");
    }
    KJW_LIT(b, "}");
    free(dist);
    free(dur);
    return 0;
}

static int leg_write(struct strbuf *b, const struct graph *g, const struct route_result *rr,
                     const struct snap *to, const struct route_opts *ro)
{
    KJW_LIT(b, "{");
    osrm_w_figures(b, rr->distance_m, rr->duration_s);
    KJW_LIT(b, ",\"summary\":");
    leg_summary(b, rr);
    KJW_LIT(b, ",\"steps\":");
    if (ro->steps ? leg_steps(b, g, rr, to, (enum geom_fmt)ro->fmt) : KJW_LIT(b, "[]"))
        return -1;
    if (ro->annotations) {
        KJW_LIT(b, ",\"annotation\":");
        if (leg_annotation(b, rr, ro->annotations))
            return -1;
    }
    return KJW_LIT(b, "}");
}

/* The whole route's geometry (the legs joined; simplified per leg when asked). */
static int route_geometry(struct strbuf *b, struct route_result **legs, size_t nl,
                          const struct route_opts *ro)
{
    size_t total = 0, m = 0;
    double *full, *out, tol = 0;
    int rc;

    for (size_t i = 0; i < nl; i++)
        total += legs[i]->coord_count;
    if (nl == 1 && ro->overview != 0) /* the one leg's points as they are */
        return osrm_w_geometry(b, legs[0]->coords, total, (enum geom_fmt)ro->fmt);
    full = malloc(4 * total * sizeof *full);
    if (!full)
        return -1;
    out = full + 2 * total;
    for (size_t i = 0; i < nl; i++)
        memcpy(full + 2 * m, legs[i]->coords, 2 * legs[i]->coord_count * sizeof *full),
            m += legs[i]->coord_count;
    if (ro->overview == 0)
        tol = line_simplify_tolerance(full, total);
    m = 0;
    for (size_t i = 0, at = 0; i < nl; at += legs[i]->coord_count, i++) {
        const double *ll = full + 2 * at;
        size_t n = legs[i]->coord_count, skip = 0, got;
        double *dst = out + 2 * m;
        got = ro->overview == 0 ? line_simplify(ll, n, tol, dst) : n;
        if (ro->overview != 0)
            memcpy(dst, ll, 2 * n * sizeof *dst);
        if (!got) {
            free(full);
            return -1;
        }
        if (m && dst[0] == dst[-2] && dst[1] == dst[-1])
            skip = 1; /* the waypoint joining two legs */
        memmove(dst, dst + 2 * skip, 2 * (got - skip) * sizeof *dst);
        m += got - skip;
    }
    rc = osrm_w_geometry(b, out, m, (enum geom_fmt)ro->fmt);
    free(full);
    return rc;
}

/* {"code":"Ok","routes":[{...}],"waypoints":[...]} of the legs; -1 when out of memory. */
static int route_write(struct strbuf *b, const struct oreq *o, struct route_result **legs,
                       const struct route_opts *ro)
{
    double dist = 0, dur = 0;
    int bad = 0;

    KJW_LIT(b, "{\"code\":\"Ok\",\"routes\":[{\"legs\":[");
    for (size_t i = 0; i + 1 < o->n && !bad; i++) {
        dist += legs[i]->distance_m, dur += legs[i]->duration_s;
        if (i)
            KJW_LIT(b, ",");
        bad = leg_write(b, o->g, legs[i], &o->snaps[i + 1], ro);
    }
    osrm_w_num(b, "],\"weight_name\":\"duration\",\"weight\":", dur, 1);
    osrm_w_num(b, ",\"duration\":", dur, 1);
    osrm_w_num(b, ",\"distance\":", dist, 1);
    if (!bad && ro->overview != 2) {
        KJW_LIT(b, ",\"geometry\":");
        bad = route_geometry(b, legs, o->n - 1, ro);
    }
    KJW_LIT(b, "}]");
    if (!o->skip_waypoints) {
        KJW_LIT(b, ",\"waypoints\":");
        osrm_w_waypoints(b, o, NULL, o->n);
    }
    KJW_LIT(b, "}");
    return bad || b->failed ? -1 : 0;
}

enum kkc_code osrm_route(struct oreq *o, struct strbuf *out)
{
    struct route_opts ro = {0, GEOM_POLYLINE, 0, 0};
    struct route_result **legs = NULL;
    enum kkc_code rc = route_params(o, &ro);

    if (!rc)
        rc = osrm_check_coords(o);
    if (!rc)
        rc = osrm_snap_all(o);
    if (!rc && !(legs = calloc(o->n - 1, sizeof *legs)))
        rc = osrm_fail(o, KKC_ENOMEM, NULL, "out of memory");
    if (!rc)
        rc = route_legs(o, legs);
    if (!rc && route_write(out, o, legs, &ro))
        rc = osrm_fail(o, KKC_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; legs && i + 1 < o->n; i++)
        route_result_destroy(legs[i]);
    free(legs);
    return rc;
}
