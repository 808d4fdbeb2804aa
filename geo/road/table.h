/* geo/road/table.h -- many-to-many costs between snapped points (OSRM /table, batch questions).
 *
 * With the graph's hierarchy (g->ch) one bucket-based many-to-many query on it; without, one
 * Dijkstra per source (or per destination when there are fewer), the baseline. Both give
 * exactly route_cost()'s value for every pair. */
#ifndef KKC_TABLE_H
#define KKC_TABLE_H

#include "base/err.h"
#include "road/graph.h"
#include "road/route.h"
#include "road/snap.h"

#include <stddef.h>

/* out[i * nd + j] = the cost from src[i] to dst[j], GRAPH_COST_INF where unreachable. ctx (may
 * be NULL: a scratch is made for the call) is the calling thread's route context on g.
 * KKC_EINVAL for another graph's ctx, KKC_ENOMEM. */
enum kkc_code route_table(const struct graph *g, struct route_ctx *ctx, const struct snap *src,
                          size_t ns, const struct snap *dst, size_t nd, graph_cost *out,
                          struct kkc_err *err);

#endif
