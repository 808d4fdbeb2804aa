/* service/api.c -- route table, error mapping and the endpoint handlers. */
#include "api.h"
#include "api_layers.h"

#include "centres/centres.h"
#include "base/crs.h"
#include "api_admin.h"
#include "api_batch.h"
#include "api_coverage.h"
#include "api_response.h"
#include "api_standards.h"
#include "api_osrm.h"
#include "api_plan.h"
#include "api_route.h"
#include "road/graph.h"
#include "road/route.h"
#include "road/snap.h"
#include "json_out.h"
#include "metrics.h"
#include "base/store.h"
#include "world.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define K_MAX 50
#define K_DEFAULT 3

/* ---------------------------------------------------------------- per-thread context ------- */

static pthread_key_t tctx_key;
static pthread_once_t tctx_once = PTHREAD_ONCE_INIT;

static void tctx_free(void *p)
{
    struct tctx *t = p;
    if (!t)
        return;
    crs_ctx_destroy(t->crs);
    store_close(t->store);
    free(t->store_path);
    route_ctx_destroy(t->route);
    if (t->geos)
        GEOS_finish_r(t->geos);
    free(t);
}

static void tctx_key_make(void)
{
    pthread_key_create(&tctx_key, tctx_free);
}

struct tctx *tctx_get(void)
{
    struct tctx *t;
    pthread_once(&tctx_once, tctx_key_make);
    t = pthread_getspecific(tctx_key);
    if (t)
        return t;
    t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->crs = crs_ctx_create();
    if (!t->crs) {
        tctx_free(t);
        return NULL;
    }
    pthread_setspecific(tctx_key, t);
    return t;
}

struct store *api_store(const struct api_req *r, struct kkc_err *err)
{
    struct tctx *t = r->t;
    if (t->store && t->store_world == (const void *)r->w)
        return t->store;
    store_close(t->store);
    t->store = NULL;
    free(t->store_path);
    t->store_path = strdup(r->w->db_path);
    if (!t->store_path) {
        kkc_err_set(err, KKC_ENOMEM, "out of memory");
        return NULL;
    }
    if (store_open(t->store_path, STORE_READONLY, &t->store, err))
        return NULL;
    t->store_world = r->w;
    return t->store;
}

GEOSContextHandle_t api_geos(const struct api_req *r)
{
    if (!r->t->geos)
        r->t->geos = GEOS_init_r();
    return r->t->geos;
}

struct route_ctx *api_route_ctx(const struct api_req *r, struct kkc_err *err)
{
    struct tctx *t = r->t;
    if (!r->w->graph) {
        kkc_err_set(err, KKC_ENOSEGMENT, "no road network is loaded");
        return NULL;
    }
    if (t->route && t->route_graph == (const void *)r->w->graph)
        return t->route;
    route_ctx_destroy(t->route);
    t->route = NULL;
    if (route_ctx_create(r->w->graph, &t->route, err))
        return NULL;
    t->route_graph = r->w->graph;
    return t->route;
}

/* ---------------------------------------------------------------- errors ------------------- */

int api_status(enum kkc_code code)
{
    static const int status[KKC_CODE_COUNT] = {
        [KKC_OK] = 200,          [KKC_EINVAL] = 400,    [KKC_ENOTFOUND] = 404,
        [KKC_ETOOBIG] = 413,     [KKC_ENOSEGMENT] = 422, [KKC_ENOROUTE] = 422,
        [KKC_EIO] = 500,         [KKC_EDB] = 500,       [KKC_ENOMEM] = 503,
        [KKC_EINTERNAL] = 500,   [KKC_EMETHOD] = 405,
        [KKC_EAUTH] = 401,       [KKC_EFORBIDDEN] = 403, [KKC_ECONFLICT] = 409,
    };
    return (unsigned)code < KKC_CODE_COUNT && status[code] ? status[code] : 500;
}

void api_error(struct api_res *res, enum kkc_code code, const char *message)
{
    res->status = api_status(code);
    res->body = json_error_body(kkc_code_name(code), message);
}

void api_reply(struct api_res *res, json_t *v)
{
    res->status = 200;
    res->body = json_out_take(v);
    if (!res->body)
        api_error(res, KKC_ENOMEM, "out of memory");
}

/* ---------------------------------------------------------------- shared parameters -------- */

