/* geo/coverage/plan_relate.c -- the covering relation of a plan. See plan_relate.h and plan.c. */
#include "coverage/plan_relate.h"

#include "base/crs.h"
#include "coverage/reach.h"
#include "coverage/shape.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PAIRS_MAX ((size_t)8 << 20) /* site-municipality pairs of one question (64 MiB) */
#define WGS84_A 6378137.0
#define WGS84_F (1 / 298.257223563)
#define MERIDIAN_MIN_M                                                                             \
    6335439.0 /* a (1 - e2): no geodesic is shorter than this per radian                           \
                 of latitude between its ends */

void plan_pairs_free(struct pairs *p)
{
    free(p->site), free(p->item);
    memset(p, 0, sizeof *p);
}

/* Append (site, item); KKC_ETOOBIG beyond PAIRS_MAX, KKC_ENOMEM. */
enum kkc_code plan_pairs_add(struct pairs *p, size_t site, size_t item, struct kkc_err *err)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 4096;
        uint32_t *s, *i;
        if (p->n >= PAIRS_MAX)
            return kkc_err_set(err, KKC_ETOOBIG,
                               "more than %zu site-municipality pairs: ask for a smaller region, "
                               "threshold or candidate list",
                               PAIRS_MAX);
        if (!(s = realloc(p->site, cap * sizeof *s)))
            return kkc_err_set(err, KKC_ENOMEM, "out of memory (pairs)");
        p->site = s;
        if (!(i = realloc(p->item, cap * sizeof *i)))
            return kkc_err_set(err, KKC_ENOMEM, "out of memory (pairs)");
        p->item = i, p->cap = cap;
    }
    p->site[p->n] = (uint32_t)site, p->item[p->n] = (uint32_t)item;
    p->n++;
    return KKC_OK;
}

/* ---- the covering relation ----------------------------------------------------------------- */

/* Earth-centred coordinates of lon,lat on the WGS84 ellipsoid. */
static void ecef(double lon, double lat, double *xyz)
{
    double e2 = WGS84_F * (2 - WGS84_F), p = lat * M_PI / 180, l = lon * M_PI / 180;
    double n = WGS84_A / sqrt(1 - e2 * sin(p) * sin(p));
    xyz[0] = n * cos(p) * cos(l), xyz[1] = n * cos(p) * sin(l), xyz[2] = n * (1 - e2) * sin(p);
}

/* Sort key for sites by latitude. */
struct by_lat {
    double lat;
    size_t i;
};

static int cmp_by_lat(const void *a, const void *b)
{
    const struct by_lat *x = a, *y = b;
    if (x->lat != y->lat)
        return x->lat < y->lat ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

/* The first of the n sorted sites with latitude >= lat. */
static size_t lat_lower(const struct by_lat *s, size_t n, double lat)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s[mid].lat < lat)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Whether the geodesic between two points with chord (straight 3-D distance) c metres is within
 * limit_m, as crs_geodesic() would decide: 1 yes, 0 no, -1 too close to tell (measure it). The
 * geodesic s is at least c, and at most the circular arc of radius MERIDIAN_MIN_M on that chord
 * (a geodesic is a space curve whose curvature is the surface's normal curvature, at most
 * 1 / MERIDIAN_MIN_M on WGS84, and by Schur's comparison theorem such a curve is no longer than
 * that arc): the two differ by c^3 / (24 r^2), 0.2 m at 60 km. Margins of 1 mm cover rounding
 * and the algorithm's nanometres. */
static int chord_decides(double c, double limit_m)
{
    double arc = 2 * MERIDIAN_MIN_M * asin(fmin(1, c / (2 * MERIDIAN_MIN_M)));
    if (c > limit_m + 1e-3)
        return 0;
    return arc <= limit_m - 1e-3 ? 1 : -1;
}

