/* service/http_heavy.c -- the pool that answers expensive requests (see http_heavy.h). */
#include "http_heavy.h"

#include "routes.h"
#include "tctx.h"
#include "world.h"

#include <pthread.h>
#include <stdlib.h>

struct heavy {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct heavy_task **q; /* ring of cap */
    int cap, head, len, running, stop, nthreads;
    pthread_t *threads;
};

static void task_run(struct heavy_task *t)
{
    t->ar.q = &t->q;
    t->ar.t = tctx_get();
    t->ar.w = t->w = world_get(t->worlds);
    if (!t->ar.t || !t->w)
        api_error(&t->res, KKC_ENOMEM, t->w ? "out of memory" : "no data loaded");
    else
        api_dispatch(&t->ar, &t->res);
    MHD_resume_connection(t->con);
}

static void *heavy_main(void *arg)
{
    struct heavy *h = arg;
    pthread_mutex_lock(&h->mu);
    for (;;) {
        while (!h->len && !h->stop)
            pthread_cond_wait(&h->cv, &h->mu);
        if (!h->len)
            break;
        struct heavy_task *t = h->q[h->head];
        h->head = (h->head + 1) % h->cap;
        h->len--;
        h->running++;
        pthread_mutex_unlock(&h->mu);
        task_run(t);
        pthread_mutex_lock(&h->mu);
        h->running--;
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

struct heavy *heavy_create(int threads, int queue)
{
    struct heavy *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->cap = queue < 1 ? 1 : queue;
    h->q = calloc((size_t)h->cap, sizeof *h->q);
    h->threads = calloc((size_t)(threads < 1 ? 1 : threads), sizeof *h->threads);
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->cv, NULL);
    if (!h->q || !h->threads) {
        heavy_destroy(h);
        return NULL;
    }
    for (int i = 0; i < (threads < 1 ? 1 : threads); i++) {
        if (pthread_create(&h->threads[i], NULL, heavy_main, h) != 0) {
            heavy_destroy(h);
            return NULL;
        }
        h->nthreads++;
    }
    return h;
}

void heavy_destroy(struct heavy *h)
{
    if (!h)
        return;
    pthread_mutex_lock(&h->mu);
    h->stop = 1;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    for (int i = 0; i < h->nthreads; i++)
        pthread_join(h->threads[i], NULL);
    pthread_cond_destroy(&h->cv);
    pthread_mutex_destroy(&h->mu);
    free(h->threads);
    free(h->q);
    free(h);
}

int heavy_submit(struct heavy *h, struct heavy_task *t)
{
    int rc = -1;
    pthread_mutex_lock(&h->mu);
    if (h->len < h->cap && !h->stop) {
        MHD_suspend_connection(t->con); /* before a pool thread can resume it */
        h->q[(h->head + h->len) % h->cap] = t;
        h->len++;
        pthread_cond_signal(&h->cv);
        rc = 0;
    }
    pthread_mutex_unlock(&h->mu);
    return rc;
}

int heavy_load(struct heavy *h)
{
    int n;
    pthread_mutex_lock(&h->mu);
    n = h->len + h->running;
    pthread_mutex_unlock(&h->mu);
    return n;
}
