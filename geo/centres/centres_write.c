/* geo/centres/centres_write.c -- validation, inserts and audited writes of centres (see
 * centres_write.h). */
#include "centres/centres_write.h"

#include "base/store.h"
#include "centres/centres.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROW_COLS                                                                                \
    "name, kind, address, municipality, municipality_code, phone, email, www, hours, source, "   \
    "status"

/* The row as an audit snapshot (keys sorted, as the audit has always written them). */
#define SNAPSHOT                                                                                \
    "SELECT json_object('address', address, 'email', email, 'hours', hours, 'id', id, "         \
    "'kind', kind, 'lat', round(Y(geom), 7), 'lon', round(X(geom), 7), 'municipality', "        \
    "municipality, 'municipality_code', municipality_code, 'name', name, 'phone', phone, "      \
    "'source', source, 'status', status, 'turnout_s', turnout_s, 'updated_at', updated_at) "  \
    "FROM centres WHERE id = ?1"

/* Valid UTF-8 (jansson's own check: no overlongs, surrogates or stray bytes)? */
static int utf8_ok(const char *s)
{
    json_t *v = json_string(s);
    json_decref(v);
    return v != NULL;
}

enum kkc_code centres_check(const struct centre_rec *c, struct kkc_err *err)
{
    static const char idchars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:";
    const char *texts[] = {c->address, c->municipality, c->municipality_code, c->phone,
                           c->email,   c->www,          c->hours,             c->source};
    static const char *const names[] = {"address", "municipality", "municipality_code", "phone",
                                        "email",   "www",          "hours",             "source"};

    if (!c->id || !*c->id || strlen(c->id) > CENTRE_ID_MAX || strspn(c->id, idchars) != strlen(c->id))
        return kkc_err_set(err, KKC_EINVAL, "id must be 1..64 of A-Z a-z 0-9 - _ . :");
    if (!c->name || !*c->name || strlen(c->name) > CENTRE_TEXT_MAX || !utf8_ok(c->name))
        return kkc_err_set(err, KKC_EINVAL, "name must be a non-empty string");
    if (centres_kind_parse(c->kind) < 0)
        return kkc_err_set(err, KKC_EINVAL, "kind must be police, fire or ambulance");
    if (!isfinite(c->lon) || !isfinite(c->lat) || fabs(c->lon) > 180 || fabs(c->lat) > 90)
        return kkc_err_set(err, KKC_EINVAL, "coordinates missing or out of range: lon and lat must be numbers in WGS84 range");
    if (c->status && strcmp(c->status, "active") != 0 && strcmp(c->status, "closed") != 0)
        return kkc_err_set(err, KKC_EINVAL, "status must be active or closed");
    if (c->turnout_s < 0 || c->turnout_s > CENTRE_TURNOUT_MAX_S)
        return kkc_err_set(err, KKC_EINVAL,
                           "turnout_s must be whole seconds 0..%d (or null: the kind's default)",
                           CENTRE_TURNOUT_MAX_S);
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (texts[i] && (strlen(texts[i]) > CENTRE_TEXT_MAX || !utf8_ok(texts[i])))
            return kkc_err_set(err, KKC_EINVAL, "%s must be a string or null", names[i]);
    return KKC_OK;
}

/* Bind c's fields ?1..?11 (ROW_COLS order), lon ?12, lat ?13, id ?14, turnout ?16 (NULL when it
 * has none of its own; an explicit 0 is 0). */
