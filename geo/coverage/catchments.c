/* geo/coverage/catchments.c -- the part of a region each site serves first: network Voronoi by
 * road, Voronoi cells by distance. See coverage.h; the shared stages are coverage_stages.h. */
#include "coverage/coverage.h"

#include "base/crs.h"
#include "centres/centres.h"
#include "coverage/coverage_stages.h"
#include "coverage/isochrone.h"
#include "coverage/reach.h"
#include "coverage/shape.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- catchments ----------------------------------------------------------------------------- */

void coverage_catchments_free(GEOSContextHandle_t h, struct coverage_catchment *c, size_t n)
{
    for (size_t i = 0; c && i < n; i++)
        if (c[i].area)
            GEOSGeom_destroy_r(h, c[i].area);
    free(c);
}

/* Municipality counts and population per site (those covered when a limit applies); straight
 * line: the population-weighted mean distance (plain mean without census data). */
static void catchment_munis(const struct coverage_base *b, const struct coverage_result *res,
                            int by_road, struct coverage_catchment *c)
{
    double *wsum = calloc(res->nsites + 1, 2 * sizeof *wsum);
    for (size_t k = 0; k < res->nmuni; k++) {
        const struct coverage_muni_result *mr = &res->muni[k];
        long pop = b->muni[mr->muni].population;
        double w = res->has_population ? (pop > 0 ? (double)pop : 0) : 1;
        if (mr->site < 0 || mr->status != COVERAGE_COVERED)
            continue;
        c[mr->site].munis++;
        c[mr->site].population += pop > 0 ? pop : 0;
        if (wsum && !by_road)
            wsum[2 * mr->site] += w * mr->value, wsum[2 * mr->site + 1] += w;
    }
    for (size_t i = 0; wsum && !by_road && i < res->nsites; i++)
        c[i].mean = wsum[2 * i + 1] > 0 ? wsum[2 * i] / wsum[2 * i + 1] : NAN;
    free(wsum);
}

/* Clip a (lon/lat) catchment to the region unless the region is the network's own area. */
static enum kkc_code clip_to_region(GEOSContextHandle_t h, const struct coverage_base *b,
                                    const struct coverage_result *res, const GEOSGeometry *reg,
                                    GEOSGeometry **g, struct kkc_err *err)
{
    GEOSGeometry *clipped;
    enum kkc_code rc;
    if (res->region == b->network)
        return KKC_OK;
    rc = cov_overlay_back(h, NULL, NULL, *g, reg, 0, &clipped, err);
    if (!rc)
        GEOSGeom_destroy_r(h, *g), *g = clipped;
    return rc;
}

/* Catchments by road: network Voronoi from the sites, polygons per owner. */
static enum kkc_code road_catchments(GEOSContextHandle_t h, const struct coverage_base *b,
                                     const struct reach *r, double limit_s,
                                     struct coverage_result *res, struct coverage_catchment *c,
                                     struct kkc_err *err)
{
    GEOSGeometry **areas = calloc(res->nsites + 1, sizeof *areas), *reg = NULL;
    struct isochrone_info *info = calloc(res->nsites + 1, sizeof *info);
    enum kkc_code rc = areas && info ? KKC_OK : kkc_err_set(err, KKC_ENOMEM, "out of memory");

    if (!rc)
        rc = isochrone_catchments(h, r, limit_s, res->nsites, NULL, areas, info, err);
    if (!rc && res->region != b->network &&
        !(reg = coverage_region_geometry(h, &b->region[res->region])))
        rc = kkc_err_set(err, KKC_ENOMEM, "out of memory (region)");
    for (size_t i = 0; !rc && i < res->nsites; i++) {
        rc = clip_to_region(h, b, res, reg, &areas[i], err);
        c[i].area = areas[i], areas[i] = NULL;
        c[i].area_km2 = rc ? 0 : shape_area_km2(h, c[i].area);
        c[i].mean = info[i].road_m > 0 ? info[i].time_mean_s : NAN;
        c[i].max = info[i].road_m > 0 ? info[i].time_max_s : NAN;
    }
    for (size_t i = 0; areas && i < res->nsites; i++)
        if (areas[i])
            GEOSGeom_destroy_r(h, areas[i]);
    if (reg)
        GEOSGeom_destroy_r(h, reg);
    free(areas), free(info);
    return rc;
}

