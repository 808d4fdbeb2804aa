/* geo/coverage/shape.h -- small GEOS helpers shared by coverage: polygons from rings, reprojection,
 * ellipsoidal areas, point-in-polygon on plain arrays.
 *
 * Every function takes the caller's per-thread GEOS context (and PROJ context where it
 * transforms). Returned geometries are the caller's (GEOSGeom_destroy_r). */
#ifndef KKC_SHAPE_H
#define KKC_SHAPE_H

#define GEOS_USE_ONLY_R_API
#include <geos_c.h>

#include "base/err.h"

#include <stddef.h>

struct crs_ctx;

/* A closed ring from n points in buf (x,y pairs), which has room for one more: the first point is
 * copied there. NULL on failure. */
GEOSGeometry *shape_ring_close(GEOSContextHandle_t h, double *buf, size_t n);
/* A polygon of shell (taken, may be NULL: then NULL) and the nh rings hole(arg, 0 .. nh - 1)
 * make; on any failure everything made is destroyed and NULL returned. */
GEOSGeometry *shape_polygon(GEOSContextHandle_t h, GEOSGeometry *shell, size_t nh,
                            GEOSGeometry *(*hole)(void *arg, size_t k), void *arg);

/* A MultiPolygon from plain rings: polygon p has rings poly_first[p] .. poly_first[p + 1] - 1
 * (the first its shell), ring r has points ring_first[r] .. ring_first[r + 1] - 1 of pts (x,y
 * pairs, not closed). NULL on failure. */
GEOSGeometry *shape_from_rings(GEOSContextHandle_t h, size_t npolys, const size_t *poly_first,
                               const size_t *ring_first, const double *pts);

/* A copy of g (points, lines or polygons, single, multi or a collection) with every coordinate
 * transformed from WGS84 lon/lat to crs (to_wgs84 = 0) or back (1). KKC_EINVAL when PROJ cannot
 * transform a point, KKC_ENOMEM, KKC_EINTERNAL. */
enum kkc_code shape_transform(GEOSContextHandle_t h, struct crs_ctx *c, const char *crs,
                              const GEOSGeometry *g, int to_wgs84, GEOSGeometry **out,
                              struct kkc_err *err);

/* The polygonal part of g (an overlay result may hold lines or points where shapes touch) as a
 * MultiPolygon, possibly empty. NULL on failure. */
GEOSGeometry *shape_polygons(GEOSContextHandle_t h, const GEOSGeometry *g);

/* Area in km2 on the WGS84 ellipsoid of the polygons in g (lon/lat): shells minus holes. */
double shape_area_km2(GEOSContextHandle_t h, const GEOSGeometry *g);

/* Whether x,y lies inside the rings (even-odd over all rings: shells and holes alike) of
 * polygon rings ring_first[r0 .. r1] (same layout as shape_from_rings). */
int shape_point_in(double x, double y, const size_t *ring_first, size_t r0, size_t r1,
                   const double *pts);

/* Whether g is valid for GEOS (GEOSisValid_r said 1). */
int shape_valid(GEOSContextHandle_t h, const GEOSGeometry *g);

#endif
