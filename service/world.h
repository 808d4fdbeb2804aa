/* service/world.h -- the read-only data a server answers from, and its atomic replacement.
 *
 * A world is loaded once from a database file (centre index, road graph, precomputed labels) and
 * not changed afterwards, except for one field: the coverage base, built on first use and
 * published once with an atomic compare-and-swap (see below). Every worker thread reads it
 * without locks. A reload loads a new world
 * and swaps the pointer; a request holds a reference for its whole life, so the old world is freed
 * only when the last request that uses it has finished. */
#ifndef KKC_WORLD_H
#define KKC_WORLD_H

#include "base/err.h"

#include <pthread.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

struct centres;
struct coverage_base;
struct graph;
struct labels;
struct store;

/* The read-only database connections a world was loaded from, handed one per thread: a file
 * renamed over the database later (a failed reload) does not change what the world reads. */
struct world_stores {
    pthread_mutex_t mu;
    struct store **all;
    size_t len, given;
    dev_t dev;                /* the file they read (stat at load): an extra connection is */
    ino_t ino;                /* opened only while db_path is still that file */
};

struct world {
    char *db_path;
    unsigned long gen;        /* unique per load: per-thread caches compare it, not pointers */
    char version[64];         /* meta data_version of the database */
    long long state_version;  /* meta state_version: the shared state it mirrors (replica.h) */
    time_t loaded_at;
    struct centres *centres;
    struct graph *graph;      /* NULL when the database has no road network */
    struct labels *labels[8]; /* per one-kind mask (1, 2, 4): nearest active centres by time */
    long municipalities;
    /* Road closures in force when loaded (applied to graph and labels, geo/closures/) */
    struct world_closures {
        long active;         /* closures in force */
        long long version;   /* state version of the closures (their change log) */
        long long next_change; /* Unix time a closure starts or ends: reload then; 0 = none */
        long missing_ways;   /* way ids of closures in force the network no longer has */
        long edges;          /* road edges closed or slowed */
    } closures;
    /* Derived data for coverage questions: built on first use by api_coverage.c and published
     * with an atomic compare-and-swap (the only field set after loading); freed with the world. */
    struct coverage_base *coverage;
    struct world_stores stores;
    long refs;                /* guarded by the holder's mutex */
};

/* Connections opened with each world from now on (default 2; `kkc serve` sets its thread count
 * plus one), so that every worker finds one of the world's own. */
void world_set_connections(int n);
/* A read-only connection of w's for the calling thread to keep while it serves w (borrowed; w
 * closes it when freed). A pre-opened one, or a new one while db_path is still the file w was
 * loaded from; otherwise NULL with KKC_EIO. */
struct store *world_store_take(struct world *w, struct kkc_err *err);

/* Load everything from db_path. *out is the caller's, released with world_put(). */
enum kkc_code world_load(const char *db_path, struct world **out, struct kkc_err *err);

/* Holder of the current world. */
struct world_holder {
    pthread_mutex_t mu;
    pthread_mutex_t write_mu; /* admin writes and reloads: a reload never swaps in a world read
                                 before a write that has committed and answered */
    struct world *cur;
};

void world_holder_init(struct world_holder *h, struct world *w); /* takes w's reference */
/* The current world with one more reference; release with world_put(). */
struct world *world_get(struct world_holder *h);
/* Drop a reference; the last one frees the world. NULL is a no-op. */
void world_put(struct world_holder *h, struct world *w);
/* Install w (taking its reference) and drop the holder's reference to the previous one. */
void world_swap(struct world_holder *h, struct world *w);
/* Load db_path again and install it, under write_mu (as admin writes take it); on failure the
 * current world stays. */
enum kkc_code world_reload(struct world_holder *h, const char *db_path, struct world **out,
                           struct kkc_err *err);
/* Drop the holder's reference (at shutdown). */
void world_holder_done(struct world_holder *h);

#endif
