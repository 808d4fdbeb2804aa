/* geo/closures/closures_store.c -- closures in the SpatiaLite database: load, checked writes in
 * one transaction with the change log, carrying them over to a re-imported network. */
#include "closures/closures.h"

#include "base/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const char kkc_schema_sql[];

#define COLS "id, factor, direction, ways, wkt, reason, source, valid_from, valid_until, created, " \
             "changed, AsGeoJSON(GeomFromText(wkt, 4326), 7)"

enum kkc_code closures_store_ensure(struct store *st, struct kkc_err *err)
{
    /* the schema's closures section: from its first table to the way id index */
    static const char first[] = "CREATE TABLE IF NOT EXISTS closures (",
                      last[] = "ON road_edges (osm_way_id);";
    const char *a = strstr(kkc_schema_sql, first);
    const char *b = a ? strstr(a, last) : NULL;
    char *sql;
    enum kkc_code rc;
    if (!a || !b)
        return kkc_err_set(err, KKC_EINTERNAL, "the schema has no closures section");
    if (!(sql = strndup(a, (size_t)(b - a) + sizeof last - 1)))
        return kkc_err_set(err, KKC_ENOMEM, "out of memory");
    rc = store_exec(st, sql, err);
    free(sql);
    return rc;
}

static int has_tables(struct store *st)
{
    sqlite3_stmt *s = NULL;
    int n = 0;
    if (store_prepare(st, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                          "('closures', 'closure_changes')", &s, NULL) == KKC_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return n == 2;
}

/* Parse "1,2,3" into c->ways. */
static enum kkc_code parse_ways(const char *text, struct closure *c, struct kkc_err *err)
{
    size_t n = 0;
    const char *p = text ? text : "";
    for (const char *q = p; *q; q++)
        n += *q == ',';
    n += *p != '\0';
    if (!n)
        return KKC_OK;
    if (!(c->ways = malloc(n * sizeof *c->ways)))
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (closures)");
    for (char *end; *p && c->nways < n; p = *end ? end + 1 : end)
        c->ways[c->nways++] = strtoll(p, &end, 10);
    return KKC_OK;
}

static char *col_dup(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    return t ? strdup((const char *)t) : NULL;
}

/* The row s (COLS) into *c (owned fields allocated). */
static enum kkc_code row_closure(sqlite3_stmt *s, struct closure *c, struct kkc_err *err)
{
    memset(c, 0, sizeof *c);
    c->id = sqlite3_column_int64(s, 0);
    c->factor = sqlite3_column_double(s, 1);
    c->dir = sqlite3_column_int(s, 2);
    c->wkt = col_dup(s, 4), c->reason = col_dup(s, 5), c->source = col_dup(s, 6);
    c->valid_from = sqlite3_column_int64(s, 7), c->valid_until = sqlite3_column_int64(s, 8);
    c->created = sqlite3_column_int64(s, 9), c->changed = sqlite3_column_int64(s, 10);
    c->geojson = col_dup(s, 11);
    if (parse_ways((const char *)sqlite3_column_text(s, 3), c, err) || !c->reason) {
        closure_clear(c);
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (closures)");
    }
    return KKC_OK;
}

/* Read rows of sql (selecting COLS, ?1 bound to id when id > 0) into out. */
static enum kkc_code load_rows(struct store *st, const char *sql, int64_t id,
                               struct closure_list *out, struct kkc_err *err)
{
    sqlite3_stmt *s = NULL;
    enum kkc_code rc = store_prepare(st, sql, &s, err);
    int step;
    if (id > 0 && !rc)
        sqlite3_bind_int64(s, 1, id);
    while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW) {
        struct closure c;
        rc = row_closure(s, &c, err);
        if (!rc) {
            rc = closure_list_push(out, &c, err);
            closure_clear(&c);
        }
    }
    if (!rc && step != SQLITE_DONE)
        rc = store_fail(st, "read closures", err);
    sqlite3_finalize(s);
    return rc;
}

