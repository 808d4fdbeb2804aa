/* geo/road/import/car.c -- the rules of OSRM's car profile for one way or node (see car.h). */
#include "road/import/car.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* car.lua's speed caps (km/h) by surface, tracktype and smoothness; 0 closes the way. */
static const struct cap {
    const char *key, *value;
    double kmh;
} caps[] = {
    {"surface", "cement", 80},
    {"surface", "compacted", 80},
    {"surface", "fine_gravel", 80},
    {"surface", "paving_stones", 60},
    {"surface", "metal", 60},
    {"surface", "bricks", 60},
    {"surface", "grass", 40},
    {"surface", "wood", 40},
    {"surface", "sett", 40},
    {"surface", "grass_paver", 40},
    {"surface", "gravel", 40},
    {"surface", "unpaved", 40},
    {"surface", "ground", 40},
    {"surface", "dirt", 40},
    {"surface", "pebblestone", 40},
    {"surface", "tartan", 40},
    {"surface", "cobblestone", 30},
    {"surface", "clay", 30},
    {"surface", "earth", 20},
    {"surface", "stone", 20},
    {"surface", "rocky", 20},
    {"surface", "sand", 20},
    {"surface", "mud", 10},
    {"tracktype", "grade1", 60},
    {"tracktype", "grade2", 40},
    {"tracktype", "grade3", 30},
    {"tracktype", "grade4", 25},
    {"tracktype", "grade5", 20},
    {"smoothness", "intermediate", 80},
    {"smoothness", "bad", 40},
    {"smoothness", "very_bad", 20},
    {"smoothness", "horrible", 10},
    {"smoothness", "very_horrible", 5},
    {"smoothness", "impassable", 0},
};

static const char *const open_access[] = {"yes",     "motorcar",    "motor_vehicle",
                                          "vehicle", "permissive",  "designated",
                                          "hov",     "discouraged", NULL};
static const char *const closed_access[] = {"no",  "agricultural", "forestry", "emergency", "psv",
                                            "bus", "taxi",         "foot",     "bicycle",   "horse",
                                            "hgv", "goods",        "military", NULL};
static const char *const restricted_access[] = {"private", "delivery", "destination", "customers",
                                                NULL};
static const char *const hierarchy[] = {"motorcar", "motor_vehicle", "vehicle", "access", NULL};

struct ctx { /* one evaluation */
    const struct profile *p;
    const readosm_way *w;
    car_report_fn report;
    void *ud;
};

static const char *wtag(const struct ctx *c, const char *key)
{
    return car_tag(c->w->tags, c->w->tag_count, key);
}

/* Report a reason about the way being evaluated. */
__attribute__((format(printf, 2, 3))) static void say(const struct ctx *c, const char *fmt, ...)
{
    char buf[256];
    int n = snprintf(buf, sizeof buf, "way %lld: ", c->w->id);
    va_list ap;
    if (!c->report)
        return;
    va_start(ap, fmt);
    vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
    va_end(ap);
    c->report(c->ud, c->w->id, buf);
}

/* car.lua's Tags.get_forward_backward_by_set: for each key in order, key:forward /
 * key:backward, then key, until both directions have a value. */
static void by_set(const struct ctx *c, const char *const *keys, const char **fw, const char **bw)
{
    char k[64];
    *fw = *bw = NULL;
    for (; *keys && !(*fw && *bw); keys++) {
        snprintf(k, sizeof k, "%s:forward", *keys);
        if (!*fw)
            *fw = wtag(c, k);
        snprintf(k, sizeof k, "%s:backward", *keys);
        if (!*bw)
            *bw = wtag(c, k);
        const char *common = wtag(c, *keys);
        if (!*fw)
            *fw = common;
        if (!*bw)
            *bw = common;
    }
}

