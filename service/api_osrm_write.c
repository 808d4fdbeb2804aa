/* service/api_osrm_write.c -- the pieces of the OSRM answers written straight into the body's
 * buffer (json_write.h): the bytes the jansson trees of OSRM's objects would dump to, without
 * building them. The profile of a route with steps (BENCHMARKS.md) spent 45 % of the server's
 * time in building those trees (a malloc per value), dumping and freeing them.
 *
 * Key order is OSRM's (and the one the trees had): waypoint {location, name, distance}; step
 * {geometry, distance, duration, weight, name, mode, driving_side, maneuver, intersections[, ref]
 * [, rotary_name]}; maneuver {bearing_after, bearing_before, location, type[, modifier][, exit]};
 * intersection {location, bearings, entry[, in][, out]}. Numbers are rounded as kkc_json_num()
 * rounds them (kjw_fixed). Text that is not UTF-8 (OSM names are not checked) is written with
 * '?' for its bad bytes, as kkc_json_text() does. */
#include "api_osrm_req.h"

#include "json_write.h"
#include "polyline.h"
#include "road/graph.h"
#include "road/guidance.h"
#include "road/snap.h"

#include <stdlib.h>
#include <string.h>

void osrm_w_text(struct strbuf *b, const char *s)
{
    size_t n = strlen(s);
    char small[256], *copy;
    if (kjw_utf8_ok(s)) {
        kjw_string(b, s, n);
        return;
    }
    copy = n < sizeof small ? small : malloc(n + 1);
    if (!copy) {
        b->failed = 1;
        return;
    }
    memcpy(copy, s, n + 1);
    kjw_mark_non_ascii(copy);
    kjw_string(b, copy, n);
    if (copy != small)
        free(copy);
}

void osrm_w_num(struct strbuf *b, const char *lead, double x, int decimals)
{
    strbuf_put(b, lead, strlen(lead));
    kjw_fixed(b, x, decimals);
}

void osrm_w_lonlat(struct strbuf *b, double lon, double lat)
{
    osrm_w_num(b, "[", lon, 6);
    osrm_w_num(b, ",", lat, 6);
    KJW_LIT(b, "]");
}

/* One waypoint: snapped point location, name, distance (metres). */
static void waypoint(struct strbuf *b, double lon, double lat, const char *name, double dist_m)
{
    KJW_LIT(b, "{\"location\":");
    osrm_w_lonlat(b, lon, lat);
    KJW_LIT(b, ",\"name\":");
    osrm_w_text(b, name ? name : "");
    osrm_w_num(b, ",\"distance\":", dist_m, 3);
    KJW_LIT(b, "}");
}

void osrm_w_waypoints(struct strbuf *b, const struct oreq *o, const size_t *idx, size_t n)
{
    KJW_LIT(b, "[");
    for (size_t i = 0; i < n; i++) {
        const struct snap *s = &o->snaps[idx ? idx[i] : i];
        if (i)
            KJW_LIT(b, ",");
        waypoint(b, s->lon, s->lat, s->name, s->distance_m);
    }
    KJW_LIT(b, "]");
}

void osrm_w_nearest(struct strbuf *b, const struct oreq *o, const struct snap_road *hits,
                    size_t nh)
{
    KJW_LIT(b, "[");
    waypoint(b, o->snaps[0].lon, o->snaps[0].lat, o->snaps[0].name, o->snaps[0].distance_m);
    for (size_t i = 1; i < nh; i++) {
        KJW_LIT(b, ",");
        waypoint(b, hits[i].lon, hits[i].lat, graph_string(o->g, o->g->edge_name[hits[i].edge]),
                 hits[i].distance_m);
    }
    KJW_LIT(b, "]");
}

/* The encoded polyline of n points as a JSON string: its characters are '?'..'~', of which only
 * the backslash needs an escape (doubled in place, from the end). */
static int polyline_string(struct strbuf *b, const double *ll, size_t n, int precision)
{
    char *room = strbuf_room(b, 2 * POLYLINE_BYTES(n) + 2);
    size_t len, bs = 0;
    if (!room)
        return -1;
    room[0] = '"';
    len = polyline_encode_to(ll, n, precision, room + 1);
    if (len == POLYLINE_BAD)
        return -1;
    for (size_t i = 1; i <= len; i++)
        bs += room[i] == '\\';
    for (size_t i = len, j = len + bs; j > i; i--) {
        room[j--] = room[i];
        if (room[i] == '\\')
            room[j--] = '\\';
    }
    room[len + bs + 1] = '"';
    strbuf_added(b, len + bs + 2);
    return 0;
}

