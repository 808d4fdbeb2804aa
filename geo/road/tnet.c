/* geo/road/tnet.c -- searches on the turn-aware graph of a struct graph (contract in tnet.h). */
#include "road/tnet.h"

#include <stdlib.h>
#include <string.h>

#define TNET_COPIES_MAX 64 /* routing nodes per segment looked at (a segment and its copies) */

static inline graph_cost add_cost(graph_cost a, graph_cost b)
{
    return graph_cost_add(a, b);
}

graph_cost tnet_arc_cost(const struct graph *g, uint64_t a)
{
    const struct turn_graph *t = g->turn;
    uint32_t s = t->seg[t->head[a]];
    uint8_t fl = t->arc_flags[a];
    if (!tnet_seg_open(g, s))
        return GRAPH_COST_INF;
    if (fl & TURN_ARC_LATENT) { /* a u-turn at v: open when nothing else leaves v on g */
        uint32_t v = s & 1 ? g->edge_target[s >> 1] : g->edge_source[s >> 1];
        if (g->out_first[v + 1] - g->out_first[v] > 1)
            return GRAPH_COST_INF;
    }
    /* the penalty onto a restricted road, unless g drives it as unrestricted (a profile) */
    return graph_cost_make(t->turn_ms[a], 0) + g->edge_cost[s >> 1] +
           (fl & TURN_ARC_RESTRICT && g->edge_flags[s >> 1] & GRAPH_RESTRICTED
                ? GRAPH_COST_PENALTY
                : 0);
}

/* p, and p on its twin row when there is one (snap_twin): the snaps p lies on; returns 1 or 2. */
static int snaps_of(const struct graph *g, const struct snap *p, struct snap q[2])
{
    q[0] = *p;
    return 1 + snap_twin(g, p, &q[1]);
}

int tnet_on_edge(const struct graph *g, const struct snap *p, uint32_t e)
{
    return e == p->edge || e == turn_twin(g->turn, p->edge);
}

const struct snap *tnet_snap_on(const struct graph *g, const struct snap *p, uint32_t e,
                                struct snap *tmp)
{
    return e != p->edge && e == turn_twin(g->turn, p->edge) && snap_twin(g, p, tmp) ? tmp : p;
}

graph_cost tnet_rest(const struct graph *g, const struct snap *p, uint32_t s)
{
    struct snap tmp;
    const struct snap *q = tnet_snap_on(g, p, s >> 1, &tmp);
    graph_cost part = snap_partial(g, q->edge, q->fraction);
    return s & 1 ? part : g->edge_cost[q->edge] - part;
}

/* Append a seed when there is room; the count goes on regardless. */
static void put(struct tnet_seed *out, size_t cap, size_t *n, struct tnet_seed s)
{
    if (*n < cap)
        out[*n] = s;
    (*n)++;
}

uint32_t tnet_at_node(const struct graph *g, const struct snap *p)
{
    graph_cost w = g->edge_cost[p->edge], part = snap_partial(g, p->edge, p->fraction);
    if (w == 0)
        return GRAPH_NONE;
    return part == 0 ? g->edge_source[p->edge] : part == w ? g->edge_target[p->edge] : GRAPH_NONE;
}

/* How many arcs are at node v (out, then in); 0 for GRAPH_NONE. */
static uint32_t arcs_at(const struct graph *g, uint32_t v)
{
    if (v == GRAPH_NONE)
        return 0;
    return g->out_first[v + 1] - g->out_first[v] + g->in_first[v + 1] - g->in_first[v];
}

/* The edge of point i of those p (on node v, or GRAPH_NONE) stands for, its fraction into *f:
 * 0 is p itself; i >= 1 the end at v of the edge of v's arc i - 1 (out, then in). */
static uint32_t stand_edge(const struct graph *g, const struct snap *p, uint32_t v, uint32_t i,
                           double *f)
{
    uint32_t no = v == GRAPH_NONE ? 0 : g->out_first[v + 1] - g->out_first[v], s;
    int at_target;
    if (i == 0) {
        *f = p->fraction;
        return p->edge;
    }
    if (i - 1 < no) /* leaving v: forward from its source, backward from its target */
        s = g->out[g->out_first[v] + i - 1].edge, at_target = (int)(s & 1);
    else /* into v: forward at its target, backward at its source */
        s = g->in[g->in_first[v] + i - 1 - no].edge, at_target = !(s & 1);
    *f = at_target ? 1.0 : 0.0;
    return s >> 1;
}

