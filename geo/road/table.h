/* geo/road/table.h -- the many-to-many table: the cost of the fastest drive between every source
 * and every destination.
 *
 * With the graph's hierarchy (g->ch, road_ch.h): one bucket-based many-to-many query on it.
 * Without (KKC_ROUTER=astar, the baseline): one one-to-all search per source (or per destination
 * when there are fewer). Both give exactly route_cost()'s value for every pair. */
#ifndef KKC_TABLE_H
#define KKC_TABLE_H

#include "base/err.h"
#include "road/graph.h"
#include "road/route.h"
#include "road/snap.h"

#include <stddef.h>

/* The cost of the fastest drive from each of src[0..ns) to each of dst[0..nd) on g, into
 * out[i * nd + j]; GRAPH_COST_INF where unreachable. ctx (may be NULL: a scratch is made for the
 * call) is the calling thread's route context on g. KKC_EINVAL for another graph's ctx,
 * KKC_ENOMEM on allocation failure. */
enum kkc_code route_table(const struct graph *g, struct route_ctx *ctx, const struct snap *src,
                          size_t ns, const struct snap *dst, size_t nd, graph_cost *out,
                          struct kkc_err *err);

/* route_table() without a route context. */
enum kkc_code table_costs(const struct graph *g, const struct snap *src, size_t ns,
                          const struct snap *dst, size_t nd, graph_cost *out,
                          struct kkc_err *err);

#endif
