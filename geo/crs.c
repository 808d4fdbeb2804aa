/* geo/crs.c -- PROJ transformations with a per-context cache, and WGS84 geodesics. */
#include "crs.h"

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
