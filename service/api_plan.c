/* service/api_plan.c -- POST /v1/plan: the JSON body into a struct plan_request,
 * geo/coverage/plan.c does the work with this thread's GEOS and PROJ contexts and the world's
 * coverage data (api_coverage_base), and this file turns the answer into JSON. Parsing is strict:
 * every field is known and typed, and a malformed body is reported at jansson's own position. */
#include "api_plan.h"

#include "api_avoid.h"
#include "tctx.h"

#include "api_coverage.h"
#include "centres/centres.h"
#include "json_out.h"
#include "coverage/plan.h"
#include "coverage/response.h"
#include "api_standards.h"
#include "world.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MINUTES_MAX 120.0 /* as GET /v1/coverage */
#define KM_MAX 200.0
#define POPULATION_SOURCE "csu_sldb_2011"
#define WHAT_IF_MAX 4096 /* bytes of the add= / close= values shown */

static const char *const fields[] = {"kind",       "minutes",  "km",     "add",    "remove",
                                     "candidates", "close",    "region", "method", "response",
                                     "turnout",    "standard", "nth",    "added",  NULL};

/* ---------------------------------------------------------------- the body ---------------- */

/* Everything the body asks, with its storage. */
struct plan_body {
    struct plan_request q;
    long closed[COVERAGE_CLOSED_MAX];
    double *cand; /* lon,lat pairs, malloc'd; NULL for the municipalities */
    double added[2 * COVERAGE_ADDED_MAX]; /* the what-if's added sites of the kinds asked */
    size_t nadded_given;                  /* in the body, of any kind */
};

/* The body as a JSON object into *v (the caller's); 400 with jansson's position when malformed. */
static enum kkc_code body_load(const struct api_req *r, json_t **v, struct kkc_err *err)
{
    json_error_t je;
    const char *key;
    json_t *val;
    if (!r->body || r->body_len == 0)
        return kkc_err_set(err, KKC_EINVAL, "a JSON object body is required");
    if (!(*v = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &je)))
        return kkc_err_set(err, KKC_EINVAL,
                           "malformed JSON body at line %d, column %d (position %d): %s", je.line,
                           je.column, je.position, je.text);
    if (!json_is_object(*v))
        return kkc_err_set(err, KKC_EINVAL, "the body must be a JSON object");
    json_object_foreach(*v, key, val)
    {
        size_t i = 0;
        while (fields[i] && strcmp(fields[i], key) != 0)
            i++;
        if (!fields[i])
            return kkc_err_set(
                err, KKC_EINVAL,
                "unknown field '%.40s' (kind, minutes, km, add, remove, "
                "candidates, close, region, method, response, turnout, standard, nth, "
                "added)",
                key);
    }
    return KKC_OK;
}

/* "kind": a string (comma list) or an array of strings, parsed as the kind= parameter. */
static enum kkc_code body_kinds(json_t *v, unsigned *mask, struct kkc_err *err)
{
    json_t *k = json_object_get(v, "kind"), *it;
    char buf[64] = "";
    struct params p;
    size_t i, len = 0;
    *mask = KIND_MASK_ALL;
    if (!k)
        return KKC_OK;
    if (json_is_string(k) && json_string_length(k) < sizeof buf)
        snprintf(buf, sizeof buf, "%s", json_string_value(k));
    else if (!json_is_array(k))
        return kkc_err_set(err, KKC_EINVAL, "kind must be a string or an array of strings");
    json_array_foreach(k, i, it)
    {
        if (!json_is_string(it) || len + json_string_length(it) + 2 > sizeof buf)
            return kkc_err_set(err, KKC_EINVAL, "kind must name police, fire or ambulance");
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", i ? "," : "",
                                json_string_value(it));
    }
    params_init(&p);
    params_add(&p, "kind", buf);
    return api_param_kinds(&p, mask, err);
}

