/* service/api_osrm.c -- the OSRM v5 compatible endpoints: /route, /nearest and /table (see
 * api_osrm.h for what is accepted and answered).
 *
 * A request goes: path (service, profile, coordinates) -> parameters (strict: unknown ones are
 * InvalidQuery) -> values (ranges, counts) -> snapping -> the work -> one JSON body. Every
 * failure records the OSRM code it stands for in the request's struct oreq, and
 * api_osrm_dispatch() writes the error body in one place. Route figures come from route_compute()
 * exactly as /v1/route gets them, the steps from guidance_leg(), the matrices from table_costs():
 * this file only parses and writes JSON. */
#include "api_osrm.h"
#include "api_osrm_req.h"
#include "tctx.h"
#include "api_avoid.h"

#include "json_out.h"
#include "json_write.h"
#include "params.h"
#include "polyline.h"
#include "strbuf.h"
#include "road/route.h"
#include "road/table.h"
#include "world.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* ---------------------------------------------------------------- request and errors ------- */

#define OSRM_BODY_MAX ((size_t)SIZE_MAX / 4) /* no cap of our own, as kjw_dump(): memory decides */

static const struct {
    const char *prefix;
    enum osrm_service svc;
    size_t max_coords;
} services[] = {
    {"/route/v1/", OSRM_ROUTE, OSRM_ROUTE_MAX_WAYPOINTS},
    {"/nearest/v1/", OSRM_NEAREST, OSRM_TABLE_MAX}, /* osrm_check_coords() wants one */
    {"/table/v1/", OSRM_TABLE, OSRM_TABLE_MAX},
};

static void oreq_free(struct oreq *o)
{
    free(o->ll);
    free(o->radius);
    free(o->snaps);
}

enum kkc_code osrm_fail(struct oreq *o, enum kkc_code rc, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(o->err.msg, sizeof o->err.msg, fmt, ap);
    va_end(ap);
    o->err.code = rc;
    o->code = code;
    return rc;
}

/* A parameter helper's failure (o->err already filled) is a malformed query. */
enum kkc_code osrm_query_rc(struct oreq *o, enum kkc_code rc)
{
    if (rc)
        o->code = "InvalidQuery";
    return rc;
}

/* The error answer: 400 with the OSRM code, or the service's own status for other failures. */
static void reply_error(struct api_res *res, const struct oreq *o)
{
    if (!o->code) {
        api_error(res, o->err.code ? o->err.code : KKC_EINTERNAL, o->err.msg);
        return;
    }
    res->status = 400;
    res->body = kkc_json_error_body(o->code, o->err.msg);
}

/* ---------------------------------------------------------------- path and coordinates ----- */

/* Decode "polyline(...)" / "polyline6(...)" coordinates into o. */
static enum kkc_code parse_polyline(struct oreq *o, const char *s, size_t len, size_t max)
{
    int precision = strncmp(s, "polyline6(", 10) == 0 ? 6 : 5;
    size_t open = precision == 6 ? 10 : 9;
    struct kkc_err e = {0};
    enum kkc_code rc;

    if (len <= open || s[len - 1] != ')')
        return osrm_fail(o, KKC_EINVAL, "InvalidUrl", "polyline coordinates must end with ')'");
    rc = polyline_decode(s + open, len - open - 1, precision, max, &o->ll, &o->n, &e);
    if (rc == KKC_ETOOBIG)
        return osrm_fail(o, rc, "TooBig", "Too many coordinates (at most %zu)", max);
    if (rc)
        return osrm_fail(o, rc, rc == KKC_EINVAL ? "InvalidUrl" : NULL, "%s", e.msg);
    return KKC_OK;
}

/* Parse "lon,lat;lon,lat;..." (s, len bytes) into o->ll, at most max points. */
static enum kkc_code parse_coords(struct oreq *o, const char *s, size_t len, size_t max)
{
    size_t count = params_items_count(s, len, ';');
    struct params_items it = params_items_exact(s, len, ';');
    char tok[96];
    int got;

    if (len >= 9 && strncmp(s, "polyline", 8) == 0)
        return parse_polyline(o, s, len, max);
    if (count > max)
        return osrm_fail(o, KKC_ETOOBIG, "TooBig", "Too many coordinates: %zu (at most %zu)", count,
                    max);
    o->ll = malloc(2 * count * sizeof *o->ll);
    if (!o->ll)
        return osrm_fail(o, KKC_ENOMEM, NULL, "out of memory");
    while ((got = params_item_next(&it, tok, sizeof tok)) != 0) {
        if (got < 0 || !params_parse_pair(tok, &o->ll[2 * o->n], &o->ll[2 * o->n + 1]))
            return osrm_fail(o, KKC_EINVAL, "InvalidUrl",
                             "URL string malformed: coordinate %zu must be lon,lat in degrees",
                             o->n);
        o->n++;
    }
    return KKC_OK;
}

