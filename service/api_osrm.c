/* service/api_osrm.c -- the OSRM v5 compatible endpoints: /route, /nearest and /table (see
 * api_osrm.h for what is accepted and answered).
 *
 * A request goes: path (service, profile, coordinates) -> parameters (strict: unknown ones are
 * InvalidQuery) -> values (ranges, counts) -> snapping -> the work -> one JSON body. Every
 * failure records the OSRM code it stands for in the request's struct oreq, and
 * api_osrm_dispatch() writes the error body in one place. Route figures come from route_compute()
 * exactly as /v1/route gets them; the maneuvers are derived here from the route's geometry and
 * the roads at each junction of the shared read-only graph (their classes and roundabout flags). */
#include "api_osrm.h"

#include "json_out.h"
#include "params.h"
#include "polyline.h"
#include "road/route.h"
#include "road/table.h"
#include "world.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEG (M_PI / 180.0)
#define ISECT_ROADS_MAX 16   /* roads described at one junction */
#define ROTARY_RADIUS_M 15.0 /* OSRM: a named roundabout wider than this is a rotary */
#define RING_EDGES_MAX 256   /* edges followed around one roundabout */

/* ---------------------------------------------------------------- request and errors ------- */

enum osrm_service { OSRM_ROUTE, OSRM_NEAREST, OSRM_TABLE };

static const struct {
    const char *prefix;
    enum osrm_service svc;
    size_t max_coords;
} services[] = {
    {"/route/v1/", OSRM_ROUTE, OSRM_ROUTE_MAX_WAYPOINTS},
    {"/nearest/v1/", OSRM_NEAREST, OSRM_TABLE_MAX}, /* check_coords() wants one */
    {"/table/v1/", OSRM_TABLE, OSRM_TABLE_MAX},
};

enum geom_fmt { GEOM_POLYLINE, GEOM_POLYLINE6, GEOM_GEOJSON };

/* One request in progress. Everything it points to is freed by oreq_free(). */
struct oreq {
    const struct api_req *r;
    const struct graph *g;
    enum osrm_service svc;
    size_t n;           /* coordinates */
    double *ll;         /* 2n: lon, lat */
    double *radius;     /* n snap radii in metres */
    struct snap *snaps; /* n */
    int skip_waypoints;
    const char *code; /* OSRM error code of the failure; NULL: the service's own mapping */
    struct kkc_err err;
};

static void oreq_free(struct oreq *o)
{
    free(o->ll);
    free(o->radius);
    free(o->snaps);
}

/* Record a failure with its OSRM code (NULL for failures that are not the client's). */
static enum kkc_code fail(struct oreq *o, enum kkc_code rc, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static enum kkc_code fail(struct oreq *o, enum kkc_code rc, const char *code, const char *fmt, ...)
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
static enum kkc_code query_rc(struct oreq *o, enum kkc_code rc)
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
    res->body = json_error_body(o->code, o->err.msg);
}

/* ---------------------------------------------------------------- path and coordinates ----- */

int api_osrm_owns(const char *path)
{
    for (size_t i = 0; i < sizeof services / sizeof services[0]; i++)
        if (strncmp(path, services[i].prefix, strlen(services[i].prefix)) == 0)
            return 1;
    return 0;
}

/* Decode "polyline(...)" / "polyline6(...)" coordinates into o. */
static enum kkc_code parse_polyline(struct oreq *o, const char *s, size_t len, size_t max)
{
    int precision = strncmp(s, "polyline6(", 10) == 0 ? 6 : 5;
    size_t open = precision == 6 ? 10 : 9;
    struct kkc_err e = {0};
    enum kkc_code rc;

    if (len <= open || s[len - 1] != ')')
        return fail(o, KKC_EINVAL, "InvalidUrl", "polyline coordinates must end with ')'");
    rc = polyline_decode(s + open, len - open - 1, precision, max, &o->ll, &o->n, &e);
    if (rc == KKC_ETOOBIG)
        return fail(o, rc, "TooBig", "Too many coordinates (at most %zu)", max);
    if (rc)
        return fail(o, rc, rc == KKC_EINVAL ? "InvalidUrl" : NULL, "%s", e.msg);
    return KKC_OK;
}

/* Parse "lon,lat;lon,lat;..." (s, len bytes) into o->ll, at most max points. */
static enum kkc_code parse_coords(struct oreq *o, const char *s, size_t len, size_t max)
{
    size_t count = 1;
    char *buf, *tok, *next;

    if (len >= 9 && strncmp(s, "polyline", 8) == 0)
        return parse_polyline(o, s, len, max);
    for (size_t i = 0; i < len; i++)
        count += s[i] == ';';
    if (count > max)
        return fail(o, KKC_ETOOBIG, "TooBig", "Too many coordinates: %zu (at most %zu)", count,
                    max);
    buf = strndup(s, len);
    o->ll = malloc(2 * count * sizeof *o->ll);
    if (!buf || !o->ll) {
        free(buf);
        return fail(o, KKC_ENOMEM, NULL, "out of memory");
    }
    for (tok = buf; tok; tok = next) {
        char *comma = strchr(tok, ',');
        next = strchr(tok, ';');
        if (next)
            *next++ = '\0';
        if (comma)
            *comma = '\0';
        if (!comma || !params_parse_double(tok, &o->ll[2 * o->n]) ||
            !params_parse_double(comma + 1, &o->ll[2 * o->n + 1])) {
            fail(o, KKC_EINVAL, "InvalidUrl",
                 "URL string malformed: coordinate %zu must be lon,lat in degrees", o->n);
            free(buf);
            return KKC_EINVAL;
        }
        o->n++;
    }
    free(buf);
    return KKC_OK;
}

/* Split the path "/{service}/v1/{profile}/{coordinates}[.json]" and parse the coordinates. */
static enum kkc_code parse_path(struct oreq *o, const char *path)
{
    size_t i = 0, len;
    const char *profile, *coords, *slash;

    while (strncmp(path, services[i].prefix, strlen(services[i].prefix)) != 0)
        i++; /* api_osrm_owns() held */
    o->svc = services[i].svc;
    profile = path + strlen(services[i].prefix);
    slash = strchr(profile, '/');
    if (!slash || strchr(slash + 1, '/') || !slash[1])
        return fail(o, KKC_EINVAL, "InvalidUrl",
                    "URL string malformed: expected %s{profile}/{coordinates}", services[i].prefix);
    if (!((slash - profile == 7 && strncmp(profile, "driving", 7) == 0) ||
          (slash - profile == 3 && strncmp(profile, "car", 3) == 0)))
        return fail(o, KKC_EINVAL, "InvalidUrl", "Profile '%.*s' is not served (only driving)",
                    (int)(slash - profile > 32 ? 32 : slash - profile), profile);
    coords = slash + 1;
    len = strlen(coords);
    if (len > 5 && strcmp(coords + len - 5, ".json") == 0)
        len -= 5;
    return parse_coords(o, coords, len, services[i].max_coords);
}

