/* service/routes.h -- the one route table of the HTTP API and the dispatcher over it.
 *
 * Every row carries all there is to know about a resource: its path, the handler per method,
 * the label its requests are counted under in /metrics, the largest body it accepts and whether
 * its POST is a query or an admin write. http.c asks it for limits and labels before reading a
 * body; the CLI calls api_dispatch() in process (cli_call.h). */
#ifndef KKC_ROUTES_H
#define KKC_ROUTES_H

#include "api.h"

#include <stddef.h>

/* Route and answer one request. Always fills res (an error body on failure). */
void api_dispatch(const struct api_req *req, struct api_res *res);

/* The route pattern a path is served by ("/v1/centres/{id}", "/route/v1/{profile}/{coordinates}",
 * "/" for the page), or "other" for a path no route serves: a bounded set of static strings, for
 * metrics labels. */
const char *api_route_label(const char *path);

/* 1 when method and path cost more than the cheap queries (isochrones, coverage, catchments,
 * OSRM tables, every POST, PUT and DELETE): http.c answers them off its workers. */
int api_route_heavy(const char *method, const char *path);
/* The largest request body accepted for method and path: dflt, or the route's own limit for a
 * POST when that is larger (POST /v1/nearest takes batches). */
size_t api_body_limit(const char *method, const char *path, size_t dflt);

#endif
