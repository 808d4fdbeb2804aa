/* geo/road/guidance.h -- turn instructions for a computed route: steps, maneuvers, the roads at
 * each junction, roundabouts and ramps, as OSRM's car guidance describes them.
 *
 * Maneuvers are derived from the route's geometry (bearings, turn angles), the names and refs of
 * the edges, the road classes and the roundabout flags of the graph: depart, turn, new name,
 * continue, fork, end of road, arrive;
 *   roundabout / rotary: one step from entering the ring to the next maneuver after leaving it,
 *     named after the road taken, with `exit` (exits passed, the one taken included: ring nodes
 *     with a road leaving the ring; service roads only on a service ring) and the direction of
 *     entering as modifier; no exit when the leg ends on the ring. A rotary (rotary_name set)
 *     is a named ring wider than GUIDE_ROTARY_RADIUS_M whose name no road meeting it carries;
 *   exit roundabout / exit rotary: leaving a ring the leg departed on (with exit);
 *   off ramp (motorway or trunk onto a _link), on ramp (a lower road onto a motorway or trunk
 *     _link), merge (a _link onto a motorway or trunk; the modifier says towards which side).
 * Not produced: roundabout turn, use lane, notification (no lanes, no modes).
 *
 * Reads the graph only; the result is plain structs (no JSON): the service writes them. */
#ifndef KKC_GUIDANCE_H
#define KKC_GUIDANCE_H

#include "base/err.h"
#include "road/graph.h"
#include "road/route.h"
#include "road/snap.h"

#include <stddef.h>
#include <stdint.h>

#define GUIDE_ISECT_ROADS_MAX 16    /* roads described at one junction */
#define GUIDE_ROTARY_RADIUS_M 15.0  /* OSRM: a named roundabout wider than this is a rotary */
#define GUIDE_RING_EDGES_MAX 256    /* edges followed around one roundabout */

/* The roads at one junction, sorted by bearing as OSRM lists them. A road is a key:
 * edge << 1 | 1 when the node is the edge's target end (0 for the one-road ends of a leg). */
struct guide_isect {
    double loc[2]; /* lon, lat */
    int n, in, out; /* roads; indices of the arrival and departure road (-1: none) */
    uint32_t key[GUIDE_ISECT_ROADS_MAX];
    int bearing[GUIDE_ISECT_ROADS_MAX];          /* whole degrees 0..359 leaving the node */
    unsigned char entry[GUIDE_ISECT_ROADS_MAX];  /* the road may be driven away from the node */
};

struct guide_maneuver {
    const char *type, *modifier; /* OSRM words; modifier NULL: none */
    double loc[2];
    int bearing_before, bearing_after;
    int exit; /* roundabout exit taken (1 = the first), 0: none */
};

/* One step: the route's pieces [edge_first, edge_end) and its points
 * rr->coords[2 * coord_first .. 2 * (coord_last + 1)). */
struct guide_step {
    size_t edge_first, edge_end, coord_first, coord_last;
    double distance_m, duration_s;
    const char *name, *ref;   /* of the road the step is named after; "" when none (graph's) */
    const char *rotary_name;  /* of the rotary entered; NULL: none */
    struct guide_maneuver m;
    size_t isect_first, isect_count; /* into guide_leg.isects */
};

struct guide_leg {
    struct guide_step *steps; /* depart first, arrive last */
    size_t step_count;
    struct guide_isect *isects; /* every step's intersections, in order */
    size_t isect_count;
};

/* The steps of one leg: route rr (at least one edge, as route_compute() gives it) ending at the
 * snapped point `to` on g. Fills *out (free with guide_leg_free()); KKC_ENOMEM when out of
 * memory (nothing to free then). */
enum kkc_code guidance_leg(const struct graph *g, const struct route_result *rr,
                           const struct snap *to, struct guide_leg *out, struct kkc_err *err);

void guide_leg_free(struct guide_leg *leg);

/* Initial bearing from a to b (lon, lat), rounded to a whole degree 0..359 (0 when equal). */
int guide_bearing(const double *a, const double *b);

#endif