/* Split the path "/{service}/v1/{profile}/{coordinates}[.json]" and parse the coordinates. */
static enum kkc_code parse_path(struct oreq *o, const char *path)
{
    size_t i = 0, len;
    const char *profile, *coords, *slash;

    while (strncmp(path, services[i].prefix, strlen(services[i].prefix)) != 0)
        i++; /* the route table sent it here */
    o->svc = services[i].svc;
    profile = path + strlen(services[i].prefix);
    slash = strchr(profile, '/');
    if (!slash || strchr(slash + 1, '/') || !slash[1])
        return osrm_fail(o, KKC_EINVAL, "InvalidUrl",
                    "URL string malformed: expected %s{profile}/{coordinates}", services[i].prefix);
    if (!((slash - profile == 7 && strncmp(profile, "driving", 7) == 0) ||
          (slash - profile == 3 && strncmp(profile, "car", 3) == 0)))
        return osrm_fail(o, KKC_EINVAL, "InvalidUrl", "Profile '%.*s' is not served (only driving)",
                    (int)(slash - profile > 32 ? 32 : slash - profile), profile);
    coords = slash + 1;
    len = strlen(coords);
    if (len > 5 && strcmp(coords + len - 5, ".json") == 0)
        len -= 5;
    return parse_coords(o, coords, len, services[i].max_coords);
}

/* Coordinates within the WGS84 ranges, and as many as the service needs. */
enum kkc_code osrm_check_coords(struct oreq *o)
{
    if (o->svc == OSRM_ROUTE && o->n < 2)
        return osrm_fail(o, KKC_EINVAL, "InvalidValue",
                    "Number of coordinates needs to be at least two");
    if (o->svc == OSRM_NEAREST && o->n != 1)
        return osrm_fail(o, KKC_EINVAL, "InvalidValue", "Number of coordinates needs to be one");
    for (size_t i = 0; i < o->n; i++)
        if (fabs(o->ll[2 * i]) > 180 || fabs(o->ll[2 * i + 1]) > 90)
            return osrm_fail(o, KKC_EINVAL, "InvalidValue",
                        "Invalid coordinate value: coordinate %zu is not lon,lat in degrees", i);
    return KKC_OK;
}

/* ---------------------------------------------------------------- shared parameters -------- */

/* radiuses=r;r;... (one per coordinate; "unlimited" or empty for the default) into o->radius,
 * else dflt for every coordinate. Radii over SNAP_RADIUS_MAX_M are that maximum. */
static enum kkc_code param_radiuses(struct oreq *o, double dflt)
{
    const char *s = params_str(o->r->q, "radiuses");
    size_t count = 1;

    o->radius = malloc(o->n * sizeof *o->radius);
    if (!o->radius)
        return osrm_fail(o, KKC_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; i < o->n; i++)
        o->radius[i] = dflt;
    if (!s)
        return KKC_OK;
    for (const char *p = s; *p; p++)
        count += *p == ';';
    if (count != o->n)
        return osrm_fail(o, KKC_EINVAL, "InvalidValue", "radiuses has %zu values for %zu coordinates",
                    count, o->n);
    for (size_t i = 0; i < o->n; i++) {
        size_t len = strcspn(s, ";");
        char tok[32];
        double v;
        if (len >= sizeof tok)
            return osrm_fail(o, KKC_EINVAL, "InvalidQuery", "radiuses: value %zu is too long", i);
        memcpy(tok, s, len);
        tok[len] = '\0';
        if (strcmp(tok, "unlimited") == 0)
            o->radius[i] = SNAP_RADIUS_MAX_M;
        else if (len && (!params_parse_double(tok, &v) || v <= 0))
            return osrm_fail(o, KKC_EINVAL, "InvalidQuery",
                        "radiuses: '%s' is neither a positive number nor unlimited", tok);
        else if (len)
            o->radius[i] = v > SNAP_RADIUS_MAX_M ? SNAP_RADIUS_MAX_M : v;
        s += len + (s[len] == ';');
    }
    return KKC_OK;
}

/* The parameters every service accepts: radiuses, hints (ignored: there are none to give back),
 * generate_hints, skip_waypoints, snapping (default: onto the largest strongly connected
 * component; any: onto any drivable road, routed when it connects, NoRoute when not). */
enum kkc_code osrm_param_common(struct oreq *o, double radius)
{
    static const char *const snapping[] = {"default", "any", NULL};
    int hints = 1, snap = 0;
    enum kkc_code rc = param_radiuses(o, radius);
    (void)params_str(o->r->q, "hints");
    (void)params_str(o->r->q, ""); /* "?&a=b", as Leaflet Routing Machine writes it */
    if (!rc)
        rc = osrm_query_rc(o, params_bool(o->r->q, "generate_hints", &hints, &o->err));
    if (!rc)
        rc = osrm_query_rc(o, params_bool(o->r->q, "skip_waypoints", &o->skip_waypoints, &o->err));
    if (!rc)
        rc = osrm_query_rc(o, params_choice(o->r->q, "snapping", snapping, &snap, &o->err));
    o->snap_any = snap == 1;
    return rc;
}

