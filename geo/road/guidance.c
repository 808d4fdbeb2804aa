/* geo/road/guidance.c -- the turn instructions of one route leg (see guidance.h).
 *
 * A leg is walked piece by piece: at each boundary between two pieces the junction is described
 * (the roads meeting there, by bearing), then a roundabout, a ramp or a plain maneuver is decided
 * from it; a maneuver closes the current step and opens the next. Bearings are those of the
 * route's own geometry, as OSRM computes them. */
#include "road/guidance.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>


/* ---------------------------------------------------------------- geometry ----------------- */

int guide_bearing(const double *a, const double *b)
{
    return graph_bearing(a, b);
}

/* Bearing change from `from` to `to` in (-180, 180]: positive turns right. */
static int turn_delta(int from, int to)
{
    int d = ((to - from) % 360 + 360) % 360;
    return d > 180 ? d - 360 : d;
}

static void isect_add(struct guide_isect *x, uint32_t key, int entry)
{
    for (int i = 0; i < x->n; i++)
        if (x->key[i] == key) {
            x->entry[i] |= (unsigned char)entry;
            return;
        }
    if (x->n == GUIDE_ISECT_ROADS_MAX)
        return;
    x->key[x->n] = key;
    x->entry[x->n] = (unsigned char)entry;
    x->bearing[x->n++] = 0;
}

/* The intersection at node v reached along road in_key and left along road out_key; roads
 * sorted by bearing as OSRM lists them. */
static void isect_build(const struct graph *g, uint32_t v, uint32_t in_key, uint32_t out_key,
                        struct guide_isect *x)
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
        x->bearing[i] = graph_road_bearing(g, x->key[i], x->loc);
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

/* ---------------------------------------------------------------- maneuvers ---------------- */

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
static int maneuver_decide(const struct guide_isect *x, int renamed, int named, struct guide_maneuver *m)
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
 * GUIDE_ROTARY_RADIUS_M. Returns the name's string id for a rotary, 0 for a roundabout (also when the
 * ring forks or does not close within GUIDE_RING_EDGES_MAX edges). */
static uint32_t rotary_name_of(const struct graph *g, uint32_t v)
{
    uint32_t at = v, name = 0, n = 0, e;
    double len = 0;

    do {
        if (n++ == GUIDE_RING_EDGES_MAX || (e = ring_next(g, at, &at)) == GRAPH_NONE)
            return 0;
        if (g->edge_name[e] && name && g->edge_name[e] != name)
            return 0;
        if (g->edge_name[e])
            name = g->edge_name[e];
        len += g->edge_length_m[e];
    } while (at != v);
    if (!name || len / (2 * M_PI) <= GUIDE_ROTARY_RADIUS_M)
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
static const char *ramp_modifier(const struct guide_isect *x, int before, int delta)
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
static const char *merge_modifier(const struct graph *g, uint32_t v, const struct guide_isect *x,
                                  uint32_t ein, uint32_t eout, int after)
{
    int link_cw = x->in >= 0 ? (x->bearing[x->in] - after + 360) % 360 : 180;
    int main_cw = 180, best = 360;

    for (uint32_t a = g->in_first[v]; a < g->in_first[v + 1]; a++) {
        int cw = (graph_road_bearing(g, g->in[a].edge ^ 1u, x->loc) - after + 360) % 360;
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
static int ramp_decide(const struct graph *g, uint32_t v, const struct guide_isect *x, uint32_t ein,
                       uint32_t eout, struct guide_maneuver *m)
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
    struct guide_maneuver m;
    size_t isect_first;   /* its first intersection in the leg's array */
    size_t named;         /* the piece whose name and ref the step carries */
    uint32_t rotary_name; /* string id of the rotary entered, 0: none */
};

struct leg_ctx {
    const struct graph *g;
    const struct route_result *rr;
    struct guide_leg *leg;
    size_t step_cap, isect_cap;
    int oom;        /* an allocation failed: the leg is incomplete */
    int ring_open;  /* the current step entered the roundabout the leg is on */
    int ring_exits; /* exits passed on that roundabout since entering it (or departing on it) */
};

/* Grow *p (of *cap elements of size sz) to hold n + 1; 0 when out of memory. */
static int grow(void **p, size_t *cap, size_t n, size_t sz)
{
    void *q;
    size_t c = *cap ? 2 * *cap : 16;
    if (n < *cap)
        return 1;
    if (!(q = realloc(*p, c * sz)))
        return 0;
    *p = q, *cap = c;
    return 1;
}

static void isect_push(struct leg_ctx *c, const struct guide_isect *x)
{
    struct guide_leg *l = c->leg;
    if (!grow((void **)&l->isects, &c->isect_cap, l->isect_count, sizeof *l->isects)) {
        c->oom = 1;
        return;
    }
    l->isects[l->isect_count++] = *x;
}

/* The one-road intersection of a depart (bearing out) or arrive (bearing in). */
static void isect_push_end(struct leg_ctx *c, const double *loc, int bearing, int arriving)
{
    struct guide_isect x = {{loc[0], loc[1]}, 1, arriving ? 0 : -1, arriving ? -1 : 0,
                            {0}, {bearing}, {1}};
    isect_push(c, &x);
}

/* Close the step in *s: its pieces end before piece `end`, its points at coordinate `last`. */
static void step_emit(struct leg_ctx *c, const struct step_acc *s, size_t end, size_t last)
{
    const struct route_result *rr = c->rr;
    const struct route_edge *pe =
        &rr->edges[s->named < rr->edge_count ? s->named : rr->edge_count - 1];
    struct guide_leg *l = c->leg;
    struct guide_step *st;

    if (!grow((void **)&l->steps, &c->step_cap, l->step_count, sizeof *l->steps)) {
        c->oom = 1;
        return;
    }
    st = &l->steps[l->step_count++];
    *st = (struct guide_step){s->first, end, s->coord, last, 0, 0,
                              graph_string(c->g, c->g->edge_name[pe->edge]),
                              graph_string(c->g, c->g->edge_ref[pe->edge]),
                              s->rotary_name ? graph_string(c->g, s->rotary_name) : NULL,
                              s->m, s->isect_first, l->isect_count - s->isect_first};
    for (size_t i = s->first; i < end; i++)
        st->distance_m += rr->edges[i].distance_m, st->duration_s += rr->edges[i].duration_s;
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
                       const struct guide_maneuver *m, const struct guide_isect *x)
{
    step_emit(c, s, i, k);
    *s = (struct step_acc){i, k, *m, c->leg->isect_count, i, 0};
    isect_push(c, x);
}

/* The boundary before piece i (coordinate k, node v, roads in_key and out_key, junction x) when
 * the leg enters, drives on or leaves a roundabout, as OSRM guides cars: entering starts a
 * roundabout (or rotary) step, its modifier the direction of entering; the exits passed on the
 * ring are counted; leaving gives that step its exit number and the name of the road taken, and
 * the step runs on to the next maneuver (no step of its own). Leaving a roundabout the leg did
 * not enter (it departed on the ring) starts an exit roundabout step with the exit number.
 * Returns 1 when it handled the boundary, 0 when neither piece is on a roundabout. */
static int ring_boundary(struct leg_ctx *c, struct step_acc *s, size_t i, size_t k, uint32_t v,
                         uint32_t in_key, uint32_t out_key, const struct guide_isect *x,
                         struct guide_maneuver *m)
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
            isect_push(c, x);
    } else if (c->ring_open) { /* leaving the roundabout this step entered */
        s->m.exit = ++c->ring_exits, s->named = i;
        isect_push(c, x);
        c->ring_open = 0;
    } else { /* leaving after departing on the ring */
        m->type = rotary_name_of(g, v) ? "exit rotary" : "exit roundabout";
        m->exit = ++c->ring_exits;
        step_start(c, s, i, k, m, x);
    }
    return 1;
}