static void bind_rec(sqlite3_stmt *s, const struct centre_rec *c)
{
    const char *v[] = {c->name,  c->kind, c->address, c->municipality, c->municipality_code,
                       c->phone, c->email, c->www,    c->hours,        c->source,
                       c->status ? c->status : "active"};
    for (int i = 0; i < 11; i++)
        if (v[i])
            sqlite3_bind_text(s, i + 1, v[i], -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(s, 12, c->lon);
    sqlite3_bind_double(s, 13, c->lat);
    sqlite3_bind_text(s, 14, c->id, -1, SQLITE_TRANSIENT);
    if (c->turnout_set || c->turnout_s > 0)
        sqlite3_bind_int(s, 16, c->turnout_s);
}

/* KKC_EINVAL when c gives an explicit 0 s turnout and st's centres table (made before 0 was
 * allowed) refuses it by its CHECK (turnout_s BETWEEN 1 AND 3600); KKC_OK else. */
static enum kkc_code zero_turnout_ok(struct store *st, const struct centre_rec *c,
                                     struct kkc_err *err)
{
    sqlite3_stmt *s = NULL;
    int old = 0;
    if (!c->turnout_set || c->turnout_s != 0 ||
        store_prepare(st,
                      "SELECT instr(sql, 'BETWEEN 1 AND') FROM sqlite_master "
                      "WHERE type = 'table' AND name = 'centres'",
                      &s, NULL))
        return KKC_OK;
    old = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0) > 0;
    sqlite3_finalize(s);
    return old ? kkc_err_set(err, KKC_EINVAL,
                             "turnout_s 0: this database was made before an explicit 0 s "
                             "turnout existed (1..%d only); re-import it (kkc import)",
                             CENTRE_TURNOUT_MAX_S)
               : KKC_OK;
}

enum kkc_code centres_insert(struct store *st, const struct centre_rec *c, struct kkc_err *err)
{
    static const char sql[] = "INSERT INTO centres (" ROW_COLS ", geom, id, turnout_s) VALUES "
                              "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
                              "MakePoint(?12, ?13, 4326), ?14, ?16)";
    sqlite3_stmt *s = NULL;
    enum kkc_code rc = centres_check(c, err);
    int step;

    if (!rc)
        rc = zero_turnout_ok(st, c, err);
    if (!rc)
        rc = store_prepare(st, sql, &s, err);
    if (rc)
        return rc;
    bind_rec(s, c);
    step = sqlite3_step(s);
    if (step == SQLITE_CONSTRAINT)
        rc = kkc_err_set(err, KKC_ECONFLICT, "a centre with id '%s' exists", c->id);
    else if (step != SQLITE_DONE)
        rc = store_fail(st, "insert centre", err);
    sqlite3_finalize(s);
    return rc;
}

static char *col_dup(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    return t ? strdup((const char *)t) : NULL;
}

int centres_row(struct store *st, const char *id, struct centre_rec *out, char *upd, size_t cap)
{
    static const char sql[] = "SELECT " ROW_COLS ", X(geom), Y(geom), id, updated_at, "
                              "turnout_s FROM centres WHERE id = ?";
    sqlite3_stmt *s = NULL;
    int found = 0;

    memset(out, 0, sizeof *out);
    if (store_prepare(st, sql, &s, NULL))
        return -1;
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) {
        const char **f[] = {&out->name,  &out->kind,  &out->address, &out->municipality,
                            &out->municipality_code, &out->phone, &out->email, &out->www,
                            &out->hours, &out->source, &out->status};
        for (int i = 0; i < 11; i++)
            *f[i] = col_dup(s, i);
        out->lon = sqlite3_column_double(s, 11);
        out->lat = sqlite3_column_double(s, 12);
        out->id = col_dup(s, 13);
        snprintf(upd, cap, "%s", sqlite3_column_text(s, 14) ? (const char *)sqlite3_column_text(s, 14) : "");
        out->turnout_s = sqlite3_column_int(s, 15);
        out->turnout_set = sqlite3_column_type(s, 15) != SQLITE_NULL;
        found = 1;
    }
    sqlite3_finalize(s);
    return found;
}

void centres_rec_free(struct centre_rec *c)
{
    const char *f[] = {c->id,    c->name,  c->kind, c->address, c->municipality,
                       c->municipality_code, c->phone, c->email, c->www, c->hours,
                       c->source, c->status};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        free((char *)f[i]);
    memset(c, 0, sizeof *c);
}

