/* geo/road/nearest_time.c -- nearest centres by driving time: labels when they can answer, else
 * one backward search from the point (see nearest_time.h for the policy). */
#include "road/nearest_time.h"
#include "road/table.h"

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
    size_t nc = centres_count(cs), nh = 0, ns = 0;
    struct snap *snaps = malloc((nc ? nc : 1) * sizeof *snaps);
    uint32_t *which = malloc((nc ? nc : 1) * sizeof *which);
    graph_cost *cost = malloc((nc ? nc : 1) * sizeof *cost);
    struct nearest_time_hit *hits = malloc((nc ? nc : 1) * sizeof *hits);
    enum kkc_code rc =
        snaps && which && cost && hits ? KKC_OK : kkc_err_set(err, KKC_ENOMEM, "out of memory");

    for (size_t i = 0; !rc && i < nc; i++) {
        const struct centre *c = centres_get(cs, i);
        if ((mask & (1u << c->kind)) && (c->active || closed) &&
            snap_point(g, c->lon, c->lat, NEAREST_TIME_CENTRE_RADIUS_M, &snaps[ns], NULL) == 0)
            which[ns++] = (uint32_t)i;
    }
    /* many centres to one point: the hierarchy's buckets, or one backward search */
    if (!rc && ns)
        rc = route_table(g, NULL, snaps, ns, at, 1, cost, err);
    for (size_t i = 0; !rc && i < ns; i++)
        if (cost[i] != GRAPH_COST_INF)
            hits[nh++] = (struct nearest_time_hit){which[i], cost[i]};
    if (!rc) {
        qsort(hits, nh, sizeof *hits, cmp_hit);
        *n = nh < k ? nh : k;
        memcpy(out, hits, *n * sizeof *hits);
    }
    free(snaps), free(which), free(cost), free(hits);
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

int nearest_time_kinds_use_labels(const struct labels *const *by_kind, unsigned mask,
                                  int include_closed, size_t k)
{
    int usable = mask != 0;
    for (int kind = 0; kind < KIND_COUNT; kind++)
        if (mask & (1u << kind))
            usable &= nearest_time_uses_labels(by_kind[kind], include_closed, k);
    return usable;
}

enum kkc_code nearest_time_kinds(const struct graph *g, const struct centres *cs,
                                 const struct labels *const *by_kind, const struct snap *at,
                                 unsigned mask, int include_closed, size_t k,
                                 struct nearest_time_hit *out, size_t *n, struct kkc_err *err)
{
    struct labels_hit lh[LABELS_K_MAX];
    struct nearest_time_hit all[KIND_COUNT * LABELS_K_MAX];
    size_t na = 0;
    *n = 0;
    if (!nearest_time_kinds_use_labels(by_kind, mask, include_closed, k))
        return exhaustive(g, cs, at, mask, include_closed, k, out, n, err);
    for (int kind = 0; kind < KIND_COUNT; kind++) {
        size_t m = 0;
        if (!(mask & (1u << kind)))
            continue;
        enum kkc_code rc = labels_nearest(by_kind[kind], at, k, lh, &m, err);
        if (rc)
            return rc;
        for (size_t i = 0; i < m; i++) /* the kinds' centres are distinct */
            all[na++] = (struct nearest_time_hit){lh[i].centre, lh[i].cost};
    }
    qsort(all, na, sizeof *all, cmp_hit);
    *n = na < k ? na : k;
    memcpy(out, all, *n * sizeof *out);
    return KKC_OK;
}
