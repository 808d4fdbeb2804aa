/* service/api_closures.c -- GET/POST/PUT/DELETE of road closures; writes swap in a new world. */
#include "api_closures.h"

#include "base/store.h"
#include "closures/closures.h"
#include "closures_json.h"
#include "params.h"
#include "replica.h"
#include "state/state.h"
#include "world.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* One JSON document per closure list: the API's list or a FeatureCollection. */
static json_t *list_json(struct store *st, const struct closure_list *l, int active_only,
                         int geojson, int64_t now)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < l->len; i++) {
        const struct closure *c = &l->items[i];
        char *ways = NULL;
        if (active_only && !closure_active(c, now))
            continue;
        if (geojson && !c->geojson)
            closure_ways_geojson(st, c, &ways, NULL);
        json_array_append_new(arr, geojson ? closure_to_feature(c, ways, now)
                                           : closure_to_json(c, now));
        free(ways);
    }
    return geojson ? json_pack("{s:s, s:o}", "type", "FeatureCollection", "features", arr)
                   : json_pack("{s:o}", "closures", arr);
}

void api_closures_list(const struct api_req *r, struct api_res *res)
{
    static const char *const formats[] = {"json", "geojson", NULL};
    struct kkc_err err = {0};
    struct closure_list l = {0};
    struct store *st = NULL;
    int active = 0, format = 0;
    int64_t version = 0;
    enum kkc_code rc = params_bool(r->q, "active", &active, &err);
    if (!rc)
        rc = params_choice(r->q, "format", formats, &format, &err);
    if (!rc)
        rc = params_finish(r->q, &err);
    if (!rc)
        rc = store_open(r->w->db_path, STORE_READONLY, &st, &err);
    if (!rc)
        rc = closures_load(st, &l, &err);
    if (!rc)
        rc = closures_version(st, &version, &err);
    if (!rc) {
        json_t *doc = list_json(st, &l, active, format == 1, (int64_t)time(NULL));
        json_object_set_new(doc, "version", json_integer(version));
        api_reply(res, doc);
        if (format == 1)
            res->content_type = "application/geo+json";
    }
    store_close(st);
    closure_list_free(&l);
    if (rc)
        api_error_e(res, rc, &err);
}

/* Write cs (op), then derive and swap in the new world (world_apply_change), under the server's
 * write lock: the 2xx comes after the swap, so every later answer honours the write. */
static enum kkc_code write_and_swap(const struct api_req *r, enum closures_op op,
                                    struct closure_list *cs, int64_t *version,
                                    struct kkc_err *err)
{
    struct store *st = NULL;
    enum kkc_code rc;
    pthread_mutex_lock(r->srv->write_mu);
    rc = store_open(r->w->db_path, STORE_READWRITE, &st, err);
    if (!rc)
        rc = state_closures_write(replica_state(r->srv->replica), st, op, cs->items, cs->len,
                                  (int64_t)time(NULL), version, err);
    store_close(st);
    if (!rc) {
        if (world_apply_change(r->srv->worlds, WORLD_CHANGE_CLOSURES, err) != KKC_OK) {
            char msg[KKC_ERR_MSG_MAX];
            snprintf(msg, sizeof msg, "%s", err->msg);
            rc = kkc_err_set(err, KKC_EINTERNAL, "stored (version %lld) but not yet in force: "
                             "loading the new weights failed: %s", (long long)*version, msg);
        }
    }
    pthread_mutex_unlock(r->srv->write_mu);
    return rc;
}

/* The body parsed into cs; one closure only when single. */
static enum kkc_code body_closures(const struct api_req *r, int single, struct closure_list *cs,
                                   struct kkc_err *err)
{
    json_error_t je;
    json_t *doc;
    enum kkc_code rc;
    if (!r->body)
        return kkc_err_set(err, KKC_EINVAL, "a JSON body is required");
    doc = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &je);
    if (!doc)
        return kkc_err_set(err, KKC_EINVAL, "invalid JSON at line %d, column %d: %s", je.line,
                           je.column, je.text);
    rc = closures_from_json(doc, (int64_t)time(NULL), cs, err);
    json_decref(doc);
    if (!rc && single && cs->len != 1)
        rc = kkc_err_set(err, KKC_EINVAL, "exactly one closure object is expected here");
    return rc;
}

/* {"id" | "closures", "version"} answer of a write. */
static void reply_written(struct api_res *res, const struct closure_list *cs, int64_t version,
                          int created)
{
    json_t *doc;
    int64_t now = (int64_t)time(NULL);
    if (cs->len == 1) {
        doc = closure_to_json(&cs->items[0], now);
    } else {
        json_t *arr = json_array();
        for (size_t i = 0; i < cs->len; i++)
            json_array_append_new(arr, closure_to_json(&cs->items[i], now));
        doc = json_pack("{s:o}", "closures", arr);
    }
    json_object_set_new(doc, "version", json_integer(version));
    api_reply(res, doc);
    if (created && res->status == 200)
        res->status = 201;
}

/* The {id} of the path, or 0 when not a positive integer. */
static int64_t path_id(const struct api_req *r)
{
    const char *s = r->id;
    char *end;
    long long id = strtoll(s, &end, 10);
    return *s && !*end && id > 0 ? (int64_t)id : 0;
}

static void closures_write_req(const struct api_req *r, struct api_res *res, enum closures_op op)
{
    struct kkc_err err = {0};
    struct closure_list cs = {0};
    struct closure one = {0};
    int64_t id = op == CLOSURES_ADD ? 0 : path_id(r), version = 0;
    enum kkc_code rc = KKC_OK;
    if (op != CLOSURES_ADD && !id)
        rc = kkc_err_set(&err, KKC_ENOTFOUND, "closure ids are positive integers");
    if (!rc)
        rc = params_finish(r->q, &err);
    if (!rc && op == CLOSURES_REMOVE)
        rc = closure_list_push(&cs, &one, &err);
    else if (!rc)
        rc = body_closures(r, op == CLOSURES_UPDATE, &cs, &err);
    for (size_t i = 0; !rc && op != CLOSURES_ADD && i < cs.len; i++)
        cs.items[i].id = id;
    if (!rc)
        rc = write_and_swap(r, op, &cs, &version, &err);
    if (rc && replica_write_unavailable(r->srv->replica, rc))
        api_error_http_e(res, API_ESTATE, &err);
    else if (rc)
        api_error_e(res, rc, &err);
    else if (op == CLOSURES_REMOVE)
        res->status = 204;
    else
        reply_written(res, &cs, version, op == CLOSURES_ADD);
    closure_list_free(&cs);
}

void api_closures_create(const struct api_req *r, struct api_res *res)
{
    closures_write_req(r, res, CLOSURES_ADD);
}

void api_closures_update(const struct api_req *r, struct api_res *res)
{
    closures_write_req(r, res, CLOSURES_UPDATE);
}

void api_closures_delete(const struct api_req *r, struct api_res *res)
{
    closures_write_req(r, res, CLOSURES_REMOVE);
}
