/* service/routes.c -- the route table and the dispatcher (see routes.h). */
#include "routes.h"

#include "api_admin.h"
#include "api_batch.h"
#include "api_centres.h"
#include "api_closures.h"
#include "api_coverage.h"
#include "api_layers.h"
#include "api_osrm.h"
#include "api_plan.h"
#include "api_route.h"
#include "api_search.h"
#include "api_standards.h"

#include <stdio.h>
#include <string.h>

typedef void (*handler_fn)(const struct api_req *, struct api_res *);

enum route_auth {
    ROUTE_ADMIN, /* POST, PUT and DELETE are writes: routed only with an admin token configured,
                    served only to a request that carries it (api_dispatch checks it) */
    ROUTE_QUERY, /* POST is a query (a batch, a plan): served without a token */
};

/* One resource. path: exact; ending in '/', a prefix with one more path segment (the handler's
 * r->id); ending in a slash and a star, a prefix with any rest (OSRM's
 * /route/v1/{profile}/{coordinates}, the files of a directory). A row with no handler at all is
 * a file http.c serves (files: from which directory; index: the file for the exact path): only
 * its label and files are used. Fields left out are zero: no handler, ROUTE_ADMIN, the server's
 * body limit, the path itself as the label, cheap (answered on the HTTP workers). */
struct route {
    const char *path;
    const char *label; /* metrics label; NULL: the path */
    handler_fn get, post, put, del;
    enum route_auth auth;
    size_t body_max; /* largest POST body; 0: the server's default */
    int heavy;       /* 1: every request costs more than the cheap queries, GET too (POST, PUT
                        and DELETE are answered off the workers on every row) */
    enum route_files files;
    const char *index;
};

/* An OSRM service: /{service}/v1/{profile}/{coordinates}, all answered by api_osrm_dispatch. */
#define OSRM_SERVICE(s, expensive)                                                                 \
    {.path = "/" s "/v1/*", .label = "/" s "/v1/{profile}/{coordinates}",                          \
     .get = api_osrm_dispatch, .heavy = expensive}

static const struct route routes[] = {
    {.path = "/v1/health", .get = api_health},
    {.path = "/v1/openapi.json", .get = api_openapi},
    {.path = "/metrics", .get = api_metrics},
    {.path = "/v1/centres", .get = api_centres_list, .post = api_admin_create},
    {.path = "/v1/centres/", .label = "/v1/centres/{id}", .get = api_centre_get,
     .put = api_admin_update, .del = api_admin_delete},
    {.path = "/v1/closures", .get = api_closures_list, .post = api_closures_create},
    {.path = "/v1/closures/", .label = "/v1/closures/{id}", .put = api_closures_update,
     .del = api_closures_delete},
    {.path = "/v1/nearest", .get = api_nearest_get, .post = api_batch_nearest, .auth = ROUTE_QUERY,
     .body_max = API_BATCH_BODY_MAX},
    {.path = "/v1/layers/roads", .get = api_layers_roads},
    {.path = "/v1/layers/boundaries", .get = api_layers_boundaries},
    {.path = "/v1/municipalities", .get = api_layers_municipalities},
    {.path = "/v1/search", .get = api_search},
    {.path = "/v1/reverse", .get = api_reverse},
    {.path = "/v1/route", .get = api_route},
    {.path = "/v1/isochrone", .get = api_isochrone, .heavy = 1},
    {.path = "/v1/coverage", .get = api_coverage, .heavy = 1},
    {.path = "/v1/catchments", .get = api_catchments, .heavy = 1},
    {.path = "/v1/plan", .post = api_plan, .auth = ROUTE_QUERY, .heavy = 1},
    {.path = "/v1/standards", .get = api_standards_list},
    OSRM_SERVICE("route", 0),
    OSRM_SERVICE("nearest", 0),
    OSRM_SERVICE("table", 1),
    {.path = "/", .files = ROUTE_FILES_WEB, .index = "index.html"},
    {.path = "/static/*", .label = "/static/{file}", .files = ROUTE_FILES_WEB},
    {.path = "/leaflet/*", .label = "/leaflet/{file}", .files = ROUTE_FILES_LEAFLET},
};

