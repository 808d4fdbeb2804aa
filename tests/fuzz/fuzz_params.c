/* tests/fuzz/fuzz_params.c -- query strings through the parameter parser and every GET endpoint.
 *
 * Input: one selector byte, then a query string. The selector picks the endpoint (or, past the
 * table, takes the path from the input up to '?'). The query is split on '&' and '=' and each
 * part percent-decoded exactly as libmicrohttpd does for the server (MHD_http_unescape), fed to
 * params_add_n(), and the request goes through api_dispatch() against a small in-process world
 * (five centres, a 3x3 street grid). Checked: no crash, leak or undefined behaviour; every answer
 * is well-formed JSON (errors with code and message); the typed getters agree with
 * params_parse_double() and respect their bounds. */
#include "fuzz_util.h"
#include "routes.h"
#include "tctx.h"

#include "api.h"
#include "params.h"
#include "world.h"

#include <math.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QUERY_MAX 8192

static const char *const paths[] = {
    "/v1/health",  "/v1/centres",      "/v1/centres/FZ-P1",     "/v1/nearest",
    "/v1/route",   "/v1/layers/roads", "/v1/layers/boundaries", "/v1/municipalities",
    "/v1/nearest", "/v1/route",        "/v1/centres/",          "/v1/centres/FZ-P2",
};
#define NPATHS (sizeof paths / sizeof paths[0])

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_world();
    return 0;
}

/* Split q in place on '&' and '=' into p, unescaping like MHD (a key without '=' has no value)
 * and handing over the decoded lengths as MHD_get_connection_values_n() does, so a %00 is seen
 * exactly as the server sees it. */
static void split_query(char *q, struct params *p)
{
    char *save = NULL;
    for (char *kv = strtok_r(q, "&", &save); kv; kv = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(kv, '=');
        size_t klen, vlen = 0;
        if (eq)
            *eq++ = '\0';
        klen = MHD_http_unescape(kv);
        if (eq)
            vlen = MHD_http_unescape(eq);
        params_add_n(p, kv, klen, eq, vlen);
    }
}

/* The typed getters on every parameter: bounds hold and numbers agree with the plain parser. */
static void check_getters(struct params *p)
{
    struct kkc_err err = {0};
    static const char *const choices[] = {"distance", "time", NULL};
    for (int i = 0; i < p->n; i++) {
        const char *key = p->kv[i].key;
        double d = -1, plain;
        long l = -7;
        int b = -1, c = -1;
        if (params_double(p, key, 1, -180, 180, &d, &err) == KKC_OK &&
            (!params_parse_double(p->kv[i].value, &plain) || plain != d || fabs(d) > 180))
            fz_fail("params_double(%s) gave %g", key, d);
        if (params_long(p, key, 1, 1, 50, &l, &err) == KKC_OK && (l < 1 || l > 50))
            fz_fail("params_long(%s) gave %ld outside [1, 50]", key, l);
        if (params_bool(p, key, &b, &err) == KKC_OK && b != 0 && b != 1)
            fz_fail("params_bool(%s) gave %d", key, b);
        if (params_choice(p, key, choices, &c, &err) == KKC_OK && (c < 0 || c > 1))
            fz_fail("params_choice(%s) gave %d", key, c);
    }
    params_finish(p, &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf, *query, path[256];
    struct params q, q2;
    struct api_res res;
    struct api_req r = {.method = "GET", .q = &q};
    size_t sel;

    if (size < 1 || size > QUERY_MAX)
        return 0;
    sel = data[0];
    buf = malloc(size);
    memcpy(buf, data + 1, size - 1);
    buf[size - 1] = '\0';
    query = buf;
    if (sel < NPATHS) {
        snprintf(path, sizeof path, "%s", paths[sel]);
    } else {
        /* the path from the input, percent-decoded as MHD does */
        char *qm = strchr(buf, '?');
        if (qm)
            *qm = '\0';
        snprintf(path, sizeof path, "%s", buf);
        MHD_http_unescape(path);
        query = qm ? qm + 1 : buf + strlen(buf);
    }
    r.path = path;
    r.method = sel % 5 == 4 ? "HEAD" : "GET";

    /* the parser alone, on a copy */
    char *copy = strdup(query);
    params_init(&q2);
    split_query(copy, &q2);
    check_getters(&q2);

    params_init(&q);
    split_query(query, &q);
    r.t = tctx_get();
    r.w = world_get(fz_world());
    api_dispatch(&r, &res);
    world_put(fz_world(), r.w);
    fz_check_response(&res, path);
    free(res.body);
    free(copy);
    free(buf);
    return 0;
}
