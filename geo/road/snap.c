/* geo/road/snap.c -- nearest point on the nearest snappable edge, through the graph's grid.
 *
 * The search visits the grid cells in square rings around the query point's cell and stops once
 * everything outside the rings already scanned is farther than the best candidate (or the
 * radius). Each candidate segment is measured in a local plane around the query point: x east,
 * y north, in metres, from graph_metres_per_degree() at the query's latitude. */
#include "road/snap.h"

#include <math.h>

/* The best candidate so far. */
struct snap_best {
    double d2;  /* squared distance in the local plane */
    double t;   /* position on the segment, 0..1 */
    uint32_t k; /* first point of the segment */
    uint32_t edge;
};

/* Measure segment k against the query at (lon, lat) and keep it when it is better. */
static void snap_try(const struct graph *g, uint32_t k, double lon, double lat, double kx,
                     double ky, struct snap_best *b)
{
    const double *p = g->coords + 2 * (size_t)k;
    double ax = (p[0] - lon) * kx, ay = (p[1] - lat) * ky;
    double bx = (p[2] - lon) * kx, by = (p[3] - lat) * ky;
    double dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy, t = 0, x = ax, y = ay, d2;
    uint32_t e = g->coord_edge[k];

    if (!(g->edge_flags[e] & GRAPH_SNAPPABLE)) /* closed both ways after the grid was built */
        return;
    if (l2 > 0)
        t = fmin(fmax(-(ax * dx + ay * dy) / l2, 0.0), 1.0);
    if (t == 1.0) /* the end point exactly as the next segment measures its start */
        x = bx, y = by;
    else if (t > 0)
        x = ax + t * dx, y = ay + t * dy;
    d2 = x * x + y * y;
    if (d2 > b->d2)
        return;
    if (d2 == b->d2 && b->edge != GRAPH_NONE && (e > b->edge || (e == b->edge && k > b->k)))
        return;
    *b = (struct snap_best){d2, t, k, e};
}

/* Scan the cells at Chebyshev distance r from cell (cx, cy). */
static void snap_ring(const struct graph *g, long cx, long cy, long r, double lon, double lat,
                      double kx, double ky, struct snap_best *b)
{
    long nx = g->grid_nx, ny = g->grid_ny;
    for (long y = cy - r < 0 ? 0 : cy - r; y <= cy + r && y < ny; y++) {
        long step = (y == cy - r || y == cy + r) ? 1 : 2 * r;
        for (long x = cx - r; x <= cx + r; x += step) {
            size_t c = (size_t)y * (size_t)nx + (size_t)x;
            if (x < 0 || x >= nx)
                continue;
            for (uint32_t i = g->grid_first[c]; i < g->grid_first[c + 1]; i++)
                snap_try(g, g->grid_items[i], lon, lat, kx, ky, b);
        }
    }
}

/* Fill *out from the winning segment. */
static void snap_fill(const struct graph *g, const struct snap_best *b, double lon, double lat,
                      struct snap *out)
{
    const double *p = g->coords + 2 * (size_t)b->k;
    uint32_t last = g->edge_coord_first[b->edge + 1] - 1;
    double total = g->coord_along[last], kx, ky;
    double along = g->coord_along[b->k] + b->t * (g->coord_along[b->k + 1] - g->coord_along[b->k]);

    out->query_lon = lon, out->query_lat = lat;
    out->lon = p[0] + b->t * (p[2] - p[0]);
    out->lat = p[1] + b->t * (p[3] - p[1]);
    graph_metres_per_degree((lat + out->lat) / 2, &kx, &ky);
    out->distance_m = hypot((out->lon - lon) * kx, (out->lat - lat) * ky);
    out->edge = b->edge;
    out->point = b->k;
    out->fraction = total > 0 ? fmin(fmax(along / total, 0.0), 1.0) : 0.0;
    out->name = graph_string(g, g->edge_name[b->edge]);
    out->ref = graph_string(g, g->edge_ref[b->edge]);
}

enum kkc_code snap_point(const struct graph *g, double lon, double lat, double radius_m,
                         struct snap *out, struct kkc_err *err)
{
    struct snap_best b = {radius_m * radius_m, 0, 0, GRAPH_NONE};
    double kx, ky, fx, fy;
    long cx, cy, nx = g->grid_nx, ny = g->grid_ny;

