/* service/replica.h -- a server over shared live state (kkc serve --state postgresql://...).
 *
 * Opens the PostgreSQL state backend (geo/state/state.h), mirrors the shared state into the
 * server's database file before the world is loaded (a restarted server has caught up before it
 * answers, and so before a load balancer's health check passes), and runs one listener thread:
 * on each NOTIFY, on every reconnection and at least every REPLICA_POLL_S seconds it syncs the
 * mirror and, when it changed, rebuilds the world aside and swaps it in (the same path as a
 * local write). Without --state there is no replica and nothing here runs (NULL everywhere). */
#ifndef KKC_REPLICA_H
#define KKC_REPLICA_H

#include "base/err.h"

struct kkc_state;
struct world;
struct world_holder;
struct json_t;

#define REPLICA_POLL_S 5

struct replica;

/* Connect (an unreachable PostgreSQL is tolerated: the file's mirror is served and the
 * listener keeps trying), check the data version of db_path against the shared state and sync
 * db_path. KKC_ECONFLICT / KKC_EDB refuse to start. */
enum kkc_code replica_open(const char *url, const char *db_path, struct replica **out,
                           struct kkc_err *err);
/* Start the listener thread over worlds (serialised with admin writes by worlds->write_mu). */
enum kkc_code replica_start(struct replica *r, struct world_holder *worlds, struct kkc_err *err);
/* Stop the thread and close; NULL is a no-op. */
void replica_close(struct replica *r);

/* The backend handle for the writes; NULL for NULL (the embedded backend). */
struct kkc_state *replica_state(const struct replica *r);
/* A write through the backend failed with rc: 1 when because the shared state cannot be
 * reached (the answer is then 503), else 0. */
int replica_write_unavailable(const struct replica *r, enum kkc_code rc);
/* The "state" object of /v1/health for the world w being served (NULL for NULL). */
struct json_t *replica_health_json(struct replica *r, const struct world *w);
/* Prometheus lines of the state appended to *body (malloc'd text); nothing for NULL. */
void replica_metrics_append(struct replica *r, const struct world *w, char **body);

#endif
