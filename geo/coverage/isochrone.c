/* geo/coverage/isochrone.c -- reached pieces of road -> distance field -> nested polygons (see .h). */
#include "coverage/isochrone.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define WIDTH_MAX_M 5000.0

/* The settings of one call. */
struct iso_set {
    double width, cell, radius, fill, tol;
    size_t max_cells;
    int unchecked;
};

/* Defaults and checks for o. */
static enum kkc_code iso_settings(const struct isochrone_opts *o, struct iso_set *s,
                                  struct kkc_err *err)
{
    static const struct isochrone_opts none = {0, 0, 0, 0, 0};
    o = o ? o : &none;
    s->width = o->width_m ? o->width_m : ISOCHRONE_WIDTH_DEFAULT_M;
    s->cell = o->cell_m ? o->cell_m : s->width / 2;
    s->fill = o->fill_m2 == 0 ? ISOCHRONE_FILL_DEFAULT_M2 : o->fill_m2 < 0 ? 0 : o->fill_m2;
    s->max_cells = o->max_cells ? o->max_cells : ISOCHRONE_CELLS_DEFAULT;
    s->unchecked = o->unchecked;
    if (!(s->width > 0 && s->width <= WIDTH_MAX_M) || !(s->cell > 0) || !isfinite(s->fill))
        return kkc_err_set(err, KKC_EINVAL,
                           "isochrone: width must be in (0, %.0f] m and the "
                           "cell > 0",
                           WIDTH_MAX_M);
    return KKC_OK;
}

/* Once the grid is made: the width is at least 1.5 cells; field values are exact within radius;
 * road lines are simplified within a quarter cell. */
static void iso_settle(struct iso_set *s, double cell)
{
    s->cell = cell;
    s->width = fmax(s->width, 1.5 * cell);
    s->radius = s->width + 1.5 * cell;
    s->tol = cell / 4;
}

/* The lon/lat box of the edges of the pieces into b (minlon, minlat, maxlon, maxlat). */
static void pieces_box(const struct graph *g, const struct reach_piece *p, size_t n, double b[4])
{
    b[0] = b[1] = INFINITY, b[2] = b[3] = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (i && p[i].edge == p[i - 1].edge)
            continue;
        for (uint32_t k = g->edge_coord_first[p[i].edge]; k < g->edge_coord_first[p[i].edge + 1];
             k++) {
            b[0] = fmin(b[0], g->coords[2 * k]), b[2] = fmax(b[2], g->coords[2 * k]);
            b[1] = fmin(b[1], g->coords[2 * k + 1]), b[3] = fmax(b[3], g->coords[2 * k + 1]);
        }
    }
}

/* A grid over the pieces' box in a plane centred on it (into *pl). */
static enum kkc_code pieces_grid(const struct graph *g, const struct reach_piece *p, size_t n,
                                 struct iso_set *s, size_t max_cells, struct contour_plane *pl,
                                 struct contour_grid **gr, struct kkc_err *err)
{
    double b[4], x0, y0, x1, y1;
    enum kkc_code rc;
    pieces_box(g, p, n, b);
    contour_plane_init(pl, (b[0] + b[2]) / 2, (b[1] + b[3]) / 2);
    contour_plane_xy(pl, b[0], b[1], &x0, &y0);
    contour_plane_xy(pl, b[2], b[3], &x1, &y1);
    rc = contour_grid_create(x0, y0, x1, y1, s->width, s->cell, max_cells, gr, err);
    if (!rc)
        iso_settle(s, (*gr)->cell);
    return rc;
}

#define SPAN_SKIP_MAX 16 /* points one chord may replace: keeps the greedy scan linear */

/* Whether every point strictly between p[i] and p[j] is within tol of the chord p[i]-p[j]. */
static int chord_ok(const double *p, size_t i, size_t j, double tol)
{
    double dx = p[2 * j] - p[2 * i], dy = p[2 * j + 1] - p[2 * i + 1], l2 = dx * dx + dy * dy;
    for (size_t k = i + 1; k < j; k++) {
        double ex = p[2 * k] - p[2 * i], ey = p[2 * k + 1] - p[2 * i + 1];
        double t = l2 > 0 ? fmin(fmax((ex * dx + ey * dy) / l2, 0), 1) : 0;
        ex -= t * dx, ey -= t * dy;
        if (ex * ex + ey * ey > tol * tol)
            return 0;
    }
    return 1;
}

