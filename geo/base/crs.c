/* geo/base/crs.c -- PROJ transformations with a per-context cache, and WGS84 geodesics. */
#include "base/crs.h"

#include <geodesic.h>
#include <math.h>
#include <proj.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CRS_CACHE 8
#define CRS_NAME_MAX 256

struct crs_entry {
    char name[CRS_NAME_MAX];
    PJ *pj; /* name -> WGS84 lon/lat, normalised axis order */
};

struct crs_ctx {
    PJ_CONTEXT *ctx;
    struct crs_entry cache[CRS_CACHE];
    int next; /* round-robin victim when the cache is full */
};

static struct geod_geodesic wgs84;
static int wgs84_ready;

static const struct geod_geodesic *geod_wgs84(void)
{
    /* geod_init is deterministic; racing threads write identical values. */
    if (!__atomic_load_n(&wgs84_ready, __ATOMIC_ACQUIRE)) {
        struct geod_geodesic g;
        geod_init(&g, 6378137.0, 1.0 / 298.257223563);
        wgs84 = g;
        __atomic_store_n(&wgs84_ready, 1, __ATOMIC_RELEASE);
    }
    return &wgs84;
}

struct crs_ctx *crs_ctx_create(void)
{
    struct crs_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->ctx = proj_context_create();
    if (!c->ctx) {
        free(c);
        return NULL;
    }
    proj_log_level(c->ctx, PJ_LOG_NONE);
    return c;
}

void crs_ctx_destroy(struct crs_ctx *c)
{
    if (!c)
        return;
    for (int i = 0; i < CRS_CACHE; i++)
        proj_destroy(c->cache[i].pj);
    proj_context_destroy(c->ctx);
    free(c);
}

/* Build the normalised transformation from name to WGS84; NULL with err set on failure. */
static PJ *crs_build(PJ_CONTEXT *ctx, const char *name, struct kkc_err *err)
{
    PJ *src = proj_create(ctx, name), *dst = NULL, *pj = NULL, *norm = NULL;

    if (!src || !proj_is_crs(src)) {
        kkc_err_set(err, KKC_EINVAL, "unknown crs '%s'", name);
        goto out;
    }
    dst = proj_create(ctx, "EPSG:4326");
    pj = dst ? proj_create_crs_to_crs_from_pj(ctx, src, dst, NULL, NULL) : NULL;
    norm = pj ? proj_normalize_for_visualization(ctx, pj) : NULL;
    if (!norm)
        kkc_err_set(err, KKC_EINVAL, "no transformation from '%s' to WGS84", name);
out:
    proj_destroy(src);
    proj_destroy(dst);
    proj_destroy(pj);
    return norm;
}

/* Find or create the transformation from name to WGS84; borrowed, owned by the cache. */
static PJ *crs_lookup(struct crs_ctx *c, const char *name, struct kkc_err *err)
{
    struct crs_entry *e;
    PJ *pj;

    if (strlen(name) >= CRS_NAME_MAX) {
        kkc_err_set(err, KKC_EINVAL, "crs is too long");
        return NULL;
    }
    for (int i = 0; i < CRS_CACHE; i++)
        if (c->cache[i].pj && strcmp(c->cache[i].name, name) == 0)
            return c->cache[i].pj;
    pj = crs_build(c->ctx, name, err);
    if (!pj)
        return NULL;
    e = &c->cache[c->next];
    c->next = (c->next + 1) % CRS_CACHE;
    proj_destroy(e->pj);
    snprintf(e->name, sizeof e->name, "%s", name);
    e->pj = pj;
    return pj;
}

/* Run pj in direction dir on (a, b); KKC_EINVAL when PROJ yields no finite result. */
static enum kkc_code crs_run(PJ *pj, PJ_DIRECTION dir, double a, double b, double *oa, double *ob,
                             struct kkc_err *err)
{
    PJ_COORD in = proj_coord(a, b, 0, 0), out;

    if (!isfinite(a) || !isfinite(b))
        return kkc_err_set(err, KKC_EINVAL, "coordinates must be finite numbers");
    proj_errno_reset(pj);
    out = proj_trans(pj, dir, in);
    if (proj_errno(pj) || !isfinite(out.xy.x) || !isfinite(out.xy.y) || out.xy.x == HUGE_VAL)
        return kkc_err_set(err, KKC_EINVAL, "the point (%.6f, %.6f) cannot be transformed", a, b);
    *oa = out.xy.x;
    *ob = out.xy.y;
    return KKC_OK;
}

