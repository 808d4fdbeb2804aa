/* geo/road/snap.c -- nearest point on the nearest snappable edge, through the graph's grid.
 *
 * The search visits the grid cells in square rings around the query point's cell and stops once
 * everything outside the rings already scanned is farther than the best candidate (or the
 * radius). Each candidate segment is measured in a local plane around the query point: x east,
 * y north, in metres, from graph_metres_per_degree() at the query's latitude. */
#include "road/snap.h"
#include "road/turn.h"

#include <math.h>
#include <string.h>

/* The best candidate so far. */
struct snap_best {
    double d2;  /* squared distance in the local plane */
    double t;   /* position on the segment, 0..1 */
    uint32_t k; /* first point of the segment */
    uint32_t edge;
    int any;    /* 1: any drivable edge, whatever its component */
};

/* Squared distance in the local plane (metres per degree kx, ky) from (lon, lat) to the segment
 * p[0..4) (lon, lat, lon, lat); the position of the nearest point on it (0..1) into *t. */
static double seg_d2(const double *p, double lon, double lat, double kx, double ky, double *t)
{
    double ax = (p[0] - lon) * kx, ay = (p[1] - lat) * ky;
    double bx = (p[2] - lon) * kx, by = (p[3] - lat) * ky;
    double dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy, x = ax, y = ay;

    *t = l2 > 0 ? fmin(fmax(-(ax * dx + ay * dy) / l2, 0.0), 1.0) : 0;
    if (*t == 1.0) /* the end point exactly as the next segment measures its start */
        x = bx, y = by;
    else if (*t > 0)
        x = ax + *t * dx, y = ay + *t * dy;
    return x * x + y * y;
}