/* Coordinates within the WGS84 ranges, and as many as the service needs. */
static enum kkc_code check_coords(struct oreq *o)
{
    if (o->svc == OSRM_ROUTE && o->n < 2)
        return fail(o, KKC_EINVAL, "InvalidValue",
                    "Number of coordinates needs to be at least two");
    if (o->svc == OSRM_NEAREST && o->n != 1)
        return fail(o, KKC_EINVAL, "InvalidValue", "Number of coordinates needs to be one");
    for (size_t i = 0; i < o->n; i++)
        if (fabs(o->ll[2 * i]) > 180 || fabs(o->ll[2 * i + 1]) > 90)
            return fail(o, KKC_EINVAL, "InvalidValue",
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
        return fail(o, KKC_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; i < o->n; i++)
        o->radius[i] = dflt;
    if (!s)
        return KKC_OK;
    for (const char *p = s; *p; p++)
        count += *p == ';';
    if (count != o->n)
        return fail(o, KKC_EINVAL, "InvalidValue", "radiuses has %zu values for %zu coordinates",
                    count, o->n);
    for (size_t i = 0; i < o->n; i++) {
        size_t len = strcspn(s, ";");
        char tok[32];
        double v;
        if (len >= sizeof tok)
            return fail(o, KKC_EINVAL, "InvalidQuery", "radiuses: value %zu is too long", i);
        memcpy(tok, s, len);
        tok[len] = '\0';
        if (strcmp(tok, "unlimited") == 0)
            o->radius[i] = SNAP_RADIUS_MAX_M;
        else if (len && (!params_parse_double(tok, &v) || v <= 0))
            return fail(o, KKC_EINVAL, "InvalidQuery",
                        "radiuses: '%s' is neither a positive number nor unlimited", tok);
        else if (len)
            o->radius[i] = v > SNAP_RADIUS_MAX_M ? SNAP_RADIUS_MAX_M : v;
        s += len + (s[len] == ';');
    }
    return KKC_OK;
}

/* The parameters every service accepts: radiuses, hints (ignored: there are none to give back),
 * generate_hints, skip_waypoints. */
static enum kkc_code param_common(struct oreq *o, double radius)
{
    int hints = 1;
    enum kkc_code rc = param_radiuses(o, radius);
    (void)params_str(o->r->q, "hints");
    (void)params_str(o->r->q, ""); /* "?&a=b", as Leaflet Routing Machine writes it */
    if (!rc)
        rc = query_rc(o, params_bool(o->r->q, "generate_hints", &hints, &o->err));
    if (!rc)
        rc = query_rc(o, params_bool(o->r->q, "skip_waypoints", &o->skip_waypoints, &o->err));
    return rc;
}

/* Snap every coordinate within its radius. */
static enum kkc_code snap_all(struct oreq *o)
{
    struct kkc_err e = {0};
    if (!o->g)
        return fail(o, KKC_ENOSEGMENT, "NoSegment", "No road network is loaded");
    o->snaps = calloc(o->n, sizeof *o->snaps);
    if (!o->snaps)
        return fail(o, KKC_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; i < o->n; i++) {
        enum kkc_code rc =
            snap_point(o->g, o->ll[2 * i], o->ll[2 * i + 1], o->radius[i], &o->snaps[i], &e);
        if (rc == KKC_ENOSEGMENT)
            return fail(o, rc, "NoSegment", "Could not find a matching segment for coordinate %zu",
                        i);
        if (rc)
            return fail(o, rc, rc == KKC_EINVAL ? "InvalidValue" : NULL, "%s", e.msg);
    }
    return KKC_OK;
}

/* ---------------------------------------------------------------- JSON pieces -------------- */

static json_t *json_lonlat(double lon, double lat)
{
    return json_pack("[o,o]", json_num(lon, 6), json_num(lat, 6));
}

/* A waypoint object for snapped point s. */
static json_t *json_waypoint(const struct snap *s)
{
    return json_pack("{s:o, s:s, s:o}", "location", json_lonlat(s->lon, s->lat), "name",
                     s->name ? s->name : "", "distance", json_num(s->distance_m, 3));
}

/* The waypoints array for snaps idx[0..n) (idx NULL: 0..n-1). */
static json_t *json_waypoints(const struct oreq *o, const size_t *idx, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_waypoint(&o->snaps[idx ? idx[i] : i]));
    return a;
}

/* A geometry of n >= 1 points (one point is written twice, as OSRM writes arrivals) in the
 * requested format; NULL when out of memory. */
static json_t *json_geometry(const double *ll, size_t n, enum geom_fmt f)
{
    double two[4];
    char *s = NULL;
    json_t *v;

    if (n == 1) {
        two[0] = two[2] = ll[0], two[1] = two[3] = ll[1];
        ll = two, n = 2;
    }
    if (f == GEOM_GEOJSON) {
        json_t *c = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(c, json_lonlat(ll[2 * i], ll[2 * i + 1]));
        return json_pack("{s:s, s:o}", "type", "LineString", "coordinates", c);
    }
    if (polyline_encode(ll, n, f == GEOM_POLYLINE6 ? 6 : 5, &s, NULL))
        return NULL;
    v = json_string(s);
    free(s);
    return v;
}

/* ---------------------------------------------------------------- geometry ----------------- */

/* Initial bearing from point 1 to point 2, degrees 0..360 clockwise from north (sphere). */
static double bearing_of(double lon1, double lat1, double lon2, double lat2)
{
    double p1 = lat1 * DEG, p2 = lat2 * DEG, dl = (lon2 - lon1) * DEG;
    double b = atan2(sin(dl) * cos(p2), cos(p1) * sin(p2) - sin(p1) * cos(p2) * cos(dl)) / DEG;
    return b < 0 ? b + 360 : b;
}

/* The same rounded to a whole degree 0..359, as OSRM writes bearings. */
static int bearing_int(const double *a, const double *b)
{
    if (a[0] == b[0] && a[1] == b[1])
        return 0;
    return (int)lround(bearing_of(a[0], a[1], b[0], b[1])) % 360;
}

/* Bearing change from `from` to `to` in (-180, 180]: positive turns right. */
static int turn_delta(int from, int to)
{
    int d = ((to - from) % 360 + 360) % 360;
    return d > 180 ? d - 360 : d;
}

/* Douglas-Peucker: the points of ll[0..n) that stay within tol metres of the kept line, written
 * to out (at most n points, first and last always kept); returns their count, or 0 when out of
 * memory. */
static size_t simplify(const double *ll, size_t n, double tol, double *out)
{
    unsigned char *keep;
    size_t *stack, top = 0, m = 0;
    double kx, ky;

    if (n < 3) {
        memcpy(out, ll, 2 * n * sizeof *ll);
        return n;
    }
    keep = calloc(n, 1);
    stack = malloc(2 * n * sizeof *stack); /* each point splits a range at most once */
    if (!keep || !stack) {
        free(keep);
        free(stack);
        return 0;
    }
    graph_metres_per_degree(ll[1], &kx, &ky);
    keep[0] = keep[n - 1] = 1;
    stack[top++] = 0, stack[top++] = n - 1;
    while (top) {
        size_t hi = stack[--top], lo = stack[--top], far = lo;
        double ax = ll[2 * lo] * kx, ay = ll[2 * lo + 1] * ky;
        double dx = ll[2 * hi] * kx - ax, dy = ll[2 * hi + 1] * ky - ay, l2 = dx * dx + dy * dy;
        double worst = tol * tol;
        for (size_t i = lo + 1; i < hi; i++) {
            double px = ll[2 * i] * kx - ax, py = ll[2 * i + 1] * ky - ay;
            double t = l2 > 0 ? fmin(fmax((px * dx + py * dy) / l2, 0), 1) : 0;
            double ex = px - t * dx, ey = py - t * dy;
            if (ex * ex + ey * ey > worst)
                worst = ex * ex + ey * ey, far = i;
        }
        if (far == lo)
            continue;
        keep[far] = 1;
        stack[top++] = lo, stack[top++] = far;
        stack[top++] = far, stack[top++] = hi;
    }
    for (size_t i = 0; i < n; i++)
        if (keep[i])
            out[2 * m] = ll[2 * i], out[2 * m + 1] = ll[2 * i + 1], m++;
    free(keep);
    free(stack);
    return m;
}

