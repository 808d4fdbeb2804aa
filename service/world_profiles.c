/* service/world_profiles.c -- a world's graphs for the service profiles (police car, fire engine,
 * ambulance): each the world's graph with the profile's speeds and access, and the world's
 * hierarchy customized with them (one customization per profile, service_profile_hierarchy),
 * built on the first request that asks for the profile and published with an atomic
 * compare-and-swap, like the coverage base: a race only costs a second build, whose loser is
 * freed. Freed with the world; a derived world (world_apply_change) builds its own. */
#include "world.h"

#include "road/graph.h"
#include "road/service_profile.h"

_Static_assert(PROFILE_COUNT <= WORLD_PROFILES, "world.h: WORLD_PROFILES too small");

enum kkc_code world_profile_graph(struct world *w, int profile, const struct service_profile *p,
                                  const struct graph **out, struct kkc_err *err)
{
    struct graph *v, *none = NULL;
    enum kkc_code rc;
    if (profile <= 0 || profile >= PROFILE_COUNT || !w->graph)
        return kkc_err_set(err, KKC_EINVAL, "no such profile graph");
    v = __atomic_load_n(&w->profiles[profile], __ATOMIC_ACQUIRE);
    if (v) {
        *out = v;
        return KKC_OK;
    }
    rc = service_profile_graph(w->graph, p, &v, err);
    if (!rc && w->graph->ch)
        rc = service_profile_hierarchy(v, w->graph, err);
    if (rc) {
        service_profile_graph_destroy(v);
        return rc;
    }
    if (!__atomic_compare_exchange_n(&w->profiles[profile], &none, v, 0, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
        service_profile_graph_destroy(v);
        v = none;
    }
    *out = v;
    return KKC_OK;
}

void world_profiles_free(struct world *w)
{
    for (int p = 0; p < WORLD_PROFILES; p++)
        service_profile_graph_destroy(w->profiles[p]);
}
