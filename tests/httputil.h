/* tests/httputil.h -- HTTP test helpers: the real daemon in process on a free port, and a libcurl
 * client that keeps status, headers and body.
 *
 * The daemon is service/http.c itself (http_start on 127.0.0.1, port 0, read back with
 * http_port), serving a world loaded from a database file or a holder the caller keeps. Nothing
 * but the shared fixture (hu_fx_*) uses Check: calls return 0 or an error the test turns into its
 * own assertion, so the helpers also run on threads (one CURL handle per thread). */
#ifndef KKC_HTTPUTIL_H
#define KKC_HTTPUTIL_H

#include "base/err.h"
#include "http.h"
#include "world.h"

#include <check.h>
#include <stddef.h>

/* Once per process before any other call (libcurl's global state); more calls are no-ops. */
void hu_global_init(void);

/* For an unchecked fixture: hu_global_init(), then the world of the database at db into holder;
 * aborts with a message naming who when it cannot be loaded (a fixture has no test to fail). */
void hu_world_load(struct world_holder *holder, const char *db, const char *who);
/* The holder's world dropped (the other half of the fixture). */
void hu_world_done(struct world_holder *holder);

struct hu_server {
    struct world_holder own; /* used when the server loaded its own world */
    struct world_holder *worlds;
    struct http_server *srv;
    int port;
};

/* Load the database at db and serve it. o may be NULL (defaults with 2 worker threads); its
 * host and port are ignored. 0 on success; otherwise the reason is in err. */
int hu_server_start(struct hu_server *s, const char *db, const struct http_opts *o,
                    struct kkc_err *err);
/* Serve a holder the caller owns and keeps alive until hu_server_stop(). */
int hu_server_start_holder(struct hu_server *s, struct world_holder *worlds,
                           const struct http_opts *o, struct kkc_err *err);
/* Stop the daemon and drop the world it loaded itself. Safe on a zeroed or stopped server. */
void hu_server_stop(struct hu_server *s);

/* The shared fixture of the HTTP suites (test_batch, test_metrics, test_osrm): the default
 * database's world loaded once per test case (hu_fx_load/hu_fx_free, an unchecked fixture) and a
 * daemon on 127.0.0.1, port 0, per test (hu_fx_serve/hu_fx_unserve, a checked fixture). */
extern struct world_holder hu_fx_world;
extern struct hu_server hu_fx_server;
extern int hu_fx_port; /* the running daemon's port; a test may point it at its own daemon */
void hu_fx_load(void);
void hu_fx_free(void);
/* Serve holder (the caller keeps it alive); the test fails when the daemon does not start. */
void hu_fx_serve_holder(struct world_holder *holder);
void hu_fx_serve(void); /* hu_fx_serve_holder(&hu_fx_world) */
void hu_fx_unserve(void);
/* A test case of suite s on that fixture: tu_tcase() with hu_fx_load/hu_fx_free (unchecked) and
 * hu_fx_serve/hu_fx_unserve (checked). */
TCase *hu_fx_tcase(Suite *s, const char *name, double timeout_s);

/* GET path?query ("k=v&k=v", no percent-encoding, at most 2 KiB) answered in process by
 * api_dispatch() on world w, as the HTTP layer would call it; the caller frees res->body. */
struct api_res;
void hu_dispatch_get(struct world *w, const char *path, const char *query, struct api_res *res);

struct hu_req {
    const char *method; /* NULL = GET; "HEAD" asks for no body */
    const char *target; /* path and query string, sent byte for byte (but dot_segments) */
    const char *body;   /* NULL = none */
    size_t body_len;
    const char *const *headers; /* extra "Name: value" lines, NULL-ended; NULL = none */
    long timeout_s;             /* 0 = 60 s */
    int dot_segments;           /* 1: "." and ".." segments resolved by curl before sending */
};

struct hu_resp {
    long status;
    char *body; /* NUL-terminated (also when empty); len bytes */
    size_t len;
    char *headers; /* the header block of the final response, NUL-terminated */
    size_t hlen;
};

/* One request to 127.0.0.1:port. handle is a CURL * kept by the caller for keep-alive (one per
 * thread), or NULL for a fresh connection. 0 on success, else the CURLcode; out is then empty.
 * Free out with hu_resp_free(). */
int hu_perform(void *handle, int port, const struct hu_req *rq, struct hu_resp *out);
/* GET target. */
int hu_get(int port, const char *target, struct hu_resp *out);
/* The value of header name (case-insensitive, white space trimmed) copied into buf, or NULL. */
const char *hu_header(const struct hu_resp *r, const char *name, char *buf, size_t cap);
void hu_resp_free(struct hu_resp *r);

/* A CURL handle for hu_perform (caller frees with hu_handle_free); NULL when out of memory. */
void *hu_handle_new(void);
void hu_handle_free(void *handle);

#endif
