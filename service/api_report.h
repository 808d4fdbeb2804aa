/* service/api_report.h -- the planner's report on a coverage answer: the distribution of
 * response times (population per minute), the standard applied, and the report as CSV (the
 * regions of the breakdown, then the worst municipalities). */
#ifndef KKC_API_REPORT_H
#define KKC_API_REPORT_H

#include "api.h"
#include "coverage/coverage.h"
#include "coverage/standards.h"

#define REPORT_MINUTES_MAX 60 /* distribution bins: 0..59 minutes, then "later or never" */

/* Add "distribution" (by road only) and "standard" (when st) to the JSON report o. */
void api_report_extend(struct json_t *o, const struct coverage_base *b,
                       const struct coverage_request *q, const struct standard *st,
                       const struct coverage_result *cr);

/* Reply with the report as CSV (text/csv; UTF-8, comma separated, one header per section). */
void api_report_csv(struct api_res *res, const struct coverage_base *b,
                    const struct coverage_request *q, const struct coverage_result *cr);

/* breakdown= into *out (COVERAGE_COUNTRY: the default, the level below the region's). */
struct params;
enum kkc_code api_param_breakdown(struct params *q, enum coverage_level *out, struct kkc_err *err);

/* nth= and turnout= (seconds, of added sites) into q; when need_threshold, response=true and
 * nth > 1 need q->minutes. */
enum kkc_code api_response_params(const struct api_req *r, int need_threshold,
                                  struct coverage_request *q, struct kkc_err *err);

#endif
