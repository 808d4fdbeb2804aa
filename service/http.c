/* service/http.c -- libmicrohttpd glue: per-request state, limits, static files, access log.
 *
 * Per-request state is created by the URI log callback (the first thing MHD calls, with the whole
 * request target, so its length can be checked), kept in *req_cls and freed in the completion
 * callback, which also writes the access-log line. */
#include "http.h"
#include "routes.h"
#include "tctx.h"
#include "http_heavy.h"
#include "http_log.h"
#include "http_pages.h"

#include "api.h"
#include "http_guard.h"
#include "json_out.h"
#include "static_files.h"
#include "metrics.h"
#include "world.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <pthread.h>
#include <microhttpd.h>
#include <stdatomic.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LOG_URI_MAX 512
#define MAX_PARAMS 256 /* query parameters of one request */
/* libmicrohttpd's memory per connection (request line, headers, answer headers). It zeroes all
 * of it for every request (5 % of the CPU of GET /v1/nearest with 64 KiB, BENCHMARKS.md); an
 * 8 KiB target and its headers fit. Past it, libmicrohttpd's 414/431 (as JSON, http_pages.c). */
#define CONN_MEMORY (32 * 1024)

struct http_server {
    struct MHD_Daemon *d;
    struct http_opts o;
    struct api_server api;
    struct metrics *metrics;
    atomic_size_t buffered; /* bytes of request bodies held now, over all requests */
    struct guard *guard;    /* deadlines, per-client body budget */
    struct heavy *heavy;    /* the pool that answers expensive requests */
    struct http_log *log;   /* the access log's buffer, NULL without a log */
    int port;
};

struct req {
    size_t uri_len;
    char uri[LOG_URI_MAX];  /* start of the request target, for the log */
    char *body;
    size_t len, alloc, cap; /* cap: the body limit of this method and path */
    size_t reserved;        /* bytes of alloc counted in the server's buffered */
    int too_big, busy, started; /* busy: the bodies of all requests reached max_body_total */
    int client_busy;        /* this client's bodies reached max_body_client */
    size_t params;          /* query parameters counted in the raw target */
    int nul_path;           /* the path has an encoded NUL (%00) */
    int lang_q;             /* lang= in the raw target: 0 none (or neither cs nor en), 1 cs, 2 en */
    struct guard_conn *gc;  /* the connection's deadline record */
    char method[8];         /* for metrics: the request's method, cut */
    struct route_facts rt;  /* of method and path: metrics label, body limit, heavy, files */
    struct world *world;    /* held while a streamed response is read, else NULL */
    struct heavy_task *task; /* queued to or answered by the heavy pool, else NULL */
    int status;
    size_t bytes;
    struct timespec t0;
};

