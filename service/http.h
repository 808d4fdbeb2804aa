/* service/http.h -- the HTTP server: libmicrohttpd with a worker pool, limits, access log.
 *
 * Requests are parsed here (query parameters, body up to a cap, URL length) and handed to
 * api_dispatch() with a reference to the current world; responses get CORS headers, streamed
 * responses (batches) keep that reference until they are read. Every answered request is
 * counted (method, route pattern, status, duration, bytes) for GET /metrics. */
#ifndef KKC_HTTP_H
#define KKC_HTTP_H

#include "base/err.h"

#include <stddef.h>
#include <stdio.h>

struct world_holder;
struct http_server;
struct replica;

struct http_opts {
    const char *host;      /* IPv4 or IPv6 literal to bind; "127.0.0.1" by default */
    int port;              /* 0 = any free port (read it back with http_port) */
    int threads;           /* worker threads; 0 = number of cores */
    int max_connections;   /* 0 = 1024 */
    int timeout_s;         /* idle connection timeout; 0 = 10 s */
    size_t max_url;        /* 0 = 8 KiB: longer request targets get 413 */
    size_t max_body;       /* 0 = 1 MiB: larger bodies get 413 */
    size_t max_body_total; /* 0 = 256 MiB: request bodies held at once over all requests; a
                              request that would go beyond gets 503 OutOfMemory */
    size_t max_body_client; /* 0 = 128 MiB: request bodies one client address holds at once;
                              beyond, 429 TooManyRequests with Retry-After */
    int max_per_client;    /* connections from one client address; 0 = 512 */
    int header_deadline_s; /* a request's headers must be in within this; 0 = timeout_s */
    int heavy_threads;     /* threads answering expensive requests (http_heavy.h); 0 = half the
                              workers (at least 1); -1 = none, they run on the workers */
    int heavy_queue;       /* expensive requests queued at most, beyond: 429; 0 = 32 */
    int body_deadline_s;   /* and its whole body within this, bytes trickled or not; 0 = 120 */
    FILE *access_log;      /* one line per request; NULL = none */
    const char *web_dir;   /* static page files; NULL = none */
    const char *leaflet_dir; /* Leaflet from libjs-leaflet; NULL = none */
    const char *admin_token; /* enables POST/PUT/DELETE of centres; NULL = no write routes */
    const char *openapi;     /* the OpenAPI document served at /v1/openapi.json; NULL = 404 */
    struct replica *replica; /* shared live state (replica.h); NULL = the embedded state */
};

/* Start serving. *out is the caller's, stopped and freed with http_stop(). */
enum kkc_code http_start(const struct http_opts *o, struct world_holder *worlds,
                         struct http_server **out, struct kkc_err *err);
/* The bound port. */
int http_port(const struct http_server *s);
/* Stop accepting, finish the requests in flight, free s. NULL is a no-op. */
void http_stop(struct http_server *s);

#endif
