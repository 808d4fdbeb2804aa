/* geo/state/state_pg.c -- the PostgreSQL state backend: connections, the schema, the status and
 * the listener (see state.h). */
#include "state/state_int.h"

#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The shared tables. kkc_centres holds every centre an admin write touched, as it is now
 * (deleted = true: gone); the static file's centres are the rest. Each row carries the state
 * version that last wrote it, so a server reads what changed since the version it has. */
static const char schema_sql[] =
    "SELECT pg_advisory_xact_lock(724200020);"
    "CREATE TABLE IF NOT EXISTS kkc_state_meta ("
    "  id int PRIMARY KEY CHECK (id = 1),"
    "  data_version text NOT NULL,"
    "  version bigint NOT NULL DEFAULT 0,"
    "  ident text NOT NULL DEFAULT md5(random()::text || clock_timestamp()::text),"
    "  created timestamptz NOT NULL DEFAULT now());"
    "CREATE TABLE IF NOT EXISTS kkc_centres ("
    "  id text PRIMARY KEY, version bigint NOT NULL, deleted boolean NOT NULL DEFAULT false,"
    "  name text, kind text, lon double precision, lat double precision, address text,"
    "  municipality text, municipality_code text, phone text, email text, www text,"
    "  hours text, source text, status text, turnout_s int, updated_at text);"
    "CREATE INDEX IF NOT EXISTS kkc_centres_version ON kkc_centres (version);"
    "CREATE TABLE IF NOT EXISTS kkc_audit ("
    "  id bigserial PRIMARY KEY, version bigint NOT NULL, at text NOT NULL,"
    "  action text NOT NULL, centre_id text NOT NULL, before text, after text);"
    "CREATE INDEX IF NOT EXISTS kkc_audit_version ON kkc_audit (version);"
    "CREATE SEQUENCE IF NOT EXISTS kkc_closure_ids;"
    "CREATE TABLE IF NOT EXISTS kkc_closures ("
    "  id bigint PRIMARY KEY, factor double precision NOT NULL, direction int NOT NULL,"
    "  ways text NOT NULL, wkt text, reason text NOT NULL, source text NOT NULL,"
    "  valid_from bigint NOT NULL, valid_until bigint NOT NULL, created bigint NOT NULL,"
    "  changed bigint NOT NULL);"
    "CREATE TABLE IF NOT EXISTS kkc_closure_changes ("
    "  version bigint PRIMARY KEY, at bigint NOT NULL, action text NOT NULL,"
    "  closure_id bigint NOT NULL, factor double precision NOT NULL, direction int NOT NULL,"
    "  ways text NOT NULL, wkt text, reason text NOT NULL, source text NOT NULL,"
    "  valid_from bigint NOT NULL, valid_until bigint NOT NULL);";

void state_note(struct kkc_state *s, int64_t shared, int64_t local)
{
    pthread_mutex_lock(&s->mu);
    s->st.reachable = 1;
    s->st.last_ok = (int64_t)time(NULL);
    if (shared >= 0 && shared > s->st.shared_version)
        s->st.shared_version = shared;
    if (local >= 0)
        s->st.local_version = local;
    pthread_mutex_unlock(&s->mu);
}

static enum kkc_code unreachable(struct kkc_state *s, const char *why, struct kkc_err *err)
{
    char msg[200];
    snprintf(msg, sizeof msg, "%s", why && *why ? why : "connection lost");
    msg[strcspn(msg, "\n")] = '\0';
    pthread_mutex_lock(&s->mu);
    s->st.reachable = 0;
    snprintf(s->st.last_error, sizeof s->st.last_error, "%s", msg);
    pthread_mutex_unlock(&s->mu);
    return kkc_err_set(err, KKC_EIO, "the shared state (PostgreSQL) cannot be reached: %s", msg);
}

enum kkc_code state_pg_fail(struct kkc_state *s, PGconn *c, const PGresult *r, const char *what,
                            struct kkc_err *err)
{
    const char *m = r ? PQresultErrorMessage(r) : PQerrorMessage(c);
    if (!c || PQstatus(c) != CONNECTION_OK)
        return unreachable(s, PQerrorMessage(c), err);
    kkc_err_set(err, KKC_EDB, "%s: %s", what, m && *m ? m : "PostgreSQL failed");
    if (err)
        err->msg[strcspn(err->msg, "\n")] = '\0';
    return KKC_EDB;
}

