/* tests/httputil.c -- HTTP test helpers: in-process daemon on port 0, libcurl client. */
#include "httputil.h"
#include "api.h"
#include "routes.h"
#include "tctx.h"
#include "testutil.h"

#include <check.h>

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HU_TIMEOUT_S 60L

static pthread_once_t hu_once = PTHREAD_ONCE_INIT;

static void hu_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

void hu_global_init(void)
{
    pthread_once(&hu_once, hu_init_once);
}

/* ---------------------------------------------------------------- daemon ------------------- */

void hu_world_load(struct world_holder *holder, const char *db, const char *who)
{
    struct world *w = NULL;
    struct kkc_err err = {0};
    hu_global_init();
    if (world_load(db, &w, &err)) {
        fprintf(stderr, "%s: cannot load %s: %s (make data/kkc.sqlite)\n", who, db, err.msg);
        abort();
    }
    world_holder_init(holder, w);
}

void hu_world_done(struct world_holder *holder)
{
    world_holder_done(holder);
}

struct world_holder hu_fx_world;
struct hu_server hu_fx_server;
int hu_fx_port;

void hu_fx_load(void)
{
    hu_world_load(&hu_fx_world, tu_db(), "HTTP suite");
}

void hu_fx_free(void)
{
    hu_world_done(&hu_fx_world);
}

void hu_fx_serve_holder(struct world_holder *holder)
{
    struct kkc_err err = {0};
    ck_assert_msg(hu_server_start_holder(&hu_fx_server, holder, NULL, &err) == 0, "%s", err.msg);
    hu_fx_port = hu_fx_server.port;
}

void hu_fx_serve(void)
{
    hu_fx_serve_holder(&hu_fx_world);
}

void hu_fx_unserve(void)
{
    hu_server_stop(&hu_fx_server);
}

TCase *hu_fx_tcase(Suite *s, const char *name, double timeout_s)
{
    TCase *tc = tu_tcase(s, name, timeout_s);
    tcase_add_unchecked_fixture(tc, hu_fx_load, hu_fx_free);
    tcase_add_checked_fixture(tc, hu_fx_serve, hu_fx_unserve);
    return tc;
}

void hu_dispatch_get(struct world *w, const char *path, const char *query, struct api_res *res)
{
    char buf[2048], *save = NULL;
    struct params q;
    struct api_req r = {.method = "GET", .path = path, .q = &q, .w = w, .t = tctx_get()};
    params_init(&q);
    snprintf(buf, sizeof buf, "%s", query);
    for (char *kv = strtok_r(buf, "&", &save); kv; kv = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(kv, '=');
        if (eq)
            *eq = '\0';
        params_add(&q, kv, eq ? eq + 1 : "");
    }
    api_dispatch(&r, res);
}

int hu_server_start_holder(struct hu_server *s, struct world_holder *worlds,
                           const struct http_opts *o, struct kkc_err *err)
{
    struct http_opts opts = {.threads = 2};
    if (o)
        opts = *o;
    opts.host = "127.0.0.1";
    opts.port = 0;
    hu_global_init();
    s->worlds = worlds;
    s->srv = NULL;
    if (http_start(&opts, worlds, &s->srv, err) != KKC_OK)
        return -1;
    s->port = http_port(s->srv);
    return s->port > 0 ? 0 : -1;
}

int hu_server_start(struct hu_server *s, const char *db, const struct http_opts *o,
                    struct kkc_err *err)
{
    struct world *w = NULL;
    memset(s, 0, sizeof *s);
    if (world_load(db, &w, err) != KKC_OK)
        return -1;
    world_holder_init(&s->own, w);
    if (hu_server_start_holder(s, &s->own, o, err) != 0) {
        world_holder_done(&s->own);
        s->worlds = NULL;
        return -1;
    }
    return 0;
}

void hu_server_stop(struct hu_server *s)
{
    http_stop(s->srv);
    s->srv = NULL;
    if (s->worlds == &s->own)
        world_holder_done(&s->own);
    s->worlds = NULL;
}

