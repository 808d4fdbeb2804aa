/* geo/coverage/coverage.h -- who is within T minutes (or km) of a centre: shares, gaps, catchments.
 *
 * coverage_run() answers one question for a set of sites: the active centres of some kinds,
 * minus closed ones, plus hypothetical added ones (what-if; nothing stored changes).
 *   - km: straight line. A municipality is covered when the geodesic distance (WGS84, Karney)
 *     to the nearest site is <= km. Service areas are buffers of the sites drawn in a metric CRS
 *     (crs_metric_for: S-JTSK in the Czech Republic, UTM elsewhere) with 16 segments per quarter
 *     circle and the radius scaled by the projection's point scale factor, so they match the
 *     geodesic circles to well under a metre.
 *   - minutes: by road, out from the sites (reach.h). A municipality is covered when the drive
 *     from the nearest site to its snapped point takes <= T; one farther than the snap radius
 *     from any road, or not connected, is unreachable. Service areas are isochrones (isochrone.h).
 * Areas are on the WGS84 ellipsoid (geodesic polygon areas of the lon/lat rings). Gaps are the
 * region minus the service areas.
 *
 * GEOS and PROJ handles are the caller's per-thread ones. Nothing here knows HTTP or JSON. */
#ifndef KKC_COVERAGE_H
#define KKC_COVERAGE_H

#include "coverage/contour.h"
#include "coverage/coverage_base.h"
#include "base/err.h"
#include "road/graph.h"
#include "road/snap.h"

#include <stddef.h>
#include <stdint.h>

struct centres;
struct crs_ctx;

#define COVERAGE_ADDED_MAX 20
#define COVERAGE_CLOSED_MAX 64
#define COVERAGE_QUADSEGS 16

/* ---- one question ------------------------------------------------------------------------ */

/* A site taking part: a centre (centre >= 0, index into centres_get()) or an added one (-1). */
struct coverage_site {
    long centre;
    int added; /* 1-based number of the added point, 0 for a centre */
    double lon, lat;
    int snapped; /* minutes: 1 when on the road graph */
    struct snap at;
    uint32_t turnout_ms; /* added to its drive times when the request asks for response times */
};

struct coverage_request {
    unsigned kind_mask;  /* centres of kinds with bit (1 << kind) */
    double minutes;      /* > 0: by road within minutes */
    double km;           /* > 0: straight line within km (exactly one of minutes, km) */
    long region;         /* index into b->region, or -1 for the default */
    const long *closed;  /* centre indices treated as unavailable */
    size_t nclosed;      /* <= COVERAGE_CLOSED_MAX */
    const double *added; /* lon,lat pairs of hypothetical centres */
    size_t nadded;       /* <= COVERAGE_ADDED_MAX */
    int want_geometry;   /* fill service and gap */
    int response;        /* minutes only: response time = turnout + drive (coverage/response.h) */
    int added_turnout_s; /* turnout of added sites (0 is 0 s when added_turnout_set) */
    int added_turnout_set; /* 0 with added_turnout_s 0: the least default of the kinds */
    int fixed_turnout_s; /* > 0 with response: every site's turnout (a standard's rule) */
    enum coverage_level breakdown; /* the level of the children (COVERAGE_KRAJ, _OKRES, _ORP);
                                      COVERAGE_COUNTRY: the level below the region's */
    int nth;             /* 0 or 1: the first unit; 2..RESPONSE_NTH_MAX: a municipality is
                            covered when at least nth distinct sites reach it within the time
                            (service and gap polygons, areas and road lengths stay those of the
                            first unit) */
};

enum coverage_status { COVERAGE_COVERED = 0, COVERAGE_UNCOVERED, COVERAGE_UNREACHABLE };

struct coverage_muni_result {
    size_t muni; /* index into b->muni */
    enum coverage_status status;
    double value; /* metres (km) or seconds (minutes) from the nearest site */
    long site;    /* index into sites, -1 when none reaches it */
    long child;   /* index into children, -1 none */
    int units;    /* nth > 1: distinct sites within the time (value: the nth smallest time,
                     INFINITY when fewer) */
};

/* The next level down inside the region (kraj -> okresy, ...), by where municipalities lie. */
struct coverage_child {
    long region; /* index into b->region */
    long munis, uncovered;
    long pop_total, pop_covered;
};

struct coverage_result {
    long region;
    int nth; /* the request's nth (0 or 1: the first unit) */
    char crs[32]; /* metric CRS used for straight-line buffers ("" for minutes) */
    size_t nsites;
    struct coverage_site *sites;
    size_t nsites_unsnapped; /* minutes: centres left out, farther than the snap radius */
    int has_population;
    long pop_total, pop_covered;
    long muni_total, muni_uncovered, muni_unreachable;
    double area_total_km2, area_covered_km2;
    double road_total_km, road_covered_km; /* minutes only */
    size_t nmuni;
    struct coverage_muni_result *muni; /* every municipality of the region */
    size_t *worst;                     /* indices into muni of the uncovered ones, worst first */
    size_t nworst;
    size_t nchild;
    struct coverage_child *child;
    GEOSGeometry *service, *gap; /* lon/lat (Multi)Polygons when want_geometry */
};

/* Answer q. On success res holds the answer (free with coverage_result_free(), also after a
 * failure). KKC_EINVAL for a bad request (both or neither of minutes and km, too many sites,
 * a closed index out of range, no region and no default), KKC_ENOSEGMENT when minutes are asked
 * for a region no road network covers, or an added site is off the roads, KKC_ENOMEM,
 * KKC_EINTERNAL (GEOS/PROJ). */
enum kkc_code coverage_run(GEOSContextHandle_t h, struct crs_ctx *crs,
                           const struct coverage_base *b, const struct centres *cs,
                           const struct graph *g, const struct coverage_request *q,
                           struct coverage_result *res, struct kkc_err *err);
void coverage_result_free(GEOSContextHandle_t h, struct coverage_result *res);

/* Only the sites of q into res (snapped when by_road; centres off the roads are kept with
 * snapped = 0, an added point off the roads is KKC_ENOSEGMENT): what the questions start from.
 * Neither minutes nor km is required. Free res with coverage_result_free(). */
enum kkc_code coverage_sites(const struct coverage_base *b, const struct centres *cs,
                             const struct graph *g, const struct coverage_request *q, int by_road,
                             struct coverage_result *res, struct kkc_err *err);

/* One site's catchment: the part of the region it serves first. */
struct coverage_catchment {
    size_t site;        /* index into the result's sites */
    GEOSGeometry *area; /* lon/lat (Multi)Polygon, possibly empty */
    double area_km2;
    long munis, population;
    double mean, max; /* time in s (by road: over its roads, weighted by length) or
                         distance in m (straight line: mean over its municipalities
                         weighted by population, max over the area's vertices) */
};

/* Catchments for the sites of q (q->km and q->minutes optional limits; by road when the region
 * has roads, else a Voronoi diagram of the sites in the metric CRS clipped to the region).
 * res receives the region, sites and municipality assignment as coverage_run() would;
 * *out (n = res->nsites entries) is freed with coverage_catchments_free(). *by_road tells the
 * method. Errors as coverage_run(). */
enum kkc_code coverage_catchments(GEOSContextHandle_t h, struct crs_ctx *crs,
                                  const struct coverage_base *b, const struct centres *cs,
                                  const struct graph *g, const struct coverage_request *q,
                                  struct coverage_result *res, struct coverage_catchment **out,
                                  int *by_road, struct kkc_err *err);
void coverage_catchments_free(GEOSContextHandle_t h, struct coverage_catchment *c, size_t n);

#endif