/* "minutes" or "km": exactly one, a number in range. */
static enum kkc_code body_threshold(json_t *v, struct coverage_request *c, struct kkc_err *err)
{
    json_t *m = json_object_get(v, "minutes"), *k = json_object_get(v, "km");
    if (json_object_get(v, "standard") && !m && !k)
        return KKC_OK; /* the standard sets them (body_response) */
    if (!m == !k)
        return kkc_err_set(err, KKC_EINVAL, "give exactly one of minutes (0..%g] and km (0..%g]",
                           MINUTES_MAX, KM_MAX);
    if (m &&
        (!json_is_number(m) || !(json_number_value(m) > 0) || json_number_value(m) > MINUTES_MAX))
        return kkc_err_set(err, KKC_EINVAL, "minutes must be a number in (0, %g]", MINUTES_MAX);
    if (k && (!json_is_number(k) || !(json_number_value(k) > 0) || json_number_value(k) > KM_MAX))
        return kkc_err_set(err, KKC_EINVAL, "km must be a number in (0, %g]", KM_MAX);
    c->minutes = m ? json_number_value(m) : 0;
    c->km = k ? json_number_value(k) : 0;
    return KKC_OK;
}

/* "add" or "remove": exactly one, an integer 1..PLAN_COUNT_MAX. */
static enum kkc_code body_count(json_t *v, struct plan_request *q, struct kkc_err *err)
{
    json_t *a = json_object_get(v, "add"), *r = json_object_get(v, "remove"), *n = a ? a : r;
    if (!a == !r)
        return kkc_err_set(err, KKC_EINVAL, "give exactly one of add and remove (1..%d)",
                           PLAN_COUNT_MAX);
    if (!json_is_integer(n) || json_integer_value(n) < 1 || json_integer_value(n) > PLAN_COUNT_MAX)
        return kkc_err_set(err, KKC_EINVAL, "%s must be an integer 1..%d", a ? "add" : "remove",
                           PLAN_COUNT_MAX);
    q->goal = a ? PLAN_ADD : PLAN_REMOVE;
    q->count = (size_t)json_integer_value(n);
    return KKC_OK;
}

/* "candidates": "municipalities" or [[lon, lat], ...] into p->cand. */
static enum kkc_code body_candidates(json_t *v, struct plan_body *p, struct kkc_err *err)
{
    json_t *c = json_object_get(v, "candidates"), *it;
    size_t i;
    if (!c || (json_is_string(c) && strcmp(json_string_value(c), "municipalities") == 0))
        return KKC_OK;
    if (p->q.goal == PLAN_REMOVE)
        return kkc_err_set(err, KKC_EINVAL, "candidates go with add, not remove");
    if (!json_is_array(c) || json_array_size(c) == 0)
        return kkc_err_set(err, KKC_EINVAL,
                           "candidates must be \"municipalities\" or [[lon, lat], ...]");
    if (json_array_size(c) > PLAN_CANDIDATES_MAX)
        return kkc_err_set(err, KKC_ETOOBIG, "at most %d candidates", PLAN_CANDIDATES_MAX);
    if (!(p->cand = malloc(2 * json_array_size(c) * sizeof *p->cand)))
        return kkc_err_set(err, KKC_ENOMEM, "out of memory");
    json_array_foreach(c, i, it)
    {
        json_t *x = json_array_get(it, 0), *y = json_array_get(it, 1);
        if (!json_is_array(it) || json_array_size(it) != 2 || !json_is_number(x) ||
            !json_is_number(y) || fabs(json_number_value(x)) > 180 ||
            fabs(json_number_value(y)) > 90)
            return kkc_err_set(err, KKC_EINVAL,
                               "candidates[%zu] must be [lon, lat] in WGS84 degrees", i);
        p->cand[2 * i] = json_number_value(x), p->cand[2 * i + 1] = json_number_value(y);
    }
    p->q.cand = p->cand, p->q.ncand = json_array_size(c);
    return KKC_OK;
}

/* "close": centre ids into p->closed. */
static enum kkc_code body_close(const struct api_req *r, json_t *v, struct plan_body *p,
                                struct kkc_err *err)
{
    json_t *c = json_object_get(v, "close"), *it;
    size_t i;
    if (!c)
        return KKC_OK;
    if (!json_is_array(c) || json_array_size(c) > COVERAGE_CLOSED_MAX)
        return kkc_err_set(err, KKC_EINVAL, "close must be an array of at most %d centre ids",
                           COVERAGE_CLOSED_MAX);
    json_array_foreach(c, i, it)
    {
        if (!json_is_string(it) ||
            (p->closed[i] = centres_find(r->w->centres, json_string_value(it))) < 0)
            return kkc_err_set(err, KKC_EINVAL, "close: no centre with id '%.64s'",
                               json_is_string(it) ? json_string_value(it) : "(not a string)");
    }
    p->q.cov.closed = p->closed, p->q.cov.nclosed = json_array_size(c);
    return KKC_OK;
}