enum kkc_code api_param_kinds(struct params *q, unsigned *mask, struct kkc_err *err)
{
    const char *s = params_str(q, "kind");
    char buf[64];
    *mask = KIND_MASK_ALL;
    if (!s)
        return KKC_OK;
    if (strlen(s) >= sizeof buf)
        return kkc_err_set(err, KKC_EINVAL, "kind is too long");
    strcpy(buf, s);
    *mask = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        int k = centres_kind_parse(tok);
        if (k < 0)
            return kkc_err_set(err, KKC_EINVAL,
                               "unknown kind '%.20s' (police, fire, ambulance)", tok);
        *mask |= 1u << k;
    }
    if (!*mask)
        return kkc_err_set(err, KKC_EINVAL, "kind must name at least one kind");
    return KKC_OK;
}

enum kkc_code api_param_point(const struct api_req *r, struct point_in *p, struct kkc_err *err)
{
    struct params *q = r->q;
    enum kkc_code rc;
    int has_ll = params_str(q, "lon") || params_str(q, "lat");
    int has_xy = params_str(q, "x") || params_str(q, "y") || params_str(q, "crs");

    memset(p, 0, sizeof *p);
    if (has_ll && has_xy)
        return kkc_err_set(err, KKC_EINVAL, "give either lon,lat or x,y (with crs), not both");
    if (has_xy) {
        p->crs = params_str(q, "crs") ? params_str(q, "crs") : CRS_SJTSK;
        rc = params_double(q, "x", 1, -1e12, 1e12, &p->x, err);
        if (!rc)
            rc = params_double(q, "y", 1, -1e12, 1e12, &p->y, err);
        if (!rc)
            rc = crs_to_wgs84(r->t->crs, p->crs, p->x, p->y, &p->lon, &p->lat, err);
    } else {
        rc = params_double(q, "lon", 1, -180, 180, &p->lon, err);
        if (!rc)
            rc = params_double(q, "lat", 1, -90, 90, &p->lat, err);
    }
    if (rc)
        return rc;
    if (crs_from_wgs84(r->t->crs, CRS_SJTSK, p->lon, p->lat, &p->sx, &p->sy, NULL))
        p->sx = p->sy = NAN;
    return KKC_OK;
}

json_t *api_json_query(const struct point_in *p)
{
    json_t *o = json_pack("{s:o, s:o, s:o, s:o, s:s}", "lon", json_num(p->lon, 7), "lat",
                          json_num(p->lat, 7), "x", json_num(p->sx, 2), "y", json_num(p->sy, 2),
                          "crs", CRS_SJTSK);
    if (p->crs)
        json_object_set_new(o, "input",
                            json_pack("{s:s, s:o, s:o}", "crs", p->crs, "x", json_num(p->x, 3),
                                      "y", json_num(p->y, 3)));
    return o;
}

/* ---------------------------------------------------------------- handlers ----------------- */

static void h_health(const struct api_req *r, struct api_res *res)
{
    struct kkc_err err = {0};
    const struct world *w = r->w;
    long by_kind[KIND_COUNT] = {0}, closed = 0;
    char when[32];
    size_t n = centres_count(w->centres);

    if (params_finish(r->q, &err))
        {
            api_error(res, err.code, err.msg);
            return;
        }
    for (size_t i = 0; i < n; i++) {
        const struct centre *c = centres_get(w->centres, i);
        by_kind[c->kind]++;
        closed += !c->active;
    }
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&w->loaded_at));
    json_t *roads = w->graph ? json_pack("{s:I, s:I}", "nodes", (json_int_t)graph_node_count(w->graph),
                                         "edges", (json_int_t)graph_edge_count(w->graph))
                             : json_null();
    api_reply(res, json_pack("{s:s, s:I, s:{s:I, s:I, s:I}, s:I, s:I, s:s, s:s, s:o}", "status", "ok",
                         "centres", (json_int_t)n, "centres_by_kind", "police",
                         (json_int_t)by_kind[KIND_POLICE], "fire", (json_int_t)by_kind[KIND_FIRE],
                         "ambulance", (json_int_t)by_kind[KIND_AMBULANCE], "centres_closed",
                         (json_int_t)closed, "municipalities", (json_int_t)w->municipalities,
                         "data_version", w->version, "loaded_at", when, "road_graph", roads));
}

