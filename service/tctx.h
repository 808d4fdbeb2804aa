/* service/tctx.h -- per-thread resources of the workers that answer requests: a PROJ context, a
 * read-only database connection, routing scratch and a GEOS context, each created lazily on the
 * thread that first asks and destroyed when that thread exits (the connection is lent by the
 * world, which owns it). A new world (reload, admin write) is noticed by its generation and the
 * affected resource taken afresh. */
#ifndef KKC_TCTX_H
#define KKC_TCTX_H

#include "base/err.h"

#define GEOS_USE_ONLY_R_API
#include <geos_c.h>

struct api_req;
struct crs_ctx;
struct route_ctx;
struct store;

/* This thread's resources (fields filled on first use by the calls below). */
struct tctx {
    struct crs_ctx *crs;
    struct store *store;       /* borrowed from the world of generation store_gen, which owns */
    unsigned long store_gen;   /* and closes it; another world's request takes one of its own */
    struct route_ctx *route;   /* routing scratch for route_graph */
    const void *route_graph;
    unsigned long route_gen;   /* with route_graph: a freed graph's address may come back */
    GEOSContextHandle_t geos;  /* GEOS context (reentrant API), created by api_geos() */
};
struct tctx *tctx_get(void);

/* This thread's read-only connection to the request's database, one of the world's own (taken
 * again after a reload); borrowed. NULL with err set when there is none. */
struct store *api_store(const struct api_req *r, struct kkc_err *err);
/* This thread's routing scratch for the request's road graph (created or recreated after a
 * reload); borrowed. NULL with err set when there is no graph or no memory. */
struct route_ctx *api_route_ctx(const struct api_req *r, struct kkc_err *err);
/* This thread's GEOS context (created on first use, finished when the thread exits); borrowed.
 * NULL when GEOS cannot allocate one. */
GEOSContextHandle_t api_geos(const struct api_req *r);

#endif