/* A tolerance for overview=simplified: about a pixel when the whole line fills a 1000-pixel
 * map, so the shape stays right at the zoom that shows it. */
static double simplify_tolerance(const double *ll, size_t n)
{
    double lo[2] = {ll[0], ll[1]}, hi[2] = {ll[0], ll[1]}, kx, ky;
    for (size_t i = 1; i < n; i++)
        for (int d = 0; d < 2; d++)
            lo[d] = fmin(lo[d], ll[2 * i + d]), hi[d] = fmax(hi[d], ll[2 * i + d]);
    graph_metres_per_degree((lo[1] + hi[1]) / 2, &kx, &ky);
    return fmin(fmax(hypot((hi[0] - lo[0]) * kx, (hi[1] - lo[1]) * ky) / 1000, 0.5), 100);
}

/* ---------------------------------------------------------------- junctions ---------------- */

/* The roads at one graph node, as OSRM describes an intersection. A road is a key:
 * edge << 1 | 1 when the node is the edge's target end. */
struct isect {
    double loc[2];
    int n, in, out; /* roads; indices of the arrival and departure road (-1: none) */
    uint32_t key[ISECT_ROADS_MAX];
    int bearing[ISECT_ROADS_MAX];
    unsigned char entry[ISECT_ROADS_MAX]; /* the road may be driven away from the node */
};

static void isect_add(struct isect *x, uint32_t key, int entry)
{
    for (int i = 0; i < x->n; i++)
        if (x->key[i] == key) {
            x->entry[i] |= (unsigned char)entry;
            return;
        }
    if (x->n == ISECT_ROADS_MAX)
        return;
    x->key[x->n] = key;
    x->entry[x->n] = (unsigned char)entry;
    x->bearing[x->n++] = 0;
}

/* Bearing of road `key` leaving its node at loc: towards its first point that differs. */
static int road_bearing(const struct graph *g, uint32_t key, const double *loc)
{
    uint32_t e = key >> 1, k0 = g->edge_coord_first[e], k1 = g->edge_coord_first[e + 1] - 1;
    for (uint32_t i = 1; i <= k1 - k0; i++) {
        const double *p = g->coords + 2 * (size_t)((key & 1) ? k1 - i : k0 + i);
        if (p[0] != loc[0] || p[1] != loc[1])
            return bearing_int(loc, p);
    }
    return 0;
}

/* The intersection at node v reached along road in_key and left along road out_key; roads
 * sorted by bearing as OSRM lists them. */
static void isect_build(const struct graph *g, uint32_t v, uint32_t in_key, uint32_t out_key,
                        struct isect *x)
{
    x->n = 0;
    x->loc[0] = g->node_lonlat[2 * (size_t)v];
    x->loc[1] = g->node_lonlat[2 * (size_t)v + 1];
    isect_add(x, in_key, 0);
    isect_add(x, out_key, 1);
    for (uint32_t a = g->out_first[v]; a < g->out_first[v + 1]; a++)
        isect_add(x, g->out[a].edge, 1);
    for (uint32_t a = g->in_first[v]; a < g->in_first[v + 1]; a++)
        isect_add(x, g->in[a].edge ^ 1u, 0);
    for (int i = 0; i < x->n; i++)
        x->bearing[i] = road_bearing(g, x->key[i], x->loc);
    for (int i = 1; i < x->n; i++) /* insertion sort by bearing */
        for (int j = i; j > 0 && x->bearing[j - 1] > x->bearing[j]; j--) {
            int b = x->bearing[j];
            uint32_t k = x->key[j];
            unsigned char en = x->entry[j];
            x->bearing[j] = x->bearing[j - 1], x->key[j] = x->key[j - 1];
            x->entry[j] = x->entry[j - 1];
            x->bearing[j - 1] = b, x->key[j - 1] = k, x->entry[j - 1] = en;
        }
    x->in = x->out = -1;
    for (int i = 0; i < x->n; i++) {
        if (x->key[i] == in_key)
            x->in = i;
        if (x->key[i] == out_key)
            x->out = i;
    }
}

static json_t *json_isect(const struct isect *x)
{
    json_t *b = json_array(), *e = json_array();
    json_t *o;
    for (int i = 0; i < x->n; i++) {
        json_array_append_new(b, json_integer(x->bearing[i]));
        json_array_append_new(e, json_boolean(x->entry[i]));
    }
    o = json_pack("{s:o, s:o, s:o}", "location", json_lonlat(x->loc[0], x->loc[1]), "bearings", b,
                  "entry", e);
    if (x->in >= 0)
        json_object_set_new(o, "in", json_integer(x->in));
    if (x->out >= 0)
        json_object_set_new(o, "out", json_integer(x->out));
    return o;
}

/* The one-road intersection of a depart (bearing out) or arrive (bearing in). */
static json_t *json_isect_end(const double *loc, int bearing, int arriving)
{
    return json_pack("{s:o, s:[i], s:[b], s:i}", "location", json_lonlat(loc[0], loc[1]),
                     "bearings", bearing, "entry", 1, arriving ? "in" : "out", 0);
}

/* ---------------------------------------------------------------- maneuvers ---------------- */

struct maneuver {
    const char *type, *modifier; /* modifier NULL: none */
    double loc[2];
    int bearing_before, bearing_after;
    int exit; /* roundabout exit taken (1 = the first), 0: none */
};

/* OSRM's direction modifier for a bearing change (positive: to the right). */
static const char *modifier_of(int delta)
{
    int a = abs(delta), right = delta > 0;
    if (a <= 20)
        return "straight";
    if (a >= 175)
        return "uturn";
    if (a <= 40)
        return right ? "slight right" : "slight left";
    if (a <= 120)
        return right ? "right" : "left";
    return right ? "sharp right" : "sharp left";
}

/* Decide the maneuver at junction x for a driver arriving with m->bearing_before and leaving with
 * m->bearing_after; renamed when the road's name (or the ref of an unnamed road) changes here,
 * named when the road taken has a name. Returns 1 with m's type
 * and modifier set when a driver needs an instruction, 0 when following the road is obvious. */
static int maneuver_decide(const struct isect *x, int renamed, int named, struct maneuver *m)
{
    int delta = turn_delta(m->bearing_before, m->bearing_after), ad = abs(delta);
    int options = 0, other = 360, other_delta = 0, ahead = 0;

    for (int i = 0; i < x->n; i++) { /* the other roads, as seen by the arriving driver */
        int d = turn_delta(m->bearing_before, x->bearing[i]);
        if (i == x->in || i == x->out)
            continue;
        ahead |= abs(d) <= 35;
        if (!x->entry[i])
            continue;
        options++;
        if (abs(d) < other)
            other = abs(d), other_delta = d;
    }
    m->modifier = modifier_of(delta);
    if ((x->in >= 0 && x->in == x->out) || ad >= 175) {
        m->type = renamed ? "turn" : "continue", m->modifier = "uturn";
        return 1;
    }
    if (options == 1 && ad <= 45 && other <= 45 && abs(ad - other) < 20 &&
        (delta < 0) != (other_delta < 0) && delta && other_delta) { /* a Y: one branch each side */
        m->type = "fork", m->modifier = delta < other_delta ? "slight left" : "slight right";
        return 1;
    }
    if (renamed) {
        if (!options)
            m->type = "new name";
        else if (ad >= 45 && !ahead && x->n >= 3)
            m->type = "end of road", m->modifier = delta > 0 ? "right" : "left";
        else if (ad <= 20 && ad < other)
            m->type = "new name";
        else
            m->type = "turn";
        return 1;
    }
    if (options && ad > 20 && other <= ad + 15) {
        /* the road turns here and another way is as straight: stay on it (or just turn when it
         * has no name to stay on) */
        m->type = named ? "continue" : "turn";
        return 1;
    }
    return 0;
}

