/* geo/coverage/coverage_polygons.c -- the service and gap areas of a coverage answer: buffers of
 * the sites (straight line) or the roads reached within the time (by road), and the road lengths.
 * See coverage.h for the definitions; a stage of coverage_stages.h. */
#include "coverage/coverage.h"

#include "base/crs.h"
#include "coverage/coverage_stages.h"
#include "coverage/isochrone.h"
#include "coverage/reach.h"
#include "coverage/shape.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- polygons: straight line ---------------------------------------------------------------- */

/* Whether a circle of radius_m around lon,lat can reach into box b. */
static int circle_meets_box(double lon, double lat, double radius_m, const double *b)
{
    double cl = fmin(fmax(lon, b[0]), b[2]), ct = fmin(fmax(lat, b[1]), b[3]);
    return crs_geodesic(lon, lat, cl, ct, NULL) <= radius_m * 1.01 + 1000;
}

/* The buffer of radius_m around lon,lat in the metric crs (radius scaled by the point scale
 * factor, COVERAGE_QUADSEGS segments per quarter). NULL with err set on failure. */
GEOSGeometry *cov_site_circle(GEOSContextHandle_t h, struct crs_ctx *c, const char *crs, double lon,
                              double lat, double radius_m, struct kkc_err *err)
{
    double xy[2] = {lon, lat}, k;
    GEOSGeometry *pt, *buf;
    if (crs_scale_factor(c, crs, lon, lat, &k, err) || crs_array_from_wgs84(c, crs, xy, 1, err))
        return NULL;
    if (!(pt = GEOSGeom_createPointFromXY_r(h, xy[0], xy[1])))
        return NULL;
    buf = GEOSBuffer_r(h, pt, radius_m * k, COVERAGE_QUADSEGS);
    GEOSGeom_destroy_r(h, pt);
    return buf;
}

/* The union of the circles of every site that can reach the region (metric crs). */
static GEOSGeometry *sites_circles(GEOSContextHandle_t h, struct crs_ctx *c, const char *crs,
                                   const struct coverage_region *reg,
                                   const struct coverage_result *res, double radius_m,
                                   struct kkc_err *err)
{
    GEOSGeometry **parts = malloc((res->nsites + 1) * sizeof *parts), *col, *u = NULL;
    size_t n = 0;
    if (!parts)
        return NULL;
    for (size_t i = 0; i < res->nsites; i++) {
        const struct coverage_site *s = &res->sites[i];
        if (!circle_meets_box(s->lon, s->lat, radius_m, reg->bbox))
            continue;
        if (!(parts[n] = cov_site_circle(h, c, crs, s->lon, s->lat, radius_m, err)))
            break;
        n++;
    }
    col = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts, (unsigned)n);
    free(parts);
    if (col)
        u = GEOSUnaryUnion_r(h, col), GEOSGeom_destroy_r(h, col);
    return u;
}

/* a op b (op 0 intersection, 1 difference) in the metric crs, back in lon/lat, polygons only,
 * checked with GEOSisValid_r (repaired with GEOSMakeValid_r when needed). */
enum kkc_code cov_overlay_back(GEOSContextHandle_t h, struct crs_ctx *c, const char *crs,
                               const GEOSGeometry *a, const GEOSGeometry *b, int op,
                               GEOSGeometry **out, struct kkc_err *err)
{
    GEOSGeometry *o = op ? GEOSDifference_r(h, a, b) : GEOSIntersection_r(h, a, b), *p, *ll;
    enum kkc_code rc;
    *out = NULL;
    if (!o)
        return kkc_err_set(err, KKC_EINTERNAL, "GEOS overlay failed");
    p = shape_polygons(h, o);
    GEOSGeom_destroy_r(h, o);
    if (!p)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (overlay)");
    rc = crs ? shape_transform(h, c, crs, p, 1, &ll, err) : KKC_OK;
    if (!crs)
        ll = p, p = NULL;
    if (p)
        GEOSGeom_destroy_r(h, p);
    if (!rc && !shape_valid(h, ll)) { /* reprojection can, rarely, fold a sliver */
        GEOSGeometry *fixed = GEOSMakeValid_r(h, ll),
                     *poly = fixed ? shape_polygons(h, fixed) : NULL;
        GEOSGeom_destroy_r(h, ll);
        if (fixed)
            GEOSGeom_destroy_r(h, fixed);
        if (!(ll = poly))
            return kkc_err_set(err, KKC_EINTERNAL, "GEOS could not repair an overlay");
    }
    if (!rc)
        *out = ll;
    return rc;
}