/* Simplify the polyline p[0..n) in place: from each kept point, skip ahead (at most
 * SPAN_SKIP_MAX points) while the chord stays within tol of the points it skips; repeated points
 * go too. Returns the new count. */
static size_t simplify(double *p, size_t n, double tol)
{
    size_t i = 0, m = 1;
    while (i + 1 < n) {
        size_t j = i + 1;
        while (j + 1 < n && j + 1 - i <= SPAN_SKIP_MAX && chord_ok(p, i, j + 1, tol))
            j++;
        if (p[2 * j] != p[2 * (m - 1)] || p[2 * j + 1] != p[2 * (m - 1) + 1])
            p[2 * m] = p[2 * j], p[2 * m + 1] = p[2 * j + 1], m++;
        i = j;
    }
    return m;
}

/* The point at `along` metres on segment k of the geometry, in the plane. */
static void along_point(const struct graph *g, const struct contour_plane *pl, uint32_t k,
                        double along, double *x, double *y)
{
    double s0 = g->coord_along[k], s1 = g->coord_along[k + 1];
    double u = s1 > s0 ? fmin(fmax((along - s0) / (s1 - s0), 0), 1) : 0;
    const double *c = g->coords + 2 * (size_t)k;
    contour_plane_xy(pl, c[0] + u * (c[2] - c[0]), c[1] + u * (c[3] - c[1]), x, y);
}

/* Call fn with the polyline of edge e between length fractions fa <= fb (in the plane,
 * simplified within tol: no part of the road moves more than tol). */
typedef void (*line_fn)(void *ud, const double *xy, size_t n);
#define SPAN_POINTS 256
static void edge_span(const struct graph *g, const struct contour_plane *pl, uint32_t e, double fa,
                      double fb, double tol, line_fn fn, void *ud)
{
    uint32_t k0 = g->edge_coord_first[e], k1 = g->edge_coord_first[e + 1] - 1;
    double len = g->coord_along[k1], a = fa * len, b = fb * len, p[2 * SPAN_POINTS];
    size_t n = 0;
    for (uint32_t k = k0; k < k1; k++) {
        double s0 = g->coord_along[k], s1 = g->coord_along[k + 1];
        if (s1 < a || s0 > b || (s1 == s0 && k + 1 < k1))
            continue;
        if (n == 0)
            along_point(g, pl, k, fmax(a, s0), &p[0], &p[1]), n = 1;
        along_point(g, pl, k, fmin(b, s1), &p[2 * n], &p[2 * n + 1]);
        if (++n == SPAN_POINTS) { /* flush and go on from the last point */
            fn(ud, p, simplify(p, n, tol));
            p[0] = p[2 * n - 2], p[1] = p[2 * n - 1], n = 1;
        }
    }
    if (n > 1)
        fn(ud, p, simplify(p, n, tol));
    else if (n == 1 && fb == fa)
        fn(ud, p, 1);
}

struct grid_ud {
    struct contour_grid *gr;
    double radius, tol;
};

static void line_to_grid(void *ud, const double *xy, size_t n)
{
    struct grid_ud *u = ud;
    contour_grid_polyline(u->gr, xy, n, u->radius);
}

/* Time on piece p at fraction f. */
static double piece_time(const struct reach_piece *p, double f)
{
    return p->f1 > p->f0 ? p->t0 + (p->t1 - p->t0) * (f - p->f0) / (p->f1 - p->f0) : p->t0;
}

/* Add the part [a, b] of piece p to info's sums (road_m, time_mean_s as a sum, time_max_s). */
static void info_add(const struct graph *g, const struct reach_piece *p, double a, double b,
                     struct isochrone_info *in)
{
    double len = g->coord_along[g->edge_coord_first[p->edge + 1] - 1] * (b - a);
    double ta = piece_time(p, a), tb = piece_time(p, b);
    in->road_m += len;
    in->time_mean_s += len * (ta + tb) / 2;
    in->time_max_s = fmax(in->time_max_s, fmax(ta, tb));
}

