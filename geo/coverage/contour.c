/* geo/coverage/contour.c -- grids of values, level lines by marching triangles, ring nesting.
 *
 * Triangles. Cell (i, j) has corners (i, j), (i+1, j), (i+1, j+1), (i, j+1) and is cut along the
 * diagonal (i, j)-(i+1, j+1) into T0 = (i,j) (i+1,j) (i+1,j+1) and T1 = (i,j) (i+1,j+1) (i,j+1),
 * both counter-clockwise. A triangle whose corners are not all inside or all outside holds one
 * piece of level line, entering through the edge that goes (counter-clockwise) from an inside to
 * an outside corner and leaving through the edge that goes from outside to inside: so walking the
 * pieces keeps the inside on the left, and the next triangle is the one across the leaving edge.
 * Each ring is walked once; a bit per triangle marks those already used. Rings into polygons:
 * contour_poly.c. */
#include "coverage/contour.h"

#include "road/graph.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#define T_MIN 0.02 /* crossing points stay this fraction of an edge away from its ends */

void contour_plane_init(struct contour_plane *p, double lon0, double lat0)
{
    p->lon0 = lon0, p->lat0 = lat0;
    graph_metres_per_degree(lat0, &p->kx, &p->ky);
}

void contour_plane_xy(const struct contour_plane *p, double lon, double lat, double *x, double *y)
{
    *x = (lon - p->lon0) * p->kx;
    *y = (lat - p->lat0) * p->ky;
}

void contour_plane_lonlat(const struct contour_plane *p, double x, double y, double *lon,
                          double *lat)
{
    *lon = p->lon0 + x / p->kx;
    *lat = p->lat0 + y / p->ky;
}

/* ---- grids --------------------------------------------------------------------------------- */

void contour_grid_destroy(struct contour_grid *gr)
{
    if (!gr)
        return;
    free(gr->val);
    free(gr->lo);
    free(gr->hi);
    free(gr);
}

enum kkc_code contour_grid_create(double minx, double miny, double maxx, double maxy, double margin,
                                  double cell, size_t max_cells, struct contour_grid **out,
                                  struct kkc_err *err)
{
    struct contour_grid *gr;
    double w, h;
    size_t nx, ny;

    *out = NULL;
    if (!isfinite(minx) || !isfinite(miny) || !isfinite(maxx) || !isfinite(maxy) || maxx < minx ||
        maxy < miny || !(cell > 0) || !(margin >= 0) || max_cells < 64)
        return kkc_err_set(err, KKC_EINVAL, "contour grid: bad box or cell size");
    for (;;) {
        w = maxx - minx + 2 * (margin + 3 * cell), h = maxy - miny + 2 * (margin + 3 * cell);
        nx = (size_t)ceil(w / cell) + 1, ny = (size_t)ceil(h / cell) + 1;
        if ((double)nx * (double)ny <= (double)max_cells)
            break;
        cell *= fmax(1.05, sqrt((double)nx * (double)ny / (double)max_cells));
    }
    gr = calloc(1, sizeof *gr);
    if (!gr || !(gr->val = malloc(nx * ny * sizeof *gr->val)) ||
        !(gr->lo = malloc(ny * sizeof *gr->lo)) || !(gr->hi = calloc(ny, sizeof *gr->hi))) {
        contour_grid_destroy(gr);
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (contour grid %zux%zu)", nx, ny);
    }
    for (size_t k = 0; k < nx * ny; k++)
        gr->val[k] = CONTOUR_FAR;
    for (size_t j = 0; j < ny; j++)
        gr->lo[j] = SIZE_MAX;
    gr->nx = nx, gr->ny = ny, gr->cell = cell, gr->squared = 1;
    gr->x0 = minx - margin - 3 * cell, gr->y0 = miny - margin - 3 * cell;
    *out = gr;
    return KKC_OK;
}

/* floor and ceil of finite doubles well inside the range of long, without calls into libm. */
static long floor_l(double x)
{
    long l = (long)x;
    return (double)l > x ? l - 1 : l;
}
static long ceil_l(double x)
{
    long l = (long)x;
    return (double)l < x ? l + 1 : l;
}

