/* geo/coverage/coverage_stages.h -- the stages of a coverage question (coverage.c), shared with
 * the catchments (catchments.c). Internal to geo/coverage: not an API. Each stage fills part of
 * a struct coverage_result; see coverage.c for what each one does. */
#ifndef KKC_COVERAGE_STAGES_H
#define KKC_COVERAGE_STAGES_H

#include "coverage/coverage.h"
#include "coverage/reach.h"

struct crs_ctx;

enum kkc_code cov_overlay_back(GEOSContextHandle_t h, struct crs_ctx *c, const char *crs,
                               const GEOSGeometry *a, const GEOSGeometry *b, int op,
                               GEOSGeometry **out, struct kkc_err *err);
int cov_region_has_roads(const struct coverage_base *b, const struct graph *g, long r);
enum kkc_code cov_sites_build(const struct centres *cs, const struct coverage_request *q,
                              struct coverage_result *res, struct kkc_err *err);
long cov_sites_kraj(const struct coverage_base *b, const struct coverage_result *res);
enum kkc_code cov_prepare(const struct coverage_base *b, const struct centres *cs,
                          const struct graph *g, const struct coverage_request *q, int by_road,
                          int catchments, struct coverage_result *res, struct kkc_err *err);
enum kkc_code cov_sites_reach(const struct graph *g, const struct coverage_result *res,
                              struct reach **out, struct kkc_err *err);
void cov_eval_road(const struct coverage_base *b, const struct reach *r, double limit_s,
                   struct coverage_result *res);
enum kkc_code cov_eval_straight(const struct coverage_base *b, const struct centres *cs,
                                const struct coverage_request *q, double limit_m,
                                struct coverage_result *res, struct kkc_err *err);
enum kkc_code cov_totals(const struct coverage_base *b, double limit, enum coverage_level breakdown,
                         struct coverage_result *res, struct kkc_err *err);
enum kkc_code cov_straight_polygons(GEOSContextHandle_t h, struct crs_ctx *c,
                                    const struct coverage_base *b, double radius_m, int want,
                                    struct coverage_result *res, struct kkc_err *err);
enum kkc_code cov_road_polygons(GEOSContextHandle_t h, const struct coverage_base *b,
                                const struct graph *g, const struct reach *r, double limit_s,
                                int want, struct coverage_result *res, struct kkc_err *err);
GEOSGeometry *cov_site_circle(GEOSContextHandle_t h, struct crs_ctx *c, const char *crs, double lon,
                              double lat, double radius_m, struct kkc_err *err);

#endif
