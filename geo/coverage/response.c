/* geo/coverage/response.c -- turnout defaults, N-th unit counts, centres within a time. See
 * response.h. */
#include "coverage/response.h"

#include "coverage/coverage.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The documented table of response.h, in seconds. */
static const int turnout_default[KIND_COUNT] = {
    [KIND_POLICE] = 60,
    [KIND_FIRE] = 120,
    [KIND_AMBULANCE] = 120,
};

int response_turnout_default_s(enum centre_kind k)
{
    return (int)k >= 0 && k < KIND_COUNT ? turnout_default[k] : 0;
}

int response_turnout_s(const struct centre *c)
{
    return centre_turnout_own(c) ? c->turnout_s : response_turnout_default_s(c->kind);
}

int response_turnout_mask_s(unsigned kind_mask)
{
    int best = -1;
    for (int k = 0; k < KIND_COUNT; k++)
        if (kind_mask & (1u << k) && (best < 0 || turnout_default[k] < best))
            best = turnout_default[k];
    return best < 0 ? 0 : best;
}

int response_added_turnout_s(const struct coverage_request *q)
{
    if (q->fixed_turnout_s > 0)
        return q->fixed_turnout_s;
    if (q->added_turnout_set || q->added_turnout_s > 0)
        return q->added_turnout_s;
    return response_turnout_mask_s(q->kind_mask);
}

int response_turnout_parse(const char *sec, const char *min, int *out)
{
    const char *t = sec && *sec ? sec : min && *min ? min : NULL;
    char *end;
    double v;
    *out = -1;
    if (!t)
        return 1;
    v = strtod(t, &end);
    while (*end == ' ')
        end++;
    if (end == t || *end || !isfinite(v))
        return 0;
    v = t == sec ? v : v * 60;
    if (t == sec && v != floor(v))
        return 0;
    if (!(v >= 0 && v <= RESPONSE_TURNOUT_MAX_S))
        return 0;
    *out = (int)lround(v);
    return 1;
}

/* Insert cost c (owner o) into the ascending list top[0..*len) kept to at most cap entries. */
static void top_insert(graph_cost *top, uint32_t *own, uint32_t *len, int cap, graph_cost c,
                       uint32_t o)
{
    uint32_t i = *len < (uint32_t)cap ? (*len)++ : (uint32_t)cap;
    if (i == (uint32_t)cap) {
        if (c >= top[cap - 1])
            return;
        i = (uint32_t)cap - 1;
    }
    for (; i > 0 && (top[i - 1] > c || (top[i - 1] == c && own[i - 1] > o)); i--)
        top[i] = top[i - 1], own[i] = own[i - 1];
    top[i] = c, own[i] = o;
}

enum kkc_code response_counts(const struct graph *g, const struct reach_source *src, size_t nsrc,
                              const struct snap *pts, const int *ok, size_t npts, uint32_t limit_ms,
                              int nth, struct response_count *out, struct kkc_err *err)
{
    struct reach *r = NULL;
    graph_cost *top = NULL;
    uint32_t *own = NULL, *len = NULL;
    enum kkc_code rc = KKC_OK;

    if (nth < 1 || nth > RESPONSE_NTH_MAX)
        return kkc_err_set(err, KKC_EINVAL, "nth must be 1..%d", RESPONSE_NTH_MAX);
    top = malloc((npts + 1) * (size_t)nth * sizeof *top);
    own = malloc((npts + 1) * (size_t)nth * sizeof *own);
    len = calloc(npts + 1, sizeof *len);
    if (!top || !own || !len)
        rc = kkc_err_set(err, KKC_ENOMEM, "out of memory (unit counts)");
    if (!rc)
        rc = reach_create(g, &r, err);
    for (size_t i = 0; i < npts; i++)
        out[i] = (struct response_count){0, GRAPH_COST_INF, UINT32_MAX};
    for (size_t s = 0; !rc && s < nsrc; s++) {
        rc = reach_run(r, &src[s], 1, REACH_OUT, limit_ms, err);
        for (size_t i = 0; !rc && i < npts; i++) {
            graph_cost c;
            uint32_t o;
            if ((ok && !ok[i]) || !reach_point(r, &pts[i], &c, &o) || graph_cost_ms(c) > limit_ms)
                continue;
            out[i].count++;
            top_insert(top + i * (size_t)nth, own + i * (size_t)nth, &len[i], nth, c, o);
        }
    }
    for (size_t i = 0; !rc && i < npts; i++)
        if (len[i] == (uint32_t)nth)
            out[i].nth = top[i * (size_t)nth + nth - 1],
            out[i].owner = own[i * (size_t)nth + nth - 1];
    reach_destroy(r);
    free(top), free(own), free(len);
    return rc;
}

