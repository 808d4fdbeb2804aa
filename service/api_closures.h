/* service/api_closures.h -- road closures over HTTP: GET /v1/closures[?active=true]
 * [&format=geojson] for everyone; POST /v1/closures, PUT / DELETE /v1/closures/{id} with the
 * admin token. A write is one transaction (geo/closures/closures_store.c); after it a new world
 * (graph with the closures' weights, labels) is loaded aside and swapped in before the answer,
 * so every request that starts after a 2xx answer sees the closure. */
#ifndef KKC_API_CLOSURES_H
#define KKC_API_CLOSURES_H

#include "api.h"

void api_closures_list(const struct api_req *r, struct api_res *res);
void api_closures_create(const struct api_req *r, struct api_res *res);
void api_closures_update(const struct api_req *r, struct api_res *res);
void api_closures_delete(const struct api_req *r, struct api_res *res);

#endif
