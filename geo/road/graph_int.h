/* geo/road/graph_int.h -- the load stages of graph.c kept in graph_index.c: the largest strongly
 * connected component, lengths along edges and the snapping grid, the landmark tables. */
#ifndef KKC_GRAPH_INT_H
#define KKC_GRAPH_INT_H

#include "road/graph.h"

#define GRID_MAX_CELLS (1u << 24)

/* malloc of n elements of size bytes (1 byte for n = 0, so NULL always means out of memory). */
void *graph_alloc_array(size_t n, size_t size);
/* Mark GRAPH_SNAPPABLE on the edges of the largest strongly connected component. */
enum kkc_code mark_main_scc(struct graph *g, struct kkc_err *err);
/* Fill coord_along and coord_edge. */
enum kkc_code build_along(struct graph *g, struct kkc_err *err);
/* Fill road_bearing. */
enum kkc_code build_bearings(struct graph *g, struct kkc_err *err);
/* The snapping grid over the segments of the snappable edges. */
enum kkc_code build_grid(struct graph *g, struct kkc_err *err);
/* want landmark tables (fewer when the graph is small). */
enum kkc_code build_landmarks(struct graph *g, uint32_t want, struct kkc_err *err);

#endif
