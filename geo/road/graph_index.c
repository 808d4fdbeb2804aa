/* geo/road/graph_index.c -- the load stages that index a loaded graph: the largest strongly
 * connected component (iterative Tarjan), lengths along edges and the snapping grid, landmarks
 * (graph_int.h). */
#include "road/graph_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FREE_NULL(p)                                                                               \
    do {                                                                                           \
        free(p);                                                                                   \
        (p) = NULL;                                                                                \
    } while (0)

/* ---- strongly connected components ----------------------------------------------------------- */

struct tarjan {
    uint32_t *index, *low, *comp, *stack, *call_v, *call_a;
    uint8_t *on_stack;
    uint32_t next, sp, ncomp;
};

/* Tarjan's algorithm from root without recursion; assigns comp[] to every node reached. */
static void tarjan_visit(const struct graph *g, struct tarjan *t, uint32_t root)
{
    uint32_t cp = 0;
    t->index[root] = t->low[root] = t->next++;
    t->stack[t->sp++] = root, t->on_stack[root] = 1;
    t->call_v[0] = root, t->call_a[0] = g->out_first[root], cp = 1;
    while (cp) {
        uint32_t v = t->call_v[cp - 1];
        if (t->call_a[cp - 1] < g->out_first[v + 1]) {
            uint32_t w = g->out[t->call_a[cp - 1]++].node;
            if (t->index[w] == GRAPH_NONE) {
                t->index[w] = t->low[w] = t->next++;
                t->stack[t->sp++] = w, t->on_stack[w] = 1;
                t->call_v[cp] = w, t->call_a[cp] = g->out_first[w], cp++;
            } else if (t->on_stack[w] && t->index[w] < t->low[v]) {
                t->low[v] = t->index[w];
            }
            continue;
        }
        if (--cp && t->low[v] < t->low[t->call_v[cp - 1]])
            t->low[t->call_v[cp - 1]] = t->low[v];
        if (t->low[v] == t->index[v]) {
            uint32_t w;
            do {
                w = t->stack[--t->sp];
                t->on_stack[w] = 0;
                t->comp[w] = t->ncomp;
            } while (w != v);
            t->ncomp++;
        }
    }
}

/* Mark the edges with both ends in the largest strongly connected component GRAPH_SNAPPABLE. */
enum kkc_code mark_main_scc(struct graph *g, struct kkc_err *err)
{
    uint32_t n = g->node_count, best = 0, *size = NULL;
    struct tarjan t = {0};
    enum kkc_code rc = KKC_OK;

    t.index = graph_alloc_array(n, sizeof(uint32_t)),
    t.low = graph_alloc_array(n, sizeof(uint32_t));
    t.comp = graph_alloc_array(n, sizeof(uint32_t)),
    t.stack = graph_alloc_array(n, sizeof(uint32_t));
    t.call_v = graph_alloc_array(n, sizeof(uint32_t)),
    t.call_a = graph_alloc_array(n, sizeof(uint32_t));
    t.on_stack = calloc(n ? n : 1, 1);
    size = calloc((size_t)n + 1, sizeof *size);
    if (!t.index || !t.low || !t.comp || !t.stack || !t.call_v || !t.call_a || !t.on_stack ||
        !size) {
        rc = kkc_err_set(err, KKC_ENOMEM, "out of memory (components)");
        goto out;
    }
    memset(t.index, 0xff, (size_t)n * sizeof(uint32_t));
    for (uint32_t v = 0; v < n; v++)
        if (t.index[v] == GRAPH_NONE)
            tarjan_visit(g, &t, v);
    for (uint32_t v = 0; v < n; v++)
        if (++size[t.comp[v]] > size[best])
            best = t.comp[v];
    g->main_scc_nodes = n ? size[best] : 0;
    for (uint32_t e = 0; e < g->edge_count; e++)
        if (t.comp[g->edge_source[e]] == best && t.comp[g->edge_target[e]] == best &&
            (g->edge_flags[e] & (GRAPH_FORWARD | GRAPH_BACKWARD)) &&
            !(g->edge_flags[e] & GRAPH_NO_START))
            g->edge_flags[e] |= GRAPH_SNAPPABLE;
out:
    free(t.index), free(t.low), free(t.comp), free(t.stack), free(t.call_v), free(t.call_a);
    free(t.on_stack), free(size);
    return rc;
}

