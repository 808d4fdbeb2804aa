/* service/api_avoid.c -- avoid= / exclude= into a private graph for one request. */
#include "api_avoid.h"

#include "closures/avoid.h"
#include "closures/overlay.h"
#include "params.h"
#include "road/graph.h"
#include "tctx.h"
#include "world.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

struct rings {
    struct avoid_area areas[AVOID_AREAS_MAX];
    double *pts[AVOID_AREAS_MAX];
    size_t n;
};

static void rings_free(struct rings *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->pts[i]);
}

/* Append one ring from a JSON array of [lon, lat] positions. */
static enum kkc_code ring_json(json_t *ring, struct rings *r, struct kkc_err *err)
{
    size_t n = json_array_size(ring), i;
    json_t *p;
    if (r->n == AVOID_AREAS_MAX)
        return kkc_err_set(err, KKC_ETOOBIG, "at most %d avoid areas", AVOID_AREAS_MAX);
    if (n > AVOID_POINTS_MAX)
        return kkc_err_set(err, KKC_ETOOBIG, "at most %d points per avoid area",
                           AVOID_POINTS_MAX);
    if (!(r->pts[r->n] = malloc((n ? n : 1) * 2 * sizeof(double))))
        return kkc_err_set(err, KKC_ENOMEM, "out of memory");
    r->areas[r->n] = (struct avoid_area){r->pts[r->n], n};
    r->n++;
    json_array_foreach(ring, i, p)
    {
        json_t *x = json_array_get(p, 0), *y = json_array_get(p, 1);
        if (!json_is_number(x) || !json_is_number(y))
            return kkc_err_set(err, KKC_EINVAL, "avoid: positions must be [lon, lat]");
        r->pts[r->n - 1][2 * i] = json_number_value(x);
        r->pts[r->n - 1][2 * i + 1] = json_number_value(y);
    }
    return KKC_OK;
}

static enum kkc_code parse_geojson(const char *s, struct rings *r, struct kkc_err *err)
{
    json_t *g = json_loads(s, 0, NULL), *c = json_object_get(g, "coordinates"), *poly;
    const char *type = json_string_value(json_object_get(g, "type"));
    enum kkc_code rc = KKC_OK;
    size_t i;
    if (!type || !json_is_array(c) ||
        (strcmp(type, "Polygon") != 0 && strcmp(type, "MultiPolygon") != 0))
        rc = kkc_err_set(err, KKC_EINVAL, "avoid must be a GeoJSON Polygon or MultiPolygon, or "
                                          "lon,lat rings separated by |");
    else if (strcmp(type, "Polygon") == 0)
        rc = ring_json(json_array_get(c, 0), r, err);
    else
        json_array_foreach(c, i, poly)
        {
            if (!rc)
                rc = ring_json(json_array_get(poly, 0), r, err);
        }
    json_decref(g);
    return rc;
}

/* One ring "lon,lat,lon,lat,..." (s, len bytes) as pairs into ring. */
static enum kkc_code ring_text(const char *s, size_t len, json_t *ring, struct kkc_err *err)
{
    struct params_items it = params_items_exact(s, len, ',');
    char a[64], b[64];
    int got;

    while ((got = params_item_next(&it, a, sizeof a)) != 0) {
        double lon, lat;
        if (got < 0 || params_item_next(&it, b, sizeof b) != 1 || !params_parse_double(a, &lon) ||
            !params_parse_double(b, &lat))
            return kkc_err_set(err, KKC_EINVAL, "avoid: expected lon,lat pairs near '%.20s'",
                               got < 0 ? "" : a);
        json_array_append_new(ring, json_pack("[f, f]", lon, lat));
    }
    return KKC_OK;
}

/* "lon,lat,lon,lat,...|..." */
static enum kkc_code parse_rings(const char *s, struct rings *r, struct kkc_err *err)
{
    struct params_items it = params_items(s, '|');
    json_t *ring = json_array();
    enum kkc_code rc = KKC_OK;
    const char *item;
    size_t len;

    while (!rc && params_item_span(&it, &item, &len)) {
        rc = ring_text(item, len, ring, err);
        if (!rc)
            rc = ring_json(ring, r, err);
        json_array_clear(ring);
    }
    json_decref(ring);
    return rc;
}

