/* service/api_route.c -- GET /v1/route: the fastest drive between two points (or from a centre),
 * as a GeoJSON Feature with distance, duration, snapping details and steps. */
#include "api_route.h"
#include "tctx.h"

#include "centres/centres.h"
#include "base/crs.h"
#include "road/graph.h"
#include "api_avoid.h"
#include "road/guidance.h"
#include "road/labels.h"
#include "road/phrases.h"
#include "road/nearest_time.h"
#include "road/route_ends.h"
#include "json_out.h"
#include "json_write.h"
#include "params.h"
#include "road/route.h"
#include "road/table.h"
#include "road/snap.h"
#include "world.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum kkc_code api_route_end(const struct api_req *r, const char *name, struct route_end *e,
                            struct kkc_err *err)
{
    const char *s = params_str(r->q, name);
    e->centre = -1;
    if (!s)
        return kkc_err_set(err, KKC_EINVAL, "%s is required (centre:ID or LON,LAT)", name);
    if (strncmp(s, "centre:", 7) == 0) {
        e->centre = centres_find(r->w->centres, s + 7);
        if (e->centre < 0)
            return kkc_err_set(err, KKC_ENOTFOUND, "no centre with id '%.64s'", s + 7);
        const struct centre *c = centres_get(r->w->centres, (size_t)e->centre);
        e->lon = c->lon;
        e->lat = c->lat;
        return KKC_OK;
    }
    if (!strchr(s, ','))
        return kkc_err_set(err, KKC_EINVAL, "%s must be centre:ID or LON,LAT", name);
    if (!params_parse_lonlat(s, &e->lon, &e->lat))
        return kkc_err_set(err, KKC_EINVAL, "%s must be LON,LAT in WGS84 degrees", name);
    return KKC_OK;
}

/* The "from"/"to" object: input point, centre, snapped point, snap distance, road. */
static json_t *kkc_json_end(const struct api_req *r, const struct route_end *e, const struct snap *s)
{
    json_t *o = json_pack("{s:[o,o], s:[o,o], s:o, s:s, s:s}", "input", kkc_json_num(e->lon, 7),
                          kkc_json_num(e->lat, 7), "snapped", kkc_json_num(s->lon, 7),
                          kkc_json_num(s->lat, 7), "snap_distance_m", kkc_json_num(s->distance_m, 1),
                          "road", s->name ? s->name : "", "ref", s->ref ? s->ref : "");
    if (e->centre >= 0) {
        const struct centre *c = centres_get(r->w->centres, (size_t)e->centre);
        json_object_set_new(o, "centre", json_pack("{s:s, s:s, s:s}", "id", c->id, "name",
                                                   c->name, "kind", centres_kind_name(c->kind)));
    }
    return o;
}

/* The guidance step of leg that starts at route piece e (not the arrival), or NULL. */
static const struct guide_step *guide_step_at(const struct guide_leg *leg, size_t e)
{
    for (size_t i = 0; i < leg->step_count; i++)
        if (leg->steps[i].edge_first == e && strcmp(leg->steps[i].m.type, "arrive") != 0)
            return &leg->steps[i];
    return NULL;
}

/* The steps of rr with an instruction each in lang: the maneuver guidance_leg() finds where the
 * step starts (else "depart" / "new name"), in words of geo/road/phrases. */
static json_t *kkc_json_steps(const struct graph *g, const struct route_result *rr,
                              const struct snap *to, enum phrases_lang lang)
{
    struct guide_leg leg = {0};
    int have = rr->edge_count && guidance_leg(g, rr, to, &leg, NULL) == KKC_OK;
    json_t *a = json_array();
    char text[PHRASES_MAX];

    for (size_t i = 0; i < rr->step_count; i++) {
        const struct route_step *st = &rr->steps[i];
        const struct guide_step *gs = have ? guide_step_at(&leg, st->edge_first) : NULL;
        struct phrases_maneuver m = {i ? "new name" : "depart", NULL, 0, st->name, st->ref};
        if (gs)
            m.type = gs->m.type, m.modifier = gs->m.modifier, m.exit = gs->m.exit;
        if (phrases_sentence(lang, &m, text, sizeof text, NULL))
            text[0] = '\0';
        json_array_append_new(a, json_pack("{s:s, s:s, s:o, s:o, s:s}", "name", st->name, "ref",
                                           st->ref, "distance_m", kkc_json_num(st->distance_m, 1),
                                           "duration_s", kkc_json_num(st->duration_s, 1),
                                           "instruction", text));
    }
    if (have)
        guide_leg_free(&leg);
    return a;
}

