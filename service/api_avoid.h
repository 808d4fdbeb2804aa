/* service/api_avoid.c -- the avoid= and exclude= parameters of a request.
 *
 * avoid= one or more polygons: a GeoJSON Polygon or MultiPolygon (outer rings), or rings of
 * lon,lat numbers separated by commas, rings separated by '|'
 * (avoid=8.67,49.41,8.68,49.41,8.68,49.42|...). exclude= motorway (with its links); toll and
 * ferry are refused: the road data has neither. closures=ID,... (a what-if): those stored closures
 * as if in force now. With any of them the request runs on a private copy of the graph with those
 * roads closed or slowed (geo/closures/avoid.h); nothing is stored. */
#ifndef KKC_API_AVOID_H
#define KKC_API_AVOID_H

#include "api.h"

struct graph;

/* *out = NULL when r has neither parameter; else a graph copy, released with
 * api_avoid_release(). KKC_EINVAL / KKC_ETOOBIG for a bad value. */
enum kkc_code api_avoid_graph(const struct api_req *r, struct graph **out, struct kkc_err *err);
void api_avoid_release(struct graph *g);

#endif
