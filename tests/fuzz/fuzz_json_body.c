/* tests/fuzz/fuzz_json_body.c -- admin request bodies through api_dispatch: jansson's parser and
 * the validation and writes of service/api_admin.c, with a valid bearer token.
 *
 * Input: one selector byte, then the body. The selector picks POST /v1/centres, PUT of an
 * existing centre, PUT of a closed one or PUT of a missing id. The body is handed over exactly
 * as received (not NUL-terminated; none at all when empty). A write that succeeds is undone
 * afterwards (centres restored from a copy, audit emptied, world reloaded), so every input runs
 * against the same data. Checked: every answer is well-formed JSON; a refused write leaves no
 * audit row and no centre changed; an accepted one is in the reloaded world with an audit row
 * and values inside the documented ranges. */
#include "fuzz_util.h"
#include "routes.h"
#include "tctx.h"

#include "api.h"
#include "centres/centres.h"
#include "base/store.h"
#include "world.h"

#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t write_mu = PTHREAD_MUTEX_INITIALIZER;
static struct api_server srv;
static struct store *db; /* the world's database, read-write, for the checks and the undo */

static const struct {
    const char *method, *path;
} targets[] = {
    {"POST", "/v1/centres"},
    {"PUT", "/v1/centres/FZ-P1"},
    {"PUT", "/v1/centres/" FZ_CLOSED_ID},
    {"PUT", "/v1/centres/FZ-NEW"},
};
#define NTARGETS (sizeof targets / sizeof targets[0])

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    struct kkc_err err = {0};
    (void)argc;
    (void)argv;
    srv.worlds = fz_world();
    srv.admin_token = FZ_ADMIN_TOKEN;
    srv.write_mu = &write_mu;
    db = fz_open_db("world.sqlite", FZ_REFERENCE | FZ_CENTRES | FZ_ROADS);
    if (store_exec(db, "CREATE TABLE IF NOT EXISTS centres_seed AS SELECT * FROM centres", &err))
        fz_fail("seed copy: %s", err.msg);
    return 0;
}

/* Put the centres back as they were and forget the audit rows, then reload the world. */
static void undo_writes(void)
{
    struct kkc_err err = {0};
    if (store_exec(db,
                   "BEGIN; DELETE FROM centres; INSERT INTO centres SELECT * FROM centres_seed; "
                   "DELETE FROM audit; COMMIT;",
                   &err))
        fz_fail("undo: %s", err.msg);
    fz_world_reload();
}

/* After an accepted write to id: one audit row, and the stored centre is sane and served. */
static void check_accepted(const struct api_res *res, const char *id)
{
    char sql[256];
    struct world *w = world_get(fz_world());
    long i = centres_find(w->centres, id);
    const struct centre *c = i >= 0 ? centres_get(w->centres, (size_t)i) : NULL;

    if (fz_count_sql(db, "SELECT count(*) FROM audit") != 1)
        fz_fail("status %d but %lld audit rows", res->status,
                fz_count_sql(db, "SELECT count(*) FROM audit"));
    if (!c)
        fz_fail("status %d but centre %s is not in the reloaded world", res->status, id);
    if (!isfinite(c->lon) || !isfinite(c->lat) || fabs(c->lon) > 180 || fabs(c->lat) > 90 ||
        !c->name || !*c->name || strlen(c->id) > 64)
        fz_fail("accepted centre %s has lon %g lat %g name '%s'", id, c->lon, c->lat,
                c->name ? c->name : "(null)");
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM centres WHERE kind NOT IN ('police', 'fire', 'ambulance') "
             "OR status NOT IN ('active', 'closed') OR geom IS NULL");
    if (fz_count_sql(db, sql) != 0)
        fz_fail("a stored centre breaks the schema's rules");
    world_put(fz_world(), w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct params q;
    struct api_res res;
    struct api_req r = {.srv = &srv, .q = &q, .authorization = "Bearer " FZ_ADMIN_TOKEN};
    char *body = NULL, id[80];
    size_t sel;

    if (size < 1 || size > 64 * 1024)
        return 0;
    sel = data[0] % NTARGETS;
    r.method = targets[sel].method;
    r.path = targets[sel].path;
    if (size > 1) {
        body = malloc(size - 1);
        memcpy(body, data + 1, size - 1);
        r.body = body;
        r.body_len = size - 1;
    }
    params_init(&q);
    r.t = tctx_get();
    r.w = world_get(fz_world());
    api_dispatch(&r, &res);
    world_put(fz_world(), r.w);
    fz_check_response(&res, r.path);

    if (res.status < 300) {
        /* PUT: the id is in the path; POST: whatever the body said, so take it from the answer */
        if (sel != 0) {
            snprintf(id, sizeof id, "%s", r.path + strlen("/v1/centres/"));
        } else {
            json_error_t je;
            json_t *v = json_loads(res.body, 0, &je);
            snprintf(id, sizeof id, "%s",
                     json_string_value(json_object_get(v, "id"))
                         ? json_string_value(json_object_get(v, "id"))
                         : "");
            json_decref(v);
        }
        if (sel == 3)
            fz_fail("PUT of a missing centre answered %d", res.status);
        check_accepted(&res, id);
        undo_writes();
    } else if (fz_count_sql(db, "SELECT count(*) FROM audit") != 0 ||
               fz_count_sql(db, "SELECT count(*) FROM (SELECT * FROM centres EXCEPT "
                         "SELECT * FROM centres_seed)") != 0) {
        fz_fail("refused write (%d) changed the database", res.status);
    }
    free(res.body);
    free(body);
    return 0;
}