static double since_ms(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* The language asked by a raw query parameter at p ("lang=en&..."): 1 cs, 2 en, else 0. */
static int raw_lang(const char *p)
{
    if (strncmp(p, "lang=", 5) != 0 || !p[5] || !p[6] || (p[7] && p[7] != '&' && p[7] != ';'))
        return 0;
    return strncmp(p + 5, "cs", 2) == 0 ? 1 : strncmp(p + 5, "en", 2) == 0 ? 2 : 0;
}

/* Count the parameters of the query string of a raw request target, note its lang= (for the
 * refusals made before the query is parsed) and look for an encoded NUL in its path (which
 * libmicrohttpd would decode into a shorter path). */
static void scan_target(struct req *r, const char *uri)
{
    const char *q = strchr(uri, '?');
    size_t path_len = q ? (size_t)(q - uri) : strlen(uri);
    for (size_t i = 0; i + 2 < path_len; i++)
        if (uri[i] == '%' && uri[i + 1] == '0' && uri[i + 2] == '0')
            r->nul_path = 1;
    if (!q || !q[1])
        return;
    r->lang_q = raw_lang(q + 1);
    for (r->params = 1, q++; *q; q++)
        if (*q == '&' || *q == ';') {
            r->params++;
            r->lang_q = raw_lang(q + 1) ? raw_lang(q + 1) : r->lang_q;
        }
}

/* The language of a refusal made before the query is parsed (or after it was cut): the raw
 * target's lang=, else the Accept-Language header, as api_lang_of() decides for the others. */
static void refusal_lang(struct MHD_Connection *con, const struct req *r, struct api_res *res)
{
    struct api_req ar = {.accept_language = MHD_lookup_connection_value(
                             con, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_LANGUAGE)};
    res->lang = API_LANG_CS;
    if (r->lang_q)
        res->lang = r->lang_q == 2 ? API_LANG_EN : API_LANG_CS;
    else
        api_lang_of(&ar, &res->lang, NULL);
}

/* Called by MHD with the whole request target, before it splits the query: a target over the
 * limits has its query emptied in MHD's buffer, so that MHD does not run out of connection
 * memory storing thousands of parameters (it would then answer nothing); the request is
 * refused with our JSON 413 instead. */
static void *uri_cb(void *cls, const char *uri, struct MHD_Connection *con)
{
    struct http_server *s = cls;
    struct req *r = calloc(1, sizeof *r);
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(con, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    char *q;
    if (!r)
        return NULL;
    r->gc = ci ? ci->socket_context : NULL;
    r->uri_len = strlen(uri);
    snprintf(r->uri, sizeof r->uri, "%s", uri);
    clock_gettime(CLOCK_MONOTONIC, &r->t0);
    scan_target(r, uri);
    if ((r->params > MAX_PARAMS || r->uri_len > s->o.max_url) && (q = strchr(uri, '?')))
        q[1] = '\0'; /* the buffer is MHD's and writable; it cuts the query at this byte */
    return r;
}

static void log_line(struct http_server *s, struct MHD_Connection *con, struct req *r,
                     enum MHD_RequestTerminationCode toe)
{
    char ip[INET6_ADDRSTRLEN] = "-", when[32], uri[LOG_URI_MAX * 4], line[LOG_URI_MAX * 4 + 160];
    int n;
    const union MHD_ConnectionInfo *ci;
    time_t now = time(NULL);
    struct tm tm;
    ci = MHD_get_connection_info(con, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr->sa_family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)ci->client_addr)->sin_addr, ip, sizeof ip);
    else if (ci && ci->client_addr->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)ci->client_addr)->sin6_addr, ip, sizeof ip);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
    http_log_escape(r->uri, uri, sizeof uri);
    n = snprintf(line, sizeof line, "%s %s \"%s\" %d %zu %.3fms%s\n", when, ip, uri, r->status,
                 r->bytes, since_ms(&r->t0),
                 toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
    if (n > 0)
        http_log_write(s->log, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

static void completed_cb(void *cls, struct MHD_Connection *con, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct http_server *s = cls;
    struct req *r = *req_cls;

    if (!r)
        return;
    if (r->status)
        metrics_record(s->metrics, r->method, r->rt.label, r->status, since_ms(&r->t0) / 1e3,
                       r->bytes);
    world_put(s->api.worlds, r->world);
    if (r->task) { /* answered by the pool but never sent (the client went away) */
        free(r->task->res.body);
        if (r->task->res.stream.free)
            r->task->res.stream.free(r->task->res.stream.cls);
        world_put(s->api.worlds, r->task->w);
        free(r->task);
    }
    atomic_fetch_sub(&s->buffered, r->reserved);
    guard_body(s->guard, r->gc, -(long)r->reserved);
    guard_request_done(s->guard, r->gc);
    if (s->log && r->status)
        log_line(s, con, r, toe);
    free(r->body);
    free(r);
    *req_cls = NULL;
}

/* MHD_OPTION_NOTIFY_CONNECTION: a deadline record per connection. */
static void conn_cb(void *cls, struct MHD_Connection *con, void **socket_context,
                    enum MHD_ConnectionNotificationCode code)
{
    struct http_server *s = cls;
    const union MHD_ConnectionInfo *fd, *peer;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        fd = MHD_get_connection_info(con, MHD_CONNECTION_INFO_CONNECTION_FD);
        peer = MHD_get_connection_info(con, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        *socket_context = guard_open(s->guard, fd ? fd->connect_fd : -1,
                                     peer ? peer->client_addr : NULL);
    } else {
        guard_close(s->guard, *socket_context);
        *socket_context = NULL;
    }
}

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   size_t key_size, const char *value, size_t value_size)
{
    (void)kind;
    params_add_n(cls, key, key_size, value, value_size);
    return MHD_YES;
}

/* Count n more bytes of bodies held against the server's total; 0, or -1 when over it. */
static int body_reserve(struct http_server *s, struct req *r, size_t n)
{
    if (guard_body(s->guard, r->gc, (long)n)) {
        r->client_busy = 1;
        return -1;
    }
    if (atomic_fetch_add(&s->buffered, n) + n > s->o.max_body_total) {
        atomic_fetch_sub(&s->buffered, n);
        guard_body(s->guard, r->gc, -(long)n);
        return -1;
    }
    r->reserved += n;
    return 0;
}

/* Give up the body of a request that will be refused: its memory and its count go at once. */
static void body_drop(struct http_server *s, struct req *r)
{
    free(r->body);
    r->body = NULL;
    r->len = r->alloc = 0;
    atomic_fetch_sub(&s->buffered, r->reserved);
    guard_body(s->guard, r->gc, -(long)r->reserved);
    r->reserved = 0;
}

/* Append an upload chunk to the body, up to the request's cap (the buffer grows by doubling)
 * and the server's total of bodies held at once; past either, the body is dropped and the rest
 * of the upload ignored. */
static void body_append(struct http_server *s, struct req *r, const char *data, size_t size)
{
    size_t want = r->len + size + 1, n = r->alloc ? r->alloc : 4096;
    char *grown;
    if (r->too_big || r->busy)
        return;
    if (size > r->cap - r->len) {
        r->too_big = 1;
        body_drop(s, r);
        return;
    }
    while (n < want)
        n *= 2;
    if (n > r->alloc && body_reserve(s, r, n - r->alloc)) {
        r->busy = 1;
        body_drop(s, r);
        return;
    }
    if (n > r->alloc) {
        grown = realloc(r->body, n);
        if (!grown) {
            r->busy = 1;
            body_drop(s, r);
            return;
        }
        r->body = grown;
        r->alloc = n;
    }
    memcpy(r->body + r->len, data, size);
    r->len += size;
    r->body[r->len] = '\0';
}

/* A streamed response being read: the handler's producer and the request it counts for. */
struct stream {
    long (*read)(void *cls, char *buf, size_t max);
    void (*free)(void *cls);
    void *cls;
    struct req *r;
};

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct stream *st = cls;
    long n = st->read(st->cls, buf, max);
    (void)pos;
    if (n < 0)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    if (n == 0)
        return MHD_CONTENT_READER_END_OF_STREAM;
    st->r->bytes += (size_t)n;
    return (ssize_t)n;
}