/* Point i of stand_edge() as a snap into *q; 0, or -1 when it cannot be made. */
static int stand_snap(const struct graph *g, const struct snap *p, uint32_t i, uint32_t e,
                      double f, struct snap *q)
{
    if (i == 0) {
        *q = *p;
        return 0;
    }
    return snap_at(g, e, f, q, NULL) == KKC_OK ? 0 : -1;
}

int tnet_direct(const struct graph *g, const struct snap *from, const struct snap *to,
                graph_cost *cost, struct snap *f_used, struct snap *t_used)
{
    uint32_t vf = tnet_at_node(g, from), vt = tnet_at_node(g, to);
    uint32_t nf = 1 + arcs_at(g, vf), nt = 1 + arcs_at(g, vt);
    graph_cost best = GRAPH_COST_INF, c;
    struct snap f, t, fu, tu;
    for (uint32_t i = 0; i < nf; i++) {
        double ff, tf;
        uint32_t fe = stand_edge(g, from, vf, i, &ff);
        for (uint32_t j = 0; j < nt; j++) {
            uint32_t te = stand_edge(g, to, vt, j, &tf);
            if ((te != fe && te != turn_twin(g->turn, fe)) ||
                stand_snap(g, from, i, fe, ff, &f) || stand_snap(g, to, j, te, tf, &t) ||
                !snap_direct_on(g, &f, &t, &c, &fu, &tu) || c >= best)
                continue;
            best = c;
            if (f_used)
                *f_used = fu;
            if (t_used)
                *t_used = tu;
        }
    }
    if (best == GRAPH_COST_INF)
        return 0;
    *cost = best;
    return 1;
}

/* A point on node v also starts on every open segment leaving v (other than its own edge's),
 * at that segment's whole cost. */
static void node_starts(const struct graph *g, const struct snap *p, struct tnet_seed *out,
                        size_t cap, size_t *n)
{
    uint32_t v = tnet_at_node(g, p);
    for (uint32_t j = v == GRAPH_NONE ? 0 : g->out_first[v];
         v != GRAPH_NONE && j < g->out_first[v + 1]; j++) {
        uint32_t s = g->out[j].edge;
        if (!tnet_on_edge(g, p, s >> 1) && tnet_seg_open(g, s))
            put(out, cap, n, (struct tnet_seed){s, s, g->edge_cost[s >> 1]});
    }
}

/* Where p starts: each open direction s of its edge (and of its twin's) at the rest of s, and
 * for a point on a node every other open segment leaving it at its whole cost (node = seg = the
 * segment). */
static size_t tnet_starts(const struct graph *g, const struct snap *p, struct tnet_seed *out,
                          size_t cap)
{
    struct snap q[2];
    size_t n = 0;
    for (int i = 0, nq = snaps_of(g, p, q); i < nq; i++)
        for (uint32_t s = q[i].edge << 1; s <= (q[i].edge << 1 | 1); s++)
            if (tnet_seg_open(g, s))
                put(out, cap, &n, (struct tnet_seed){s, s, tnet_rest(g, &q[i], s)});
    node_starts(g, p, out, cap, &n);
    return n;
}

size_t tnet_sources(const struct graph *g, const struct snap *p, struct tnet_seed *out, size_t cap)
{
    const struct turn_graph *t = g->turn;
    struct snap q[2];
    size_t n = 0;
    node_starts(g, p, out, cap, &n);
    for (int i = 0, nq = snaps_of(g, p, q); i < nq; i++)
        for (uint32_t s = q[i].edge << 1; s <= (q[i].edge << 1 | 1); s++) {
            if (!tnet_seg_open(g, s))
                continue;
            graph_cost rest = tnet_rest(g, &q[i], s);
            for (uint64_t a = t->first_out[s]; a < t->first_out[s + 1]; a++) {
                graph_cost w = tnet_arc_cost(g, a);
                if (w != GRAPH_COST_INF)
                    put(out, cap, &n, (struct tnet_seed){t->head[a], s, rest + w});
            }
        }
    return n;
}

/* A point on node v is also reached at the end of every open segment into v (other than its
 * own edge's): those targets cost the offset (the whole edge), so that they add 0. */
