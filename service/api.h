/* service/api.h -- the HTTP API independent of the HTTP library: a request in, a response out.
 *
 * http.c turns libmicrohttpd callbacks into a struct api_req and sends back the struct api_res;
 * api.c holds the route table and one handler per endpoint. Handlers read only the world they
 * are given and their thread's own context, so they run on any worker thread without locks. */
#ifndef KKC_API_H
#define KKC_API_H

#include "err.h"
#include "params.h"

#include <stddef.h>

struct world;
struct crs_ctx;

/* Per-thread resources: PROJ context (and later GEOS, routing scratch). Created lazily on the
 * thread that first asks and destroyed when that thread exits. */
struct tctx {
    struct crs_ctx *crs;
};
struct tctx *tctx_get(void);

struct api_req {
    const char *method;   /* "GET", "POST", ... */
    const char *path;     /* without the query string, percent-decoded */
    struct params *q;
    const char *body;     /* request body or NULL */
    size_t body_len;
    struct world *w;
    struct tctx *t;
};

struct api_res {
    int status;
    char *body;               /* malloc'd, freed by the HTTP layer */
    const char *content_type; /* static; NULL = application/json */
    const char *allow;        /* for 405: the Allow header value (static) */
    const char *file;         /* static file to send instead of body (served by http.c) */
};

/* Route and answer one request. Always fills res (an error body on failure). */
void api_dispatch(const struct api_req *req, struct api_res *res);

/* Fill res with an error: status from the code table, body {"code","message"}. */
void api_error(struct api_res *res, enum kkc_code code, const char *message);
/* The HTTP status for an error code (one table for the whole service). */
int api_status(enum kkc_code code);

#endif
