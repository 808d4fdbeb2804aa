/* service/api_response.c -- /v1/nearest by response time and with a cutoff. See api_response.h. */
#include "api_response.h"

#include "api_profile.h"
#include "road/service_profile.h"

#include "base/crs.h"
#include "centres/centres.h"
#include "coverage/response.h"
#include "json_out.h"
#include "road/snap.h"
#include "world.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>

/* One ranked centre. */
static json_t *kkc_json_hit(const struct api_req *r, const struct point_in *p,
                            const struct response_hit *h, size_t rank)
{
    const struct centre *c = centres_get(r->w->centres, h->centre);
    double bearing, straight = crs_geodesic(p->lon, p->lat, c->lon, c->lat, &bearing);
    return json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "rank", (json_int_t)rank, "centre",
                     kkc_json_centre(c), "response_s", kkc_json_num(h->response_ms / 1000.0, 1),
                     "turnout_s", kkc_json_num(h->turnout_ms / 1000.0, 1), "duration_s",
                     kkc_json_num(graph_cost_seconds(h->drive), 1), "road_distance_m",
                     kkc_json_num(graph_cost_metres(h->drive), 1), "distance_m",
                     kkc_json_num(straight, 1), "bearing_deg", kkc_json_num(bearing, 1));
}

void api_nearest_response(const struct api_req *r, struct api_res *res, const struct point_in *p,
                          unsigned mask, int include_closed, int with_turnout, double max_minutes,
                          size_t k, double radius_m, int profile)
{
    struct kkc_err err = {0};
    struct snap at;
    struct response_hit *hits = NULL;
    size_t n = 0;
    uint32_t limit = max_minutes > 0 ? (uint32_t)llround(max_minutes * 60000) : REACH_NO_LIMIT;
    enum kkc_code rc = KKC_OK;
    const struct graph *g = NULL;
    struct graph *owned = NULL;

    if (!r->w->graph)
        rc = kkc_err_set(&err, KKC_ENOSEGMENT,
                         "no road network is loaded, so by=response and max_minutes cannot be "
                         "answered; use by=distance");
    else if (snap_point(r->w->graph, p->lon, p->lat, radius_m, &at, &err))
        rc = kkc_err_set(&err, KKC_ENOSEGMENT,
                         "no road network covers this point (nothing routable within %.0f m)",
                         radius_m);
    else if (!(rc = api_profile_graph(r, profile, r->w->graph, &g, &owned, &err)))
        rc = response_nearest(g, r->w->centres, &at, mask, include_closed, with_turnout, limit, k,
                              radius_m, &hits, &n, &err);
    service_profile_graph_destroy(owned);
    if (rc) {
        api_error_e(res, rc, &err);
        return;
    }
    json_t *results = json_array(), *q = api_json_query(p);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(results, kkc_json_hit(r, p, &hits[i], i + 1));
    free(hits);
    json_object_set_new(q, "snapped",
                        json_pack("{s:[o,o], s:o, s:s}", "location", kkc_json_num(at.lon, 7),
                                  kkc_json_num(at.lat, 7), "distance_m",
                                  kkc_json_num(at.distance_m, 1), "road", at.name ? at.name : ""));
    json_t *o = json_pack("{s:o, s:s, s:o}", "query", q, "by", with_turnout ? "response" : "time",
                          "results", results);
    if (max_minutes > 0)
        json_object_set_new(o, "max_minutes", kkc_json_num(max_minutes, 3));
    api_reply(res, o);
}
