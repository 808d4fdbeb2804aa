/* service/world_change.c -- a change applied by deriving a new world from the current one, and
 * the labeller that builds its labels off the HTTP workers (world.h). */
#include "world_int.h"

#include "centres/centres.h"
#include "road/labels.h"
#include "base/store.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define LABELLER_QUIET_MS 200 /* a change waits this long for the next before labels are built */
#define LABELLER_NICE 19      /* the labeller thread's nice value */

static void centres_free(void *c)
{
    centres_destroy(c);
}

/* A new world sharing cur's stores and base (and graph / centres unless what changes them). */
static struct world *derive_from(const struct world *cur)
{
    struct world *w = world_alloc(cur->db_path);
    if (!w)
        return NULL;
    memcpy(w->version, cur->version, sizeof w->version);
    w->gen = world_next_gen();
    w->loaded_at = time(NULL);
    w->municipalities = cur->municipalities;
    w->stores = cur->stores;
    w->part_stores = world_part_ref(cur->part_stores);
    w->part_base = world_part_ref(cur->part_base);
    w->labels_stale = cur->graph != NULL;
    return w;
}

static enum kkc_code derive_parts(struct store *st, const struct world *cur, struct world *w,
                                  unsigned what, struct kkc_err *err)
{
    enum kkc_code rc = KKC_OK;
    struct centres *cs = NULL;
    if (what & WORLD_CHANGE_CENTRES) {
        rc = centres_load(st, &cs, err);
        if (!rc && !(w->part_centres = world_part_new(centres_free, cs)))
            rc = kkc_err_set(err, KKC_ENOMEM, "out of memory");
    } else {
        w->part_centres = world_part_ref(cur->part_centres);
    }
    w->centres = w->part_centres ? w->part_centres->p : NULL;
    if (!rc && (what & WORLD_CHANGE_CLOSURES)) {
        rc = world_closures_apply(st, w, err);
    } else if (!rc) {
        w->part_graph = world_part_ref(cur->part_graph);
        w->graph = cur->graph;
        w->closures = cur->closures;
    }
    return rc;
}

static void *labeller_main(void *arg);

/* Hand w (just swapped in with stale labels) to the labeller, starting it the first time. */
static void labeller_kick(struct world_holder *h)
{
    pthread_mutex_lock(&h->mu);
    h->pending = 1;
    if (!h->labeller_on && pthread_create(&h->labeller, NULL, labeller_main, h) == 0)
        h->labeller_on = 1;
    pthread_cond_signal(&h->wake);
    pthread_mutex_unlock(&h->mu);
}

enum kkc_code world_apply_change(struct world_holder *h, unsigned what, struct kkc_err *err)
{
    struct world *cur = world_get(h), *w = NULL;
    struct store *st = NULL;
    struct timespec t0, t1;
    enum kkc_code rc;
    clock_gettime(CLOCK_MONOTONIC, &t0);

