/* geo/base/crs.h -- coordinate reference systems (PROJ) and geodesics on the WGS84 ellipsoid.
 *
 * A struct crs_ctx holds one PJ_CONTEXT and a small cache of transformations; it belongs to one
 * thread (create one per worker). The geodesic functions are pure and thread-safe. */
#ifndef KKC_CRS_H
#define KKC_CRS_H

#include "base/err.h"

#include <stddef.h>

struct crs_ctx;

#define CRS_SJTSK "EPSG:5514" /* S-JTSK / Krovak East North: what Czech IZS systems use */

/* A new context; NULL when out of memory. Free with crs_ctx_destroy() (NULL is a no-op). */
struct crs_ctx *crs_ctx_create(void);
void crs_ctx_destroy(struct crs_ctx *c);

/* Convert x,y in crs (any definition PROJ accepts: "EPSG:5514", a PROJ string, WKT) to WGS84
 * lon,lat degrees, in the x=easting/longitude axis order. KKC_EINVAL for an unknown CRS or a point
 * the transformation cannot handle. */
enum kkc_code crs_to_wgs84(struct crs_ctx *c, const char *crs, double x, double y, double *lon,
                           double *lat, struct kkc_err *err);

/* The inverse of crs_to_wgs84(). */
/* The area of use of a CRS as PROJ's database gives it (degrees; west may exceed east across
 * the antimeridian); KKC_ENOTFOUND when PROJ knows none. */
enum kkc_code crs_area_of_use(struct crs_ctx *c, const char *crs, double *west, double *south,
                              double *east, double *north, struct kkc_err *err);
enum kkc_code crs_from_wgs84(struct crs_ctx *c, const char *crs, double lon, double lat, double *x,
                             double *y, struct kkc_err *err);

/* Geodesic distance in metres between two WGS84 points (Karney's algorithm, PROJ geodesic.h);
 * when azimuth is not NULL it receives the initial bearing from point 1 to point 2, 0..360. */
double crs_geodesic(double lon1, double lat1, double lon2, double lat2, double *azimuth);

/* Destination point at distance metres along initial azimuth from lon,lat (geodesic direct). */
void crs_geodesic_direct(double lon, double lat, double azimuth, double metres, double *lon2,
                         double *lat2);

/* ---- arrays, areas, metric planes (used by coverage.c) ------------------------------------- */

/* Transform n points xy[2 * i], xy[2 * i + 1] in place from WGS84 lon,lat to crs (from_wgs84) or
 * back. KKC_EINVAL for an unknown crs or any point PROJ cannot transform (xy is then partly
 * transformed: the caller discards it). */
enum kkc_code crs_array_from_wgs84(struct crs_ctx *c, const char *crs, double *xy, size_t n,
                                   struct kkc_err *err);
enum kkc_code crs_array_to_wgs84(struct crs_ctx *c, const char *crs, double *xy, size_t n,
                                 struct kkc_err *err);

/* Signed area in m2 on the WGS84 ellipsoid of the ring lonlat[0..n) (lon,lat pairs, the first
 * point not repeated; edges are geodesics): > 0 counter-clockwise. Computed in the cylindrical
 * equal-area projection (authalic latitude), long edges cut along the geodesic: it agrees with
 * PROJ's geod_polygonarea to 1e-6 or better, at a fraction of the cost. */
double crs_ring_area(const double *lonlat, size_t n);

/* A metric CRS for work around lon,lat into buf: S-JTSK (EPSG:5514) inside the Czech Republic's
 * box (12.0..19.0 E, 48.5..51.1 N), else the WGS84 UTM zone (EPSG:326zz north, 327zz south).
 * Returns buf. */
const char *crs_metric_for(double lon, double lat, char *buf, size_t cap);

/* Projected metres per metre on the ground at lon,lat in crs (the point scale factor, from a
 * 100 m geodesic step east: conformal projections such as Krovak and UTM scale all directions
 * alike). KKC_EINVAL when the point cannot be transformed. */
enum kkc_code crs_scale_factor(struct crs_ctx *c, const char *crs, double lon, double lat,
                               double *k, struct kkc_err *err);

#endif
