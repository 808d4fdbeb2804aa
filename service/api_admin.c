/* service/api_admin.c -- POST/PUT/DELETE of centres with a bearer token, audited. */
#include "api_admin.h"

#include "centres/centres.h"
#include "json_out.h"
#include "base/store.h"
#include "world.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ID_MAX 64
#define TEXT_MAX 512

int api_admin_token_equal(const char *given, const char *want)
{
    size_t lg = strlen(given), lw = strlen(want);
    unsigned char diff = (unsigned char)(lg != lw);
    /* touch every byte of want whatever given is, so timing tells nothing of the token */
    for (size_t i = 0; i < lw; i++)
        diff |= (unsigned char)(want[i] ^ (i < lg ? given[i] : 0));
    return diff == 0;
}

/* 0 when the request may write; otherwise res is filled (401/403). */
static int check_token(const struct api_req *r, struct api_res *res)
{
    const char *a = r->authorization;
    if (!a || strncasecmp(a, "Bearer ", 7) != 0) { /* the scheme is case-insensitive */
        api_error_http(res, API_EAUTH, "this write needs Authorization: Bearer <admin token>");
        return -1;
    }
    if (!api_admin_token_equal(a + 7, r->srv->admin_token)) {
        api_error_http(res, API_EFORBIDDEN, "the admin token is wrong");
        return -1;
    }
    return 0;
}

/* The centre row id as a JSON object, or NULL when absent. */
static json_t *row_json(struct store *st, const char *id)
{
    static const char sql[] =
        "SELECT id, name, kind, X(geom), Y(geom), address, municipality, municipality_code, "
        "phone, email, www, hours, source, status, updated_at, turnout_s FROM centres WHERE id = ?";
    static const char *const names[] = {"id", "name", "kind", "lon", "lat", "address",
                                        "municipality", "municipality_code", "phone", "email",
                                        "www", "hours", "source", "status", "updated_at",
                                        "turnout_s"};
    sqlite3_stmt *s = NULL;
    json_t *o = NULL;
    if (store_prepare(st, sql, &s, NULL))
        return NULL;
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) {
        o = json_object();
        for (int i = 0; i < 16; i++) {
            int t = sqlite3_column_type(s, i);
            json_object_set_new(o, names[i],
                                t == SQLITE_NULL      ? json_null()
                                : t == SQLITE_INTEGER ? json_integer(sqlite3_column_int64(s, i))
                                : t == SQLITE_FLOAT ? kkc_json_num(sqlite3_column_double(s, i), 7)
                                                    : json_string((const char *)
                                                                      sqlite3_column_text(s, i)));
        }
    }
    sqlite3_finalize(s);
    return o;
}

/* Check a merged centre object; KKC_EINVAL with a message naming the field. */
static enum kkc_code validate(json_t *c, struct kkc_err *err)
{
    static const char *const texts[] = {"address", "municipality", "municipality_code", "phone",
                                        "email",   "www",          "hours"};
    const char *id = json_string_value(json_object_get(c, "id"));
    const char *name = json_string_value(json_object_get(c, "name"));
    const char *kind = json_string_value(json_object_get(c, "kind"));
    const char *status = json_string_value(json_object_get(c, "status"));
    json_t *lon = json_object_get(c, "lon"), *lat = json_object_get(c, "lat");

    if (!id || !*id || strlen(id) > ID_MAX || strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm"
                                                         "nopqrstuvwxyz0123456789-_.:") !=
                                                  strlen(id))
        return kkc_err_set(err, KKC_EINVAL, "id must be 1..64 of A-Z a-z 0-9 - _ . :");
    if (!name || !*name || strlen(name) > TEXT_MAX)
        return kkc_err_set(err, KKC_EINVAL, "name must be a non-empty string");
    if (centres_kind_parse(kind) < 0)
        return kkc_err_set(err, KKC_EINVAL, "kind must be police, fire or ambulance");
    if (!json_is_number(lon) || !json_is_number(lat) || fabs(json_number_value(lon)) > 180 ||
        fabs(json_number_value(lat)) > 90)
        return kkc_err_set(err, KKC_EINVAL, "lon and lat must be numbers in WGS84 range");
    if (status && strcmp(status, "active") != 0 && strcmp(status, "closed") != 0)
        return kkc_err_set(err, KKC_EINVAL, "status must be active or closed");
    json_t *to = json_object_get(c, "turnout_s");
    if (to && !json_is_null(to) &&
        (!json_is_integer(to) || json_integer_value(to) < 1 || json_integer_value(to) > 3600))
        return kkc_err_set(err, KKC_EINVAL,
                           "turnout_s must be whole seconds 1..3600 or null (the kind's default)");
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        json_t *v = json_object_get(c, texts[i]);
        if (v && !json_is_null(v) &&
            (!json_is_string(v) || strlen(json_string_value(v)) > TEXT_MAX))
            return kkc_err_set(err, KKC_EINVAL, "%s must be a string or null", texts[i]);
    }
    return KKC_OK;
}

