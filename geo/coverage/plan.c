/* geo/coverage/plan.c -- location-allocation over coverage (see plan.h for the questions and
 * guarantees).
 *
 * A question runs in four stages:
 *   1. the coverage before (coverage_run, no geometry): region, sites, who is covered now;
 *   2. an instance: "items" (municipalities that can change: the uncovered ones when adding, the
 *      covered ones when closing), each with a weight (population) and a threshold t, and one
 *      "set" per choosable site listing the items it covers. Choosing a set raises a counter on
 *      each of its items; an item changes (becomes covered, or loses its last site) when its
 *      counter reaches t: 1 when adding, the number of sites covering it when closing;
 *   3. the searches on the instance: greedy with lazy evaluation, then branch and bound. Both
 *      maximise sign * (weight changed), sign +1 (gain) or -1 (loss); that objective is
 *      submodular either way, which gives the lazy greedy and the bounds their validity;
 *   4. the chosen sets in greedy order, with what each changes. */
#include "coverage/plan.h"

#include "base/crs.h"
#include "coverage/plan_relate.h"
#include "coverage/reach.h"
#include "coverage/response.h"
#include "coverage/shape.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define DOMINANCE_WORK_MAX 40000000.0

double plan_round7(double x)
{
    return round(x * 1e7) / 1e7;
}

/* ---- the instance -------------------------------------------------------------------------- */

struct inst {
    size_t nsets;
    size_t *first;  /* nsets + 1 offsets into elem */
    uint32_t *elem; /* items of each set */
    size_t nitems;
    long *w;        /* weight (population, 0 when unknown) */
    uint32_t *t;    /* threshold */
    size_t *muni;   /* index into b->muni */
    long *set_site; /* add: index into res->cand; remove: index into res->cov.sites */
    int sign;       /* +1: gain, -1: loss */
};

static void inst_free(struct inst *in)
{
    free(in->first), free(in->elem), free(in->w), free(in->t), free(in->muni), free(in->set_site);
    memset(in, 0, sizeof *in);
}

/* The sets of the instance from the pairs of sites 0..nsites) (CSR by site). */
static enum kkc_code inst_sets(struct inst *in, size_t nsites, const struct pairs *p,
                               struct kkc_err *err)
{
    size_t *pos;
    in->nsets = nsites;
    in->first = calloc(nsites + 2, sizeof *in->first);
    in->elem = malloc((p->n + 1) * sizeof *in->elem);
    pos = malloc((nsites + 1) * sizeof *pos);
    if (!in->first || !in->elem || !pos) {
        free(pos);
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (sets)");
    }
    for (size_t k = 0; k < p->n; k++)
        in->first[p->site[k] + 1]++;
    for (size_t s = 0; s < nsites; s++)
        in->first[s + 1] += in->first[s], pos[s] = in->first[s];
    for (size_t k = 0; k < p->n; k++)
        in->elem[pos[p->site[k]]++] = p->item[k];
    free(pos);
    return KKC_OK;
}

/* ---- building the instance ----------------------------------------------------------------- */

/* The items: municipalities of the region that are covered now (want_covered) or not (by road:
 * only those on the roads, the others cannot change), with their positions. */
static enum kkc_code inst_items(const struct coverage_base *b, const struct coverage_result *cov,
                                int want_covered, int by_road, struct inst *in, double **ll,
                                struct snap **at, struct kkc_err *err)
{
    size_t n = cov->nmuni + 1;
    in->w = malloc(n * sizeof *in->w), in->t = malloc(n * sizeof *in->t);
    in->muni = malloc(n * sizeof *in->muni);
    *ll = malloc(2 * n * sizeof **ll), *at = malloc(n * sizeof **at);
    if (!in->w || !in->t || !in->muni || !*ll || !*at)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (items)");
    for (size_t k = 0; k < cov->nmuni; k++) {
        const struct coverage_muni *m = &b->muni[cov->muni[k].muni];
        if ((cov->muni[k].status == COVERAGE_COVERED) != want_covered || (by_road && !m->snapped))
            continue;
        in->w[in->nitems] = m->population > 0 ? m->population : 0;
        /* adding, nth > 1: the new sites it still needs; closing: set by remove_relation */
        in->t[in->nitems] =
            cov->nth > 1 && !want_covered ? (uint32_t)(cov->nth - cov->muni[k].units) : 1;
        in->muni[in->nitems] = cov->muni[k].muni;
        (*ll)[2 * in->nitems] = m->lon, (*ll)[2 * in->nitems + 1] = m->lat;
        (*at)[in->nitems] = m->at;
        in->nitems++;
    }
    return KKC_OK;
}