static size_t node_ends(const struct graph *g, const struct snap *p, struct tnet_seed *out,
                        size_t cap)
{
    uint32_t v = tnet_at_node(g, p), x[TNET_COPIES_MAX];
    size_t n = 0;
    for (uint32_t j = v == GRAPH_NONE ? 0 : g->in_first[v];
         v != GRAPH_NONE && j < g->in_first[v + 1]; j++) {
        uint32_t s = g->in[j].edge;
        if (tnet_on_edge(g, p, s >> 1) || !tnet_seg_open(g, s))
            continue;
        size_t k = turn_nodes_of(g->turn, s, x, TNET_COPIES_MAX);
        for (size_t i = 0; i < k && i < TNET_COPIES_MAX; i++)
            put(out, cap, &n, (struct tnet_seed){x[i], s, tnet_target_offset(g, p)});
    }
    return n;
}

size_t tnet_targets(const struct graph *g, const struct snap *p, struct tnet_seed *out, size_t cap)
{
    graph_cost off = tnet_target_offset(g, p);
    uint32_t x[TNET_COPIES_MAX];
    struct snap q[2];
    size_t n = 0;
    for (int j = 0, nq = snaps_of(g, p, q); j < nq; j++) {
        graph_cost part = snap_partial(g, q[j].edge, q[j].fraction);
        graph_cost whole = g->edge_cost[q[j].edge];
        for (uint32_t s = q[j].edge << 1; s <= (q[j].edge << 1 | 1); s++) {
            if (!tnet_seg_open(g, s))
                continue;
            size_t k = turn_nodes_of(g->turn, s, x, TNET_COPIES_MAX);
            for (size_t i = 0; i < k && i < TNET_COPIES_MAX; i++) /* part before p on s */
                put(out, cap, &n, (struct tnet_seed){x[i], s, (s & 1 ? whole - part : part) +
                                                                  (off - whole)});
        }
    }
    return n + node_ends(g, p, out && n < cap ? out + n : NULL, n < cap ? cap - n : 0);
}

graph_cost tnet_target_offset(const struct graph *g, const struct snap *p)
{
    graph_cost w = g->edge_cost[p->edge];
    uint32_t f = turn_twin(g->turn, p->edge);
    if (f == GRAPH_NONE)
        return w;
    graph_cost v = g->edge_cost[f]; /* each field the larger: off - whole >= 0 for both rows */
    uint32_t ms = graph_cost_ms(w) > graph_cost_ms(v) ? graph_cost_ms(w) : graph_cost_ms(v);
    uint32_t dm = graph_cost_dm(w) > graph_cost_dm(v) ? graph_cost_dm(w) : graph_cost_dm(v);
    return graph_cost_make(ms, dm);
}

size_t tnet_back_sources(const struct graph *g, const struct snap *p, struct tnet_seed *out,
                         size_t cap)
{
    const struct turn_graph *t = g->turn;
    struct tnet_seed x[4 * TNET_COPIES_MAX];
    size_t k = tnet_targets(g, p, x, 4 * TNET_COPIES_MAX), n = 0;
    graph_cost off = tnet_target_offset(g, p);
    for (size_t i = 0; i < k && i < 4 * TNET_COPIES_MAX; i++) {
        if (!tnet_on_edge(g, p, x[i].seg >> 1)) { /* a node end: from its end, p is there */
            put(out, cap, &n, (struct tnet_seed){x[i].node, x[i].seg, 0});
            continue;
        }
        for (uint64_t j = t->in_first[x[i].node]; j < t->in_first[x[i].node + 1]; j++) {
            graph_cost w = tnet_arc_cost(g, t->in_arc[j]);
            if (w != GRAPH_COST_INF) /* the turn alone, then the part of x before p */
                put(out, cap, &n, (struct tnet_seed){t->in_tail[j], x[i].seg,
                                                     w + x[i].cost - off});
        }
    }
    return n;
}

size_t tnet_node_sources(const struct graph *g, uint32_t v, struct tnet_seed *out, size_t cap)
{
    size_t n = 0;
    for (uint32_t j = g->out_first[v]; j < g->out_first[v + 1]; j++) {
        uint32_t s = g->out[j].edge;
        if (tnet_seg_open(g, s))
            put(out, cap, &n, (struct tnet_seed){s, s, g->edge_cost[s >> 1]});
    }
    return n;
}

