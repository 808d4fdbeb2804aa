/* geo/road/turn_route.c -- plain Dijkstra between two snapped points on the turn-aware graph
 * (contract in turn.h). A search value is the cost of reaching the END of a routing node's
 * segment; the start pays the rest of its segment, the target subtracts what lies beyond it. A
 * point on a node (partial cost 0 to an end of its edge) is that node: it also starts on every
 * road out of it, and is reached at the end of every road into it (snap.h's rule). A point on
 * a twin row (turn.h: a way stored as one row per direction) lies on both rows: it starts,
 * ends and drives straight along either (its own mirrored fraction here, not snap_twin's). */
#include "road/turn_int.h"

#include <stdlib.h>
#include <string.h>

/* Cost (ms) from the snapped point to the head of directed segment s of its edge. */
static uint64_t rest_ms(const struct graph *g, const struct snap *p, uint32_t s)
{
    uint64_t whole = graph_cost_ms(g->edge_cost[p->edge]);
    uint64_t part = graph_cost_ms(snap_partial(g, p->edge, p->fraction));
    return s & 1 ? part : whole - part;
}

/* 1 when segment s of its edge may be driven. */
static int seg_open(const struct graph *g, uint32_t s)
{
    return (g->edge_flags[s >> 1] & (s & 1 ? GRAPH_BACKWARD : GRAPH_FORWARD)) != 0;
}

/* The node a snapped point lies on: partial cost (time and distance) 0 to an end of an edge of
 * nonzero cost; GRAPH_NONE when it lies inside its edge. */
static uint32_t on_node(const struct graph *g, const struct snap *p)
{
    graph_cost w = g->edge_cost[p->edge], part = snap_partial(g, p->edge, p->fraction);
    if (w == 0)
        return GRAPH_NONE;
    return part == 0 ? g->edge_source[p->edge] : part == w ? g->edge_target[p->edge] : GRAPH_NONE;
}

/* The snapped point p and, when its edge has a twin row (turn.h), the same place on the twin,
 * the fraction mirrored when the twin's source is p's edge's target: into q; returns 1 or 2. */
static int on_rows(const struct graph *g, const struct turn_graph *t, const struct snap *p,
                   struct snap q[2])
{
    uint32_t f = t->twin ? t->twin[p->edge] : GRAPH_NONE;
    q[0] = *p;
    if (f == GRAPH_NONE)
        return 1;
    q[1] = *p, q[1].edge = f;
    if (g->edge_source[f] != g->edge_source[p->edge])
        q[1].fraction = 1.0 - p->fraction;
    return 2;
}

/* Values: penalties (TURN_ARC_RESTRICT) above bit 40, milliseconds below: the order of graph.h. */
#define TR_PENALTY ((uint64_t)1 << 40)

/* The weight of arc a with its penalty (onto a road g still has restricted); UINT64_MAX for a
 * closed (latent) one. */
static uint64_t arc_w(const struct graph *g, const struct turn_graph *t, uint64_t a)
{
    if (t->weight[a] == UINT32_MAX)
        return UINT64_MAX;
    return t->weight[a] + (t->arc_flags[a] & TURN_ARC_RESTRICT &&
                                   g->edge_flags[t->seg[t->head[a]] >> 1] & GRAPH_RESTRICTED
                               ? TR_PENALTY
                               : 0);
}

struct search {
    uint64_t *dist;
    uint32_t *parent;
    struct graph_heap h;
};

/* Settle nodes until nothing cheaper than *best (a path reaching `to`) is left: values are the
 * cost at a segment's end, so the search goes on while they are below *best + the target edge. */
