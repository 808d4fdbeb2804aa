/* geo/road/nearest_time.c -- nearest centres by driving time: labels when they can answer, else
 * one backward search from the point (see nearest_time.h for the policy). */
#include "road/nearest_time.h"

#include "centres/centres.h"
#include "road/labels.h"

#include <stdlib.h>
#include <string.h>

static int cmp_hit(const void *a, const void *b)
{
    const struct nearest_time_hit *x = a, *y = b;
    if (x->cost != y->cost)
        return x->cost < y->cost ? -1 : 1;
    return (x->centre > y->centre) - (x->centre < y->centre);
}

/* Every chosen centre's cost to the point by one search backwards from the point: exact for any
 * k and for closed centres, which the precomputed labels leave out. Writes the best k to out. */
static enum kkc_code exhaustive(const struct graph *g, const struct centres *cs,
                                const struct snap *at, unsigned mask, int closed, size_t k,
                                struct nearest_time_hit *out, size_t *n, struct kkc_err *err)
{
    size_t nc = centres_count(cs), nh = 0;
    graph_cost *to = malloc(graph_node_count(g) * sizeof *to);
    struct nearest_time_hit *hits = malloc((nc ? nc : 1) * sizeof *hits);
    struct graph_seed seeds[2];
    size_t ns = snap_arrivals(g, at, seeds);
    enum kkc_code rc = to && hits ? KKC_OK : kkc_err_set(err, KKC_ENOMEM, "out of memory");

    if (!rc)
        rc = graph_search_all(g, seeds, ns, 1, to, err);
    for (size_t i = 0; !rc && i < nc; i++) {
        const struct centre *c = centres_get(cs, i);
        struct snap csnap;
        graph_cost best;
        if (!(mask & (1u << c->kind)) || (!c->active && !closed) ||
            snap_point(g, c->lon, c->lat, NEAREST_TIME_CENTRE_RADIUS_M, &csnap, NULL))
            continue;
        best = snap_search_cost(g, to, 1, at, &csnap);
        if (best != GRAPH_COST_INF)
            hits[nh++] = (struct nearest_time_hit){(uint32_t)i, best};
    }
    free(to);
    if (!rc) {
        qsort(hits, nh, sizeof *hits, cmp_hit);
        *n = nh < k ? nh : k;
        memcpy(out, hits, *n * sizeof *hits);
    }
    free(hits);
    return rc;
}

int nearest_time_uses_labels(const struct labels *lab, int include_closed, size_t k)
{
    return lab && !include_closed && k <= labels_k(lab);
}

enum kkc_code nearest_time(const struct graph *g, const struct centres *cs,
                           const struct labels *lab, const struct snap *at, unsigned mask,
                           int include_closed, size_t k, struct nearest_time_hit *out,
                           size_t *n, struct kkc_err *err)
{
    struct labels_hit lh[LABELS_K_MAX];
    enum kkc_code rc;

    *n = 0;
    if (!nearest_time_uses_labels(lab, include_closed, k))
        return exhaustive(g, cs, at, mask, include_closed, k, out, n, err);
    rc = labels_nearest(lab, at, k, lh, n, err);
    for (size_t i = 0; !rc && i < *n; i++)
        out[i] = (struct nearest_time_hit){lh[i].centre, lh[i].cost};
    return rc;
}