static int route_matches(const struct route *rt, const char *path)
{
    size_t len = strlen(rt->path);
    if (len >= 2 && rt->path[len - 1] == '*')
        return strncmp(path, rt->path, len - 1) == 0;
    if (len > 1 && rt->path[len - 1] == '/')
        return strncmp(path, rt->path, len) == 0 && path[len] && !strchr(path + len, '/');
    return strcmp(path, rt->path) == 0;
}

static const struct route *route_find(const char *path)
{
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        if (route_matches(&routes[i], path))
            return &routes[i];
    return NULL;
}

static int route_is_file(const struct route *rt)
{
    return !rt->get && !rt->post && !rt->put && !rt->del;
}

static int is_get(const char *method)
{
    return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
}

/* The handler for method on rt, or NULL; writes only with an admin token configured. */
static handler_fn route_handler(const struct route *rt, const char *method, int admin)
{
    if (is_get(method))
        return rt->get;
    if (strcmp(method, "POST") == 0 && rt->auth == ROUTE_QUERY)
        return rt->post;
    if (!admin)
        return NULL;
    if (strcmp(method, "POST") == 0)
        return rt->post;
    if (strcmp(method, "PUT") == 0)
        return rt->put;
    if (strcmp(method, "DELETE") == 0)
        return rt->del;
    return NULL;
}

/* The Allow header value for rt into res->allow_buf. */
static void route_allow(const struct route *rt, int admin, struct api_res *res)
{
    snprintf(res->allow_buf, sizeof res->allow_buf, "%s%s%s%sOPTIONS",
             rt->get ? "GET, HEAD, " : "",
             (admin || rt->auth == ROUTE_QUERY) && rt->post ? "POST, " : "",
             admin && rt->put ? "PUT, " : "", admin && rt->del ? "DELETE, " : "");
    res->allow = res->allow_buf;
}

/* h for req, with r->id the path's segment after a "/prefix/" row's path. */
static void route_call(const struct route *rt, handler_fn h, const struct api_req *req,
                       struct api_res *res)
{
    size_t len = strlen(rt->path);
    struct api_req r = *req;
    r.id = rt->path[len - 1] == '/' && len > 1 ? req->path + len : NULL;
    h(&r, res);
}

void api_dispatch(const struct api_req *req, struct api_res *res)
{
    const struct route *rt = route_find(req->path);
    int admin = req->srv && req->srv->admin_token;
    handler_fn h;
    struct kkc_err err = {0};

    memset(res, 0, sizeof *res);
    if (api_lang_of(req, &res->lang, &err)) {
        api_error_e(res, err.code, &err);
        return;
    }
    if (!rt || route_is_file(rt)) {
        api_errorf(res, KKC_ENOTFOUND, "no such endpoint: %.100s", req->path);
        return;
    }
    if (strcmp(req->method, "OPTIONS") == 0) {
        res->status = 204;
        route_allow(rt, admin, res);
        return;
    }
    h = route_handler(rt, req->method, admin);
    if (!h) {
        route_allow(rt, admin, res);
        api_error_httpf(res, API_EMETHOD, "method %.16s is not allowed here (allowed: %s)",
                        req->method, res->allow);
        return;
    }
    if (rt->auth == ROUTE_ADMIN && !is_get(req->method) && api_admin_check_token(req, res))
        return; /* 401 or 403 */
    route_call(rt, h, req, res);
}

void api_route_facts(const char *method, const char *path, size_t dflt_body,
                     struct route_facts *f)
{
    const struct route *rt = route_find(path);
    size_t len = rt ? strlen(rt->path) : 0;
    memset(f, 0, sizeof *f);
    f->label = !rt ? "other" : rt->label ? rt->label : rt->path;
    f->body_max = rt && strcmp(method, "POST") == 0 && rt->body_max > dflt_body ? rt->body_max
                                                                               : dflt_body;
    if (!rt)
        return;
    if (route_is_file(rt)) {
        f->files = rt->files;
        f->file = rt->path[len - 1] == '*' ? path + len - 1 : rt->index;
        return;
    }
    /* batches, plans and admin writes (a write loads a new world) */
    f->heavy = strcmp(method, "OPTIONS") != 0 && (rt->heavy || !is_get(method));
}
