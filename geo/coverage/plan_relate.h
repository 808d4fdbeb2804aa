/* geo/coverage/plan_relate.h -- the covering relation of a plan (plan.c): which sites cover which
 * municipalities, straight line or by road, as coverage decides it. Internal to geo/coverage. */
#ifndef KKC_PLAN_RELATE_H
#define KKC_PLAN_RELATE_H

#include "base/err.h"
#include "coverage/coverage_base.h"
#include "road/graph.h"
#include "road/snap.h"

#include <stddef.h>
#include <stdint.h>

/* Site-item pairs found by the covering relation. */
struct pairs {
    uint32_t *site, *item;
    size_t n, cap;
};

void plan_pairs_free(struct pairs *p);
enum kkc_code plan_pairs_add(struct pairs *p, size_t site, size_t item, struct kkc_err *err);
enum kkc_code plan_relate_straight(const double *site_ll, size_t nsites, const double *item_ll,
                                   size_t nitems, double limit_m, struct pairs *out,
                                   struct kkc_err *err);
enum kkc_code plan_relate_road(const struct graph *g, const struct snap *site_at,
                               const int *site_ok, const uint32_t *site_off, size_t nsites,
                               const struct snap *item_at, size_t nitems, double limit_s,
                               struct pairs *out, struct kkc_err *err);

#endif