/* "region" and "method". */
static enum kkc_code body_region_method(json_t *v, const struct coverage_base *b,
                                        struct plan_body *p, struct kkc_err *err)
{
    static const char *const methods[] = {"auto", "greedy", "exact", NULL};
    json_t *reg = json_object_get(v, "region"), *m = json_object_get(v, "method");
    size_t i = 0;
    p->q.cov.region = -1;
    if (reg && (!json_is_string(reg) ||
                (p->q.cov.region = coverage_region_find(b, json_string_value(reg))) < 0))
        return kkc_err_set(err, KKC_EINVAL,
                           "no region '%.40s' (a kraj, okres or ORP code such as CZ052, "
                           "LEVEL:CODE, or network)",
                           json_is_string(reg) ? json_string_value(reg) : "(not a string)");
    while (m && methods[i] && (!json_is_string(m) || strcmp(json_string_value(m), methods[i])))
        i++;
    if (m && !methods[i])
        return kkc_err_set(err, KKC_EINVAL, "method must be auto, greedy or exact");
    p->q.method = (enum plan_method)i; /* PLAN_AUTO, PLAN_GREEDY, PLAN_EXACT in that order */
    return KKC_OK;
}

/* "response" (boolean: turnout + drive time) and "turnout" (seconds for the added sites). */
static enum kkc_code body_response(json_t *v, struct coverage_request *q, struct kkc_err *err)
{
    json_t *resp = json_object_get(v, "response"), *t = json_object_get(v, "turnout");
    if (resp && !json_is_boolean(resp))
        return kkc_err_set(err, KKC_EINVAL, "response must be true or false");
    q->response = resp && json_is_true(resp);
    if (t && (!json_is_integer(t) || json_integer_value(t) < 0 ||
              json_integer_value(t) > RESPONSE_TURNOUT_MAX_S))
        return kkc_err_set(err, KKC_EINVAL, "turnout must be 0..%d seconds",
                           RESPONSE_TURNOUT_MAX_S);
    q->added_turnout_s = t ? (int)json_integer_value(t) : 0;
    q->added_turnout_set = t != NULL; /* 0 is 0 s; absent: the kinds' least default */
    json_t *nth = json_object_get(v, "nth");
    if (nth && (!json_is_integer(nth) || json_integer_value(nth) < 1 ||
                json_integer_value(nth) > RESPONSE_NTH_MAX))
        return kkc_err_set(err, KKC_EINVAL, "nth must be 1..%d", RESPONSE_NTH_MAX);
    q->nth = nth ? (int)json_integer_value(nth) : 1;
    if (q->nth > 1 && !(q->minutes > 0) && !json_object_get(v, "standard"))
        return kkc_err_set(err, KKC_EINVAL, "nth needs minutes (by road)");
    json_t *st = json_object_get(v, "standard");
    if (st && !json_is_string(st))
        return kkc_err_set(err, KKC_EINVAL,
                           "standard must be a string (an id of GET /v1/standards)");
    if (st && (json_object_get(v, "minutes") || json_object_get(v, "km") ||
               json_object_get(v, "kind") || resp))
        return kkc_err_set(err, KKC_EINVAL,
                           "a standard sets kind, minutes and the turnout rule; do not give them");
    if (st)
        return api_standard_apply(json_string_value(st), q, NULL, err);
    if (q->response && !(q->minutes > 0))
        return kkc_err_set(err, KKC_EINVAL, "response=true needs minutes (by road)");
    return KKC_OK;
}

/* One added site: {"lon", "lat", "kind"?}; its kind (-1: none given) into *kind. */
static enum kkc_code body_added_site(json_t *it, size_t i, double *lon, double *lat, int *kind,
                                     struct kkc_err *err)
{
    json_t *x = json_object_get(it, "lon"), *y = json_object_get(it, "lat");
    json_t *k = json_object_get(it, "kind");
    if (!json_is_object(it) || json_object_size(it) != 2u + !!k || !json_is_number(x) ||
        !json_is_number(y) || fabs(json_number_value(x)) > 180 || fabs(json_number_value(y)) > 90)
        return kkc_err_set(err, KKC_EINVAL,
                           "added[%zu] must be {\"lon\", \"lat\"[, \"kind\"]} in WGS84 degrees",
                           i);
    *kind = k && json_is_string(k) ? centres_kind_parse(json_string_value(k)) : -1;
    if (k && *kind < 0)
        return kkc_err_set(err, KKC_EINVAL,
                           "added[%zu]: kind must be police, fire or ambulance", i);
    *lon = json_number_value(x), *lat = json_number_value(y);
    return KKC_OK;
}