/* The candidates of q into res->cand (rounded; snapped when by road into *at). */
static enum kkc_code add_candidates(const struct coverage_base *b, const struct graph *g,
                                    const struct plan_request *q, int by_road,
                                    struct plan_result *res, struct snap **at, struct kkc_err *err)
{
    size_t n = q->cand ? q->ncand : res->cov.nmuni;
    res->cand = calloc(n + 1, sizeof *res->cand);
    *at = calloc(n + 1, sizeof **at);
    if (!res->cand || !*at)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (candidates)");
    for (size_t j = 0; j < n; j++) {
        struct plan_cand *c = &res->cand[j];
        const struct coverage_muni *m = q->cand ? NULL : &b->muni[res->cov.muni[j].muni];
        c->lon = plan_round7(m ? m->lon : q->cand[2 * j]);
        c->lat = plan_round7(m ? m->lat : q->cand[2 * j + 1]);
        c->muni = m ? (long)res->cov.muni[j].muni : -1;
        c->usable = !by_road ||
                    snap_point(g, c->lon, c->lat, SNAP_RADIUS_DEFAULT_M, &(*at)[j], NULL) == KKC_OK;
        res->ncand_usable += c->usable;
    }
    res->ncand = n;
    return KKC_OK;
}

/* The instance for adding: items are the uncovered municipalities, sets the candidates. */
static enum kkc_code build_add(const struct coverage_base *b, const struct graph *g,
                               const struct plan_request *q, struct plan_result *res,
                               struct inst *in, struct kkc_err *err)
{
    int by_road = q->cov.minutes > 0;
    double *item_ll = NULL, *cand_ll = NULL;
    struct snap *item_at = NULL, *cand_at = NULL;
    int *ok = NULL;
    uint32_t *cand_off = NULL,
             add_off = 1000u * (uint32_t)response_added_turnout_s(&q->cov);
    struct pairs p = {0};
    enum kkc_code rc = inst_items(b, &res->cov, 0, by_road, in, &item_ll, &item_at, err);

    if (!rc)
        rc = add_candidates(b, g, q, by_road, res, &cand_at, err);
    if (!rc && (!(cand_ll = malloc((2 * res->ncand + 1) * sizeof *cand_ll)) ||
                !(ok = malloc((res->ncand + 1) * sizeof *ok)) ||
                !(cand_off = malloc((res->ncand + 1) * sizeof *cand_off)) ||
                !(in->set_site = malloc((res->ncand + 1) * sizeof *in->set_site))))
        rc = kkc_err_set(err, KKC_ENOMEM, "out of memory");
    for (size_t j = 0; !rc && j < res->ncand; j++) {
        cand_ll[2 * j] = res->cand[j].lon, cand_ll[2 * j + 1] = res->cand[j].lat;
        ok[j] = res->cand[j].usable, in->set_site[j] = (long)j;
        cand_off[j] = q->cov.response ? add_off : 0;
    }
    if (!rc && by_road)
        rc = plan_relate_road(g, cand_at, ok, cand_off, res->ncand, item_at, in->nitems,
                              q->cov.minutes * 60, &p, err);
    else if (!rc)
        rc = plan_relate_straight(cand_ll, res->ncand, item_ll, in->nitems, q->cov.km * 1000, &p,
                                  err);
    if (!rc)
        rc = inst_sets(in, res->ncand, &p, err);
    in->sign = 1;
    plan_pairs_free(&p);
    free(item_ll), free(item_at), free(cand_ll), free(cand_at), free(ok), free(cand_off);
    return rc;
}