/* ---- geometry: lengths along edges and the snapping grid ------------------------------------- */

/* Metres between two points (local approximation at their mean latitude). */
static double local_dist(const double *a, const double *b)
{
    double kx, ky;
    graph_metres_per_degree((a[1] + b[1]) / 2, &kx, &ky);
    return hypot((b[0] - a[0]) * kx, (b[1] - a[1]) * ky);
}

/* Fill coord_along and coord_edge. */
enum kkc_code build_along(struct graph *g, struct kkc_err *err)
{
    uint32_t npts = g->edge_coord_first[g->edge_count];
    g->coord_along = graph_alloc_array(npts, sizeof(double));
    g->coord_edge = graph_alloc_array(npts, sizeof(uint32_t));
    if (!g->coord_along || !g->coord_edge)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (geometry)");
    for (uint32_t e = 0; e < g->edge_count; e++) {
        uint32_t k = g->edge_coord_first[e];
        g->coord_along[k] = 0;
        g->coord_edge[k] = e;
        for (k++; k < g->edge_coord_first[e + 1]; k++) {
            g->coord_along[k] =
                g->coord_along[k - 1] + local_dist(g->coords + 2 * (k - 1), g->coords + 2 * k);
            g->coord_edge[k] = e;
        }
    }
    return KKC_OK;
}

/* ---- bearings -------------------------------------------------------------------------------- */

#define DEG (M_PI / 180.0)

int graph_bearing(const double *a, const double *b)
{
    double p1 = a[1] * DEG, p2 = b[1] * DEG, dl = (b[0] - a[0]) * DEG, d;
    if (a[0] == b[0] && a[1] == b[1])
        return 0;
    d = atan2(sin(dl) * cos(p2), cos(p1) * sin(p2) - sin(p1) * cos(p2) * cos(dl)) / DEG;
    return (int)lround(d < 0 ? d + 360 : d) % 360;
}

/* The first point of road key that differs from loc, NULL when none does. */
static const double *first_other(const struct graph *g, uint32_t key, const double *loc)
{
    uint32_t e = key >> 1, k0 = g->edge_coord_first[e], k1 = g->edge_coord_first[e + 1] - 1;
    for (uint32_t i = 1; i <= k1 - k0; i++) {
        const double *p = g->coords + 2 * (size_t)((key & 1) ? k1 - i : k0 + i);
        if (p[0] != loc[0] || p[1] != loc[1])
            return p;
    }
    return NULL;
}

/* The node at the end of road key. */
static const double *key_node(const struct graph *g, uint32_t key)
{
    uint32_t v = key & 1 ? g->edge_target[key >> 1] : g->edge_source[key >> 1];
    return g->node_lonlat + 2 * (size_t)v;
}

static int same_point(const double *a, const double *b)
{
    return a[0] == b[0] && a[1] == b[1];
}

int graph_road_bearing(const struct graph *g, uint32_t key, const double *loc)
{
    const double *p;
    if (g->road_bearing && same_point(key_node(g, key), loc))
        return g->road_bearing[key];
    p = first_other(g, key, loc);
    return p ? graph_bearing(loc, p) : 0;
}

int graph_end_bearing(const struct graph *g, uint32_t key, const double *a, const double *b)
{
    const double *v = key_node(g, key), *p;
    int leaving = same_point(a, v), arriving = same_point(b, v);
    if (g->road_bearing && leaving != arriving && (p = first_other(g, key, v)) &&
        same_point(leaving ? b : a, p))
        return leaving ? g->road_bearing[key] : g->road_arrival[key];
    return graph_bearing(a, b);
}

