/* geo/state/state_write.c -- the writes through the state backends (see state.h): the embedded
 * one as it always was, the PostgreSQL one validated by the same checks against the server's
 * own static data. */
#include "state/state_int.h"

#include "base/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A write's own part, inside the PostgreSQL transaction: the shared state is at version v
 * (locked) and mirrored into st; *nv gets the version after the write. */
typedef enum kkc_code (*write_fn)(struct kkc_state *s, PGconn *c, struct store *st, int64_t v,
                                  int64_t *nv, void *ud, struct kkc_err *err);

/* Run fn in one transaction with the version bump and its NOTIFY, then mirror the result. */
static enum kkc_code in_write_txn(struct kkc_state *s, struct store *st, write_fn fn, void *ud,
                                  int64_t *version, struct kkc_err *err)
{
    PGconn *c = state_begin(s, "BEGIN", err);
    int64_t v = 0, nv = 0;
    int changed;
    char buf[32];
    const char *p[1] = {buf};
    enum kkc_code rc;

    if (!c)
        return err && err->code ? err->code : KKC_EIO;
    rc = state_pg_version(s, c, 1, &v, err); /* writers of every server queue here */
    if (!rc)
        rc = state_sync_in(s, c, st, &changed, err); /* check against the latest state */
    if (!rc)
        rc = fn(s, c, st, v, &nv, ud, err);
    snprintf(buf, sizeof buf, "%" PRId64, nv);
    if (!rc)
        rc = state_pg_query(s, c, "UPDATE kkc_state_meta SET version = $1 WHERE id = 1", 1, p,
                            NULL, err);
    if (!rc) /* delivered to the listeners when, and only if, the transaction commits */
        rc = state_pg_query(s, c, "SELECT pg_notify('" STATE_CHANNEL "', $1)", 1, p, NULL, err);
    if (!rc)
        rc = state_pg_exec(s, c, "COMMIT", err);
    else if (PQstatus(c) == CONNECTION_OK)
        PQclear(PQexec(c, "ROLLBACK"));
    if (rc)
        return rc;
    if (version)
        *version = nv;
    if (state_sync(s, st, &changed, err) != KKC_OK) {
        char msg[KKC_ERR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", err ? err->msg : "");
        return kkc_err_set(err, KKC_EINTERNAL, "stored in the shared state (version %" PRId64
                           ") but not yet mirrored here: %s", nv, msg);
    }
    return KKC_OK;
}

/* ---- centres ---------------------------------------------------------------------------------- */

struct centre_write {
    enum centres_action a;
    const struct centre_rec *c;
    int moved;
};

/* The audit snapshot of r (as centres_write() writes it: keys sorted) into *out (malloc'd). */
static enum kkc_code snapshot(struct store *st, const struct centre_rec *r, const char *upd,
                              char **out, struct kkc_err *err)
{
    static const char sql[] =
        "SELECT json_object('address', ?1, 'email', ?2, 'hours', ?3, 'id', ?4, 'kind', ?5, "
        "'lat', round(?6, 7), 'lon', round(?7, 7), 'municipality', ?8, 'municipality_code', ?9, "
        "'name', ?10, 'phone', ?11, 'source', ?12, 'status', ?13, 'turnout_s', ?14, "
        "'updated_at', ?15)";
    const char *t[] = {r->address, r->email, r->hours, r->id, r->kind};
    const char *u[] = {r->municipality, r->municipality_code, r->name, r->phone, r->source,
                       r->status ? r->status : "active"};
    sqlite3_stmt *s = NULL;
    enum kkc_code rc = store_prepare(st, sql, &s, err);
    if (rc)
        return rc;
    for (int i = 0; i < 5; i++)
        sqlite3_bind_text(s, i + 1, t[i], -1, SQLITE_STATIC);
    sqlite3_bind_double(s, 6, r->lat);
    sqlite3_bind_double(s, 7, r->lon);
    for (int i = 0; i < 6; i++)
        sqlite3_bind_text(s, i + 8, u[i], -1, SQLITE_STATIC);
    if (r->turnout_s > 0)
        sqlite3_bind_int(s, 14, r->turnout_s);
    sqlite3_bind_text(s, 15, upd, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_ROW || !(*out = strdup((const char *)sqlite3_column_text(s, 0))))
        rc = store_fail(st, "audit snapshot", err);
    sqlite3_finalize(s);
    return rc;
}

/* Upsert r into kkc_centres at version v (deleted: the centre is gone). */
static enum kkc_code put_centre(struct kkc_state *s, PGconn *c, const struct centre_rec *r,
                                int deleted, const char *upd, int64_t v, struct kkc_err *err)
{
    char ver[32], lon[32], lat[32], turnout[16];
    snprintf(ver, sizeof ver, "%" PRId64, v);
    snprintf(lon, sizeof lon, "%.17g", r->lon);
    snprintf(lat, sizeof lat, "%.17g", r->lat);
    snprintf(turnout, sizeof turnout, "%d", r->turnout_s);
    const char *p[18] = {r->id, ver, deleted ? "t" : "f", r->name, r->kind, lon, lat,
                         r->address, r->municipality, r->municipality_code, r->phone, r->email,
                         r->www, r->hours, r->source, r->status ? r->status : "active",
                         r->turnout_s > 0 ? turnout : NULL, upd};
    return state_pg_query(
        s, c, "INSERT INTO kkc_centres (id, version, deleted, name, kind, lon, lat, address, "
              "municipality, municipality_code, phone, email, www, hours, source, status, "
              "turnout_s, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
              "$13, $14, $15, $16, $17, $18) ON CONFLICT (id) DO UPDATE SET version = "
              "EXCLUDED.version, deleted = EXCLUDED.deleted, name = EXCLUDED.name, kind = "
              "EXCLUDED.kind, lon = EXCLUDED.lon, lat = EXCLUDED.lat, address = EXCLUDED.address, "
              "municipality = EXCLUDED.municipality, municipality_code = "
              "EXCLUDED.municipality_code, phone = EXCLUDED.phone, email = EXCLUDED.email, www = "
              "EXCLUDED.www, hours = EXCLUDED.hours, source = EXCLUDED.source, status = "
              "EXCLUDED.status, turnout_s = EXCLUDED.turnout_s, updated_at = EXCLUDED.updated_at",
        18, p, NULL, err);
}

static void utc_now(char *buf, size_t cap, int ms)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, cap - n, ms ? ".%03ldZ" : "Z", ts.tv_nsec / 1000000);
}