/* The vertex index range [*lo, *hi] covering [a, b] on an axis from origin o; 0 when empty. */
static int axis_range(double a, double b, double o, double cell, size_t n, size_t *lo, size_t *hi)
{
    double inv = 1 / cell, fa = (a - o) * inv, fb = (b - o) * inv;
    long l, h;
    if (fb < 0 || fa > (double)(n - 1) || !(fa <= fb))
        return 0;
    l = fa < 0 ? 0 : ceil_l(fa), h = fb > (double)(n - 1) ? (long)n - 1 : floor_l(fb);
    if (l > h)
        return 0;
    *lo = (size_t)l, *hi = (size_t)h;
    return 1;
}

/* x clamped to +-1e9 (vertex counts along a row are far smaller). */
static double clampk(double x)
{
    return x < -1e9 ? -1e9 : x > 1e9 ? 1e9 : x;
}

/* A segment from a by (dx, dy) being added, with what every row needs precomputed (so rows
 * multiply instead of divide). */
struct seg {
    double ax, ay, dx, dy, inv_dy, radius; /* inv_dy: 1 / dy, 0 when dy is 0 */
    float fdx, fdy, inv;                   /* inv: 1 / squared length, 0 for a point */
    float beta, inv_beta;                  /* t gained per vertex along a row, and 1 / it */
    float nx, ny, sk, inv_sk;              /* the next segment's direction: sk = cell * nx */
    int caps, next;                        /* caps: bit 0 a, bit 1 b; next: nx, ny are set */
};

/* The x range of the part of the segment within radius of the line y = y, grown by radius:
 * every vertex of that row within radius of the segment lies in it. 0 when there is none. */
static int row_span(const struct seg *sg, double y, double *xlo, double *xhi)
{
    double t0 = 0, t1 = 1, xa, xb;
    if (sg->dy != 0) {
        double u = (y - sg->radius - sg->ay) * sg->inv_dy,
               v = (y + sg->radius - sg->ay) * sg->inv_dy;
        t0 = u < v ? u : v, t1 = u < v ? v : u;
        t0 = t0 < 0 ? 0 : t0, t1 = t1 > 1 ? 1 : t1;
        if (t0 > t1)
            return 0;
    } else if (sg->ay - y > sg->radius || y - sg->ay > sg->radius) {
        return 0;
    }
    xa = sg->ax + t0 * sg->dx, xb = sg->ax + t1 * sg->dx;
    *xlo = (xa < xb ? xa : xb) - sg->radius, *xhi = (xa < xb ? xb : xa) + sg->radius;
    return 1;
}

/* One row of vertices: vertex k (k0 <= k < k1) lies px0 + k * cell east and py north of a. */
struct row_run {
    float *row;
    long k0, k1;
    float px0, py, cell;
    const struct seg *sg;
};

/* row[k] = min(row[k], squared distance to the segment) for k in [k0, k1): exact anywhere. */
static void row_segment(const struct row_run *r, long k0, long k1)
{
    const float dx = r->sg->fdx, dy = r->sg->fdy, inv = r->sg->inv;
    for (long k = k0; k < k1; k++) {
        float px = r->px0 + (float)k * r->cell, t = (px * dx + r->py * dy) * inv;
        t = t < 0 ? 0 : t;
        t = t > 1 ? 1 : t;
        float ex = px - t * dx, ey = r->py - t * dy, v = ex * ex + ey * ey, o = r->row[k];
        r->row[k] = o < v ? o : v;
    }
}

/* row[k] = min(row[k], squared distance to the point (ex, ey) from a) for k in [k0, k1). */
static void row_point(const struct row_run *r, long k0, long k1, float ex, float ey)
{
    float qy = r->py - ey;
    for (long k = k0; k < k1; k++) {
        float qx = r->px0 + (float)k * r->cell - ex, v = qx * qx + qy * qy, o = r->row[k];
        r->row[k] = o < v ? o : v;
    }
}

/* The part of [k0, k1) where the vertex lies behind b as seen along the next segment (where
 * that segment does not reach), widened by one vertex each way. */
static void behind(const struct row_run *r, long *k0, long *k1)
{
    const struct seg *sg = r->sg;
    float s0 = (r->px0 - sg->fdx) * sg->nx + (r->py - sg->fdy) * sg->ny;
    if (sg->sk > 0) {
        long e = floor_l(clampk(-s0 * sg->inv_sk)) + 2;
        *k1 = *k1 < e ? *k1 : e;
    } else if (sg->sk < 0) {
        long e = ceil_l(clampk(-s0 * sg->inv_sk)) - 1;
        *k0 = *k0 > e ? *k0 : e;
    } else if (s0 >= 0) {
        *k1 = *k0;
    }
}

