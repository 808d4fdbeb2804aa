/* service/api_standards.h -- the response standards (geo/coverage/standards.h) the service
 * knows: the built-in data/standards.csv, or the file named by KKC_STANDARDS; GET
 * /v1/standards lists them; standard=ID on /v1/coverage and POST /v1/plan applies one. */
#ifndef KKC_API_STANDARDS_H
#define KKC_API_STANDARDS_H

#include "api.h"
#include "coverage/coverage.h"
#include "coverage/standards.h"

/* The standards, parsed once (NULL when the file is bad: the message in *err). */
const struct standards *api_standards(struct kkc_err *err);

/* Apply the standard named id to q: kind, minutes, nth, the turnout rule. KKC_EINVAL naming the
 * known ones when there is no such standard. */
enum kkc_code api_standard_apply(const char *id, struct coverage_request *q,
                                 const struct standard **out, struct kkc_err *err);

/* The standard as JSON (id, kind, minutes, nth, turnout, descriptions, source). */
struct json_t *api_standard_json(const struct standard *s);

/* GET /v1/standards */
void api_standards_list(const struct api_req *r, struct api_res *res);

#endif
