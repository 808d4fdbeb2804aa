/* service/world.h -- the read-only data a server answers from, and its atomic replacement.
 *
 * A world is loaded once from a database file (centre index, road graph, precomputed labels) and
 * not changed afterwards, except for the fields built on first use and published once with an
 * atomic compare-and-swap: the coverage base and the profiles' graphs (see below). Every worker
 * thread reads it
 * without locks. A reload loads a new world and swaps the pointer; a change (closures, centres)
 * derives a new world from the current one, sharing what the change does not touch
 * (world_apply_change), and swaps the pointer. A request holds a reference for its whole life,
 * so the old world is freed only when the last request that uses it has finished; the parts
 * worlds share are counted apart (world_int.h) and freed with the last world using them. */
#ifndef KKC_WORLD_H
#define KKC_WORLD_H

#include "base/err.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

struct centres;
struct coverage_base;
struct graph;
struct labels;
struct store;

/* The read-only database connections a world was loaded from, handed one per thread: a file
 * renamed over the database later (a failed reload) does not change what the world reads. The
 * worlds derived from it (world_apply_change) share the pool: gen names it for the threads'
 * caches (tctx.c). */
struct world_stores {
    pthread_mutex_t mu;
    unsigned long gen;        /* unique per pool */
    struct store **all;
    size_t len, given;
    dev_t dev;                /* the file they read (stat at load): an extra connection is */
    ino_t ino;                /* opened only while db_path is still that file */
};

struct world_part; /* a reference-counted part worlds share (world.c) */
struct service_profile;

#define WORLD_PROFILES 4 /* >= PROFILE_COUNT (road/service_profile.h) */

struct world {
    char *db_path;
    unsigned long gen;        /* unique per graph and connection pool: per-thread caches compare
                                 it, not pointers */
    char version[64];         /* meta data_version of the database */
    long long state_version;  /* meta state_version: the shared state it mirrors (replica.h) */
    time_t loaded_at;
    struct centres *centres;
    struct graph *graph;      /* NULL when the database has no road network */
    struct labels *labels[8]; /* per one-kind mask (1, 2, 4): nearest active centres by time */
    int labels_stale;         /* 1: labels all NULL while the holder's labeller rebuilds them for
                                 this world's graph and centres; nearest by time answers by the
                                 exhaustive search meanwhile (nearest_time.h: the same answers) */
    long municipalities;
    /* Road closures in force when loaded (applied to graph and labels, geo/closures/) */
    struct world_closures {
        long active;         /* closures in force */
        long long version;   /* state version of the closures (their change log) */
        long long next_change; /* Unix time a closure starts or ends: reload then; 0 = none */
        long missing_ways;   /* way ids of closures in force the network no longer has */
        long edges;          /* road edges closed or slowed */
        unsigned long long arcs_changed; /* turn arcs re-weighted from the base (derived graph) */
        unsigned long long arcs_redone;  /* hierarchy arcs re-customized for them */
        double apply_ms;     /* how long world_apply_change took to build this world; 0: loaded */
    } closures;
    /* Derived data for coverage questions: built on first use by api_coverage.c and published
     * with an atomic compare-and-swap (set after loading, like profiles); freed with the world. */
    struct coverage_base *coverage;
    /* The service profiles' graphs with their customized hierarchy, by profile (car: unused):
     * built on first use and published likewise (world_profiles.c); freed with the world. */
    struct graph *profiles[WORLD_PROFILES];
    struct world_stores *stores; /* the pool (owned by part_stores) */
    /* What worlds share, each counted: the network as loaded without closures (its graph owns
     * the turn graph, the hierarchy's topology and the base metric), the graph in use (base's,
     * or one derived from it with the closures applied), the centres, the connection pool. */
    struct world_part *part_base, *part_graph, *part_centres, *part_stores;
    long refs;                /* guarded by the holder's mutex */
};

/* Profile profile's graph of w (a police, fire or ambulance profile of road/service_profile.h,
 * p its table row), with the world's hierarchy customized for it: built on the first call (the
 * profile graph and one customization), shared by later ones. Borrowed from w. KKC_EINVAL for the
 * car or a world without roads, KKC_ENOMEM. */
enum kkc_code world_profile_graph(struct world *w, int profile, const struct service_profile *p,
                                  const struct graph **out, struct kkc_err *err);
void world_profiles_free(struct world *w);

/* Connections opened with each world from now on (default 2; `kkc serve` sets its thread count
 * plus one), so that every worker finds one of the world's own. */