/* The end zones of a row: vertices nearest to end e (0 = a, 1 = b) in [k0, k1). Ends with a cap
 * get all of them; b without a cap but with a next segment gets the wedge that segment does not
 * cover; otherwise none (the neighbouring segment covers them). */
static void row_end(const struct row_run *r, long k0, long k1, int e)
{
    int cap = r->sg->caps & (1 << e);
    if (k0 >= k1 || (!cap && !(e && r->sg->next)))
        return;
    if (!cap)
        behind(r, &k0, &k1);
    k0 = k0 < r->k0 ? r->k0 : k0, k1 = k1 > r->k1 ? r->k1 : k1;
    row_point(r, k0, k1, e ? r->sg->fdx : 0, e ? r->sg->fdy : 0);
}

/* Split the row into the vertices nearest to a, to the inside and to b of the segment (each
 * zone a branch-free loop; the inside run widened by a vertex each way, where the exact formula
 * is used, so rounding loses nothing). */
static void row_min(const struct row_run *r)
{
    const struct seg *sg = r->sg;
    float alpha = (r->px0 * sg->fdx + r->py * sg->fdy) * sg->inv;
    long ka = r->k0, kb = r->k1; /* [k0, ka): t < 0 side, [ka, kb): inside, [kb, k1): t > 1 */
    int first = 0;               /* the end nearest to the vertices before ka */
    if (sg->inv == 0) {          /* a point: every vertex is nearest to a (caps has bit 0) */
        ka = kb = r->k1;
    } else if (sg->beta > 0) {
        ka = ceil_l(clampk(-alpha * sg->inv_beta));
        kb = floor_l(clampk((1 - alpha) * sg->inv_beta)) + 1;
    } else if (sg->beta < 0) { /* t falls along the row: first the b side, then a */
        ka = ceil_l(clampk((1 - alpha) * sg->inv_beta));
        kb = floor_l(clampk(-alpha * sg->inv_beta)) + 1;
        first = 1;
    } else if (alpha < 0 || alpha > 1) {
        ka = kb = r->k1, first = alpha > 1;
    }
    ka = ka < r->k0 ? r->k0 : ka > r->k1 ? r->k1 : ka;
    kb = kb < ka ? ka : kb > r->k1 ? r->k1 : kb;
    if (kb > ka)
        row_segment(r, ka > r->k0 ? ka - 1 : ka, kb < r->k1 ? kb + 1 : kb);
    row_end(r, r->k0, ka, first);
    row_end(r, kb, r->k1, !first);
}

/* Add segment a-b to the grid. caps: bit 0 a, bit 1 b (all vertices nearest to that end);
 * next: the direction of the next segment of the polyline (b without a cap: only the wedge it
 * does not cover), or NULL. */
static void grid_segment(struct contour_grid *gr, double ax, double ay, double bx, double by,
                         double radius, int caps, const float *next)
{
    double dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy, cell = gr->cell;
    struct seg sg = {.ax = ax,
                     .ay = ay,
                     .dx = dx,
                     .dy = dy,
                     .inv_dy = dy != 0 ? 1 / dy : 0,
                     .radius = radius,
                     .fdx = (float)dx,
                     .fdy = (float)dy,
                     .inv = l2 > 0 ? (float)(1 / l2) : 0};
    size_t i0, i1, j0, j1;

    sg.beta = (float)(cell * dx) * sg.inv, sg.inv_beta = sg.beta != 0 ? 1 / sg.beta : 0;
    sg.caps = sg.inv == 0 ? caps | 1 : caps, sg.next = next != NULL;
    if (next)
        sg.nx = next[0], sg.ny = next[1], sg.sk = (float)cell * next[0];
    sg.inv_sk = sg.sk != 0 ? 1 / sg.sk : 0;
    if (!axis_range((ay < by ? ay : by) - radius, (ay < by ? by : ay) + radius, gr->y0, cell,
                    gr->ny, &j0, &j1))
        return;
    for (size_t j = j0; j <= j1; j++) {
        double y = gr->y0 + (double)j * cell, xlo, xhi;
        if (!row_span(&sg, y, &xlo, &xhi) || !axis_range(xlo, xhi, gr->x0, cell, gr->nx, &i0, &i1))
            continue;
        struct row_run r = {gr->val + j * gr->nx + i0,
                            0,
                            (long)(i1 - i0 + 1),
                            (float)(gr->x0 + (double)i0 * cell - ax),
                            (float)(y - ay),
                            (float)cell,
                            &sg};
        row_min(&r);
        if (gr->lo)
            gr->lo[j] = i0 < gr->lo[j] ? i0 : gr->lo[j],
            gr->hi[j] = i1 > gr->hi[j] ? i1 : gr->hi[j];
    }
}

