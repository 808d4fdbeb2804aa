/* service/tctx.c -- the per-thread context of the HTTP workers and the CLI (see tctx.h). */
#include "tctx.h"

#include "api.h"
#include "base/crs.h"
#include "base/store.h"
#include "road/route.h"
#include "world.h"

#include <pthread.h>
#include <stdlib.h>

static pthread_key_t tctx_key;
static pthread_once_t tctx_once = PTHREAD_ONCE_INIT;

static void tctx_free(void *p)
{
    struct tctx *t = p;
    if (!t)
        return;
    crs_ctx_destroy(t->crs); /* t->store is its world's */
    route_ctx_destroy(t->route);
    if (t->geos)
        GEOS_finish_r(t->geos);
    free(t);
}

static void tctx_key_make(void)
{
    pthread_key_create(&tctx_key, tctx_free);
}

struct tctx *tctx_get(void)
{
    struct tctx *t;
    pthread_once(&tctx_once, tctx_key_make);
    t = pthread_getspecific(tctx_key);
    if (t)
        return t;
    t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->crs = crs_ctx_create();
    if (!t->crs) {
        tctx_free(t);
        return NULL;
    }
    pthread_setspecific(tctx_key, t);
    return t;
}

struct store *api_store(const struct api_req *r, struct kkc_err *err)
{
    struct tctx *t = r->t;
    if (t->store && t->store_gen == r->w->stores->gen)
        return t->store;
    /* a connection cached for an older pool is that pool's to close, not touched here (worlds
     * derived by a change share their pool: world.h) */
    t->store = world_store_take(r->w, err);
    t->store_gen = t->store ? r->w->stores->gen : 0;
    return t->store;
}

GEOSContextHandle_t api_geos(const struct api_req *r)
{
    if (!r->t->geos)
        r->t->geos = GEOS_init_r();
    return r->t->geos;
}

struct route_ctx *api_route_ctx(const struct api_req *r, struct kkc_err *err)
{
    struct tctx *t = r->t;
    if (!r->w->graph) {
        kkc_err_set(err, KKC_ENOSEGMENT, "no road network is loaded");
        return NULL;
    }
    if (t->route && t->route_gen == r->w->gen && t->route_graph == (const void *)r->w->graph)
        return t->route;
    if (t->route && route_ctx_rebind(t->route, r->w->graph) == 0) { /* a world of the same size */
        t->route_graph = r->w->graph;
        t->route_gen = r->w->gen;
        return t->route;
    }
    route_ctx_destroy(t->route);
    t->route = NULL;
    if (route_ctx_create(r->w->graph, &t->route, err))
        return NULL;
    t->route_graph = r->w->graph;
    t->route_gen = r->w->gen;
    return t->route;
}
