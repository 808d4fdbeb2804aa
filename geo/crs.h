/* geo/crs.h -- coordinate reference systems (PROJ) and geodesics on the WGS84 ellipsoid.
 *
 * A struct crs_ctx holds one PJ_CONTEXT and a small cache of transformations; it belongs to one
 * thread (create one per worker). The geodesic functions are pure and thread-safe. */
#ifndef KKC_CRS_H
#define KKC_CRS_H

#include "err.h"

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
enum kkc_code crs_from_wgs84(struct crs_ctx *c, const char *crs, double lon, double lat, double *x,
                             double *y, struct kkc_err *err);

/* Geodesic distance in metres between two WGS84 points (Karney's algorithm, PROJ geodesic.h);
 * when azimuth is not NULL it receives the initial bearing from point 1 to point 2, 0..360. */
double crs_geodesic(double lon1, double lat1, double lon2, double lat2, double *azimuth);

/* Destination point at distance metres along initial azimuth from lon,lat (geodesic direct). */
void crs_geodesic_direct(double lon, double lat, double azimuth, double metres, double *lon2,
                         double *lat2);

#endif
