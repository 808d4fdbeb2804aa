/* geo/coverage/coverage_base.h -- what every coverage question over one world needs, built once.
 *
 * The municipalities (2011 census population, position, snapped position on the road graph, and
 * the region of each level holding them), the region polygons as plain lon/lat rings, and the road
 * network's own area -- the convex hull of its geometry grown by COVERAGE_NETWORK_MARGIN_M -- as a
 * pseudo-region "network" for places without census data. Which region holds a municipality: kraje,
 * okresy and the KHK border by the municipality's own kraj/okres code (the boundaries are
 * simplified, so a point near a border can fall on the wrong side), ORP by point-in-polygon (the
 * nearest ORP for the few points that fall outside every simplified ORP polygon), the country by
 * containment of all of them.
 *
 * A struct coverage_base is immutable once built: any number of threads may read it. */
#ifndef KKC_COVERAGE_BASE_H
#define KKC_COVERAGE_BASE_H

#define GEOS_USE_ONLY_R_API
#include <geos_c.h>

#include "base/err.h"
#include "road/graph.h"
#include "road/snap.h"

#include <stddef.h>

struct store;

enum coverage_level {
    COVERAGE_COUNTRY = 0,
    COVERAGE_KRAJ,
    COVERAGE_OKRES,
    COVERAGE_ORP,
    COVERAGE_BORDER,
    COVERAGE_NETWORK, /* the road network's area (no census data) */
    COVERAGE_LEVELS
};

#define COVERAGE_NETWORK_MARGIN_M 1000.0

struct coverage_muni {
    char *code, *name;
    long population; /* -1 when the census has no row */
    double lon, lat;
    int snapped; /* 1 when a routable road is within SNAP_RADIUS_DEFAULT_M */
    struct snap at;
    long region[COVERAGE_LEVELS]; /* the region of each level holding it, -1 none */
};

struct coverage_region {
    char *code, *name;
    enum coverage_level level;
    long population; /* from the regions table; -1 unknown */
    size_t npolys;
    size_t *poly_first; /* npolys + 1 offsets into ring_first */
    size_t *ring_first; /* rings + 1 offsets into pts (points) */
    double *pts;        /* lon,lat pairs, rings not closed (first point not repeated) */
    double bbox[4];     /* minlon, minlat, maxlon, maxlat */
    size_t munis;       /* municipalities it holds */
    int has_population; /* some of them have census data */
};

struct coverage_base {
    size_t nmuni;
    struct coverage_muni *muni; /* ordered by code */
    size_t nregion;
    struct coverage_region *region; /* in table order; the network pseudo-region last, if any */
    long network;                   /* index of the network region, -1 without roads */
    double road_bbox[4];            /* of the road graph (when network >= 0) */
};

/* Build from the store (regions, municipalities) and the graph (NULL: no roads). *out is the
 * caller's, freed with coverage_base_destroy(). KKC_EDB, KKC_EINVAL (a bad geometry), KKC_ENOMEM.
 */
enum kkc_code coverage_base_build(struct store *st, const struct graph *g,
                                  struct coverage_base **out, struct kkc_err *err);
/* NULL is a no-op. */
void coverage_base_destroy(struct coverage_base *b);

/* The region named by s: "CODE" (levels tried in the order kraj, okres, orp, country, border),
 * "LEVEL:CODE" ("orp:5205"), or "network". -1 when there is none. */
long coverage_region_find(const struct coverage_base *b, const char *s);
/* "country", "kraj", ... */
const char *coverage_level_name(enum coverage_level l);

/* The area of r in m2 on the WGS84 ellipsoid (geodesic polygon area; the country's 134,000
 * vertices take a while, so it is computed when asked). */
double coverage_region_area_m2(const struct coverage_region *r);

/* Whether lon,lat lies in region r (its bounding box, then its polygons). */
int coverage_region_holds(const struct coverage_region *r, double lon, double lat);
/* The region's polygon as GEOS (lon/lat). NULL on failure. */
GEOSGeometry *coverage_region_geometry(GEOSContextHandle_t h, const struct coverage_region *r);

/* The level below l used to break results down (kraj -> okres, ...); COVERAGE_LEVELS for none. */
enum coverage_level coverage_level_child(enum coverage_level l);

/* The census population of the municipalities whose point lies inside g (lon/lat polygons),
 * into *pop, and how many they are, into *count (both 0 for an empty or broken g). */
void coverage_population_in(GEOSContextHandle_t h, const struct coverage_base *b,
                            const GEOSGeometry *g, long *pop, long *count);

/* Whether census data covers lon,lat (it lies in a kraj that holds population figures). */
int coverage_census_at(const struct coverage_base *b, double lon, double lat);

#endif