static void stream_free(void *cls)
{
    struct stream *st = cls;
    st->free(st->cls);
    free(st);
}

/* The MHD response for res: its body, or its stream (which it then owns). */
static struct MHD_Response *make_response(struct req *r, struct api_res *res)
{
    struct stream *st;
    struct MHD_Response *mr;
    if (!res->stream.read) {
        size_t len = res->body ? strlen(res->body) : 0;
        r->bytes = len;
        mr = MHD_create_response_from_buffer(len, res->body ? res->body : (void *)"",
                                             res->body ? MHD_RESPMEM_MUST_FREE
                                                       : MHD_RESPMEM_PERSISTENT);
        if (!mr)
            free(res->body);
        return mr;
    }
    st = malloc(sizeof *st);
    mr = st ? MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, stream_read, st,
                                                stream_free)
            : NULL;
    if (!mr) {
        free(st);
        res->stream.free(res->stream.cls);
        return NULL;
    }
    *st = (struct stream){res->stream.read, res->stream.free, res->stream.cls, r};
    return mr;
}

static enum MHD_Result send_res(struct MHD_Connection *con, struct req *r, struct api_res *res)
{
    struct MHD_Response *mr = make_response(r, res);
    enum MHD_Result ok;
    if (!mr)
        return MHD_NO;
    if (res->body || res->status != 204)
        MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE,
                                res->content_type ? res->content_type
                                                  : "application/json; charset=utf-8");
    MHD_add_response_header(mr, "Access-Control-Allow-Origin", "*");
    if (res->status == 429 || res->status == 503)
        MHD_add_response_header(mr, "Retry-After", "1");
    if (res->status == 401)
        MHD_add_response_header(mr, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"kkc\"");
    if (res->allow) {
        MHD_add_response_header(mr, MHD_HTTP_HEADER_ALLOW, res->allow);
        if (res->status == 204) {
            MHD_add_response_header(mr, "Access-Control-Allow-Methods", res->allow);
            MHD_add_response_header(mr, "Access-Control-Allow-Headers",
                                    "Content-Type, Authorization");
        }
    }
    r->status = res->status;
    ok = MHD_queue_response(con, (unsigned)res->status, mr);
    MHD_destroy_response(mr);
    return ok;
}

