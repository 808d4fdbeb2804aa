/* tests/fixture_world.h -- the default database (KHK reference data + Heidelberg roads, tu_db())
 * loaded once per test case by an unchecked fixture: the world, a read-only store on it, the
 * coverage base built from it, a GEOS context, a CRS context and a route context. Shared by the
 * coverage and isochrone suites. */
#ifndef KKC_FIXTURE_WORLD_H
#define KKC_FIXTURE_WORLD_H

#define GEOS_USE_ONLY_R_API
#include <geos_c.h>

/* The Heidelberg fire station (osm-w115669341), the isochrone centre. */
#define FIRE_ID "osm-w115669341"

struct world_fx {
    struct world *w;
    struct store *st;
    struct coverage_base *b;
    GEOSContextHandle_t h;
    struct crs_ctx *crs;
    struct route_ctx *route;
};
extern struct world_fx wfx;

/* Load wfx (exits with a message when the database cannot be loaded: make data/kkc.sqlite). */
void wfx_load(void);
void wfx_free(void);

#endif
