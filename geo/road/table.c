/* geo/road/table.c -- the many-to-many table (see table.h) on the turn-aware graph (tnet.h):
 * bucket many-to-many on the hierarchy, or searches from the smaller side, forward from sources
 * or backward from destinations. */
#include "road/table.h"
#include "road/road_ch.h"
#include "road/tnet.h"

#include <stdlib.h>

/* The seeds of p (sources, or targets with back = 0; backward sources with back = 1), malloc'ed
 * into *out with their count in *n. Returns 0 or -1 out of memory. */
static int seeds_alloc(const struct graph *g, const struct snap *p, int kind,
                       struct tnet_seed **out, size_t *n)
{
    size_t (*fn)(const struct graph *, const struct snap *, struct tnet_seed *, size_t) =
        kind == 0 ? tnet_sources : kind == 1 ? tnet_targets : tnet_back_sources;
    *n = fn(g, p, NULL, 0);
    *out = malloc((*n ? *n : 1) * sizeof **out);
    if (!*out)
        return -1;
    fn(g, p, *out, *n);
    return 0;
}

/* The drive along one edge (tnet_direct), where it beats the search's value. */
static void direct_fill(const struct graph *g, const struct snap *src, size_t ns,
                        const struct snap *dst, size_t nd, graph_cost *out)
{
    for (size_t i = 0; i < ns; i++)
        for (size_t j = 0; j < nd; j++) {
            graph_cost c;
            if (tnet_direct(g, &src[i], &dst[j], &c, NULL, NULL) && c < out[i * nd + j])
                out[i * nd + j] = c;
        }
}

/* One search per source (or per destination), every pair reading the cost at its snapped end
 * from the one-to-all result: the baseline. */
static enum kkc_code table_search(const struct graph *g, const struct snap *src, size_t ns,
                                  const struct snap *dst, size_t nd, graph_cost *out,
                                  struct kkc_err *err)
{
    int fwd = ns <= nd; /* search from each source, or backwards from each destination */
    size_t nsearch = fwd ? ns : nd, nother = fwd ? nd : ns;
    struct tnet_search *s = NULL;
    enum kkc_code rc = tnet_search_create(g, &s, err);

    for (size_t i = 0; !rc && i < nsearch; i++) {
        struct tnet_seed *seeds;
        size_t k;
        if (seeds_alloc(g, fwd ? &src[i] : &dst[i], fwd ? 0 : 2, &seeds, &k)) {
            rc = kkc_err_set(err, KKC_ENOMEM, "out of memory (table)");
            break;
        }
        rc = tnet_search_run(g, s, seeds, k, !fwd, GRAPH_COST_INF, err);
        free(seeds);
        for (size_t j = 0; !rc && j < nother; j++)
            out[fwd ? i * nd + j : j * nd + i] =
                tnet_cost_at(g, s, !fwd, fwd ? &dst[j] : &src[j]);
    }
    tnet_search_destroy(s);
    if (!rc)
        direct_fill(g, src, ns, dst, nd, out);
    return rc;
}

/* The seeds of n snapped points grouped, first[i] .. first[i + 1], as CCH seeds. */
static int cch_seeds(const struct graph *g, const struct snap *p, size_t n, int kind,
                     struct cch_seed **out, size_t *first)
{
    size_t total = 0, k = 0;
    for (size_t i = 0; i < n; i++)
        total += kind ? tnet_targets(g, &p[i], NULL, 0) : tnet_sources(g, &p[i], NULL, 0);
    struct tnet_seed *tmp = malloc((total ? total : 1) * sizeof *tmp);
    *out = malloc((total ? total : 1) * sizeof **out);
    if (!tmp || !*out) {
        free(tmp);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        size_t m = kind ? tnet_targets(g, &p[i], tmp + k, total - k)
                        : tnet_sources(g, &p[i], tmp + k, total - k);
        first[i] = k;
        for (size_t j = 0; j < m; j++, k++)
            (*out)[k] = (struct cch_seed){tmp[k].node, tmp[k].cost};
    }
    first[n] = k;
    free(tmp);
    return 0;
}

/* One bucket many-to-many query on the hierarchy, less each destination's offset, then the
 * direct costs along one edge (tnet_direct). */
static enum kkc_code table_ch(const struct graph *g, struct cch_query *q, const struct snap *src,
                              size_t ns, const struct snap *dst, size_t nd, graph_cost *out,
                              struct kkc_err *err)
{
    struct cch_seed *ss = NULL, *ds = NULL;
    size_t *sf = malloc((ns + 1) * sizeof *sf), *df = malloc((nd + 1) * sizeof *df);
    enum kkc_code rc = KKC_OK;

    if (!sf || !df || cch_seeds(g, src, ns, 0, &ss, sf) || cch_seeds(g, dst, nd, 1, &ds, df))
        rc = kkc_err_set(err, KKC_ENOMEM, "out of memory (table)");
    if (!rc)
        rc = cch_table(q, g->ch->m, ss, sf, ns, ds, df, nd, out, err);
    for (size_t j = 0; !rc && j < nd; j++) {
        graph_cost off = tnet_target_offset(g, &dst[j]);
        for (size_t i = 0; i < ns; i++) {
            graph_cost *c = &out[i * nd + j];
            *c = *c == GRAPH_COST_INF || *c < off ? GRAPH_COST_INF : *c - off;
        }
    }
    if (!rc)
        direct_fill(g, src, ns, dst, nd, out);
    free(ss), free(ds), free(sf), free(df);
    return rc;
}

enum kkc_code route_table(const struct graph *g, struct route_ctx *ctx, const struct snap *src,
                          size_t ns, const struct snap *dst, size_t nd, graph_cost *out,
                          struct kkc_err *err)
{
    if (ctx && route_ctx_graph(ctx) != g)
        return kkc_err_set(err, KKC_EINVAL, "route context belongs to another graph");
    if (!g->ch)
        return table_search(g, src, ns, dst, nd, out, err);
    struct cch_query *own = NULL, *q = ctx ? route_ctx_hierarchy(ctx) : NULL;
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