/* The row as the write makes it from the request w and the stored row old (found or not). */
static enum kkc_code new_row(const struct centre_write *w, const struct centre_rec *old,
                             int found, struct centre_rec *r, struct kkc_err *err)
{
    *r = *w->c;
    if (w->a == CENTRES_CREATE && found)
        return kkc_err_set(err, KKC_ECONFLICT, "a centre with id '%s' exists", w->c->id);
    if (w->a != CENTRES_CREATE && !found)
        return kkc_err_set(err, KKC_ENOTFOUND, "no centre with id '%s'", w->c->id);
    if (w->a == CENTRES_DELETE) {
        *r = *old;
        return KKC_OK;
    }
    if (w->a == CENTRES_CREATE)
        r->source = "admin";
    else if (!r->source)
        r->source = old->source;
    if (w->a == CENTRES_UPDATE && !w->moved)
        r->lon = old->lon, r->lat = old->lat;
    return centres_check(r, err);
}

static enum kkc_code centre_part(struct kkc_state *s, PGconn *c, struct store *st, int64_t v,
                                 int64_t *nv, void *ud, struct kkc_err *err)
{
    static const char *const actions[] = {"create", "update", "delete"};
    const struct centre_write *w = ud;
    struct centre_rec old, r;
    char upd[64], now[40], at[40], ver[32], *before = NULL, *after = NULL;
    int found = centres_row(st, w->c->id, &old, upd, sizeof upd);
    enum kkc_code rc = found < 0 ? store_fail(st, "read centre", err)
                                 : new_row(w, &old, found, &r, err);

    utc_now(now, sizeof now, 0);
    utc_now(at, sizeof at, 1);
    *nv = v + 1;
    if (!rc && found)
        rc = snapshot(st, &old, upd, &before, err);
    if (!rc && w->a != CENTRES_DELETE)
        rc = snapshot(st, &r, now, &after, err);
    if (!rc)
        rc = put_centre(s, c, &r, w->a == CENTRES_DELETE, now, *nv, err);
    snprintf(ver, sizeof ver, "%" PRId64, *nv);
    const char *p[6] = {ver, at, actions[w->a], w->c->id, before, after};
    if (!rc)
        rc = state_pg_query(s, c, "INSERT INTO kkc_audit (version, at, action, centre_id, "
                            "before, after) VALUES ($1, $2, $3, $4, $5, $6)", 6, p, NULL, err);
    free(before);
    free(after);
    centres_rec_free(&old);
    return rc;
}

enum kkc_code state_centres_write(struct kkc_state *s, struct store *st, enum centres_action a,
                                  const struct centre_rec *c, int moved, struct kkc_err *err)
{
    struct centre_write w = {a, c, moved};
    if (!s)
        return centres_write(st, a, c, moved, err);
    return in_write_txn(s, st, centre_part, &w, NULL, err);
}

/* ---- closures --------------------------------------------------------------------------------- */

struct closures_write_req {
    enum closures_op op;
    struct closure *cs;
    size_t n;
    int64_t now;
};

/* "1,2,3" of c's ways (malloc'd), as the embedded store keeps them. */
static char *ways_list(const struct closure *c)
{
    size_t cap = c->nways * 21 + 1, at = 0;
    char *out = malloc(cap);
    for (size_t i = 0; out && i < c->nways; i++)
        at += (size_t)snprintf(out + at, cap - at, "%s%" PRId64, i ? "," : "", c->ways[i]);
    if (out)
        out[at] = '\0';
    return out;
}

