/* geo/road/route_path.c -- the optimum of a route search (route.c) as pieces of edges, then the
 * result: pieces, steps (runs of one road) and the LineString. A piece's cost is what the search
 * paid for it: the rest of the start segment, then per turn arc the turn plus the segment driven,
 * the last one only up to the end point; so the pieces add up to the route's cost exactly. */
#include "road/route_int.h"
#include "road/road_ch.h"

#include <stdlib.h>
#include <string.h>

/* ---- pieces ---------------------------------------------------------------------------------- */

static struct pos pos_source(const struct graph *g, uint32_t e)
{
    uint32_t k = g->edge_coord_first[e];
    return (struct pos){k, g->coords[2 * k], g->coords[2 * k + 1]};
}

static struct pos pos_target(const struct graph *g, uint32_t e)
{
    uint32_t k = g->edge_coord_first[e + 1] - 1;
    return (struct pos){k - 1, g->coords[2 * k], g->coords[2 * k + 1]};
}

static struct pos pos_snap(const struct snap *s)
{
    return (struct pos){s->point, s->lon, s->lat};
}

/* Append a piece; returns 0 or -1 (out of memory). */
static int piece_add(struct route_ctx *c, struct piece p)
{
    if (c->npieces == c->cap_pieces) {
        struct piece *np = realloc(c->pieces, 2 * c->cap_pieces * sizeof *np);
        if (!np)
            return -1;
        c->pieces = np, c->cap_pieces *= 2;
    }
    c->pieces[c->npieces++] = p;
    return 0;
}

/* Reverse pieces[lo..hi). */
static void pieces_reverse(struct route_ctx *c, size_t lo, size_t hi)
{
    while (hi > lo + 1) {
        struct piece t = c->pieces[lo];
        c->pieces[lo++] = c->pieces[--hi];
        c->pieces[hi] = t;
    }
}

/* The piece of directed segment s from fraction f0 to f1 (0..1 from the edge's source), between
 * positions a and b, at cost c. */
static struct piece piece_seg(const struct graph *g, uint32_t s, graph_cost c)
{
    uint32_t e = s >> 1;
    int rev = (int)(s & 1);
    struct pos ps = pos_source(g, e), pt = pos_target(g, e);
    return (struct piece){e, rev, rev, !rev, c, rev ? pt : ps, rev ? ps : pt};
}

/* The start piece: from `from` to the head of segment s. */
static struct piece piece_start(const struct graph *g, const struct snap *from, uint32_t s)
{
    struct snap tmp;
    const struct snap *f = tnet_snap_on(g, from, s >> 1, &tmp); /* from, or on its twin row */
    struct piece p = piece_seg(g, s, tnet_rest(g, f, s));
    p.f0 = f->fraction, p.a = pos_snap(f);
    return p;
}

/* The end piece: along `whole` up to `to`, at cost c (the turn onto it and the part before to);
 * the whole piece when it is on another edge (it ends at the node `to` lies on). */
static struct piece piece_end(const struct graph *g, const struct snap *to, struct piece whole,
                              graph_cost c)
{
    struct snap tmp;
    const struct snap *t = tnet_snap_on(g, to, whole.edge, &tmp); /* to, or on its twin row */
    whole.cost = c;
    if (whole.edge == t->edge)
        whole.f1 = t->fraction, whole.b = pos_snap(t);
    return whole;
}

/* The hierarchy's optimum: start segment, the seed's segment, the unpacked arcs' heads. */
static int collect_ch(struct route_ctx *c, const struct snap *from, const struct snap *to,
                      uint64_t *arcs, size_t k, uint32_t s, uint32_t t)
{
    const struct graph *g = c->g;
    size_t si = 0, ti = 0;
    for (size_t i = 0; i < c->nsrc; i++)
        if (c->src[i].node == s && (c->src[si].node != s || c->src[i].cost < c->src[si].cost))
            si = i;
    for (size_t j = 0; j < c->ndst; j++)
        if (c->dst[j].node == t && (c->dst[ti].node != t || c->dst[j].cost < c->dst[ti].cost))
            ti = j;
    int at_node = tnet_seed_at_node(c->g, from, &c->src[si]), oom = 0;
    struct piece p0 = piece_start(g, from, c->src[si].seg);
    if (!at_node)
        oom = piece_add(c, p0);
    graph_cost prev = c->src[si].cost - (at_node ? 0 : p0.cost); /* the seed's own piece */
    uint32_t seg = g->turn->seg[s];
    for (size_t i = 0; !oom && i < k; i++) {
        oom = piece_add(c, piece_seg(g, seg, prev));
        prev = tnet_arc_cost(g, arcs[i]), seg = g->turn->seg[g->turn->head[arcs[i]]];
    }
    if (!oom)
        oom = piece_add(c, piece_end(g, to, piece_seg(g, seg, prev),
                                     prev + c->dst[ti].cost - c->offset));
    return oom;
}

