/* service/world.c -- loading the shared read-only data, reference counting and swapping. */
#include "world.h"

#include "centres/centres.h"
#include "coverage/coverage_base.h"
#include "road/graph.h"
#include "road/labels.h"
#include "base/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORLD_LABELS_K 10

static void world_free(struct world *w)
{
    if (!w)
        return;
    for (int m = 0; m < 8; m++)
        labels_destroy(w->labels[m]);
    coverage_base_destroy(w->coverage);
    centres_destroy(w->centres);
    graph_destroy(w->graph);
    free(w->db_path);
    free(w);
}

/* The road graph, with its customizable hierarchy (cached in DB.cch) unless KKC_ROUTER=astar
 * asks for the baseline A* searches. */
static enum kkc_code load_graph(struct store *st, const char *db_path, struct graph **g,
                                struct kkc_err *err)
{
    const char *router = getenv("KKC_ROUTER");
    struct graph_options o = {.landmarks = GRAPH_LANDMARKS_DEFAULT};
    char *cache = NULL;
    enum kkc_code rc;
    if (!router || strcmp(router, "astar") != 0) {
        if (asprintf(&cache, "%s.cch", db_path) < 0)
            return kkc_err_set(err, KKC_ENOMEM, "out of memory");
        o.hierarchy = 1;
        o.hierarchy_cache = cache;
    }
    rc = graph_load_opts(st, &o, g, err);
    free(cache);
    return rc;
}

enum kkc_code world_load(const char *db_path, struct world **out, struct kkc_err *err)
{
    struct store *st = NULL;
    struct world *w = calloc(1, sizeof *w);
    enum kkc_code rc;

    *out = NULL;
    if (!w || !(w->db_path = strdup(db_path))) {
        rc = kkc_err_set(err, KKC_ENOMEM, "out of memory");
        goto fail;
    }
    rc = store_open(db_path, STORE_READONLY, &st, err);
    if (!rc)
        rc = centres_load(st, &w->centres, err);
    if (!rc && store_count_rows(st, "road_edges") > 0)
        rc = load_graph(st, db_path, &w->graph, err);
    /* one network Voronoi per combination of kinds, active centres only */
    for (unsigned m = 1; !rc && w->graph && m <= KIND_MASK_ALL; m++) {
        struct labels_options lo = {.kind_mask = m, .k = WORLD_LABELS_K};
        rc = labels_build(w->graph, w->centres, &lo, &w->labels[m], err);
    }
    if (rc)
        goto fail;
    if (store_meta_get(st, "data_version", w->version, sizeof w->version, NULL))
        strcpy(w->version, "unknown");
    w->municipalities = store_count_rows(st, "municipalities");
    w->loaded_at = time(NULL);
    w->refs = 1;
    store_close(st);
    *out = w;
    return KKC_OK;
fail:
    store_close(st);
    world_free(w);
    return rc;
}

void world_holder_init(struct world_holder *h, struct world *w)
{
    pthread_mutex_init(&h->mu, NULL);
    h->cur = w;
}

struct world *world_get(struct world_holder *h)
{
    struct world *w;
    pthread_mutex_lock(&h->mu);
    w = h->cur;
    if (w)
        w->refs++;
    pthread_mutex_unlock(&h->mu);
    return w;
}

void world_put(struct world_holder *h, struct world *w)
{
    long left;
    if (!w)
        return;
    pthread_mutex_lock(&h->mu);
    left = --w->refs;
    pthread_mutex_unlock(&h->mu);
    if (left == 0)
        world_free(w);
}

void world_swap(struct world_holder *h, struct world *w)
{
    struct world *old;
    pthread_mutex_lock(&h->mu);
    old = h->cur;
    h->cur = w;
    pthread_mutex_unlock(&h->mu);
    world_put(h, old);
}

void world_holder_done(struct world_holder *h)
{
    world_swap(h, NULL);
    pthread_mutex_destroy(&h->mu);
}
