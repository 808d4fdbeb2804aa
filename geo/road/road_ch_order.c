/* geo/road/road_ch_order.c -- the turn graph's hierarchy order, from a nested dissection of the
 * road graph by EDGE cuts (road_ch.h, road_ch_order()).
 *
 * A routing node drives a directed segment of a road edge. Bisect the road nodes of a part into
 * two halves R1 | R2 (METIS_PartGraphRecursive, minimum edge cut; small parts by the median of
 * their longer extent): the segments of the edges between R1 and R2 separate the part's turn
 * graph (a turn joins two segments that share a node, so it never leaves a half once those are
 * gone), and they are ranked last; the edges inside R1 and R2 recurse. A cut edge is two routing
 * nodes where a road-node separator's segments into it are one per road at the node (4 at a
 * street crossing), so the separators come out about half as large as METIS finds on the turn
 * graph itself, on a graph METIS partitions 2.5-4x faster. */
#include "road/graph.h"
#include "road/road_ch.h"
#include "road/turn.h"

#include <math.h>
#include <metis.h>
#include <stdlib.h>
#include <string.h>

static uint32_t GEOMETRIC_BELOW = 256; /* parts of fewer road nodes are split by coordinates */

struct nd {
    const struct graph *g;
    uint32_t *nodes; /* the road nodes of the parts, part by part */
    uint32_t *edges; /* edge ids, rearranged into the final order */
    uint32_t *tmp;   /* scratch, edge_count */
    uint8_t *side;   /* per road node: 0 / 1 after a bisection */
    uint32_t *local; /* road node -> index inside the part being bisected */
    idx_t *xadj, *adj, *part;
    double *key;
};

static int cmp_key(const void *a, const void *b, void *k)
{
    double x = ((double *)k)[*(const uint32_t *)a], y = ((double *)k)[*(const uint32_t *)b];
    return (x > y) - (x < y);
}

/* Split nodes[0..n) by the median of their longer extent. */
static void split_geometric(struct nd *d, uint32_t *nodes, uint32_t n)
{
    const double *ll = d->g->node_lonlat;
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (uint32_t i = 0; i < n; i++) {
        double x = ll[2 * nodes[i]], y = ll[2 * nodes[i] + 1];
        x0 = fmin(x0, x), x1 = fmax(x1, x), y0 = fmin(y0, y), y1 = fmax(y1, y);
    }
    int by_x = (x1 - x0) * cos((y0 + y1) / 2 * M_PI / 180) >= y1 - y0;
    for (uint32_t i = 0; i < n; i++)
        d->key[nodes[i]] = ll[2 * nodes[i] + (by_x ? 0 : 1)];
    qsort_r(nodes, n, sizeof *nodes, cmp_key, d->key);
    for (uint32_t i = 0; i < n; i++)
        d->side[nodes[i]] = i >= n / 2;
}

/* Bisect nodes[0..n) with edges[0..m) (both ends inside) by METIS; 0, or -1 when it fails. */
static int split_metis(struct nd *d, uint32_t *nodes, uint32_t n, const uint32_t *edges,
                       uint32_t m)
{
    const struct graph *g = d->g;
    for (uint32_t i = 0; i < n; i++)
        d->local[nodes[i]] = i, d->xadj[i + 1] = 0;
    d->xadj[0] = 0;
    for (uint32_t k = 0; k < m; k++) {
        uint32_t a = g->edge_source[edges[k]], b = g->edge_target[edges[k]];
        if (a != b)
            d->xadj[d->local[a] + 1]++, d->xadj[d->local[b] + 1]++;
    }
    for (uint32_t i = 0; i < n; i++)
        d->xadj[i + 1] += d->xadj[i];
    for (uint32_t k = 0; k < m; k++) { /* xadj[i] walks to the end of row i */
        uint32_t a = d->local[g->edge_source[edges[k]]], b = d->local[g->edge_target[edges[k]]];
        if (a != b)
            d->adj[d->xadj[a]++] = (idx_t)b, d->adj[d->xadj[b]++] = (idx_t)a;
    }
    for (uint32_t i = n; i > 0; i--)
        d->xadj[i] = d->xadj[i - 1];
    d->xadj[0] = 0;
    idx_t nn = (idx_t)n, ncon = 1, nparts = 2, cut = 0, opt[METIS_NOPTIONS];
    METIS_SetDefaultOptions(opt);
    opt[METIS_OPTION_NUMBERING] = 0;
    if (METIS_PartGraphRecursive(&nn, &ncon, d->xadj, d->adj, NULL, NULL, NULL, &nparts, NULL,
                                 NULL, opt, &cut, d->part) != METIS_OK)
        return -1;
    for (uint32_t i = 0; i < n; i++)
        d->side[nodes[i]] = (uint8_t)d->part[i];
    return 0;
}

