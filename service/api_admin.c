/* service/api_admin.c -- POST/PUT/DELETE of centres with a bearer token, audited. */
#include "api_admin.h"

#include "centres/centres.h"
#include "centres/centres_write.h"
#include "json_out.h"
#include "base/store.h"
#include "replica.h"
#include "state/state.h"
#include "world.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ID_MAX CENTRE_ID_MAX

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
int api_admin_check_token(const struct api_req *r, struct api_res *res)
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

static const char *const fields[] = {"name",  "kind",  "address", "municipality",
                                     "municipality_code", "phone", "email", "www",
                                     "hours", "source", "status"};

/* The text fields of c in the order of fields[]. */
static const char **rec_text(struct centre_rec *c, size_t i)
{
    const char **f[] = {&c->name,  &c->kind,  &c->address, &c->municipality,
                        &c->municipality_code, &c->phone, &c->email, &c->www,
                        &c->hours, &c->source, &c->status};
    return f[i];
}

/* The stored centre id as a JSON object, or NULL when absent. */
static json_t *row_json(struct store *st, const char *id)
{
    struct centre_rec c;
    char upd[64];
    json_t *o;
    if (centres_row(st, id, &c, upd, sizeof upd) != 1) {
        centres_rec_free(&c);
        return NULL;
    }
    o = json_pack("{s:s, s:o, s:o}", "id", c.id, "lon", kkc_json_num(c.lon, 7), "lat",
                  kkc_json_num(c.lat, 7));
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        json_object_set_new(o, fields[i], kkc_json_str_or_null(*rec_text(&c, i)));
    json_object_set_new(o, "turnout_s", c.turnout_set ? json_integer(c.turnout_s) : json_null());
    json_object_set_new(o, "updated_at", kkc_json_str_or_null(*upd ? upd : NULL));
    centres_rec_free(&c);
    return o;
}

/* The merged object c as a record (strings borrowed from c), checked as centres_check() checks
 * it, then for text values of the wrong JSON type (KKC_EINVAL naming the first one). */
static enum kkc_code rec_of(json_t *c, const char *id, struct centre_rec *r, struct kkc_err *err)
{
    json_t *lon = json_object_get(c, "lon"), *lat = json_object_get(c, "lat");
    json_t *turnout = json_object_get(c, "turnout_s");
    const char *bad = NULL;
    enum kkc_code rc;

    memset(r, 0, sizeof *r);
    r->id = id;
    r->lon = json_is_number(lon) ? json_number_value(lon) : NAN;
    r->lat = json_is_number(lat) ? json_number_value(lat) : NAN;
    r->turnout_set = turnout && !json_is_null(turnout); /* 0 is an explicit 0, null none */
    if (r->turnout_set) /* not an integer >= 0: -1, refused by centres_check */
        r->turnout_s = json_is_integer(turnout) && json_integer_value(turnout) >= 0 &&
                               json_integer_value(turnout) <= CENTRE_TURNOUT_MAX_S
                           ? (int)json_integer_value(turnout)
                           : -1;
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        json_t *v = json_object_get(c, fields[i]);
        if (i > 1 && i < 9 && v && !json_is_null(v) && !json_is_string(v) && !bad)
            bad = fields[i];
        *rec_text(r, i) = json_string_value(v);
    }
    if ((rc = centres_check(r, err)) || !bad)
        return rc;
    return kkc_err_set(err, KKC_EINVAL, "%s must be a string or null", bad);
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

/* Merge the request into the stored row (none for create), write it audited (centres_write())
 * and read it back into *after_out. */
static enum kkc_code apply(struct kkc_state *state, struct store *st, const char *action,
                           const char *id, json_t *body, json_t **after_out, struct kkc_err *err)
{
    enum centres_action a = strcmp(action, "create") == 0   ? CENTRES_CREATE
                            : strcmp(action, "update") == 0 ? CENTRES_UPDATE
                                                            : CENTRES_DELETE;
    json_t *merged = a == CENTRES_UPDATE ? row_json(st, id) : NULL;
    struct centre_rec r = {.id = id};
    enum kkc_code rc = KKC_OK;

    if (a == CENTRES_UPDATE && !merged)
        return kkc_err_set(err, KKC_ENOTFOUND, "no centre with id '%s'", id);
    if (a != CENTRES_DELETE) {
        if (!merged)
            merged = json_object();
        json_object_update(merged, body);
        rc = rec_of(merged, id, &r, err);
        if (rc && a == CENTRES_CREATE) { /* an existing id is told first */
            json_t *old = row_json(st, id);
            if (old)
                rc = kkc_err_set(err, KKC_ECONFLICT, "a centre with id '%s' exists", id);
            json_decref(old);
        }
    }
    if (!rc)
        rc = state_centres_write(state, st, a, &r,
                                 json_object_get(body, "lon") || json_object_get(body, "lat"), err);
    if (!rc)
        *after_out = a != CENTRES_DELETE ? row_json(st, id) : NULL;
    json_decref(merged);
    return rc;
}

/* Run one write end to end: token, body, transaction, reload, response. */
static void admin_write(const struct api_req *r, struct api_res *res, const char *action,
                        const char *id, json_t *body)
{
    struct kkc_err err = {0};
    struct store *st = NULL;
    struct kkc_state *state = replica_state(r->srv->replica);
    json_t *after = NULL;
    enum kkc_code rc;

    pthread_mutex_lock(r->srv->write_mu);
    rc = store_open(r->w->db_path, STORE_READWRITE, &st, &err);
    if (!rc && state) { /* merge into the latest shared row (the write checks again) */
        int changed;
        state_sync(state, st, &changed, NULL);
    }
    if (!rc)
        rc = apply(state, st, action, id, body, &after, &err);
    store_close(st);
    if (!rc && world_apply_change(r->srv->worlds, WORLD_CHANGE_CENTRES, &err) == KKC_OK) {
        /* served from now on: the new centres, their labels rebuilt off the workers */
    } else if (!rc) { /* committed but not served: not a 200 the old world would belie */
        char msg[KKC_ERR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", err.msg);
        rc = kkc_err_set(&err, KKC_EINTERNAL, "stored but not yet served: loading the new "
                         "data failed (the next reload retries): %s", msg);
    }
    pthread_mutex_unlock(r->srv->write_mu);
    if (rc) {
        json_decref(after);
        if (replica_write_unavailable(r->srv->replica, rc))
            api_error_http_e(res, API_ESTATE, &err);
        else
            api_error_e(res, rc, &err);
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
    if (params_finish(r->q, &err) || !(body = parse_body(r, 1, &err))) {
        api_error_e(res, err.code, &err);
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
    if (params_finish(r->q, &err) || !(body = parse_body(r, 0, &err))) {
        api_error_e(res, err.code, &err);
        return;
    }
    admin_write(r, res, "update", r->id, body);
    json_decref(body);
}

void api_admin_delete(const struct api_req *r, struct api_res *res)
{
    struct kkc_err err = {0};
    if (params_finish(r->q, &err)) {
        api_error_e(res, err.code, &err);
        return;
    }
    admin_write(r, res, "delete", r->id, NULL);
}