/* The route's Feature written straight into the answer (json_write.h): its LineString without
 * a jansson tree (most of an answer's bytes and allocations), then the properties (stolen). */
static void route_reply(struct api_res *res, const struct route_result *rr, json_t *props)
{
    struct strbuf b;
    strbuf_init(&b, (size_t)1 << 30);
    KJW_LIT(&b, "{\"type\":\"Feature\",\"geometry\":");
    kjw_line(&b, rr->coords, rr->coord_count, 6);
    KJW_LIT(&b, ",\"properties\":");
    int ok = kjw_value(&b, props) == 0 && KJW_LIT(&b, "}") == 0;
    json_decref(props);
    res->status = 200;
    res->body = ok ? strbuf_take(&b) : NULL;
    strbuf_free(&b);
    if (!res->body)
        api_error(res, KKC_ENOMEM, "out of memory");
}

void api_route(const struct api_req *r, struct api_res *res)
{
    struct kkc_err err = {0};
    struct route_end from, to;
    struct snap sf, st;
    double radius = SNAP_RADIUS_DEFAULT_M;
    int steps = 0;
    enum phrases_lang lang = PHRASES_CS;
    json_t *steps_json = NULL;
    struct route_result *rr = NULL;
    struct route_ctx *ctx = NULL, *own = NULL;
    struct graph *avoid = NULL; /* a private graph for avoid= / exclude= */
    const struct graph *g = r->w->graph;
    enum kkc_code rc = api_route_end(r, "from", &from, &err);

    if (!rc)
        rc = api_route_end(r, "to", &to, &err);
    if (!rc)
        rc = params_bool(r->q, "steps", &steps, &err);
    if (!rc && params_str(r->q, "lang"))
        rc = phrases_lang_parse(params_str(r->q, "lang"), &lang, &err);
    if (!rc)
        rc = params_double(r->q, "radius", 0, 1, SNAP_RADIUS_MAX_M, &radius, &err);
    if (!rc)
        rc = api_avoid_graph(r, &avoid, &err);
    if (!rc)
        rc = params_finish(r->q, &err);
    if (!rc && !r->w->graph)
        rc = kkc_err_set(&err, KKC_ENOSEGMENT, "no road network is loaded");
    if (!rc && avoid && !(rc = route_ctx_create(avoid, &own, &err)))
        g = avoid, ctx = own;
    if (!rc && !ctx && !(ctx = api_route_ctx(r, &err)))
        rc = err.code;
    if (!rc) /* the main component, or a nearer road off it that connects */
        rc = route_ends(g, ctx, from.lon, from.lat, radius, to.lon, to.lat, radius, &sf, &st, &rr,
                        &err);
    if (!rc && steps) /* before the private graph goes: guidance reads it */
        steps_json = kkc_json_steps(g, rr, &st, lang);
    route_ctx_destroy(own);
    api_avoid_release(avoid); /* rr borrows names from the shared string table only */
    if (rc) {
        api_error_e(res, rc, &err);
        return;
    }
    json_t *props = json_pack("{s:o, s:o, s:o, s:o}", "distance_m", kkc_json_num(rr->distance_m, 1),
                              "duration_s", kkc_json_num(rr->duration_s, 1), "from",
                              kkc_json_end(r, &from, &sf), "to", kkc_json_end(r, &to, &st));
    if (steps_json)
        json_object_set_new(props, "steps", steps_json);
    route_reply(res, rr, props);
    if (res->status == 200)
        res->content_type = "application/geo+json";
    route_result_destroy(rr);
}