/* Counting the Content-Length headers of a request and whether they differ. */
struct lengths {
    int n, differ;
    const char *first;
};

static enum MHD_Result count_length(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    struct lengths *l = cls;
    (void)kind;
    if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
        if (l->n++ && strcmp(l->first, value) != 0)
            l->differ = 1;
        if (!l->first)
            l->first = value;
    }
    return MHD_YES;
}

/* The framing and target checks made once the headers are in: the message refusing the request
 * with *code (KKC_EINVAL, or KKC_ETOOBIG for too many parameters), NULL when it may go on. */
static const char *framing_error(struct MHD_Connection *con,
                                 struct req *r, const char *version, enum kkc_code *code)
{
    struct lengths l = {0};
    const char *te = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_TRANSFER_ENCODING);
    *code = KKC_EINVAL;
    if (strcmp(version, MHD_HTTP_VERSION_1_1) == 0 &&
        !MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST))
        return "an HTTP/1.1 request needs a Host header";
    MHD_get_connection_values(con, MHD_HEADER_KIND, count_length, &l);
    if (l.differ)
        return "the request has Content-Length headers that differ";
    if (te && strcasecmp(te, "chunked") != 0)
        return "the only Transfer-Encoding understood is chunked";
    if (r->nul_path)
        return "the path contains an encoded NUL byte (%00)";
    *code = KKC_ETOOBIG;
    if (r->params > MAX_PARAMS)
        return "too many query parameters";
    return NULL;
}

/* A refusal from the limits counted so far (target, body, body budgets); 1 when res holds it. */
static int refusal(struct http_server *s, struct MHD_Connection *con, struct req *r,
                   struct api_res *res)
{
    if (!(r->uri_len > s->o.max_url || r->too_big || r->client_busy || r->busy))
        return 0;
    refusal_lang(con, r, res);
    if (r->uri_len > s->o.max_url) {
        api_error_httpf(res, API_ETARGET, "the request target is %zu bytes; the limit is %zu",
                        r->uri_len, s->o.max_url);
    } else if (r->too_big) {
        api_errorf(res, KKC_ETOOBIG, "the request body exceeds the limit of %zu bytes", r->cap);
    } else if (r->client_busy) {
        api_error_httpf(res, API_EBUSY,
                        "this client holds %zu bytes of request bodies; retry later",
                        s->o.max_body_client);
    } else {
        api_errorf(res, KKC_ENOMEM, "the server holds %zu bytes of request bodies; retry later",
                   s->o.max_body_total);
    }
    return 1;
}

/* The first call for a request: its headers are complete. */
static enum MHD_Result first_call(struct http_server *s, struct MHD_Connection *con,
                                  struct req *r, const char *url, const char *method,
                                  const char *version)
{
    struct api_res res = {0};
    enum kkc_code code;
    const char *bad;
    r->started = 1;
    api_route_facts(method, url, s->o.max_body, &r->rt);
    r->cap = r->rt.body_max;
    snprintf(r->method, sizeof r->method, "%s", method);
    guard_headers_done(s->guard, r->gc);
    bad = framing_error(con, r, version, &code);
    if (!bad)
        return MHD_YES;
    refusal_lang(con, r, &res);
    if (code == KKC_ETOOBIG)
        api_errorf(&res, code, "the request has %zu query parameters; the limit is %d",
                   r->params, MAX_PARAMS);
    else
        api_error(&res, code, bad);
    return send_res(con, r, &res);
}