enum kkc_code build_bearings(struct graph *g, struct kkc_err *err)
{
    size_t keys = 2 * (size_t)g->edge_count;
    g->road_bearing = graph_alloc_array(keys, sizeof *g->road_bearing);
    g->road_arrival = graph_alloc_array(keys, sizeof *g->road_arrival);
    if (!g->road_bearing || !g->road_arrival)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (geometry)");
    for (size_t k = 0; k < keys; k++) {
        const double *v = key_node(g, (uint32_t)k), *p = first_other(g, (uint32_t)k, v);
        g->road_bearing[k] = (int16_t)(p ? graph_bearing(v, p) : 0);
        g->road_arrival[k] = (int16_t)(p ? graph_bearing(p, v) : 0);
    }
    return KKC_OK;
}

/* Growable array of (cell << 32 | point) pairs. */
struct cellvec {
    uint64_t *v;
    size_t n, cap;
};

static int cellvec_push(struct cellvec *cv, uint64_t x)
{
    if (cv->n == cv->cap) {
        size_t cap = cv->cap ? cv->cap * 2 : 4096;
        uint64_t *p = realloc(cv->v, cap * sizeof *p);
        if (!p)
            return -1;
        cv->v = p, cv->cap = cap;
    }
    cv->v[cv->n++] = x;
    return 0;
}

/* Add the cells crossed by the segment starting at point k: the segment is cut in pieces of at
 * most half a cell and the cells of each piece's bounding box are added (duplicates skipped).
 * Returns 0 or -1 (no memory). */
static int grid_add_segment(const struct graph *g, uint32_t k, double cell_m, struct cellvec *cv)
{
    const double *a = g->coords + 2 * k, *b = a + 2;
    size_t start = cv->n;
    int pieces = (int)fmin(ceil(local_dist(a, b) / (cell_m / 2)), 1e6);
    if (pieces < 1)
        pieces = 1;
    for (int p = 0; p < pieces; p++) {
        double t0 = (double)p / pieces, t1 = (double)(p + 1) / pieces;
        double xa = a[0] + (b[0] - a[0]) * t0, xb = a[0] + (b[0] - a[0]) * t1;
        double ya = a[1] + (b[1] - a[1]) * t0, yb = a[1] + (b[1] - a[1]) * t1;
        uint32_t cx0 = (uint32_t)((fmin(xa, xb) - g->grid_lon0) / g->grid_dlon);
        uint32_t cx1 = (uint32_t)((fmax(xa, xb) - g->grid_lon0) / g->grid_dlon);
        uint32_t cy0 = (uint32_t)((fmin(ya, yb) - g->grid_lat0) / g->grid_dlat);
        uint32_t cy1 = (uint32_t)((fmax(ya, yb) - g->grid_lat0) / g->grid_dlat);
        for (uint32_t y = cy0; y <= cy1 && y < g->grid_ny; y++) {
            for (uint32_t x = cx0; x <= cx1 && x < g->grid_nx; x++) {
                uint64_t item = (uint64_t)(y * g->grid_nx + x) << 32 | k;
                int seen = 0;
                for (size_t j = cv->n; j > start && j + 8 > cv->n && !seen; j--)
                    seen = cv->v[j - 1] == item;
                if (!seen && cellvec_push(cv, item))
                    return -1;
            }
        }
    }
    return 0;
}

/* 1 when edge e goes into the snapping grid: drivable at all (snap_point() then checks
 * GRAPH_SNAPPABLE, snap_point_any() does not). */
static int in_grid(const struct graph *g, uint32_t e)
{
    return (g->edge_flags[e] & (GRAPH_FORWARD | GRAPH_BACKWARD)) != 0;
}

/* Choose the grid: the bounding box of the drivable edges, cells of about two segments'
 * spacing (25 m .. 5 km), at most GRID_MAX_CELLS. Returns the cell size in metres. */
