/* service/api_centres.c -- GET handlers of the centres and the service itself: /v1/health,
 * /v1/centres, /v1/centres/{id}, /v1/nearest, /v1/openapi.json, /metrics. */
#include "api_centres.h"

#include "api_profile.h"
#include "api_response.h"

#include "api.h"
#include "api_avoid.h"
#include "tctx.h"

#include "centres/centres.h"
#include "base/crs.h"
#include "api_route.h"
#include "road/graph.h"
#include "road/route.h"
#include "road/snap.h"
#include "json_out.h"
#include "json_write.h"
#include "metrics.h"
#include "replica.h"
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

void api_health(const struct api_req *r, struct api_res *res)
{
    struct kkc_err err = {0};
    const struct world *w = r->w;
    long by_kind[KIND_COUNT] = {0}, closed = 0;
    char when[32];
    size_t n = centres_count(w->centres);

    if (params_finish(r->q, &err))
        {
            api_error_e(res, err.code, &err);
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
    json_t *body = json_pack("{s:s, s:I, s:{s:I, s:I, s:I}, s:I, s:I, s:s, s:s, s:o}", "status", "ok",
                         "centres", (json_int_t)n, "centres_by_kind", "police",
                         (json_int_t)by_kind[KIND_POLICE], "fire", (json_int_t)by_kind[KIND_FIRE],
                         "ambulance", (json_int_t)by_kind[KIND_AMBULANCE], "centres_closed",
                         (json_int_t)closed, "municipalities", (json_int_t)w->municipalities,
                         "data_version", w->version, "loaded_at", when, "road_graph", roads);
    if (body) /* road closures in force and the version of the weights they make */
        json_object_set_new(body, "closures",
                            json_pack("{s:I, s:I, s:I, s:I, s:b, s:f, s:I, s:I}", "active",
                                      (json_int_t)w->closures.active, "edges",
                                      (json_int_t)w->closures.edges, "weights_version",
                                      (json_int_t)w->closures.version, "missing_ways",
                                      (json_int_t)w->closures.missing_ways, "labels_rebuilding",
                                      w->labels_stale, "applied_ms", w->closures.apply_ms,
                                      "arcs_changed", (json_int_t)w->closures.arcs_changed,
                                      "arcs_recustomized", (json_int_t)w->closures.arcs_redone));
    if (body && r->srv && r->srv->replica) /* where this server stands on the shared state */
        json_object_set_new(body, "state", replica_health_json(r->srv->replica, w));
    api_reply(res, body);
}

void api_centres_list(const struct api_req *r, struct api_res *res)
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
            api_error_e(res, rc, &err);
            return;
        }
    }
    for (size_t i = 0; i < n; i++) {
        const struct centre *c = centres_get(r->w->centres, i);
        if (!(mask & (1u << c->kind)) || (!c->active && !closed))
            continue;
        if (has_bbox && (c->lon < b[0] || c->lon > b[2] || c->lat < b[1] || c->lat > b[3]))
            continue;
        json_array_append_new(list, fmt ? kkc_json_centre_feature(c) : kkc_json_centre(c));
    }
    if (fmt)
        api_reply(res, json_pack("{s:s, s:o}", "type", "FeatureCollection", "features", list));
    else
        api_reply(res, json_pack("{s:o}", "centres", list));
    if (fmt)
        res->content_type = "application/geo+json";
}

void api_centre_get(const struct api_req *r, struct api_res *res)
{
    struct kkc_err err = {0};
    const char *id = r->id;
    long i;
    static const char *const formats[] = {"json", "geojson", NULL};
    int fmt = 0;

    if (params_choice(r->q, "format", formats, &fmt, &err) || params_finish(r->q, &err))
        {
            api_error_e(res, err.code, &err);
            return;
        }
    i = centres_find(r->w->centres, id);
    if (i < 0) {
        api_errorf(res, KKC_ENOTFOUND, "no centre with id '%.64s'", id);
        return;
    }
    const struct centre *c = centres_get(r->w->centres, (size_t)i);
    api_reply(res, fmt ? kkc_json_centre_feature(c) : kkc_json_centre(c));
    if (fmt && res->status == 200)
        res->content_type = "application/geo+json";
}