/* Every site's covered items (pairs), thresholds = how many sites cover each item; a covered
 * municipality no site covers here means the relation differs from coverage's: KKC_EINTERNAL. */
static enum kkc_code remove_relation(const struct coverage_base *b, const struct graph *g,
                                     const struct plan_request *q, const struct coverage_result *c,
                                     struct inst *in, struct pairs *p, struct kkc_err *err)
{
    double *item_ll = NULL, *site_ll = malloc((2 * c->nsites + 1) * sizeof *site_ll);
    struct snap *item_at = NULL, *site_at = malloc((c->nsites + 1) * sizeof *site_at);
    int *ok = malloc((c->nsites + 1) * sizeof *ok), by_road = q->cov.minutes > 0;
    uint32_t nth = c->nth > 1 ? (uint32_t)c->nth : 1;
    uint32_t *off = malloc((c->nsites + 1) * sizeof *off);
    enum kkc_code rc =
        site_ll && site_at && ok && off ? KKC_OK : kkc_err_set(err, KKC_ENOMEM, "out of memory");
    if (!rc)
        rc = inst_items(b, c, 1, by_road, in, &item_ll, &item_at, err);
    for (size_t j = 0; !rc && j < c->nsites; j++) {
        site_ll[2 * j] = c->sites[j].lon, site_ll[2 * j + 1] = c->sites[j].lat;
        site_at[j] = c->sites[j].at, ok[j] = !by_road || c->sites[j].snapped;
        off[j] = c->sites[j].turnout_ms;
    }
    if (!rc && by_road)
        rc = plan_relate_road(g, site_at, ok, off, c->nsites, item_at, in->nitems,
                              q->cov.minutes * 60, p, err);
    else if (!rc)
        rc =
            plan_relate_straight(site_ll, c->nsites, item_ll, in->nitems, q->cov.km * 1000, p, err);
    for (size_t i = 0; !rc && i < in->nitems; i++)
        in->t[i] = 0;
    for (size_t k = 0; !rc && k < p->n; k++)
        in->t[p->item[k]]++;
    for (size_t i = 0; !rc && i < in->nitems; i++) /* lost after this many closures */
        in->t[i] = in->t[i] >= nth ? in->t[i] - nth + 1 : 0;
    for (size_t i = 0; !rc && i < in->nitems; i++)
        if (in->t[i] == 0)
            rc = kkc_err_set(err, KKC_EINTERNAL,
                             "municipality %s is covered but fewer sites than nth cover it here",
                             b->muni[in->muni[i]].code);
    free(item_ll), free(item_at), free(site_ll), free(site_at), free(ok), free(off);
    return rc;
}

/* The instance for closing: items are the covered municipalities, sets the centres in the
 * region (on the roads, by road), thresholds the number of sites covering each item. */
static enum kkc_code build_remove(const struct coverage_base *b, const struct graph *g,
                                  const struct plan_request *q, struct plan_result *res,
                                  struct inst *in, struct kkc_err *err)
{
    const struct coverage_result *c = &res->cov;
    const struct coverage_region *reg = &b->region[c->region];
    struct pairs p = {0}, mine = {0};
    long *slot = malloc((c->nsites + 1) * sizeof *slot);
    enum kkc_code rc = slot ? remove_relation(b, g, q, c, in, &p, err)
                            : kkc_err_set(err, KKC_ENOMEM, "out of memory");

