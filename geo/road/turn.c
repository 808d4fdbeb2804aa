/* geo/road/turn.c -- the build of the turn-aware graph (contract in turn.h). */
#include "road/turn_int.h"
#include "base/store.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void turn_costs_default(struct turn_costs *c)
{
    c->turn_penalty_s = 7.5; /* car.lua turn_penalty */
    c->turn_bias = 1.075;    /* car.lua turn_bias, right-hand traffic */
    c->u_turn_s = 20;        /* car.lua properties.u_turn_penalty */
    c->signal_s = 2;         /* car.lua properties.traffic_light_penalty */
    c->no_u_turns = 0;
    c->free_restricted = 0;
}

enum kkc_code turn_costs_load(struct store *st, struct turn_costs *c, struct kkc_err *err)
{
    static const char *keys[] = {"turn_penalty", "turn_bias", "u_turn_penalty",
                                 "traffic_signal_penalty"};
    double *vals[] = {&c->turn_penalty_s, &c->turn_bias, &c->u_turn_s, &c->signal_s};
    const char *env = getenv("KKC_TURN_COSTS");
    turn_costs_default(c);
    for (size_t i = 0; i < 4; i++) {
        char buf[64], *end;
        if (store_meta_get(st, keys[i], buf, sizeof buf, NULL) != KKC_OK)
            continue;
        double v = strtod(buf, &end);
        if (end == buf || *end || !(v >= 0) || v > 1e5)
            return kkc_err_set(err, KKC_EINVAL, "meta %s: not a number 0..100000: %.20s", keys[i],
                               buf);
        *vals[i] = v;
    }
    if (env && !strcmp(env, "off"))
        c->turn_penalty_s = c->u_turn_s = c->signal_s = 0, c->free_restricted = 1;
    return KKC_OK;
}

double turn_cost_s(const struct turn_costs *c, double angle, int roads, int u_turn, int signals)
{
    double d = signals ? c->signal_s : 0, p = c->turn_penalty_s, b = c->turn_bias;
    if (roads > 2 || u_turn) {
        if (angle >= 0)
            d += p / (1 + exp(-((13 / b) * angle / 180 - 6.5 * b)));
        else
            d += p / (1 + exp(-((13 * b) * -angle / 180 - 6.5 / b)));
        if (u_turn)
            d += c->u_turn_s;
    }
    return d;
}

/* Bearing in degrees (clockwise from north) from point i to point j of g->coords. */
static double bearing(const struct graph *g, uint32_t i, uint32_t j)
{
    double kx, ky;
    graph_metres_per_degree(g->coords[2 * i + 1], &kx, &ky);
    double dx = (g->coords[2 * j] - g->coords[2 * i]) * kx;
    double dy = (g->coords[2 * j + 1] - g->coords[2 * i + 1]) * ky;
    return atan2(dx, dy) * 180 / M_PI;
}

/* The angle (degrees, > 0 right, in (-180, 180]) of the turn from segment a onto segment b. */
static double turn_angle(const struct graph *g, uint32_t a, uint32_t b)
{
    uint32_t ea = a >> 1, eb = b >> 1;
    uint32_t af = g->edge_coord_first[ea], al = g->edge_coord_first[ea + 1] - 1;
    uint32_t bf = g->edge_coord_first[eb], bl = g->edge_coord_first[eb + 1] - 1;
    double in = a & 1 ? bearing(g, af + 1, af) : bearing(g, al - 1, al);
    double out = b & 1 ? bearing(g, bl, bl - 1) : bearing(g, bf, bf + 1);
    double d = fmod(out - in + 540.0, 360.0) - 180.0;
    return d <= -180 ? 180 : d;
}

/* Roads at node v: the distinct roads of its arcs, one per OSM way and neighbour (a way stored as
 * one row per direction is one road). */