/* Parse the body as a JSON object whose keys are all in the allowed list. */
static json_t *parse_body(const struct api_req *r, int allow_id, struct kkc_err *err)
{
    static const char *const allowed[] = {"id",    "name", "kind", "lon", "lat", "address",
                                          "municipality", "municipality_code", "phone", "email",
                                          "www",   "hours", "status", "turnout_s", NULL};
    json_error_t je;
    json_t *b = r->body ? json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &je) : NULL;
    const char *key;
    json_t *v;

    if (!r->body) {
        kkc_err_set(err, KKC_EINVAL, "a JSON object body is required");
        return NULL;
    }
    if (!b) {
        kkc_err_set(err, KKC_EINVAL, "invalid JSON at line %d, column %d (byte %d): %s", je.line,
                    je.column, je.position, je.text);
        return NULL;
    }
    if (!json_is_object(b)) {
        kkc_err_set(err, KKC_EINVAL, "the body must be a JSON object");
        json_decref(b);
        return NULL;
    }
    json_object_foreach(b, key, v)
    {
        int ok = 0;
        for (int i = 0; allowed[i]; i++)
            ok |= strcmp(key, allowed[i]) == 0 && (allow_id || i > 0);
        if (!ok) {
            kkc_err_set(err, KKC_EINVAL, "unknown or read-only field '%.40s'", key);
            json_decref(b);
            return NULL;
        }
    }
    (void)v;
    return b;
}

/* Write c (a validated object) as the row; insert when create, else update. */
static enum kkc_code write_row(struct store *st, json_t *c, int create, int moved,
                               struct kkc_err *err)
{
    static const char ins[] =
        "INSERT INTO centres (name, kind, address, municipality, municipality_code, phone, "
        "email, www, hours, status, geom, source, id, turnout_s) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
        "?, coalesce(?10, 'active'), MakePoint(?11, ?12, 4326), 'admin', ?13, ?15)";
    static const char upd[] =
        "UPDATE centres SET name = ?, kind = ?, address = ?, municipality = ?, "
        "municipality_code = ?, phone = ?, email = ?, www = ?, hours = ?, "
        "status = coalesce(?10, 'active'), turnout_s = ?15, "
        "geom = CASE WHEN ?14 THEN MakePoint(?11, ?12, 4326) ELSE geom END, "
        "updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?13";
    static const char *const cols[] = {"name", "kind",  "address", "municipality",
                                       "municipality_code", "phone", "email", "www", "hours",
                                       "status"};
    sqlite3_stmt *s = NULL;
    enum kkc_code rc = store_prepare(st, create ? ins : upd, &s, err);
    if (rc)
        return rc;
    for (int i = 0; i < 10; i++) {
        const char *v = json_string_value(json_object_get(c, cols[i]));
        if (v)
            sqlite3_bind_text(s, i + 1, v, -1, SQLITE_TRANSIENT);
    }
    sqlite3_bind_double(s, 11, json_number_value(json_object_get(c, "lon")));
    sqlite3_bind_double(s, 12, json_number_value(json_object_get(c, "lat")));
    sqlite3_bind_text(s, 13, json_string_value(json_object_get(c, "id")), -1, SQLITE_TRANSIENT);
    if (json_is_integer(json_object_get(c, "turnout_s")))
        sqlite3_bind_int64(s, 15, json_integer_value(json_object_get(c, "turnout_s")));
    if (!create)
        sqlite3_bind_int(s, 14, moved);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = store_fail(st, "write centre", err);
    sqlite3_finalize(s);
    return rc;
}