    if (!rc && !(in->set_site = malloc((c->nsites + 1) * sizeof *in->set_site)))
        rc = kkc_err_set(err, KKC_ENOMEM, "out of memory");
    for (size_t j = 0; !rc && j < c->nsites; j++) {
        const struct coverage_site *s = &c->sites[j];
        slot[j] = -1;
        if (s->centre < 0 || (q->cov.minutes > 0 && !s->snapped) ||
            !coverage_region_holds(reg, s->lon, s->lat))
            continue;
        slot[j] = (long)res->nremovable;
        in->set_site[res->nremovable++] = (long)j;
    }
    if (!rc && res->nremovable < q->count)
        rc = kkc_err_set(err, KKC_EINVAL,
                         q->cov.minutes > 0
                             ? "remove %zu: only %zu centres of the kinds lie in region %s on the "
                               "roads"
                             : "remove %zu: only %zu centres of the kinds lie in region %s",
                         q->count, res->nremovable, reg->code);
    for (size_t k = 0; !rc && k < p.n; k++)
        if (slot[p.site[k]] >= 0)
            rc = plan_pairs_add(&mine, (size_t)slot[p.site[k]], p.item[k], err);
    if (!rc)
        rc = inst_sets(in, res->nremovable, &mine, err);
    in->sign = -1;
    plan_pairs_free(&p), plan_pairs_free(&mine);
    free(slot);
    return rc;
}

/* ---- searches ------------------------------------------------------------------------------ */

/* Weight that choosing set j changes given the counters. */
static long marginal(const struct inst *in, const uint32_t *cnt, size_t j)
{
    long d = 0;
    for (size_t k = in->first[j]; k < in->first[j + 1]; k++)
        if (cnt[in->elem[k]] + 1 == in->t[in->elem[k]])
            d += in->w[in->elem[k]];
    return d;
}

/* Choose set j: raise its items' counters. Returns the weight changed. */
static long choose(const struct inst *in, uint32_t *cnt, size_t j)
{
    long d = 0;
    for (size_t k = in->first[j]; k < in->first[j + 1]; k++)
        if (++cnt[in->elem[k]] == in->t[in->elem[k]])
            d += in->w[in->elem[k]];
    return d;
}

static void unchoose(const struct inst *in, uint32_t *cnt, size_t j)
{
    for (size_t k = in->first[j]; k < in->first[j + 1]; k++)
        cnt[in->elem[k]]--;
}

/* Lazy greedy: a max-heap of (upper bound of the objective's marginal, set, step it was
 * computed at). Ties go to the lower set. */
struct lazy {
    long key;
    uint32_t set, stamp;
};

static int lazy_before(const struct lazy *a, const struct lazy *b)
{
    return a->key > b->key || (a->key == b->key && a->set < b->set);
}

static void lazy_down(struct lazy *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        struct lazy tmp;
        if (l < n && lazy_before(&h[l], &h[m]))
            m = l;
        if (r < n && lazy_before(&h[r], &h[m]))
            m = r;
        if (m == i)
            return;
        tmp = h[i], h[i] = h[m], h[m] = tmp, i = m;
    }
}

/* The sum of the k largest keys of h[0..n) (each an upper bound of a marginal). */
static long top_keys(const struct lazy *h, size_t n, size_t k)
{
    long best[PLAN_COUNT_MAX], sum = 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        size_t p;
        if (m == k && h[i].key <= best[m - 1])
            continue;
        p = m < k ? m++ : m - 1;
        while (p > 0 && best[p - 1] < h[i].key)
            best[p] = best[p - 1], p--;
        best[p] = h[i].key;
    }
    for (size_t i = 0; i < m; i++)
        sum += best[i];
    return sum;
}

static long lmin(long a, long b)
{
    return a < b ? a : b;
}

/* The greedy choice of up to k sets into pick (*npick), stopping early at a marginal <= 0 when
 * stop_zero. *obj receives the objective; *bound an upper bound of the optimal objective (from
 * the first step, and every step when monotone). cnt (zeroed, nitems) is left as chosen. */