/* Turn the sum of time_mean_s into a mean. */
static void info_finish(struct isochrone_info *in, const struct iso_set *s)
{
    in->time_mean_s = in->road_m > 0 ? in->time_mean_s / in->road_m : 0;
    in->width_m = s->width, in->cell_m = s->cell;
}

/* Check g with GEOS; an invalid one is replaced by GEOSMakeValid's answer (*repaired = 1). */
static enum kkc_code iso_validate(GEOSContextHandle_t h, GEOSGeometry **g, int *repaired,
                                  struct kkc_err *err)
{
    char v = GEOSisValid_r(h, *g);
    GEOSGeometry *fixed;
    if (v == 1)
        return KKC_OK;
    fixed = GEOSMakeValid_r(h, *g);
    if (!fixed)
        return kkc_err_set(err, KKC_EINTERNAL, "GEOS could not repair an isochrone");
    GEOSGeom_destroy_r(h, *g);
    *g = fixed;
    *repaired = 1;
    return KKC_OK;
}

/* Trace gr at level, make polygons (holes under s->fill closed), validate unless s->unchecked;
 * rings kept when asked. */
static enum kkc_code iso_outline(GEOSContextHandle_t h, const struct contour_grid *gr,
                                 const struct contour_plane *pl, double level,
                                 const struct iso_set *s, GEOSGeometry **out, int *repaired,
                                 struct contour_rings **keep, struct kkc_err *err)
{
    struct contour_rings *rs = NULL;
    enum kkc_code rc = contour_trace(gr, level, &rs, err);
    if (!rc)
        rc = contour_polygons(h, rs, pl, s->fill, out, err);
    if (!rc && !s->unchecked)
        rc = iso_validate(h, out, repaired, err);
    if (!rc && keep)
        *keep = rs, rs = NULL;
    contour_rings_destroy(rs);
    return rc;
}

/* Limits: 1..ISOCHRONE_CONTOURS_MAX of them, finite, positive, increasing. */
static enum kkc_code check_limits(const double *l, size_t n, struct kkc_err *err)
{
    if (n < 1 || n > ISOCHRONE_CONTOURS_MAX)
        return kkc_err_set(err, KKC_EINVAL, "1 to %d contours", ISOCHRONE_CONTOURS_MAX);
    for (size_t k = 0; k < n; k++)
        if (!isfinite(l[k]) || l[k] <= 0 || (k && l[k] <= l[k - 1]))
            return kkc_err_set(err, KKC_EINVAL, "contour times must be positive and increasing");
    return KKC_OK;
}

/* Empty results for every contour (nothing reached). */
static enum kkc_code iso_empty(GEOSContextHandle_t h, size_t n, GEOSGeometry **out,
                               struct contour_rings **rings, struct kkc_err *err)
{
    for (size_t k = 0; k < n; k++)
        if (!(out[k] = GEOSGeom_createEmptyCollection_r(h, GEOS_MULTIPOLYGON)))
            goto fail;
    if (rings && !(*rings = calloc(1, sizeof **rings)))
        goto fail;
    return KKC_OK;
fail:
    for (size_t k = 0; k < n; k++)
        if (out[k])
            GEOSGeom_destroy_r(h, out[k]), out[k] = NULL;
    return kkc_err_set(err, KKC_ENOMEM, "out of memory (isochrone)");
}

/* Add to the grid the parts of every piece reached between limits[k - 1] and limits[k]. */
static void add_contour(struct grid_ud *ud, const struct graph *g, const struct contour_plane *pl,
                        const struct reach_piece *p, size_t np, const double *limits, size_t k,
                        struct isochrone_info *in)
{
    for (size_t i = 0; i < np; i++) {
        double a, b, pa, pb;
        if (!reach_piece_cut(&p[i], limits[k], &a, &b))
            continue;
        if (in)
            info_add(g, &p[i], a, b, in);
        if (k == 0 || !reach_piece_cut(&p[i], limits[k - 1], &pa, &pb)) {
            edge_span(g, pl, p[i].edge, a, b, ud->tol, line_to_grid, ud);
            continue;
        }
        if (pa > a)
            edge_span(g, pl, p[i].edge, a, pa, ud->tol, line_to_grid, ud);
        if (b > pb)
            edge_span(g, pl, p[i].edge, pb, b, ud->tol, line_to_grid, ud);
    }
}

