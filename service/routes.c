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
 * a slash and a star, a prefix with any rest (OSRM's /route/v1/{profile}/{coordinates}). A row with no
 * handler at all is a file http.c serves: only its label is used. */
struct route {
    const char *path;
    const char *label; /* metrics label */
    handler_fn get, post, put, del;
    enum route_auth auth;
    size_t body_max; /* largest POST body; 0: the server's default */
};

static const struct route routes[] = {
    {"/v1/health", "/v1/health", api_health, NULL, NULL, NULL, ROUTE_ADMIN, 0},
    {"/v1/openapi.json", "/v1/openapi.json", api_openapi, NULL, NULL, NULL, ROUTE_ADMIN, 0},
    {"/metrics", "/metrics", api_metrics, NULL, NULL, NULL, ROUTE_ADMIN, 0},
    {"/v1/centres", "/v1/centres", api_centres_list, api_admin_create, NULL, NULL, ROUTE_ADMIN,
     0},
    {"/v1/centres/", "/v1/centres/{id}", api_centre_get, NULL, api_admin_update,
     api_admin_delete, ROUTE_ADMIN, 0},
    {"/v1/closures", "/v1/closures", api_closures_list, api_closures_create, NULL, NULL,
     ROUTE_ADMIN, 0},
    {"/v1/closures/", "/v1/closures/{id}", NULL, NULL, api_closures_update,
     api_closures_delete, ROUTE_ADMIN, 0},
    {"/v1/nearest", "/v1/nearest", api_nearest_get, api_batch_nearest, NULL, NULL, ROUTE_QUERY,
     API_BATCH_BODY_MAX},
    {"/v1/layers/roads", "/v1/layers/roads", api_layers_roads, NULL, NULL, NULL, ROUTE_ADMIN, 0},
    {"/v1/layers/boundaries", "/v1/layers/boundaries", api_layers_boundaries, NULL, NULL, NULL,
     ROUTE_ADMIN, 0},
    {"/v1/municipalities", "/v1/municipalities", api_layers_municipalities, NULL, NULL, NULL,
     ROUTE_ADMIN, 0},
    {"/v1/search", "/v1/search", api_search, NULL, NULL, NULL, ROUTE_ADMIN, 0},
    {"/v1/reverse", "/v1/reverse", api_reverse, NULL, NULL, NULL, ROUTE_ADMIN, 0},
    {"/v1/route", "/v1/route", api_route, NULL, NULL, NULL, ROUTE_ADMIN, 0},
    {"/v1/isochrone", "/v1/isochrone", api_isochrone, NULL, NULL, NULL, ROUTE_ADMIN, 0},
    {"/v1/coverage", "/v1/coverage", api_coverage, NULL, NULL, NULL, ROUTE_ADMIN, 0},
    {"/v1/catchments", "/v1/catchments", api_catchments, NULL, NULL, NULL, ROUTE_ADMIN, 0},
    {"/v1/plan", "/v1/plan", NULL, api_plan, NULL, NULL, ROUTE_QUERY, 0},
    {"/v1/standards", "/v1/standards", api_standards_list, NULL, NULL, NULL, ROUTE_ADMIN, 0},
    {"/route/v1/*", "/route/v1/{profile}/{coordinates}", api_osrm_dispatch, NULL, NULL, NULL,
     ROUTE_ADMIN, 0},
    {"/nearest/v1/*", "/nearest/v1/{profile}/{coordinates}", api_osrm_dispatch, NULL, NULL, NULL,
     ROUTE_ADMIN, 0},
    {"/table/v1/*", "/table/v1/{profile}/{coordinates}", api_osrm_dispatch, NULL, NULL, NULL,
     ROUTE_ADMIN, 0},
    {"/", "/", NULL, NULL, NULL, NULL, ROUTE_ADMIN, 0},
    {"/static/*", "/static/{file}", NULL, NULL, NULL, NULL, ROUTE_ADMIN, 0},
    {"/leaflet/*", "/leaflet/{file}", NULL, NULL, NULL, NULL, ROUTE_ADMIN, 0},
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

const char *api_route_label(const char *path)
{
    const struct route *rt = route_find(path);
    return rt ? rt->label : "other";
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
        if (strcmp(rt->label, heavy[i]) == 0)
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
