/* service/api.h -- the HTTP API independent of the HTTP library: a request in, a response out.
 *
 * http.c turns libmicrohttpd callbacks into a struct api_req and sends back the struct api_res;
 * routes.c holds the route table and dispatches to one handler per endpoint (api_*.c); api.c
 * what they share: error and JSON replies, the common parameters. Handlers read only the world they
 * are given and their thread's own context, so they run on any worker thread without locks. */
#ifndef KKC_API_H
#define KKC_API_H

#include "base/err.h"
#include "params.h"

#include <pthread.h>
#include <stddef.h>

struct world;
struct world_holder;
struct crs_ctx;
struct api_req;
struct tctx; /* tctx.h */

/* What the whole server shares with handlers (NULL for in-process calls from the CLI). */
struct metrics;
struct replica;
struct api_server {
    struct world_holder *worlds;  /* to publish a new world after an admin write */
    const char *admin_token;      /* NULL: no write routes at all */
    pthread_mutex_t *write_mu;    /* serialises admin writes and the reloads they cause */
    struct metrics *metrics;      /* request counters for GET /metrics; NULL = none */
    const char *openapi;          /* the OpenAPI description served at /v1/openapi.json, or NULL */
    struct replica *replica;      /* shared live state (--state; replica.h), or NULL: embedded */
};

struct api_req {
    const struct api_server *srv;
    const char *method;   /* "GET", "POST", ... */
    const char *path;     /* without the query string, percent-decoded */
    const char *id;       /* set by api_dispatch() for a route "/prefix/{id}": the path's last
                             segment; else NULL */
    struct params *q;
    const char *authorization; /* the Authorization header or NULL */
    const char *content_type;  /* the Content-Type header or NULL */
    const char *accept;        /* the Accept header or NULL */
    const char *accept_language; /* the Accept-Language header or NULL (api_lang_of) */
    const char *body;     /* request body or NULL */
    size_t body_len;
    struct world *w;
    struct tctx *t;
};

/* The language of an answer's human-readable texts (error messages): Czech unless asked. */
enum api_lang { API_LANG_CS = 0, API_LANG_EN };

struct api_res {
    int status;
    enum api_lang lang;       /* set by api_dispatch() before the handler runs */
    char *body;               /* malloc'd, freed by the HTTP layer */
    const char *content_type; /* static; NULL = application/json */
    const char *allow;        /* for 405 and OPTIONS: the Allow header value */
    char allow_buf[64];
    /* A response produced piece by piece instead of body (a batch): read() writes up to max
     * bytes to buf and returns how many, 0 at the end, -1 on a failure that must cut the
     * response short; it is called on the thread that dispatched the request, while the HTTP
     * layer keeps the request's world referenced. free() releases cls, once, whether or not
     * the stream was read to the end. */
    struct {
        long (*read)(void *cls, char *buf, size_t max);
        void (*free)(void *cls);
        void *cls;
    } stream;
};

/* Fill res with an error: status from the code table, body {"code","message","message_en"}:
 * message in res->lang, message_en in English. api_error() takes the English text (its Czech is
 * the catalogue's entry for it when it has no conversions, else the English stands for both);
 * api_error_e() the texts of a struct kkc_err; api_errorf() renders a catalogued format in both. */
void api_error(struct api_res *res, enum kkc_code code, const char *message);
void api_error_e(struct api_res *res, enum kkc_code code, const struct kkc_err *e);
void api_errorf(struct api_res *res, enum kkc_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The language asked for: lang=cs|en (marked used; another value is KKC_EINVAL), else the
 * first of cs and en in Accept-Language by q-value, else Czech. */
enum kkc_code api_lang_of(const struct api_req *r, enum api_lang *lang, struct kkc_err *err);
/* The HTTP status for a geo/ error code (api.c holds the one table of geo/ codes to statuses,
 * and the one of the failures below). */
int api_status(enum kkc_code code);

/* Failures only HTTP knows, with no geo/ code behind them: their status and error code name. */
enum api_http_fail {
    API_EMETHOD,    /* 405 MethodNotAllowed: the method is not allowed on this resource */
    API_EAUTH,      /* 401 Unauthorized: credentials are needed and were not given */
    API_EFORBIDDEN, /* 403 Forbidden: credentials were given and are wrong */
    API_ESTATE,     /* 503 StateUnavailable: the shared state (PostgreSQL) cannot be reached */
    API_ETARGET,    /* 414 TooBig: the request target (path and query) is too long */
    API_EBUSY,      /* 429 TooManyRequests: the client's or the heavy pool's share is used up */
};
void api_error_http(struct api_res *res, enum api_http_fail f, const char *message);
void api_error_http_e(struct api_res *res, enum api_http_fail f, const struct kkc_err *e);
void api_error_httpf(struct api_res *res, enum api_http_fail f, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Answer with v (stolen) and status 200, or 503 when serialising ran out of memory. */
struct json_t;
void api_reply(struct api_res *res, struct json_t *v);

/* kind=police[,fire...] into a mask of 1 << enum centre_kind; absent = all kinds. */
enum kkc_code api_param_kinds(struct params *q, unsigned *mask, struct kkc_err *err);

/* bbox=minlon,minlat,maxlon,maxlat in degrees (min <= max) into b; *has = 0 when absent. */
enum kkc_code api_param_bbox(struct params *q, double b[4], int *has, struct kkc_err *err);

/* The query point: lon,lat (WGS84) or x,y with crs (default EPSG:5514, S-JTSK). */
struct point_in {
    double lon, lat;
    double sx, sy;   /* S-JTSK of the same point (NaN when it cannot be computed) */
    const char *crs; /* the input crs when x,y were given, else NULL */
    double x, y;
};
enum kkc_code api_param_point(const struct api_req *r, struct point_in *p, struct kkc_err *err);
/* The "query" object of a response: WGS84 and S-JTSK forms of the point (and the input). */
struct json_t *api_json_query(const struct point_in *p);

#endif
