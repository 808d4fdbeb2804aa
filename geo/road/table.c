/* geo/road/table.c -- the many-to-many table (see table.h): bucket many-to-many on the hierarchy,
 * or searches from the smaller side, forward from sources or backward from destinations. */
#include "road/table.h"
#include "road/road_ch.h"

#include <stdlib.h>

/* One search per source (or per destination), every pair reading the cost at its snapped end
 * from the one-to-all result: the baseline. */
static enum kkc_code table_search(const struct graph *g, const struct snap *src, size_t ns,
                                  const struct snap *dst, size_t nd, graph_cost *out,
                                  struct kkc_err *err)
{
    int fwd = ns <= nd; /* search from each source, or backwards from each destination */
    size_t nsearch = fwd ? ns : nd, nother = fwd ? nd : ns;
    graph_cost *dist = malloc(((size_t)g->node_count + 1) * sizeof *dist);
    enum kkc_code rc = KKC_OK;

    if (!dist)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (table)");
    for (size_t s = 0; !rc && s < nsearch; s++) {
        struct graph_seed seeds[2];
        size_t k = fwd ? snap_departures(g, &src[s], seeds) : snap_arrivals(g, &dst[s], seeds);
        rc = graph_search_all(g, seeds, k, !fwd, dist, err);
        for (size_t t = 0; !rc && t < nother; t++) {
            const struct snap *origin = fwd ? &src[s] : &dst[s], *p = fwd ? &dst[t] : &src[t];
            out[fwd ? s * nd + t : t * nd + s] = snap_search_cost(g, dist, !fwd, origin, p);
        }
    }
    free(dist);
    return rc;
}

/* The seeds of n snapped points, two at most each, grouped: first[i] .. first[i + 1]. */
static void seeds_of(const struct graph *g, const struct snap *p, size_t n, int arrive,
                     struct cch_seed *seeds, size_t *first)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        struct graph_seed s[2];
        size_t m = arrive ? snap_arrivals(g, &p[i], s) : snap_departures(g, &p[i], s);
        first[i] = k;
        for (size_t j = 0; j < m; j++)
            seeds[k++] = (struct cch_seed){s[j].node, s[j].cost};
    }
    first[n] = k;
}

/* One bucket many-to-many query on the hierarchy, then the same-edge direct costs. */
static enum kkc_code table_ch(const struct graph *g, struct cch_query *q, const struct snap *src,
                              size_t ns, const struct snap *dst, size_t nd, graph_cost *out,
                              struct kkc_err *err)
{
    struct cch_seed *ss = malloc((2 * ns + 1) * sizeof *ss), *ds = malloc((2 * nd + 1) * sizeof *ds);
    size_t *sf = malloc((ns + 1) * sizeof *sf), *df = malloc((nd + 1) * sizeof *df);
    enum kkc_code rc = KKC_OK;

    if (!ss || !ds || !sf || !df)
        rc = kkc_err_set(err, KKC_ENOMEM, "out of memory (table)");
    if (!rc) {
        seeds_of(g, src, ns, 0, ss, sf);
        seeds_of(g, dst, nd, 1, ds, df);
        rc = cch_table(q, g->ch->m, ss, sf, ns, ds, df, nd, out, err);
    }
    for (size_t i = 0; !rc && i < ns; i++)
        for (size_t j = 0; j < nd; j++) {
            graph_cost c;
            if (snap_direct(g, &src[i], &dst[j], &c) && c < out[i * nd + j])
                out[i * nd + j] = c;
        }
    free(ss), free(ds), free(sf), free(df);
    return rc;
}

enum kkc_code route_table(const struct graph *g, struct route_ctx *ctx, const struct snap *src,
                          size_t ns, const struct snap *dst, size_t nd, graph_cost *out,
                          struct kkc_err *err)
{
    if (!g->ch)
        return table_search(g, src, ns, dst, nd, out, err);
    struct cch_query *own = NULL, *q = ctx ? route_ctx_hierarchy(ctx) : NULL;
    if (ctx && route_ctx_graph(ctx) != g)
        return kkc_err_set(err, KKC_EINVAL, "route context belongs to another graph");
    if (!q && cch_query_create(g->ch->c, &own, err))
        return KKC_ENOMEM;
    enum kkc_code rc = table_ch(g, q ? q : own, src, ns, dst, nd, out, err);
    cch_query_destroy(own);
    return rc;
}

enum kkc_code table_costs(const struct graph *g, const struct snap *src, size_t ns,
                          const struct snap *dst, size_t nd, graph_cost *out,
                          struct kkc_err *err)
{
    return route_table(g, NULL, src, ns, dst, nd, out, err);
}