/* What the search had paid before routing node x: its parent's value, or for a seed the rest
 * of its start segment. */
static graph_cost below(const struct route_ctx *c, const struct snap *from, uint32_t x)
{
    uint32_t p = c->st[x].pred;
    if (!(p & PRED_SEED))
        return c->st[p].dist;
    const struct tnet_seed *s = &c->src[p & ~PRED_SEED];
    return tnet_seed_at_node(c->g, from, s) ? 0 : tnet_rest(c->g, from, s->seg);
}

/* The A*'s optimum: unwind the parents from the target node, then reverse. */
static int collect_search(struct route_ctx *c, const struct snap *from, const struct snap *to)
{
    const struct graph *g = c->g;
    uint32_t x = c->best_node;
    graph_cost own = c->st[x].dist - below(c, from, x);
    int oom = piece_add(c, piece_end(g, to, piece_seg(g, g->turn->seg[x], 0),
                                     own + c->dst[c->best_dst].cost - c->offset));
    while (!oom && !(c->st[x].pred & PRED_SEED)) {
        x = c->st[x].pred;
        oom = piece_add(c, piece_seg(g, g->turn->seg[x], c->st[x].dist - below(c, from, x)));
    }
    const struct tnet_seed *s0 = &c->src[c->st[x].pred & ~PRED_SEED];
    if (!oom && !tnet_seed_at_node(c->g, from, s0))
        oom = piece_add(c, piece_start(g, from, s0->seg));
    pieces_reverse(c, 0, c->npieces);
    return oom;
}

/* The drive along one edge (tnet_direct: the points' common edge, or an edge at the junction one
 * of them lies on; one piece of 0 m for two points on one junction). */
static int collect_direct(struct route_ctx *c, const struct snap *from, const struct snap *to)
{
    const struct graph *g = c->g;
    struct snap f = *from, t = *to; /* the ends on the edge driven: theirs, or their twin's */
    graph_cost cost;
    tnet_direct(g, from, to, &cost, &f, &t);
    uint32_t e = f.edge;
    int fwd = (g->edge_flags[e] & GRAPH_FORWARD) && f.fraction <= t.fraction;
    return piece_add(c, (struct piece){e, !fwd, f.fraction, t.fraction, c->best, pos_snap(&f),
                                       pos_snap(&t)});
}

enum kkc_code route_collect(struct route_ctx *c, const struct snap *from, const struct snap *to,
                            struct kkc_err *err)
{
    int oom = 0;
    c->npieces = 0;
    if (c->best_kind == BEST_CH) {
        uint64_t *arcs = NULL;
        size_t k = 0;
        uint32_t s, t;
        enum kkc_code rc = cch_query_path(c->chq, c->g->ch->m, &arcs, &k, &s, &t, err);
        if (rc)
            return rc;
        oom = collect_ch(c, from, to, arcs, k, s, t);
        free(arcs);
    } else if (c->best_kind == BEST_DIRECT) {
        oom = collect_direct(c, from, to);
    } else {
        oom = collect_search(c, from, to);
    }
    if (oom)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (route path)");
    if (c->npieces > 1 && c->pieces[c->npieces - 1].cost == 0)
        c->npieces--;
    if (c->npieces > 1 && c->pieces[0].cost == 0)
        memmove(c->pieces, c->pieces + 1, --c->npieces * sizeof *c->pieces);
    return KKC_OK;
}

/* ---- result ---------------------------------------------------------------------------------- */

/* Append a point unless it repeats the last one. */
static void emit(struct route_result *r, double lon, double lat)
{
    if (r->coord_count && r->coords[2 * r->coord_count - 2] == lon &&
        r->coords[2 * r->coord_count - 1] == lat)
        return;
    r->coords[2 * r->coord_count] = lon;
    r->coords[2 * r->coord_count + 1] = lat;
    r->coord_count++;
}

