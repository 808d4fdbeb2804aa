/* tests/tools/bench_world.h -- the world the coverage timing tools (bench_coverage, bench_plan)
 * load: the database's graph and centres, its coverage base, a GEOS handle and a CRS context.
 * Static, as bench_util.h: each tool is one .c file built on its own by scripts/bench. */
#ifndef KKC_BENCH_WORLD_H
#define KKC_BENCH_WORLD_H

#include "base/crs.h"
#include "base/store.h"
#include "bench_util.h"
#include "centres/centres.h"
#include "coverage/coverage.h"
#include "road/graph.h"

#include <geos_c.h>
#include <stdio.h>

struct bench_world {
    struct store *st;
    struct graph *g;
    struct centres *cs;
    struct coverage_base *b;
    GEOSContextHandle_t h;
    struct crs_ctx *crs;
};

/* Open db read-only, load its graph and centres and build the coverage base (its time printed
 * after base_what; NULL: not printed), then the GEOS handle and the CRS context. 0, or -1 with
 * the reason on stderr after tool's name. Free with bench_world_close() either way. */
static inline int bench_world_open(struct bench_world *w, const char *db, const char *tool,
                                   const char *base_what)
{
    struct kkc_err err = {0};
    double t0;
    if (store_open(db, STORE_READONLY, &w->st, &err) || graph_load(w->st, &w->g, &err) ||
        centres_load(w->st, &w->cs, &err)) {
        fprintf(stderr, "%s: %s: %s\n", tool, db, err.msg);
        return -1;
    }
    t0 = now_ms();
    if (coverage_base_build(w->st, w->g, &w->b, &err)) {
        fprintf(stderr, "%s: coverage base: %s\n", tool, err.msg);
        return -1;
    }
    if (base_what)
        printf("%s: %.1f ms\n", base_what, now_ms() - t0);
    w->h = GEOS_init_r();
    w->crs = crs_ctx_create();
    return w->h && w->crs ? 0 : -1;
}

static inline void bench_world_close(struct bench_world *w)
{
    coverage_base_destroy(w->b);
    centres_destroy(w->cs);
    graph_destroy(w->g);
    store_close(w->st);
    crs_ctx_destroy(w->crs);
    if (w->h)
        GEOS_finish_r(w->h);
}

#endif