enum kkc_code crs_to_wgs84(struct crs_ctx *c, const char *crs, double x, double y, double *lon,
                           double *lat, struct kkc_err *err)
{
    PJ *pj = crs_lookup(c, crs, err);
    enum kkc_code rc;
    if (!pj)
        return KKC_EINVAL;
    rc = crs_run(pj, PJ_FWD, x, y, lon, lat, err);
    if (!rc && (fabs(*lat) > 90 || fabs(*lon) > 180))
        rc = kkc_err_set(err, KKC_EINVAL, "the point is outside the valid area of %s", crs);
    return rc;
}

enum kkc_code crs_from_wgs84(struct crs_ctx *c, const char *crs, double lon, double lat, double *x,
                             double *y, struct kkc_err *err)
{
    PJ *pj = crs_lookup(c, crs, err);
    if (!pj)
        return KKC_EINVAL;
    return crs_run(pj, PJ_INV, lon, lat, x, y, err);
}

double crs_geodesic(double lon1, double lat1, double lon2, double lat2, double *azimuth)
{
    double s12 = 0, azi1 = 0, azi2 = 0;
    geod_inverse(geod_wgs84(), lat1, lon1, lat2, lon2, &s12, &azi1, &azi2);
    if (azimuth)
        *azimuth = azi1 < 0 ? azi1 + 360.0 : azi1;
    return s12;
}

void crs_geodesic_direct(double lon, double lat, double azimuth, double metres, double *lon2,
                         double *lat2)
{
    double azi2;
    geod_direct(geod_wgs84(), lat, lon, azimuth, metres, lat2, lon2, &azi2);
}

/* ---- arrays, areas, metric planes ---------------------------------------------------------- */

/* Transform xy in place with the cached transformation of crs, direction dir. */
static enum kkc_code crs_array(struct crs_ctx *c, const char *crs, PJ_DIRECTION dir, double *xy,
                               size_t n, struct kkc_err *err)
{
    PJ *pj = crs_lookup(c, crs, err);
    if (!pj)
        return KKC_EINVAL;
    if (n == 0)
        return KKC_OK;
    proj_errno_reset(pj);
    proj_trans_generic(pj, dir, xy, 2 * sizeof *xy, n, xy + 1, 2 * sizeof *xy, n, NULL, 0, 0,
                       NULL, 0, 0);
    for (size_t i = 0; i < 2 * n; i++)
        if (!isfinite(xy[i]) || xy[i] == HUGE_VAL)
            return kkc_err_set(err, KKC_EINVAL, "a point cannot be transformed to/from %s", crs);
    return KKC_OK;
}

enum kkc_code crs_array_from_wgs84(struct crs_ctx *c, const char *crs, double *xy, size_t n,
                                   struct kkc_err *err)
{
    return crs_array(c, crs, PJ_INV, xy, n, err);
}

enum kkc_code crs_array_to_wgs84(struct crs_ctx *c, const char *crs, double *xy, size_t n,
                                 struct kkc_err *err)
{
    return crs_array(c, crs, PJ_FWD, xy, n, err);
}

/* ---- areas on the authalic sphere ---- Areas are exact in Lambert's cylindrical equal-area
 * projection of the ellipsoid (x = lon, y = q(lat) / q_p, the sine of the authalic latitude),
 * where the area of a polygon with straight edges is the trapezoid sum. An edge that is straight
 * there differs from the geodesic by a vanishing amount for short edges, so edges longer than
 * AREA_STEP_DEG are cut into geodesic pieces first: the result matches geod_polygonarea() to
 * 1e-6 or better (1e-10 on dense rings) while costing a few flops per vertex (contour polygons have 10^5 vertices). */
#define AREA_STEP_DEG 0.005

/* q(lat)/q_p on WGS84 for s = sin(lat). */
static double authalic_sin(double s)
{
    static const double e2 = 6.69437999014e-3;
    const double e = sqrt(e2), qp = 1.0 - (1.0 - e2) / (2 * e) * log((1 - e) / (1 + e));
    double q = (1 - e2) * (s / (1 - e2 * s * s) - 1 / (2 * e) * log((1 - e * s) / (1 + e * s)));
    return q / qp;
}

