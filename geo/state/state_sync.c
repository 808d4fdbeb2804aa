/* geo/state/state_sync.c -- mirroring the shared state into a server's SpatiaLite file (see
 * state.h): the centres and audit rows written since the file's state version, the closures
 * (all of them: they are few) and their change log. One SQLite transaction: the file holds one
 * version of the shared state or the one before, never a mix. */
#include "state/state_int.h"

#include "base/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a sync copies: the PostgreSQL query (?1 = the file's version) and the SQLite statement
 * that takes one of its rows (?1..?n = its columns, as text or NULL). */
static const struct copy {
    const char *pg, *lite;
    int all_closures; /* run only when the closures changed */
} copies[] = {
    {"SELECT id FROM kkc_centres WHERE version > $1", "DELETE FROM centres WHERE id = ?1", 0},
    {"SELECT id, name, kind, address, municipality, municipality_code, phone, email, www, hours, "
     "source, status, turnout_s, updated_at, lon, lat FROM kkc_centres WHERE version > $1 AND "
     "NOT deleted ORDER BY id",
     "INSERT INTO centres (id, name, kind, address, municipality, municipality_code, phone, "
     "email, www, hours, source, status, turnout_s, updated_at, geom) VALUES (?1, ?2, ?3, ?4, "
     "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, CAST(?13 AS INTEGER), ?14, "
     "MakePoint(CAST(?15 AS REAL), CAST(?16 AS REAL), 4326))", 0},
    {"SELECT at, action, centre_id, before, after FROM kkc_audit WHERE version > $1 ORDER BY id",
     "INSERT INTO audit (at, action, centre_id, before, after) VALUES (?1, ?2, ?3, ?4, ?5)", 0},
    {"SELECT 1 WHERE $1::bigint IS NOT NULL", "DELETE FROM closures", 1},
    {"SELECT id, factor, direction, ways, wkt, reason, source, valid_from, valid_until, created, "
     "changed FROM kkc_closures WHERE $1::bigint IS NOT NULL ORDER BY id",
     "INSERT INTO closures (id, factor, direction, ways, wkt, reason, source, valid_from, "
     "valid_until, created, changed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)", 1},
    {"SELECT version, at, action, closure_id, factor, direction, ways, wkt, reason, source, "
     "valid_from, valid_until FROM kkc_closure_changes WHERE version > $1 ORDER BY version",
     "INSERT INTO closure_changes (version, at, action, closure_id, factor, direction, ways, "
     "wkt, reason, source, valid_from, valid_until) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
     "?9, ?10, ?11, ?12)", 0},
};
#define NCOPIES (sizeof copies / sizeof copies[0])

/* Every row of r through the statement sql. */
static enum kkc_code copy_rows(struct store *st, const PGresult *r, const char *sql,
                               struct kkc_err *err)
{
    sqlite3_stmt *s = NULL;
    enum kkc_code rc = store_prepare(st, sql, &s, err);
    for (int i = 0; !rc && i < PQntuples(r); i++) {
        for (int j = 0; j < PQnfields(r); j++)
            if (PQgetisnull(r, i, j))
                sqlite3_bind_null(s, j + 1);
            else
                sqlite3_bind_text(s, j + 1, PQgetvalue(r, i, j), -1, SQLITE_STATIC);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = store_fail(st, "mirror the shared state", err);
        sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    return rc;
}

/* The file's state version and identity (0 and "" when it never mirrored one). */
static void local_version(struct store *st, int64_t *v, char *ident, size_t cap)
{
    char buf[32];
    *v = 0;
    if (store_meta_get(st, "state_ident", ident, cap, NULL) != KKC_OK)
        *ident = '\0';
    else if (store_meta_get(st, "state_version", buf, sizeof buf, NULL) == KKC_OK)
        *v = strtoll(buf, NULL, 10);
}

/* Write the fetched results into the file and record the version, in one transaction. */
static enum kkc_code write_mirror(struct kkc_state *s, struct store *st, PGresult **res,
                                  int closures, int first, int64_t v, struct kkc_err *err)
{
    char buf[32];
    enum kkc_code rc = closures_store_ensure(st, err);
    if (!rc)
        rc = store_exec(st, "BEGIN IMMEDIATE", err);
    if (!rc && first) /* the file's own change log gives way to the shared one */
        rc = store_exec(st, "DELETE FROM closure_changes", err);
    for (size_t i = 0; !rc && i < NCOPIES; i++)
        if (res[i] && (!copies[i].all_closures || closures))
            rc = copy_rows(st, res[i], copies[i].lite, err);
    snprintf(buf, sizeof buf, "%" PRId64, v);
    if (!rc)
        rc = store_meta_set(st, "state_version", buf, err);
    if (!rc)
        rc = store_meta_set(st, "state_ident", s->ident, err);
    if (!rc)
        rc = store_exec(st, "COMMIT", err);
    if (rc)
        store_exec(st, "ROLLBACK", NULL);
    else
        store_exec(st, "PRAGMA wal_checkpoint(TRUNCATE)", NULL);
    return rc;
}

int state_mirrors(struct store *st, struct kkc_err *err)
{
    char ident[64];
    if (store_meta_get(st, "state_ident", ident, sizeof ident, NULL) != KKC_OK)
        return 0;
    kkc_err_set(err, KKC_ECONFLICT, "this database mirrors a shared state (kkc serve --state); "
                "write closures through a server's API, not into its file");
    return 1;
}

enum kkc_code state_sync_in(struct kkc_state *s, PGconn *c, struct store *st, int *changed,
                            struct kkc_err *err)
{
    PGresult *res[NCOPIES] = {0};
    char ident[64], lv[32];
    int64_t have, v = 0;
    const char *p[1] = {lv};
    enum kkc_code rc;

    *changed = 0;
    local_version(st, &have, ident, sizeof ident);
    if (*ident && strcmp(ident, s->ident) != 0)
        return kkc_err_set(err, KKC_ECONFLICT, "this database file mirrors another shared state "
                           "(%s, not %s): serve a fresh copy of the imported database", ident,
                           s->ident);
    rc = state_pg_version(s, c, 0, &v, err);
    if (!rc && *ident && have > v)
        rc = kkc_err_set(err, KKC_ECONFLICT, "this database file mirrors state version %" PRId64
                         " but the shared state is at %" PRId64 ": was it reset?", have, v);
    if (rc || (*ident && have == v)) {
        if (!rc)
            state_note(s, v, have);
        return rc;
    }
    snprintf(lv, sizeof lv, "%" PRId64, have);
    for (size_t i = 0; !rc && i < NCOPIES; i++)
        rc = state_pg_query(s, c, copies[i].pg, 1, p, &res[i], err);
    if (!rc) /* the closures are copied whole when their log moved (or on the first sync) */
        rc = write_mirror(s, st, res, !*ident || PQntuples(res[NCOPIES - 1]) > 0, !*ident, v, err);
    for (size_t i = 0; i < NCOPIES; i++)
        PQclear(res[i]);
    if (!rc) {
        *changed = 1;
        state_note(s, v, v);
    }
    return rc;
}

enum kkc_code state_sync(struct kkc_state *s, struct store *st, int *changed,
                         struct kkc_err *err)
{
    PGconn *c = state_begin(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err);
    enum kkc_code rc;
    *changed = 0;
    if (!c)
        return err && err->code ? err->code : KKC_EIO;
    rc = state_sync_in(s, c, st, changed, err);
    if (!rc)
        rc = state_pg_exec(s, c, "COMMIT", err);
    else if (PQstatus(c) == CONNECTION_OK)
        PQclear(PQexec(c, "ROLLBACK"));
    return rc;
}