/* "added": sites the planner added as a what-if, [{lon, lat, kind}]. Those of the kinds asked
 * (or without a kind) count as existing centres; the others are left out (and counted). */
static enum kkc_code body_added(json_t *v, struct plan_body *p, struct kkc_err *err)
{
    json_t *a = json_object_get(v, "added"), *it;
    size_t i;
    if (!a)
        return KKC_OK;
    if (!json_is_array(a) || json_array_size(a) > COVERAGE_ADDED_MAX)
        return kkc_err_set(err, KKC_EINVAL, "added must be an array of at most %d sites",
                           COVERAGE_ADDED_MAX);
    json_array_foreach(a, i, it)
    {
        double lon = 0, lat = 0;
        int kind = -1;
        enum kkc_code rc = body_added_site(it, i, &lon, &lat, &kind, err);
        if (rc)
            return rc;
        if (kind >= 0 && !(p->q.cov.kind_mask & (1u << kind)))
            continue;
        p->added[2 * p->q.cov.nadded] = lon, p->added[2 * p->q.cov.nadded + 1] = lat;
        p->q.cov.nadded++;
    }
    p->nadded_given = json_array_size(a);
    p->q.cov.added = p->added;
    return KKC_OK;
}

/* The whole body into p (zeroed by the caller). */
static enum kkc_code body_parse(const struct api_req *r, const struct coverage_base *b,
                                struct plan_body *p, struct kkc_err *err)
{
    json_t *v = NULL;
    enum kkc_code rc = body_load(r, &v, err);
    if (!rc)
        rc = body_kinds(v, &p->q.cov.kind_mask, err);
    if (!rc)
        rc = body_threshold(v, &p->q.cov, err);
    if (!rc)
        rc = body_count(v, &p->q, err);
    if (!rc)
        rc = body_candidates(v, p, err);
    if (!rc)
        rc = body_close(r, v, p, err);
    if (!rc)
        rc = body_region_method(v, b, p, err);
    if (!rc)
        rc = body_response(v, &p->q.cov, err);
    if (!rc)
        rc = body_added(v, p, err);
    json_decref(v);
    return rc;
}

/* ---------------------------------------------------------------- the answer -------------- */

static json_t *kkc_json_share(long covered, long total)
{
    return total > 0 ? kkc_json_num((double)covered / (double)total, 6) : json_null();
}

/* The municipalities a step changes. */
static json_t *kkc_json_step_munis(const struct coverage_base *b, const struct plan_result *pr,
                               const struct plan_step *st)
{
    json_t *a = json_array();
    for (size_t i = st->first; i < st->first + st->n; i++) {
        const struct coverage_muni *m = &b->muni[pr->munis[i]];
        json_array_append_new(
            a, json_pack("{s:s, s:s, s:o}", "code", m->code, "name", m->name, "population",
                         m->population >= 0 ? json_integer(m->population) : json_null()));
    }
    return a;
}

/* One chosen site: rank, position, what it is, what it changes. */
static json_t *kkc_json_step(const struct api_req *r, const struct coverage_base *b,
                         const struct plan_body *p, const struct plan_result *pr, size_t k)
{
    const struct plan_step *st = &pr->step[k];
    int add = p->q.goal == PLAN_ADD;
    json_t *o = json_pack("{s:I, s:o, s:o}", "rank", (json_int_t)(k + 1), "lon",
                          kkc_json_num(st->lon, 7), "lat", kkc_json_num(st->lat, 7));
    if (!add) {
        const struct centre *c = centres_get(r->w->centres, (size_t)st->site);
        json_object_set_new(o, "centre",
                            json_pack("{s:s, s:s, s:s}", "id", c->id, "name", c->name, "kind",
                                      centres_kind_name(c->kind)));
    } else if (pr->cand[st->site].muni >= 0) {
        const struct coverage_muni *m = &b->muni[pr->cand[st->site].muni];
        json_object_set_new(o, "municipality",
                            json_pack("{s:s, s:s}", "code", m->code, "name", m->name));
    } else {
        json_object_set_new(o, "candidate", json_integer((json_int_t)st->site));
    }
    json_object_set_new(o, add ? "population_gained" : "population_lost", json_integer(st->change));
    json_object_set_new(o, "population_covered", json_integer(st->covered));
    json_object_set_new(o, "covered_share", kkc_json_share(st->covered, pr->cov.pop_total));
    json_object_set_new(o, add ? "municipalities_covered" : "municipalities_uncovered",
                        kkc_json_step_munis(b, pr, st));
    return o;
}