/* Which side of the road the destination lies on, seen driving from a to b. */
static const char *arrive_side(const double *a, const double *b, const struct snap *to)
{
    double kx, ky, dx, dy, qx, qy, cross;
    graph_metres_per_degree(b[1], &kx, &ky);
    dx = (b[0] - a[0]) * kx, dy = (b[1] - a[1]) * ky;
    qx = (to->query_lon - b[0]) * kx, qy = (to->query_lat - b[1]) * ky;
    cross = dx * qy - dy * qx;
    if (to->distance_m < 1 || fabs(cross) < 0.2 * hypot(dx, dy) * hypot(qx, qy))
        return "straight";
    return cross > 0 ? "left" : "right";
}

static json_t *json_maneuver(const struct maneuver *m)
{
    json_t *o = json_pack("{s:i, s:i, s:o, s:s}", "bearing_after", m->bearing_after,
                          "bearing_before", m->bearing_before, "location",
                          json_lonlat(m->loc[0], m->loc[1]), "type", m->type);
    if (m->modifier)
        json_object_set_new(o, "modifier", json_string(m->modifier));
    if (m->exit > 0)
        json_object_set_new(o, "exit", json_integer(m->exit));
    return o;
}

/* ---------------------------------------------------------------- roundabouts and ramps ---- */

/* The base class of an edge_class value (GRAPH_CLASS_LINK removed). */
static unsigned class_base(uint8_t c)
{
    return c & GRAPH_CLASS_MASK;
}

/* A motorway or trunk itself (not a _link). */
static int class_fast(uint8_t c)
{
    return !(c & GRAPH_CLASS_LINK) && class_base(c) <= GRAPH_CLASS_TRUNK;
}

/* Whether passing ring node v counts as passing an exit, as OSRM counts them: a road off the
 * roundabout leaves v (a service road only when the ring, edge ring_edge, is one too). */
static int ring_exit_at(const struct graph *g, uint32_t v, uint32_t ring_edge)
{
    int service_ring = class_base(g->edge_class[ring_edge]) == GRAPH_CLASS_SERVICE;
    for (uint32_t a = g->out_first[v]; a < g->out_first[v + 1]; a++) {
        uint32_t e = g->out[a].edge >> 1;
        if (!g->edge_roundabout[e] &&
            (service_ring || class_base(g->edge_class[e]) != GRAPH_CLASS_SERVICE))
            return 1;
    }
    return 0;
}

/* The one roundabout edge leaving node v, its head into *to; GRAPH_NONE when there is none or
 * more than one (a fork: not a ring to follow). */
static uint32_t ring_next(const struct graph *g, uint32_t v, uint32_t *to)
{
    uint32_t e = GRAPH_NONE;
    for (uint32_t a = g->out_first[v]; a < g->out_first[v + 1]; a++) {
        if (!g->edge_roundabout[g->out[a].edge >> 1])
            continue;
        if (e != GRAPH_NONE)
            return GRAPH_NONE;
        e = g->out[a].edge >> 1, *to = g->out[a].node;
    }
    return e;
}

/* Whether a road that is not part of the roundabout meets ring node v carrying name. */
static int ring_name_nearby(const struct graph *g, uint32_t v, uint32_t name)
{
    for (uint32_t a = g->out_first[v]; a < g->out_first[v + 1]; a++)
        if (!g->edge_roundabout[g->out[a].edge >> 1] && g->edge_name[g->out[a].edge >> 1] == name)
            return 1;
    for (uint32_t a = g->in_first[v]; a < g->in_first[v + 1]; a++)
        if (!g->edge_roundabout[g->in[a].edge >> 1] && g->edge_name[g->in[a].edge >> 1] == name)
            return 1;
    return 0;
}

/* The roundabout through ring node v told apart as OSRM does: a rotary is a closed ring with
 * exactly one name, carried by none of the roads meeting it, and a radius (length / 2 pi) over
 * ROTARY_RADIUS_M. Returns the name's string id for a rotary, 0 for a roundabout (also when the
 * ring forks or does not close within RING_EDGES_MAX edges). */
static uint32_t rotary_name_of(const struct graph *g, uint32_t v)
{
    uint32_t at = v, name = 0, n = 0, e;
    double len = 0;

    do {
        if (n++ == RING_EDGES_MAX || (e = ring_next(g, at, &at)) == GRAPH_NONE)
            return 0;
        if (g->edge_name[e] && name && g->edge_name[e] != name)
            return 0;
        if (g->edge_name[e])
            name = g->edge_name[e];
        len += g->edge_length_m[e];
    } while (at != v);
    if (!name || len / (2 * M_PI) <= ROTARY_RADIUS_M)
        return 0;
    do {
        if (ring_name_nearby(g, at, name))
            return 0;
        ring_next(g, at, &at);
    } while (at != v);
    return name;
}

/* The modifier of a ramp taken with bearing change delta at x (arriving with bearing before):
 * the turn's direction, or when the ramp leaves nearly straight, the side it leaves on next to
 * the straightest other road (right when there is none and it does not bend left). */
static const char *ramp_modifier(const struct isect *x, int before, int delta)
{
    int other = 360, other_delta = 0;

    if (abs(delta) > 20)
        return modifier_of(delta);
    for (int i = 0; i < x->n; i++) {
        int d = turn_delta(before, x->bearing[i]);
        if (i != x->in && i != x->out && x->entry[i] && abs(d) < other)
            other = abs(d), other_delta = d;
    }
    return delta > other_delta || (delta == other_delta && delta >= 0) ? "slight right"
                                                                       : "slight left";
}

/* The side a merge at node v (arriving on edge ein, leaving on eout with bearing after) goes to:
 * away from the side the link comes in on next to the main road arriving there, the other road
 * arriving closest to straight behind (none: straight behind itself). Angles are clockwise from
 * ahead, so a link on the right lies between ahead and the main road. */
static const char *merge_modifier(const struct graph *g, uint32_t v, const struct isect *x,
                                  uint32_t ein, uint32_t eout, int after)
{
    int link_cw = x->in >= 0 ? (x->bearing[x->in] - after + 360) % 360 : 180;
    int main_cw = 180, best = 360;

    for (uint32_t a = g->in_first[v]; a < g->in_first[v + 1]; a++) {
        int cw = (road_bearing(g, g->in[a].edge ^ 1u, x->loc) - after + 360) % 360;
        uint32_t e = g->in[a].edge >> 1;
        if (e != ein && e != eout && abs(cw - 180) < best)
            best = abs(cw - 180), main_cw = cw;
    }
    if (link_cw == main_cw)
        return "straight";
    return link_cw < main_cw ? "slight left" : "slight right";
}