static enum kkc_code greedy(const struct inst *in, size_t k, int stop_zero, int monotone,
                            uint32_t *cnt, uint32_t *pick, size_t *npick, long *obj, long *bound,
                            struct kkc_err *err)
{
    struct lazy *h = malloc((in->nsets + 1) * sizeof *h);
    size_t n = in->nsets;
    if (!h)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (greedy)");
    for (size_t j = 0; j < n; j++)
        h[j] = (struct lazy){in->sign * marginal(in, cnt, j), (uint32_t)j, 0};
    for (size_t i = n / 2; i-- > 0;)
        lazy_down(h, n, i);
    *npick = 0, *obj = 0, *bound = LONG_MAX;
    for (uint32_t step = 0; step < k && n > 0; step++) {
        if (step == 0 || monotone) /* OPT <= f(S) + the k best marginals at S */
            *bound = lmin(*bound, *obj + top_keys(h, n, k));
        while (h[0].stamp != step) {
            h[0].key = in->sign * marginal(in, cnt, h[0].set), h[0].stamp = step;
            lazy_down(h, n, 0);
        }
        if (stop_zero && h[0].key <= 0)
            break;
        *obj += in->sign * choose(in, cnt, h[0].set);
        pick[(*npick)++] = h[0].set;
        h[0] = h[--n];
        lazy_down(h, n, 0);
    }
    if (monotone)
        *bound = lmin(*bound, *obj + top_keys(h, n, k));
    free(h);
    return KKC_OK;
}

/* Branch and bound over sets in order (best single objective first): a node's bound is its
 * objective plus the best single objectives of the next r sets in order, which by submodularity
 * no r further sets can beat. Only strictly better choices replace the incumbent. */
struct bnb {
    const struct inst *in;
    uint32_t *cnt;
    const uint32_t *order;
    const long *prefix; /* prefix sums of the single objectives in order */
    size_t n, k;
    uint32_t *cur, *best;
    size_t nbest;
    long best_obj;
    size_t nodes, work; /* nodes visited, counter updates made */
    int aborted;
};

static void bnb_dfs(struct bnb *s, size_t pos, size_t depth, long obj)
{
    size_t r = s->k - depth;
    if (r == 0) {
        if (obj > s->best_obj) {
            s->best_obj = obj, s->nbest = depth;
            memcpy(s->best, s->cur, depth * sizeof *s->cur);
        }
        return;
    }
    for (size_t j = pos; j + r <= s->n && !s->aborted; j++) {
        long d;
        if (obj + s->prefix[j + r] - s->prefix[j] <= s->best_obj)
            break; /* the windows further on sum to no more */
        s->work += 2 * (s->in->first[s->order[j] + 1] - s->in->first[s->order[j]]) + 1;
        if (s->work > PLAN_EXACT_WORK_MAX) {
            s->aborted = 1;
            break;
        }
        s->nodes++;
        d = s->in->sign * choose(s->in, s->cnt, s->order[j]);
        s->cur[depth] = s->order[j];
        bnb_dfs(s, j + 1, depth + 1, obj + d);
        unchoose(s->in, s->cnt, s->order[j]);
    }
}

/* A set with its single objective, for ordering: objective descending, then set. */
struct ranked {
    long v;
    uint32_t set;
};

static int cmp_ranked(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->v != y->v)
        return x->v > y->v ? -1 : 1;
    return x->set < y->set ? -1 : x->set > y->set;
}

/* Drop from keep[] every set whose positive-weight items lie within another's (equal ones:
 * the later one), when the comparison is affordable. Adding only (thresholds 1). */
static enum kkc_code drop_dominated(const struct inst *in, const uint32_t *list, size_t n,
                                    const long *single, uint8_t *keep, struct kkc_err *err)
{
    size_t words = in->nitems / 64 + 1;
    uint64_t *bits;
    if ((double)n * (double)n * (double)words > DOMINANCE_WORK_MAX)
        return KKC_OK;
    if (!(bits = calloc(n * words + 1, sizeof *bits)))
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (dominance)");
    for (size_t a = 0; a < n; a++)
        for (size_t k = in->first[list[a]]; k < in->first[list[a] + 1]; k++)
            if (in->w[in->elem[k]] > 0)
                bits[a * words + in->elem[k] / 64] |= (uint64_t)1 << (in->elem[k] % 64);
    for (size_t a = 0; a < n; a++)
        for (size_t c = 0; c < n && keep[a]; c++) {
            size_t x = 0;
            if (c == a || !keep[c] || single[list[c]] < single[list[a]] ||
                (single[list[c]] == single[list[a]] && list[c] > list[a]))
                continue;
            while (x < words && !(bits[a * words + x] & ~bits[c * words + x]))
                x++;
            keep[a] = x < words;
        }
    free(bits);
    return KKC_OK;
}