enum kkc_code state_pg_query(struct kkc_state *s, PGconn *c, const char *sql, int n,
                             const char *const *params, PGresult **out, struct kkc_err *err)
{
    PGresult *r = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType t = PQresultStatus(r);
    if (out)
        *out = NULL;
    if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK) {
        enum kkc_code rc = state_pg_fail(s, c, r, "PostgreSQL", err);
        PQclear(r);
        return rc;
    }
    if (out)
        *out = r;
    else
        PQclear(r);
    return KKC_OK;
}

enum kkc_code state_pg_exec(struct kkc_state *s, PGconn *c, const char *sql, struct kkc_err *err)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType t = PQresultStatus(r);
    enum kkc_code rc = KKC_OK;
    if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK)
        rc = state_pg_fail(s, c, r, "PostgreSQL", err);
    PQclear(r);
    return rc;
}

enum kkc_code state_pg_version(struct kkc_state *s, PGconn *c, int lock, int64_t *v,
                               struct kkc_err *err)
{
    PGresult *r = NULL;
    enum kkc_code rc = state_pg_query(
        s, c, lock ? "SELECT version FROM kkc_state_meta WHERE id = 1 FOR UPDATE"
                   : "SELECT version FROM kkc_state_meta WHERE id = 1", 0, NULL, &r, err);
    if (!rc && PQntuples(r) != 1)
        rc = kkc_err_set(err, KKC_EDB, "the shared state has no kkc_state_meta row");
    if (!rc)
        *v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    if (!rc)
        state_note(s, *v, -1);
    return rc;
}

static void quiet(void *ud, const char *message)
{
    (void)ud, (void)message;
}

static PGconn *connect_to(struct kkc_state *s, struct kkc_err *err)
{
    /* a lost host is found out in seconds, not at the kernel's TCP timeout */
    const char *const keys[] = {"dbname", "connect_timeout", "application_name",
                                "keepalives_idle", "keepalives_interval", "keepalives_count",
                                "tcp_user_timeout", NULL};
    const char *const vals[] = {s->url, "3", "kkc", "5", "2", "2", "10000", NULL};
    PGconn *c = PQconnectdbParams(keys, vals, 1);
    if (!c || PQstatus(c) != CONNECTION_OK) {
        unreachable(s, c ? PQerrorMessage(c) : "out of memory", err);
        PQfinish(c);
        return NULL;
    }
    PQsetNoticeProcessor(c, quiet, NULL); /* a library prints nothing */
    PQclear(PQexec(c, "SET client_min_messages = warning; SET statement_timeout = '10s'"));
    return c;
}

/* Create the tables when missing and check the data version the state was written for. */
static enum kkc_code ensure_schema(struct kkc_state *s, PGconn *c, struct kkc_err *err)
{
    const char *p[1] = {s->data_version};
    PGresult *r = NULL;
    enum kkc_code rc = state_pg_exec(s, c, "BEGIN", err);
    if (!rc)
        rc = state_pg_exec(s, c, schema_sql, err);
    if (!rc)
        rc = state_pg_query(s, c, "INSERT INTO kkc_state_meta (id, data_version) VALUES (1, $1) "
                            "ON CONFLICT (id) DO NOTHING", 1, p, NULL, err);
    if (!rc)
        rc = state_pg_exec(s, c, "COMMIT", err);
    else
        PQclear(PQexec(c, "ROLLBACK"));
    if (!rc)
        rc = state_pg_query(s, c, "SELECT data_version, ident, version FROM kkc_state_meta", 0,
                            NULL, &r, err);
    if (!rc && strcmp(PQgetvalue(r, 0, 0), s->data_version) != 0)
        rc = kkc_err_set(err, KKC_ECONFLICT, "the shared state was written for data version %s; "
                         "this server's database has data version %s: serve the same data, or "
                         "another state database", PQgetvalue(r, 0, 0), s->data_version);
    if (!rc) {
        snprintf(s->ident, sizeof s->ident, "%s", PQgetvalue(r, 0, 1));
        state_note(s, strtoll(PQgetvalue(r, 0, 2), NULL, 10), -1);
    }
    PQclear(r);
    return rc;
}

