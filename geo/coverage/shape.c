/* geo/coverage/shape.c -- GEOS helpers: rings to polygons, reprojection, areas, point in polygon. */
#include "coverage/shape.h"

#include "base/crs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

GEOSGeometry *shape_ring_close(GEOSContextHandle_t h, double *buf, size_t n)
{
    GEOSCoordSequence *cs;
    buf[2 * n] = buf[0], buf[2 * n + 1] = buf[1];
    cs = GEOSCoordSeq_copyFromBuffer_r(h, buf, (unsigned)n + 1, 0, 0);
    return cs ? GEOSGeom_createLinearRing_r(h, cs) : NULL;
}

GEOSGeometry *shape_polygon(GEOSContextHandle_t h, GEOSGeometry *shell, size_t nh,
                            GEOSGeometry *(*hole)(void *arg, size_t k), void *arg)
{
    GEOSGeometry **holes = NULL, *poly;
    size_t k = 0;
    if (!shell)
        return NULL;
    if (nh && !(holes = malloc(nh * sizeof *holes)))
        goto fail;
    for (; k < nh; k++)
        if (!(holes[k] = hole(arg, k)))
            goto fail;
    poly = GEOSGeom_createPolygon_r(h, shell, holes, (unsigned)nh);
    free(holes);
    return poly;
fail:
    while (k > 0)
        GEOSGeom_destroy_r(h, holes[--k]);
    free(holes);
    GEOSGeom_destroy_r(h, shell);
    return NULL;
}

/* A closed GEOS ring from n points of pts; NULL on failure. */
static GEOSGeometry *ring_make(GEOSContextHandle_t h, const double *pts, size_t n)
{
    double *buf = malloc((n + 1) * 2 * sizeof *buf);
    GEOSGeometry *ring;
    if (!buf)
        return NULL;
    memcpy(buf, pts, n * 2 * sizeof *buf);
    ring = shape_ring_close(h, buf, n);
    free(buf);
    return ring;
}

/* The rings of one polygon of the layout of shape_from_rings. */
struct poly_rings {
    GEOSContextHandle_t h;
    const size_t *ring_first;
    const double *pts;
    size_t r0;
};

static GEOSGeometry *poly_hole(void *arg, size_t k)
{
    const struct poly_rings *pr = arg;
    size_t r = pr->r0 + 1 + k;
    return ring_make(pr->h, pr->pts + 2 * pr->ring_first[r],
                     pr->ring_first[r + 1] - pr->ring_first[r]);
}

/* Polygon p of the layout of shape_from_rings; NULL on failure. */
static GEOSGeometry *poly_make(GEOSContextHandle_t h, size_t p, const size_t *poly_first,
                               const size_t *ring_first, const double *pts)
{
    struct poly_rings pr = {h, ring_first, pts, poly_first[p]};
    size_t r0 = pr.r0;
    return shape_polygon(h, ring_make(h, pts + 2 * ring_first[r0],
                                      ring_first[r0 + 1] - ring_first[r0]),
                         poly_first[p + 1] - r0 - 1, poly_hole, &pr);
}

GEOSGeometry *shape_from_rings(GEOSContextHandle_t h, size_t npolys, const size_t *poly_first,
                               const size_t *ring_first, const double *pts)
{
    GEOSGeometry **polys = malloc((npolys + 1) * sizeof *polys), *out = NULL;
    size_t p = 0;
    if (!polys)
        return NULL;
    for (; p < npolys; p++)
        if (!(polys[p] = poly_make(h, p, poly_first, ring_first, pts)))
            break;
    if (p == npolys)
        out = npolys ? GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, polys, (unsigned)npolys)
                     : GEOSGeom_createEmptyCollection_r(h, GEOS_MULTIPOLYGON);
    if (!out)
        while (p > 0)
            GEOSGeom_destroy_r(h, polys[--p]);
    free(polys);
    return out;
}

/* ---- reprojection ---------------------------------------------------------------------- */