/* ---------------------------------------------------------------- nearest by time ---------- */

/* The world's labels per kind (index kind), as nearest_time_kinds() takes them. */
static void labels_by_kind(const struct world *w, const struct labels **by_kind)
{
    for (int kind = 0; kind < KIND_COUNT; kind++)
        by_kind[kind] = w->labels[1u << kind];
}

int api_nearest_time_by_labels(const struct world *w, unsigned mask, int include_closed,
                               size_t k)
{
    const struct labels *by_kind[KIND_COUNT];
    labels_by_kind(w, by_kind);
    return nearest_time_kinds_use_labels(by_kind, mask & KIND_MASK_ALL, include_closed, k);
}

enum kkc_code api_nearest_time_hits(const struct world *w, const struct snap *at, unsigned mask,
                                    int include_closed, size_t k, struct nearest_time_hit *out,
                                    size_t *n, struct kkc_err *err)
{
    const struct labels *by_kind[KIND_COUNT];
    labels_by_kind(w, by_kind);
    return nearest_time_kinds(w->graph, w->centres, by_kind, at, mask & KIND_MASK_ALL,
                              include_closed, k, out, n, err);
}

void api_nearest_time(const struct api_req *r, struct api_res *res, const struct point_in *p,
                      unsigned mask, int include_closed, size_t k, double radius_m,
                      const struct graph *avoid)
{
    struct kkc_err err = {0};
    struct snap at;
    struct nearest_time_hit *th = calloc(k ? k : 1, sizeof *th);
    size_t n = 0;
    enum kkc_code rc = KKC_OK;
    struct world view; /* with avoid: the world seen through the private graph, no labels */
    const struct world *w = r->w;

    if (avoid) {
        view = *r->w;
        view.graph = (struct graph *)avoid;
        memset(view.labels, 0, sizeof view.labels);
        w = &view;
    }
    if (!th)
        rc = kkc_err_set(&err, KKC_ENOMEM, "out of memory");
    else if (!w->graph)
        rc = kkc_err_set(&err, KKC_ENOSEGMENT,
                         "no road network is loaded, so by=time cannot be answered; use "
                         "by=distance");
    else if (snap_point(w->graph, p->lon, p->lat, radius_m, &at, &err))
        rc = kkc_err_set(&err, KKC_ENOSEGMENT,
                         "no road network covers this point (nothing routable within %.0f m); "
                         "by=distance works everywhere",
                         radius_m);
    else
        rc = api_nearest_time_hits(w, &at, mask, include_closed, k, th, &n, &err);
    if (rc) {
        free(th);
        api_error_e(res, rc, &err);
        return;
    }
    json_t *results = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct centre *c = centres_get(r->w->centres, th[i].centre);
        double bearing, straight = crs_geodesic(p->lon, p->lat, c->lon, c->lat, &bearing);
        json_array_append_new(
            results, json_pack("{s:I, s:o, s:o, s:o, s:o, s:o}", "rank", (json_int_t)(i + 1),
                               "centre", kkc_json_centre(c), "duration_s",
                               kkc_json_num(graph_cost_seconds(th[i].cost), 1), "road_distance_m",
                               kkc_json_num(graph_cost_metres(th[i].cost), 1), "distance_m",
                               kkc_json_num(straight, 1), "bearing_deg", kkc_json_num(bearing, 1)));
    }
    free(th);
    json_t *q = api_json_query(p);
    json_object_set_new(q, "snapped", json_pack("{s:[o,o], s:o, s:s}", "location",
                                                kkc_json_num(at.lon, 7), kkc_json_num(at.lat, 7),
                                                "distance_m", kkc_json_num(at.distance_m, 1), "road",
                                                at.name ? at.name : ""));
    api_reply(res, json_pack("{s:o, s:s, s:o}", "query", q, "by", "time", "results", results));
}