enum kkc_code isochrone_build_rings(GEOSContextHandle_t h, const struct reach *r,
                                    const double *limits_s, size_t n,
                                    const struct isochrone_opts *o, GEOSGeometry **out,
                                    struct isochrone_info *info, struct contour_rings **rings,
                                    struct contour_plane *plane, struct kkc_err *err)
{
    const struct graph *g = reach_graph(r);
    struct iso_set s;
    struct reach_piece *p = NULL;
    struct contour_grid *gr = NULL;
    struct contour_plane pl;
    size_t np = 0, k = 0;
    enum kkc_code rc = check_limits(limits_s, n, err);

    if (!rc)
        rc = iso_settings(o, &s, err);
    if (!rc)
        rc = reach_pieces(r, limits_s[n - 1], &p, &np, err);
    if (rc)
        return rc;
    memset(out, 0, n * sizeof *out);
    if (info)
        memset(info, 0, n * sizeof *info);
    if (rings)
        *rings = NULL;
    if (np == 0) {
        contour_plane_init(plane ? plane : &pl, g->node_lonlat[0], g->node_lonlat[1]);
        return iso_empty(h, n, out, rings, err);
    }
    rc = pieces_grid(g, p, np, &s, s.max_cells, &pl, &gr, err);
    for (; !rc && k < n; k++) {
        struct grid_ud ud = {gr, s.radius, s.tol};
        struct isochrone_info in = {0};
        add_contour(&ud, g, &pl, p, np, limits_s, k, &in);
        info_finish(&in, &s);
        rc = iso_outline(h, gr, &pl, s.width, &s, &out[k], &in.repaired, k + 1 == n ? rings : NULL,
                         err);
        if (info)
            info[k] = in;
    }
    free(p);
    contour_grid_destroy(gr);
    if (rc) {
        for (size_t j = 0; j < n; j++)
            if (out[j])
                GEOSGeom_destroy_r(h, out[j]), out[j] = NULL;
        return rc;
    }
    if (plane)
        *plane = pl;
    return KKC_OK;
}

enum kkc_code isochrone_build(GEOSContextHandle_t h, const struct reach *r, const double *limits_s,
                              size_t n, const struct isochrone_opts *o, GEOSGeometry **out,
                              struct isochrone_info *info, struct kkc_err *err)
{
    return isochrone_build_rings(h, r, limits_s, n, o, out, info, NULL, NULL, err);
}

/* ---- catchments ---------------------------------------------------------------------------- */

/* Per vertex: the nearest and second nearest squared distances to roads of two different
 * owners. */
struct two_field {
    struct contour_grid *gr; /* val = nearest distance */
    float *d2;
    uint32_t *o1, *o2;
    uint32_t owner; /* of the segment being added */
    double radius;
};

/* Offer distance d of the current owner to vertex k. */
static void two_offer(struct two_field *t, size_t k, float d)
{
    float *d1 = t->gr->val;
    uint32_t o = t->owner;
    if (o == t->o1[k]) {
        if (d < d1[k])
            d1[k] = d;
    } else if (d < d1[k]) {
        t->d2[k] = d1[k], t->o2[k] = t->o1[k];
        d1[k] = d, t->o1[k] = o;
    } else if (o == t->o2[k]) {
        if (d < t->d2[k])
            t->d2[k] = d;
    } else if (d < t->d2[k]) {
        t->d2[k] = d, t->o2[k] = o;
    }
}