/* The add= or close= value for GET /v1/coverage that reproduces the answer (NULL: too long). */
static json_t *kkc_json_what_if(const struct api_req *r, const struct plan_body *p,
                            const struct plan_result *pr)
{
    char buf[WHAT_IF_MAX];
    size_t len = 0;
    int add = p->q.goal == PLAN_ADD;
    json_t *o;
    for (size_t i = 0; add && i < p->q.cov.nadded && len < sizeof buf; i++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%.7f,%.7f", len ? ";" : "",
                                p->added[2 * i], p->added[2 * i + 1]);
    for (size_t i = 0; !add && i < p->q.cov.nclosed && len < sizeof buf; i++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", len ? "," : "",
                                centres_get(r->w->centres, (size_t)p->closed[i])->id);
    for (size_t k = 0; k < pr->nsteps && len < sizeof buf; k++)
        if (add)
            len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%.7f,%.7f", len ? ";" : "",
                                    pr->step[k].lon, pr->step[k].lat);
        else
            len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", len ? "," : "",
                                    centres_get(r->w->centres, (size_t)pr->step[k].site)->id);
    if (len >= sizeof buf)
        return json_null();
    o = json_pack("{s:s}", add ? "add" : "close", buf);
    for (size_t i = 0, n = 0; !add && i < p->q.cov.nadded; i++) /* close, with the added sites */
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%.7f,%.7f", i ? ";" : "",
                              p->added[2 * i], p->added[2 * i + 1]); /* <= 20 * 26 bytes */
    if (!add && p->q.cov.nadded)
        json_object_set_new(o, "add", json_string(buf));
    return o;
}

/* How the choice was made: greedy's figure and guarantee, the exact search's. */
static void kkc_json_methods(json_t *o, const struct plan_body *p, const struct plan_result *pr)
{
    int add = p->q.goal == PLAN_ADD;
    const char *fig = add ? "population_gained" : "population_lost";
    json_t *g = json_pack("{s:I}", fig, (json_int_t)pr->greedy);
    json_object_set_new(g, "guarantee",
                        json_string(add ? "at least (1 - 1/e) of the optimum: covered population "
                                          "is monotone submodular in the sites"
                                        : "none in general (closing is not monotone "
                                          "submodular maximisation)"));
    json_object_set_new(g, "ratio", add ? kkc_json_num(1 - exp(-1), 6) : json_null());
    json_object_set_new(g, add ? "optimum_at_most" : "optimum_at_least", json_integer(pr->bound));
    json_object_set_new(o, "method", json_string(pr->method == PLAN_EXACT ? "exact" : "greedy"));
    json_object_set_new(o, "greedy", g);
    if (pr->exact >= 0)
        json_object_set_new(
            o, "exact",
            json_pack("{s:I, s:I, s:I}", fig, (json_int_t)pr->exact, "gap",
                      (json_int_t)(add ? pr->exact - pr->greedy : pr->greedy - pr->exact), "nodes",
                      (json_int_t)pr->exact_nodes));
    else
        json_object_set_new(o, "exact",
                            p->q.method == PLAN_GREEDY
                                ? json_pack("{s:s}", "skipped", "method greedy")
                                : json_pack("{s:s, s:I}", "skipped",
                                            "the branch and bound did not finish in time", "nodes",
                                            (json_int_t)pr->exact_nodes));
}

