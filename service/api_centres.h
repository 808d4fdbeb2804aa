/* service/api_centres.h -- GET handlers of the centres and of the service itself:
 *   /v1/health            counts, data version, road graph facts
 *   /v1/centres           list (kind, bbox, include_closed, format=json|geojson)
 *   /v1/centres/{id}      one centre
 *   /v1/nearest           the k nearest centres, by=distance or by=time
 *   /v1/openapi.json      the OpenAPI description loaded at start
 *   /metrics              Prometheus text: request counters and world gauges */
#ifndef KKC_API_CENTRES_H
#define KKC_API_CENTRES_H

#include "api.h"

void api_health(const struct api_req *r, struct api_res *res);
void api_centres_list(const struct api_req *r, struct api_res *res);
void api_centre_get(const struct api_req *r, struct api_res *res);
void api_nearest_get(const struct api_req *r, struct api_res *res);
void api_openapi(const struct api_req *r, struct api_res *res);
void api_metrics(const struct api_req *r, struct api_res *res);

#endif