/* Pairs (site, item) with crs_geodesic(item, site) <= limit_m, as coverage decides them. Sites
 * outside the latitude band cannot be within reach (the geodesic is at least the meridian arc
 * between the latitudes); the others are decided by their chord (chord_decides), and only those
 * within a fraction of a metre of the limit are measured. site_ll and item_ll are lon,lat
 * pairs. */
enum kkc_code plan_relate_straight(const double *site_ll, size_t nsites, const double *item_ll,
                                   size_t nitems, double limit_m, struct pairs *out,
                                   struct kkc_err *err)
{
    struct by_lat *s = malloc((nsites + 1) * sizeof *s);
    double *xyz = malloc((nsites + 1) * 3 * sizeof *xyz), band;
    enum kkc_code rc = s && xyz ? KKC_OK : kkc_err_set(err, KKC_ENOMEM, "out of memory");

    band = limit_m / MERIDIAN_MIN_M * 180 / M_PI * (1 + 1e-9) + 1e-9;
    for (size_t i = 0; !rc && i < nsites; i++) {
        s[i] = (struct by_lat){site_ll[2 * i + 1], i};
        ecef(site_ll[2 * i], site_ll[2 * i + 1], &xyz[3 * i]);
    }
    if (!rc)
        qsort(s, nsites, sizeof *s, cmp_by_lat);
    for (size_t it = 0; !rc && it < nitems; it++) {
        double lon = item_ll[2 * it], lat = item_ll[2 * it + 1], p[3];
        ecef(lon, lat, p);
        for (size_t k = lat_lower(s, nsites, lat - band); !rc && k < nsites; k++) {
            const double *q = &xyz[3 * s[k].i], *ll = &site_ll[2 * s[k].i];
            int in;
            if (s[k].lat > lat + band)
                break;
            in = chord_decides(sqrt((p[0] - q[0]) * (p[0] - q[0]) + (p[1] - q[1]) * (p[1] - q[1]) +
                                    (p[2] - q[2]) * (p[2] - q[2])),
                               limit_m);
            if (in < 0)
                in = crs_geodesic(lon, lat, ll[0], ll[1], NULL) <= limit_m;
            if (in)
                rc = plan_pairs_add(out, s[k].i, it, err);
        }
    }
    free(s), free(xyz);
    return rc;
}

/* Pairs (site, item) with the turnout (site_off[j] ms, NULL: none) + drive from site to item
 * <= limit_s, as coverage decides them (site_ok[j] 0: the site takes no part). One search per item
 * towards it when there are fewer items than sites, else one per site out from it: the same sums of
 * the same costs. */
enum kkc_code plan_relate_road(const struct graph *g, const struct snap *site_at,
                               const int *site_ok, const uint32_t *site_off, size_t nsites,
                               const struct snap *item_at, size_t nitems, double limit_s,
                               struct pairs *out, struct kkc_err *err)
{
    struct reach *r = NULL;
    int from_items = nitems <= nsites;
    size_t nsearch = from_items ? nitems : nsites, nother = from_items ? nsites : nitems;
    uint32_t limit_ms = (uint32_t)(limit_s * 1000) + 1;
    enum kkc_code rc = reach_create(g, &r, err);

    for (size_t a = 0; !rc && a < nsearch; a++) {
        struct reach_source src = {from_items ? item_at[a] : site_at[a], 0,
                                   !from_items && site_off ? site_off[a] : 0};
        if (!from_items && !site_ok[a])
            continue;
        rc = reach_run(r, &src, 1, from_items ? REACH_IN : REACH_OUT, limit_ms, err);
        for (size_t b = 0; !rc && b < nother; b++) {
            size_t site = from_items ? b : a, item = from_items ? a : b;
            graph_cost c;
            uint32_t owner;
            if (!site_ok[site] ||
                !reach_point(r, from_items ? &site_at[site] : &item_at[item], &c, &owner) ||
                graph_cost_seconds(c) + (from_items && site_off ? site_off[site] / 1000.0 : 0) >
                    limit_s)
                continue;
            rc = plan_pairs_add(out, site, item, err);
        }
    }
    reach_destroy(r);
    return rc;
}