enum kkc_code api_param_bbox(struct params *q, double b[4], int *has, struct kkc_err *err)
{
    const char *s = params_str(q, "bbox");
    char buf[160], *save = NULL, *tok;
    int n = 0;
    *has = 0;
    if (!s)
        return KKC_OK;
    if (strlen(s) >= sizeof buf)
        return kkc_err_set(err, KKC_EINVAL, "bbox is too long");
    strcpy(buf, s);
    for (tok = strtok_r(buf, ",", &save); tok && n < 5; tok = strtok_r(NULL, ",", &save))
        if (n == 4 || !params_parse_double(tok, &b[n++]))
            return kkc_err_set(err, KKC_EINVAL, "bbox must be minlon,minlat,maxlon,maxlat");
    if (n != 4 || strchr(",", s[strlen(s) - 1]) || b[0] > b[2] || b[1] > b[3] ||
        fabs(b[0]) > 180 || fabs(b[2]) > 180 || fabs(b[1]) > 90 || fabs(b[3]) > 90)
        return kkc_err_set(err, KKC_EINVAL,
                           "bbox must be minlon,minlat,maxlon,maxlat with min <= max, in degrees");
    *has = 1;
    return KKC_OK;
}

static void h_centres(const struct api_req *r, struct api_res *res)
{
    static const char *const formats[] = {"json", "geojson", NULL};
    struct kkc_err err = {0};
    unsigned mask;
    int fmt = 0, has_bbox = 0, closed = 1;
    double b[4];
    json_t *list = json_array();
    size_t n = centres_count(r->w->centres);
    enum kkc_code rc = api_param_kinds(r->q, &mask, &err);

    if (!rc)
        rc = api_param_bbox(r->q, b, &has_bbox, &err);
    if (!rc)
        rc = params_choice(r->q, "format", formats, &fmt, &err);
    if (!rc)
        rc = params_bool(r->q, "include_closed", &closed, &err);
    if (!rc)
        rc = params_finish(r->q, &err);
    if (rc) {
        json_decref(list);
        {
            api_error(res, rc, err.msg);
            return;
        }
    }
    for (size_t i = 0; i < n; i++) {
        const struct centre *c = centres_get(r->w->centres, i);
        if (!(mask & (1u << c->kind)) || (!c->active && !closed))
            continue;
        if (has_bbox && (c->lon < b[0] || c->lon > b[2] || c->lat < b[1] || c->lat > b[3]))
            continue;
        json_array_append_new(list, fmt ? json_centre_feature(c) : json_centre(c));
    }
    if (fmt)
        api_reply(res, json_pack("{s:s, s:o}", "type", "FeatureCollection", "features", list));
    else
        api_reply(res, json_pack("{s:o}", "centres", list));
    if (fmt)
        res->content_type = "application/geo+json";
}

static void h_centre_one(const struct api_req *r, struct api_res *res)
{
    struct kkc_err err = {0};
    const char *id = r->path + strlen("/v1/centres/");
    long i;
    static const char *const formats[] = {"json", "geojson", NULL};
    int fmt = 0;

    if (params_choice(r->q, "format", formats, &fmt, &err) || params_finish(r->q, &err))
        {
            api_error(res, err.code, err.msg);
            return;
        }
    i = centres_find(r->w->centres, id);
    if (i < 0) {
        char msg[160];
        snprintf(msg, sizeof msg, "no centre with id '%.64s'", id);
        {
            api_error(res, KKC_ENOTFOUND, msg);
            return;
        }
    }
    const struct centre *c = centres_get(r->w->centres, (size_t)i);
    api_reply(res, fmt ? json_centre_feature(c) : json_centre(c));
    if (fmt && res->status == 200)
        res->content_type = "application/geo+json";
}

