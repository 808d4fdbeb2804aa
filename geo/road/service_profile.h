/* geo/road/service_profile.h -- the vehicles of the services: speed factors per road class and
 * the road graph weighted for each.
 *
 * A profile multiplies the car's speed on each road class (graph.h, enum graph_road_class) by a
 * factor: the time of an edge becomes the car's time / factor (the distance part of a cost is
 * kept). The built-in table is a documented assumption, not a measured one -- a planner replaces
 * it with a profile file (service_profile_parse):
 *
 *   class           car  police  fire  ambulance
 *   motorway        1.0   1.10   0.85   1.05
 *   trunk           1.0   1.10   0.85   1.05
 *   primary         1.0   1.15   0.95   1.10
 *   secondary       1.0   1.15   0.95   1.10
 *   tertiary        1.0   1.15   0.95   1.10
 *   unclassified    1.0   1.10   0.90   1.05
 *   residential     1.0   1.05   0.90   1.00
 *   service         1.0   1.00   0.80   1.00
 *   living_street   1.0   1.00   0.80   1.00
 *   other           1.0   1.00   0.70   0.90
 *
 * Police cars and ambulances drive a little above the car's free-flow speed with lights and
 * siren on the main roads; a fire engine is heavy and slower everywhere, most on narrow roads.
 * Emergency access. police, fire and ambulance drive where an emergency vehicle may (the import's
 * rules, road/import/car.h): roads closed to cars but tagged emergency=yes|designated (access=no
 * + emergency=yes, motor_vehicle=no + emergency=yes), service=emergency_access, access=emergency,
 * bus roads and lanes mapped as ways (access=no + psv|bus=yes|designated), private and
 * destination roads; not where emergency=no. A barrier (bollard, gate, lift_gate, access=no ...)
 * tagged emergency=yes|designated or access=emergency lets them through: its road node copies are
 * joined by passages of length 0 (no turn cost). The car never drives those roads or passes those
 * barriers: they are stored (road_edges.emergency, forward = backward = 0) and are in the turn
 * graph and the hierarchy's topology (one hierarchy for every profile), with an infinite weight
 * in the car's metric. Turn costs are the car's, counted over the car's roads; size limits,
 * one-way rules and speeds (before the factors) are the car's.
 *
 * A profile's graph (service_profile_graph) shares everything with the car's graph except the
 * arcs, edge costs and edge flags (an emergency profile's directions are GRAPH_EMERGENCY_*), and
 * has no landmarks (the car's would not bound a faster vehicle) and no hierarchy metric (it is
 * searched directly on the shared turn graph, tnet.h). Its node adjacency (out[], in[]) is the
 * car's, scaled: the searches on the turn graph see the emergency-only roads, the node-graph ones
 * (maneuvers) do not. It is immutable once built: any number of threads may read it. */
#ifndef KKC_SERVICE_PROFILE_H
#define KKC_SERVICE_PROFILE_H

#include "base/err.h"
#include "centres/centres.h"
#include "road/graph.h"

#include <stddef.h>

#define SERVICE_CLASSES (GRAPH_CLASS_OTHER + 1)

enum service_profile_id {
    PROFILE_CAR = 0,
    PROFILE_POLICE,
    PROFILE_FIRE,
    PROFILE_AMBULANCE,
    PROFILE_COUNT
};

struct service_profile {
    const char *name; /* "car", "police", "fire", "ambulance" */
    double factor[SERVICE_CLASSES];
    int emergency; /* 1: drives the GRAPH_EMERGENCY_* directions, not the car's */
};

/* The built-in profiles: table[PROFILE_COUNT]. */
void service_profile_table(struct service_profile *table);
/* The profile of a name, -1 when unknown. */
int service_profile_find(const char *name);
/* The names joined by ", " (static). */
const char *service_profile_names(void);
/* The profile of a kind of centre. */
enum service_profile_id service_profile_of_kind(enum centre_kind k);

/* Override factors from CSV text "profile,class,factor" (header first; class as in
 * road_edges.highway base names: motorway ... living_street, other), factor in (0, 3]. Rows
 * change table (PROFILE_COUNT entries). KKC_EINVAL naming the line for a bad row. */
enum kkc_code service_profile_parse(const char *text, struct service_profile *table,
                                    struct kkc_err *err);

/* A graph weighted for profile p, sharing g's other arrays (g must outlive it). *out is the
 * caller's, freed with service_profile_graph_destroy(). KKC_EINVAL for a factor out of range,
 * KKC_ENOMEM. */
enum kkc_code service_profile_graph(const struct graph *g, const struct service_profile *p,
                                    struct graph **out, struct kkc_err *err);
/* NULL is a no-op; frees only what the profile's graph owns (its metric too, not the topology). */
void service_profile_graph_destroy(struct graph *v);

/* Give profile graph v (of service_profile_graph) a hierarchy: the car's graph's (base->ch)
 * topology, borrowed -- it includes the emergency-only roads -- customized with v's own weights
 * (tnet_arc_cost on v). Worth it for a view kept for many route / table queries; the view must
 * go before base. KKC_EINVAL when base has no hierarchy, KKC_ENOMEM. */
enum kkc_code service_profile_hierarchy(struct graph *v, const struct graph *base,
                                        struct kkc_err *err);

#endif