size_t tnet_node_targets(const struct graph *g, uint32_t v, struct tnet_seed *out, size_t cap)
{
    uint32_t x[TNET_COPIES_MAX];
    size_t n = 0;
    for (uint32_t j = g->in_first[v]; j < g->in_first[v + 1]; j++) {
        uint32_t s = g->in[j].edge;
        if (!tnet_seg_open(g, s))
            continue;
        size_t k = turn_nodes_of(g->turn, s, x, TNET_COPIES_MAX);
        for (size_t i = 0; i < k && i < TNET_COPIES_MAX; i++)
            put(out, cap, &n, (struct tnet_seed){x[i], s, 0});
    }
    return n;
}

/* ---- one-to-all ------------------------------------------------------------------------------ */

enum kkc_code tnet_search_create(const struct graph *g, struct tnet_search **out,
                                 struct kkc_err *err)
{
    struct tnet_search *s = calloc(1, sizeof *s);
    uint32_t n = g->turn->n;
    *out = NULL;
    if (!s)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (search)");
    s->n = n;
    s->dist = malloc(((size_t)n + 1) * sizeof *s->dist);
    if (!s->dist || graph_heap_reserve(&s->h, 1024, err)) {
        tnet_search_destroy(s);
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (search of %u nodes)", n);
    }
    *out = s;
    return KKC_OK;
}

void tnet_search_destroy(struct tnet_search *s)
{
    if (!s)
        return;
    free(s->dist);
    graph_heap_free(&s->h);
    free(s);
}

/* Lower x's value to d when that improves it. Returns 0, or -1 out of memory. */
static int relax(struct tnet_search *s, uint32_t y, graph_cost d)
{
    if (d == GRAPH_COST_INF || d >= s->dist[y])
        return 0;
    s->dist[y] = d;
    return graph_heap_push(&s->h, d, y, 0);
}

/* Relax the arcs out of x (or into x, backward). Returns 0 or -1 out of memory. */
static int expand(const struct graph *g, struct tnet_search *s, uint32_t x, int backward,
                  graph_cost dx)
{
    const struct turn_graph *t = g->turn;
    int oom = 0;
    if (!backward)
        for (uint64_t a = t->first_out[x]; !oom && a < t->first_out[x + 1]; a++)
            oom = relax(s, t->head[a], add_cost(dx, tnet_arc_cost(g, a)));
    else
        for (uint64_t j = t->in_first[x]; !oom && j < t->in_first[x + 1]; j++)
            oom = relax(s, t->in_tail[j], add_cost(dx, tnet_arc_cost(g, t->in_arc[j])));
    return oom;
}

enum kkc_code tnet_search_run(const struct graph *g, struct tnet_search *s,
                              const struct tnet_seed *seeds, size_t n, int backward,
                              graph_cost limit, struct kkc_err *err)
{
    struct graph_heap_item it;
    int oom = 0;
    memset(s->dist, 0xff, (size_t)s->n * sizeof *s->dist);
    s->h.len = 0, s->settled = 0;
    for (size_t i = 0; !oom && i < n; i++)
        if (graph_cost_ms(seeds[i].cost) <= graph_cost_ms(limit))
            oom = relax(s, seeds[i].node, seeds[i].cost);
    while (!oom && s->h.len) {
        graph_heap_pop(&s->h, &it);
        uint32_t x = it.node;
        if (it.key != s->dist[x])
            continue;
        if (graph_cost_ms(it.key) > graph_cost_ms(limit))
            continue; /* the heap is ordered by penalties first: others may still be in time */
        s->settled++;
        oom = expand(g, s, x, backward, it.key);
    }
    s->h.len = 0;
    return oom ? kkc_err_set(err, KKC_ENOMEM, "out of memory (search heap)") : KKC_OK;
}

graph_cost tnet_cost_at(const struct graph *g, const struct tnet_search *s, int backward,
                        const struct snap *p)
{
    graph_cost best = GRAPH_COST_INF;
    struct tnet_seed x[4 * TNET_COPIES_MAX];
    size_t k;
    if (backward) /* leave p along s, then from the end of s */
        k = tnet_starts(g, p, x, 4 * TNET_COPIES_MAX);
    else
        k = tnet_targets(g, p, x, 4 * TNET_COPIES_MAX);
    graph_cost off = backward ? 0 : tnet_target_offset(g, p);
    for (size_t i = 0; i < k && i < 4 * TNET_COPIES_MAX; i++) {
        graph_cost d = s->dist[x[i].node];
        if (d == GRAPH_COST_INF || d + x[i].cost < off)
            continue;
        graph_cost c = d + x[i].cost - off;
        if (c < best)
            best = c;
    }
    return best;
}