/* Queue the request to the heavy pool (the connection is suspended meanwhile), or 429. */
static enum MHD_Result offload(struct http_server *s, struct MHD_Connection *con, struct req *r,
                               const struct api_req *ar, const struct params *q)
{
    struct heavy_task *t = calloc(1, sizeof *t);
    struct api_res res = {0};
    if (t) {
        *t = (struct heavy_task){.con = con, .worlds = s->api.worlds, .ar = *ar, .q = *q};
        r->task = t;
        if (heavy_submit(s->heavy, t) == 0)
            return MHD_YES;
        r->task = NULL;
        free(t);
    }
    api_error_httpf(&res, API_EBUSY, "%d expensive requests are queued or running; retry later",
                    heavy_load(s->heavy));
    return send_res(con, r, &res);
}

/* The answer of a task the heavy pool has done (the connection was resumed). */
static enum MHD_Result answer_task(struct http_server *s, struct MHD_Connection *con,
                                   struct req *r)
{
    struct heavy_task *t = r->task;
    enum MHD_Result ok;
    if (t->res.stream.read)
        r->world = t->w;
    else
        world_put(s->api.worlds, t->w);
    t->w = NULL;
    ok = send_res(con, r, &t->res);
    t->res.body = NULL; /* send_res() passed its body or stream on (or freed it) */
    t->res.stream.free = NULL;
    return ok;
}

/* Queue the file of a file route (r->rt) into *ok; 0 when it has none (then a JSON 404). */
static int send_file(struct http_server *s, struct MHD_Connection *con, struct req *r,
                     enum MHD_Result *ok)
{
    unsigned status = 0;
    int leaflet = r->rt.files == ROUTE_FILES_LEAFLET;
    struct MHD_Response *mr = static_response(con, leaflet ? s->o.leaflet_dir : s->o.web_dir,
                                              r->rt.file, leaflet, &status);
    if (!mr)
        return 0;
    r->status = (int)status;
    *ok = MHD_queue_response(con, status, mr);
    MHD_destroy_response(mr);
    return 1;
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *con, const char *url,
                                 const char *method, const char *version,
                                 const char *upload_data, size_t *upload_size, void **req_cls)
{
    struct http_server *s = cls;
    struct req *r = *req_cls;
    struct api_res res = {0};
    struct params q;
    struct api_req ar = {.srv = &s->api, .method = method, .path = url, .q = &q};
    enum MHD_Result ok;

    if (!r)
        return MHD_NO;
    if (!r->started)
        return first_call(s, con, r, url, method, version);
    if (*upload_size) {
        body_append(s, r, upload_data, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->task)
        return answer_task(s, con, r);
    if (refusal(s, con, r, &res))
        return send_res(con, r, &res);
    if (r->rt.files && (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0) &&
        send_file(s, con, r, &ok))
        return ok;
    params_init(&q);
    MHD_get_connection_values_n(con, MHD_GET_ARGUMENT_KIND, collect_arg, &q);
    ar.authorization =
        MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    ar.content_type =
        MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    ar.accept = MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
    ar.accept_language =
        MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_LANGUAGE);
    ar.body = r->body;
    ar.body_len = r->len;
    if (s->heavy && r->rt.heavy)
        return offload(s, con, r, &ar, &q);
    ar.t = tctx_get();
    ar.w = world_get(s->api.worlds);
    if (!ar.t || !ar.w)
        api_error(&res, KKC_ENOMEM, ar.w ? "out of memory" : "no data loaded");
    else
        api_dispatch(&ar, &res);
    if (res.stream.read)
        r->world = ar.w; /* the stream reads it until the request completes */
    else
        world_put(s->api.worlds, ar.w);
    return send_res(con, r, &res);
}

/* Fill a sockaddr for host:port; 0 on success. */
static int make_addr(const char *host, int port, struct sockaddr_storage *ss)
{
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
    memset(ss, 0, sizeof *ss);
    if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        return 0;
    }
    if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        return 0;
    }
    return -1;
}

/* The guard's half-second tick: the access log's waiting lines to its file. */
static void log_tick(void *cls)
{
    http_log_flush(cls);
}