static int run(const struct graph *g, const struct turn_graph *t, struct search *q,
               const struct snap *to, uint64_t *best, uint32_t *best_node)
{
    uint32_t to_node = on_node(g, to);
    struct graph_heap_item it;
    struct snap tq[2];
    int nt = on_rows(g, t, to, tq);
    /* a value is the cost of a segment's END: a target point lies up to its whole edge before */
    uint64_t slack = graph_cost_ms(g->edge_cost[to->edge]);
    if (nt > 1 && graph_cost_ms(g->edge_cost[tq[1].edge]) > slack)
        slack = graph_cost_ms(g->edge_cost[tq[1].edge]);
    while (q->h.len) {
        graph_heap_pop(&q->h, &it);
        uint32_t x = it.node;
        if (it.key != q->dist[x])
            continue;
        if (*best != UINT64_MAX && it.key >= *best + slack)
            break;
        uint32_t s = t->seg[x];
        int row = s >> 1 == to->edge ? 0 : nt > 1 && s >> 1 == tq[1].edge ? 1 : -1;
        if (to_node != GRAPH_NONE && row < 0 && tr_seg_head(g, s) == to_node &&
            it.key < *best) /* a point on a node is there at the end of every road into it */
            *best = it.key, *best_node = x;
        if (row >= 0) { /* reach the target point on this segment (of its row or its twin) */
            uint64_t whole = graph_cost_ms(g->edge_cost[s >> 1]);
            uint64_t c = it.key - whole + (whole - rest_ms(g, &tq[row], s));
            if (c < *best)
                *best = c, *best_node = x;
        }
        for (uint64_t a = t->first_out[x]; a < t->first_out[x + 1]; a++) {
            uint32_t y = t->head[a];
            uint64_t w = arc_w(g, t, a), d = it.key + w;
            /* seg_open: not an emergency-only segment on a car's g */
            if (w != UINT64_MAX && d < q->dist[y] && seg_open(g, t->seg[y])) {
                q->dist[y] = d, q->parent[y] = x;
                if (graph_heap_push(&q->h, d, y, 0))
                    return -1;
            }
        }
    }
    return 0;
}

/* Seed the search with the turns out of start segment s (reached at cost c): the start segment
 * itself is reached again only by driving round (its own target is direct_ms's). */
static int seed(const struct graph *g, const struct turn_graph *t, struct search *q, uint32_t s,
                uint64_t c)
{
    for (uint64_t a = t->first_out[s]; a < t->first_out[s + 1]; a++) {
        uint32_t y = t->head[a];
        uint64_t w = arc_w(g, t, a), d = c + w;
        if (w != UINT64_MAX && d < q->dist[y] && seg_open(g, t->seg[y])) {
            q->dist[y] = d, q->parent[y] = s | 0x80000000u;
            if (graph_heap_push(&q->h, d, y, 0))
                return -1;
        }
    }
    return 0;
}

/* A point on a node also starts on every open road out of it (but its own edge), paying it. */
static int seed_node(const struct graph *g, const struct turn_graph *t, struct search *q,
                     const struct snap *from)
{
    uint32_t v = on_node(g, from), tw = t->twin ? t->twin[from->edge] : GRAPH_NONE;
    for (uint32_t j = v == GRAPH_NONE ? 0 : g->out_first[v];
         v != GRAPH_NONE && j < g->out_first[v + 1]; j++) {
        uint32_t s = g->out[j].edge;
        uint64_t d = graph_cost_ms(g->edge_cost[s >> 1]);
        if (s >> 1 == from->edge || s >> 1 == tw || !seg_open(g, s) || d >= q->dist[s])
            continue;
        q->dist[s] = d, q->parent[s] = s | 0x80000000u;
        if (graph_heap_push(&q->h, d, s, 0))
            return -1;
    }
    return 0;
}

/* The segments from the start to node x into out (reversed parent chain). */
static enum kkc_code unwind(const struct turn_graph *t, const struct search *q, uint32_t x,
                            struct turn_path *out, struct kkc_err *err)
{
    size_t n = 1;
    uint32_t y = x;
    while (!(q->parent[y] & 0x80000000u))
        y = q->parent[y], n++;
    out->segs = malloc((n + 1) * sizeof *out->segs);
    if (!out->segs)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (route)");
    out->nsegs = n + 1;
    out->segs[0] = q->parent[y] & 0x7fffffffu; /* the start segment */
    for (y = x; n > 0; y = q->parent[y])
        out->segs[n--] = t->seg[y];
    return KKC_OK;
}

#define TR_STAND_MAX 66 /* the rows of a point, or a node's edge ends (64 looked at) */

/* The places a point stands for in a drive along one edge, into q (up to TR_STAND_MAX): its rows
 * (on_rows) and, for a point on node v, v as the end of every edge at v (fraction 0 at the
 * source, 1 at the target; a loop's both ends), so that a drive along an edge into v stops at
 * the point and one out of v starts there, whatever road it was snapped onto. */