int osrm_w_geometry(struct strbuf *b, const double *ll, size_t n, enum geom_fmt f)
{
    double two[4];
    if (n == 1) { /* one point is written twice, as OSRM writes arrivals */
        two[0] = two[2] = ll[0], two[1] = two[3] = ll[1];
        ll = two, n = 2;
    }
    if (f == GEOM_GEOJSON) {
        kjw_line(b, ll, n, 6);
        return b->failed ? -1 : 0;
    }
    return polyline_string(b, ll, n, f == GEOM_POLYLINE6 ? 6 : 5);
}

/* ---------------------------------------------------------------- steps -------------------- */

void osrm_w_figures(struct strbuf *b, double distance_m, double duration_s)
{
    osrm_w_num(b, "\"distance\":", distance_m, 1);
    osrm_w_num(b, ",\"duration\":", duration_s, 1);
    osrm_w_num(b, ",\"weight\":", duration_s, 1);
}

static void isect(struct strbuf *b, const struct guide_isect *x)
{
    KJW_LIT(b, "{\"location\":");
    osrm_w_lonlat(b, x->loc[0], x->loc[1]);
    KJW_LIT(b, ",\"bearings\":[");
    for (int i = 0; i < x->n; i++) {
        if (i)
            KJW_LIT(b, ",");
        kjw_int(b, x->bearing[i]);
    }
    KJW_LIT(b, "],\"entry\":[");
    for (int i = 0; i < x->n; i++) {
        if (i)
            KJW_LIT(b, ",");
        if (x->entry[i])
            KJW_LIT(b, "true");
        else
            KJW_LIT(b, "false");
    }
    KJW_LIT(b, "]");
    if (x->in >= 0) {
        KJW_LIT(b, ",\"in\":");
        kjw_int(b, x->in);
    }
    if (x->out >= 0) {
        KJW_LIT(b, ",\"out\":");
        kjw_int(b, x->out);
    }
    KJW_LIT(b, "}");
}

static void maneuver(struct strbuf *b, const struct guide_maneuver *m)
{
    KJW_LIT(b, "{\"bearing_after\":");
    kjw_int(b, m->bearing_after);
    KJW_LIT(b, ",\"bearing_before\":");
    kjw_int(b, m->bearing_before);
    KJW_LIT(b, ",\"location\":");
    osrm_w_lonlat(b, m->loc[0], m->loc[1]);
    KJW_LIT(b, ",\"type\":");
    osrm_w_text(b, m->type);
    if (m->modifier) {
        KJW_LIT(b, ",\"modifier\":");
        osrm_w_text(b, m->modifier);
    }
    if (m->exit > 0) {
        KJW_LIT(b, ",\"exit\":");
        kjw_int(b, m->exit);
    }
    KJW_LIT(b, "}");
}

int osrm_w_step(struct strbuf *b, const struct guide_leg *l, const struct guide_step *g,
                const struct route_result *rr, enum geom_fmt fmt)
{
    KJW_LIT(b, "{\"geometry\":");
    if (osrm_w_geometry(b, rr->coords + 2 * g->coord_first, g->coord_last - g->coord_first + 1,
                        fmt))
        return -1;
    KJW_LIT(b, ",");
    osrm_w_figures(b, g->distance_m, g->duration_s);
    KJW_LIT(b, ",\"name\":");
    osrm_w_text(b, g->name);
    KJW_LIT(b, ",\"mode\":\"driving\",\"driving_side\":\"right\",\"maneuver\":");
    maneuver(b, &g->m);
    KJW_LIT(b, ",\"intersections\":[");
    for (size_t i = 0; i < g->isect_count; i++) {
        if (i)
            KJW_LIT(b, ",");
        isect(b, &l->isects[g->isect_first + i]);
    }
    KJW_LIT(b, "]");
    if (*g->ref) {
        KJW_LIT(b, ",\"ref\":");
        osrm_w_text(b, g->ref);
    }
    if (g->rotary_name) {
        KJW_LIT(b, ",\"rotary_name\":");
        osrm_w_text(b, g->rotary_name);
    }
    KJW_LIT(b, "}");
    return b->failed ? -1 : 0;
}

/* ---------------------------------------------------------------- /table ------------------- */

void osrm_w_matrix(struct strbuf *b, const graph_cost *c, size_t ns, size_t nd, int what)
{
    KJW_LIT(b, "[");
    for (size_t i = 0; i < ns; i++) {
        if (i)
            KJW_LIT(b, ",");
        KJW_LIT(b, "[");
        for (size_t j = 0; j < nd; j++) {
            graph_cost x = c[i * nd + j];
            if (j)
                KJW_LIT(b, ",");
            if (x == GRAPH_COST_INF)
                KJW_LIT(b, "null");
            else
                kjw_fixed(b, what ? graph_cost_metres(x) : graph_cost_seconds(x), 1);
        }
        KJW_LIT(b, "]");
    }
    KJW_LIT(b, "]");
}