/* A copy of coordinate sequence s transformed; NULL with err set on failure. */
static GEOSCoordSequence *seq_transform(GEOSContextHandle_t h, struct crs_ctx *c, const char *crs,
                                        const GEOSCoordSequence *s, int to_wgs84,
                                        struct kkc_err *err)
{
    unsigned n = 0;
    double *buf;
    GEOSCoordSequence *out = NULL;
    if (!GEOSCoordSeq_getSize_r(h, s, &n) || !(buf = malloc(((size_t)n + 1) * 2 * sizeof *buf))) {
        kkc_err_set(err, KKC_ENOMEM, "out of memory (reprojection)");
        return NULL;
    }
    if (GEOSCoordSeq_copyToBuffer_r(h, s, buf, 0, 0) &&
        !(to_wgs84 ? crs_array_to_wgs84 : crs_array_from_wgs84)(c, crs, buf, n, err))
        out = GEOSCoordSeq_copyFromBuffer_r(h, buf, n, 0, 0);
    free(buf);
    if (!out && (!err || !err->code))
        kkc_err_set(err, KKC_EINTERNAL, "GEOS could not copy coordinates");
    return out;
}

static enum kkc_code tf(GEOSContextHandle_t h, struct crs_ctx *c, const char *crs,
                        const GEOSGeometry *g, int to_wgs84, GEOSGeometry **out,
                        struct kkc_err *err);

/* A transformed copy of ring or line g. */
static GEOSGeometry *line_tf(GEOSContextHandle_t h, struct crs_ctx *c, const char *crs,
                             const GEOSGeometry *g, int to_wgs84, struct kkc_err *err)
{
    GEOSCoordSequence *s = seq_transform(h, c, crs, GEOSGeom_getCoordSeq_r(h, g), to_wgs84, err);
    if (!s)
        return NULL;
    switch (GEOSGeomTypeId_r(h, g)) {
    case GEOS_LINEARRING:
        return GEOSGeom_createLinearRing_r(h, s);
    case GEOS_LINESTRING:
        return GEOSGeom_createLineString_r(h, s);
    default:
        return GEOSGeom_createPoint_r(h, s);
    }
}

/* A transformed copy of polygon g. */
static GEOSGeometry *poly_tf(GEOSContextHandle_t h, struct crs_ctx *c, const char *crs,
                             const GEOSGeometry *g, int to_wgs84, struct kkc_err *err)
{
    int nh = GEOSGetNumInteriorRings_r(h, g), k = 0;
    GEOSGeometry *shell, **holes = malloc(((size_t)(nh > 0 ? nh : 0) + 1) * sizeof *holes);
    if (!holes || GEOSisEmpty_r(h, g)) {
        free(holes);
        return holes ? GEOSGeom_createEmptyPolygon_r(h) : NULL;
    }
    shell = line_tf(h, c, crs, GEOSGetExteriorRing_r(h, g), to_wgs84, err);
    for (; shell && k < nh; k++)
        if (!(holes[k] = line_tf(h, c, crs, GEOSGetInteriorRingN_r(h, g, k), to_wgs84, err)))
            break;
    if (shell && k == nh) {
        GEOSGeometry *p = GEOSGeom_createPolygon_r(h, shell, holes, (unsigned)nh);
        free(holes);
        return p;
    }
    while (k > 0)
        GEOSGeom_destroy_r(h, holes[--k]);
    if (shell)
        GEOSGeom_destroy_r(h, shell);
    free(holes);
    return NULL;
}

/* A transformed copy of multi-geometry or collection g. */
static GEOSGeometry *multi_tf(GEOSContextHandle_t h, struct crs_ctx *c, const char *crs,
                              const GEOSGeometry *g, int to_wgs84, struct kkc_err *err)
{
    int n = GEOSGetNumGeometries_r(h, g), k = 0, type = GEOSGeomTypeId_r(h, g);
    GEOSGeometry **parts = malloc(((size_t)(n > 0 ? n : 0) + 1) * sizeof *parts), *out = NULL;
    if (!parts)
        return NULL;
    for (; k < n; k++)
        if (tf(h, c, crs, GEOSGetGeometryN_r(h, g, k), to_wgs84, &parts[k], err))
            break;
    if (k == n)
        out = n ? GEOSGeom_createCollection_r(h, type, parts, (unsigned)n)
                : GEOSGeom_createEmptyCollection_r(h, type);
    if (!out)
        while (k > 0)
            GEOSGeom_destroy_r(h, parts[--k]);
    free(parts);
    return out;
}

static enum kkc_code tf(GEOSContextHandle_t h, struct crs_ctx *c, const char *crs,
                        const GEOSGeometry *g, int to_wgs84, GEOSGeometry **out,
                        struct kkc_err *err)
{
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_POLYGON)
        *out = poly_tf(h, c, crs, g, to_wgs84, err);
    else if (type == GEOS_POINT || type == GEOS_LINESTRING || type == GEOS_LINEARRING)
        *out = GEOSisEmpty_r(h, g) ? GEOSGeom_clone_r(h, g) : line_tf(h, c, crs, g, to_wgs84, err);
    else
        *out = multi_tf(h, c, crs, g, to_wgs84, err);
    if (*out)
        return KKC_OK;
    if (!err || !err->code)
        kkc_err_set(err, KKC_EINTERNAL, "GEOS could not rebuild a geometry");
    return err ? err->code : KKC_EINTERNAL;
}