void contour_grid_segment(struct contour_grid *gr, double ax, double ay, double bx, double by,
                          double radius)
{
    grid_segment(gr, ax, ay, bx, by, radius, 3, NULL);
}

void contour_grid_polyline(struct contour_grid *gr, const double *xy, size_t n, double radius)
{
    if (n == 1)
        grid_segment(gr, xy[0], xy[1], xy[0], xy[1], radius, 3, NULL);
    for (size_t k = 0; k + 1 < n; k++) {
        const double *a = xy + 2 * k, *b = a + 2;
        float next[2] = {0, 0};
        int caps = (k == 0) | (k + 2 == n) << 1;
        if (k + 2 < n)
            next[0] = (float)(b[2] - b[0]), next[1] = (float)(b[3] - b[1]);
        grid_segment(gr, a[0], a[1], b[0], b[1], radius, caps, k + 2 < n ? next : NULL);
    }
}

/* ---- tracing ------------------------------------------------------------------------------- */

void contour_rings_destroy(struct contour_rings *rs)
{
    if (!rs)
        return;
    free(rs->ring);
    free(rs->xy);
    free(rs);
}

/* A growable array of doubles with a hard cap. */
struct dbuf {
    double *v;
    size_t n, cap;
};

static int dbuf_push2(struct dbuf *b, double x, double y)
{
    if (b->n + 2 > b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 4096;
        double *p = nc < ((size_t)1 << 31) ? realloc(b->v, nc * sizeof *p) : NULL;
        if (!p)
            return -1;
        b->v = p, b->cap = nc;
    }
    b->v[b->n++] = x, b->v[b->n++] = y;
    return 0;
}

struct tracer {
    const struct contour_grid *g;
    float level;   /* inside: val < level (the squared level on squared grids) */
    double value;  /* the level as a value (not squared) */
    uint8_t *used; /* bit per triangle */
    struct dbuf pts;
    struct contour_ring *ring;
    size_t nring, capring;
};

/* Corner c (0..2) of triangle type tt in cell (i, j), as grid coordinates. */
static void tri_corner(int tt, size_t i, size_t j, int c, size_t *ci, size_t *cj)
{
    static const int d0[3][2] = {{0, 0}, {1, 0}, {1, 1}}, d1[3][2] = {{0, 0}, {1, 1}, {0, 1}};
    const int(*d)[2] = tt ? d1 : d0;
    *ci = i + (size_t)d[c][0], *cj = j + (size_t)d[c][1];
}

static int corner_in(const struct tracer *t, size_t i, size_t j)
{
    return t->g->val[j * t->g->nx + i] < t->level;
}

/* The crossing point on the edge from inside corner a to outside corner b. */
static void crossing(const struct tracer *t, size_t ai, size_t aj, size_t bi, size_t bj, double *x,
                     double *y)
{
    const struct contour_grid *g = t->g;
    double va = g->val[aj * g->nx + ai], vb = g->val[bj * g->nx + bi], s;
    if (g->squared)
        va = sqrt(va), vb = sqrt(vb);
    s = (t->value - va) / (vb - va);
    double xa = g->x0 + (double)ai * g->cell, ya = g->y0 + (double)aj * g->cell;
    double xb = g->x0 + (double)bi * g->cell, yb = g->y0 + (double)bj * g->cell;
    s = fmin(fmax(s, T_MIN), 1.0 - T_MIN);
    *x = xa + s * (xb - xa);
    *y = ya + s * (yb - ya);
}

/* The triangle across edge k of triangle (tt, i, j), into (*nt, *ni, *nj). */
static void tri_across(int tt, size_t i, size_t j, int k, int *nt, size_t *ni, size_t *nj)
{
    *nt = !tt, *ni = i, *nj = j;
    if (tt == 0 && k == 0)
        *nj = j - 1;
    else if (tt == 0 && k == 1)
        *ni = i + 1;
    else if (tt == 1 && k == 1)
        *nj = j + 1;
    else if (tt == 1 && k == 2)
        *ni = i - 1;
}

static size_t tri_id(const struct contour_grid *g, int tt, size_t i, size_t j)
{
    return 2 * (j * (g->nx - 1) + i) + (size_t)tt;
}