/* The ramp maneuvers OSRM announces, from the classes of the edge arriving at node v (ein) and
 * the one leaving it (eout): off ramp (motorway or trunk onto a _link), on ramp (a lower road,
 * not a link, onto a motorway or trunk _link), merge (a _link onto a motorway or trunk).
 * Returns 1 with m's type and modifier set, 0 when none applies. */
static int ramp_decide(const struct graph *g, uint32_t v, const struct isect *x, uint32_t ein,
                       uint32_t eout, struct maneuver *m)
{
    uint8_t ci = g->edge_class[ein], co = g->edge_class[eout];
    int delta = turn_delta(m->bearing_before, m->bearing_after);

    if (class_fast(ci) && (co & GRAPH_CLASS_LINK)) {
        m->type = "off ramp", m->modifier = ramp_modifier(x, m->bearing_before, delta);
        return 1;
    }
    if (!(ci & GRAPH_CLASS_LINK) && (co & GRAPH_CLASS_LINK) &&
        class_base(co) <= GRAPH_CLASS_TRUNK && class_base(ci) > class_base(co)) {
        m->type = "on ramp", m->modifier = ramp_modifier(x, m->bearing_before, delta);
        return 1;
    }
    if ((ci & GRAPH_CLASS_LINK) && class_fast(co)) {
        m->type = "merge", m->modifier = merge_modifier(g, v, x, ein, eout, m->bearing_after);
        return 1;
    }
    return 0;
}

/* ---------------------------------------------------------------- steps -------------------- */

/* The step being assembled: pieces [first, ...) of the leg from coordinate coord. */
struct step_acc {
    size_t first, coord;
    struct maneuver m;
    json_t *isects;
    size_t named;         /* the piece whose name and ref the step carries */
    uint32_t rotary_name; /* string id of the rotary entered, 0: none */
};

struct leg_ctx {
    const struct graph *g;
    const struct route_result *rr;
    enum geom_fmt fmt;
    json_t *steps;
    int ring_open;  /* the current step entered the roundabout the leg is on */
    int ring_exits; /* exits passed on that roundabout since entering it (or departing on it) */
};

/* Close the step in *s: its pieces end before piece `end`, its points at coordinate `last`. */
static void step_emit(struct leg_ctx *c, struct step_acc *s, size_t end, size_t last)
{
    const struct route_result *rr = c->rr;
    const struct route_edge *pe =
        &rr->edges[s->named < rr->edge_count ? s->named : rr->edge_count - 1];
    double dist = 0, dur = 0;
    const char *ref = graph_string(c->g, c->g->edge_ref[pe->edge]);
    json_t *st;

    for (size_t i = s->first; i < end; i++)
        dist += rr->edges[i].distance_m, dur += rr->edges[i].duration_s;
    st = json_pack("{s:o, s:o, s:o, s:o, s:s, s:s, s:s, s:o, s:o}", "geometry",
                   json_geometry(rr->coords + 2 * s->coord, last - s->coord + 1, c->fmt),
                   "distance", json_num(dist, 1), "duration", json_num(dur, 1), "weight",
                   json_num(dur, 1), "name", graph_string(c->g, c->g->edge_name[pe->edge]), "mode",
                   "driving", "driving_side", "right", "maneuver", json_maneuver(&s->m),
                   "intersections", s->isects);
    if (st && *ref)
        json_object_set_new(st, "ref", json_string(ref));
    if (st && s->rotary_name)
        json_object_set_new(st, "rotary_name", json_string(graph_string(c->g, s->rotary_name)));
    json_array_append_new(c->steps, st);
    s->isects = NULL;
}

/* Piece i's start node and the road keys of arriving on piece i - 1 and leaving on piece i. */
static uint32_t boundary(const struct graph *g, const struct route_result *rr, size_t i,
                         uint32_t *in_key, uint32_t *out_key)
{
    const struct route_edge *a = &rr->edges[i - 1], *b = &rr->edges[i];
    *in_key = a->edge << 1 | (uint32_t)!a->reverse;
    *out_key = b->edge << 1 | (uint32_t)b->reverse;
    return b->reverse ? g->edge_target[b->edge] : g->edge_source[b->edge];
}

/* Close the step in *s and start the next at piece i (coordinate k) with maneuver m, whose
 * first intersection is x. */
static void step_start(struct leg_ctx *c, struct step_acc *s, size_t i, size_t k,
                       const struct maneuver *m, const struct isect *x)
{
    step_emit(c, s, i, k);
    *s = (struct step_acc){i, k, *m, json_array(), i, 0};
    json_array_append_new(s->isects, json_isect(x));
}

/* The boundary before piece i (coordinate k, node v, roads in_key and out_key, junction x) when
 * the leg enters, drives on or leaves a roundabout, as OSRM guides cars: entering starts a
 * roundabout (or rotary) step, its modifier the direction of entering; the exits passed on the
 * ring are counted; leaving gives that step its exit number and the name of the road taken, and
 * the step runs on to the next maneuver (no step of its own). Leaving a roundabout the leg did
 * not enter (it departed on the ring) starts an exit roundabout step with the exit number.
 * Returns 1 when it handled the boundary, 0 when neither piece is on a roundabout. */
static int ring_boundary(struct leg_ctx *c, struct step_acc *s, size_t i, size_t k, uint32_t v,
                         uint32_t in_key, uint32_t out_key, const struct isect *x,
                         struct maneuver *m)
{
    const struct graph *g = c->g;
    int in_ring = g->edge_roundabout[in_key >> 1], out_ring = g->edge_roundabout[out_key >> 1];
    uint32_t rotary;

    if (!in_ring && !out_ring)
        return 0;
    m->modifier = modifier_of(turn_delta(m->bearing_before, m->bearing_after));
    if (!in_ring) { /* entering */
        rotary = rotary_name_of(g, v);
        m->type = rotary ? "rotary" : "roundabout";
        step_start(c, s, i, k, m, x);
        s->rotary_name = rotary;
        c->ring_open = 1, c->ring_exits = 0;
    } else if (out_ring) { /* passing a node of the ring */
        c->ring_exits += ring_exit_at(g, v, in_key >> 1);
        if (x->n >= 3)
            json_array_append_new(s->isects, json_isect(x));
    } else if (c->ring_open) { /* leaving the roundabout this step entered */
        s->m.exit = ++c->ring_exits, s->named = i;
        json_array_append_new(s->isects, json_isect(x));
        c->ring_open = 0;
    } else { /* leaving after departing on the ring */
        m->type = rotary_name_of(g, v) ? "exit rotary" : "exit roundabout";
        m->exit = ++c->ring_exits;
        step_start(c, s, i, k, m, x);
    }
    return 1;
}

