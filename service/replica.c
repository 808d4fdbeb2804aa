/* service/replica.c -- the listener thread of a server over shared state (see replica.h). */
#include "replica.h"

#include "base/store.h"
#include "state/state.h"
#include "world.h"

#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct replica {
    struct kkc_state *state;
    char *db_path;
    struct world_holder *worlds;
    pthread_t thread;
    int running;
    atomic_int stop;
    atomic_llong syncs, sync_failures;
};

/* Mirror the shared state into the file under the write lock; *changed when it moved. */
static enum kkc_code sync_file(struct replica *r, pthread_mutex_t *mu, int *changed,
                               struct kkc_err *err)
{
    struct store *st = NULL;
    enum kkc_code rc;
    if (mu)
        pthread_mutex_lock(mu);
    rc = store_open(r->db_path, STORE_READWRITE, &st, err);
    if (!rc)
        rc = state_sync(r->state, st, changed, err);
    store_close(st);
    if (mu)
        pthread_mutex_unlock(mu);
    atomic_fetch_add(rc ? &r->sync_failures : &r->syncs, 1);
    return rc;
}

/* Sync and, when the mirror changed, derive the world from the current one and swap it in
 * (world_apply_change: as a local write does), all under the write lock. */
static void catch_up(struct replica *r)
{
    struct kkc_err err = {0};
    int changed = 0;
    pthread_mutex_lock(&r->worlds->write_mu);
    if (sync_file(r, NULL, &changed, &err)) {
        if (err.code != KKC_EIO)
            fprintf(stderr, "kkc serve: state sync failed: %s\n", err.msg);
    } else if (changed &&
               world_apply_change(r->worlds, WORLD_CHANGE_CLOSURES | WORLD_CHANGE_CENTRES, &err)) {
        fprintf(stderr, "kkc serve: the shared state changed but applying it failed (retried "
                        "on the next change): %s\n", err.msg);
    }
    pthread_mutex_unlock(&r->worlds->write_mu);
}

static void *listener(void *arg)
{
    struct replica *r = arg;
    time_t last = time(NULL);
    int was_down = 0;
    while (!atomic_load(&r->stop)) {
        struct kkc_err err = {0};
        int got = state_listen_wait(r->state, 500, &err);
        if (got < 0) {
            if (!was_down)
                fprintf(stderr, "kkc serve: %s; serving the last state mirrored\n", err.msg);
            was_down = 1;
            usleep(250 * 1000);
            continue;
        }
        if (was_down)
            fprintf(stderr, "kkc serve: the shared state is reachable again\n");
        if (got || was_down || time(NULL) - last >= REPLICA_POLL_S) {
            catch_up(r);
            last = time(NULL);
        }
        was_down = 0;
    }
    return NULL;
}

enum kkc_code replica_open(const char *url, const char *db_path, struct replica **out,
                           struct kkc_err *err)
{
    struct replica *r = calloc(1, sizeof *r);
    struct store *st = NULL;
    char version[64];
    int changed;
    enum kkc_code rc;

    *out = NULL;
    if (!r || !(r->db_path = strdup(db_path))) {
        free(r);
        return kkc_err_set(err, KKC_ENOMEM, "out of memory");
    }
    rc = store_open(db_path, STORE_READONLY, &st, err);
    if (!rc && store_meta_get(st, "data_version", version, sizeof version, NULL))
        snprintf(version, sizeof version, "unknown");
    store_close(st);
    if (!rc)
        rc = state_open(url, version, 0, &r->state, err);
    if (!rc && (rc = sync_file(r, NULL, &changed, err)) == KKC_EIO) {
        fprintf(stderr, "kkc serve: %s; serving the state last mirrored into %s\n", err->msg,
                db_path);
        rc = KKC_OK;
    }
    if (rc) {
        replica_close(r);
        return rc;
    }
    *out = r;
    return KKC_OK;
}

