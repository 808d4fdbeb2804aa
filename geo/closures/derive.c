/* geo/closures/derive.c -- a graph with closures from the base graph, its metric updated in
 * part (derive.h). */
#include "closures/derive.h"

#include "closures/avoid.h"
#include "road/cch.h"
#include "road/graph.h"
#include "road/road_ch.h"
#include "road/tnet.h"
#include "road/turn.h"

#include <stdlib.h>
#include <string.h>

#define NODES_MAX 64 /* routing nodes looked at per segment (a segment and its via-way copies) */

struct changes {
    uint64_t *arcs;
    cch_cost *w;
    size_t len, cap;
};

static int changes_push(struct changes *c, uint64_t a, cch_cost w)
{
    if (c->len == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 256;
        uint64_t *na = realloc(c->arcs, cap * sizeof *na);
        if (na)
            c->arcs = na;
        cch_cost *nw = na ? realloc(c->w, cap * sizeof *nw) : NULL;
        if (!nw)
            return -1;
        c->w = nw, c->cap = cap;
    }
    c->arcs[c->len] = a, c->w[c->len++] = w;
    return 0;
}

/* The turn arcs into the routing nodes of the changed edges' segments whose cost on g differs
 * from the base metric's weight: only those arcs can change (tnet_arc_cost reads the head's
 * edge). Each arc is met once: it has one head, which drives one segment of one edge, and the
 * effects list each edge once. -2 when a segment has more copies than NODES_MAX. */
static int collect(const struct graph *g, const struct cch_metric *m,
                   const struct closure_effects *e, struct changes *out)
{
    const struct turn_graph *t = g->turn;
    uint32_t nodes[NODES_MAX];
    for (size_t i = 0; i < e->len; i++) {
        uint32_t edge = e->items[i].edge;
        if (edge >= g->edge_count)
            continue;
        for (uint32_t s = 2 * edge; s <= 2 * edge + 1; s++) {
            size_t k = turn_nodes_of(t, s, nodes, NODES_MAX);
            if (k > NODES_MAX)
                return -2;
            for (size_t j = 0; j < k; j++)
                for (uint64_t p = t->in_first[nodes[j]]; p < t->in_first[nodes[j] + 1]; p++) {
                    uint64_t a = t->in_arc[p];
                    cch_cost w = tnet_arc_cost(g, a);
                    if (w != m->weight[a] && changes_push(out, a, w))
                        return -1;
                }
        }
    }
    return 0;
}

/* Every turn arc whose cost on g differs from m's weight (the slow path, for a segment with
 * more via-way copies than collect() looks at). */
static int collect_all(const struct graph *g, const struct cch_metric *m, struct changes *out)
{
    uint64_t na = g->turn->first_out[g->turn->n];
    for (uint64_t a = 0; a < na; a++) {
        cch_cost w = tnet_arc_cost(g, a);
        if (w != m->weight[a] && changes_push(out, a, w))
            return -1;
    }
    return 0;
}

/* g's own hierarchy: base's topology, a copy of base's metric updated to g's arc costs. */
static enum kkc_code derive_ch(const struct graph *base, struct graph *g,
                               const struct closure_effects *e,
                               struct closures_derive_stats *stats, struct kkc_err *err)
{
    struct changes ch = {0};
    struct road_ch *rc = malloc(sizeof *rc);
    enum kkc_code code = rc ? KKC_OK : kkc_err_set(err, KKC_ENOMEM, "out of memory (closures)");
    if (!code) {
        *rc = *base->ch;
        rc->m = NULL;
        g->ch = rc;
        code = cch_metric_copy(base->ch->m, &rc->m, err);
    }
    int bad = code ? 0 : collect(g, rc->m, e, &ch);
    if (bad == -2) {
        ch.len = 0;
        bad = collect_all(g, rc->m, &ch);
    }
    if (bad)
        code = kkc_err_set(err, KKC_ENOMEM, "out of memory (closures)");
    if (!code)
        code = cch_metric_update(rc->m, ch.arcs, ch.w, ch.len, &stats->arcs_redone, err);
    stats->arcs_changed = ch.len;
    free(ch.arcs), free(ch.w);
    return code;
}

enum kkc_code closures_graph_derive(const struct graph *base, const struct closure_effects *e,
                                    struct graph **out, struct closures_derive_stats *stats,
                                    struct kkc_err *err)
{
    struct closures_derive_stats none;
    struct graph *g = NULL;
    enum kkc_code rc = closures_graph_with(base, e, &g, err);
    *out = NULL;
    if (!stats)
        stats = &none;
    *stats = (struct closures_derive_stats){0};
    if (!rc && base->ch)
        rc = derive_ch(base, g, e, stats, err);
    if (rc) {
        closures_graph_derived_free(g);
        return rc;
    }
    *out = g;
    return KKC_OK;
}

void closures_graph_derived_free(struct graph *g)
{
    if (!g)
        return;
    if (g->ch) {
        cch_metric_destroy(g->ch->m);
        free(g->ch);
        g->ch = NULL;
    }
    closures_graph_release(g);
}