/* Service area and gap polygons, areas, for straight-line coverage within radius_m. */
enum kkc_code cov_straight_polygons(GEOSContextHandle_t h, struct crs_ctx *c,
                                    const struct coverage_base *b, double radius_m, int want,
                                    struct coverage_result *res, struct kkc_err *err)
{
    const struct coverage_region *reg = &b->region[res->region];
    GEOSGeometry *ll = coverage_region_geometry(h, reg), *rm = NULL, *u = NULL, *cov = NULL;
    enum kkc_code rc = ll ? KKC_OK : kkc_err_set(err, KKC_ENOMEM, "out of memory (region)");

    crs_metric_for((reg->bbox[0] + reg->bbox[2]) / 2, (reg->bbox[1] + reg->bbox[3]) / 2, res->crs,
                   sizeof res->crs);
    if (!rc)
        rc = shape_transform(h, c, res->crs, ll, 0, &rm, err);
    if (!rc && !(u = sites_circles(h, c, res->crs, reg, res, radius_m, err)))
        rc = err && err->code ? err->code : kkc_err_set(err, KKC_EINTERNAL, "GEOS union failed");
    if (!rc)
        rc = cov_overlay_back(h, c, res->crs, rm, u, 0, &cov, err);
    if (!rc && want)
        rc = cov_overlay_back(h, c, res->crs, rm, u, 1, &res->gap, err);
    if (!rc) { /* reprojected edges may add a few parts per million: never above the total */
        res->area_total_km2 = coverage_region_area_m2(reg) / 1e6;
        res->area_covered_km2 = fmin(shape_area_km2(h, cov), res->area_total_km2);
    }
    if (!rc && want)
        res->service = cov, cov = NULL;
    GEOSGeom_destroy_r(h, ll);
    if (rm)
        GEOSGeom_destroy_r(h, rm);
    if (u)
        GEOSGeom_destroy_r(h, u);
    if (cov)
        GEOSGeom_destroy_r(h, cov);
    return rc;
}

/* ---- polygons: by road -------------------------------------------------------------------- */

/* Road length (km) in the region, and the part reached within limit_s (reached_m: the whole
 * reached length, which is the answer for the network region). */
static enum kkc_code road_lengths(const struct coverage_base *b, const struct graph *g,
                                  const struct reach *r, double limit_s, double reached_m,
                                  struct coverage_result *res, struct kkc_err *err)
{
    const struct coverage_region *reg = &b->region[res->region];
    uint8_t *in = malloc((size_t)g->edge_count + 1);
    struct reach_piece *p = NULL;
    size_t np = 0;
    int all = res->region == b->network;
    enum kkc_code rc = !in   ? kkc_err_set(err, KKC_ENOMEM, "out of memory")
                       : all ? KKC_OK
                             : reach_pieces(r, limit_s, &p, &np, err);
    for (uint32_t e = 0; !rc && e < g->edge_count; e++) {
        const double *c = g->coords + 2 * (size_t)g->edge_coord_first[e];
        in[e] = all || (c[0] >= reg->bbox[0] && c[0] <= reg->bbox[2] && c[1] >= reg->bbox[1] &&
                        c[1] <= reg->bbox[3] &&
                        shape_point_in(c[0], c[1], reg->ring_first, 0,
                                       reg->poly_first[reg->npolys] - 1, reg->pts));
        if (in[e])
            res->road_total_km += g->coord_along[g->edge_coord_first[e + 1] - 1] / 1000;
    }
    for (size_t i = 0; !rc && i < np; i++)
        if (in[p[i].edge])
            res->road_covered_km += reach_piece_length(g, &p[i], limit_s) / 1000;
    if (all)
        res->road_covered_km = reached_m / 1000;
    free(in);
    free(p);
    return rc;
}