/* The steps of one leg (route rr ending at snapped point `to`): depart, the maneuvers, arrive. */
static json_t *leg_steps(const struct graph *g, const struct route_result *rr,
                         const struct snap *to, enum geom_fmt fmt)
{
    struct leg_ctx c = {g, rr, fmt, json_array(), 0, 0};
    const double *pts = rr->coords;
    size_t last = rr->coord_count - 1;
    struct step_acc s = {0, 0, {"depart", NULL, {pts[0], pts[1]}, 0, 0, 0}, NULL, 0, 0};
    struct maneuver arrive = {"arrive", NULL, {pts[2 * last], pts[2 * last + 1]}, 0, 0, 0};

    s.m.bearing_after = bearing_int(pts, pts + 2);
    s.isects = json_array();
    json_array_append_new(s.isects, json_isect_end(s.m.loc, s.m.bearing_after, 0));
    for (size_t i = 1; i < rr->edge_count; i++) {
        size_t k = rr->edges[i].coord_first;
        uint32_t in_key, out_key, v = boundary(g, rr, i, &in_key, &out_key);
        struct isect x;
        struct maneuver m = {NULL, NULL, {pts[2 * k], pts[2 * k + 1]}, 0, 0, 0};
        uint32_t name = g->edge_name[out_key >> 1];
        int renamed = name != g->edge_name[in_key >> 1] ||
                      (!name && g->edge_ref[in_key >> 1] != g->edge_ref[out_key >> 1]);
        if (k == 0 || k >= last)
            continue; /* a piece without length: nothing to describe */
        m.bearing_before = bearing_int(pts + 2 * (k - 1), pts + 2 * k);
        m.bearing_after = bearing_int(pts + 2 * k, pts + 2 * (k + 1));
        isect_build(g, v, in_key, out_key, &x);
        if (ring_boundary(&c, &s, i, k, v, in_key, out_key, &x, &m))
            continue;
        if (!ramp_decide(g, v, &x, in_key >> 1, out_key >> 1, &m) &&
            !maneuver_decide(&x, renamed, name != 0, &m)) {
            if (x.n >= 3)
                json_array_append_new(s.isects, json_isect(&x));
            continue;
        }
        step_start(&c, &s, i, k, &m, &x);
    }
    step_emit(&c, &s, rr->edge_count, last);
    arrive.bearing_before = last ? bearing_int(pts + 2 * (last - 1), pts + 2 * last) : 0;
    arrive.modifier = last ? arrive_side(pts + 2 * (last - 1), pts + 2 * last, to) : NULL;
    s = (struct step_acc){rr->edge_count, last, arrive, json_array(), rr->edge_count, 0};
    json_array_append_new(s.isects,
                          json_isect_end(arrive.loc, (arrive.bearing_before + 180) % 360, 1));
    step_emit(&c, &s, rr->edge_count, last);
    return c.steps;
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
            return fail(o, KKC_EINVAL, "InvalidValue",
                        "annotations=nodes is not available: the road graph has no OSM node ids");
        if (i == 5)
            return fail(o, KKC_EINVAL, "InvalidQuery",
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
    return fail(o, KKC_EINVAL, "InvalidQuery", "alternatives must be true, false or 0..10");
}

static enum kkc_code route_params(struct oreq *o, struct route_opts *ro)
{
    static const char *const overviews[] = {"simplified", "full", "false", NULL};
    static const char *const geoms[] = {"polyline", "polyline6", "geojson", NULL};
    static const char *const straight[] = {"default", "true", "false", NULL};
    struct params *q = o->r->q;
    int cs = 0;
    enum kkc_code rc = param_common(o, SNAP_RADIUS_DEFAULT_M);

    if (!rc)
        rc = query_rc(o, params_choice(q, "overview", overviews, &ro->overview, &o->err));
    if (!rc)
        rc = query_rc(o, params_choice(q, "geometries", geoms, &ro->fmt, &o->err));
    if (!rc)
        rc = query_rc(o, params_bool(q, "steps", &ro->steps, &o->err));
    if (!rc)
        rc = query_rc(o, params_choice(q, "continue_straight", straight, &cs, &o->err));
    if (!rc)
        rc = param_alternatives(o);
    if (!rc)
        rc = param_route_annotations(o, &ro->annotations);
    if (!rc)
        rc = query_rc(o, params_finish(q, &o->err));
    return rc;
}

/* One route per leg between consecutive snapped waypoints, into legs[0 .. n-1). */
static enum kkc_code route_legs(struct oreq *o, struct route_result **legs)
{
    struct kkc_err e = {0};
    struct route_ctx *ctx = api_route_ctx(o->r, &e);
    if (!ctx)
        return fail(o, e.code, e.code == KKC_ENOSEGMENT ? "NoSegment" : NULL, "%s", e.msg);
    for (size_t i = 0; i + 1 < o->n; i++) {
        enum kkc_code rc =
            route_compute(o->g, ctx, &o->snaps[i], &o->snaps[i + 1], 1, &legs[i], &e);
        if (rc == KKC_ENOROUTE)
            return fail(o, rc, "NoRoute", "Impossible route between points %zu and %zu", i, i + 1);
        if (rc)
            return fail(o, rc, NULL, "%s", e.msg);
    }
    return KKC_OK;
}

/* OSRM's leg summary: the names of the two longest named roads of the leg, in driving order. */
static json_t *leg_summary(const struct route_result *rr)
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
    if (top[0] == SIZE_MAX)
        return json_string("");
    if (top[1] == SIZE_MAX)
        return json_string(rr->steps[top[0]].name);
    snprintf(buf, sizeof buf, "%s, %s", rr->steps[top[0] < top[1] ? top[0] : top[1]].name,
             rr->steps[top[0] < top[1] ? top[1] : top[0]].name);
    return json_string(buf);
}

/* Per-segment annotation arrays of a leg: each piece's distance and duration shared among its
 * segments by length. NULL when out of memory. */
static json_t *leg_annotation(const struct route_result *rr, unsigned mask)
{
    size_t ns = rr->coord_count - 1;
    double *dist = calloc(ns + 1, sizeof *dist), *dur = calloc(ns + 1, sizeof *dur), kx, ky;
    json_t *a = json_object(), *arr[5];

    if (!dist || !dur) {
        free(dist), free(dur), json_decref(a);
        return NULL;
    }
    graph_metres_per_degree(rr->coords[1], &kx, &ky);
    for (size_t i = 0; i < rr->edge_count; i++) {
        const struct route_edge *p = &rr->edges[i];
        double len = 0;
        for (size_t k = p->coord_first; k < p->coord_last; k++)
            len += hypot((rr->coords[2 * k + 2] - rr->coords[2 * k]) * kx,
                         (rr->coords[2 * k + 3] - rr->coords[2 * k + 1]) * ky);
        for (size_t k = p->coord_first; k < p->coord_last; k++) {
            double seg = hypot((rr->coords[2 * k + 2] - rr->coords[2 * k]) * kx,
                               (rr->coords[2 * k + 3] - rr->coords[2 * k + 1]) * ky);
            double share = len > 0 ? seg / len : 1.0 / (double)(p->coord_last - p->coord_first);
            dist[k] += p->distance_m * share, dur[k] += p->duration_s * share;
        }
    }
    for (int f = 0; f < 5; f++)
        arr[f] = json_array();
    for (size_t k = 0; k < ns; k++) {
        json_array_append_new(arr[0], json_num(dur[k], 1));
        json_array_append_new(arr[1], json_num(dist[k], 1));
        json_array_append_new(arr[2], json_num(dur[k] > 0 ? dist[k] / dur[k] : 0, 1));
        json_array_append_new(arr[3], json_num(dur[k], 1));
        json_array_append_new(arr[4], json_integer(0));
    }
    static const char *const names[] = {"duration", "distance", "speed", "weight", "datasources"};
    for (int f = 0; f < 5; f++) {
        if (mask & (1u << f))
            json_object_set_new(a, names[f], arr[f]);
        else
            json_decref(arr[f]);
    }
    free(dist);
    free(dur);
    return a;
}