    if (!cur)
        return kkc_err_set(err, KKC_EINVAL, "no world to apply a change to");
    if (!cur->part_base) { /* no road network: a load is as quick */
        rc = world_load(cur->db_path, &w, err);
        if (!rc)
            world_swap(h, w);
        world_put(h, cur);
        return rc;
    }
    if (!(w = derive_from(cur)))
        rc = kkc_err_set(err, KKC_ENOMEM, "out of memory");
    else
        rc = store_open(cur->db_path, STORE_READONLY, &st, err);
    if (!rc)
        rc = derive_parts(st, cur, w, what, err);
    if (!rc)
        w->state_version = world_state_version_read(st);
    store_close(st);
    world_put(h, cur);
    if (rc) {
        world_free(w);
        return rc;
    }
    w->refs = 1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    w->closures.apply_ms =
        (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    world_swap(h, w);
    if (w->labels_stale)
        labeller_kick(h);
    return KKC_OK;
}

void world_labels_later(struct world_holder *h)
{
    struct world *w = world_get(h);
    if (w && w->labels_stale)
        labeller_kick(h);
    world_put(h, w);
}

/* w's twin with labels lab (taken): everything else shared, the same gen (same graph, same
 * pool, so the threads' caches stay valid). NULL when out of memory (lab then freed). */
static struct world *twin_with(const struct world *w, struct labels *lab[8])
{
    struct world *t = world_alloc(w->db_path);
    if (!t) {
        for (int m = 0; m < 8; m++)
            labels_destroy(lab[m]);
        return NULL;
    }
    memcpy(t->version, w->version, sizeof t->version);
    t->gen = w->gen, t->loaded_at = w->loaded_at, t->municipalities = w->municipalities;
    t->state_version = w->state_version;
    t->centres = w->centres, t->graph = w->graph, t->closures = w->closures;
    t->stores = w->stores;
    t->part_stores = world_part_ref(w->part_stores);
    t->part_centres = world_part_ref(w->part_centres);
    t->part_graph = world_part_ref(w->part_graph);
    t->part_base = world_part_ref(w->part_base);
    memcpy(t->labels, lab, sizeof t->labels);
    t->refs = 1;
    return t;
}

/* Build the labels of the current world when stale, kind by kind, giving up as soon as it is no
 * longer the current one; swap in its twin with them if it still is (under write_mu, as every
 * writer). A failure leaves the world stale (its answers stay exact), to be retried at the next
 * change. */
static void label_current(struct world_holder *h)
{
    struct world *w = world_get(h), *t;
    struct labels *lab[8] = {0};
    struct kkc_err err = {0};
    if (!w || !w->labels_stale) {
        world_put(h, w);
        return;
    }
    enum kkc_code rc = KKC_OK;
    int current = 1;
    for (unsigned m = 1; !rc && current && m <= KIND_MASK_ALL; m <<= 1) {
        rc = world_labels_build_one(w, m, &h->cancel, &lab[m], &err);
        pthread_mutex_lock(&h->mu); /* superseded (another change, a reload): stop early */
        current = h->cur == w && !h->stop;
        pthread_mutex_unlock(&h->mu);
    }
    if (rc || !current) {
        for (int m = 0; m < 8; m++)
            labels_destroy(lab[m]);
        world_put(h, w);
        return;
    }
    pthread_mutex_lock(&h->write_mu);
    if (h->cur == w && (t = twin_with(w, lab)) != NULL)
        world_swap(h, t);
    else if (h->cur != w)
        for (int m = 0; m < 8; m++)
            labels_destroy(lab[m]);
    pthread_mutex_unlock(&h->write_mu);
    world_put(h, w);
}

/* Wait (mu held) until no change has come for LABELLER_QUIET_MS, so that a burst of writes
 * starts one label build, not one per write. */
static void quiet_period(struct world_holder *h)
{
    while (h->pending && !h->stop) {
        struct timespec ts;
        h->pending = 0;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += LABELLER_QUIET_MS * 1000000L;
        ts.tv_sec += ts.tv_nsec / 1000000000L, ts.tv_nsec %= 1000000000L;
        while (!h->pending && !h->stop && pthread_cond_timedwait(&h->wake, &h->mu, &ts) == 0)
            ;
    }
}

static void *labeller_main(void *arg)
{
    struct world_holder *h = arg;
    /* below the HTTP workers: the labels are the background's, the answers are exact anyway */
    setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), LABELLER_NICE);
    pthread_mutex_lock(&h->mu);
    for (;;) {
        while (!h->stop && !h->pending)
            pthread_cond_wait(&h->wake, &h->mu);
        h->busy = 1; /* from here: world_holder_settle waits for this build */
        quiet_period(h);
        if (h->stop)
            break;
        h->pending = 0;
        h->busy = 1;
        atomic_store(&h->cancel, 0); /* a swap from here on cancels this build */
        pthread_mutex_unlock(&h->mu);
        label_current(h);
        pthread_mutex_lock(&h->mu);
        h->busy = 0;
        pthread_cond_broadcast(&h->idle);
    }
    h->busy = 0;
    pthread_cond_broadcast(&h->idle);
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

void world_holder_settle(struct world_holder *h)
{
    pthread_mutex_lock(&h->mu);
    while (h->labeller_on && (h->pending || h->busy) && !h->stop)
        pthread_cond_wait(&h->idle, &h->mu);
    pthread_mutex_unlock(&h->mu);
}

void world_holder_init(struct world_holder *h, struct world *w)
{
    memset(h, 0, sizeof *h);
    atomic_init(&h->cancel, 0);
    pthread_mutex_init(&h->mu, NULL);
    pthread_mutex_init(&h->write_mu, NULL);
    pthread_cond_init(&h->wake, NULL);
    pthread_cond_init(&h->idle, NULL);
    h->cur = w;
}

void world_holder_done(struct world_holder *h)
{
    pthread_mutex_lock(&h->mu);
    h->stop = 1;
    atomic_store(&h->cancel, 1);
    pthread_cond_broadcast(&h->wake);
    pthread_mutex_unlock(&h->mu);
    if (h->labeller_on)
        pthread_join(h->labeller, NULL);
    world_swap(h, NULL);
    pthread_cond_destroy(&h->idle);
    pthread_cond_destroy(&h->wake);
    pthread_mutex_destroy(&h->write_mu);
    pthread_mutex_destroy(&h->mu);
}