static void seg_to_two(struct two_field *tf, double ax, double ay, double bx, double by)
{
    struct contour_grid *gr = tf->gr;
    double dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy, r = tf->radius;
    long i0 = (long)ceil((fmin(ax, bx) - r - gr->x0) / gr->cell);
    long i1 = (long)floor((fmax(ax, bx) + r - gr->x0) / gr->cell);
    long j0 = (long)ceil((fmin(ay, by) - r - gr->y0) / gr->cell);
    long j1 = (long)floor((fmax(ay, by) + r - gr->y0) / gr->cell);

    i0 = i0 < 0 ? 0 : i0, j0 = j0 < 0 ? 0 : j0;
    i1 = i1 >= (long)gr->nx ? (long)gr->nx - 1 : i1;
    j1 = j1 >= (long)gr->ny ? (long)gr->ny - 1 : j1;
    for (long j = j0; j <= j1; j++)
        for (long i = i0; i <= i1; i++) {
            double x = gr->x0 + (double)i * gr->cell, y = gr->y0 + (double)j * gr->cell, t = 0;
            if (l2 > 0)
                t = fmin(fmax(((x - ax) * dx + (y - ay) * dy) / l2, 0.0), 1.0);
            double ex = x - ax - t * dx, ey = y - ay - t * dy;
            two_offer(tf, (size_t)j * gr->nx + (size_t)i, (float)(ex * ex + ey * ey));
        }
}

static void line_to_two(void *ud, const double *xy, size_t n)
{
    for (size_t k = 0; k + 1 < n; k++)
        seg_to_two(ud, xy[2 * k], xy[2 * k + 1], xy[2 * k + 2], xy[2 * k + 3]);
    if (n == 1)
        seg_to_two(ud, xy[0], xy[1], xy[0], xy[1]);
}

/* Owner i's value at vertex k: < 0 inside its catchment (see the .h). */
static float owner_value(const struct two_field *t, size_t k, uint32_t i, double w)
{
    double d1 = sqrt(t->gr->val[k]), d2 = sqrt(t->d2[k]);
    if (t->o1[k] == i)
        return (float)fmax(d1 - w, d1 - d2);
    return (float)fmax(d2 - w, d2 - d1); /* second, or a lower bound of its distance */
}

/* The grid box (vertex indices) of owner i's pieces grown by the radius and 3 cells. */
static int owner_window(const struct two_field *t, const struct graph *g,
                        const struct contour_plane *pl, const struct reach_piece *p, size_t np,
                        uint32_t i, size_t w[4])
{
    double b[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY}, x, y, m;
    const struct contour_grid *gr = t->gr;
    for (size_t q = 0; q < np; q++) {
        if (p[q].owner != i)
            continue;
        for (uint32_t k = g->edge_coord_first[p[q].edge]; k < g->edge_coord_first[p[q].edge + 1];
             k++) {
            contour_plane_xy(pl, g->coords[2 * k], g->coords[2 * k + 1], &x, &y);
            b[0] = fmin(b[0], x), b[1] = fmin(b[1], y), b[2] = fmax(b[2], x), b[3] = fmax(b[3], y);
        }
    }
    if (!(b[0] <= b[2]))
        return 0;
    m = t->radius + 3 * gr->cell;
    w[0] = (size_t)fmax(0, floor((b[0] - m - gr->x0) / gr->cell));
    w[1] = (size_t)fmax(0, floor((b[1] - m - gr->y0) / gr->cell));
    w[2] = (size_t)fmin((double)gr->nx - 1, ceil((b[2] + m - gr->x0) / gr->cell));
    w[3] = (size_t)fmin((double)gr->ny - 1, ceil((b[3] + m - gr->y0) / gr->cell));
    return 1;
}

/* Owner i's catchment polygon from the two-owner field. */
static enum kkc_code owner_polygon(GEOSContextHandle_t h, const struct two_field *t,
                                   const struct graph *g, const struct contour_plane *pl,
                                   const struct reach_piece *p, size_t np, uint32_t i,
                                   const struct iso_set *s, GEOSGeometry **out, int *repaired,
                                   struct kkc_err *err)
{
    size_t w[4];
    struct contour_grid win;
    enum kkc_code rc;
    if (!owner_window(t, g, pl, p, np, i, w)) {
        *out = GEOSGeom_createEmptyCollection_r(h, GEOS_MULTIPOLYGON);
        return *out ? KKC_OK : kkc_err_set(err, KKC_ENOMEM, "out of memory (catchment)");
    }
    win.nx = w[2] - w[0] + 1, win.ny = w[3] - w[1] + 1, win.cell = t->gr->cell, win.squared = 0;
    win.lo = win.hi = NULL;
    win.x0 = t->gr->x0 + (double)w[0] * win.cell, win.y0 = t->gr->y0 + (double)w[1] * win.cell;
    if (!(win.val = malloc(win.nx * win.ny * sizeof *win.val)))
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (catchment)");
    for (size_t j = 0; j < win.ny; j++)
        for (size_t q = 0; q < win.nx; q++) {
            int border = j == 0 || q == 0 || j + 1 == win.ny || q + 1 == win.nx;
            size_t k = (j + w[1]) * t->gr->nx + q + w[0];
            win.val[j * win.nx + q] = border ? CONTOUR_FAR : owner_value(t, k, i, s->width);
        }
    rc = iso_outline(h, &win, pl, 0.0, s, out, repaired, NULL, err);
    free(win.val);
    return rc;
}