/* Snap every coordinate within its radius: onto the largest component, else (as OSRM's
 * NearestPhantomNodeWithAlternativeFromBigComponent) onto any road within the radius, so that
 * NoSegment means no road at all there; snapping=any takes the nearest road of any component. */
enum kkc_code osrm_snap_all(struct oreq *o)
{
    struct kkc_err e = {0};
    if (!o->g)
        return osrm_fail(o, KKC_ENOSEGMENT, "NoSegment", "No road network is loaded");
    o->snaps = calloc(o->n, sizeof *o->snaps);
    if (!o->snaps)
        return osrm_fail(o, KKC_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; i < o->n; i++) {
        enum kkc_code rc =
            (o->snap_any ? snap_point_any : snap_point)(o->g, o->ll[2 * i], o->ll[2 * i + 1],
                                                        o->radius[i], &o->snaps[i], &e);
        if (rc == KKC_ENOSEGMENT && !o->snap_any)
            rc = snap_point_any(o->g, o->ll[2 * i], o->ll[2 * i + 1], o->radius[i], &o->snaps[i],
                                &e);
        if (rc == KKC_ENOSEGMENT)
            return osrm_fail(o, rc, "NoSegment", "Could not find a matching segment for coordinate %zu",
                        i);
        if (rc)
            return osrm_fail(o, rc, rc == KKC_EINVAL ? "InvalidValue" : NULL, "%s", e.msg);
    }
    return KKC_OK;
}

/* ---------------------------------------------------------------- /table ------------------- */

/* sources= / destinations=: "all" (absent) or indices "i;j;..." below o->n, into a new array. */
static enum kkc_code param_indices(struct oreq *o, const char *name, size_t **idx, size_t *n)
{
    const char *s = params_str(o->r->q, name);
    size_t cap = o->n;
    struct params_items it;
    char tok[24];
    int got;

    *n = 0;
    if (s && strcmp(s, "all") != 0)
        cap = params_items_count(s, strlen(s), ';');
    if (cap > OSRM_TABLE_MAX)
        return osrm_fail(o, KKC_ETOOBIG, "TooBig", "Too many table %s (at most %d)", name,
                    OSRM_TABLE_MAX);
    *idx = malloc((cap ? cap : 1) * sizeof **idx);
    if (!*idx)
        return osrm_fail(o, KKC_ENOMEM, NULL, "out of memory");
    if (!s || strcmp(s, "all") == 0) {
        for (*n = 0; *n < o->n; (*n)++)
            (*idx)[*n] = *n;
        return KKC_OK;
    }
    it = params_items_exact(s, strlen(s), ';');
    while ((got = params_item_next(&it, tok, sizeof tok)) != 0) {
        char *end = NULL;
        unsigned long v = got > 0 && *tok >= '0' && *tok <= '9' ? strtoul(tok, &end, 10) : 0;
        if (!end || *end)
            return osrm_fail(o, KKC_EINVAL, "InvalidQuery", "%s must be all or indices i;j;...",
                             name);
        if (v >= o->n)
            return osrm_fail(o, KKC_EINVAL, "InvalidValue", "%s: index %lu is not a coordinate",
                             name, v);
        (*idx)[(*n)++] = v;
    }
    return KKC_OK;
}

/* annotations=duration|distance|duration,distance into want[0] (durations), want[1]. */
static enum kkc_code param_table_annotations(struct oreq *o, int want[2])
{
    const char *s = params_str(o->r->q, "annotations");
    want[0] = 1, want[1] = 0;
    if (!s)
        return KKC_OK;
    want[0] = strcmp(s, "duration") == 0 || strcmp(s, "duration,distance") == 0 ||
              strcmp(s, "distance,duration") == 0;
    want[1] = strcmp(s, "distance") == 0 || strcmp(s, "duration,distance") == 0 ||
              strcmp(s, "distance,duration") == 0;
    if (!want[0] && !want[1])
        return osrm_fail(o, KKC_EINVAL, "InvalidQuery",
                    "annotations must be duration, distance or duration,distance");
    return KKC_OK;
}

static enum kkc_code osrm_table(struct oreq *o, struct strbuf *out)
{
    size_t *si = NULL, *di = NULL, ns = 0, nd = 0;
    struct snap *ss = NULL, *ds = NULL;
    graph_cost *costs = NULL;
    int want[2];
    struct kkc_err e = {0};
    enum kkc_code rc = osrm_param_common(o, SNAP_RADIUS_DEFAULT_M);

