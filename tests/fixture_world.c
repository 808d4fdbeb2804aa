/* tests/fixture_world.c -- the default database loaded as a world (fixture_world.h). */
#include "fixture_world.h"

#include "base/crs.h"
#include "base/store.h"
#include "coverage/coverage.h"
#include "road/route.h"
#include "testutil.h"
#include "world.h"

#include <stdio.h>
#include <stdlib.h>

struct world_fx wfx;

void wfx_load(void)
{
    struct kkc_err err = {0};
    if (world_load(tu_db(), &wfx.w, &err) || store_open(tu_db(), STORE_READONLY, &wfx.st, &err) ||
        coverage_base_build(wfx.st, wfx.w->graph, &wfx.b, &err) ||
        route_ctx_create(wfx.w->graph, &wfx.route, &err)) {
        fprintf(stderr, "fixture_world: cannot load %s: %s (make data/kkc.sqlite)\n", tu_db(),
                err.msg);
        exit(1);
    }
    wfx.h = GEOS_init_r();
    wfx.crs = crs_ctx_create();
}

void wfx_free(void)
{
    coverage_base_destroy(wfx.b);
    route_ctx_destroy(wfx.route);
    store_close(wfx.st);
    crs_ctx_destroy(wfx.crs);
    GEOS_finish_r(wfx.h);
    struct world_holder hd;
    world_holder_init(&hd, wfx.w);
    world_holder_done(&hd);
}
