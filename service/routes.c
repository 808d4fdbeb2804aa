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
    ROUTE_ADMIN, /* POST, PUT and DELETE are writes: only with an admin token configured (the
                    handlers check the token itself) */
    ROUTE_QUERY, /* POST is a query (a batch, a plan): served without a token */
};

/* One resource. path: exact; ending in '/', a prefix with one more path segment; ending in
 * a slash and a star, a prefix with any rest (OSRM's /route/v1/{profile}/{coordinates}). A row with
 * no handler at all is a file http.c serves: only its label is used. Fields left out are zero: no
 * handler, ROUTE_ADMIN, the server's body limit, and the path itself as the label. */
struct route {
    const char *path;
    const char *label; /* metrics label; NULL: the path */
    handler_fn get, post, put, del;
    enum route_auth auth;
    size_t body_max; /* largest POST body; 0: the server's default */
};

/* An OSRM service: /{service}/v1/{profile}/{coordinates}, all answered by api_osrm_dispatch. */
#define OSRM_SERVICE(s)                                                                            \
    {.path = "/" s "/v1/*", .label = "/" s "/v1/{profile}/{coordinates}",                          \
     .get = api_osrm_dispatch}

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
    {.path = "/v1/isochrone", .get = api_isochrone},
    {.path = "/v1/coverage", .get = api_coverage},
    {.path = "/v1/catchments", .get = api_catchments},
    {.path = "/v1/plan", .post = api_plan, .auth = ROUTE_QUERY},
    {.path = "/v1/standards", .get = api_standards_list},
    OSRM_SERVICE("route"),
    OSRM_SERVICE("nearest"),
    OSRM_SERVICE("table"),
    {.path = "/"},
    {.path = "/static/*", .label = "/static/{file}"},
    {.path = "/leaflet/*", .label = "/leaflet/{file}"},
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

/* The handler for method on rt, or NULL; writes only with an admin token configured. */
static handler_fn route_handler(const struct route *rt, const char *method, int admin)
{
    if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
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
        route_allow(rt, admin, res);
        return;
    }
    h(req, res);
}

static const char *route_label(const struct route *rt)
{
    return rt->label ? rt->label : rt->path;
}

const char *api_route_label(const char *path)
{
    const struct route *rt = route_find(path);
    return rt ? route_label(rt) : "other";
}

int api_route_heavy(const char *method, const char *path)
{
    static const char *const heavy[] = {"/v1/isochrone", "/v1/coverage", "/v1/catchments",
                                        "/v1/plan", "/table/v1/{profile}/{coordinates}", NULL};
    const struct route *rt = route_find(path);
    if (!rt || route_is_file(rt) || strcmp(method, "OPTIONS") == 0)
        return 0;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return 1; /* batches, plans and admin writes (a write loads a new world) */
    for (int i = 0; heavy[i]; i++)
        if (strcmp(route_label(rt), heavy[i]) == 0)
            return 1;
    return 0;
}

size_t api_body_limit(const char *method, const char *path, size_t dflt)
{
    const struct route *rt = route_find(path);
    if (rt && strcmp(method, "POST") == 0 && rt->body_max > dflt)
        return rt->body_max;
    return dflt;
}