/* Measure segment k against the query at (lon, lat) and keep it when it is better. */
static void snap_try(const struct graph *g, uint32_t k, double lon, double lat, double kx,
                     double ky, struct snap_best *b)
{
    double t, d2 = seg_d2(g->coords + 2 * (size_t)k, lon, lat, kx, ky, &t);
    uint32_t e = g->coord_edge[k];

    if (!(g->edge_flags[e] & (b->any ? GRAPH_FORWARD | GRAPH_BACKWARD : GRAPH_SNAPPABLE)) ||
        (g->edge_flags[e] & GRAPH_NO_START))
        return; /* off the main component, or closed both ways after the grid was built */
    if (d2 > b->d2)
        return;
    if (d2 == b->d2 && b->edge != GRAPH_NONE && (e > b->edge || (e == b->edge && k > b->k)))
        return;
    *b = (struct snap_best){d2, t, k, e, b->any};
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

/* The nearest segment within radius_m of a snappable edge (any = 0) or of any drivable one. */
static enum kkc_code snap_search(const struct graph *g, double lon, double lat, double radius_m,
                                 int any, struct snap *out, struct kkc_err *err)
{
    struct snap_best b = {radius_m * radius_m, 0, 0, GRAPH_NONE, any};
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

enum kkc_code snap_point(const struct graph *g, double lon, double lat, double radius_m,
                         struct snap *out, struct kkc_err *err)
{
    return snap_search(g, lon, lat, radius_m, 0, out, err);
}

enum kkc_code snap_point_any(const struct graph *g, double lon, double lat, double radius_m,
                             struct snap *out, struct kkc_err *err)
{
    return snap_search(g, lon, lat, radius_m, 1, out, err);
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
                           edge, 1};
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
                           (uint32_t)llround(f * (double)graph_cost_dm(w)));
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

int snap_twin(const struct graph *g, const struct snap *p, struct snap *q)
{
    uint32_t f = turn_twin(g->turn, p->edge), e = p->edge;
    if (f == GRAPH_NONE)
        return 0;
    *q = *p;
    q->edge = f;
    if (g->edge_source[f] == g->edge_source[e]) {
        q->point = p->point - g->edge_coord_first[e] + g->edge_coord_first[f];
    } else { /* reversed points: segment k of n - 1 is segment n - 2 - k */
        uint32_t n = g->edge_coord_first[e + 1] - g->edge_coord_first[e];
        q->point = g->edge_coord_first[f] + (n - 2) - (p->point - g->edge_coord_first[e]);
        q->fraction = 1.0 - p->fraction;
    }
    return 1;
}

/* snap_direct() on one edge: from and to on the same edge. */
static int direct_one(const struct graph *g, const struct snap *from, const struct snap *to,
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

int snap_direct_on(const struct graph *g, const struct snap *from, const struct snap *to,
                   graph_cost *cost, struct snap *f_used, struct snap *t_used)
{
    struct snap f[2] = {*from, *from}, t[2] = {*to, *to};
    int nf = 1 + snap_twin(g, from, &f[1]), nt = 1 + snap_twin(g, to, &t[1]), ok = 0;
    graph_cost best = GRAPH_COST_INF, c;
    for (int i = 0; i < nf; i++)
        for (int j = 0; j < nt; j++)
            if (direct_one(g, &f[i], &t[j], &c) && c < best) {
                best = c, ok = 1;
                if (f_used)
                    *f_used = f[i];
                if (t_used)
                    *t_used = t[j];
            }
    if (ok)
        *cost = best;
    return ok;
}

int snap_direct(const struct graph *g, const struct snap *from, const struct snap *to,
                graph_cost *cost)
{
    return snap_direct_on(g, from, to, cost, NULL, NULL);
}

/* Whether two hits are on the same road: the same name and ref when the road has either, else
 * the same point (two unnamed edges meeting where the query is nearest). */
static int same_road(const struct graph *g, const struct snap_road *a, const struct snap_road *b)
{
    uint32_t na = g->edge_name[a->edge], ra = g->edge_ref[a->edge];
    if (na || ra)
        return na == g->edge_name[b->edge] && ra == g->edge_ref[b->edge];
    return !g->edge_name[b->edge] && !g->edge_ref[b->edge] && a->lon == b->lon && a->lat == b->lat;
}

/* Insert h into hits[0..*nh) (nearest first, at most k, one per road; an earlier hit wins a
 * tie) unless a hit on the same road is at least as near. distance_m holds squared distances. */
static void road_insert(const struct graph *g, struct snap_road *hits, size_t *nh, size_t k,
                        const struct snap_road *h)
{
    size_t j = *nh;
    for (size_t i = 0; i < *nh; i++)
        if (same_road(g, &hits[i], h)) {
            if (hits[i].distance_m <= h->distance_m)
                return;
            memmove(hits + i, hits + i + 1, (*nh - i - 1) * sizeof *hits);
            j = --*nh;
            break;
        }
    if (j == k && hits[k - 1].distance_m <= h->distance_m)
        return;
    if (j == k)
        j--;
    else
        (*nh)++;
    for (; j > 0 && hits[j - 1].distance_m > h->distance_m; j--)
        hits[j] = hits[j - 1];
    hits[j] = *h;
}

/* The nearest point of edge e to (lon, lat) within sqrt(d2max), as a hit whose distance_m is
 * squared; edge GRAPH_NONE when none. The last of equally near segments wins. */
static struct snap_road edge_nearest(const struct graph *g, uint32_t e, double lon, double lat,
                                     double kx, double ky, double d2max)
{
    struct snap_road best = {d2max, GRAPH_NONE, 0, 0};
    for (uint32_t i = g->edge_coord_first[e]; i + 1 < g->edge_coord_first[e + 1]; i++) {
        const double *p = g->coords + 2 * (size_t)i;
        double t, d2 = seg_d2(p, lon, lat, kx, ky, &t);
        if (d2 <= best.distance_m)
            best = (struct snap_road){d2, e, p[0] + t * (p[2] - p[0]), p[1] + t * (p[3] - p[1])};
    }
    return best;
}

size_t snap_roads(const struct graph *g, double lon, double lat, double radius_m,
                  const struct snap *first, struct snap_road *hits, size_t k)
{
    double kx, ky;
    size_t nrest = 0;

    if (k == 0)
        return 0;
    hits[0] = (struct snap_road){0, first->edge, first->lon, first->lat};
    graph_metres_per_degree(lat, &kx, &ky);
    for (uint32_t e = 0; k > 1 && e < g->edge_count; e++) {
        struct snap_road best;
        if (e == first->edge || !(g->edge_flags[e] & GRAPH_SNAPPABLE))
            continue;
        best = edge_nearest(g, e, lon, lat, kx, ky, radius_m * radius_m);
        if (best.edge != GRAPH_NONE && !same_road(g, &hits[0], &best))
            road_insert(g, hits + 1, &nrest, k - 1, &best);
    }
    for (size_t i = 1; i <= nrest; i++)
        hits[i].distance_m = sqrt(hits[i].distance_m);
    hits[0].distance_m = first->distance_m;
    return 1 + nrest;
}
