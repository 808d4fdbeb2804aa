/* service/cli_call.c -- in-process calls of the API for the CLI (see cli_call.h). */
#include "cli_call.h"

#include <stdlib.h>

#include "routes.h"
#include "tctx.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

int cli_world_open(const char *db, struct cli_world *cw)
{
    struct kkc_err err = {0};
    cw->w = NULL;
    if (world_load(db, &cw->w, &err)) {
        fprintf(stderr, "kkc: %s\n", err.msg);
        return 1;
    }
    world_holder_init(&cw->h, cw->w);
    return 0;
}

void cli_world_dispatch(struct cli_world *cw, struct api_req *r, struct api_res *res)
{
    r->w = cw->w;
    r->t = tctx_get();
    if (!r->accept_language)
        r->accept_language = getenv("KKC_LANG"); /* cs (default) or en */
    if (!r->t) {
        memset(res, 0, sizeof *res);
        api_error(res, KKC_ENOMEM, "out of memory");
        return;
    }
    api_dispatch(r, res);
}

void cli_world_close(struct cli_world *cw)
{
    world_holder_done(&cw->h);
}

int cli_call(const char *db, struct api_req *r, struct api_res *res)
{
    struct cli_world cw;
    if (cli_world_open(db, &cw))
        return 1;
    cli_world_dispatch(&cw, r, res);
    cli_world_close(&cw);
    return 0;
}

json_t *cli_answer(const struct api_res *res, int *failed)
{
    json_t *v = json_loads(res->body ? res->body : "{}", 0, NULL);
    if (!v)
        v = json_object();
    if (res->status != 200) {
        const char *m = json_string_value(json_object_get(v, "message"));
        const char *en = json_string_value(json_object_get(v, "message_en"));
        if (m && en && strcmp(m, en) != 0) /* Czech first, the English beside it */
            fprintf(stderr, "kkc: %s (%s: %s)\n", m,
                    json_string_value(json_object_get(v, "code")), en);
        else
            fprintf(stderr, "kkc: %s (%s)\n", m, json_string_value(json_object_get(v, "code")));
        *failed = 1;
    }
    return v;
}

int cli_print(struct api_res *res, int json, void (*table)(json_t *v, void *arg), void *arg)
{
    int rc = 0;
    json_t *v = cli_answer(res, &rc);
    if (!rc && json)
        puts(res->body);
    else if (!rc)
        table(v, arg);
    json_decref(v);
    free(res->body);
    res->body = NULL;
    return rc;
}

int cli_get(const char *db, const char *path, struct params *q, int json,
            void (*table)(json_t *v, void *arg), void *arg)
{
    struct api_req r = {.method = "GET", .path = path, .q = q};
    struct api_res res = {0};
    if (cli_call(db, &r, &res))
        return 1;
    return cli_print(&res, json, table, arg);
}

double cli_num(const json_t *o, const char *key)
{
    return json_number_value(json_object_get(o, key));
}

long long cli_int(const json_t *o, const char *key)
{
    return (long long)json_integer_value(json_object_get(o, key));
}

const char *cli_str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

const char *cli_db_default(void)
{
    const char *v = getenv("KKC_DB");
    return v && *v ? v : "data/kkc.sqlite";
}