    if (!rc)
        rc = param_indices(o, "sources", &si, &ns);
    if (!rc)
        rc = param_indices(o, "destinations", &di, &nd);
    if (!rc)
        rc = param_table_annotations(o, want);
    if (!rc)
        rc = osrm_query_rc(o, params_finish(o->r->q, &o->err));
    if (!rc)
        rc = osrm_check_coords(o);
    if (!rc)
        rc = osrm_snap_all(o);
    if (!rc && (!(ss = malloc((ns + 1) * sizeof *ss)) || !(ds = malloc((nd + 1) * sizeof *ds)) ||
                !(costs = malloc((ns * nd + 1) * sizeof *costs))))
        rc = osrm_fail(o, KKC_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; !rc && i < ns; i++)
        ss[i] = o->snaps[si[i]];
    for (size_t j = 0; !rc && j < nd; j++)
        ds[j] = o->snaps[di[j]];
    if (!rc && (rc = route_table(o->g, api_route_ctx(o->r, &e), ss, ns, ds, nd, costs, &e)))
        osrm_fail(o, rc, NULL, "%s", e.msg);
    if (!rc) {
        KJW_LIT(out, "{\"code\":\"Ok\"");
        if (want[0])
            KJW_LIT(out, ",\"durations\":"), osrm_w_matrix(out, costs, ns, nd, 0);
        if (want[1])
            KJW_LIT(out, ",\"distances\":"), osrm_w_matrix(out, costs, ns, nd, 1);
        if (!o->skip_waypoints) {
            KJW_LIT(out, ",\"sources\":"), osrm_w_waypoints(out, o, si, ns);
            KJW_LIT(out, ",\"destinations\":"), osrm_w_waypoints(out, o, di, nd);
        }
        KJW_LIT(out, "}");
    }
    free(si), free(di), free(ss), free(ds), free(costs);
    return rc;
}

/* ---------------------------------------------------------------- /nearest ----------------- */

static enum kkc_code osrm_nearest(struct oreq *o, struct strbuf *out)
{
    long number = 1;
    struct snap_road hits[OSRM_NEAREST_MAX];
    size_t nh = 0;
    enum kkc_code rc = osrm_param_common(o, SNAP_RADIUS_MAX_M);

    if (!rc)
        rc = osrm_query_rc(o, params_long(o->r->q, "number", 0, -1000000, 1000000, &number, &o->err));
    if (!rc)
        rc = osrm_query_rc(o, params_finish(o->r->q, &o->err));
    if (!rc && number < 1)
        rc = osrm_fail(o, KKC_EINVAL, "InvalidValue", "number must be at least 1");
    if (!rc && number > OSRM_NEAREST_MAX)
        rc = osrm_fail(o, KKC_ETOOBIG, "TooBig", "number must be at most %d", OSRM_NEAREST_MAX);
    if (!rc)
        rc = osrm_check_coords(o);
    if (!rc)
        rc = osrm_snap_all(o);
    if (rc)
        return rc;
    nh = snap_roads(o->g, o->ll[0], o->ll[1], o->radius[0], &o->snaps[0], hits, (size_t)number);
    KJW_LIT(out, "{\"code\":\"Ok\",\"waypoints\":");
    osrm_w_nearest(out, o, hits, nh);
    KJW_LIT(out, "}");
    return KKC_OK;
}

/* ---------------------------------------------------------------- dispatch ----------------- */

void api_osrm_dispatch(const struct api_req *req, struct api_res *res)
{
    struct oreq o = {.r = req, .g = req->w->graph};
    struct strbuf body;
    struct graph *excl = NULL; /* exclude= (OSRM's classes; motorway here): a private graph */
    struct kkc_err xe = {0};
    enum kkc_code rc = KKC_OK;

    strbuf_init(&body, OSRM_BODY_MAX);
    if (params_str(req->q, "exclude") && api_avoid_graph(req, &excl, &xe))
        rc = osrm_fail(&o, xe.code, "InvalidValue", "%s", xe.msg);
    if (excl)
        o.g = excl;
    if (!rc)
        rc = parse_path(&o, req->path);
    if (!rc && o.svc == OSRM_ROUTE)
        rc = osrm_route(&o, &body);
    else if (!rc && o.svc == OSRM_TABLE)
        rc = osrm_table(&o, &body);
    else if (!rc)
        rc = osrm_nearest(&o, &body);
    if (rc) {
        reply_error(res, &o);
    } else {
        res->status = 200;
        res->body = strbuf_take(&body);
        if (!res->body)
            api_error(res, KKC_ENOMEM, "out of memory");
    }
    strbuf_free(&body);
    oreq_free(&o);
    api_avoid_release(excl);
}