/* The trapezoid term of the edge a -> b (degrees, b's y already known as yb). */
static double area_term(double lon_a, double ya, double lon_b, double yb)
{
    double dl = lon_b - lon_a;
    dl = dl > 180 ? dl - 360 : dl < -180 ? dl + 360 : dl;
    return dl * (ya + yb) / 2;
}

/* The term of a long edge a -> b cut into geodesic pieces of at most AREA_STEP_DEG. */
static double area_long_edge(const double *a, const double *b)
{
    struct geod_geodesicline l;
    double sum = 0, lon0 = a[0], y0 = authalic_sin(sin(a[1] * M_PI / 180));
    double span = fmax(fabs(b[0] - a[0]), fabs(b[1] - a[1]));
    int steps = (int)ceil(span / AREA_STEP_DEG);
    geod_inverseline(&l, geod_wgs84(), a[1], a[0], b[1], b[0], 0);
    for (int k = 1; k <= steps; k++) {
        double lat, lon, y;
        if (k == steps)
            lat = b[1], lon = b[0];
        else
            geod_position(&l, l.s13 * k / steps, &lat, &lon, NULL);
        y = authalic_sin(sin(lat * M_PI / 180));
        sum += area_term(lon0, y0, lon, y);
        lon0 = lon, y0 = y;
    }
    return sum;
}

double crs_ring_area(const double *lonlat, size_t n)
{
    const double a = 6378137.0, e2 = 6.69437999014e-3, e = sqrt(e2);
    const double qp = 1.0 - (1.0 - e2) / (2 * e) * log((1 - e) / (1 + e));
    double r2 = a * a * qp / 2, sum = 0, y0, yfirst;
    if (n < 3)
        return 0;
    yfirst = y0 = authalic_sin(sin(lonlat[1] * M_PI / 180));
    for (size_t i = 0; i < n; i++) {
        const double *p = lonlat + 2 * i, *q = lonlat + 2 * ((i + 1) % n);
        double yq = i + 1 == n ? yfirst : authalic_sin(sin(q[1] * M_PI / 180));
        if (fmax(fabs(q[0] - p[0]), fabs(q[1] - p[1])) > AREA_STEP_DEG)
            sum += area_long_edge(p, q);
        else
            sum += area_term(p[0], y0, q[0], yq);
        y0 = yq;
    }
    return -sum * M_PI / 180 * r2;
}

const char *crs_metric_for(double lon, double lat, char *buf, size_t cap)
{
    int zone;
    if (lon >= 12.0 && lon <= 19.0 && lat >= 48.5 && lat <= 51.1) {
        snprintf(buf, cap, "%s", CRS_SJTSK);
        return buf;
    }
    zone = (int)floor((lon + 180.0) / 6.0) + 1;
    zone = zone < 1 ? 1 : zone > 60 ? 60 : zone;
    snprintf(buf, cap, "EPSG:%d", (lat >= 0 ? 32600 : 32700) + zone);
    return buf;
}

enum kkc_code crs_scale_factor(struct crs_ctx *c, const char *crs, double lon, double lat,
                               double *k, struct kkc_err *err)
{
    double xy[4];
    enum kkc_code rc;
    xy[0] = lon, xy[1] = lat;
    crs_geodesic_direct(lon, lat, 90.0, 100.0, &xy[2], &xy[3]);
    rc = crs_array_from_wgs84(c, crs, xy, 2, err);
    if (!rc)
        *k = hypot(xy[2] - xy[0], xy[3] - xy[1]) / 100.0;
    return rc;
}

enum kkc_code crs_area_of_use(struct crs_ctx *c, const char *crs, double *west, double *south,
                              double *east, double *north, struct kkc_err *err)
{
    PJ *src = proj_create(c->ctx, crs);
    int ok = src && proj_get_area_of_use(c->ctx, src, west, south, east, north, NULL);
    proj_destroy(src);
    if (!ok || *west <= -1000)
        return kkc_err_set(err, KKC_ENOTFOUND, "no area of use known for %s", crs);
    return KKC_OK;
}
