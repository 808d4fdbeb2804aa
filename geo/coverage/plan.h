/* geo/coverage/plan.h -- location-allocation over coverage: where new centres would cover the most people,
 * and which centres could close losing the fewest.
 *
 * Both questions are asked of one coverage question (coverage.h: kinds, minutes or km, region,
 * closed centres) and use its covering relation exactly: a site covers a municipality when the
 * geodesic distance (crs_geodesic, municipality first) is <= km * 1000, or when the drive from
 * the site's snapped point (snap_point within SNAP_RADIUS_DEFAULT_M) to the municipality's
 * snapped point takes <= minutes * 60 s (graph costs, as reach.h finds them). So adding the
 * chosen sites to GET /v1/coverage (add=) raises its covered population by exactly the gain
 * reported here, and closing the chosen centres (close=) lowers it by exactly the loss.
 *
 *   - PLAN_ADD (maximal covering): choose up to `count` candidate sites maximising the population
 *     of the region's municipalities that are not covered now and would be. Coverage is monotone
 *     submodular, so the greedy choice (lazy "CELF" evaluation) gets at least (1 - 1/e) of the
 *     optimum; the exact optimum comes from a branch and bound over the candidates (bounded by
 *     the sum of the best single gains, candidates covering no one or a subset of another's
 *     municipalities left out), kept when it finishes within PLAN_EXACT_WORK_MAX. Fewer
 *     than count sites come back when no further candidate covers anyone new.
 *   - PLAN_REMOVE: choose exactly `count` of the centres taking part that lie in the region (and
 *     are on the roads, by road) whose closing loses the least covered population. The same two
 *     searches minimise the loss; greedy has no constant-factor guarantee here.
 *
 * Sites the planner already added as a what-if (cov.added, at most COVERAGE_ADDED_MAX) take part
 * as existing centres in both questions: they cover before the choice (covered_before counts
 * them, so a candidate covering only what they cover gains nothing) and are never among the
 * centres to close; their turnout is cov.added_turnout_s as in coverage_run().
 *
 * Candidate coordinates are taken rounded to 1e-7 degree (what the API prints), so the sites
 * reported are the sites evaluated. Population is the census population (coverage_base.h); a
 * region without census data is KKC_EINVAL (nothing to maximise: covered road length is not a
 * sum over sites' sets). Greedy's ties go to the candidate (or centre) listed first; the exact
 * search keeps greedy's choice unless it finds a strictly better one. Nothing here knows HTTP or
 * JSON; the GEOS and PROJ handles are the caller's per-thread ones. */
#ifndef KKC_PLAN_H
#define KKC_PLAN_H

#include "coverage/coverage.h"
#include "base/err.h"

#include <stddef.h>

#define PLAN_COUNT_MAX 20         /* sites to add or centres to close */
#define PLAN_CANDIDATES_MAX 10000 /* candidate sites of one question */
/* Counter updates the exact search may make before it gives up (each node costs the size of its
 * set): about 0.1 s. */
#define PLAN_EXACT_WORK_MAX 40000000

enum plan_goal { PLAN_ADD = 0, PLAN_REMOVE };
/* PLAN_AUTO: greedy, then exact when it finishes in time; PLAN_GREEDY: greedy only; PLAN_EXACT:
 * both, KKC_ETOOBIG when the exact search does not finish. */
enum plan_method { PLAN_AUTO = 0, PLAN_GREEDY, PLAN_EXACT };

struct plan_request {
    struct coverage_request cov; /* kinds, minutes | km, region, closed, added; no geometry */
    enum plan_goal goal;
    size_t count;       /* 1..PLAN_COUNT_MAX */
    const double *cand; /* PLAN_ADD: lon,lat pairs; NULL: the region's municipalities */
    size_t ncand;       /* <= PLAN_CANDIDATES_MAX */
    enum plan_method method;
};

/* A candidate site (PLAN_ADD). */
struct plan_cand {
    double lon, lat; /* rounded to 1e-7 degree */
    long muni;       /* index into b->muni when the candidates are the municipalities, else -1 */
    int usable;      /* 0: farther than the snap radius from any road (by road only) */
};

/* One chosen site, in the order chosen. */
struct plan_step {
    long site;       /* PLAN_ADD: index into res->cand; PLAN_REMOVE: centre index (centres_get) */
    double lon, lat; /* the site's position */
    long change;     /* population newly covered (add) or no longer covered (remove) */
    long covered;    /* population covered after this step */
    size_t first, n; /* the municipalities it changes: res->munis[first .. first + n) */
};

struct plan_result {
    struct coverage_result cov; /* the coverage before (no geometry): region, sites, totals */
    size_t ncand, ncand_usable;
    struct plan_cand *cand;  /* PLAN_ADD: the candidates, in the order given */
    size_t nremovable;       /* PLAN_REMOVE: centres that could close */
    enum plan_method method; /* PLAN_GREEDY or PLAN_EXACT: which search chose the steps */
    size_t nsteps;
    struct plan_step *step;
    size_t *munis;      /* indices into b->muni, for the steps */
    long greedy;        /* population gained (add) or lost (remove) by the greedy choice */
    long exact;         /* by the optimal choice; -1 when the exact search did not run or finish */
    size_t exact_nodes; /* nodes the exact search visited (whether or not it finished) */
    long bound;         /* add: the optimum gains at most this; remove: it loses at least this */
};

/* Answer q. On success res holds the answer; free it with plan_result_free() (also after a
 * failure). KKC_EINVAL for a bad request (count, candidates, no census data in the region, fewer
 * centres than count to close; coverage_run()'s own checks), KKC_ENOSEGMENT as coverage_run()
 * (minutes where no roads are), KKC_ETOOBIG for more than PLAN_CANDIDATES_MAX candidates, more
 * than 8 Mi site-municipality pairs, or when PLAN_EXACT cannot finish; KKC_ENOMEM,
 * KKC_EINTERNAL. */
enum kkc_code plan_run(GEOSContextHandle_t h, struct crs_ctx *crs, const struct coverage_base *b,
                       const struct centres *cs, const struct graph *g,
                       const struct plan_request *q, struct plan_result *res, struct kkc_err *err);
void plan_result_free(GEOSContextHandle_t h, struct plan_result *res);

/* The coordinate as the API prints it: x rounded to 1e-7 (round(x * 1e7) / 1e7). */
double plan_round7(double x);

#endif