/* car.lua's blocked_ways, avoid and service_tag_forbidden: 1 when the whole way is dropped. */
static int blocked(const struct ctx *c, const char *hw)
{
    static const char *const building[] = {"no", "widening", "minor", NULL};
    const char *v;
    if ((v = wtag(c, "area")) && !strcmp(v, "yes"))
        return 1;
    if ((hw && !strcmp(hw, "construction")) ||
        ((v = wtag(c, "railway")) && !strcmp(v, "construction")))
        return 1;
    if (((v = wtag(c, "construction")) && !car_in(v, building)) || wtag(c, "proposed"))
        return 1;
    if ((v = wtag(c, "oneway")) && !strcmp(v, "reversible")) {
        say(c, "oneway=reversible, skipped");
        return 1;
    }
    return ((v = wtag(c, "impassable")) && !strcmp(v, "yes")) ||
           ((v = wtag(c, "status")) && !strcmp(v, "impassable"));
}

/* car.lua's restricted_highway_whitelist: the highways a restricted value keeps (else closes). */
static int restricted_class(const struct ctx *c)
{
    static const char *const whitelist[] = {
        "motorway",    "motorway_link",  "trunk",     "trunk_link",    "primary",
        "primary_link", "secondary",     "secondary_link", "tertiary", "tertiary_link",
        "residential", "living_street",  "unclassified", "service",    NULL};
    const char *hw = wtag(c, "highway");
    return hw && car_in(hw, whitelist);
}

/* Access of one direction: 1 open, 0 closed, 2 restricted, 3 private (see car.h). */
static int access_of(const struct ctx *c, const char *v)
{
    if (!v || car_in(v, open_access))
        return 1;
    if (car_in(v, restricted_access))
        return !restricted_class(c) ? 0 : strcmp(v, "private") == 0 ? 3 : 2;
    if (car_in(v, closed_access))
        return 0;
    say(c, "access=%s (motorcar .. access) not understood, open", v);
    return 1;
}

/* Emergency access of one direction (see car.h): em the emergency[:dir] value, car the car's
 * access value (motorcar .. access), psv the psv / bus value, f the car's access_of(). 1 open. */
static int emergency_of(const char *em, const char *car, const char *psv, int f, int em_way)
{
    static const char *const em_open[] = {"yes", "designated", "permissive", "official", NULL};
    static const char *const psv_open[] = {"yes", "designated", "permissive", NULL};
    if (em)
        return car_in(em, em_open) ? 1 : strcmp(em, "no") == 0 ? 0 : f > 0 || em_way;
    if (em_way || (car && strcmp(car, "emergency") == 0))
        return 1;
    return f > 0 || (psv && car_in(psv, psv_open));
}

/* 1 when one direction is closed by the vehicle's size: height, width, length, weight. */
static int too_big(const struct ctx *c, const char *h, const char *wd, const char *l, const char *t)
{
    const struct profile *p = c->p;
    double v;
    if (h && car_metres(h, &v) && v < p->vehicle_height_m)
        return 1;
    if (wd && car_metres(wd, &v) && v <= p->vehicle_width_m)
        return 1;
    if (l && car_metres(l, &v) && v < p->vehicle_length_m)
        return 1;
    return t && car_kilograms(t, &v) && v < p->vehicle_weight_kg;
}