enum kkc_code closures_load(struct store *st, struct closure_list *out, struct kkc_err *err)
{
    if (!has_tables(st))
        return KKC_OK;
    return load_rows(st, "SELECT " COLS " FROM closures ORDER BY id", 0, out, err);
}

enum kkc_code closures_version(struct store *st, int64_t *version, struct kkc_err *err)
{
    sqlite3_stmt *s = NULL;
    enum kkc_code rc;
    *version = 0;
    if (!has_tables(st))
        return KKC_OK;
    rc = store_prepare(st, "SELECT coalesce(max(version), 0) FROM closure_changes", &s, err);
    if (!rc && sqlite3_step(s) == SQLITE_ROW)
        *version = sqlite3_column_int64(s, 0);
    else if (!rc)
        rc = store_fail(st, "closure version", err);
    sqlite3_finalize(s);
    return rc;
}

/* "1,2,3" of c's ways (malloc'd). */
static char *ways_text(const struct closure *c)
{
    char *buf = malloc(c->nways * 21 + 1);
    size_t at = 0;
    if (!buf)
        return NULL;
    buf[0] = '\0';
    for (size_t i = 0; i < c->nways; i++)
        at += (size_t)sprintf(buf + at, i ? ",%" PRId64 : "%" PRId64, c->ways[i]);
    return buf;
}

/* Bind factor, direction, ways, wkt, reason, source, valid_from, valid_until to ?1..?8. */
static int bind_fields(sqlite3_stmt *s, const struct closure *c)
{
    char *ways = ways_text(c);
    if (!ways)
        return -1;
    sqlite3_bind_double(s, 1, c->factor);
    sqlite3_bind_int(s, 2, c->dir);
    sqlite3_bind_text(s, 3, ways, -1, free);
    if (c->wkt)
        sqlite3_bind_text(s, 4, c->wkt, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, c->reason, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, c->source ? c->source : "admin", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 7, c->valid_from);
    sqlite3_bind_int64(s, 8, c->valid_until);
    return 0;
}

/* Run sql with c's fields bound (?1..?8), then ?9, ?10 and the text ?11 (when not NULL). */
static enum kkc_code run_fields(struct store *st, const char *sql, const struct closure *c,
                                int64_t p9, int64_t p10, const char *p11, struct kkc_err *err)
{
    sqlite3_stmt *s = NULL;
    enum kkc_code rc = store_prepare(st, sql, &s, err);
    if (!rc && bind_fields(s, c))
        rc = kkc_err_set(err, KKC_ENOMEM, "out of memory");
    if (!rc) {
        sqlite3_bind_int64(s, 9, p9);
        sqlite3_bind_int64(s, 10, p10);
        if (p11)
            sqlite3_bind_text(s, 11, p11, -1, SQLITE_STATIC);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = store_fail(st, "write closure", err);
    }
    sqlite3_finalize(s);
    return rc;
}