enum kkc_code shape_transform(GEOSContextHandle_t h, struct crs_ctx *c, const char *crs,
                              const GEOSGeometry *g, int to_wgs84, GEOSGeometry **out,
                              struct kkc_err *err)
{
    struct kkc_err local = {0};
    enum kkc_code rc = tf(h, c, crs, g, to_wgs84, out, err ? err : &local);
    if (rc)
        *out = NULL;
    return rc;
}

/* ---- polygons, areas ----------------------------------------------------------------------- */

/* Append clones of the polygons of g to parts (growing). 0, or -1 on failure. */
static int collect_polys(GEOSContextHandle_t h, const GEOSGeometry *g, GEOSGeometry ***parts,
                         size_t *n, size_t *cap)
{
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_POLYGON) {
        if (GEOSisEmpty_r(h, g))
            return 0;
        if (*n == *cap) {
            size_t nc = *cap ? *cap * 2 : 16;
            GEOSGeometry **p = realloc(*parts, nc * sizeof *p);
            if (!p)
                return -1;
            *parts = p, *cap = nc;
        }
        return ((*parts)[(*n)++] = GEOSGeom_clone_r(h, g)) ? 0 : -1;
    }
    if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION)
        for (int k = 0; k < GEOSGetNumGeometries_r(h, g); k++)
            if (collect_polys(h, GEOSGetGeometryN_r(h, g, k), parts, n, cap))
                return -1;
    return 0;
}

GEOSGeometry *shape_polygons(GEOSContextHandle_t h, const GEOSGeometry *g)
{
    GEOSGeometry **parts = NULL, *out = NULL;
    size_t n = 0, cap = 0;
    if (collect_polys(h, g, &parts, &n, &cap) == 0)
        out = n ? GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, parts, (unsigned)n)
                : GEOSGeom_createEmptyCollection_r(h, GEOS_MULTIPOLYGON);
    if (!out)
        while (n > 0)
            GEOSGeom_destroy_r(h, parts[--n]);
    free(parts);
    return out;
}

/* |area| in m2 of a ring (lon/lat) on the ellipsoid. */
static double ring_area(GEOSContextHandle_t h, const GEOSGeometry *ring)
{
    const GEOSCoordSequence *s = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned n = 0;
    double *buf, a = 0;
    if (!s || !GEOSCoordSeq_getSize_r(h, s, &n) || n < 4 || !(buf = malloc(n * 2 * sizeof *buf)))
        return 0;
    if (GEOSCoordSeq_copyToBuffer_r(h, s, buf, 0, 0))
        a = fabs(crs_ring_area(buf, n - 1));
    free(buf);
    return a;
}

double shape_area_km2(GEOSContextHandle_t h, const GEOSGeometry *g)
{
    int type = GEOSGeomTypeId_r(h, g);
    double a = 0;
    if (type == GEOS_POLYGON && !GEOSisEmpty_r(h, g)) {
        a = ring_area(h, GEOSGetExteriorRing_r(h, g));
        for (int k = 0; k < GEOSGetNumInteriorRings_r(h, g); k++)
            a -= ring_area(h, GEOSGetInteriorRingN_r(h, g, k));
        return a / 1e6;
    }
    if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION)
        for (int k = 0; k < GEOSGetNumGeometries_r(h, g); k++)
            a += shape_area_km2(h, GEOSGetGeometryN_r(h, g, k));
    return a;
}

int shape_point_in(double x, double y, const size_t *ring_first, size_t r0, size_t r1,
                   const double *pts)
{
    int in = 0;
    for (size_t r = r0; r <= r1; r++) {
        size_t a = ring_first[r], n = ring_first[r + 1] - a;
        for (size_t i = 0, j = n - 1; i < n; j = i++) {
            const double *p = pts + 2 * (a + i), *q = pts + 2 * (a + j);
            if ((p[1] > y) != (q[1] > y) && x < (q[0] - p[0]) * (y - p[1]) / (q[1] - p[1]) + p[0])
                in = !in;
        }
    }
    return in;
}

int shape_valid(GEOSContextHandle_t h, const GEOSGeometry *g)
{
    return GEOSisValid_r(h, g) == 1;
}