/* Access, restriction and size limits of both directions into out. */
static void access_both(const struct ctx *c, struct car_way *out)
{
    static const char *const height[] = {"maxheight:physical", "maxheight", NULL};
    static const char *const width[] = {"maxwidth:physical", "maxwidth", "width", "est_width",
                                        NULL};
    static const char *const length[] = {"maxlength", NULL};
    static const char *const weight[] = {"maxweight", NULL};
    static const char *const emergency[] = {"emergency", NULL};
    static const char *const psv[] = {"psv", "bus", NULL};
    const char *af, *ab, *hf, *hb, *wf, *wb, *lf, *lb, *tf, *tb, *ef, *eb, *pf, *pb, *v;
    int em_way = (v = wtag(c, "service")) && !strcmp(v, "emergency_access");

    by_set(c, hierarchy, &af, &ab);
    by_set(c, emergency, &ef, &eb);
    by_set(c, psv, &pf, &pb);
    by_set(c, height, &hf, &hb);
    by_set(c, width, &wf, &wb);
    by_set(c, length, &lf, &lb);
    by_set(c, weight, &tf, &tb);
    int f = access_of(c, af), b = ab == af ? f : access_of(c, ab);
    int big_f = too_big(c, hf, wf, lf, tf), big_b = too_big(c, hb, wb, lb, tb);
    out->forward = !em_way && f > 0 && !big_f;
    out->backward = !em_way && b > 0 && !big_b;
    out->emergency_fwd = emergency_of(ef, af, pf, f, em_way) && !big_f;
    out->emergency_bwd = emergency_of(eb, ab, pb, b, em_way) && !big_b;
    out->restricted_fwd = (uint8_t)(f >= 2 ? f - 1 : 0);
    out->restricted_bwd = (uint8_t)(b >= 2 ? b - 1 : 0);
}

/* car.lua's oneway handler (oneway:motorcar .. oneway, then the implied one-ways). */
static void oneway(const struct ctx *c, const char *hw, struct car_way *out)
{
    static const char *const keys[] = {"oneway:motorcar", "oneway:motor_vehicle", "oneway:vehicle",
                                       "oneway", NULL};
    static const char *const yes[] = {"yes", "true", "1", NULL};
    static const char *const rev[] = {"-1", "reverse", NULL};
    static const char *const both[] = {"no", "false", "0", "alternating", NULL};
    const char *v = NULL;

    for (const char *const *k = keys; *k && !v; k++)
        v = wtag(c, *k);
    if (v && car_in(v, yes))
        out->backward = out->emergency_bwd = 0;
    else if (v && car_in(v, rev))
        out->forward = out->emergency_fwd = 0;
    else if (!v || !car_in(v, both)) {
        if (v)
            say(c, "oneway=%s not understood, ignored", v);
        if (out->roundabout || (hw && (!strcmp(hw, "motorway") || !strcmp(hw, "motorway_link"))))
            out->backward = out->emergency_bwd = 0;
    }
}

/* Speed of one direction: class speed, maxspeed (value mx), then the surface caps. */
static double speed_of(const struct ctx *c, int cls, const char *mx)
{
    double kmh = c->p->cls[cls].kmh, lim = 0;
    int r = mx ? car_maxspeed(mx, &lim) : 0;
    if (r < 0)
        say(c, "maxspeed=%s not understood, class speed used", mx);
    if (r > 0)
        kmh = lim * c->p->maxspeed_factor;
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        const char *v = wtag(c, caps[i].key);
        if (v && !strcmp(v, caps[i].value) && caps[i].kmh < kmh)
            kmh = caps[i].kmh;
    }
    return kmh;
}

/* Ferries and shuttle trains: route speed, or duration=* for the whole way. */
static void route_speed(const struct ctx *c, int cls, struct car_way *out)
{
    const char *d = wtag(c, "duration");
    out->kmh_fwd = out->kmh_bwd = c->p->cls[cls].kmh;
    if (d && !car_duration(d, &out->duration_s)) {
        say(c, "duration=%s is not a time, route speed used", d);
        out->duration_s = 0;
    }
    if (out->duration_s > 0 && out->duration_s < 1)
        out->duration_s = 1;
}