static enum kkc_code log_change(struct store *st, const char *action, const struct closure *c,
                                int64_t now, struct kkc_err *err)
{
    return run_fields(st,
                      "INSERT INTO closure_changes (factor, direction, ways, wkt, reason, source, "
                      "valid_from, valid_until, closure_id, at, action) VALUES "
                      "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                      c, c->id, now, action, err);
}

static double edge_count(struct store *st)
{
    sqlite3_stmt *s = NULL;
    double n = 0;
    if (store_prepare(st, "SELECT count(*) FROM road_edges", &s, NULL) == KKC_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        n = (double)sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return n;
}

/* Check c against the network: its way ids exist, its geometry is valid and closes some but not
 * all of the roads. */
static enum kkc_code check_network(struct store *st, const struct closure *c, struct kkc_err *err)
{
    sqlite3_stmt *s = NULL;
    enum kkc_code rc = store_prepare(st, "SELECT 1 FROM road_edges WHERE osm_way_id = ? LIMIT 1",
                                     &s, err);
    for (size_t i = 0; !rc && i < c->nways; i++) {
        sqlite3_bind_int64(s, 1, c->ways[i]);
        if (sqlite3_step(s) != SQLITE_ROW)
            rc = kkc_err_set(err, KKC_EINVAL, "way %" PRId64 " is not in the road network",
                             c->ways[i]);
        sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    if (!rc && c->wkt) {
        size_t hits = 0;
        rc = closure_geometry_check(st, c->wkt, err);
        if (!rc)
            rc = closure_geometry_edges(st, c->wkt, NULL, NULL, &hits, err);
        if (!rc && hits == 0)
            rc = kkc_err_set(err, KKC_EINVAL, "the geometry touches no road of the network");
        if (!rc && hits > edge_count(st) * CLOSURE_SHARE_MAX)
            rc = kkc_err_set(err, KKC_EINVAL, "the geometry closes %zu roads, more than %.0f %% "
                             "of the network; close roads, not the network", hits,
                             CLOSURE_SHARE_MAX * 100);
    }
    return rc;
}

/* c->wkt from c->geojson (a GeoJSON geometry) through SpatiaLite. */
static enum kkc_code geojson_to_wkt(struct store *st, struct closure *c, struct kkc_err *err)
{
    sqlite3_stmt *s = NULL;
    enum kkc_code rc = store_prepare(st, "SELECT AsText(GeomFromGeoJSON(?))", &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, c->geojson, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
        if (!(c->wkt = col_dup(s, 0)))
            rc = kkc_err_set(err, KKC_ENOMEM, "out of memory");
    } else {
        rc = kkc_err_set(err, KKC_EINVAL, "the geometry is not a GeoJSON geometry");
    }
    sqlite3_finalize(s);
    return rc;
}

static enum kkc_code get_one(struct store *st, int64_t id, struct closure *out,
                             struct kkc_err *err)
{
    struct closure_list l = {0};
    enum kkc_code rc = load_rows(st, "SELECT " COLS " FROM closures WHERE id = ?1", id, &l, err);
    if (!rc && l.len == 0)
        rc = kkc_err_set(err, KKC_ENOTFOUND, "no closure with id %" PRId64, id);
    if (!rc) {
        *out = l.items[0];
        l.len = 0;
    }
    closure_list_free(&l);
    return rc;
}

enum kkc_code closure_validate(struct store *st, struct closure *c, struct kkc_err *err)
{
    enum kkc_code rc = closure_check(c, err);
    if (!rc && !c->wkt && c->geojson)
        rc = geojson_to_wkt(st, c, err);
    return rc ? rc : check_network(st, c, err);
}

static enum kkc_code write_one(struct store *st, enum closures_op op, struct closure *c,
                               int64_t now, struct kkc_err *err)
{
    struct closure old = {0};
    enum kkc_code rc = op == CLOSURES_ADD ? KKC_OK : get_one(st, c->id, &old, err);
    if (!rc && op == CLOSURES_REMOVE) {
        rc = run_fields(st, "DELETE FROM closures WHERE id = ?9", &old,
                        old.id, now, NULL, err);
        if (!rc)
            rc = log_change(st, "remove", &old, now, err);
        closure_clear(&old);
        return rc;
    }
    if (!rc)
        rc = closure_validate(st, c, err);
    if (!rc && op == CLOSURES_ADD) {
        rc = run_fields(st, "INSERT INTO closures (factor, direction, ways, wkt, reason, source, "
                            "valid_from, valid_until, created, changed) VALUES "
                            "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                        c, now, now, NULL, err);
        c->id = sqlite3_last_insert_rowid(store_db(st));
        c->created = c->changed = now;
    } else if (!rc) {
        rc = run_fields(st, "UPDATE closures SET factor = ?1, direction = ?2, ways = ?3, "
                            "wkt = ?4, reason = ?5, source = ?6, valid_from = ?7, "
                            "valid_until = ?8, changed = ?10 WHERE id = ?9",
                        c, c->id, now, NULL, err);
        c->created = old.created, c->changed = now;
    }
    if (!rc)
        rc = log_change(st, op == CLOSURES_ADD ? "add" : "update", c, now, err);
    closure_clear(&old);
    return rc;
}

enum kkc_code closures_write(struct store *st, enum closures_op op, struct closure *cs, size_t n,
                             int64_t now, int64_t *version, struct kkc_err *err)
{
    enum kkc_code rc;
    if (n == 0)
        return kkc_err_set(err, KKC_EINVAL, "no closures to write");
    if (n > CLOSURES_WRITE_MAX)
        return kkc_err_set(err, KKC_ETOOBIG, "%zu closures in one write; at most %d", n,
                           CLOSURES_WRITE_MAX);
    rc = closures_store_ensure(st, err);
    if (!rc)
        rc = store_exec(st, "BEGIN IMMEDIATE", err);
    if (rc)
        return rc;
    for (size_t i = 0; !rc && i < n; i++) {
        rc = write_one(st, op, &cs[i], now, err);
        if (rc && n > 1 && err) {
            char msg[KKC_ERR_MSG_MAX];
            snprintf(msg, sizeof msg, "%s", err->msg);
            kkc_err_set(err, rc, "closure %zu of %zu: %s", i + 1, n, msg);
        }
    }
    if (!rc)
        rc = closures_version(st, version, err);
    if (!rc)
        rc = store_exec(st, "COMMIT", err);
    if (rc) {
        store_exec(st, "ROLLBACK", NULL);
        for (size_t i = 0; op == CLOSURES_ADD && i < n; i++)
            cs[i].id = 0;
    } else {
        store_exec(st, "PRAGMA wal_checkpoint(TRUNCATE)", NULL);
    }
    return rc;
}

enum kkc_code closures_carry_over(struct store *st, const char *old_path, kkc_report_fn report,
                                  void *ud, struct kkc_err *err)
{
    sqlite3_stmt *s = NULL;
    enum kkc_code rc;
    char *sql = sqlite3_mprintf("ATTACH DATABASE %Q AS old", old_path);
    if (!sql)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory");
    rc = store_exec(st, sql, err);
    sqlite3_free(sql);
    if (rc)
        return rc;
    rc = store_prepare(st, "SELECT count(*) FROM old.sqlite_master WHERE type = 'table' AND "
                           "name IN ('closures', 'closure_changes')", &s, err);
    int both = !rc && sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0) == 2;
    sqlite3_finalize(s);
    if (!rc && both)
        rc = store_exec(st, "INSERT INTO closures SELECT * FROM old.closures; "
                            "INSERT INTO closure_changes SELECT * FROM old.closure_changes", err);
    store_exec(st, "DETACH DATABASE old", NULL);
    if (!rc && both && report)
        rc = closures_report_missing(st, report, ud, err);
    return rc;
}

enum kkc_code closure_ways_geojson(struct store *st, const struct closure *c, char **out,
                                   struct kkc_err *err)
{
    sqlite3_stmt *s = NULL;
    char *ways = NULL, *list = NULL;
    enum kkc_code rc;
    *out = NULL;
    if (!c->nways)
        return KKC_OK;
    if (!(ways = ways_text(c)) || asprintf(&list, "[%s]", ways) < 0) {
        free(ways);
        return kkc_err_set(err, KKC_ENOMEM, "out of memory");
    }
    rc = store_prepare(st, "SELECT AsGeoJSON(CastToMultiLinestring(ST_Collect(geom)), 7) FROM "
                           "road_edges WHERE osm_way_id IN (SELECT value FROM json_each(?))",
                       &s, err);
    if (!rc) {
        sqlite3_bind_text(s, 1, list, -1, SQLITE_STATIC);
        if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL &&
            !(*out = col_dup(s, 0)))
            rc = kkc_err_set(err, KKC_ENOMEM, "out of memory");
    }
    sqlite3_finalize(s);
    free(ways);
    free(list);
    return rc;
}
