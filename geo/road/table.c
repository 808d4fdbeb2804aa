/* geo/road/table.c -- the many-to-many table (see table.h): searches run from the smaller side,
 * forward from sources or backward from destinations, and every pair reads the cost at its
 * snapped end from the one-to-all result. */
#include "road/table.h"

#include <stdlib.h>

enum kkc_code table_costs(const struct graph *g, const struct snap *src, size_t ns,
                          const struct snap *dst, size_t nd, graph_cost *out,
                          struct kkc_err *err)
{
    int fwd = ns <= nd; /* search from each source, or backwards from each destination */
    size_t nsearch = fwd ? ns : nd, nother = fwd ? nd : ns;
    graph_cost *dist = malloc((size_t)g->node_count * sizeof *dist);
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

