/* service/api_profile.h -- profile= on the coverage endpoints: which vehicle's weights the road
 * questions use (geo/road/service_profile.h). car (the default) is today's graph; police, fire,
 * ambulance weight it by their table (built-in, or overridden by the CSV file named by
 * KKC_SERVICE_PROFILES); auto takes the profile of the one kind asked for (car for several). */
#ifndef KKC_API_PROFILE_H
#define KKC_API_PROFILE_H

#include "api.h"
#include "road/graph.h"

/* Parse profile= (kind_mask for auto) into *profile (enum service_profile_id). KKC_EINVAL naming
 * the known ones. */
enum kkc_code api_profile_param(const struct api_req *r, unsigned kind_mask, int *profile,
                                struct kkc_err *err);

/* The graph of the profile over base (the world's graph or a what-if one): base itself for car
 * (*owned NULL); over the world's graph the world's own profile graph, whose hierarchy is
 * customized once for the profile (world_profile_graph; *owned NULL); else a weighted view in
 * *owned, which the caller frees with service_profile_graph_destroy() before base goes. */
enum kkc_code api_profile_graph(const struct api_req *r, int profile, const struct graph *base,
                                const struct graph **g, struct graph **owned,
                                struct kkc_err *err);

#endif