/* The candidates or the centres that could close, and the centres taking part. */
static void kkc_json_inputs(json_t *o, const struct api_req *r, const struct plan_body *p,
                        const struct plan_result *pr)
{
    json_t *closed = json_array();
    for (size_t i = 0; i < p->q.cov.nclosed; i++)
        json_array_append_new(closed,
                              json_string(centres_get(r->w->centres, (size_t)p->closed[i])->id));
    json_object_set_new(o, "centres",
                        json_pack("{s:I, s:I, s:o, s:{s:I, s:I}}", "used",
                                  (json_int_t)(pr->cov.nsites - pr->cov.nsites_unsnapped -
                                               p->q.cov.nadded),
                                  "off_road", (json_int_t)pr->cov.nsites_unsnapped, "closed",
                                  closed, "added", "counted", (json_int_t)p->q.cov.nadded,
                                  "other_kind",
                                  (json_int_t)(p->nadded_given - p->q.cov.nadded)));
    if (p->q.goal == PLAN_ADD)
        json_object_set_new(o, "candidates",
                            json_pack("{s:s, s:I, s:I}", "source",
                                      p->cand ? "list" : "municipalities", "given",
                                      (json_int_t)pr->ncand, "off_road",
                                      (json_int_t)(pr->ncand - pr->ncand_usable)));
    else
        json_object_set_new(o, "candidates",
                            json_pack("{s:s, s:I}", "source", "centres in the region", "given",
                                      (json_int_t)pr->nremovable));
}

/* The whole answer. */
static json_t *kkc_json_plan(const struct api_req *r, const struct coverage_base *b,
                         const struct plan_body *p, const struct plan_result *pr)
{
    const struct coverage_region *g = &b->region[pr->cov.region];
    int road = p->q.cov.minutes > 0;
    long after = pr->nsteps ? pr->step[pr->nsteps - 1].covered : pr->cov.pop_covered;
    json_t *sites = json_array(), *kinds = json_array();
    for (size_t k = 0; k < pr->nsteps; k++)
        json_array_append_new(sites, kkc_json_step(r, b, p, pr, k));
    for (int k = 0; k < KIND_COUNT; k++)
        if (p->q.cov.kind_mask & (1u << k))
            json_array_append_new(kinds, json_string(centres_kind_name((enum centre_kind)k)));
    json_t *o = json_pack(
        "{s:s, s:s, s:I, s:{s:o}, s:s, s:o, s:{s:s, s:s, s:s}, s:s, s:{s:I, s:I, s:I, s:o, s:o}}",
        "objective", "maximal covering", "goal", p->q.goal == PLAN_ADD ? "add" : "remove", "asked",
        (json_int_t)p->q.count, "threshold", road ? "minutes" : "km",
        kkc_json_num(road ? p->q.cov.minutes : p->q.cov.km, 3), "by", road ? "road" : "straight_line",
        "kind", kinds, "region", "code", g->code, "level", coverage_level_name(g->level), "name",
        g->name, "population_source", POPULATION_SOURCE, "population", "total",
        (json_int_t)pr->cov.pop_total, "covered_before", (json_int_t)pr->cov.pop_covered,
        "covered_after", (json_int_t)after, "share_before",
        kkc_json_share(pr->cov.pop_covered, pr->cov.pop_total), "share_after",
        kkc_json_share(after, pr->cov.pop_total));
    kkc_json_methods(o, p, pr);
    json_object_set_new(o, "sites", sites);
    json_object_set_new(o, "what_if", kkc_json_what_if(r, p, pr));
    kkc_json_inputs(o, r, p, pr);
    return o;
}

void api_plan(const struct api_req *r, struct api_res *res)
{
    struct kkc_err err = {0};
    struct plan_body p = {0};
    struct plan_result pr = {0};
    GEOSContextHandle_t h = api_geos(r);
    const struct coverage_base *b = api_coverage_base(r, &err);
    struct graph *avoid = NULL; /* ?closures= / avoid= / exclude= (what-if): a private graph */
    enum kkc_code rc = b ? api_avoid_graph(r, &avoid, &err) : err.code;

    if (!rc)
        rc = params_finish(r->q, &err);
    if (!rc)
        rc = body_parse(r, b, &p, &err);
    if (!rc && !h)
        rc = kkc_err_set(&err, KKC_ENOMEM, "no GEOS context");
    if (!rc)
        rc = plan_run(h, r->t->crs, b, r->w->centres, avoid ? avoid : r->w->graph, &p.q, &pr,
                      &err);
    api_avoid_release(avoid);
    if (rc)
        api_error_e(res, rc, &err);
    else
        api_reply(res, kkc_json_plan(r, b, &p, &pr));
    plan_result_free(h, &pr);
    free(p.cand);
}