void world_set_connections(int n);
/* A read-only connection of w's for the calling thread to keep while it serves w (borrowed; w
 * closes it when freed). A pre-opened one, or a new one while db_path is still the file w was
 * loaded from; otherwise NULL with KKC_EIO. */
struct store *world_store_take(struct world *w, struct kkc_err *err);

/* Load everything from db_path. *out is the caller's, released with world_put(). */
enum kkc_code world_load(const char *db_path, struct world **out, struct kkc_err *err);
/* The same without building the nearest-by-time labels (minutes on a country graph with its
 * centres: BENCHMARKS.md): the world comes with labels_stale, answering nearest by time exactly
 * by search, for world_labels_later() once it is installed in a holder. */
enum kkc_code world_load_deferred(const char *db_path, struct world **out, struct kkc_err *err);

/* Holder of the current world. */
struct world_holder {
    pthread_mutex_t mu;
    pthread_mutex_t write_mu; /* admin writes and reloads: a reload never swaps in a world read
                                 before a write that has committed and answered */
    struct world *cur;
    /* The labeller: one thread (started on the first world_apply_change) that builds the labels
     * of a world swapped in with labels_stale and swaps in its twin with them. Guarded by mu. */
    pthread_t labeller;
    pthread_cond_t wake, idle;
    int labeller_on, pending, busy, stop;
    atomic_int cancel; /* set by every swap and at shutdown: the build under way is superseded */
};

void world_holder_init(struct world_holder *h, struct world *w); /* takes w's reference */
/* The current world with one more reference; release with world_put(). */
struct world *world_get(struct world_holder *h);
/* Drop a reference; the last one frees the world. NULL is a no-op. */
void world_put(struct world_holder *h, struct world *w);
/* Install w (taking its reference) and drop the holder's reference to the previous one. */
void world_swap(struct world_holder *h, struct world *w);
/* Load db_path again and install it, under write_mu (as admin writes take it); on failure the
 * current world stays. The labels are deferred as at start-up (world_load_deferred, then
 * world_labels_later): the new world serves at once, nearest by time answering by search until
 * the labeller swaps in its twin with labels. version (may be NULL) receives its data version. */
enum kkc_code world_reload(struct world_holder *h, const char *db_path, char version[64],
                           struct kkc_err *err);
/* Drop the holder's reference (at shutdown); stops the labeller first. */
void world_holder_done(struct world_holder *h);

/* ---- applying a change without a reload (world_change.c) ------------------------------------ */

enum world_change {
    WORLD_CHANGE_CLOSURES = 1, /* the closures tables changed, or one started or ended */
    WORLD_CHANGE_CENTRES = 2,  /* the centres table changed */
};

/* THE entry point after a committed change of the database (an admin write, a closure write, a
 * replica's replay, a closure's valid_from / valid_until passing): bring the holder's world up
 * to date for the changes in `what` (enum world_change bits) and swap it in, instead of
 * world_reload's full load (minutes on a 1 M-node network): 0.1-0.7 s there (BENCHMARKS.md). The caller holds
 * h->write_mu (so that two changes apply in their commit order and a reload cannot interleave).
 *
 * The new world is derived from the current one: it shares the base network (nodes, geometry,
 * turn graph, hierarchy topology, base metric) and the connection pool; for CLOSURES it gets a
 * graph derived afresh from the base with the closures in force now (closures/derive.h: copied
 * adjacency, flags and costs, the base metric updated above the changed arcs), else it shares
 * the current graph; for CENTRES it loads the centres again, else shares them. It is swapped in
 * with labels_stale (nearest by time answers exactly by search meanwhile); the labeller then
 * builds its labels off the HTTP workers and swaps in a twin with them (same graph, centres and
 * gen), unless another change or a reload came first. Readers see the old world or the new one,
 * never a mix. Falls back to world_load when the current world has no road network. KKC_EINVAL
 * when the holder has no world. On failure the current world stays. */
enum kkc_code world_apply_change(struct world_holder *h, unsigned what, struct kkc_err *err);

/* When the holder's world has labels_stale (world_load_deferred), hand it to the labeller, which
 * builds its labels off the HTTP workers and swaps in its twin with them. */
void world_labels_later(struct world_holder *h);

/* Wait until the labeller has nothing to do (the current world's labels are built, or it has
 * none to build): for tests and benchmarks. */
void world_holder_settle(struct world_holder *h);

#endif