static int roads_at(const struct graph *g, const struct tr_rules *r, uint32_t v)
{
    long long seen_way[16];
    uint32_t seen_end[16];
    int n = 0;
    for (int in = 0; in < 2; in++) {
        const uint32_t *first = in ? g->in_first : g->out_first;
        const struct graph_arc *arcs = in ? g->in : g->out;
        for (uint32_t j = first[v]; j < first[v + 1]; j++) {
            uint32_t e = arcs[j].edge >> 1, end = arcs[j].node;
            int dup = 0;
            for (int k = 0; k < n; k++)
                dup |= seen_way[k] == r->way[e] && seen_end[k] == end;
            if (!dup && n < 16)
                seen_way[n] = r->way[e], seen_end[n++] = end;
        }
    }
    return n;
}

struct build { /* the arcs as they are made */
    const struct graph *g;
    const struct turn_costs *c;
    const struct tr_rules *r;
    struct turn_graph *t;
    uint32_t *path_first; /* routing node of each path's first copy */
    size_t narcs, cap;
    uint32_t *em_first, *em_seg; /* emergency-only segments by tail (emergency_segments) */
};

/* Append arc (head, turn ms, weight, TURN_ARC_* flags). Returns 0 or -1 out of memory. */
static int arc_push(struct build *b, uint32_t head, uint32_t turn, uint32_t w, uint8_t flags)
{
    struct turn_graph *t = b->t;
    if (b->narcs == b->cap) {
        size_t c = b->cap ? b->cap * 2 : 4096;
        uint32_t *h = realloc(t->head, c * sizeof *h), *tm, *wt;
        uint8_t *fl;
        if (h)
            t->head = h;
        tm = h ? realloc(t->turn_ms, c * sizeof *tm) : NULL;
        if (tm)
            t->turn_ms = tm;
        wt = tm ? realloc(t->weight, c * sizeof *wt) : NULL;
        if (wt)
            t->weight = wt;
        fl = wt ? realloc(t->arc_flags, c) : NULL;
        if (!fl)
            return -1;
        t->arc_flags = fl, b->cap = c;
    }
    t->head[b->narcs] = head, t->turn_ms[b->narcs] = turn, t->arc_flags[b->narcs] = flags;
    t->weight[b->narcs++] = w;
    return 0;
}

/* Where the turn s -> seg leads from routing node x: seg itself, a path copy, or GRAPH_NONE when
 * a via-way restriction forbids it. */
static uint32_t turn_target(const struct build *b, uint32_t x, uint32_t s, uint32_t seg)
{
    const struct tr_rules *r = b->r;
    if (x < b->t->base) {
        for (size_t k = 0; k < r->npaths; k++)
            if (r->paths[k].from == s && r->paths[k].segs[0] == seg)
                return b->path_first[k];
        return seg;
    }
    size_t k = 0; /* the path of copy x */
    while (k + 1 < r->npaths && b->path_first[k + 1] <= x)
        k++;
    const struct tr_path *p = &r->paths[k];
    uint32_t i = x - b->path_first[k];
    if (i + 1 < p->n)
        return seg == p->segs[i + 1] ? x + 1 : seg;
    if (p->only)
        return seg == p->to ? seg : GRAPH_NONE;
    return seg == p->to ? GRAPH_NONE : seg;
}

/* 1 when seg drives back over s: the other direction of s's edge, or of a twin edge (a way whose
 * directions differ, in speed or access, is stored as one row per direction): the same OSM way,
 * back to s's tail, its first piece retracing s's last one. */
static int turns_back(const struct build *b, uint32_t s, uint32_t seg)
{
    const struct graph *g = b->g;
    if (seg == (s ^ 1u))
        return 1;
    uint32_t tail_s = s & 1 ? g->edge_target[s >> 1] : g->edge_source[s >> 1];
    return b->r->way[seg >> 1] == b->r->way[s >> 1] && tr_seg_head(g, seg) == tail_s &&
           fabs(turn_angle(g, s, seg)) > 179.9;
}

