/* service/api_report.c -- the planner's report. See api_report.h. */
#include "api_report.h"

#include "api_standards.h"

#include "coverage/response.h"
#include "json_out.h"
#include "params.h"
#include "strbuf.h"

#include <jansson.h>
#include <math.h>
#include <string.h>

#define CSV_CAP (8u << 20)

void api_report_extend(json_t *o, const struct coverage_base *b, const struct coverage_request *q,
                       const struct standard *st, const struct coverage_result *cr)
{
    long bins[REPORT_MINUTES_MAX + 1];
    if (st)
        json_object_set_new(o, "standard", api_standard_json(st));
    if (!(q->minutes > 0))
        return;
    response_distribution(b, cr, bins, REPORT_MINUTES_MAX + 1);
    json_t *a = json_array();
    for (size_t k = 0; k < REPORT_MINUTES_MAX; k++)
        json_array_append_new(
            a, json_pack("{s:I, s:I}", "minute", (json_int_t)k, "population", (json_int_t)bins[k]));
    json_object_set_new(o, "distribution",
                        json_pack("{s:s, s:o, s:I}", "unit", "population per whole minute",
                                  "minutes", a, "later_or_never",
                                  (json_int_t)bins[REPORT_MINUTES_MAX]));
}

/* A CSV field: quoted when it holds a comma, quote or line break. */
static void csv_field(struct strbuf *sb, const char *s, int last)
{
    if (!s)
        s = "";
    if (strpbrk(s, ",\"\r\n")) {
        strbuf_append(sb, "\"", 1);
        for (const char *p = s; *p; p++)
            strbuf_append(sb, *p == '"' ? "\"\"" : p, *p == '"' ? 2 : 1);
        strbuf_append(sb, "\"", 1);
    } else {
        strbuf_append(sb, s, strlen(s));
    }
    strbuf_append(sb, last ? "\n" : ",", 1);
}

/* One row of the regions table. */
static void csv_region_row(struct strbuf *sb, const char *section, const struct coverage_region *g,
                           long munis, long uncovered, long pop_total, long pop_covered)
{
    strbuf_printf(sb, "%s,", section);
    csv_field(sb, g->code, 0), csv_field(sb, coverage_level_name(g->level), 0);
    csv_field(sb, g->name, 0);
    strbuf_printf(sb, "%ld,%ld,%ld,%ld,%.6f\n", munis, uncovered, pop_total, pop_covered,
                  pop_total > 0 ? (double)pop_covered / (double)pop_total : 0.0);
}

/* The region, then the regions of its breakdown: one row each. */
static void csv_regions(struct strbuf *sb, const struct coverage_base *b,
                        const struct coverage_result *cr)
{
    strbuf_printf(sb, "section,code,level,name,municipalities,uncovered,population,"
                      "population_covered,share\n");
    csv_region_row(sb, "region", &b->region[cr->region], cr->muni_total, cr->muni_uncovered,
                   cr->pop_total, cr->pop_covered);
    for (size_t i = 0; i < cr->nchild; i++) {
        const struct coverage_child *c = &cr->child[i];
        csv_region_row(sb, "breakdown", &b->region[c->region], c->munis, c->uncovered,
                       c->pop_total, c->pop_covered);
    }
}

/* The uncovered municipalities, worst first. */
static void csv_worst(struct strbuf *sb, const struct coverage_base *b,
                      const struct coverage_result *cr, int road)
{
    strbuf_printf(sb, "\nsection,code,name,population,%s,reachable\n",
                  road ? "time_s" : "distance_m");
    for (size_t i = 0; i < cr->nworst; i++) {
        const struct coverage_muni_result *mr = &cr->muni[cr->worst[i]];
        const struct coverage_muni *m = &b->muni[mr->muni];
        strbuf_printf(sb, "uncovered,");
        csv_field(sb, m->code, 0), csv_field(sb, m->name, 0);
        if (m->population >= 0)
            strbuf_printf(sb, "%ld", m->population);
        if (isfinite(mr->value))
            strbuf_printf(sb, ",%.1f", mr->value);
        else
            strbuf_printf(sb, ",");
        strbuf_printf(sb, ",%s\n", mr->status == COVERAGE_UNREACHABLE ? "no" : "yes");
    }
}

void api_report_csv(struct api_res *res, const struct coverage_base *b,
                    const struct coverage_request *q, const struct coverage_result *cr)
{
    struct strbuf sb;
    long bins[REPORT_MINUTES_MAX + 1];
    strbuf_init(&sb, CSV_CAP);
    csv_regions(&sb, b, cr);
    if (q->minutes > 0) {
        response_distribution(b, cr, bins, REPORT_MINUTES_MAX + 1);
        strbuf_printf(&sb, "\nsection,minute,population\n");
        for (size_t k = 0; k < REPORT_MINUTES_MAX; k++)
            strbuf_printf(&sb, "distribution,%zu,%ld\n", k, bins[k]);
        strbuf_printf(&sb, "distribution,later_or_never,%ld\n", bins[REPORT_MINUTES_MAX]);
    }
    csv_worst(&sb, b, cr, q->minutes > 0);
    if (sb.failed) {
        strbuf_free(&sb);
        api_error(res, KKC_ENOMEM, "the report is too large for CSV");
        return;
    }
    res->status = 200;
    res->body = strbuf_take(&sb);
    res->content_type = "text/csv; charset=utf-8";
}

/* breakdown=default|kraj|okres|orp: the level the report is broken down by. */
enum kkc_code api_param_breakdown(struct params *q, enum coverage_level *out, struct kkc_err *err)
{
    static const char *const levels[] = {"default", "kraj", "okres", "orp", NULL};
    int i = 0;
    enum kkc_code rc = params_choice(q, "breakdown", levels, &i, err);
    *out = i == 0 ? COVERAGE_COUNTRY : (enum coverage_level)i; /* KRAJ, OKRES, ORP are 1..3 */
    return rc;
}

enum kkc_code api_response_params(const struct api_req *r, int need_threshold,
                                  struct coverage_request *q, struct kkc_err *err)
{
    long nth = 1, turnout = 0;
    enum kkc_code rc = params_long(r->q, "nth", 0, 1, RESPONSE_NTH_MAX, &nth, err);
    if (!rc)
        rc = params_long(r->q, "turnout", 0, 0, RESPONSE_TURNOUT_MAX_S, &turnout, err);
    q->nth = (int)nth, q->added_turnout_s = (int)turnout;
    q->added_turnout_set = params_str(r->q, "turnout") != NULL; /* 0 is 0 s */
    if (!rc && need_threshold && (q->response || nth > 1) && !(q->minutes > 0))
        rc = kkc_err_set(err, KKC_EINVAL, "response=true and nth need minutes (by road)");
    return rc;
}
