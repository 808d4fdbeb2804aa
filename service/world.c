/* service/world.c -- loading the shared read-only data, reference counting and swapping. */
#include "world.h"

#include "centres/centres.h"
#include "closures/closures.h"
#include "closures/overlay.h"
#include "coverage/coverage_base.h"
#include "road/graph.h"
#include "road/labels.h"
#include "road/road_ch.h"
#include "base/store.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define WORLD_LABELS_K 10
#define WORLD_CONNS_MAX 256

static atomic_int world_conns = 2;
static atomic_ulong world_gens;

void world_set_connections(int n)
{
    atomic_store(&world_conns, n < 1 ? 1 : n > WORLD_CONNS_MAX ? WORLD_CONNS_MAX : n);
}

static void stores_close(struct world_stores *s)
{
    for (size_t i = 0; i < s->len; i++)
        store_close(s->all[i]);
    free(s->all);
    pthread_mutex_destroy(&s->mu);
}

/* Keep st (the connection w was loaded from) and open the rest of the pool beside it. */
static enum kkc_code stores_open(struct world *w, struct store *st, struct kkc_err *err)
{
    struct world_stores *s = &w->stores;
    struct stat sb;
    int n = atomic_load(&world_conns);
    enum kkc_code rc = KKC_OK;

    if (stat(w->db_path, &sb) != 0 || !(s->all = calloc((size_t)n, sizeof *s->all))) {
        store_close(st);
        return kkc_err_set(err, KKC_EIO, "cannot stat %s or out of memory", w->db_path);
    }
    s->dev = sb.st_dev;
    s->ino = sb.st_ino;
    s->all[s->len++] = st;
    while (!rc && s->len < (size_t)n) {
        rc = store_open(w->db_path, STORE_READONLY, &s->all[s->len], err);
        if (!rc)
            s->len++;
    }
    return rc;
}

struct store *world_store_take(struct world *w, struct kkc_err *err)
{
    struct world_stores *s = &w->stores;
    struct store *st = NULL, **grown;
    struct stat sb;

    pthread_mutex_lock(&s->mu);
    if (s->given < s->len) {
        st = s->all[s->given++];
    } else if (stat(w->db_path, &sb) != 0 || sb.st_dev != s->dev || sb.st_ino != s->ino) {
        kkc_err_set(err, KKC_EIO, "the database file was replaced after this data was loaded");
    } else if (!(grown = realloc(s->all, (s->len + 1) * sizeof *grown))) {
        kkc_err_set(err, KKC_ENOMEM, "out of memory");
    } else {
        s->all = grown;
        if (store_open(w->db_path, STORE_READONLY, &st, err) == KKC_OK) {
            s->all[s->len++] = st;
            s->given++;
        }
    }
    pthread_mutex_unlock(&s->mu);
    return st;
}

static void world_free(struct world *w)
{
    if (!w)
        return;
    for (int m = 0; m < 8; m++)
        labels_destroy(w->labels[m]);
    coverage_base_destroy(w->coverage);
    stores_close(&w->stores);
    centres_destroy(w->centres);
    graph_destroy(w->graph);
    free(w->db_path);
    free(w);
}

/* Match the closures in force now and apply them to the new (not yet shared) graph. */
static enum kkc_code apply_closures(struct store *st, struct world *w, struct kkc_err *err)
{
    struct closure_list l = {0};
    struct closure_effects e = {0};
    int64_t version = 0;
    enum kkc_code rc = closures_load(st, &l, err);
    if (!rc)
        rc = closures_version(st, &version, err);
    if (!rc)
        rc = closures_match(st, &l, (int64_t)time(NULL), &e, err);
    if (!rc && w->graph)
        rc = closures_overlay(w->graph, &e, err);
    w->closures = (struct world_closures){(long)e.active, version, e.next_change,
                                          (long)e.missing_ways, (long)e.len};
    closure_effects_free(&e);
    closure_list_free(&l);
    return rc;
}

/* The road graph with the road closures in force applied, then its customizable hierarchy
 * unless KKC_ROUTER=astar asks for the baseline A* searches. The hierarchy is built on the turn
 * graph, whose topology closures do not change (they close and slow turn arcs in the metric):
 * its order and contraction always come from DB.cch; closures only re-customize the metric
 * (DB.cch.metric holds the last one). */
static enum kkc_code load_graph(struct store *st, const char *db_path, struct world *w,
                                struct kkc_err *err)
{
    const char *router = getenv("KKC_ROUTER");
    struct graph_options o = {.landmarks = GRAPH_LANDMARKS_DEFAULT};
    char *cache = NULL, version[64];
    enum kkc_code rc = graph_load_opts(st, &o, &w->graph, err);
    if (!rc)
        rc = apply_closures(st, w, err);
    if (rc || (router && strcmp(router, "astar") == 0))
        return rc;
    if (store_meta_get(st, "data_version", version, sizeof version, NULL))
        snprintf(version, sizeof version, "unknown");
    if (asprintf(&cache, "%s.cch", db_path) < 0)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory");
    rc = road_ch_create(w->graph, cache, version, &w->graph->ch, err);
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
        free(w);
        return kkc_err_set(err, KKC_ENOMEM, "out of memory");
    }
    pthread_mutex_init(&w->stores.mu, NULL);
    w->gen = atomic_fetch_add(&world_gens, 1) + 1;
    rc = store_open(db_path, STORE_READONLY, &st, err);
    if (!rc)
        rc = centres_load(st, &w->centres, err);
    if (!rc && store_count_rows(st, "road_edges") > 0)
        rc = load_graph(st, db_path, w, err);
    /* one network Voronoi per kind, active centres only (combinations merge them) */
    for (unsigned m = 1; !rc && w->graph && m <= KIND_MASK_ALL; m <<= 1) {
        struct labels_options lo = {.kind_mask = m, .k = WORLD_LABELS_K};
        rc = labels_build(w->graph, w->centres, &lo, &w->labels[m], err);
    }
    if (rc)
        goto fail;
    if (store_meta_get(st, "data_version", w->version, sizeof w->version, NULL))
        strcpy(w->version, "unknown");
    char sv[32]; /* issue 20 (replicas): the shared state version the file mirrors; 0 = none */
    w->state_version = store_meta_get(st, "state_version", sv, sizeof sv, NULL) ? 0 : atoll(sv);
    w->municipalities = store_count_rows(st, "municipalities");
    w->loaded_at = time(NULL);
    w->refs = 1;
    rc = stores_open(w, st, err); /* the pool owns st from here, whatever rc */
    st = NULL;
    if (rc)
        goto fail;
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
    pthread_mutex_init(&h->write_mu, NULL);
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

enum kkc_code world_reload(struct world_holder *h, const char *db_path, struct world **out,
                           struct kkc_err *err)
{
    enum kkc_code rc;
    pthread_mutex_lock(&h->write_mu);
    rc = world_load(db_path, out, err);
    if (!rc)
        world_swap(h, *out);
    pthread_mutex_unlock(&h->write_mu);
    return rc;
}

void world_holder_done(struct world_holder *h)
{
    world_swap(h, NULL);
    pthread_mutex_destroy(&h->write_mu);
    pthread_mutex_destroy(&h->mu);
}