/* The region's first ring in plane pl (for contour_complement); caller frees. */
static double *region_plane_ring(const struct coverage_region *reg, const struct contour_plane *pl,
                                 size_t *n)
{
    double *xy;
    *n = reg->ring_first[1] - reg->ring_first[0];
    if (!(xy = malloc((*n + 1) * 2 * sizeof *xy)))
        return NULL;
    for (size_t i = 0; i < *n; i++)
        contour_plane_xy(pl, reg->pts[2 * i], reg->pts[2 * i + 1], &xy[2 * i], &xy[2 * i + 1]);
    return xy;
}

/* Gap polygons within the network area: the complement of the service rings (no overlay). */
static enum kkc_code network_gap(GEOSContextHandle_t h, const struct coverage_region *reg,
                                 const struct contour_rings *rings, const struct contour_plane *pl,
                                 GEOSGeometry **gap, struct kkc_err *err)
{
    size_t n;
    double *outer = region_plane_ring(reg, pl, &n);
    enum kkc_code rc =
        outer ? contour_complement(h, rings, pl, ISOCHRONE_FILL_DEFAULT_M2, outer, n, gap, err)
              : kkc_err_set(err, KKC_ENOMEM, "out of memory");
    free(outer);
    if (!rc && !shape_valid(h, *gap)) { /* the margin was not enough: overlay instead */
        GEOSGeom_destroy_r(h, *gap);
        *gap = NULL;
        return KKC_EINTERNAL;
    }
    return rc;
}

/* Service area (isochrone of all sites at limit_s) and gaps, areas, road lengths. */
enum kkc_code cov_road_polygons(GEOSContextHandle_t h, const struct coverage_base *b,
                                const struct graph *g, const struct reach *r, double limit_s,
                                int want, struct coverage_result *res, struct kkc_err *err)
{
    const struct coverage_region *reg = &b->region[res->region];
    GEOSGeometry *svc = NULL, *ll = NULL, *cov = NULL;
    struct contour_rings *rings = NULL;
    struct contour_plane pl;
    struct isochrone_opts o = {.unchecked = !want};
    struct isochrone_info info;
    enum kkc_code rc = isochrone_build_rings(h, r, &limit_s, 1, &o, &svc, &info, &rings, &pl, err);

    if (!rc)
        rc = road_lengths(b, g, r, limit_s, info.road_m, res, err);
    if (!rc && res->region == b->network) { /* the service area lies inside by construction */
        cov = svc, svc = NULL;
        if (want && network_gap(h, reg, rings, &pl, &res->gap, err) == KKC_EINTERNAL)
            kkc_err_clear(err); /* fall through to the overlay below */
    }
    if (!rc && (cov == NULL || (want && !res->gap))) {
        if (!(ll = coverage_region_geometry(h, reg)))
            rc = kkc_err_set(err, KKC_ENOMEM, "out of memory (region)");
        if (!rc && !cov)
            rc = cov_overlay_back(h, NULL, NULL, ll, svc, 0, &cov, err);
        if (!rc && want && !res->gap)
            rc = cov_overlay_back(h, NULL, NULL, ll, cov, 1, &res->gap, err);
    }
    if (!rc) {
        res->area_total_km2 = coverage_region_area_m2(reg) / 1e6;
        res->area_covered_km2 = shape_area_km2(h, cov);
        if (want)
            res->service = cov, cov = NULL;
    }
    contour_rings_destroy(rings);
    if (svc)
        GEOSGeom_destroy_r(h, svc);
    if (ll)
        GEOSGeom_destroy_r(h, ll);
    if (cov)
        GEOSGeom_destroy_r(h, cov);
    return rc;
}