static enum kkc_code parse_exclude(const char *s, unsigned *mask, struct kkc_err *err)
{
    struct params_items it = params_items(s, ',');
    char t[128];

    if (strlen(s) >= sizeof t)
        return kkc_err_set(err, KKC_EINVAL, "exclude is too long");
    while (params_item_next(&it, t, sizeof t) > 0) {
        if (strcmp(t, "motorway") == 0)
            *mask |= 1u << GRAPH_CLASS_MOTORWAY;
        else if (strcmp(t, "toll") == 0 || strcmp(t, "ferry") == 0)
            return kkc_err_set(err, KKC_EINVAL, "exclude=%s: the road data has no %s "
                               "information (the import keeps car roads only)", t, t);
        else
            return kkc_err_set(err, KKC_EINVAL, "exclude takes motorway (toll and ferry are not "
                               "in the data), not '%.20s'", t);
    }
    return KKC_OK;
}

/* closures=ID,... : those stored closures, in force or not, into e (a what-if). */
static enum kkc_code what_if_closures(const struct api_req *r, const char *ids,
                                      struct closure_effects *e, struct kkc_err *err)
{
    struct closure_list all = {0}, pick = {0};
    struct store *st = api_store(r, err);
    enum kkc_code rc = st ? closures_load(st, &all, err) : KKC_EDB;
    struct params_items it = params_items(ids, ',');
    char t[24];
    int got;
    while (!rc && (got = params_item_next(&it, t, sizeof t)) != 0) {
        char *end = t;
        long long id = got > 0 ? strtoll(t, &end, 10) : 0;
        size_t i = 0;
        if (end == t || id <= 0 || *end)
            rc = kkc_err_set(err, KKC_EINVAL, "closures takes closure ids separated by commas");
        while (!rc && i < all.len && all.items[i].id != id)
            i++;
        if (!rc && i == all.len)
            rc = kkc_err_set(err, KKC_ENOTFOUND, "no closure with id %lld", id);
        if (!rc && pick.len == CLOSURES_WRITE_MAX)
            rc = kkc_err_set(err, KKC_ETOOBIG, "at most %d closures", CLOSURES_WRITE_MAX);
        if (!rc && !(rc = closure_list_push(&pick, &all.items[i], err)))
            pick.items[pick.len - 1].valid_from = pick.items[pick.len - 1].valid_until = 0;
    }
    if (!rc)
        rc = closures_match(st, &pick, 0, e, err);
    closure_list_free(&all);
    closure_list_free(&pick);
    return rc;
}

enum kkc_code api_avoid_graph(const struct api_req *r, struct graph **out, struct kkc_err *err)
{
    const char *avoid = params_str(r->q, "avoid"), *exclude = params_str(r->q, "exclude");
    const char *what_if = params_str(r->q, "closures");
    struct rings rings = {0};
    struct avoid_opts o = {0};
    struct closure_effects e = {0}, w = {0};
    enum kkc_code rc = KKC_OK;
    *out = NULL;
    if (!avoid && !exclude && !what_if)
        return KKC_OK;
    if (!r->w->graph)
        return kkc_err_set(err, KKC_ENOSEGMENT, "no road network is loaded");
    if (avoid)
        rc = (*avoid == '{' ? parse_geojson : parse_rings)(avoid, &rings, err);
    if (!rc && exclude)
        rc = parse_exclude(exclude, &o.exclude_classes, err);
    o.areas = rings.areas, o.nareas = rings.n;
    if (!rc)
        rc = closures_avoid_effects(r->w->graph, &o, &e, err);
    if (!rc && what_if)
        rc = what_if_closures(r, what_if, &w, err);
    if (!rc)
        rc = closures_graph_with(r->w->graph, &e, out, err);
    if (!rc && w.len && (rc = closures_overlay(*out, &w, err)) != KKC_OK) {
        closures_graph_release(*out);
        *out = NULL;
    }
    closure_effects_free(&e);
    closure_effects_free(&w);
    rings_free(&rings);
    return rc;
}

void api_avoid_release(struct graph *g)
{
    closures_graph_release(g);
}