/* The two-owner field of all pieces cut at limit_s; *t's arrays are the caller's. */
static enum kkc_code two_build(const struct graph *g, const struct reach_piece *p, size_t np,
                               double limit_s, struct iso_set *s, struct contour_plane *pl,
                               struct two_field *t, struct kkc_err *err)
{
    size_t nv;
    enum kkc_code rc = pieces_grid(g, p, np, s, s->max_cells / 4, pl, &t->gr, err);
    if (rc)
        return rc;
    nv = t->gr->nx * t->gr->ny;
    t->d2 = malloc(nv * sizeof *t->d2);
    t->o1 = malloc(nv * sizeof *t->o1);
    t->o2 = malloc(nv * sizeof *t->o2);
    if (!t->d2 || !t->o1 || !t->o2)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (catchments)");
    for (size_t k = 0; k < nv; k++)
        t->d2[k] = CONTOUR_FAR, t->o1[k] = t->o2[k] = UINT32_MAX;
    t->radius = s->radius;
    for (size_t q = 0; q < np; q++) {
        double a, b;
        if (!reach_piece_cut(&p[q], limit_s, &a, &b))
            continue;
        t->owner = p[q].owner;
        edge_span(g, pl, p[q].edge, a, b, s->tol, line_to_two, t);
    }
    return KKC_OK;
}

enum kkc_code isochrone_catchments(GEOSContextHandle_t h, const struct reach *r, double limit_s,
                                   size_t nowners, const struct isochrone_opts *o,
                                   GEOSGeometry **out, struct isochrone_info *info,
                                   struct kkc_err *err)
{
    const struct graph *g = reach_graph(r);
    struct iso_set s;
    struct reach_piece *p = NULL;
    struct two_field t = {0};
    struct contour_plane pl;
    size_t np = 0, i = 0;
    enum kkc_code rc = iso_settings(o, &s, err);

    if (!rc && !(limit_s > 0))
        rc = kkc_err_set(err, KKC_EINVAL, "catchments: the limit must be > 0");
    if (!rc)
        rc = reach_pieces(r, limit_s, &p, &np, err);
    if (rc)
        return rc;
    memset(out, 0, nowners * sizeof *out);
    if (info)
        memset(info, 0, nowners * sizeof *info);
    if (np)
        rc = two_build(g, p, np, limit_s, &s, &pl, &t, err);
    for (; !rc && i < nowners; i++) {
        struct isochrone_info in = {0};
        for (size_t q = 0; q < np; q++) {
            double a, b;
            if (p[q].owner == i && reach_piece_cut(&p[q], limit_s, &a, &b))
                info_add(g, &p[q], a, b, &in);
        }
        info_finish(&in, &s);
        if (np)
            rc = owner_polygon(h, &t, g, &pl, p, np, (uint32_t)i, &s, &out[i], &in.repaired, err);
        else if (!(out[i] = GEOSGeom_createEmptyCollection_r(h, GEOS_MULTIPOLYGON)))
            rc = kkc_err_set(err, KKC_ENOMEM, "out of memory (catchments)");
        if (info)
            info[i] = in;
    }
    free(p);
    contour_grid_destroy(t.gr);
    free(t.d2), free(t.o1), free(t.o2);
    if (rc)
        for (size_t j = 0; j < nowners; j++)
            if (out[j])
                GEOSGeom_destroy_r(h, out[j]), out[j] = NULL;
    return rc;
}