/* The sites as a MultiPoint in the metric crs; NULL on failure. */
static GEOSGeometry *sites_points(GEOSContextHandle_t h, struct crs_ctx *crs, const char *name,
                                  const struct coverage_result *res, struct kkc_err *err)
{
    GEOSGeometry **pts = malloc((res->nsites + 1) * sizeof *pts), *mp = NULL;
    size_t n = 0;
    for (; pts && n < res->nsites; n++) {
        double xy[2] = {res->sites[n].lon, res->sites[n].lat};
        if (crs_array_from_wgs84(crs, name, xy, 1, err) ||
            !(pts[n] = GEOSGeom_createPointFromXY_r(h, xy[0], xy[1])))
            break;
    }
    if (pts && n == res->nsites)
        mp = GEOSGeom_createCollection_r(h, GEOS_MULTIPOINT, pts, (unsigned)n);
    if (!mp)
        while (pts && n > 0)
            GEOSGeom_destroy_r(h, pts[--n]);
    free(pts);
    return mp;
}

/* The site whose (metric) point lies in Voronoi cell `cell`; -1 when none. */
static long cell_site(GEOSContextHandle_t h, const GEOSGeometry *cell, const GEOSGeometry *mp)
{
    for (int i = 0; i < GEOSGetNumGeometries_r(h, mp); i++)
        if (GEOSIntersects_r(h, cell, GEOSGetGeometryN_r(h, mp, i)) == 1)
            return i;
    return -1;
}

/* The farthest vertex of lon/lat polygon g from lon,lat (geodesic metres; 0 when empty). */
static double farthest_vertex(GEOSContextHandle_t h, const GEOSGeometry *g, double lon, double lat)
{
    GEOSGeometry *pts = GEOSGeom_extractUniquePoints_r(h, g);
    double far = 0, x, y;
    for (int i = 0; pts && i < GEOSGetNumGeometries_r(h, pts); i++)
        if (GEOSGeomGetX_r(h, GEOSGetGeometryN_r(h, pts, i), &x) &&
            GEOSGeomGetY_r(h, GEOSGetGeometryN_r(h, pts, i), &y))
            far = fmax(far, crs_geodesic(lon, lat, x, y, NULL));
    if (pts)
        GEOSGeom_destroy_r(h, pts);
    return far;
}

/* Voronoi cell of every site in the metric crs (the whole region for a single site). */
static enum kkc_code voronoi_cells(GEOSContextHandle_t h, const GEOSGeometry *mp,
                                   const GEOSGeometry *region_m, size_t nsites,
                                   GEOSGeometry **cells, struct kkc_err *err)
{
    GEOSGeometry *vd;
    if (nsites == 1)
        return (cells[0] = GEOSGeom_clone_r(h, region_m)) ? KKC_OK
                                                          : kkc_err_set(err, KKC_ENOMEM, "oom");
    if (!(vd = GEOSVoronoiDiagram_r(h, mp, region_m, 0.0, 0)))
        return kkc_err_set(err, KKC_EINTERNAL, "GEOS Voronoi diagram failed");
    for (int i = 0; i < GEOSGetNumGeometries_r(h, vd); i++) {
        const GEOSGeometry *cell = GEOSGetGeometryN_r(h, vd, i);
        long s = cell_site(h, cell, mp);
        if (s >= 0 && !cells[s])
            cells[s] = GEOSGeom_clone_r(h, cell);
    }
    GEOSGeom_destroy_r(h, vd);
    return KKC_OK;
}

/* One Voronoi catchment: cell (metric) clipped to the region and the km circle, in lon/lat. */
static enum kkc_code straight_catchment(GEOSContextHandle_t h, struct crs_ctx *crs,
                                        const struct coverage_result *res, size_t i,
                                        const GEOSGeometry *cell, const GEOSGeometry *region_m,
                                        double km, struct coverage_catchment *c,
                                        struct kkc_err *err)
{
    const struct coverage_site *s = &res->sites[i];
    GEOSGeometry *clip = NULL, *circ = NULL;
    enum kkc_code rc = KKC_OK;
    if (!cell)
        return (c->area = GEOSGeom_createEmptyCollection_r(h, GEOS_MULTIPOLYGON))
                   ? KKC_OK
                   : kkc_err_set(err, KKC_ENOMEM, "out of memory");
    if (km > 0 && !(circ = cov_site_circle(h, crs, res->crs, s->lon, s->lat, km * 1000, err)))
        rc = err && err->code ? err->code : kkc_err_set(err, KKC_EINTERNAL, "GEOS buffer failed");
    if (!rc && circ && !(clip = GEOSIntersection_r(h, cell, circ)))
        rc = kkc_err_set(err, KKC_EINTERNAL, "GEOS overlay failed");
    if (!rc)
        rc = cov_overlay_back(h, crs, res->crs, clip ? clip : cell, region_m, 0, &c->area, err);
    if (!rc) {
        c->area_km2 = shape_area_km2(h, c->area);
        c->max = farthest_vertex(h, c->area, s->lon, s->lat);
    }
    if (clip)
        GEOSGeom_destroy_r(h, clip);
    if (circ)
        GEOSGeom_destroy_r(h, circ);
    return rc;
}