/* Write one closure (op) and its change log row at version ver. */
static enum kkc_code closure_one(struct kkc_state *s, PGconn *c, struct store *st,
                                 const struct closures_write_req *q, struct closure *cl,
                                 int64_t ver, struct kkc_err *err)
{
    static const char *const actions[] = {"add", "update", "remove"};
#define RETURNING " RETURNING id, created, factor, direction, ways, wkt, reason, source, " \
                  "valid_from, valid_until"
    static const char *const sql[] = {
        "INSERT INTO kkc_closures (id, factor, direction, ways, wkt, reason, source, valid_from, "
        "valid_until, created, changed) VALUES (coalesce(nullif($1::bigint, 0), "
        "nextval('kkc_closure_ids')), $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)" RETURNING,
        "UPDATE kkc_closures SET factor = $2, direction = $3, ways = $4, wkt = $5, reason = $6, "
        "source = $7, valid_from = $8, valid_until = $9, changed = $10 WHERE id = $1" RETURNING,
        "DELETE FROM kkc_closures WHERE id = $1" RETURNING};
#undef RETURNING
    char id[32], factor[40], dir[8], from[32], until[32], now[32], v[32], *ways = NULL;
    PGresult *r = NULL;
    enum kkc_code rc = q->op == CLOSURES_REMOVE ? KKC_OK : closure_validate(st, cl, err);

    if (!rc && q->op != CLOSURES_REMOVE && !(ways = ways_list(cl)))
        rc = kkc_err_set(err, KKC_ENOMEM, "out of memory");
    snprintf(id, sizeof id, "%" PRId64, cl->id);
    snprintf(factor, sizeof factor, "%.17g", cl->factor);
    snprintf(dir, sizeof dir, "%d", cl->dir);
    snprintf(from, sizeof from, "%" PRId64, cl->valid_from);
    snprintf(until, sizeof until, "%" PRId64, cl->valid_until);
    snprintf(now, sizeof now, "%" PRId64, q->now);
    snprintf(v, sizeof v, "%" PRId64, ver);
    const char *p[10] = {id, factor, dir, ways, cl->wkt, cl->reason,
                         cl->source ? cl->source : "admin", from, until, now};
    if (!rc)
        rc = state_pg_query(s, c, sql[q->op], q->op == CLOSURES_REMOVE ? 1 : 10, p, &r, err);
    free(ways);
    if (!rc && PQntuples(r) != 1)
        rc = kkc_err_set(err, KKC_ENOTFOUND, "no closure with id %" PRId64, cl->id);
    if (!rc) {
        const char *l[12] = {v, now, actions[q->op], PQgetvalue(r, 0, 0)};
        for (int i = 2; i < 10; i++)
            l[i + 2] = PQgetisnull(r, 0, i) ? NULL : PQgetvalue(r, 0, i);
        cl->id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        cl->created = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
        cl->changed = q->now;
        rc = state_pg_query(s, c, "INSERT INTO kkc_closure_changes (version, at, action, "
                            "closure_id, factor, direction, ways, wkt, reason, source, "
                            "valid_from, valid_until) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
                            "$9, $10, $11, $12)", 12, l, NULL, err);
    }
    PQclear(r);
    return rc;
}

static enum kkc_code closures_part(struct kkc_state *s, PGconn *c, struct store *st, int64_t v,
                                   int64_t *nv, void *ud, struct kkc_err *err)
{
    const struct closures_write_req *q = ud;
    enum kkc_code rc = KKC_OK;
    for (size_t i = 0; !rc && i < q->n; i++) {
        rc = closure_one(s, c, st, q, &q->cs[i], v + (int64_t)i + 1, err);
        if (rc && rc != KKC_EIO && q->n > 1 && err) {
            char msg[KKC_ERR_MSG_MAX];
            snprintf(msg, sizeof msg, "%s", err->msg);
            kkc_err_set(err, rc, "closure %zu of %zu: %s", i + 1, q->n, msg);
        }
    }
    *nv = v + (int64_t)q->n;
    return rc;
}

enum kkc_code state_closures_write(struct kkc_state *s, struct store *st, enum closures_op op,
                                   struct closure *cs, size_t n, int64_t now, int64_t *version,
                                   struct kkc_err *err)
{
    struct closures_write_req q = {op, cs, n, now};
    enum kkc_code rc;
    if (!s)
        return closures_write(st, op, cs, n, now, version, err);
    if (n == 0)
        return kkc_err_set(err, KKC_EINVAL, "no closures to write");
    if (n > CLOSURES_WRITE_MAX)
        return kkc_err_set(err, KKC_ETOOBIG, "%zu closures in one write; at most %d", n,
                           CLOSURES_WRITE_MAX);
    rc = in_write_txn(s, st, closures_part, &q, version, err);
    for (size_t i = 0; rc && op == CLOSURES_ADD && i < n; i++)
        cs[i].id = 0;
    return rc;
}