static int cmp_hit(const void *a, const void *b)
{
    const struct response_hit *x = a, *y = b;
    if (x->response_ms != y->response_ms)
        return x->response_ms < y->response_ms ? -1 : 1;
    if (x->drive != y->drive)
        return x->drive < y->drive ? -1 : 1;
    return x->centre < y->centre ? -1 : x->centre > y->centre;
}

/* The hit of centre i when it reaches the incident within limit_ms; 0 when not. */
static int centre_hit(const struct graph *g, const struct reach *r, const struct centre *c,
                      uint32_t i, int with_turnout, uint32_t limit_ms, double radius_m,
                      struct response_hit *h)
{
    struct snap cs;
    graph_cost drive;
    uint32_t o;
    if (snap_point(g, c->lon, c->lat, radius_m, &cs, NULL) || !reach_point(r, &cs, &drive, &o))
        return 0;
    h->centre = i, h->drive = drive;
    h->turnout_ms = with_turnout ? (uint32_t)response_turnout_s(c) * 1000u : 0;
    h->response_ms = graph_cost_ms(drive) + h->turnout_ms;
    return limit_ms == REACH_NO_LIMIT || h->response_ms <= limit_ms;
}

enum kkc_code response_nearest(const struct graph *g, const struct centres *cs,
                               const struct snap *at, unsigned mask, int include_closed,
                               int with_turnout, uint32_t limit_ms, size_t k, double radius_m,
                               struct response_hit **out, size_t *n, struct kkc_err *err)
{
    struct reach_source src = {*at, 0, 0};
    struct reach *r = NULL;
    size_t nc = centres_count(cs), nh = 0;
    struct response_hit *hits = malloc((nc + 1) * sizeof *hits);
    enum kkc_code rc =
        hits ? reach_create(g, &r, err) : kkc_err_set(err, KKC_ENOMEM, "out of memory (nearest)");

    *out = NULL, *n = 0;
    if (!rc)
        rc = reach_run(r, &src, 1, REACH_IN, limit_ms, err);
    for (size_t i = 0; !rc && i < nc; i++) {
        const struct centre *c = centres_get(cs, i);
        if (!(mask & (1u << c->kind)) || (!c->active && !include_closed))
            continue;
        nh += centre_hit(g, r, c, (uint32_t)i, with_turnout, limit_ms, radius_m, &hits[nh]);
    }
    reach_destroy(r);
    if (rc) {
        free(hits);
        return rc;
    }
    qsort(hits, nh, sizeof *hits, cmp_hit);
    *out = hits, *n = k && nh > k ? k : nh;
    return KKC_OK;
}

void response_distribution(const struct coverage_base *b, const struct coverage_result *res,
                           long *out, size_t n)
{
    for (size_t k = 0; k < n; k++)
        out[k] = 0;
    for (size_t k = 0; n && k < res->nmuni; k++) {
        const struct coverage_muni_result *mr = &res->muni[k];
        long pop = b->muni[mr->muni].population;
        double m = mr->value / 60;
        size_t bin =
            mr->status != COVERAGE_UNREACHABLE && isfinite(m) && m >= 0 && m < (double)(n - 1)
                ? (size_t)m
                : n - 1;
        out[bin] += pop > 0 ? pop : 0;
    }
}
