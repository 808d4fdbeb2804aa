/* geo/coverage/isochrone.h -- the road network reached within a time, as polygons; catchments by time.
 *
 * Method. A place belongs to the T-isochrone when it lies within `width` metres (straight line)
 * of a road point reached within T: the polygon is the buffer of the reached linework (edges cut
 * where the time runs out, geometry from g->coords / coord_along). The buffer is drawn from the
 * distance to that linework sampled on a grid in a local metric plane (contour.h; cells of half
 * the width, road lines simplified within a quarter cell first) and outlined by marching triangles
 * at distance = width: this gives what buffering the lines and taking their union (GEOSBuffer +
 * GEOSUnaryUnion) gives, to within a few percent of a cell, valid by construction and hundreds of
 * times faster on road networks (GEOS needs seconds for the ~2,000 edges of a 5-minute drive in
 * Heidelberg). Holes smaller than fill_m2 (city blocks farther than `width` from every reached
 * street) are closed. Contours of one call share the grid and each adds the roads reached since the
 * previous one, so the T2-polygon contains the T1-polygon for T1 < T2 exactly (contour.h explains
 * why). Every polygon is checked with GEOSisValid_r.
 *
 * Catchments split the reached network by owner (reach.h: the source reaching a road point
 * first) and give every owner the places nearer to its roads than to other owners' roads, within
 * `width` of them: a network Voronoi diagram by time, grown into areas. */
#ifndef KKC_ISOCHRONE_H
#define KKC_ISOCHRONE_H

#include "coverage/contour.h"
#include "base/err.h"
#include "coverage/reach.h"

#include <stddef.h>

#define ISOCHRONE_WIDTH_DEFAULT_M 75.0
#define ISOCHRONE_FILL_DEFAULT_M2 100000.0 /* 10 ha */
#define ISOCHRONE_CELLS_DEFAULT ((size_t)4 << 20)
#define ISOCHRONE_CONTOURS_MAX 16

struct isochrone_opts {
    double width_m;   /* buffer around the reached roads; 0 = ISOCHRONE_WIDTH_DEFAULT_M */
    double cell_m;    /* grid step; 0 = width / 2 */
    double fill_m2;   /* close holes smaller than this; 0 = ISOCHRONE_FILL_DEFAULT_M2; < 0 none */
    size_t max_cells; /* grid size cap (coarser cells beyond); 0 = ISOCHRONE_CELLS_DEFAULT */
    int unchecked;    /* 1: skip GEOSisValid_r (for polygons only measured, never shown) */
};

/* What was used and measured for one polygon. */
struct isochrone_info {
    double width_m, cell_m; /* as used (the width grows to 1.5 cells on very coarse grids) */
    double road_m;          /* length of road reached */
    double time_mean_s;     /* length-weighted mean time over those roads */
    double time_max_s;      /* the largest time on them */
    int repaired;           /* 1 when GEOS found the polygon invalid and GEOSMakeValid fixed it */
};

/* The isochrones of the last run of r (reach_run, with a limit of at least the last contour) at
 * limits_s[0] < limits_s[1] < ... (n of them, at most ISOCHRONE_CONTOURS_MAX): out[k] is a
 * (Multi)Polygon in WGS84 lon/lat, possibly empty, valid, containing out[k - 1]; info may be
 * NULL. The out[] geometries are the caller's (GEOSGeom_destroy_r). On failure none is left.
 * KKC_EINVAL for bad limits or options, KKC_ENOMEM, KKC_EINTERNAL (GEOS). */
enum kkc_code isochrone_build(GEOSContextHandle_t h, const struct reach *r, const double *limits_s,
                              size_t n, const struct isochrone_opts *o, GEOSGeometry **out,
                              struct isochrone_info *info, struct kkc_err *err);

/* The same, also handing over the rings of the last contour and the plane they are drawn in
 * (for gaps: contour_complement()). *rings is the caller's (contour_rings_destroy). */
enum kkc_code isochrone_build_rings(GEOSContextHandle_t h, const struct reach *r,
                                    const double *limits_s, size_t n,
                                    const struct isochrone_opts *o, GEOSGeometry **out,
                                    struct isochrone_info *info, struct contour_rings **rings,
                                    struct contour_plane *plane, struct kkc_err *err);

/* Catchments of the last run of r: for each owner 0 <= i < nowners, out[i] is the area whose
 * nearest reached road (within limit_s seconds; INFINITY for no limit) is reached first from
 * owner i, within the buffer width; an empty MultiPolygon for owners that reach nothing.
 * info[i] (may be NULL) describes owner i's roads. Owners >= nowners are ignored. Grids are
 * capped at max_cells / 4 vertices (two distances and two owners per vertex). */
enum kkc_code isochrone_catchments(GEOSContextHandle_t h, const struct reach *r, double limit_s,
                                   size_t nowners, const struct isochrone_opts *o,
                                   GEOSGeometry **out, struct isochrone_info *info,
                                   struct kkc_err *err);

#endif
