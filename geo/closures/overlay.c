/* geo/closures/overlay.c -- closures applied to the arcs and edge costs of a new graph. */
#include "closures/overlay.h"

#include "road/graph.h"

#include <math.h>
#include <stdlib.h>

static graph_cost scaled(graph_cost c, double f)
{
    double ms = llround((double)graph_cost_ms(c) * f);
    return graph_cost_make(ms > UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)ms, graph_cost_dm(c));
}

/* Drop the closed arcs of one CSR (first/arcs) and scale the slowed ones; fw/bw per edge. */
static void rewrite_csr(uint32_t n, uint32_t *first, struct graph_arc *arcs, const double *fw,
                        const double *bw)
{
    uint32_t out = 0;
    for (uint32_t v = 0; v < n; v++) {
        uint32_t a0 = first[v], a1 = first[v + 1];
        first[v] = out;
        for (uint32_t a = a0; a < a1; a++) {
            uint32_t e = arcs[a].edge >> 1;
            double f = arcs[a].edge & 1 ? bw[e] : fw[e];
            if (f == 0)
                continue;
            arcs[out] = arcs[a];
            if (f != 1)
                arcs[out].cost = scaled(arcs[a].cost, f);
            out++;
        }
    }
    first[n] = out;
}

static void rewrite_edges(struct graph *g, const double *fw, const double *bw)
{
    for (uint32_t e = 0; e < g->edge_count; e++) {
        double f = 1;
        if (fw[e] == 0) /* closed to emergency vehicles too (service_profile.h) */
            g->edge_flags[e] &= (uint8_t)~(GRAPH_FORWARD | GRAPH_EMERGENCY_FORWARD);
        if (bw[e] == 0)
            g->edge_flags[e] &= (uint8_t)~(GRAPH_BACKWARD | GRAPH_EMERGENCY_BACKWARD);
        f = fmax(fw[e], bw[e]);
        if (f > 1)
            g->edge_cost[e] = scaled(g->edge_cost[e], f);
    }
}

enum kkc_code closures_overlay(struct graph *g, const struct closure_effects *e,
                               struct kkc_err *err)
{
    uint32_t m = g->edge_count;
    double *fw, *bw;
    if (!e || e->len == 0 || m == 0)
        return KKC_OK;
    fw = malloc(m * sizeof *fw), bw = malloc(m * sizeof *bw);
    if (!fw || !bw) {
        free(fw);
        free(bw);
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (closure overlay)");
    }
    for (uint32_t i = 0; i < m; i++)
        fw[i] = bw[i] = 1;
    for (size_t i = 0; i < e->len; i++)
        if (e->items[i].edge < m) {
            uint32_t id = e->items[i].edge;
            /* a direction the edge never had stays as it is */
            fw[id] = (g->edge_flags[id] & (GRAPH_FORWARD | GRAPH_EMERGENCY_FORWARD))
                         ? e->items[i].fw
                         : 1;
            bw[id] = (g->edge_flags[id] & (GRAPH_BACKWARD | GRAPH_EMERGENCY_BACKWARD))
                         ? e->items[i].bw
                         : 1;
        }
    rewrite_csr(g->node_count, g->out_first, g->out, fw, bw);
    rewrite_csr(g->node_count, g->in_first, g->in, fw, bw);
    rewrite_edges(g, fw, bw);
    free(fw);
    free(bw);
    return graph_remark_snappable(g, err);
}