/* The defaults of the options left 0 (http.h). */
static void opts_defaults(struct http_opts *o)
{
    if (!o->host)
        o->host = "127.0.0.1";
    if (o->threads <= 0)
        o->threads = (int)sysconf(_SC_NPROCESSORS_ONLN) > 0 ? (int)sysconf(_SC_NPROCESSORS_ONLN)
                                                              : 1;
    o->max_connections = o->max_connections > 0 ? o->max_connections : 1024;
    o->timeout_s = o->timeout_s > 0 ? o->timeout_s : 10;
    o->max_url = o->max_url ? o->max_url : 8192;
    o->max_body = o->max_body ? o->max_body : 1 << 20;
    o->max_body_total = o->max_body_total ? o->max_body_total : (size_t)256 << 20;
    o->max_body_client = o->max_body_client ? o->max_body_client : (size_t)128 << 20;
    o->max_per_client = o->max_per_client > 0 ? o->max_per_client : 512;
    o->header_deadline_s = o->header_deadline_s > 0 ? o->header_deadline_s : o->timeout_s;
    o->body_deadline_s = o->body_deadline_s > 0 ? o->body_deadline_s : 120;
}

enum kkc_code http_start(const struct http_opts *o, struct world_holder *worlds,
                         struct http_server **out, struct kkc_err *err)
{
    struct http_server *s = calloc(1, sizeof *s);
    struct sockaddr_storage ss;
    unsigned flags = MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD | MHD_ALLOW_SUSPEND_RESUME;
    const union MHD_DaemonInfo *di;

    *out = NULL;
    if (!s)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory");
    s->o = *o;
    s->api.worlds = worlds;
    s->api.admin_token = o->admin_token;
    s->api.write_mu = &worlds->write_mu; /* shared with SIGHUP reloads */
    s->api.openapi = o->openapi;
    s->api.replica = o->replica;
    if (metrics_create(&s->metrics, err)) {
        free(s);
        return KKC_ENOMEM;
    }
    s->api.metrics = s->metrics;
    opts_defaults(&s->o);
    atomic_init(&s->buffered, 0);
    if (make_addr(s->o.host, s->o.port, &ss) != 0) {
        metrics_destroy(s->metrics);
        free(s);
        return kkc_err_set(err, KKC_EINVAL, "host must be an IP address, not '%s'", o->host);
    }
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    s->guard = guard_create(s->o.header_deadline_s, s->o.body_deadline_s, s->o.max_body_client);
    s->log = http_log_create(s->o.access_log);
    if (s->guard && s->log) /* the reaper's half-second tick writes the waiting lines out */
        guard_set_tick(s->guard, log_tick, s->log);
    if (!http_pages_active())
        fprintf(stderr, "kkc serve: libmicrohttpd's error pages stay HTML (its "
                        "MHD_create_response_from_buffer was not found)\n");
    if (s->o.heavy_threads >= 0)
        s->heavy = heavy_create(s->o.heavy_threads ? s->o.heavy_threads : (s->o.threads + 1) / 2,
                                s->o.heavy_queue > 0 ? s->o.heavy_queue : 32);
    s->d = !s->guard || (s->o.heavy_threads >= 0 && !s->heavy) ? NULL : MHD_start_daemon(
        flags, (uint16_t)s->o.port, NULL, NULL, access_cb, s, MHD_OPTION_SOCK_ADDR, &ss,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)s->o.threads, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)s->o.max_connections, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)s->o.timeout_s,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)s->o.max_per_client,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY, MHD_OPTION_URI_LOG_CALLBACK,
        uri_cb, s, MHD_OPTION_NOTIFY_COMPLETED, completed_cb, s, MHD_OPTION_NOTIFY_CONNECTION,
        conn_cb, s, MHD_OPTION_END);
    if (!s->d) {
        heavy_destroy(s->heavy);
        guard_destroy(s->guard);
        http_log_destroy(s->log);
        metrics_destroy(s->metrics);
        free(s);
        return kkc_err_set(err, KKC_EIO, "cannot listen on %s:%d", o->host ? o->host : "", o->port);
    }
    di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : s->o.port;
    *out = s;
    return KKC_OK;
}

int http_port(const struct http_server *s)
{
    return s->port;
}

void http_stop(struct http_server *s)
{
    if (!s)
        return;
    heavy_destroy(s->heavy); /* the queued tasks are answered and resume their connections
                                before the daemon stops; new ones are refused meanwhile */
    MHD_stop_daemon(s->d);
    static_files_release();
    guard_destroy(s->guard);
    http_log_destroy(s->log); /* after the daemon: its last lines are in */
    metrics_destroy(s->metrics);
    free(s);
}