static void h_nearest(const struct api_req *r, struct api_res *res)
{
    static const char *const bys[] = {"distance", "time", "response", NULL};
    struct kkc_err err = {0};
    struct point_in p;
    unsigned mask;
    long k = K_DEFAULT;
    int by = 0, closed = 0;
    double radius = SNAP_RADIUS_DEFAULT_M, max_minutes = 0;
    struct centres_hit hits[K_MAX];
    size_t n;
    enum kkc_code rc = api_param_point(r, &p, &err);

    int k_given = params_str(r->q, "k") != NULL;
    if (!rc)
        rc = params_long(r->q, "k", 0, 1, K_MAX, &k, &err);
    if (!rc)
        rc = api_param_kinds(r->q, &mask, &err);
    if (!rc)
        rc = params_choice(r->q, "by", bys, &by, &err);
    if (!rc)
        rc = params_bool(r->q, "include_closed", &closed, &err);
    if (!rc)
        rc = params_double(r->q, "radius", 0, 1, SNAP_RADIUS_MAX_M, &radius, &err);
    if (!rc)
        rc = params_double(r->q, "max_minutes", 0, 0.001, 1440, &max_minutes, &err);
    if (!rc)
        rc = params_finish(r->q, &err);
    if (!rc && (by == 2 || max_minutes > 0)) { /* by response time, or every centre within T */
        api_nearest_response(r, res, &p, mask, closed, by == 2, max_minutes,
                             max_minutes > 0 && !k_given ? 0 : (size_t)k, radius);
        return;
    }
    if (!rc && by == 1) {
        api_nearest_time(r, res, &p, mask, closed, (size_t)k, radius);
        return;
    }
    if (!rc)
        rc = centres_nearest(r->w->centres, p.lon, p.lat, mask, closed, (size_t)k, hits, &n,
                             &err);
    if (rc) {
        api_error(res, rc, err.msg);
        return;
    }
    json_t *results = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct centre *c = centres_get(r->w->centres, hits[i].index);
        json_array_append_new(results,
                              json_pack("{s:I, s:o, s:o, s:o}", "rank", (json_int_t)(i + 1),
                                        "centre", json_centre(c), "distance_m",
                                        json_num(hits[i].distance_m, 1), "bearing_deg",
                                        json_num(hits[i].bearing_deg, 1)));
    }
    api_reply(res, json_pack("{s:o, s:s, s:o}", "query", api_json_query(&p), "by", bys[by],
                             "results", results));
}

/* GET /v1/openapi.json: the OpenAPI description loaded at start (kkc serve --openapi). */
static void h_openapi(const struct api_req *r, struct api_res *res)
{
    struct kkc_err err = {0};
    if (params_finish(r->q, &err)) {
        api_error(res, err.code, err.msg);
        return;
    }
    if (!r->srv || !r->srv->openapi) {
        api_error(res, KKC_ENOTFOUND, "no OpenAPI description was loaded (kkc serve --openapi)");
        return;
    }
    res->status = 200;
    res->body = strdup(r->srv->openapi);
    if (!res->body)
        api_error(res, KKC_ENOMEM, "out of memory");
}

/* GET /metrics: request counters of the server and gauges of the world, Prometheus text. */
static void h_metrics(const struct api_req *r, struct api_res *res)
{
    struct kkc_err err = {0};
    const struct world *w = r->w;
    struct metrics_gauges g = {.data_version = w->version, .loaded_at = w->loaded_at,
                               .municipalities = w->municipalities, .has_graph = !!w->graph};
    size_t n = centres_count(w->centres);

    if (params_finish(r->q, &err)) {
        api_error(res, err.code, err.msg);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const struct centre *c = centres_get(w->centres, i);
        g.centres[c->kind][!c->active]++;
    }
    if (w->graph) {
        g.graph_nodes = (long)graph_node_count(w->graph);
        g.graph_edges = (long)graph_edge_count(w->graph);
    }
    res->status = 200;
    res->content_type = "text/plain; version=0.0.4; charset=utf-8";
    res->body = metrics_render(r->srv ? r->srv->metrics : NULL, &g);
    if (!res->body)
        api_error(res, KKC_ENOMEM, "out of memory");
}

/* ---------------------------------------------------------------- routing ------------------ */

typedef void (*handler_fn)(const struct api_req *, struct api_res *);

/* One resource: a handler per method (NULL = not allowed). Writes (POST, PUT, DELETE) exist only
 * when the server has an admin token; api_admin.c checks the token itself. */
struct route {
    const char *path; /* exact, or a prefix when it ends with '/' (one more path segment) */
    handler_fn get, post, put, del;
};

static const struct route routes[] = {
    {"/v1/health", h_health, NULL, NULL, NULL},
    {"/v1/openapi.json", h_openapi, NULL, NULL, NULL},
    {"/metrics", h_metrics, NULL, NULL, NULL},
    {"/v1/centres", h_centres, api_admin_create, NULL, NULL},
    {"/v1/centres/", h_centre_one, NULL, api_admin_update, api_admin_delete},
    {"/v1/nearest", h_nearest, api_batch_nearest, NULL, NULL},
    {"/v1/layers/roads", api_layers_roads, NULL, NULL, NULL},
    {"/v1/layers/boundaries", api_layers_boundaries, NULL, NULL, NULL},
    {"/v1/municipalities", api_layers_municipalities, NULL, NULL, NULL},
    {"/v1/route", api_route, NULL, NULL, NULL},
    {"/v1/isochrone", api_isochrone, NULL, NULL, NULL},
    {"/v1/coverage", api_coverage, NULL, NULL, NULL},
    {"/v1/catchments", api_catchments, NULL, NULL, NULL},
    {"/v1/plan", NULL, api_plan, NULL, NULL},
    {"/v1/standards", api_standards_list, NULL, NULL, NULL},
};

