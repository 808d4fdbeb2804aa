/* geo/coverage/contour.h -- polygons from a sampled field: level lines by marching triangles.
 *
 * A struct contour_grid holds float values at the vertices of a square grid in a local metric
 * plane (struct contour_plane: metres east and north of a reference point, an equirectangular
 * plane whose scale is exact at the reference latitude; within 50 km north or south of it,
 * distances are off by less than 0.1 %, far below the cell size for a buffer). Callers fill it,
 * e.g. with distances to segments (contour_grid_segment: the grid then samples a buffer).
 *
 * contour_trace() draws the level line val = level, inside being val < level, over the grid split
 * into triangles (every cell cut along the same diagonal) with the values interpolated linearly
 * on each triangle. That surface is continuous and piecewise linear, so its level lines are
 * disjoint simple closed rings: the polygons are valid by construction, and when one field is
 * everywhere at most another, its inside contains the other's (nesting is exact). Crossing points
 * are kept at least 2 % of a cell away from grid vertices, so rings stay apart by a few
 * decimetres and survive rounding to 1e-7 degree. Rings are oriented with the inside on their
 * left (shells counter-clockwise, holes clockwise), and a scan along the grid rows finds which
 * ring directly encloses which, so shells get their holes without any overlay operation.
 *
 * GEOS is used only to hold the results; every call takes the caller's (per-thread) context. */
#ifndef KKC_CONTOUR_H
#define KKC_CONTOUR_H

#define GEOS_USE_ONLY_R_API
#include <geos_c.h>

#include "base/err.h"

#include <stddef.h>

/* The local plane: x = (lon - lon0) * kx, y = (lat - lat0) * ky, in metres. */
struct contour_plane {
    double lon0, lat0, kx, ky;
};

/* The plane around lon0, lat0 (WGS84 degrees). */
void contour_plane_init(struct contour_plane *p, double lon0, double lat0);
void contour_plane_xy(const struct contour_plane *p, double lon, double lat, double *x, double *y);
void contour_plane_lonlat(const struct contour_plane *p, double x, double y, double *lon,
                          double *lat);

struct contour_grid {
    float *val; /* nx * ny values, row-major: vertex (i, j) at val[j * nx + i] */
    size_t nx, ny;
    double x0, y0;   /* plane coordinates of vertex (0, 0) */
    double cell;     /* metres between vertices */
    int squared;     /* values are squared distances (contour_trace takes their square roots) */
    size_t *lo, *hi; /* per row, the columns written so far (lo > hi: none); NULL: any column
                        may hold anything (contour_trace then scans whole rows) */
};

#define CONTOUR_FAR 1e30f /* the initial value: far from everything */

/* A grid over the box [minx, maxx] x [miny, maxy] grown by margin on every side, cells of `cell`
 * metres, made coarser when needed so that it has at most max_cells vertices; every value is
 * CONTOUR_FAR and `squared` is set. *out is the caller's (contour_grid_destroy). KKC_EINVAL for an
 * empty or non-finite box, KKC_ENOMEM. */
enum kkc_code contour_grid_create(double minx, double miny, double maxx, double maxy, double margin,
                                  double cell, size_t max_cells, struct contour_grid **out,
                                  struct kkc_err *err);
/* NULL is a no-op. */
void contour_grid_destroy(struct contour_grid *gr);

/* val = min(val, squared distance to the segment a-b) at every vertex within radius of it. */
void contour_grid_segment(struct contour_grid *gr, double ax, double ay, double bx, double by,
                          double radius);
/* The same for the polyline xy[0..n) (x,y pairs; n >= 1), faster than segment by segment: the
 * ends of inner segments are only visited where the neighbouring segment does not reach. */
void contour_grid_polyline(struct contour_grid *gr, const double *xy, size_t n, double radius);

/* Closed rings in plane coordinates, with their nesting. */
struct contour_ring {
    size_t first, count; /* points xy[2 * first ..], the last point not repeated */
    double area;         /* signed, m2: > 0 for shells (counter-clockwise), < 0 for holes */
    long parent;         /* the ring directly around this one, -1 when none */
};
struct contour_rings {
    size_t n;
    struct contour_ring *ring;
    double *xy;
};

/* The level line val = level of gr (inside: val < level; on a squared grid, the line where the
 * distance whose square val holds equals level). Vertices on the grid's border must be
 * outside. *out is the caller's (contour_rings_destroy). KKC_ENOMEM. */
enum kkc_code contour_trace(const struct contour_grid *gr, double level, struct contour_rings **out,
                            struct kkc_err *err);
/* NULL is a no-op. */
void contour_rings_destroy(struct contour_rings *rs);

/* The inside of rs as a (Multi)Polygon in WGS84 lon/lat (through plane pl): every shell with its
 * holes; holes of less than fill_m2 square metres are closed (with whatever they contain).
 * An empty MultiPolygon when there are no shells. *out is the caller's (GEOSGeom_destroy_r).
 * KKC_ENOMEM, KKC_EINTERNAL when GEOS fails. */
enum kkc_code contour_polygons(GEOSContextHandle_t h, const struct contour_rings *rs,
                               const struct contour_plane *pl, double fill_m2, GEOSGeometry **out,
                               struct kkc_err *err);

/* The outside of rs within the ring outer (n points in plane coordinates, not repeated, which
 * must enclose every ring of rs without touching it), holes closed as in contour_polygons(): the
 * gaps left by the inside. Same conventions as contour_polygons(). */
enum kkc_code contour_complement(GEOSContextHandle_t h, const struct contour_rings *rs,
                                 const struct contour_plane *pl, double fill_m2,
                                 const double *outer, size_t n, GEOSGeometry **out,
                                 struct kkc_err *err);

#endif