/* Walk the ring through triangle (tt, i, j), appending its points and the ring. 0 or -1. */
static int trace_ring(struct tracer *t, int tt, size_t i, size_t j)
{
    size_t first = t->pts.n / 2, ci[3], cj[3];
    int st = tt;
    size_t si = i, sj = j;
    double area = 0;

    do {
        int in[3], kio = -1, koi = -1;
        size_t id = tri_id(t->g, tt, i, j);
        t->used[id / 8] |= (uint8_t)(1u << (id % 8));
        for (int c = 0; c < 3; c++) {
            tri_corner(tt, i, j, c, &ci[c], &cj[c]);
            in[c] = corner_in(t, ci[c], cj[c]);
        }
        for (int k = 0; k < 3; k++) {
            if (in[k] && !in[(k + 1) % 3])
                kio = k;
            if (!in[k] && in[(k + 1) % 3])
                koi = k;
        }
        double x, y;
        crossing(t, ci[kio], cj[kio], ci[(kio + 1) % 3], cj[(kio + 1) % 3], &x, &y);
        if (dbuf_push2(&t->pts, x, y))
            return -1;
        tri_across(tt, i, j, koi, &tt, &i, &j);
    } while (tt != st || i != si || j != sj);
    if (t->nring == t->capring) {
        size_t nc = t->capring ? t->capring * 2 : 64;
        struct contour_ring *p = realloc(t->ring, nc * sizeof *p);
        if (!p)
            return -1;
        t->ring = p, t->capring = nc;
    }
    size_t n = t->pts.n / 2 - first;
    const double *p = t->pts.v + 2 * first;
    for (size_t k = 0; k < n; k++) {
        size_t l = (k + 1) % n;
        area += p[2 * k] * p[2 * l + 1] - p[2 * l] * p[2 * k + 1];
    }
    t->ring[t->nring++] = (struct contour_ring){first, n, area / 2, -1};
    return 0;
}

/* Whether triangle (tt, i, j) holds a piece of line not walked yet. */
static int tri_open(const struct tracer *t, int tt, size_t i, size_t j)
{
    size_t ci, cj, id = tri_id(t->g, tt, i, j);
    int n = 0;
    if (t->used[id / 8] & (1u << (id % 8)))
        return 0;
    for (int c = 0; c < 3; c++) {
        tri_corner(tt, i, j, c, &ci, &cj);
        n += corner_in(t, ci, cj);
    }
    return n == 1 || n == 2;
}

/* Walk every ring of the grid. 0 or -1 (memory). */
static int trace_all(struct tracer *t)
{
    const struct contour_grid *g = t->g;
    for (size_t j = 0; j + 1 < g->ny; j++) {
        const float *r0 = g->val + j * g->nx, *r1 = r0 + g->nx;
        size_t i0 = 0, i1 = g->nx - 1; /* cells with a written corner (all, without lo/hi) */
        if (g->lo) {
            size_t lo = g->lo[j] < g->lo[j + 1] ? g->lo[j] : g->lo[j + 1];
            size_t hi = g->hi[j] > g->hi[j + 1] ? g->hi[j] : g->hi[j + 1];
            if (lo > hi)
                continue;
            i0 = lo > 0 ? lo - 1 : 0, i1 = hi + 1 < g->nx ? hi + 1 : g->nx - 1;
        }
        for (size_t i = i0; i < i1; i++) {
            int n = (r0[i] < t->level) + (r0[i + 1] < t->level) + (r1[i] < t->level) +
                    (r1[i + 1] < t->level);
            if (n == 0 || n == 4)
                continue;
            for (int tt = 0; tt < 2; tt++)
                if (tri_open(t, tt, i, j) && trace_ring(t, tt, i, j))
                    return -1;
        }
    }
    return 0;
}

/* ---- nesting ------------------------------------------------------------------------------- */

struct xing {
    size_t row;
    double x;
    size_t ring;
};

static int cmp_xing_x(const void *a, const void *b)
{
    const struct xing *p = a, *q = b;
    return p->x < q->x ? -1 : p->x > q->x;
}

/* Order x[0..n) by row (counting sort over the grid's rows), then by x within each row. The
 * result replaces *x. 0 or -1. */