/* Append the geometry of piece p and record its point range in re. */
static void emit_piece(const struct graph *g, struct route_result *r, const struct piece *p,
                       struct route_edge *re)
{
    emit(r, p->a.lon, p->a.lat);
    re->coord_first = r->coord_count - 1;
    if (!p->reverse)
        for (uint32_t k = p->a.k + 1; k <= p->b.k; k++)
            emit(r, g->coords[2 * k], g->coords[2 * k + 1]);
    else
        for (uint32_t k = p->a.k; k > p->b.k; k--)
            emit(r, g->coords[2 * k], g->coords[2 * k + 1]);
    emit(r, p->b.lon, p->b.lat);
    re->coord_last = r->coord_count - 1;
}

/* Whether piece i starts a new step (another name or ref than piece i - 1). */
static int new_step(const struct graph *g, const struct piece *ps, size_t i)
{
    return i == 0 || g->edge_name[ps[i].edge] != g->edge_name[ps[i - 1].edge] ||
           g->edge_ref[ps[i].edge] != g->edge_ref[ps[i - 1].edge];
}

/* One block for the result and its arrays, sized for c's pieces. */
static struct route_result *result_alloc(const struct graph *g, const struct route_ctx *c,
                                         int want_geometry, size_t *nsteps)
{
    size_t npts = 2, ne = c->npieces, bytes;
    struct route_result *r;
    *nsteps = 0;
    for (size_t i = 0; i < ne; i++) {
        uint32_t e = c->pieces[i].edge;
        npts += g->edge_coord_first[e + 1] - g->edge_coord_first[e] + 2;
        *nsteps += (size_t)new_step(g, c->pieces, i);
    }
    npts = want_geometry ? npts : 0;
    bytes = sizeof *r + ne * sizeof(struct route_edge) + *nsteps * sizeof(struct route_step) +
            2 * npts * sizeof(double);
    r = calloc(1, bytes);
    if (!r)
        return NULL;
    r->edges = (struct route_edge *)(r + 1);
    r->steps = (struct route_step *)(r->edges + ne);
    r->coords = want_geometry ? (double *)(r->steps + *nsteps) : NULL;
    return r;
}

/* Fill the result's pieces, steps and geometry from c's pieces. */
static void result_fill(const struct graph *g, const struct route_ctx *c, const struct snap *from,
                        const struct snap *to, struct route_result *r)
{
    struct route_step *st = NULL;
    if (r->coords)
        emit(r, from->lon, from->lat);
    for (size_t i = 0; i < c->npieces; i++) {
        const struct piece *p = &c->pieces[i];
        struct route_edge *re = &r->edges[r->edge_count++];
        *re = (struct route_edge){p->edge,
                                  p->reverse,
                                  p->f0,
                                  p->f1,
                                  graph_cost_metres(p->cost),
                                  graph_cost_seconds(p->cost),
                                  0,
                                  0};
        if (r->coords)
            emit_piece(g, r, p, re);
        if (new_step(g, c->pieces, i)) {
            st = &r->steps[r->step_count++];
            *st = (struct route_step){graph_string(g, g->edge_name[p->edge]),
                                      graph_string(g, g->edge_ref[p->edge]),
                                      0,
                                      0,
                                      i,
                                      0,
                                      re->coord_first,
                                      0};
        }
        st->distance_m += re->distance_m, st->duration_s += re->duration_s;
        st->edge_count++, st->coord_last = re->coord_last;
    }
    if (r->coords) {
        emit(r, to->lon, to->lat);
        if (r->coord_count == 1) /* a LineString needs two points */
            r->coords[2] = r->coords[0], r->coords[3] = r->coords[1], r->coord_count = 2;
        if (r->edge_count)
            r->edges[r->edge_count - 1].coord_last = r->coord_count - 1;
        if (st)
            st->coord_last = r->coord_count - 1;
    }
}

struct route_result *route_result_build(const struct graph *g, const struct route_ctx *c,
                                        const struct snap *from, const struct snap *to,
                                        int want_geometry)
{
    size_t nsteps;
    struct route_result *r = result_alloc(g, c, want_geometry, &nsteps);
    if (!r)
        return NULL;
    result_fill(g, c, from, to, r);
    r->distance_m = graph_cost_metres(c->best);
    r->duration_s = graph_cost_seconds(c->best);
    return r;
}