/* Order the part nodes[0..n), edges[0..m): edges of side 0, of side 1, then the cut. */
static int dissect(struct nd *d, uint32_t *nodes, uint32_t n, uint32_t *edges, uint32_t m)
{
    const struct graph *g = d->g;
    if (n <= 2 || m == 0)
        return 0;
    if (n < GEOMETRIC_BELOW || split_metis(d, nodes, n, edges, m))
        split_geometric(d, nodes, n);
    uint32_t n0 = 0, m0 = 0, m1 = 0;
    for (uint32_t i = 0; i < n; i++) /* stable partition of the nodes */
        if (!d->side[nodes[i]])
            d->tmp[n0++] = nodes[i];
    for (uint32_t i = 0, j = n0; i < n; i++)
        if (d->side[nodes[i]])
            d->tmp[j++] = nodes[i];
    memcpy(nodes, d->tmp, n * sizeof *nodes);
    for (uint32_t k = 0; k < m; k++) {
        uint8_t a = d->side[g->edge_source[edges[k]]], b = d->side[g->edge_target[edges[k]]];
        m0 += a == 0 && b == 0, m1 += a == 1 && b == 1;
    }
    /* place: side 0 edges, side 1 edges, cut edges */
    uint32_t i0 = 0, i1 = m0, ic = m0 + m1;
    for (uint32_t k = 0; k < m; k++) {
        uint8_t a = d->side[g->edge_source[edges[k]]], b = d->side[g->edge_target[edges[k]]];
        d->tmp[a != b ? ic++ : a ? i1++ : i0++] = edges[k];
    }
    memcpy(edges, d->tmp, m * sizeof *edges);
    if (dissect(d, nodes, n0, edges, m0))
        return -1;
    return dissect(d, nodes + n0, n - n0, edges + m0, m1);
}

enum kkc_code road_ch_order(const struct graph *g, uint32_t *rank, struct kkc_err *err)
{
    const struct turn_graph *t = g->turn;
    uint32_t n = g->node_count, m = g->edge_count;
    size_t big = (size_t)(n > m ? n : m) + 1;
    struct nd d = {.g = g};
    if (getenv("KKC_GEO_BELOW"))
        GEOMETRIC_BELOW = (uint32_t)atoi(getenv("KKC_GEO_BELOW"));
    d.nodes = malloc(big * sizeof *d.nodes), d.edges = malloc(big * sizeof *d.edges);
    d.tmp = malloc(big * sizeof *d.tmp), d.side = malloc(big), d.local = malloc(big * 4);
    d.xadj = malloc((big + 1) * sizeof *d.xadj), d.adj = malloc(2 * big * sizeof *d.adj);
    d.part = malloc(big * sizeof *d.part), d.key = malloc(big * sizeof *d.key);
    uint64_t *first = calloc((size_t)m + 2, sizeof *first);
    enum kkc_code rc = KKC_OK;

    if (!d.nodes || !d.edges || !d.tmp || !d.side || !d.local || !d.xadj || !d.adj || !d.part ||
        !d.key || !first)
        rc = kkc_err_set(err, KKC_ENOMEM, "out of memory (road hierarchy order)");
    for (uint32_t v = 0; !rc && v < n; v++)
        d.nodes[v] = v;
    for (uint32_t e = 0; !rc && e < m; e++)
        d.edges[e] = e;
    if (!rc && dissect(&d, d.nodes, n, d.edges, m))
        rc = kkc_err_set(err, KKC_ENOMEM, "road hierarchy order: the bisection failed");
    if (!rc) { /* routing nodes by the position of their edge in d.edges */
        for (uint32_t k = 0; k < m; k++)
            d.tmp[d.edges[k]] = k;
        for (uint32_t v = 0; v < t->n; v++)
            first[d.tmp[t->seg[v] >> 1] + 1]++;
        for (uint32_t k = 0; k < m; k++)
            first[k + 1] += first[k];
        for (uint32_t v = 0; v < t->n; v++)
            rank[v] = (uint32_t)first[d.tmp[t->seg[v] >> 1]]++;
    }
    free(d.nodes), free(d.edges), free(d.tmp), free(d.side), free(d.local);
    free(d.xadj), free(d.adj), free(d.part), free(d.key), free(first);
    return rc;
}