static int sort_xings(const struct contour_grid *g, struct xing **x, size_t n)
{
    size_t *first = calloc(g->ny + 1, sizeof *first);
    struct xing *y = malloc((n + 1) * sizeof *y);
    if (!first || !y) {
        free(first), free(y);
        return -1;
    }
    for (size_t k = 0; k < n; k++)
        first[(*x)[k].row + 1]++;
    for (size_t j = 0; j < g->ny; j++)
        first[j + 1] += first[j];
    for (size_t k = 0; k < n; k++)
        y[first[(*x)[k].row]++] = (*x)[k];
    for (size_t j = 0, start = 0; j < g->ny; start = first[j++])
        if (first[j] - start > 1)
            qsort(y + start, first[j] - start, sizeof *y, cmp_xing_x);
    free(first);
    free(*x);
    *x = y;
    return 0;
}

/* Where the rings cross the lines y = y0 + row * cell (a point on a line counts as below it),
 * into *out (caller frees). 0 or -1. */
static int ring_crossings(const struct contour_grid *g, const struct contour_rings *rs,
                          struct xing **out, size_t *nout)
{
    size_t n = 0, cap = 1024;
    struct xing *x = malloc(cap * sizeof *x);
    if (!x)
        return -1;
    for (size_t r = 0; r < rs->n; r++) {
        const double *p = rs->xy + 2 * rs->ring[r].first;
        size_t m = rs->ring[r].count;
        for (size_t k = 0; k < m; k++) {
            const double *a = p + 2 * k, *b = p + 2 * ((k + 1) % m);
            double lo = fmin(a[1], b[1]), hi = fmax(a[1], b[1]);
            long j0 = (long)floor((lo - g->y0) / g->cell) - 1;
            long j1 = (long)ceil((hi - g->y0) / g->cell) + 1;
            for (long j = j0 < 0 ? 0 : j0; j <= j1 && j < (long)g->ny; j++) {
                double y = g->y0 + (double)j * g->cell;
                if ((a[1] > y) == (b[1] > y))
                    continue;
                if (n == cap) {
                    struct xing *nx = realloc(x, 2 * cap * sizeof *nx);
                    if (!nx) {
                        free(x);
                        return -1;
                    }
                    x = nx, cap *= 2;
                }
                x[n++] =
                    (struct xing){(size_t)j, a[0] + (y - a[1]) * (b[0] - a[0]) / (b[1] - a[1]), r};
            }
        }
    }
    if (sort_xings(g, &x, n)) {
        free(x);
        return -1;
    }
    *out = x, *nout = n;
    return 0;
}

/* Fill every ring's parent: along each row line the crossings nest like parentheses, so a stack
 * of the rings entered so far gives the one directly around each ring met. 0 or -1. */
static int ring_nesting(const struct contour_grid *g, struct contour_rings *rs)
{
    struct xing *x = NULL;
    size_t nx = 0, top = 0;
    size_t *stack = malloc((rs->n + 1) * sizeof *stack);
    uint8_t *known = calloc(rs->n + 1, 1);

    if (!stack || !known || ring_crossings(g, rs, &x, &nx)) {
        free(stack), free(known);
        return -1;
    }
    for (size_t k = 0; k < nx; k++) {
        size_t r = x[k].ring;
        if (k == 0 || x[k].row != x[k - 1].row)
            top = 0;
        if (top && stack[top - 1] == r) {
            top--;
            continue;
        }
        if (!known[r]) {
            rs->ring[r].parent = top ? (long)stack[top - 1] : -1;
            known[r] = 1;
        }
        stack[top++] = r;
    }
    free(x), free(stack), free(known);
    return 0;
}

enum kkc_code contour_trace(const struct contour_grid *gr, double level, struct contour_rings **out,
                            struct kkc_err *err)
{
    size_t ntri = 2 * (gr->nx - 1) * (gr->ny - 1);
    struct tracer t = {
        .g = gr, .level = (float)(gr->squared ? level * level : level), .value = level};
    struct contour_rings *rs = calloc(1, sizeof *rs);

    *out = NULL;
    t.used = calloc(ntri / 8 + 1, 1);
    if (!rs || !t.used || trace_all(&t))
        goto oom;
    free(t.used);
    t.used = NULL;
    rs->n = t.nring, rs->ring = t.ring, rs->xy = t.pts.v;
    t.ring = NULL, t.pts.v = NULL;
    if (ring_nesting(gr, rs))
        goto oom;
    *out = rs;
    return KKC_OK;
oom:
    free(t.used);
    free(t.ring);
    free(t.pts.v);
    contour_rings_destroy(rs);
    return kkc_err_set(err, KKC_ENOMEM, "out of memory (contour)");
}
