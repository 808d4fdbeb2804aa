/* service/api_response.h -- GET /v1/nearest by response time (by=response) and with a cutoff
 * (max_minutes=): every centre reaching the point within T, turnout + drive
 * (geo/coverage/response.h). */
#ifndef KKC_API_RESPONSE_H
#define KKC_API_RESPONSE_H

#include "api.h"

#include <stddef.h>

struct point_in;

/* The k nearest (k = 0: all) centres of the kinds in mask to p by response time (turnout added
 * when with_turnout, else drive time), only those within max_minutes when > 0, on the roads
 * weighted for profile (api_profile.h). */
void api_nearest_response(const struct api_req *r, struct api_res *res, const struct point_in *p,
                          unsigned mask, int include_closed, int with_turnout, double max_minutes,
                          size_t k, double radius_m, int profile);

#endif