/* The turn from routing node x (driving s) onto segment seg at node v, unless forbidden; nout is
 * the number of the car's roads out of v, roads its roads (turn costs count the car's roads:
 * an emergency-only one changes nothing for the car). 0, or -1 out of memory. */
static int turn_onto(struct build *b, uint32_t x, uint32_t s, uint32_t seg, uint32_t v,
                     uint32_t nout, int roads)
{
    const struct graph *g = b->g;
    const struct tr_rules *r = b->r;
    uint32_t head;
    int u = turns_back(b, s, seg);
    int penalize = b->c && !b->c->no_u_turns && !b->c->free_restricted;
    uint64_t key = (uint64_t)s << 32 | seg;
    if ((u && b->c && b->c->no_u_turns) || tr_has(r->forbid, r->nforbid, key) ||
        (tr_has(r->only_from, r->nonly_from, s) && !tr_has(r->only, r->nonly, key)))
        return 0;
    if ((head = turn_target(b, x, s, seg)) == GRAPH_NONE)
        return 0;
    double ts = b->c ? turn_cost_s(b->c, turn_angle(g, s, seg), roads, u, r->signals[v]) : 0;
    uint32_t tms = (uint32_t)llround(ts * 1000);
    /* a u-turn where other roads leave: latent, open when closures leave none (tnet.c) */
    uint8_t fl = (uint8_t)((u && nout > 1 ? TURN_ARC_LATENT : 0) |
                           (penalize && !(g->edge_flags[s >> 1] & GRAPH_RESTRICTED) &&
                                    (g->edge_flags[seg >> 1] & GRAPH_RESTRICTED)
                                ? TURN_ARC_RESTRICT
                                : 0));
    uint32_t w = fl & TURN_ARC_LATENT ? UINT32_MAX : tms + graph_cost_ms(g->edge_cost[seg >> 1]);
    return arc_push(b, head, tms, w, fl);
}

/* The arcs out of routing node x (driving segment s, open to the car or to emergency vehicles):
 * onto the car's roads out of its head, then onto the emergency-only ones. */
static int node_arcs(struct build *b, uint32_t x, uint32_t s)
{
    const struct graph *g = b->g;
    uint32_t e = s >> 1, v = tr_seg_head(g, s);
    int dir_ok = g->edge_flags[e] & (s & 1 ? GRAPH_BACKWARD | GRAPH_EMERGENCY_BACKWARD
                                           : GRAPH_FORWARD | GRAPH_EMERGENCY_FORWARD);
    uint32_t nout = g->out_first[v + 1] - g->out_first[v];
    int roads = roads_at(g, b->r, v);

    for (uint32_t j = g->out_first[v]; dir_ok && j < g->out_first[v + 1]; j++)
        if (turn_onto(b, x, s, g->out[j].edge, v, nout, roads))
            return -1;
    for (uint32_t j = b->em_first[v]; dir_ok && j < b->em_first[v + 1]; j++)
        if (turn_onto(b, x, s, b->em_seg[j], v, nout, roads))
            return -1;
    return 0;
}

/* The segments only emergency vehicles may drive (GRAPH_EMERGENCY_* without the car's
 * direction), by tail node: b->em_seg[b->em_first[v] .. b->em_first[v + 1]). */
static enum kkc_code emergency_segments(struct build *b, struct kkc_err *err)
{
    const struct graph *g = b->g;
    uint32_t n = g->node_count, k = 0;
    b->em_first = calloc((size_t)n + 2, sizeof *b->em_first);
    for (int pass = 0; b->em_first && pass < 2; pass++) {
        for (uint32_t e = 0; e < g->edge_count; e++)
            for (uint32_t r = 0; r < 2; r++) {
                uint8_t f = g->edge_flags[e];
                if (!(f & (r ? GRAPH_EMERGENCY_BACKWARD : GRAPH_EMERGENCY_FORWARD)) ||
                    (f & (r ? GRAPH_BACKWARD : GRAPH_FORWARD)))
                    continue;
                uint32_t tail = r ? g->edge_target[e] : g->edge_source[e];
                if (pass == 0)
                    b->em_first[tail + 2]++, k++;
                else
                    b->em_seg[b->em_first[tail + 1]++] = e << 1 | r;
            }
        if (pass == 0) {
            for (uint32_t v = 0; v < n; v++)
                b->em_first[v + 2] += b->em_first[v + 1];
            if (!(b->em_seg = malloc(((size_t)k + 1) * sizeof *b->em_seg)))
                break;
        }
    }
    if (!b->em_first || !b->em_seg)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (turn graph)");
    return KKC_OK;
}