/* Sort order[0..n) by single objective descending, then set. */
static enum kkc_code sort_order(uint32_t *order, size_t n, const long *single, struct kkc_err *err)
{
    struct ranked *r = malloc((n + 1) * sizeof *r);
    if (!r)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (exact)");
    for (size_t i = 0; i < n; i++)
        r[i] = (struct ranked){single[order[i]], order[i]};
    qsort(r, n, sizeof *r, cmp_ranked);
    for (size_t i = 0; i < n; i++)
        order[i] = r[i].set;
    free(r);
    return KKC_OK;
}

/* The sets the exact search considers, best single objective first, into *order (*n): all of
 * them when closing; when adding, those gaining something and not dominated. */
static enum kkc_code exact_order(const struct inst *in, const long *single, uint32_t **order,
                                 size_t *n, struct kkc_err *err)
{
    uint8_t *keep = calloc(in->nsets + 1, 1);
    size_t m = 0;
    enum kkc_code rc = KKC_OK;
    *order = malloc((in->nsets + 1) * sizeof **order);
    if (!keep || !*order) {
        free(keep);
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (exact)");
    }
    for (size_t j = 0; j < in->nsets; j++)
        if (in->sign < 0 || single[j] > 0)
            (*order)[m++] = (uint32_t)j;
    for (size_t a = 0; a < m; a++)
        keep[a] = 1;
    if (in->sign > 0)
        rc = drop_dominated(in, *order, m, single, keep, err);
    *n = 0;
    for (size_t a = 0; !rc && a < m; a++)
        if (keep[a])
            (*order)[(*n)++] = (*order)[a];
    free(keep);
    return rc ? rc : sort_order(*order, *n, single, err);
}

/* The optimal choice of k sets (fewer when adding and fewer sets gain anything), starting from
 * the greedy choice (pick, npick, *obj), replaced only by a strictly better one; *done is 0 when
 * the search gave up after PLAN_EXACT_WORK_MAX counter updates. cnt must be zero. */
static enum kkc_code exact(const struct inst *in, size_t k, uint32_t *cnt, uint32_t *pick,
                           size_t *npick, long *obj, size_t *nodes, int *done, struct kkc_err *err)
{
    long *single = malloc((in->nsets + 1) * sizeof *single), *prefix = NULL;
    uint32_t *order = NULL, cur[PLAN_COUNT_MAX];
    size_t n = 0;
    enum kkc_code rc = single ? KKC_OK : kkc_err_set(err, KKC_ENOMEM, "out of memory (exact)");
    struct bnb s = {0};

    for (size_t j = 0; !rc && j < in->nsets; j++)
        single[j] = in->sign * marginal(in, cnt, j);
    if (!rc)
        rc = exact_order(in, single, &order, &n, err);
    if (!rc && !(prefix = calloc(n + 1, sizeof *prefix)))
        rc = kkc_err_set(err, KKC_ENOMEM, "out of memory (exact)");
    for (size_t i = 0; !rc && i < n; i++)
        prefix[i + 1] = prefix[i] + single[order[i]];
    s = (struct bnb){in, cnt, order, prefix, n, k < n ? k : n, cur, pick, *npick, *obj, 0, 0, 0};
    if (!rc && in->sign < 0 && n < k)
        rc = kkc_err_set(err, KKC_EINTERNAL, "fewer sets than picks");
    if (!rc)
        bnb_dfs(&s, 0, 0, 0);
    *npick = s.nbest, *obj = s.best_obj, *nodes = s.nodes, *done = !s.aborted;
    free(single), free(prefix), free(order);
    return rc;
}