static double grid_layout(struct graph *g, size_t *nseg)
{
    double x0 = 180, y0 = 90, x1 = -180, y1 = -90, kx, ky, cell_m;
    *nseg = 0;
    for (uint32_t e = 0; e < g->edge_count; e++) {
        if (!in_grid(g, e))
            continue;
        for (uint32_t k = g->edge_coord_first[e]; k < g->edge_coord_first[e + 1]; k++) {
            x0 = fmin(x0, g->coords[2 * k]), x1 = fmax(x1, g->coords[2 * k]);
            y0 = fmin(y0, g->coords[2 * k + 1]), y1 = fmax(y1, g->coords[2 * k + 1]);
        }
        *nseg += g->edge_coord_first[e + 1] - g->edge_coord_first[e] - 1;
    }
    if (*nseg == 0)
        return 0;
    graph_metres_per_degree((y0 + y1) / 2, &kx, &ky);
    cell_m = 2 * sqrt(fmax((x1 - x0) * kx, 1) * fmax((y1 - y0) * ky, 1) / (double)*nseg);
    cell_m = fmin(fmax(cell_m, 25), 5000);
    for (;;) {
        g->grid_dlon = cell_m / kx, g->grid_dlat = cell_m / ky;
        g->grid_nx = (uint32_t)((x1 - x0) / g->grid_dlon) + 1;
        g->grid_ny = (uint32_t)((y1 - y0) / g->grid_dlat) + 1;
        if ((double)g->grid_nx * g->grid_ny <= GRID_MAX_CELLS)
            break;
        cell_m *= 1.5;
    }
    g->grid_lon0 = x0, g->grid_lat0 = y0;
    return cell_m;
}

/* Build the snapping grid over the segments of the drivable edges. */
enum kkc_code build_grid(struct graph *g, struct kkc_err *err)
{
    struct cellvec cv = {0};
    size_t nseg, ncells;
    double cell_m = grid_layout(g, &nseg);
    enum kkc_code rc = KKC_OK;

    ncells = (size_t)g->grid_nx * g->grid_ny;
    g->grid_first = calloc(ncells + 1, sizeof(uint32_t));
    if (!g->grid_first)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (snapping grid)");
    for (uint32_t e = 0; e < g->edge_count && nseg; e++) {
        if (!in_grid(g, e))
            continue;
        for (uint32_t k = g->edge_coord_first[e]; k + 1 < g->edge_coord_first[e + 1]; k++)
            if (grid_add_segment(g, k, cell_m, &cv)) {
                rc = kkc_err_set(err, KKC_ENOMEM, "out of memory (snapping grid)");
                goto out;
            }
    }
    g->grid_items = graph_alloc_array(cv.n, sizeof(uint32_t));
    if (!g->grid_items || cv.n >= UINT32_MAX) {
        rc = kkc_err_set(err, KKC_ENOMEM, "out of memory (snapping grid)");
        goto out;
    }
    for (size_t i = 0; i < cv.n; i++)
        g->grid_first[(cv.v[i] >> 32) + 1]++;
    for (size_t c = 0; c < ncells; c++)
        g->grid_first[c + 1] += g->grid_first[c];
    for (size_t i = 0; i < cv.n; i++) /* stable: items stay in segment order within a cell */
        g->grid_items[g->grid_first[cv.v[i] >> 32]++] = (uint32_t)cv.v[i];
    memmove(g->grid_first + 1, g->grid_first, ncells * sizeof(uint32_t));
    g->grid_first[0] = 0;
out:
    free(cv.v);
    return rc;
}

/* ---- landmarks ------------------------------------------------------------------------------- */

/* Run the two searches of landmark i and store their times; update sep[] (the round-trip time
 * to the nearest landmark so far) for the choice of the next one. */
