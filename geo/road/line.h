/* geo/road/line.h -- plain maths on a route's line (lon, lat pairs): Douglas-Peucker
 * simplification for overviews, and a route's piece figures shared out over its segments. */
#ifndef KKC_LINE_H
#define KKC_LINE_H

#include "road/route.h"

#include <stddef.h>

/* Douglas-Peucker: the points of ll[0..n) that stay within tol metres of the kept line, written
 * to out (at most n points, first and last always kept); returns their count, or 0 when out of
 * memory. */
size_t line_simplify(const double *ll, size_t n, double tol, double *out);

/* A tolerance for a simplified overview: about a pixel when the whole line fills a 1000-pixel
 * map (0.5 to 100 m). */
double line_simplify_tolerance(const double *ll, size_t n);

/* Share each piece's distance and duration of rr over its segments by length: segment k (from
 * point k to k + 1) gets added into dist[k] and dur[k] (both rr->coord_count - 1 long, zeroed by
 * the caller). rr must carry its geometry. */
void line_apportion(const struct route_result *rr, double *dist, double *dur);

#endif
