/* service/http_heavy.h -- a separate allowance for expensive requests.
 *
 * Isochrones, coverage, catchments, plans, OSRM tables, batches and admin writes (the route
 * table's heavy rows and every POST, PUT and DELETE: routes.h) do not run on the HTTP workers: the worker suspends the connection and queues the request here; a few
 * threads of this pool answer the queue in order and resume the connection, whose worker then
 * sends the answer. The workers stay free for /v1/health, /v1/nearest and the other cheap
 * requests whatever the heavy ones cost. A full queue is refused at once (429, Retry-After). */
#ifndef KKC_HTTP_HEAVY_H
#define KKC_HTTP_HEAVY_H

#include "api.h"
#include "params.h"

#include <microhttpd.h>

struct heavy;
struct world_holder;

/* One queued request: filled by the worker, answered into res by the pool. */
struct heavy_task {
    struct MHD_Connection *con;
    struct world_holder *worlds;
    struct api_req ar; /* ar.q points to q; ar.w and ar.t are set by the pool thread */
    struct params q;
    struct api_res res;
    struct world *w;   /* the world res was answered from (the caller releases it) */
};

/* threads answering, queue: tasks waiting at most (both >= 1). NULL when out of resources. */
struct heavy *heavy_create(int threads, int queue);
/* Answer what is queued, then stop the threads. NULL is a no-op. */
void heavy_destroy(struct heavy *h);
/* Suspend t->con and queue t; 0, or -1 (nothing done) when the queue is full. */
int heavy_submit(struct heavy *h, struct heavy_task *t);
/* Tasks waiting or running now (for the 429 message). */
int heavy_load(struct heavy *h);

#endif