/* Run sql with ?1 = id (and the record's fields when c is not NULL); rc, 0 rows is KKC_OK. */
static enum kkc_code run(struct store *st, const char *sql, const char *id,
                         const struct centre_rec *c, int moved, const char *what,
                         struct kkc_err *err)
{
    sqlite3_stmt *s = NULL;
    enum kkc_code rc = store_prepare(st, sql, &s, err);
    if (rc)
        return rc;
    if (c) {
        bind_rec(s, c);
        sqlite3_bind_int(s, 15, moved);
    } else {
        sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    }
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = store_fail(st, what, err);
    sqlite3_finalize(s);
    return rc;
}

/* The change itself, inside the transaction. */
static enum kkc_code change(struct store *st, enum centres_action a, const struct centre_rec *c,
                            int moved, struct kkc_err *err)
{
    static const char upd[] =
        "UPDATE centres SET name = ?1, kind = ?2, address = ?3, municipality = ?4, "
        "municipality_code = ?5, phone = ?6, email = ?7, www = ?8, hours = ?9, "
        "source = coalesce(?10, source), status = ?11, turnout_s = ?16, "
        "geom = CASE WHEN ?15 THEN MakePoint(?12, ?13, 4326) ELSE geom END, "
        "updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?14";
    struct centre_rec admin;
    enum kkc_code rc;

    if (a == CENTRES_DELETE)
        return run(st, "DELETE FROM centres WHERE id = ?1", c->id, NULL, 0, "delete centre", err);
    if (a == CENTRES_CREATE) {
        admin = *c;
        admin.source = "admin";
        return centres_insert(st, &admin, err);
    }
    rc = centres_check(c, err);
    if (!rc)
        rc = zero_turnout_ok(st, c, err);
    return rc ? rc : run(st, upd, c->id, c, moved, "write centre", err);
}

enum kkc_code centres_write(struct store *st, enum centres_action a, const struct centre_rec *c,
                            int moved, struct kkc_err *err)
{
    static const char audit[] =
        "INSERT INTO audit (action, centre_id, before, after) VALUES (?2, ?1, ?3, (" SNAPSHOT "))";
    static const char *const actions[] = {"create", "update", "delete"};
    sqlite3_stmt *s = NULL;
    char *before = NULL;
    enum kkc_code rc = store_exec(st, "BEGIN IMMEDIATE", err);

    if (!rc && !(rc = store_prepare(st, SNAPSHOT, &s, err))) { /* the row before */
        sqlite3_bind_text(s, 1, c->id, -1, SQLITE_STATIC);
        if (sqlite3_step(s) == SQLITE_ROW)
            before = col_dup(s, 0);
        sqlite3_finalize(s);
        s = NULL;
    }
    if (!rc && a == CENTRES_CREATE && before)
        rc = kkc_err_set(err, KKC_ECONFLICT, "a centre with id '%s' exists", c->id);
    if (!rc && a != CENTRES_CREATE && !before)
        rc = kkc_err_set(err, KKC_ENOTFOUND, "no centre with id '%s'", c->id);
    if (!rc)
        rc = change(st, a, c, moved, err);
    if (!rc && !(rc = store_prepare(st, audit, &s, err))) {
        sqlite3_bind_text(s, 1, c->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, actions[a], -1, SQLITE_STATIC);
        if (before)
            sqlite3_bind_text(s, 3, before, -1, SQLITE_STATIC);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = store_fail(st, "audit", err);
        sqlite3_finalize(s);
    }
    if (!rc)
        rc = store_exec(st, "COMMIT", err);
    if (rc)
        store_exec(st, "ROLLBACK", NULL);
    else /* keep the log empty between writes: nothing stale for a later re-import to meet */
        store_exec(st, "PRAGMA wal_checkpoint(TRUNCATE)", NULL);
    free(before);
    return rc;
}