PGconn *state_conn(struct kkc_state *s, struct kkc_err *err)
{
    if (s->conn && PQstatus(s->conn) == CONNECTION_OK &&
        PQtransactionStatus(s->conn) == PQTRANS_IDLE)
        return s->conn;
    PQfinish(s->conn);
    s->conn = connect_to(s, err);
    if (s->conn && ensure_schema(s, s->conn, err)) {
        PQfinish(s->conn);
        s->conn = NULL;
    }
    return s->conn;
}

PGconn *state_begin(struct kkc_state *s, const char *begin, struct kkc_err *err)
{
    for (int attempt = 0; attempt < 2; attempt++) { /* a connection the server dropped while
                                                       idle is found out here: once more */
        PGconn *c = state_conn(s, err);
        if (!c)
            return NULL;
        if (state_pg_exec(s, c, begin, err) == KKC_OK)
            return c;
        if (PQstatus(c) == CONNECTION_OK)
            return NULL;
    }
    return NULL;
}

enum kkc_code state_open(const char *url, const char *data_version, int must_reach,
                         struct kkc_state **out, struct kkc_err *err)
{
    struct kkc_state *s;
    struct kkc_err e = {0};
    char *why = NULL;
    PQconninfoOption *opts = PQconninfoParse(url, &why);
    *out = NULL;
    PQconninfoFree(opts);
    if (!opts) { /* a typo is told at once, not taken for an unreachable server */
        kkc_err_set(err, KKC_EINVAL, "the state URL is not a PostgreSQL connection string: %s",
                    why ? why : "out of memory");
        PQfreemem(why);
        if (err)
            err->msg[strcspn(err->msg, "\n")] = '\0';
        return KKC_EINVAL;
    }
    if (!(s = calloc(1, sizeof *s)) || !(s->url = strdup(url))) {
        free(s);
        return kkc_err_set(err, KKC_ENOMEM, "out of memory");
    }
    snprintf(s->data_version, sizeof s->data_version, "%s", data_version);
    pthread_mutex_init(&s->mu, NULL);
    s->st.shared_version = s->st.local_version = -1;
    if (!state_conn(s, &e) && (must_reach || e.code != KKC_EIO)) {
        if (err)
            *err = e;
        state_close(s);
        return e.code ? e.code : KKC_EIO;
    }
    *out = s;
    return KKC_OK;
}

void state_close(struct kkc_state *s)
{
    if (!s)
        return;
    PQfinish(s->conn);
    PQfinish(s->listen);
    pthread_mutex_destroy(&s->mu);
    free(s->url);
    free(s);
}

void state_status(struct kkc_state *s, struct state_status *out)
{
    pthread_mutex_lock(&s->mu);
    *out = s->st;
    pthread_mutex_unlock(&s->mu);
}

/* The listen connection, with LISTEN issued; NULL when it cannot be reached. *fresh = 1 when
 * it was (re)connected now. */
static PGconn *listen_conn(struct kkc_state *s, int *fresh, struct kkc_err *err)
{
    *fresh = 0;
    if (s->listen && PQstatus(s->listen) == CONNECTION_OK)
        return s->listen;
    PQfinish(s->listen);
    if (!(s->listen = connect_to(s, err)))
        return NULL;
    if (state_pg_exec(s, s->listen, "LISTEN " STATE_CHANNEL, err)) {
        PQfinish(s->listen);
        return s->listen = NULL;
    }
    *fresh = 1;
    return s->listen;
}

int state_listen_wait(struct kkc_state *s, int timeout_ms, struct kkc_err *err)
{
    int fresh, got = 0;
    PGconn *c = listen_conn(s, &fresh, err);
    PGnotify *n;
    if (!c)
        return -1;
    if (fresh)
        return 1;
    struct pollfd p = {.fd = PQsocket(c), .events = POLLIN};
    if (poll(&p, 1, timeout_ms) < 0)
        return 0;
    if (!PQconsumeInput(c)) {
        unreachable(s, PQerrorMessage(c), err);
        return -1;
    }
    while ((n = PQnotifies(c))) {
        state_note(s, strtoll(n->extra, NULL, 10), -1);
        pthread_mutex_lock(&s->mu);
        s->st.notifications++;
        pthread_mutex_unlock(&s->mu);
        PQfreemem(n);
        got = 1;
    }
    if (PQstatus(c) != CONNECTION_OK) {
        unreachable(s, PQerrorMessage(c), err);
        return -1;
    }
    return got;
}