static json_t *json_leg(const struct graph *g, const struct route_result *rr, const struct snap *to,
                        const struct route_opts *ro)
{
    json_t *leg =
        json_pack("{s:o, s:o, s:o, s:o, s:o}", "distance", json_num(rr->distance_m, 1), "duration",
                  json_num(rr->duration_s, 1), "weight", json_num(rr->duration_s, 1), "summary",
                  leg_summary(rr), "steps",
                  ro->steps ? leg_steps(g, rr, to, (enum geom_fmt)ro->fmt) : json_array());
    if (leg && ro->annotations)
        json_object_set_new(leg, "annotation", leg_annotation(rr, ro->annotations));
    return leg;
}

/* The whole route's geometry (the legs joined; simplified per leg when asked). */
static json_t *route_geometry(struct route_result **legs, size_t nl, const struct route_opts *ro)
{
    size_t total = 0, m = 0;
    double *full, *out, tol = 0;
    json_t *v;

    for (size_t i = 0; i < nl; i++)
        total += legs[i]->coord_count;
    full = malloc(4 * total * sizeof *full);
    if (!full)
        return NULL;
    out = full + 2 * total;
    for (size_t i = 0; i < nl; i++)
        memcpy(full + 2 * m, legs[i]->coords, 2 * legs[i]->coord_count * sizeof *full),
            m += legs[i]->coord_count;
    if (ro->overview == 0)
        tol = simplify_tolerance(full, total);
    m = 0;
    for (size_t i = 0, at = 0; i < nl; at += legs[i]->coord_count, i++) {
        const double *ll = full + 2 * at;
        size_t n = legs[i]->coord_count, skip = 0, got;
        double *dst = out + 2 * m;
        got = ro->overview == 0 ? simplify(ll, n, tol, dst) : n;
        if (ro->overview != 0)
            memcpy(dst, ll, 2 * n * sizeof *dst);
        if (!got) {
            free(full);
            return NULL;
        }
        if (m && dst[0] == dst[-2] && dst[1] == dst[-1])
            skip = 1; /* the waypoint joining two legs */
        memmove(dst, dst + 2 * skip, 2 * (got - skip) * sizeof *dst);
        m += got - skip;
    }
    v = json_geometry(out, m, (enum geom_fmt)ro->fmt);
    free(full);
    return v;
}

static enum kkc_code osrm_route(struct oreq *o, json_t **out)
{
    struct route_opts ro = {0, GEOM_POLYLINE, 0, 0};
    struct route_result **legs = NULL;
    double dist = 0, dur = 0;
    json_t *route, *jl;
    enum kkc_code rc = route_params(o, &ro);

    if (!rc)
        rc = check_coords(o);
    if (!rc)
        rc = snap_all(o);
    if (!rc && !(legs = calloc(o->n - 1, sizeof *legs)))
        rc = fail(o, KKC_ENOMEM, NULL, "out of memory");
    if (!rc)
        rc = route_legs(o, legs);
    if (!rc) {
        jl = json_array();
        for (size_t i = 0; i + 1 < o->n; i++) {
            dist += legs[i]->distance_m, dur += legs[i]->duration_s;
            json_array_append_new(jl, json_leg(o->g, legs[i], &o->snaps[i + 1], &ro));
        }
        route = json_pack("{s:o, s:s, s:o, s:o, s:o}", "legs", jl, "weight_name", "duration",
                          "weight", json_num(dur, 1), "duration", json_num(dur, 1), "distance",
                          json_num(dist, 1));
        if (route && ro.overview != 2) {
            json_t *geom = route_geometry(legs, o->n - 1, &ro);
            if (geom)
                json_object_set_new(route, "geometry", geom);
            else
                json_decref(route), route = NULL; /* out of memory: answered as such */
        }
        *out = json_pack("{s:s, s:[o]}", "code", "Ok", "routes", route);
        if (*out && !o->skip_waypoints)
            json_object_set_new(*out, "waypoints", json_waypoints(o, NULL, o->n));
    }
    for (size_t i = 0; legs && i + 1 < o->n; i++)
        route_result_destroy(legs[i]);
    free(legs);
    return rc;
}

/* ---------------------------------------------------------------- /table ------------------- */

enum kkc_code api_osrm_table_costs(const struct graph *g, const struct snap *src, size_t ns,
                                   const struct snap *dst, size_t nd, graph_cost *out,
                                   struct kkc_err *err)
{
    return route_table(g, NULL, src, ns, dst, nd, out, err);
}

/* sources= / destinations=: "all" (absent) or indices "i;j;..." below o->n, into a new array. */
static enum kkc_code param_indices(struct oreq *o, const char *name, size_t **idx, size_t *n)
{
    const char *s = params_str(o->r->q, name);
    size_t cap = o->n;

    *n = 0;
    if (s && strcmp(s, "all") != 0) {
        cap = 1;
        for (const char *p = s; *p; p++)
            cap += *p == ';';
    }
    if (cap > OSRM_TABLE_MAX)
        return fail(o, KKC_ETOOBIG, "TooBig", "Too many table %s (at most %d)", name,
                    OSRM_TABLE_MAX);
    *idx = malloc((cap ? cap : 1) * sizeof **idx);
    if (!*idx)
        return fail(o, KKC_ENOMEM, NULL, "out of memory");
    if (!s || strcmp(s, "all") == 0) {
        for (*n = 0; *n < o->n; (*n)++)
            (*idx)[*n] = *n;
        return KKC_OK;
    }
    for (const char *p = s; *n < cap; p = strchr(p, ';') + 1) {
        char *end;
        unsigned long v = (*p >= '0' && *p <= '9') ? strtoul(p, &end, 10) : (end = NULL, 0);
        if (!end || (*end && *end != ';'))
            return fail(o, KKC_EINVAL, "InvalidQuery", "%s must be all or indices i;j;...", name);
        if (v >= o->n)
            return fail(o, KKC_EINVAL, "InvalidValue", "%s: index %lu is not a coordinate", name,
                        v);
        (*idx)[(*n)++] = v;
        if (!*end)
            break;
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
        return fail(o, KKC_EINVAL, "InvalidQuery",
                    "annotations must be duration, distance or duration,distance");
    return KKC_OK;
}

/* A matrix of seconds (what 0) or metres (what 1) from costs; null where unreachable. */
static json_t *json_matrix(const graph_cost *c, size_t ns, size_t nd, int what)
{
    json_t *m = json_array();
    for (size_t i = 0; i < ns; i++) {
        json_t *row = json_array();
        for (size_t j = 0; j < nd; j++) {
            graph_cost x = c[i * nd + j];
            json_array_append_new(row, x == GRAPH_COST_INF ? json_null()
                                       : what              ? json_num(graph_cost_metres(x), 1)
                                                           : json_num(graph_cost_seconds(x), 1));
        }
        json_array_append_new(m, row);
    }
    return m;
}

static enum kkc_code osrm_table(struct oreq *o, json_t **out)
{
    size_t *si = NULL, *di = NULL, ns = 0, nd = 0;
    struct snap *ss = NULL, *ds = NULL;
    graph_cost *costs = NULL;
    int want[2];
    struct kkc_err e = {0};
    enum kkc_code rc = param_common(o, SNAP_RADIUS_DEFAULT_M);

