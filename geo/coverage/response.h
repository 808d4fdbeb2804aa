/* geo/coverage/response.h -- response times: turnout + drive time; the N-th unit; every centre
 * within a time.
 *
 * Response time = turnout + drive time. Turnout is the time from the call reaching the centre to
 * the crew leaving it; a centre's own value (struct centre.turnout_s, from the centre CSV/GeoJSON
 * column turnout_s or turnout_min, the admin API, the store) wins -- an explicit 0 too: a crew
 * already on the road -- else (NULL, an empty cell, JSON null) the default of its kind:
 *
 *   kind       default  why
 *   police       60 s   no legal rule; a patrol car is manned and leaves at once (assumption)
 *   fire        120 s   JPO I (professional HZS station): leaves within 2 min of the call
 *                       (vyhláška 247/2001 Sb., zákon 133/1985 Sb. příloha; see data/standards.csv)
 *   ambulance   120 s   ZZS crew leaves within 2 min of the dispatch (vyhláška 240/2012 Sb.)
 *
 * A hypothetical (added) site has the least default of the kinds asked for, unless given.
 *
 * The N-th unit: a place is reached by N units within T when at least N distinct sites each reach
 * it within T (each site's own response time). Its value is the N-th smallest of those times.
 *
 * Nothing here knows HTTP or JSON. */
#ifndef KKC_RESPONSE_H
#define KKC_RESPONSE_H

#include "base/err.h"
#include "centres/centres.h"
#include "coverage/reach.h"
#include "road/graph.h"
#include "road/snap.h"

#include <stddef.h>
#include <stdint.h>

#define RESPONSE_NTH_MAX 5
#define RESPONSE_TURNOUT_MAX_S 3600

/* The default turnout of kind k in seconds (the table above). */
int response_turnout_default_s(enum centre_kind k);
/* The turnout of c in seconds: its own value (0 included, centre_turnout_own), else its kind's
 * default. */
int response_turnout_s(const struct centre *c);
/* The least default turnout over the kinds in mask (0 for an empty mask). */
int response_turnout_mask_s(unsigned kind_mask);

struct coverage_request;
/* The turnout in seconds of q's added (hypothetical) sites: a standard's fixed one, else the one
 * given (0 included, added_turnout_set), else the least default of q's kinds. */
int response_added_turnout_s(const struct coverage_request *q);

/* A centre's turnout from text: seconds (sec, an integer) or minutes (min, a decimal: "1.5");
 * either may be NULL or empty; sec wins when both are given. *out = -1 when neither is given (the
 * kind's default), "0" is an explicit 0. Returns 1, or 0 (and *out = -1) when the value is not a
 * number in 0..RESPONSE_TURNOUT_MAX_S s. */
int response_turnout_parse(const char *sec, const char *min, int *out);

/* Per place: how many distinct sources reach it within the limit and the N-th smallest time. */
struct response_count {
    uint32_t count; /* sources reaching it within the limit */
    graph_cost nth; /* the nth smallest cost (offsets included); GRAPH_COST_INF when count < nth */
    uint32_t owner; /* owner of that source; UINT32_MAX when none */
};

/* For each of the npts snapped points (NULL entries or ok[i] == 0 are skipped: count 0), count
 * the sources (driving out of each, its offset included) that reach it within limit_ms and the
 * nth (1..RESPONSE_NTH_MAX) smallest time. One bounded search per source. out[npts] is the
 * caller's. KKC_EINVAL (nth out of range, a source on an unknown edge), KKC_ENOMEM. */
enum kkc_code response_counts(const struct graph *g, const struct reach_source *src, size_t nsrc,
                              const struct snap *pts, const int *ok, size_t npts, uint32_t limit_ms,
                              int nth, struct response_count *out, struct kkc_err *err);

/* A centre that reaches an incident. */
struct response_hit {
    uint32_t centre;     /* index into centres_get() */
    graph_cost drive;    /* from the centre to the incident */
    uint32_t turnout_ms; /* 0 unless with_turnout */
    uint32_t response_ms;
};

/* The centres of mask (closed ones when include_closed) that reach the incident at within
 * limit_ms (REACH_NO_LIMIT: every one connected), by response time (turnout added when
 * with_turnout) then id; at most k of them (0: all). Centres farther than radius_m from a road
 * are left out. *out is the caller's to free(). KKC_ENOMEM, KKC_EINVAL. */
enum kkc_code response_nearest(const struct graph *g, const struct centres *cs,
                               const struct snap *at, unsigned mask, int include_closed,
                               int with_turnout, uint32_t limit_ms, size_t k, double radius_m,
                               struct response_hit **out, size_t *n, struct kkc_err *err);

/* The population of res's municipalities by whole minute of their time (res->muni[].value, s):
 * out[k] for [k, k + 1) minutes, k < n - 1; out[n - 1] the rest: later, not reached within the
 * time (nth > 1) or unreachable. Municipalities without census data count 0. Needs n >= 1. */
struct coverage_base;
struct coverage_result;
void response_distribution(const struct coverage_base *b, const struct coverage_result *res,
                           long *out, size_t n);

#endif