/* ---- the answer ---------------------------------------------------------------------------- */

/* The index into pick of the unused set with the largest objective marginal (ties: the lower
 * set), its objective marginal in *v. */
static size_t next_pick(const struct inst *in, const uint32_t *pick, size_t npick,
                        const uint8_t *used, const uint32_t *cnt, long *v)
{
    size_t best = npick;
    for (size_t i = 0; i < npick; i++) {
        long m = used[i] ? 0 : in->sign * marginal(in, cnt, pick[i]);
        if (!used[i] && (best == npick || m > *v || (m == *v && pick[i] < pick[best])))
            best = i, *v = m;
    }
    return best;
}

/* The chosen sets into res->step in greedy order, with the municipalities each changes; when
 * adding, sets changing nothing are left out. cnt must be zero. */
static enum kkc_code steps(const struct inst *in, const uint32_t *pick, size_t npick, uint32_t *cnt,
                           struct plan_result *res, struct kkc_err *err)
{
    uint8_t used[PLAN_COUNT_MAX] = {0};
    long covered = res->cov.pop_covered;
    size_t nmunis = 0;
    res->step = calloc(npick + 1, sizeof *res->step);
    res->munis = malloc((in->nitems + 1) * sizeof *res->munis);
    if (!res->step || !res->munis)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (steps)");
    for (size_t s = 0; s < npick; s++) {
        struct plan_step *st = &res->step[res->nsteps];
        long v = 0;
        size_t i = next_pick(in, pick, npick, used, cnt, &v), set = pick[i];
        if (in->sign > 0 && v <= 0)
            break;
        used[i] = 1;
        st->first = nmunis;
        for (size_t k = in->first[set]; k < in->first[set + 1]; k++)
            if (++cnt[in->elem[k]] == in->t[in->elem[k]])
                res->munis[nmunis++] = in->muni[in->elem[k]];
        st->n = nmunis - st->first;
        st->change = in->sign * v; /* the weight changed, >= 0 */
        st->covered = covered += in->sign * st->change;
        st->site = in->set_site[set];
        st->lon = in->sign > 0 ? res->cand[st->site].lon : res->cov.sites[st->site].lon;
        st->lat = in->sign > 0 ? res->cand[st->site].lat : res->cov.sites[st->site].lat;
        if (in->sign < 0)
            st->site = res->cov.sites[st->site].centre;
        res->nsteps++;
    }
    return KKC_OK;
}

/* ---- questions ----------------------------------------------------------------------------- */

void plan_result_free(GEOSContextHandle_t h, struct plan_result *res)
{
    coverage_result_free(h, &res->cov);
    free(res->cand);
    free(res->step);
    free(res->munis);
    memset(res, 0, sizeof *res);
}

/* The request's own shape (coverage_run checks the rest). */
static enum kkc_code check_request(const struct plan_request *q, struct kkc_err *err)
{
    if (q->count < 1 || q->count > PLAN_COUNT_MAX)
        return kkc_err_set(err, KKC_EINVAL, "%s must be 1..%d", q->goal ? "remove" : "add",
                           PLAN_COUNT_MAX);
    if (q->goal != PLAN_ADD && q->goal != PLAN_REMOVE)
        return kkc_err_set(err, KKC_EINVAL, "unknown goal");
    if (q->method != PLAN_AUTO && q->method != PLAN_GREEDY && q->method != PLAN_EXACT)
        return kkc_err_set(err, KKC_EINVAL, "unknown method");
    if (q->goal == PLAN_REMOVE && q->cand)
        return kkc_err_set(err, KKC_EINVAL, "candidates are for add, not remove");
    if (q->cand && q->ncand < 1)
        return kkc_err_set(err, KKC_EINVAL, "candidates must list at least one point");
    if (q->cand && q->ncand > PLAN_CANDIDATES_MAX)
        return kkc_err_set(err, KKC_ETOOBIG, "at most %d candidates", PLAN_CANDIDATES_MAX);
    for (size_t j = 0; q->cand && j < q->ncand; j++)
        if (!(fabs(q->cand[2 * j]) <= 180) || !(fabs(q->cand[2 * j + 1]) <= 90))
            return kkc_err_set(err, KKC_EINVAL, "candidate %zu: bad coordinates", j);
    return KKC_OK;
}