/* The boundary before piece i of the leg: a new step when a driver needs an instruction there,
 * else the junction joins the current step (when it has other roads to tell). */
static void piece_boundary(struct leg_ctx *c, struct step_acc *s, size_t i, size_t last)
{
    const struct graph *g = c->g;
    const double *pts = c->rr->coords;
    size_t k = c->rr->edges[i].coord_first;
    uint32_t in_key, out_key, v = boundary(g, c->rr, i, &in_key, &out_key);
    struct guide_isect x;
    struct guide_maneuver m = {NULL, NULL, {pts[2 * k], pts[2 * k + 1]}, 0, 0, 0};
    uint32_t name = g->edge_name[out_key >> 1];
    int renamed = name != g->edge_name[in_key >> 1] ||
                  (!name && g->edge_ref[in_key >> 1] != g->edge_ref[out_key >> 1]);

    if (k == 0 || k >= last)
        return; /* a piece without length: nothing to describe */
    m.bearing_before = graph_end_bearing(g, in_key, pts + 2 * (k - 1), pts + 2 * k);
    m.bearing_after = graph_end_bearing(g, out_key, pts + 2 * k, pts + 2 * (k + 1));
    isect_build(g, v, in_key, out_key, &x);
    if (ring_boundary(c, s, i, k, v, in_key, out_key, &x, &m))
        return;
    if (!ramp_decide(g, v, &x, in_key >> 1, out_key >> 1, &m) &&
        !maneuver_decide(&x, renamed, name != 0, &m)) {
        if (x.n >= 3)
            isect_push(c, &x);
        return;
    }
    step_start(c, s, i, k, &m, &x);
}

enum kkc_code guidance_leg(const struct graph *g, const struct route_result *rr,
                           const struct snap *to, struct guide_leg *out, struct kkc_err *err)
{
    struct leg_ctx c = {g, rr, out, 0, 0, 0, 0, 0};
    const double *pts = rr->coords;
    size_t last = rr->coord_count - 1;
    struct step_acc s = {0, 0, {"depart", NULL, {pts[0], pts[1]}, 0, 0, 0}, 0, 0, 0};
    struct guide_maneuver arrive = {"arrive", NULL, {pts[2 * last], pts[2 * last + 1]}, 0, 0, 0};

    *out = (struct guide_leg){NULL, 0, NULL, 0};
    s.m.bearing_after = guide_bearing(pts, pts + 2);
    isect_push_end(&c, s.m.loc, s.m.bearing_after, 0);
    for (size_t i = 1; i < rr->edge_count; i++)
        piece_boundary(&c, &s, i, last);
    step_emit(&c, &s, rr->edge_count, last);
    arrive.bearing_before = last ? guide_bearing(pts + 2 * (last - 1), pts + 2 * last) : 0;
    arrive.modifier = last ? arrive_side(pts + 2 * (last - 1), pts + 2 * last, to) : NULL;
    s = (struct step_acc){rr->edge_count, last, arrive, out->isect_count, rr->edge_count, 0};
    isect_push_end(&c, arrive.loc, (arrive.bearing_before + 180) % 360, 1);
    step_emit(&c, &s, rr->edge_count, last);
    if (c.oom) {
        guide_leg_free(out);
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (guidance)");
    }
    return KKC_OK;
}

void guide_leg_free(struct guide_leg *leg)
{
    free(leg->steps);
    free(leg->isects);
    *leg = (struct guide_leg){NULL, 0, NULL, 0};
}
