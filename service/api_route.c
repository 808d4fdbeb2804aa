/* service/api_route.c -- GET /v1/route: the fastest drive between two points (or from a centre),
 * as a GeoJSON Feature with distance, duration, snapping details and steps. */
#include "api_route.h"

#include "centres.h"
#include "json_out.h"
#include "params.h"
#include "route.h"
#include "snap.h"
#include "world.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum kkc_code api_route_end(const struct api_req *r, const char *name, struct route_end *e,
                            struct kkc_err *err)
{
    const char *s = params_str(r->q, name);
    char buf[64], *comma;
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
    if (strlen(s) >= sizeof buf || !(comma = strchr(strcpy(buf, s), ',')))
        return kkc_err_set(err, KKC_EINVAL, "%s must be centre:ID or LON,LAT", name);
    *comma = '\0';
    if (!params_parse_double(buf, &e->lon) || !params_parse_double(comma + 1, &e->lat) ||
        e->lon < -180 || e->lon > 180 || e->lat < -90 || e->lat > 90)
        return kkc_err_set(err, KKC_EINVAL, "%s must be LON,LAT in WGS84 degrees", name);
    return KKC_OK;
}

/* The "from"/"to" object: input point, centre, snapped point, snap distance, road. */
static json_t *json_end(const struct api_req *r, const struct route_end *e, const struct snap *s)
{
    json_t *o = json_pack("{s:[o,o], s:[o,o], s:o, s:s, s:s}", "input", json_num(e->lon, 7),
                          json_num(e->lat, 7), "snapped", json_num(s->lon, 7),
                          json_num(s->lat, 7), "snap_distance_m", json_num(s->distance_m, 1),
                          "road", s->name ? s->name : "", "ref", s->ref ? s->ref : "");
    if (e->centre >= 0) {
        const struct centre *c = centres_get(r->w->centres, (size_t)e->centre);
        json_object_set_new(o, "centre", json_pack("{s:s, s:s, s:s}", "id", c->id, "name",
                                                   c->name, "kind", centres_kind_name(c->kind)));
    }
    return o;
}

static json_t *json_steps(const struct route_result *rr)
{
    json_t *a = json_array();
    for (size_t i = 0; i < rr->step_count; i++) {
        const struct route_step *st = &rr->steps[i];
        json_array_append_new(a, json_pack("{s:s, s:s, s:o, s:o}", "name", st->name, "ref",
                                           st->ref, "distance_m", json_num(st->distance_m, 1),
                                           "duration_s", json_num(st->duration_s, 1)));
    }
    return a;
}

static json_t *json_line(const struct route_result *rr)
{
    json_t *c = json_array();
    for (size_t i = 0; i < rr->coord_count; i++)
        json_array_append_new(c, json_pack("[o,o]", json_num(rr->coords[2 * i], 6),
                                           json_num(rr->coords[2 * i + 1], 6)));
    return json_pack("{s:s, s:o}", "type", "LineString", "coordinates", c);
}

void api_route(const struct api_req *r, struct api_res *res)
{
    struct kkc_err err = {0};
    struct route_end from, to;
    struct snap sf, st;
    double radius = SNAP_RADIUS_DEFAULT_M;
    int steps = 0;
    struct route_result *rr = NULL;
    struct route_ctx *ctx = NULL;
    enum kkc_code rc = api_route_end(r, "from", &from, &err);

    if (!rc)
        rc = api_route_end(r, "to", &to, &err);
    if (!rc)
        rc = params_bool(r->q, "steps", &steps, &err);
    if (!rc)
        rc = params_double(r->q, "radius", 0, 1, SNAP_RADIUS_MAX_M, &radius, &err);
    if (!rc)
        rc = params_finish(r->q, &err);
    if (!rc && !r->w->graph)
        rc = kkc_err_set(&err, KKC_ENOSEGMENT, "no road network is loaded");
    if (!rc && !(ctx = api_route_ctx(r, &err)))
        rc = err.code;
    if (!rc && snap_point(r->w->graph, from.lon, from.lat, radius, &sf, &err))
        rc = err.code;
    if (!rc && snap_point(r->w->graph, to.lon, to.lat, radius, &st, &err))
        rc = err.code;
    if (!rc)
        rc = route_compute(r->w->graph, ctx, &sf, &st, 1, &rr, &err);
    if (rc) {
        api_error(res, rc, err.msg);
        return;
    }
    json_t *props = json_pack("{s:o, s:o, s:o, s:o}", "distance_m", json_num(rr->distance_m, 1),
                              "duration_s", json_num(rr->duration_s, 1), "from",
                              json_end(r, &from, &sf), "to", json_end(r, &to, &st));
    if (steps)
        json_object_set_new(props, "steps", json_steps(rr));
    api_reply(res, json_pack("{s:s, s:o, s:o}", "type", "Feature", "geometry", json_line(rr),
                             "properties", props));
    res->content_type = "application/geo+json";
    route_result_destroy(rr);
}
