/* service/api_plan.h -- POST /v1/plan: where new centres would cover the most people, and which
 * centres could close losing the fewest (location-allocation, geo/coverage/plan.h). */
#ifndef KKC_API_PLAN_H
#define KKC_API_PLAN_H

#include "api.h"

/* POST /v1/plan with a JSON object body (no query parameters):
 *   {"kind": "police" | "police,fire" | ["police", ...]   (default: every kind)
 *    "minutes": T (0..120] | "km": D (0..200]              (exactly one)
 *    "add": N | "remove": N                                 (exactly one, 1..20)
 *    "candidates": "municipalities" | [[lon, lat], ...]     (add only; default municipalities
 *                                                            of the region; at most 10,000)
 *    "close": ["ID", ...]                                   (centres treated as closed, <= 64)
 *    "region": "CZ052" | "LEVEL:CODE" | "network"           (default as /v1/coverage)
 *    "method": "auto" | "greedy" | "exact"}                 (default auto)
 * answers the chosen sites in order, each with the population it gains (or loses) and the
 * covered share after it, the objective, the method and the greedy guarantee (see the OpenAPI
 * description). 400 for a malformed body (jansson's line, column and position), an unknown
 * field or a bad value, or a region without census population; 413 for more than 10,000
 * candidates (or a body over the server's cap); 422 NoSegment for minutes where no roads are. */
void api_plan(const struct api_req *r, struct api_res *res);

#endif
