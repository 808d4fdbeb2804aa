/* geo/state/state.h -- where the mutable state lives: the backend interface of the admin writes.
 *
 * The mutable state is the centres' admin edits (status, fields, created and deleted centres),
 * the road closures, and their audit (the audit table, the closure change log). Two backends:
 *
 *  - the embedded one (a NULL struct kkc_state): the state lives in the server's own SpatiaLite
 *    file, written by centres_write() and closures_write() as always;
 *  - PostgreSQL (state_open with a postgresql:// URL): the state lives in tables kkc_* of that
 *    database, shared by every server. A write validates exactly as the embedded one does
 *    (centres_check(), closure_validate(), against the server's own static data), is written
 *    to PostgreSQL in one transaction with its audit, a new state version and a NOTIFY on
 *    channel kkc_state, and is then mirrored into the server's SpatiaLite file (state_sync), from
 *    which the world is built as before. The file is a cache of the shared state: a server
 *    that loses PostgreSQL keeps answering with what it has mirrored, and one that restarts
 *    mirrors the changes since the version its file records (meta state_version).
 *
 * The state version is one number for the whole shared state, increased by every change (one
 * per centre write, one per closure in a closure write). The shared state records the static
 * data's data_version it was written for; a server whose file has another refuses it.
 *
 * A struct kkc_state has two connections: one for writes and syncs (the caller serialises
 * them: every call but the listen ones below, under the server's write lock) and one for
 * LISTEN, used by one thread only (state_listen_*). state_status() may be called from any
 * thread. */
#ifndef KKC_STATE_H
#define KKC_STATE_H

#include "base/err.h"
#include "centres/centres_write.h"
#include "closures/closures.h"

#include <stdint.h>

struct store;
struct kkc_state;

#define STATE_CHANNEL "kkc_state"

/* Connect to url (postgresql://... or a libpq key=value string), create the kkc_* tables on
 * first use (recording data_version), and check that the shared state was written for
 * data_version (KKC_ECONFLICT when not). When the database cannot be reached, *out is still
 * made (KKC_OK; state_status says unreachable) and each later call tries again, unless
 * must_reach (KKC_EIO then). */
enum kkc_code state_open(const char *url, const char *data_version, int must_reach,
                         struct kkc_state **out, struct kkc_err *err);
void state_close(struct kkc_state *s); /* NULL is a no-op */

struct state_status {
    int reachable;          /* the last operation reached PostgreSQL */
    int64_t shared_version; /* the shared state's version, last seen (-1: never seen) */
    int64_t local_version;  /* the version mirrored into the file, last synced (-1: unknown) */
    int64_t last_ok;        /* Unix time PostgreSQL last answered; 0 = never */
    char last_error[256];   /* why it was last unreachable; "" when never */
    long long notifications; /* NOTIFYs received on STATE_CHANNEL by the listener */
};
void state_status(struct kkc_state *s, struct state_status *out);

/* Bring the mirror in the writable file st up to the shared state: the centres changed since
 * its state version, their audit rows, the closures and their change log. *changed = 1 when
 * anything was written (the world must then be rebuilt). KKC_EIO when PostgreSQL cannot be
 * reached; KKC_ECONFLICT when the file mirrors another shared state. */
enum kkc_code state_sync(struct kkc_state *s, struct store *st, int *changed,
                         struct kkc_err *err);

/* 1 when the file st mirrors a shared state (a server with --state synced it): its centre edits
 * and closures are written through the shared state only (err says so), else 0. */
int state_mirrors(struct store *st, struct kkc_err *err);

/* The backend interface of the writes. s NULL: centres_write() / closures_write() on st.
 * Otherwise the write goes to PostgreSQL as described above and st (writable) is synced after
 * it; the codes are those of the embedded writes, plus KKC_EIO when PostgreSQL cannot be
 * reached (state_status then says unreachable: nothing was written). */
enum kkc_code state_centres_write(struct kkc_state *s, struct store *st, enum centres_action a,
                                  const struct centre_rec *c, int moved, struct kkc_err *err);
enum kkc_code state_closures_write(struct kkc_state *s, struct store *st, enum closures_op op,
                                   struct closure *cs, size_t n, int64_t now, int64_t *version,
                                   struct kkc_err *err);

/* ---- the listener (one thread) ------------------------------------------------------------- */

/* Wait up to timeout_ms for a notification on STATE_CHANNEL (connecting and LISTENing first
 * when needed). 1: a change may be there (a notification, or a new connection: the caller
 * syncs), 0: nothing, -1: PostgreSQL cannot be reached (err says why; the caller waits and
 * calls again). The shared version seen is in state_status(). */
int state_listen_wait(struct kkc_state *s, int timeout_ms, struct kkc_err *err);

#endif