/* Number the path copies and make every node's arcs. */
static enum kkc_code build_arcs(struct build *b, struct kkc_err *err)
{
    struct turn_graph *t = b->t;
    uint32_t n = t->base;
    b->path_first = malloc((b->r->npaths + 1) * sizeof *b->path_first);
    if (!b->path_first)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (turn graph)");
    for (size_t k = 0; k < b->r->npaths; k++)
        b->path_first[k] = n, n += b->r->paths[k].n;
    t->n = n;
    t->first_out = malloc(((size_t)n + 1) * sizeof *t->first_out);
    t->seg = malloc(((size_t)n ? n : 1) * sizeof *t->seg);
    if (!t->first_out || !t->seg)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (turn graph)");
    for (uint32_t x = 0; x < t->base; x++)
        t->seg[x] = x;
    for (size_t k = 0; k < b->r->npaths; k++)
        for (uint32_t i = 0; i < b->r->paths[k].n; i++)
            t->seg[b->path_first[k] + i] = b->r->paths[k].segs[i];
    for (uint32_t x = 0; x < n; x++) {
        t->first_out[x] = b->narcs;
        if (node_arcs(b, x, t->seg[x]))
            return kkc_err_set(err, KKC_ENOMEM, "out of memory (turn arcs)");
    }
    t->first_out[n] = b->narcs;
    return KKC_OK;
}

enum kkc_code turn_build(struct store *st, const struct graph *g, const struct turn_costs *c,
                         struct turn_graph **out, struct kkc_err *err)
{
    struct tr_rules r = {0};
    struct turn_graph *t = calloc(1, sizeof *t);
    struct build b = {.g = g, .c = c, .r = &r, .t = t};
    enum kkc_code rc;

    *out = NULL;
    if (!t)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (turn graph)");
    if ((uint64_t)g->edge_count * 2 >= UINT32_MAX / 2) {
        free(t);
        return kkc_err_set(err, KKC_ETOOBIG, "turn graph: too many edges");
    }
    t->base = g->edge_count * 2;
    rc = tr_rules_load(st, g, &r, err);
    if (!rc)
        rc = emergency_segments(&b, err);
    if (!rc)
        rc = build_arcs(&b, err);
    if (!rc)
        rc = turn_index(t, err);
    if (!rc)
        rc = turn_twins(t, g, r.way, err);
    t->restrictions = r.applied;
    t->skipped = r.skipped;
    tr_rules_free(&r);
    free(b.path_first), free(b.em_first), free(b.em_seg);
    if (rc) {
        turn_destroy(t);
        return rc;
    }
    *out = t;
    return KKC_OK;
}

void turn_destroy(struct turn_graph *t)
{
    if (!t)
        return;
    free(t->first_out), free(t->head), free(t->weight), free(t->turn_ms), free(t->seg);
    free(t->arc_flags);
    free(t->in_first), free(t->in_arc), free(t->in_tail), free(t->copy_node);
    free(t->twin);
    free(t);
}

void turn_csr(const struct turn_graph *t, uint32_t *n, const uint64_t **first_out,
              const uint32_t **head, const uint32_t **weight)
{
    *n = t->n;
    *first_out = t->first_out;
    *head = t->head;
    *weight = t->weight;
}
