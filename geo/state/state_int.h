/* geo/state/state_int.h -- what the state files share (not for callers: see state.h). */
#ifndef KKC_STATE_INT_H
#define KKC_STATE_INT_H

#include "state/state.h"

#include <libpq-fe.h>
#include <pthread.h>

struct kkc_state {
    char *url;
    char data_version[64];
    char ident[64];        /* the shared state's identity (kkc_state_meta.ident) */
    PGconn *conn;          /* writes and syncs (under the caller's write lock) */
    PGconn *listen;        /* the listener thread's */
    pthread_mutex_t mu;    /* guards the status fields below */
    struct state_status st;
};

/* The write connection, connected (and the schema checked) when it was not; NULL with
 * KKC_EIO in err (and the status unreachable) when PostgreSQL cannot be reached. */
PGconn *state_conn(struct kkc_state *s, struct kkc_err *err);
/* The write connection with the transaction begin (BEGIN ...) opened on it, reconnecting once
 * when the connection turns out dead; NULL with err set otherwise. */
PGconn *state_begin(struct kkc_state *s, const char *begin, struct kkc_err *err);
/* After a failed statement on c: KKC_EIO (unreachable, the status says so) when the
 * connection is gone, else KKC_EDB with PostgreSQL's message; what names the step. */
enum kkc_code state_pg_fail(struct kkc_state *s, PGconn *c, const PGresult *r, const char *what,
                            struct kkc_err *err);
/* Run sql (no parameters) on c expecting no rows or rows (ok = PGRES_COMMAND_OK/TUPLES_OK). */
enum kkc_code state_pg_exec(struct kkc_state *s, PGconn *c, const char *sql, struct kkc_err *err);
/* Run sql with n text parameters (NULL = SQL NULL); *out (when not NULL) gets the result. */
enum kkc_code state_pg_query(struct kkc_state *s, PGconn *c, const char *sql, int n,
                             const char *const *params, PGresult **out, struct kkc_err *err);
/* The shared version (kkc_state_meta.version), FOR UPDATE when lock (in a transaction). */
enum kkc_code state_pg_version(struct kkc_state *s, PGconn *c, int lock, int64_t *v,
                               struct kkc_err *err);
/* Record what was seen in the status (under mu): shared (>= 0), local (>= 0). */
void state_note(struct kkc_state *s, int64_t shared, int64_t local);
/* Sync inside the write transaction already open on c (the write lock held). */
enum kkc_code state_sync_in(struct kkc_state *s, PGconn *c, struct store *st, int *changed,
                            struct kkc_err *err);

#endif