enum car_verdict car_way_eval(const struct profile *p, const readosm_way *w, struct car_way *out,
                              car_report_fn report, void *ud)
{
    static const char *const routes[] = {"ferry", "shuttle_train", NULL};
    static const char *const ring[] = {"roundabout", "circular", NULL};
    struct ctx c = {p, w, report, ud};
    const char *hw = wtag(&c, "highway"), *route = wtag(&c, "route"), *j = wtag(&c, "junction");
    const char *mf, *mb;
    static const char *const maxkeys[] = {"maxspeed:advisory", "maxspeed", "source:maxspeed",
                                          "maxspeed:type", NULL};
    int cls = hw ? profile_find(p, hw) : -1, is_route = 0;

    if (cls < 0 && route && car_in(route, routes) && (cls = profile_find(p, route)) >= 0)
        is_route = 1;
    if (cls < 0)
        return CAR_NOT_ROAD;
    memset(out, 0, sizeof *out);
    out->cls = cls;
    out->roundabout = j && car_in(j, ring);
    if (blocked(&c, hw))
        return CAR_EXCLUDED;
    access_both(&c, out);
    oneway(&c, is_route ? NULL : hw, out);
    if (is_route) {
        route_speed(&c, cls, out);
    } else {
        by_set(&c, maxkeys, &mf, &mb);
        out->kmh_fwd = speed_of(&c, cls, mf);
        out->kmh_bwd = mb == mf ? out->kmh_fwd : speed_of(&c, cls, mb);
    }
    out->forward = out->forward && out->kmh_fwd > 0;
    out->backward = out->backward && out->kmh_bwd > 0;
    out->emergency_fwd = out->emergency_fwd && out->kmh_fwd > 0;
    out->emergency_bwd = out->emergency_bwd && out->kmh_bwd > 0;
    if (out->forward || out->backward)
        return CAR_KEPT;
    return out->emergency_fwd || out->emergency_bwd ? CAR_EMERGENCY_ONLY : CAR_EXCLUDED;
}

unsigned car_node_eval(const struct profile *p, const readosm_node *nd)
{
    static const char *const whitelist[] = {
        "cattle_grid", "border_control", "toll_booth",        "sally_port", "gate", "lift_gate",
        "no",          "entrance",       "height_restrictor", "arch",       NULL};
    const readosm_tag *t = nd->tags;
    int n = nd->tag_count;
    const char *hw = car_tag(t, n, "highway"), *a = NULL, *b, *v;
    unsigned flags = hw && !strcmp(hw, "traffic_signals") ? CAR_NODE_SIGNALS : 0;
    double h;

    for (const char *const *k = hierarchy; *k && !a; k++)
        a = car_tag(t, n, *k);
    if (a)
        return flags | (car_in(a, closed_access) ? CAR_NODE_BARRIER : 0);
    if (!(b = car_tag(t, n, "barrier")))
        return flags;
    if (!strcmp(b, "height_restrictor") && (v = car_tag(t, n, "maxheight")) && car_metres(v, &h) &&
        h < p->vehicle_height_m)
        return flags | CAR_NODE_BARRIER;
    if (car_in(b, whitelist))
        return flags;
    if ((v = car_tag(t, n, "bollard")) && !strcmp(v, "rising"))
        return flags;
    if ((v = car_tag(t, n, "kerb")) && (!strcmp(v, "lowered") || !strcmp(v, "flush")))
        return flags;
    if (!strcmp(b, "kerb") && hw && !strcmp(hw, "crossing"))
        return flags;
    return flags | CAR_NODE_BARRIER;
}

unsigned car_node_emergency(const readosm_node *nd, unsigned flags)
{
    static const char *const em_open[] = {"yes", "designated", "permissive", "official", NULL};
    const char *em = car_tag(nd->tags, nd->tag_count, "emergency"), *a = NULL;
    if (!(flags & CAR_NODE_BARRIER))
        return 0;
    if (em)
        return car_in(em, em_open) ? CAR_NODE_EMERGENCY : 0;
    for (const char *const *k = hierarchy; *k && !a; k++)
        a = car_tag(nd->tags, nd->tag_count, *k);
    return a && strcmp(a, "emergency") == 0 ? CAR_NODE_EMERGENCY : 0;
}