static enum kkc_code landmark_fill(struct graph *g, uint32_t i, graph_cost *tmp, uint64_t *sep,
                                   struct kkc_err *err)
{
    uint32_t L = g->lm_count, n = g->node_count;
    struct graph_seed seed = {g->lm_node[i], 0};
    for (int rev = 0; rev < 2; rev++) {
        enum kkc_code rc = graph_search_all(g, &seed, 1, rev, tmp, err);
        if (rc)
            return rc;
        for (uint32_t v = 0; v < n; v++)
            g->lm_dist[(size_t)v * 2 * L + (size_t)rev * L + i] =
                tmp[v] == GRAPH_COST_INF ? UINT32_MAX : graph_cost_ms(tmp[v]);
    }
    for (uint32_t v = 0; v < n; v++) {
        uint64_t to = g->lm_dist[(size_t)v * 2 * L + i],
                 from = g->lm_dist[(size_t)v * 2 * L + L + i];
        if (to != UINT32_MAX && from != UINT32_MAX && to + from < sep[v])
            sep[v] = to + from;
        else if (to == UINT32_MAX || from == UINT32_MAX)
            sep[v] = 0; /* outside the landmark's component: never a landmark */
    }
    return KKC_OK;
}

/* The node with the largest separation (sep[v] > 0, not UINT64_MAX), or GRAPH_NONE. */
static uint32_t landmark_pick(uint32_t n, const uint64_t *sep)
{
    uint32_t pick = GRAPH_NONE;
    uint64_t far = 0;
    for (uint32_t v = 0; v < n; v++)
        if (sep[v] != UINT64_MAX && sep[v] > far)
            far = sep[v], pick = v;
    return pick;
}

/* Keep only the first `have` of `want` landmark columns of lm_dist. */
static void landmark_compact(struct graph *g, uint32_t want, uint32_t have)
{
    for (size_t v = 0; v < g->node_count; v++)
        for (uint32_t r = 0; r < 2; r++)
            for (uint32_t i = 0; i < have; i++)
                g->lm_dist[v * 2 * have + r * have + i] = g->lm_dist[v * 2 * want + r * want + i];
    g->lm_count = have;
}

/* Choose landmarks by the "farthest" rule and fill lm_dist: the first is the node farthest
 * (round trip) from an arbitrary node of the main component, each next one the node farthest
 * from the landmarks chosen so far. Stops early when no node is left to choose. */
enum kkc_code build_landmarks(struct graph *g, uint32_t want, struct kkc_err *err)
{
    uint32_t n = g->node_count, L = want < g->main_scc_nodes ? want : g->main_scc_nodes, i;
    graph_cost *tmp = graph_alloc_array(n, sizeof *tmp);
    uint64_t *sep = graph_alloc_array(n, sizeof *sep);
    enum kkc_code rc = KKC_OK;

    g->lm_count = L;
    g->lm_node = graph_alloc_array(L + 1, sizeof(uint32_t));
    g->lm_dist = graph_alloc_array((size_t)n * 2 * L, sizeof(uint32_t));
    if (!tmp || !sep || !g->lm_node || !g->lm_dist) {
        rc = kkc_err_set(err, KKC_ENOMEM, "out of memory (landmarks)");
        goto out;
    }
    g->lm_node[0] = GRAPH_NONE; /* an arbitrary node of the main component, when it has edges */
    for (uint32_t e = 0; L && e < g->edge_count; e++)
        if (g->edge_flags[e] & GRAPH_SNAPPABLE) {
            g->lm_node[0] = g->edge_source[e];
            break;
        }
    for (i = 0; i < L && !rc; i++) {
        uint32_t pick = i == 0 ? g->lm_node[0] : landmark_pick(n, sep);
        if (pick == GRAPH_NONE)
            break;
        for (uint32_t v = 0; v < n && i == 0; v++)
            sep[v] = UINT64_MAX;
        g->lm_node[i] = pick;
        rc = landmark_fill(g, i, tmp, sep, err);
        if (!rc && i == 0 && (pick = landmark_pick(n, sep)) != GRAPH_NONE) {
            for (uint32_t v = 0; v < n; v++) /* forget the arbitrary node */
                sep[v] = UINT64_MAX;
            g->lm_node[0] = pick;
            rc = landmark_fill(g, 0, tmp, sep, err);
        }
    }
    if (!rc && i < L)
        landmark_compact(g, L, i);
out:
    free(tmp);
    free(sep);
    return rc;
}