/* POST handlers that are queries (batches, plans), not writes: served without an admin token. */
static const handler_fn query_posts[] = {api_batch_nearest, api_plan};

static int route_open_post(const struct route *rt)
{
    for (size_t i = 0; rt->post && i < sizeof query_posts / sizeof query_posts[0]; i++)
        if (rt->post == query_posts[i])
            return 1;
    return 0;
}

static const struct route *route_find(const char *path)
{
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        const char *p = routes[i].path;
        size_t len = strlen(p);
        if (p[len - 1] == '/' ? strncmp(path, p, len) == 0 && path[len] && !strchr(path + len, '/')
                              : strcmp(path, p) == 0)
            return &routes[i];
    }
    return NULL;
}

/* The handler for method on rt, or NULL; writes only with an admin token configured. */
static handler_fn route_handler(const struct route *rt, const char *method, int admin)
{
    if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
        return rt->get;
    if (strcmp(method, "POST") == 0 && route_open_post(rt))
        return rt->post;
    if (!admin)
        return NULL;
    if (strcmp(method, "POST") == 0)
        return rt->post;
    if (strcmp(method, "PUT") == 0)
        return rt->put;
    if (strcmp(method, "DELETE") == 0)
        return rt->del;
    return NULL;
}

/* The Allow header value for rt into res->allow_buf. */
static void route_allow(const struct route *rt, int admin, struct api_res *res)
{
    snprintf(res->allow_buf, sizeof res->allow_buf, "%s%s%s%sOPTIONS",
             rt->get ? "GET, HEAD, " : "",
             (admin || route_open_post(rt)) && rt->post ? "POST, " : "",
             admin && rt->put ? "PUT, " : "", admin && rt->del ? "DELETE, " : "");
    res->allow = res->allow_buf;
}

void api_dispatch(const struct api_req *req, struct api_res *res)
{
    const struct route *rt = route_find(req->path);
    int admin = req->srv && req->srv->admin_token;
    handler_fn h;
    char msg[160];

    memset(res, 0, sizeof *res);
    if (api_osrm_owns(req->path)) { /* OSRM's multi-segment paths: /route/v1/driving/... */
        api_osrm_dispatch(req, res);
        return;
    }
    if (!rt) {
        snprintf(msg, sizeof msg, "no such endpoint: %.100s", req->path);
        api_error(res, KKC_ENOTFOUND, msg);
        return;
    }
    if (strcmp(req->method, "OPTIONS") == 0) {
        res->status = 204;
        route_allow(rt, admin, res);
        return;
    }
    h = route_handler(rt, req->method, admin);
    if (!h) {
        route_allow(rt, admin, res);
        snprintf(msg, sizeof msg, "method %.16s is not allowed here (allowed: %s)", req->method,
                 res->allow);
        api_error(res, KKC_EMETHOD, msg);
        route_allow(rt, admin, res);
        return;
    }
    h(req, res);
}

const char *api_route_label(const char *path)
{
    static const char *const labels[][2] = {
        {"/route/v1/", "/route/v1/{profile}/{coordinates}"},
        {"/nearest/v1/", "/nearest/v1/{profile}/{coordinates}"},
        {"/table/v1/", "/table/v1/{profile}/{coordinates}"},
        {"/v1/centres/", "/v1/centres/{id}"},
        {"/static/", "/static/{file}"},
        {"/leaflet/", "/leaflet/{file}"},
    };
    const struct route *rt;
    if (strcmp(path, "/") == 0)
        return "/";
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (strncmp(path, labels[i][0], strlen(labels[i][0])) == 0)
            return labels[i][1];
    rt = route_find(path);
    return rt ? rt->path : "other";
}

size_t api_body_limit(const char *method, const char *path, size_t dflt)
{
    if (strcmp(method, "POST") == 0 && strcmp(path, "/v1/nearest") == 0 &&
        dflt < API_BATCH_BODY_MAX)
        return API_BATCH_BODY_MAX;
    return dflt;
}