    if (!isfinite(lon) || !isfinite(lat) || fabs(lon) > 180 || fabs(lat) > 90)
        return kkc_err_set(err, KKC_EINVAL, "coordinates out of range: %g,%g", lon, lat);
    if (!(radius_m > 0 && radius_m <= SNAP_RADIUS_MAX_M))
        return kkc_err_set(err, KKC_EINVAL, "snap radius must be in (0, %.0f] m",
                           SNAP_RADIUS_MAX_M);
    graph_metres_per_degree(lat, &kx, &ky);
    fx = (lon - g->grid_lon0) / g->grid_dlon;
    fy = (lat - g->grid_lat0) / g->grid_dlat;
    if (nx == 0 || fmax(fmax(-fx, fx - (double)nx), 0) * g->grid_dlon * kx > radius_m ||
        fmax(fmax(-fy, fy - (double)ny), 0) * g->grid_dlat * ky > radius_m)
        goto none; /* farther than the radius from the grid's box */
    cx = (long)floor(fx), cy = (long)floor(fy);
    for (long r = 0;; r++) {
        if (r > 0) { /* everything outside the block of radius r - 1 is at least this far */
            double bx = fmin(fx - (double)(cx - r + 1), (double)(cx + r) - fx) * g->grid_dlon * kx;
            double by = fmin(fy - (double)(cy - r + 1), (double)(cy + r) - fy) * g->grid_dlat * ky;
            double bound = fmin(bx, by);
            if (bound * bound > b.d2)
                break;
        }
        snap_ring(g, cx, cy, r, lon, lat, kx, ky, &b);
        if (cx - r <= 0 && cx + r >= nx - 1 && cy - r <= 0 && cy + r >= ny - 1)
            break;
    }
    if (b.edge == GRAPH_NONE)
        goto none;
    snap_fill(g, &b, lon, lat, out);
    return KKC_OK;
none:
    return kkc_err_set(err, KKC_ENOSEGMENT, "no routable road within %.0f m of %.6f,%.6f", radius_m,
                       lon, lat);
}

enum kkc_code snap_at(const struct graph *g, uint32_t edge, double fraction, struct snap *out,
                      struct kkc_err *err)
{
    uint32_t first, last, k;
    double f = fmin(fmax(fraction, 0.0), 1.0), along, seg;
    struct snap_best b;

    if (edge >= g->edge_count || !isfinite(fraction))
        return kkc_err_set(err, KKC_EINVAL, "no edge %u", edge);
    first = g->edge_coord_first[edge], last = g->edge_coord_first[edge + 1] - 1;
    along = f * g->coord_along[last];
    for (k = first; k + 1 < last && g->coord_along[k + 1] < along; k++)
        ;
    seg = g->coord_along[k + 1] - g->coord_along[k];
    b = (struct snap_best){0, seg > 0 ? fmin(fmax((along - g->coord_along[k]) / seg, 0), 1) : 0, k,
                           edge};
    snap_fill(g, &b, 0, 0, out);
    out->query_lon = out->lon, out->query_lat = out->lat, out->distance_m = 0;
    out->fraction = f;
    return KKC_OK;
}

graph_cost snap_partial(const struct graph *g, uint32_t edge, double fraction)
{
    graph_cost w = g->edge_cost[edge];
    double f = fmin(fmax(fraction, 0.0), 1.0);
    return graph_cost_make((uint32_t)llround(f * (double)graph_cost_ms(w)),
                           (uint32_t)llround(f * (double)(uint32_t)w));
}

/* A point whose partial cost to an end of its edge is 0 lies on that node, so it may
 * leave or be reached through it in any direction. Not on an edge of cost 0 (both ends at one
 * place), where that would join its two ends both ways, a shortcut the graph does not have. */
size_t snap_departures(const struct graph *g, const struct snap *s, struct graph_seed out[2])
{
    uint32_t e = s->edge;
    graph_cost p = snap_partial(g, e, s->fraction), rest = g->edge_cost[e] - p;
    size_t n = 0;
    int free_end = g->edge_cost[e] != 0; /* see the note above */
    if ((g->edge_flags[e] & GRAPH_FORWARD) || (free_end && rest == 0))
        out[n++] = (struct graph_seed){g->edge_target[e], rest};
    if ((g->edge_flags[e] & GRAPH_BACKWARD) || (free_end && p == 0))
        out[n++] = (struct graph_seed){g->edge_source[e], p};
    return n;
}

size_t snap_arrivals(const struct graph *g, const struct snap *s, struct graph_seed out[2])
{
    uint32_t e = s->edge;
    graph_cost p = snap_partial(g, e, s->fraction), rest = g->edge_cost[e] - p;
    size_t n = 0;
    int free_end = g->edge_cost[e] != 0; /* see the note above */
    if ((g->edge_flags[e] & GRAPH_FORWARD) || (free_end && p == 0))
        out[n++] = (struct graph_seed){g->edge_source[e], p};
    if ((g->edge_flags[e] & GRAPH_BACKWARD) || (free_end && rest == 0))
        out[n++] = (struct graph_seed){g->edge_target[e], rest};
    return n;
}

int snap_direct(const struct graph *g, const struct snap *from, const struct snap *to,
                graph_cost *cost)
{
    uint32_t e = from->edge;
    graph_cost pf, pt, best = GRAPH_COST_INF;
    if (e != to->edge)
        return 0;
    pf = snap_partial(g, e, from->fraction), pt = snap_partial(g, e, to->fraction);
    if ((g->edge_flags[e] & GRAPH_FORWARD) && from->fraction <= to->fraction)
        best = pt - pf;
    if ((g->edge_flags[e] & GRAPH_BACKWARD) && from->fraction >= to->fraction && pf - pt < best)
        best = pf - pt;
    if (best == GRAPH_COST_INF)
        return 0;
    *cost = best;
    return 1;
}