    if (!rc)
        rc = param_indices(o, "sources", &si, &ns);
    if (!rc)
        rc = param_indices(o, "destinations", &di, &nd);
    if (!rc)
        rc = param_table_annotations(o, want);
    if (!rc)
        rc = query_rc(o, params_finish(o->r->q, &o->err));
    if (!rc)
        rc = check_coords(o);
    if (!rc)
        rc = snap_all(o);
    if (!rc && (!(ss = malloc((ns + 1) * sizeof *ss)) || !(ds = malloc((nd + 1) * sizeof *ds)) ||
                !(costs = malloc((ns * nd + 1) * sizeof *costs))))
        rc = fail(o, KKC_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; !rc && i < ns; i++)
        ss[i] = o->snaps[si[i]];
    for (size_t j = 0; !rc && j < nd; j++)
        ds[j] = o->snaps[di[j]];
    if (!rc && (rc = route_table(o->g, api_route_ctx(o->r, &e), ss, ns, ds, nd, costs, &e)))
        fail(o, rc, NULL, "%s", e.msg);
    if (!rc) {
        *out = json_pack("{s:s}", "code", "Ok");
        if (want[0])
            json_object_set_new(*out, "durations", json_matrix(costs, ns, nd, 0));
        if (want[1])
            json_object_set_new(*out, "distances", json_matrix(costs, ns, nd, 1));
        if (!o->skip_waypoints) {
            json_object_set_new(*out, "sources", json_waypoints(o, si, ns));
            json_object_set_new(*out, "destinations", json_waypoints(o, di, nd));
        }
    }
    free(si), free(di), free(ss), free(ds), free(costs);
    return rc;
}

/* ---------------------------------------------------------------- /nearest ----------------- */

struct near_hit {
    double d2; /* squared distance in metres */
    uint32_t edge;
    double loc[2];
};

/* Whether two hits are on the same road: the same name and ref when the road has either, else
 * the same point (two unnamed edges meeting where the query is nearest). */
static int near_same_road(const struct graph *g, const struct near_hit *a, const struct near_hit *b)
{
    uint32_t na = g->edge_name[a->edge], ra = g->edge_ref[a->edge];
    if (na || ra)
        return na == g->edge_name[b->edge] && ra == g->edge_ref[b->edge];
    return !g->edge_name[b->edge] && !g->edge_ref[b->edge] && a->loc[0] == b->loc[0] &&
           a->loc[1] == b->loc[1];
}

/* Insert h into hits[0..*nh) (nearest first, at most k, one per road; an earlier hit wins a
 * tie) unless a hit on the same road is at least as near. */
static void near_insert(const struct graph *g, struct near_hit *hits, size_t *nh, size_t k,
                        const struct near_hit *h)
{
    size_t j = *nh;
    for (size_t i = 0; i < *nh; i++)
        if (near_same_road(g, &hits[i], h)) {
            if (hits[i].d2 <= h->d2)
                return;
            memmove(hits + i, hits + i + 1, (*nh - i - 1) * sizeof *hits);
            j = --*nh;
            break;
        }
    if (j == k && hits[k - 1].d2 <= h->d2)
        return;
    if (j == k)
        j--;
    else
        (*nh)++;
    for (; j > 0 && hits[j - 1].d2 > h->d2; j--)
        hits[j] = hits[j - 1];
    hits[j] = *h;
}

/* The nearest roads to q within radius, one hit per road (near_same_road), nearest first, the
 * first being `first` (the snapped point); at most k into hits. Returns how many. A plain scan of
 * all segments: a few milliseconds on a city graph, and only for number > 1. */
static size_t nearest_roads(const struct graph *g, const double *q, double radius,
                            const struct snap *first, struct near_hit *hits, size_t k)
{
    double kx, ky;
    size_t nrest = 0;
    hits[0] = (struct near_hit){0, first->edge, {first->lon, first->lat}};
    graph_metres_per_degree(q[1], &kx, &ky);
    for (uint32_t e = 0; k > 1 && e < g->edge_count; e++) {
        struct near_hit best = {radius * radius, GRAPH_NONE, {0, 0}};
        if (e == first->edge || !(g->edge_flags[e] & GRAPH_SNAPPABLE))
            continue;
        for (uint32_t i = g->edge_coord_first[e]; i + 1 < g->edge_coord_first[e + 1]; i++) {
            const double *p = g->coords + 2 * (size_t)i;
            double ax = (p[0] - q[0]) * kx, ay = (p[1] - q[1]) * ky;
            double dx = (p[2] - p[0]) * kx, dy = (p[3] - p[1]) * ky, l2 = dx * dx + dy * dy;
            double t = l2 > 0 ? fmin(fmax(-(ax * dx + ay * dy) / l2, 0), 1) : 0;
            double x = ax + t * dx, y = ay + t * dy;
            if (x * x + y * y <= best.d2)
                best = (struct near_hit){
                    x * x + y * y, e, {p[0] + t * (p[2] - p[0]), p[1] + t * (p[3] - p[1])}};
        }
        if (best.edge != GRAPH_NONE && !near_same_road(g, &hits[0], &best))
            near_insert(g, hits + 1, &nrest, k - 1, &best);
    }
    return 1 + nrest;
}

static enum kkc_code osrm_nearest(struct oreq *o, json_t **out)
{
    long number = 1;
    struct near_hit hits[OSRM_NEAREST_MAX];
    size_t nh = 0;
    json_t *wps;
    enum kkc_code rc = param_common(o, SNAP_RADIUS_MAX_M);

    if (!rc)
        rc = query_rc(o, params_long(o->r->q, "number", 0, -1000000, 1000000, &number, &o->err));
    if (!rc)
        rc = query_rc(o, params_finish(o->r->q, &o->err));
    if (!rc && number < 1)
        rc = fail(o, KKC_EINVAL, "InvalidValue", "number must be at least 1");
    if (!rc && number > OSRM_NEAREST_MAX)
        rc = fail(o, KKC_ETOOBIG, "TooBig", "number must be at most %d", OSRM_NEAREST_MAX);
    if (!rc)
        rc = check_coords(o);
    if (!rc)
        rc = snap_all(o);
    if (rc)
        return rc;
    nh = nearest_roads(o->g, o->ll, o->radius[0], &o->snaps[0], hits, (size_t)number);
    wps = json_array();
    json_array_append_new(wps, json_waypoint(&o->snaps[0]));
    for (size_t i = 1; i < nh; i++)
        json_array_append_new(wps, json_pack("{s:o, s:s, s:o}", "location",
                                             json_lonlat(hits[i].loc[0], hits[i].loc[1]), "name",
                                             graph_string(o->g, o->g->edge_name[hits[i].edge]),
                                             "distance", json_num(sqrt(hits[i].d2), 3)));
    *out = json_pack("{s:s, s:o}", "code", "Ok", "waypoints", wps);
    return KKC_OK;
}

/* ---------------------------------------------------------------- dispatch ----------------- */

void api_osrm_dispatch(const struct api_req *req, struct api_res *res)
{
    struct oreq o = {.r = req, .g = req->w->graph};
    json_t *body = NULL;
    enum kkc_code rc;

    if (strcmp(req->method, "OPTIONS") == 0) {
        res->status = 204;
        res->allow = "GET, HEAD, OPTIONS";
        return;
    }
    if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
        res->allow = "GET, HEAD, OPTIONS";
        api_error(res, KKC_EMETHOD, "only GET and HEAD are allowed here");
        return;
    }
    rc = parse_path(&o, req->path);
    if (!rc && o.svc == OSRM_ROUTE)
        rc = osrm_route(&o, &body);
    else if (!rc && o.svc == OSRM_TABLE)
        rc = osrm_table(&o, &body);
    else if (!rc)
        rc = osrm_nearest(&o, &body);
    if (rc)
        reply_error(res, &o);
    else
        api_reply(res, body);
    oreq_free(&o);
}