static int stand_for(const struct graph *g, const struct turn_graph *t, const struct snap *p,
                     struct snap q[TR_STAND_MAX])
{
    int n = on_rows(g, t, p, q);
    uint32_t v = on_node(g, p);
    for (int side = 0; v != GRAPH_NONE && side < 2; side++) {
        uint32_t lo = side ? g->in_first[v] : g->out_first[v];
        uint32_t hi = side ? g->in_first[v + 1] : g->out_first[v + 1];
        for (uint32_t j = lo; j < hi && n + 2 <= TR_STAND_MAX; j++) {
            uint32_t e = (side ? g->in[j].edge : g->out[j].edge) >> 1;
            for (int end = 0; end < 2; end++)
                if ((end ? g->edge_target[e] : g->edge_source[e]) == v)
                    q[n] = *p, q[n].edge = e, q[n++].fraction = end;
        }
    }
    return n;
}

/* Same edge (or twin rows, or an edge at the node a point lies on), a direction open from
 * `from` to `to`: drive along without turning; the least over the places both stand for. */
static uint64_t direct_ms(const struct graph *g, const struct turn_graph *t,
                          const struct snap *from, const struct snap *to, uint32_t *seg)
{
    struct snap f[TR_STAND_MAX], d[TR_STAND_MAX];
    int nf = stand_for(g, t, from, f), nd = stand_for(g, t, to, d);
    uint64_t best = UINT64_MAX;
    for (int i = 0; i < nf; i++)
        for (int j = 0; j < nd; j++) {
            uint32_t e = f[i].edge;
            if (e != d[j].edge)
                continue;
            int back = d[j].fraction < f[i].fraction;
            uint32_t s = e << 1 | (uint32_t)back;
            uint64_t a = graph_cost_ms(snap_partial(g, e, f[i].fraction));
            uint64_t b = graph_cost_ms(snap_partial(g, e, d[j].fraction));
            uint64_t c = back ? a - b : b - a;
            if (f[i].fraction == d[j].fraction) /* the same place: either way round */
                s = seg_open(g, e << 1) ? e << 1 : e << 1 | 1;
            if (seg_open(g, s) && c < best)
                best = c, *seg = s;
        }
    return best;
}

enum kkc_code turn_route(const struct graph *g, const struct turn_graph *t, const struct snap *from,
                         const struct snap *to, struct turn_path *out, struct kkc_err *err)
{
    struct search q = {0};
    uint64_t best = UINT64_MAX;
    uint32_t best_node = GRAPH_NONE, dseg = 0;
    enum kkc_code rc = KKC_OK;

    memset(out, 0, sizeof *out);
    q.dist = malloc((size_t)t->n * sizeof *q.dist);
    q.parent = malloc((size_t)t->n * sizeof *q.parent);
    if (!q.dist || !q.parent || graph_heap_reserve(&q.h, 1024, err)) {
        free(q.dist), free(q.parent), graph_heap_free(&q.h);
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (route)");
    }
    memset(q.dist, 0xff, (size_t)t->n * sizeof *q.dist);
    memset(q.parent, 0xff, (size_t)t->n * sizeof *q.parent);
    uint64_t direct = direct_ms(g, t, from, to, &dseg);
    struct snap fq[2];
    for (int i = 0, nf = on_rows(g, t, from, fq); i < nf; i++) /* its row, and its twin */
        for (uint32_t s = fq[i].edge << 1; !rc && s <= (fq[i].edge << 1 | 1); s++)
            if (seg_open(g, s) && seed(g, t, &q, s, rest_ms(g, &fq[i], s)))
                rc = kkc_err_set(err, KKC_ENOMEM, "out of memory (route)");
    if (!rc && seed_node(g, t, &q, from))
        rc = kkc_err_set(err, KKC_ENOMEM, "out of memory (route)");
    if (!rc && run(g, t, &q, to, &best, &best_node))
        rc = kkc_err_set(err, KKC_ENOMEM, "out of memory (route)");
    if (!rc && direct <= best) {
        out->ms = direct;
        out->segs = malloc(sizeof *out->segs);
        if (out->segs)
            out->segs[0] = dseg, out->nsegs = 1;
        else
            rc = kkc_err_set(err, KKC_ENOMEM, "out of memory (route)");
    } else if (!rc && best_node == GRAPH_NONE) {
        rc = kkc_err_set(err, KKC_ENOROUTE, "no route between the two points");
    } else if (!rc) {
        out->ms = best % TR_PENALTY, out->penalties = (uint32_t)(best / TR_PENALTY);
        rc = unwind(t, &q, best_node, out, err);
    }
    free(q.dist), free(q.parent), graph_heap_free(&q.h);
    return rc;
}