/* Catchments by straight line: Voronoi cells of the sites in the metric crs. */
static enum kkc_code straight_catchments(GEOSContextHandle_t h, struct crs_ctx *crs,
                                         const struct coverage_base *b, double km,
                                         struct coverage_result *res, struct coverage_catchment *c,
                                         struct kkc_err *err)
{
    const struct coverage_region *reg = &b->region[res->region];
    GEOSGeometry *ll = coverage_region_geometry(h, reg), *rm = NULL, *mp = NULL;
    GEOSGeometry **cells = calloc(res->nsites + 1, sizeof *cells);
    enum kkc_code rc = ll && cells ? KKC_OK : kkc_err_set(err, KKC_ENOMEM, "out of memory");

    crs_metric_for((reg->bbox[0] + reg->bbox[2]) / 2, (reg->bbox[1] + reg->bbox[3]) / 2, res->crs,
                   sizeof res->crs);
    if (!rc)
        rc = shape_transform(h, crs, res->crs, ll, 0, &rm, err);
    if (!rc && res->nsites && !(mp = sites_points(h, crs, res->crs, res, err)))
        rc = err && err->code ? err->code : kkc_err_set(err, KKC_EINTERNAL, "GEOS points failed");
    if (!rc && res->nsites)
        rc = voronoi_cells(h, mp, rm, res->nsites, cells, err);
    for (size_t i = 0; !rc && i < res->nsites; i++)
        rc = straight_catchment(h, crs, res, i, cells[i], rm, km, &c[i], err);
    for (size_t i = 0; cells && i < res->nsites; i++)
        if (cells[i])
            GEOSGeom_destroy_r(h, cells[i]);
    free(cells);
    if (ll)
        GEOSGeom_destroy_r(h, ll);
    if (rm)
        GEOSGeom_destroy_r(h, rm);
    if (mp)
        GEOSGeom_destroy_r(h, mp);
    return rc;
}

/* By road when minutes are given, or when the region (given or default) has roads and no km. */
static int catchments_by_road(const struct coverage_base *b, const struct centres *cs,
                              const struct graph *g, const struct coverage_request *q)
{
    struct coverage_result tmp = {0};
    long k;
    if (q->minutes > 0)
        return 1;
    if (q->km > 0 || !g)
        return 0;
    if (q->region >= 0)
        return cov_region_has_roads(b, g, q->region);
    if (cov_sites_build(cs, q, &tmp, NULL))
        return 0;
    k = cov_sites_kraj(b, &tmp);
    free(tmp.sites);
    return k < 0 ? b->network >= 0 : cov_region_has_roads(b, g, k);
}

enum kkc_code coverage_catchments(GEOSContextHandle_t h, struct crs_ctx *crs,
                                  const struct coverage_base *b, const struct centres *cs,
                                  const struct graph *g, const struct coverage_request *q,
                                  struct coverage_result *res, struct coverage_catchment **out,
                                  int *by_road, struct kkc_err *err)
{
    double limit = q->minutes > 0 ? q->minutes * 60 : q->km > 0 ? q->km * 1000 : INFINITY;
    struct reach *r = NULL;
    enum kkc_code rc;

    *out = NULL;
    *by_road = catchments_by_road(b, cs, g, q);
    rc = cov_prepare(b, cs, g, q, *by_road, 1, res, err);
    if (!rc && !(*out = calloc(res->nsites + 1, sizeof **out)))
        rc = kkc_err_set(err, KKC_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < res->nsites; i++)
        (*out)[i].site = i, (*out)[i].mean = (*out)[i].max = NAN;
    if (!rc && *by_road)
        rc = cov_sites_reach(g, res, &r, err);
    if (!rc && *by_road)
        cov_eval_road(b, r, limit, res);
    else if (!rc)
        rc = cov_eval_straight(b, cs, q, limit, res, err);
    if (!rc)
        rc = cov_totals(b, isfinite(limit) ? limit : 0, q->breakdown, res, err);
    if (!rc) {
        catchment_munis(b, res, *by_road, *out);
        res->area_total_km2 = coverage_region_area_m2(&b->region[res->region]) / 1e6;
    }
    if (!rc && *by_road)
        rc = road_catchments(h, b, r, limit, res, *out, err);
    else if (!rc)
        rc = straight_catchments(h, crs, b, q->km, res, *out, err);
    reach_destroy(r);
    if (rc) {
        coverage_catchments_free(h, *out, res->nsites);
        *out = NULL;
    }
    return rc;
}