/* The answer of GET /v1/nearest by distance, written straight into its buffer (json_write.h:
 * the bytes the jansson tree {"query", "by", "results": [{"rank", "centre", "distance_m",
 * "bearing_deg"}]} would dump to, without building it). */
static void nearest_body(struct api_res *res, const struct centres *cs, const struct point_in *p,
                         const char *by, const struct centres_hit *hits, size_t n)
{
    struct strbuf b;
    json_t *query = api_json_query(p);
    strbuf_init(&b, 1 << 20);
    KJW_LIT(&b, "{\"query\":");
    kjw_value(&b, query);
    json_decref(query);
    KJW_LIT(&b, ",\"by\":");
    kjw_string(&b, by, strlen(by));
    KJW_LIT(&b, ",\"results\":[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            KJW_LIT(&b, ",");
        KJW_LIT(&b, "{\"rank\":");
        kjw_int(&b, (long long)(i + 1));
        KJW_LIT(&b, ",\"centre\":");
        kjw_centre(&b, centres_get(cs, hits[i].index));
        KJW_LIT(&b, ",\"distance_m\":");
        kjw_fixed(&b, hits[i].distance_m, 1);
        KJW_LIT(&b, ",\"bearing_deg\":");
        kjw_fixed(&b, hits[i].bearing_deg, 1);
        KJW_LIT(&b, "}");
    }
    KJW_LIT(&b, "]}");
    res->status = 200;
    res->body = strbuf_take(&b);
    if (!res->body)
        api_error(res, KKC_ENOMEM, "out of memory");
}

void api_nearest_get(const struct api_req *r, struct api_res *res)
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
    struct graph *avoid = NULL;
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
    if (!rc && by == 1) /* avoid= / exclude= (by=time only): a private graph */
        rc = api_avoid_graph(r, &avoid, &err);
    if (!rc)
        rc = params_double(r->q, "max_minutes", 0, 0.001, 1440, &max_minutes, &err);
    int profile = 0, has_profile = params_str(r->q, "profile") != NULL;
    if (!rc)
        rc = api_profile_param(r, mask, &profile, &err);
    if (!rc && has_profile && by != 2 && !(max_minutes > 0))
        rc = kkc_err_set(&err, KKC_EINVAL, "profile= needs by=response or max_minutes");
    if (!rc)
        rc = params_finish(r->q, &err);
    if (!rc && (by == 2 || max_minutes > 0)) { /* by response time, or every centre within T */
        api_nearest_response(r, res, &p, mask, closed, by == 2, max_minutes,
                             max_minutes > 0 && !k_given ? 0 : (size_t)k, radius, profile);
        return;
    }
    if (!rc && by == 1) {
        api_nearest_time(r, res, &p, mask, closed, (size_t)k, radius, avoid);
        api_avoid_release(avoid);
        return;
    }
    api_avoid_release(avoid); /* a failed parameter after avoid= */
    if (!rc)
        rc = centres_nearest(r->w->centres, p.lon, p.lat, mask, closed, (size_t)k, hits, &n,
                             &err);
    if (rc) {
        api_error_e(res, rc, &err);
        return;
    }
    nearest_body(res, r->w->centres, &p, bys[by], hits, n);
}

/* GET /v1/openapi.json: the OpenAPI description loaded at start (kkc serve --openapi). */
void api_openapi(const struct api_req *r, struct api_res *res)
{
    struct kkc_err err = {0};
    if (params_finish(r->q, &err)) {
        api_error_e(res, err.code, &err);
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
void api_metrics(const struct api_req *r, struct api_res *res)
{
    struct kkc_err err = {0};
    const struct world *w = r->w;
    struct metrics_gauges g = {.data_version = w->version, .loaded_at = w->loaded_at,
                               .municipalities = w->municipalities, .has_graph = !!w->graph,
                               .closures_active = w->closures.active,
                               .closures_edges = w->closures.edges,
                               .closures_version = w->closures.version};
    size_t n = centres_count(w->centres);

    if (params_finish(r->q, &err)) {
        api_error_e(res, err.code, &err);
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
    replica_metrics_append(r->srv ? r->srv->replica : NULL, w, &res->body);
    if (!res->body)
        api_error(res, KKC_ENOMEM, "out of memory");
}

