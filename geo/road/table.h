/* geo/road/table.h -- the many-to-many table: the cost of the fastest drive between every source
 * and every destination, with one one-to-all search per source (or per destination). */
#ifndef KKC_TABLE_H
#define KKC_TABLE_H

#include "base/err.h"
#include "road/graph.h"
#include "road/snap.h"

#include <stddef.h>

/* The cost of the fastest drive from each of src[0..ns) to each of dst[0..nd) on g, into
 * out[i * nd + j]; GRAPH_COST_INF where unreachable. Equal to route_cost() for every pair (the
 * same optimum), computed with one search per source (or per destination when there are fewer).
 * KKC_ENOMEM on allocation failure. */
enum kkc_code table_costs(const struct graph *g, const struct snap *src, size_t ns,
                          const struct snap *dst, size_t nd, graph_cost *out,
                          struct kkc_err *err);

#endif