/* The coverage before, and the instance for q's goal. */
static enum kkc_code prepare(GEOSContextHandle_t h, struct crs_ctx *crs,
                             const struct coverage_base *b, const struct centres *cs,
                             const struct graph *g, const struct plan_request *q,
                             struct plan_result *res, struct inst *in, struct kkc_err *err)
{
    struct coverage_request cq = q->cov;
    const struct coverage_region *reg;
    enum kkc_code rc;
    cq.want_geometry = 0;
    if ((rc = coverage_run(h, crs, b, cs, g, &cq, &res->cov, err)))
        return rc;
    reg = &b->region[res->cov.region];
    if (!res->cov.has_population)
        return kkc_err_set(err, KKC_EINVAL,
                           "region %s (%s) has no census population data: a plan maximises "
                           "covered population; choose a region with census data (a kraj, "
                           "okres or ORP)",
                           reg->code, reg->name);
    return q->goal == PLAN_ADD ? build_add(b, g, q, res, in, err)
                               : build_remove(b, g, q, res, in, err);
}

/* Greedy, then (unless greedy only) the exact search; the chosen sets into pick. */
static enum kkc_code search(const struct inst *in, const struct plan_request *q, uint32_t *cnt,
                            uint32_t *pick, size_t *npick, struct plan_result *res,
                            struct kkc_err *err)
{
    long gobj = 0, bound = 0, eobj;
    int done = 0;
    enum kkc_code rc =
        greedy(in, q->count, in->sign > 0, in->sign > 0, cnt, pick, npick, &gobj, &bound, err);
    res->greedy = in->sign * gobj, res->bound = in->sign * bound;
    res->method = PLAN_GREEDY, res->exact = -1;
    if (rc || q->method == PLAN_GREEDY)
        return rc;
    memset(cnt, 0, (in->nitems + 1) * sizeof *cnt);
    eobj = gobj;
    rc = exact(in, q->count, cnt, pick, npick, &eobj, &res->exact_nodes, &done, err);
    if (!rc && done)
        res->exact = in->sign * eobj, res->method = PLAN_EXACT;
    if (!rc && !done && q->method == PLAN_EXACT)
        rc = kkc_err_set(err, KKC_ETOOBIG,
                         "the exact search did not finish within its limit (%d counter "
                         "updates, %zu nodes): use method greedy, fewer candidates or a smaller "
                         "count",
                         PLAN_EXACT_WORK_MAX, res->exact_nodes);
    return rc;
}

enum kkc_code plan_run(GEOSContextHandle_t h, struct crs_ctx *crs, const struct coverage_base *b,
                       const struct centres *cs, const struct graph *g,
                       const struct plan_request *q, struct plan_result *res, struct kkc_err *err)
{
    struct inst in = {0};
    uint32_t *cnt = NULL, pick[PLAN_COUNT_MAX];
    size_t npick = 0;
    enum kkc_code rc;

    memset(res, 0, sizeof *res);
    res->exact = -1;
    rc = check_request(q, err);
    if (!rc)
        rc = prepare(h, crs, b, cs, g, q, res, &in, err);
    if (!rc && !(cnt = calloc(in.nitems + 1, sizeof *cnt)))
        rc = kkc_err_set(err, KKC_ENOMEM, "out of memory");
    if (!rc)
        rc = search(&in, q, cnt, pick, &npick, res, err);
    if (!rc) {
        memset(cnt, 0, (in.nitems + 1) * sizeof *cnt);
        rc = steps(&in, pick, npick, cnt, res, err);
    }
    free(cnt);
    inst_free(&in);
    return rc;
}
