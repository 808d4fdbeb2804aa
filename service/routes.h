/* service/routes.h -- the one route table of the HTTP API and the dispatcher over it.
 *
 * Every row carries all there is to know about a resource: its path, the handler per method,
 * the label its requests are counted under in /metrics, the largest body it accepts, whether
 * its POST is a query or an admin write (a write is served only to a request with the admin
 * token: api_dispatch checks it before the handler runs), whether it is answered off the HTTP
 * workers (the heavy pool) and, for the map page's files, which directory serves it. http.c
 * asks for a request's facts once, before reading its body (api_route_facts); the CLI calls
 * api_dispatch() in process (cli_call.h). */
#ifndef KKC_ROUTES_H
#define KKC_ROUTES_H

#include "api.h"

#include <stddef.h>

/* Route and answer one request. Always fills res (an error body on failure). The handler gets
 * the request with r->id set for a row "/prefix/{id}". */
void api_dispatch(const struct api_req *req, struct api_res *res);

/* Where a row's files come from (http.c knows the directories). */
enum route_files { ROUTE_NO_FILES = 0, ROUTE_FILES_WEB, ROUTE_FILES_LEAFLET };

/* What the HTTP layer needs of a request before its body, from the row serving its path. */
struct route_facts {
    const char *label;      /* metrics label: the route pattern ("/v1/centres/{id}", "/" for the
                               page), or "other" for a path no route serves; static */
    size_t body_max;        /* the largest body accepted: the default given, or the row's own
                               larger limit for a POST (POST /v1/nearest takes batches) */
    int heavy;              /* 1: answered off the workers (the row's expensive GET: isochrones,
                               coverage, catchments, OSRM tables; and every POST, PUT, DELETE) */
    enum route_files files; /* a file row: its directory, file the file under it; else 0 */
    const char *file;       /* for a file row: the file's path under the directory */
};

/* The facts of method and path (dflt_body: the server's body limit). */
void api_route_facts(const char *method, const char *path, size_t dflt_body,
                     struct route_facts *f);

#endif
