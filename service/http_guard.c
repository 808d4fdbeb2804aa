/* service/http_guard.c -- header and body deadlines, per-client body budgets (see http_guard.h). */
#include "http_guard.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define GUARD_CLIENTS 256 /* buckets of the per-client table */

/* Bytes of bodies held by one client address. */
struct client {
    unsigned char addr[16];
    size_t held;
    int conns;
    struct client *next;
};

struct guard_conn {
    int fd;
    int headers_done;
    struct timespec t0; /* the current request's start */
    struct client *cl;
    struct guard_conn *prev, *next;
};

struct guard {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t reaper;
    int stop;
    int header_s, body_s;
    size_t per_client;
    void (*tick)(void *); /* called by the reaper every half second, without the lock */
    void *tick_cls;
    struct guard_conn *conns;
    struct client *clients[GUARD_CLIENTS];
};

static double age_s(const struct timespec *t0, const struct timespec *now)
{
    return (double)(now->tv_sec - t0->tv_sec) + (double)(now->tv_nsec - t0->tv_nsec) / 1e9;
}

/* Every half second: shut down the sockets past a deadline (MHD then sees the connection end
 * and closes it; the record goes in guard_close). */
static void *reaper(void *cls)
{
    struct guard *g = cls;
    struct timespec now, wake;
    pthread_mutex_lock(&g->mu);
    while (!g->stop) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        for (struct guard_conn *c = g->conns; c; c = c->next) {
            double a = age_s(&c->t0, &now);
            if (c->fd >= 0 && ((!c->headers_done && a > g->header_s) || a > g->body_s)) {
                shutdown(c->fd, SHUT_RDWR);
                c->fd = -1; /* once */
            }
        }
        if (g->tick) {
            pthread_mutex_unlock(&g->mu);
            g->tick(g->tick_cls);
            pthread_mutex_lock(&g->mu);
        }
        clock_gettime(CLOCK_REALTIME, &wake);
        wake.tv_nsec += 500000000L;
        if (wake.tv_nsec >= 1000000000L) {
            wake.tv_sec++;
            wake.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&g->cv, &g->mu, &wake);
    }
    pthread_mutex_unlock(&g->mu);
    return NULL;
}

struct guard *guard_create(int header_s, int body_s, size_t per_client)
{
    struct guard *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->header_s = header_s;
    g->body_s = body_s;
    g->per_client = per_client;
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->cv, NULL);
    if (pthread_create(&g->reaper, NULL, reaper, g) != 0) {
        pthread_cond_destroy(&g->cv);
        pthread_mutex_destroy(&g->mu);
        free(g);
        return NULL;
    }
    return g;
}

void guard_set_tick(struct guard *g, void (*tick)(void *), void *cls)
{
    pthread_mutex_lock(&g->mu);
    g->tick = tick;
    g->tick_cls = cls;
    pthread_mutex_unlock(&g->mu);
}

void guard_destroy(struct guard *g)
{
    if (!g)
        return;
    pthread_mutex_lock(&g->mu);
    g->stop = 1;
    pthread_cond_signal(&g->cv);
    pthread_mutex_unlock(&g->mu);
    pthread_join(g->reaper, NULL);
    while (g->conns)
        guard_close(g, g->conns);
    pthread_cond_destroy(&g->cv);
    pthread_mutex_destroy(&g->mu);
    free(g);
}

/* The client record of an address (created with the lock held); NULL when out of memory. */
static struct client *client_of(struct guard *g, const struct sockaddr *peer)
{
    unsigned char a[16] = {0};
    unsigned h = 0;
    struct client *cl;
    if (peer && peer->sa_family == AF_INET)
        memcpy(a, &((const struct sockaddr_in *)peer)->sin_addr, 4);
    else if (peer && peer->sa_family == AF_INET6)
        memcpy(a, &((const struct sockaddr_in6 *)peer)->sin6_addr, 16);
    for (int i = 0; i < 16; i++)
        h = h * 31u + a[i];
    h %= GUARD_CLIENTS;
    for (cl = g->clients[h]; cl; cl = cl->next)
        if (memcmp(cl->addr, a, 16) == 0)
            return cl;
    cl = calloc(1, sizeof *cl);
    if (!cl)
        return NULL;
    memcpy(cl->addr, a, 16);
    cl->next = g->clients[h];
    g->clients[h] = cl;
    return cl;
}

/* Forget a client with no connection left. */
static void client_drop(struct guard *g, struct client *cl)
{
    for (int h = 0; h < GUARD_CLIENTS; h++)
        for (struct client **p = &g->clients[h]; *p; p = &(*p)->next)
            if (*p == cl) {
                *p = cl->next;
                free(cl);
                return;
            }
}

struct guard_conn *guard_open(struct guard *g, int fd, const struct sockaddr *peer)
{
    struct guard_conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->fd = fd;
    clock_gettime(CLOCK_MONOTONIC, &c->t0);
    pthread_mutex_lock(&g->mu);
    c->cl = client_of(g, peer);
    if (c->cl)
        c->cl->conns++;
    c->next = g->conns;
    if (g->conns)
        g->conns->prev = c;
    g->conns = c;
    pthread_mutex_unlock(&g->mu);
    return c;
}

void guard_close(struct guard *g, struct guard_conn *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&g->mu);
    if (c->prev)
        c->prev->next = c->next;
    else
        g->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    if (c->cl && --c->cl->conns == 0)
        client_drop(g, c->cl);
    pthread_mutex_unlock(&g->mu);
    free(c);
}

void guard_headers_done(struct guard *g, struct guard_conn *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&g->mu);
    c->headers_done = 1;
    pthread_mutex_unlock(&g->mu);
}

void guard_request_done(struct guard *g, struct guard_conn *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&g->mu);
    c->headers_done = 0;
    clock_gettime(CLOCK_MONOTONIC, &c->t0);
    pthread_mutex_unlock(&g->mu);
}

int guard_body(struct guard *g, struct guard_conn *c, long n)
{
    int rc = 0;
    if (!c || !c->cl)
        return 0;
    pthread_mutex_lock(&g->mu);
    if (n < 0)
        c->cl->held -= (size_t)-n;
    else if ((size_t)n > g->per_client - c->cl->held)
        rc = -1;
    else
        c->cl->held += (size_t)n;
    pthread_mutex_unlock(&g->mu);
    return rc;
}