static enum kkc_code audit(struct store *st, const char *action, const char *id, json_t *before,
                           json_t *after, struct kkc_err *err)
{
    sqlite3_stmt *s = NULL;
    char *b = before ? json_dumps(before, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    char *a = after ? json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    enum kkc_code rc = store_prepare(
        st, "INSERT INTO audit (action, centre_id, before, after) VALUES (?, ?, ?, ?)", &s, err);
    if (!rc) {
        sqlite3_bind_text(s, 1, action, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC);
        if (b)
            sqlite3_bind_text(s, 3, b, -1, SQLITE_STATIC);
        if (a)
            sqlite3_bind_text(s, 4, a, -1, SQLITE_STATIC);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = store_fail(st, "audit", err);
    }
    sqlite3_finalize(s);
    free(a);
    free(b);
    return rc;
}

/* Merge the request into the stored row (NULL for create), validate, write, audit and commit.
 * *after_out gets the row as stored. */
static enum kkc_code apply(struct store *st, const char *action, const char *id, json_t *body,
                           json_t **after_out, struct kkc_err *err)
{
    json_t *before = NULL, *merged = NULL;
    enum kkc_code rc = store_exec(st, "BEGIN IMMEDIATE", err);

    if (!rc)
        before = row_json(st, id);
    if (!rc && strcmp(action, "create") == 0 && before)
        rc = kkc_err_set(err, KKC_ECONFLICT, "a centre with id '%s' exists", id);
    if (!rc && strcmp(action, "create") != 0 && !before)
        rc = kkc_err_set(err, KKC_ENOTFOUND, "no centre with id '%s'", id);
    if (!rc && strcmp(action, "delete") != 0) {
        merged = before ? json_deep_copy(before) : json_object();
        json_object_update(merged, body);
        json_object_set_new(merged, "id", json_string(id));
        rc = validate(merged, err);
        if (!rc)
            rc = write_row(st, merged, before == NULL,
                           json_object_get(body, "lon") || json_object_get(body, "lat"), err);
    } else if (!rc) {
        sqlite3_stmt *s = NULL;
        rc = store_prepare(st, "DELETE FROM centres WHERE id = ?", &s, err);
        if (!rc) {
            sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
            if (sqlite3_step(s) != SQLITE_DONE)
                rc = store_fail(st, "delete centre", err);
        }
        sqlite3_finalize(s);
    }
    if (!rc)
        *after_out = strcmp(action, "delete") ? row_json(st, id) : NULL;
    if (!rc)
        rc = audit(st, action, id, before, *after_out, err);
    if (!rc)
        rc = store_exec(st, "COMMIT", err);
    if (rc)
        store_exec(st, "ROLLBACK", NULL);
    else /* keep the log empty between writes: nothing stale for a later re-import to meet */
        store_exec(st, "PRAGMA wal_checkpoint(TRUNCATE)", NULL);
    json_decref(before);
    json_decref(merged);
    return rc;
}

/* Run one write end to end: token, body, transaction, reload, response. */
static void admin_write(const struct api_req *r, struct api_res *res, const char *action,
                        const char *id, json_t *body)
{
    struct kkc_err err = {0};
    struct store *st = NULL;
    struct world *w = NULL;
    json_t *after = NULL;
    enum kkc_code rc;

    pthread_mutex_lock(r->srv->write_mu);
    rc = store_open(r->w->db_path, STORE_READWRITE, &st, &err);
    if (!rc)
        rc = apply(st, action, id, body, &after, &err);
    store_close(st);
    if (!rc && world_load(r->w->db_path, &w, &err) == KKC_OK)
        world_swap(r->srv->worlds, w);
    pthread_mutex_unlock(r->srv->write_mu);
    if (rc) {
        json_decref(after);
        api_error(res, rc, err.msg);
        return;
    }
    if (after) {
        api_reply(res, after);
        if (strcmp(action, "create") == 0)
            res->status = 201;
    } else {
        res->status = 204;
    }
}

void api_admin_create(const struct api_req *r, struct api_res *res)
{
    struct kkc_err err = {0};
    json_t *body;
    if (check_token(r, res))
        return;
    if (params_finish(r->q, &err) || !(body = parse_body(r, 1, &err))) {
        api_error(res, err.code, err.msg);
        return;
    }
    const char *id = json_string_value(json_object_get(body, "id"));
    if (!id) {
        json_decref(body);
        api_error(res, KKC_EINVAL, "id (a string) is required");
        return;
    }
    char idbuf[ID_MAX + 2];
    snprintf(idbuf, sizeof idbuf, "%s", id);
    admin_write(r, res, "create", idbuf, body);
    json_decref(body);
}

void api_admin_update(const struct api_req *r, struct api_res *res)
{
    struct kkc_err err = {0};
    json_t *body;
    if (check_token(r, res))
        return;
    if (params_finish(r->q, &err) || !(body = parse_body(r, 0, &err))) {
        api_error(res, err.code, err.msg);
        return;
    }
    admin_write(r, res, "update", r->path + strlen("/v1/centres/"), body);
    json_decref(body);
}

void api_admin_delete(const struct api_req *r, struct api_res *res)
{
    struct kkc_err err = {0};
    if (check_token(r, res))
        return;
    if (params_finish(r->q, &err)) {
        api_error(res, err.code, err.msg);
        return;
    }
    admin_write(r, res, "delete", r->path + strlen("/v1/centres/"), NULL);
}