enum kkc_code replica_start(struct replica *r, struct world_holder *worlds, struct kkc_err *err)
{
    r->worlds = worlds;
    if (pthread_create(&r->thread, NULL, listener, r) != 0)
        return kkc_err_set(err, KKC_EINTERNAL, "cannot start the state listener thread");
    r->running = 1;
    return KKC_OK;
}

void replica_close(struct replica *r)
{
    if (!r)
        return;
    if (r->running) {
        atomic_store(&r->stop, 1);
        pthread_join(r->thread, NULL);
    }
    state_close(r->state);
    free(r->db_path);
    free(r);
}

struct kkc_state *replica_state(const struct replica *r)
{
    return r ? r->state : NULL;
}

int replica_write_unavailable(const struct replica *r, enum kkc_code rc)
{
    struct state_status s;
    if (!r || rc != KKC_EIO)
        return 0;
    state_status(r->state, &s);
    return !s.reachable;
}

static void iso_time(int64_t t, char *buf, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

json_t *replica_health_json(struct replica *r, const struct world *w)
{
    struct state_status s;
    long long applied = w->state_version;
    char when[32] = "";
    if (!r)
        return NULL;
    state_status(r->state, &s);
    if (s.last_ok)
        iso_time(s.last_ok, when, sizeof when);
    return json_pack("{s:s, s:b, s:I, s:o, s:o, s:o, s:o}", "backend", "postgresql",
                     "reachable", s.reachable, "version", (json_int_t)applied, "shared_version",
                     s.shared_version >= 0 ? json_integer(s.shared_version) : json_null(), "lag",
                     s.shared_version >= 0
                         ? json_integer(s.shared_version > applied ? s.shared_version - applied : 0)
                         : json_null(),
                     "last_contact", *when ? json_string(when) : json_null(), "error",
                     !s.reachable && *s.last_error ? json_string(s.last_error) : json_null());
}

void replica_metrics_append(struct replica *r, const struct world *w, char **body)
{
    struct state_status s;
    char *more = NULL, *joined = NULL;
    long long applied = w->state_version;
    if (!r || !*body)
        return;
    state_status(r->state, &s);
    if (asprintf(&more,
                 "# HELP kkc_state_reachable 1 when the shared state (PostgreSQL) answered last.\n"
                 "# TYPE kkc_state_reachable gauge\nkkc_state_reachable %d\n"
                 "# HELP kkc_state_version The shared state version this server serves.\n"
                 "# TYPE kkc_state_version gauge\nkkc_state_version %lld\n"
                 "# HELP kkc_state_shared_version The shared state's version last seen.\n"
                 "# TYPE kkc_state_shared_version gauge\nkkc_state_shared_version %lld\n"
                 "# HELP kkc_state_lag Versions this server is behind the shared state.\n"
                 "# TYPE kkc_state_lag gauge\nkkc_state_lag %lld\n"
                 "# HELP kkc_state_last_contact_seconds Unix time PostgreSQL last answered.\n"
                 "# TYPE kkc_state_last_contact_seconds gauge\n"
                 "kkc_state_last_contact_seconds %lld\n"
                 "# HELP kkc_state_notifications_total Changes pushed (NOTIFY kkc_state).\n"
                 "# TYPE kkc_state_notifications_total counter\n"
                 "kkc_state_notifications_total %lld\n"
                 "# HELP kkc_state_syncs_total Syncs of the mirror, by result.\n"
                 "# TYPE kkc_state_syncs_total counter\n"
                 "kkc_state_syncs_total{result=\"ok\"} %lld\n"
                 "kkc_state_syncs_total{result=\"failed\"} %lld\n",
                 s.reachable, applied, (long long)s.shared_version,
                 s.shared_version > applied ? (long long)s.shared_version - applied : 0LL,
                 (long long)s.last_ok, s.notifications, (long long)atomic_load(&r->syncs),
                 (long long)atomic_load(&r->sync_failures)) < 0)
        return;
    if (asprintf(&joined, "%s%s", *body, more) >= 0) {
        free(*body);
        *body = joined;
    }
    free(more);
}
