/* geo/road/line.c -- plain maths on a route's line: simplification and sharing a piece's
 * figures out over its segments (see line.h). */
#include "road/line.h"

#include "road/graph.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Douglas-Peucker, an explicit stack of ranges. */
size_t line_simplify(const double *ll, size_t n, double tol, double *out)
{
    unsigned char *keep;
    size_t *stack, top = 0, m = 0;
    double kx, ky;

    if (n < 3) {
        memcpy(out, ll, 2 * n * sizeof *ll);
        return n;
    }
    keep = calloc(n, 1);
    stack = malloc(2 * n * sizeof *stack); /* each point splits a range at most once */
    if (!keep || !stack) {
        free(keep);
        free(stack);
        return 0;
    }
    graph_metres_per_degree(ll[1], &kx, &ky);
    keep[0] = keep[n - 1] = 1;
    stack[top++] = 0, stack[top++] = n - 1;
    while (top) {
        size_t hi = stack[--top], lo = stack[--top], far = lo;
        double ax = ll[2 * lo] * kx, ay = ll[2 * lo + 1] * ky;
        double dx = ll[2 * hi] * kx - ax, dy = ll[2 * hi + 1] * ky - ay, l2 = dx * dx + dy * dy;
        double worst = tol * tol;
        for (size_t i = lo + 1; i < hi; i++) {
            double px = ll[2 * i] * kx - ax, py = ll[2 * i + 1] * ky - ay;
            double t = l2 > 0 ? fmin(fmax((px * dx + py * dy) / l2, 0), 1) : 0;
            double ex = px - t * dx, ey = py - t * dy;
            if (ex * ex + ey * ey > worst)
                worst = ex * ex + ey * ey, far = i;
        }
        if (far == lo)
            continue;
        keep[far] = 1;
        stack[top++] = lo, stack[top++] = far;
        stack[top++] = far, stack[top++] = hi;
    }
    for (size_t i = 0; i < n; i++)
        if (keep[i])
            out[2 * m] = ll[2 * i], out[2 * m + 1] = ll[2 * i + 1], m++;
    free(keep);
    free(stack);
    return m;
}

/* A tolerance for overview=simplified: about a pixel when the whole line fills a 1000-pixel
 * map, so the shape stays right at the zoom that shows it. */
double line_simplify_tolerance(const double *ll, size_t n)
{
    double lo[2] = {ll[0], ll[1]}, hi[2] = {ll[0], ll[1]}, kx, ky;
    for (size_t i = 1; i < n; i++)
        for (int d = 0; d < 2; d++)
            lo[d] = fmin(lo[d], ll[2 * i + d]), hi[d] = fmax(hi[d], ll[2 * i + d]);
    graph_metres_per_degree((lo[1] + hi[1]) / 2, &kx, &ky);
    return fmin(fmax(hypot((hi[0] - lo[0]) * kx, (hi[1] - lo[1]) * ky) / 1000, 0.5), 100);
}

/* ---------------------------------------------------------------- junctions ---------------- */

/* The roads at one graph node, as OSRM describes an intersection. A road is a key:
 * edge << 1 | 1 when the node is the edge's target end. */

void line_apportion(const struct route_result *rr, double *dist, double *dur)
{
    double kx, ky;

    graph_metres_per_degree(rr->coords[1], &kx, &ky);
    for (size_t i = 0; i < rr->edge_count; i++) {
        const struct route_edge *p = &rr->edges[i];
        double len = 0;
        for (size_t k = p->coord_first; k < p->coord_last; k++)
            len += hypot((rr->coords[2 * k + 2] - rr->coords[2 * k]) * kx,
                         (rr->coords[2 * k + 3] - rr->coords[2 * k + 1]) * ky);
        for (size_t k = p->coord_first; k < p->coord_last; k++) {
            double seg = hypot((rr->coords[2 * k + 2] - rr->coords[2 * k]) * kx,
                               (rr->coords[2 * k + 3] - rr->coords[2 * k + 1]) * ky);
            double share = len > 0 ? seg / len : 1.0 / (double)(p->coord_last - p->coord_first);
            dist[k] += p->distance_m * share, dur[k] += p->duration_s * share;
        }
    }
}