/* ---------------------------------------------------------------- client ------------------- */

struct hu_buf {
    char *p;
    size_t len;
    int failed;
};

/* Append n bytes to b, keeping it NUL-terminated. */
static void buf_add(struct hu_buf *b, const char *data, size_t n)
{
    char *grown = b->failed ? NULL : realloc(b->p, b->len + n + 1);
    if (!grown) {
        b->failed = 1;
        return;
    }
    memcpy(grown + b->len, data, n);
    b->p = grown;
    b->len += n;
    b->p[b->len] = '\0';
}

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
    buf_add(ud, data, size * n);
    return size * n;
}

/* Keep only the last header block (after "100 Continue" there is a second one). */
static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
    struct hu_buf *b = ud;
    if (size * n >= 5 && strncmp(data, "HTTP/", 5) == 0)
        b->len = 0;
    buf_add(b, data, size * n);
    return size * n;
}

void *hu_handle_new(void)
{
    hu_global_init();
    return curl_easy_init();
}

void hu_handle_free(void *handle)
{
    if (handle)
        curl_easy_cleanup(handle);
}

int hu_perform(void *handle, int port, const struct hu_req *rq, struct hu_resp *out)
{
    CURL *c = handle ? handle : hu_handle_new();
    struct hu_buf body = {0}, head = {0};
    struct curl_slist *hdrs = NULL;
    const char *method = rq->method ? rq->method : "GET";
    char *url = NULL;
    CURLcode rc;

    memset(out, 0, sizeof *out);
    if (!c)
        return CURLE_OUT_OF_MEMORY;
    if (asprintf(&url, "http://127.0.0.1:%d%s", port, rq->target) < 0) {
        if (!handle)
            curl_easy_cleanup(c);
        return CURLE_OUT_OF_MEMORY;
    }
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, rq->dot_segments ? 0L : 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, rq->timeout_s > 0 ? rq->timeout_s : HU_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &head);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    else if (strcmp(method, "GET") != 0 || rq->body) /* a body would make curl say POST */
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (rq->body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
        hdrs = curl_slist_append(hdrs, "Expect:"); /* no 100-continue round trip */
    }
    for (size_t i = 0; rq->headers && rq->headers[i]; i++)
        hdrs = curl_slist_append(hdrs, rq->headers[i]);
    if (hdrs)
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    rc = curl_easy_perform(c);
    if (rc == CURLE_OK && (body.failed || head.failed))
        rc = CURLE_OUT_OF_MEMORY;
    if (rc == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
        out->body = body.p ? body.p : calloc(1, 1);
        out->len = body.len;
        out->headers = head.p ? head.p : calloc(1, 1);
        out->hlen = head.len;
    } else {
        free(body.p);
        free(head.p);
    }
    curl_slist_free_all(hdrs);
    free(url);
    if (!handle)
        curl_easy_cleanup(c);
    return (int)rc;
}

int hu_get(int port, const char *target, struct hu_resp *out)
{
    struct hu_req rq = {.target = target};
    return hu_perform(NULL, port, &rq, out);
}

const char *hu_header(const struct hu_resp *r, const char *name, char *buf, size_t cap)
{
    size_t nl = strlen(name);
    for (const char *line = r->headers; line && *line;) {
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        if (len > nl && line[nl] == ':' && strncasecmp(line, name, nl) == 0) {
            const char *v = line + nl + 1, *end = line + len;
            while (v < end && (*v == ' ' || *v == '\t'))
                v++;
            while (end > v && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
                end--;
            snprintf(buf, cap, "%.*s", (int)(end - v), v);
            return buf;
        }
        line = eol ? eol + 1 : line + len;
    }
    return NULL;
}

void hu_resp_free(struct hu_resp *r)
{
    free(r->body);
    free(r->headers);
    memset(r, 0, sizeof *r);
}
