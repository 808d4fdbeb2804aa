/* service/world.c -- loading the shared read-only data, reference counting and swapping. */
#include "world_int.h"

#include "centres/centres.h"
#include "closures/closures.h"
#include "closures/derive.h"
#include "coverage/coverage_base.h"
#include "road/graph.h"
#include "road/labels.h"
#include "road/road_ch.h"
#include "base/store.h"

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

unsigned long world_next_gen(void)
{
    return atomic_fetch_add(&world_gens, 1) + 1;
}

struct world_part *world_part_new(void (*destroy)(void *p), void *p)
{
    struct world_part *part = malloc(sizeof *part);
    if (!part) {
        destroy(p);
        return NULL;
    }
    atomic_init(&part->refs, 1);
    part->destroy = destroy, part->p = p;
    return part;
}

struct world_part *world_part_ref(struct world_part *part)
{
    if (part)
        atomic_fetch_add(&part->refs, 1);
    return part;
}

void world_part_put(struct world_part *part)
{
    if (part && atomic_fetch_sub(&part->refs, 1) == 1) {
        part->destroy(part->p);
        free(part);
    }
}

static void stores_close(void *p)
{
    struct world_stores *s = p;
    for (size_t i = 0; i < s->len; i++)
        store_close(s->all[i]);
    free(s->all);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

/* Keep st (the connection w was loaded from) and open the rest of the pool beside it. */
static enum kkc_code stores_open(struct world *w, struct store *st, struct kkc_err *err)
{
    struct world_stores *s = calloc(1, sizeof *s);
    struct stat sb;
    int n = atomic_load(&world_conns);
    enum kkc_code rc = KKC_OK;

    if (!s || !(w->part_stores = world_part_new(stores_close, s))) {
        store_close(st);
        return kkc_err_set(err, KKC_ENOMEM, "out of memory");
    }
    pthread_mutex_init(&s->mu, NULL);
    w->stores = s;
    s->gen = world_next_gen();
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
    struct world_stores *s = w->stores;
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

struct world *world_alloc(const char *db_path)
{
    struct world *w = calloc(1, sizeof *w);
    if (w && !(w->db_path = strdup(db_path))) {
        free(w);
        w = NULL;
    }
    return w;
}

void world_free(struct world *w)
{
    if (!w)
        return;
    for (int m = 0; m < 8; m++)
        labels_destroy(w->labels[m]);
    coverage_base_destroy(w->coverage);
    world_profiles_free(w);
    world_part_put(w->part_stores);
    world_part_put(w->part_centres);
    world_part_put(w->part_graph); /* a derived graph before the base it borrows from */
    world_part_put(w->part_base);
    free(w->db_path);
    free(w);
}

static void base_free(void *b)
{
    closures_base_destroy(b);
}

static void derived_free(void *g)
{
    closures_graph_derived_free(g);
}

static void centres_free(void *c)
{
    centres_destroy(c);
}

enum kkc_code world_closures_apply(struct store *st, struct world *w, struct kkc_err *err)
{
    struct closure_list l = {0};
    struct closure_effects e = {0};
    struct closures_derive_stats ds = {0};
    const struct closures_base *base = w->part_base ? w->part_base->p : NULL;
    struct graph *g = NULL;
    int64_t version = 0;
    enum kkc_code rc = closures_load(st, &l, err);
    if (!rc)
        rc = closures_version(st, &version, err);
    if (!rc)
        rc = closures_match(st, &l, (int64_t)time(NULL), &e, err);
    if (!rc && base && e.len)
        rc = closures_graph_derive(base, &e, &g, &ds, err);
    if (!rc && base) {
        w->part_graph = g ? world_part_new(derived_free, g) : world_part_ref(w->part_base);
        w->graph = !w->part_graph ? NULL : g ? g : (struct graph *)closures_base_graph(base);
        if (!w->part_graph)
            rc = kkc_err_set(err, KKC_ENOMEM, "out of memory");
    }
    w->closures = (struct world_closures){(long)e.active, version, e.next_change,
                                          (long)e.missing_ways, (long)e.len, ds.arcs_changed,
                                          ds.arcs_redone, 0};
    closure_effects_free(&e);
    closure_list_free(&l);
    return rc;
}

enum kkc_code world_labels_build_one(const struct world *w, unsigned mask,
                                     const atomic_int *cancel, struct labels **out,
                                     struct kkc_err *err)
{
    struct labels_options lo = {.kind_mask = mask, .k = WORLD_LABELS_K};
    return labels_build_cancellable(w->graph, w->centres, &lo, cancel, out, err);
}

enum kkc_code world_labels_build(const struct world *w, struct labels *lab[8],
                                 struct kkc_err *err)
{
    enum kkc_code rc = KKC_OK;
    /* one network Voronoi per kind, active centres only (combinations merge them) */
    for (unsigned m = 1; !rc && w->graph && m <= KIND_MASK_ALL; m <<= 1)
        rc = world_labels_build_one(w, m, NULL, &lab[m], err);
    return rc;
}

/* The road network as stored, without closures, then its customizable hierarchy with the
 * stored weights unless KKC_ROUTER=astar asks for the baseline A* searches (only those need the
 * landmark tables, whose searches were half of a country graph's start). The hierarchy is
 * built on the turn graph, whose topology closures do not change (they close and slow turn
 * arcs in the metric): its order and contraction come from DB.cch, its base metric from
 * DB.cch.metric; closures then update a copy of that metric (world_closures_apply). */
static enum kkc_code load_base(struct store *st, const char *db_path, struct world *w,
                               struct kkc_err *err)
{
    const char *router = getenv("KKC_ROUTER");
    int astar = router && strcmp(router, "astar") == 0;
    /* landmarks bound the A* only: the hierarchy never reads them, and the what-if views it
     * leaves to the A* (avoid=, closures=, exclude=) search without them */
    struct graph_options o = {.landmarks = astar ? GRAPH_LANDMARKS_DEFAULT : 0};
    struct graph *g = NULL;
    struct closures_base *b = NULL;
    char *cache = NULL, version[64];
    enum kkc_code rc = graph_load_opts(st, &o, &g, err);
    if (rc)
        return rc;
    if (!astar) {
        if (store_meta_get(st, "data_version", version, sizeof version, NULL))
            snprintf(version, sizeof version, "unknown");
        if (asprintf(&cache, "%s.cch", db_path) < 0)
            rc = kkc_err_set(err, KKC_ENOMEM, "out of memory");
        else
            rc = road_ch_create(g, cache, version, &g->ch, err);
        free(cache);
    }
    if (rc) {
        graph_destroy(g);
        return rc;
    }
    rc = closures_base_create(g, &b, err); /* takes g */
    if (!rc && !(w->part_base = world_part_new(base_free, b)))
        rc = kkc_err_set(err, KKC_ENOMEM, "out of memory");
    return rc;
}

long long world_state_version_read(struct store *st)
{
    char sv[32];
    return store_meta_get(st, "state_version", sv, sizeof sv, NULL) ? 0 : atoll(sv);
}

/* world_load(), its labels built when `labels`, else left to the labeller (labels_stale). */
static enum kkc_code load(const char *db_path, int labels, struct world **out,
                          struct kkc_err *err)
{
    struct store *st = NULL;
    struct centres *cs = NULL;
    struct world *w = world_alloc(db_path);
    enum kkc_code rc;

    *out = NULL;
    if (!w)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory");
    w->gen = world_next_gen();
    rc = store_open(db_path, STORE_READONLY, &st, err);
    if (!rc)
        rc = centres_load(st, &cs, err);
    if (!rc && !(w->part_centres = world_part_new(centres_free, cs)))
        rc = kkc_err_set(err, KKC_ENOMEM, "out of memory");
    w->centres = rc ? NULL : cs;
    if (!rc && store_count_rows(st, "road_edges") > 0)
        rc = load_base(st, db_path, w, err);
    if (!rc)
        rc = world_closures_apply(st, w, err);
    if (!rc && labels)
        rc = world_labels_build(w, w->labels, err);
    if (rc)
        goto fail;
    w->labels_stale = !labels && w->graph != NULL;
    if (store_meta_get(st, "data_version", w->version, sizeof w->version, NULL))
        strcpy(w->version, "unknown");
    w->state_version = world_state_version_read(st);
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

enum kkc_code world_load(const char *db_path, struct world **out, struct kkc_err *err)
{
    return load(db_path, 1, out, err);
}

enum kkc_code world_load_deferred(const char *db_path, struct world **out, struct kkc_err *err)
{
    return load(db_path, 0, out, err);
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
    atomic_store(&h->cancel, 1); /* what the labeller builds for the old one is not needed */
    pthread_mutex_unlock(&h->mu);
    world_put(h, old);
}

enum kkc_code world_reload(struct world_holder *h, const char *db_path, char version[64],
                           struct kkc_err *err)
{
    struct world *w = NULL;
    pthread_mutex_lock(&h->write_mu);
    enum kkc_code rc = world_load_deferred(db_path, &w, err);
    if (!rc) {
        if (version)
            memcpy(version, w->version, sizeof w->version);
        world_swap(h, w); /* w is the holder's now: the labeller may replace it at any time */
    }
    pthread_mutex_unlock(&h->write_mu);
    if (!rc)
        world_labels_later(h);
    return rc;
}
