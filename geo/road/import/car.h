/* geo/road/import/car.h -- what OSRM 5.27.1's car profile (profiles/car.lua and
 * lib/way_handlers.lua) makes of the tags of one OSM way or node, in C. The figures (speeds,
 * vehicle size, penalties) are the struct profile (geo/road/import/profile.h); the rules are these,
 * in car.lua's order:
 *
 * Way kept at all: highway=* of a routable profile class, or route=ferry / route=shuttle_train
 * (a "ferry" / "shuttle_train" class). Dropped: area=yes; highway=construction,
 * railway=construction, construction=* other than no|widening|minor, proposed=*;
 * oneway=reversible; impassable=yes, status=impassable, smoothness=impassable.
 * service=emergency_access is closed to cars but open to emergency vehicles (below).
 *
 * Access, per direction: the first of motorcar, motor_vehicle, vehicle, access that is set
 * (each key tried as key:forward / key:backward, then key). Open: yes, motorcar, motor_vehicle,
 * vehicle, permissive, designated, hov, discouraged and any value not listed here (reported).
 * Closed: no, agricultural, forestry, emergency, psv, bus, taxi, foot, bicycle, horse, hgv,
 * goods, military (car.lua leaves bus/taxi/foot/... open; we close them: a car may not drive
 * there). Restricted (kept, flagged; car.lua lets a route start or end on them but not pass
 * through: the turn onto one from a road open to all costs max_turn_weight, turn.h): private,
 * delivery, destination, customers, on car.lua's restricted_highway_whitelist (motorway ..
 * tertiary_link, residential, living_street, unclassified, service); elsewhere (a ferry, a
 * class a profile file added) they close the way, as car.lua's blacklist does.
 *
 * Size limits of the vehicle (per direction, :forward/:backward honoured): maxheight:physical /
 * maxheight below vehicle_height; maxwidth:physical / maxwidth / width / est_width at or below
 * vehicle_width; maxlength below vehicle_length; maxweight below vehicle_weight (t unless kg or
 * lbs). "default", "none", "no-sign", "unsigned" heights are 4.5 m. -> that direction closed.
 *
 * Emergency vehicles (police, fire, ambulance with lights and siren), per direction: the
 * emergency tag (emergency:forward / emergency:backward, then emergency) decides when set:
 * yes|designated|permissive|official open, no closed, any other value as without it. Without
 * it: open on service=emergency_access, where the car's access value is "emergency"
 * (access=emergency, motor_vehicle=emergency), where a car may drive (restricted ones
 * included: a private or destination road does not stop an emergency), and where the car is
 * closed out but psv or bus (same :forward/:backward rule) is yes|designated|permissive (bus
 * roads and bus lanes mapped as ways). The size limits, the one-way rules and the speeds are
 * the car's. So "access=no + emergency=yes" is open to them, "emergency=no" closed even where
 * cars drive. A way open to emergency vehicles only is CAR_EMERGENCY_ONLY: stored with the car's
 * directions closed (road_edges.forward = backward = 0, emergency = its directions), so the car
 * never drives it and the police, fire and ambulance profiles do (road/service_profile.h).
 *
 * Direction: oneway:motorcar, oneway:motor_vehicle, oneway:vehicle, then oneway. yes|1|true
 * forward only; -1|reverse backward only; no|false|0 both; alternating both (car.lua only slows
 * its weight); without a value junction=roundabout|circular and highway=motorway|motorway_link
 * are one-way forward.
 *
 * Speed, per direction: the class speed; a limit from maxspeed:advisory, maxspeed,
 * source:maxspeed, maxspeed:type (:forward/:backward honoured) replaces it with limit *
 * maxspeed_factor (numbers with km/h, mph, knots; country zones CZ:urban, DE:rural, ...;
 * "none" = 140; walk = 7; signals / variable = no limit). Then min() with the surface,
 * tracktype and smoothness speeds (car.c's tables). Ferries and shuttle trains: their route
 * speed, or their duration=* (minutes, HH:MM, HH:MM:SS, ISO 8601 PTnHnMnS) over the whole way.
 * car.lua's weight-only penalties (service=parking_aisle, width <= 3 m, lanes=1, side_road)
 * change OSRM's route choice but not its durations; our cost is the duration, so they are left out.
 *
 * Nodes: a node whose first access tag (motorcar .. access) is closed (not restricted) is a
 * barrier; else barrier=* not in the whitelist (cattle_grid, border_control, toll_booth,
 * sally_port, gate, lift_gate, no, entrance, height_restrictor, arch) is a barrier, except a
 * rising bollard, a lowered / flush kerb and a kerb on a highway=crossing; a height_restrictor
 * below vehicle_height is one. highway=traffic_signals marks signals. A barrier tagged
 * emergency=yes|designated|permissive|official (access=no + emergency=yes, a bollard or gate with
 * emergency=yes) or access=emergency lets emergency vehicles through (car_node_emergency). */
#ifndef KKC_CAR_H
#define KKC_CAR_H

#include "road/import/profile.h"

#include <readosm.h>
#include <stdint.h>

typedef void (*car_report_fn)(void *ud, long long id, const char *reason);

struct car_way {
    int cls;                                /* index into profile cls */
    uint8_t forward, backward;              /* drivable in that direction */
    uint8_t restricted_fwd, restricted_bwd; /* 1 destination / delivery / customers, 2 private */
    uint8_t roundabout;                     /* junction=roundabout|circular */
    uint8_t emergency_fwd, emergency_bwd;   /* drivable by an emergency vehicle (rules above) */
    double kmh_fwd, kmh_bwd;                /* speeds (0 where closed) */
    double duration_s;                      /* > 0: duration of the whole way (ferries) */
};

enum car_verdict { CAR_NOT_ROAD = -1, CAR_EXCLUDED = 0, CAR_KEPT = 1, CAR_EMERGENCY_ONLY = 2 };

/* Evaluate way w. CAR_NOT_ROAD for ways without a routable class (silent), CAR_EXCLUDED for a
 * road the rules above drop (counted; oddities reported), CAR_KEPT with *out filled (a car may
 * drive it; emergency_* say whether an emergency vehicle may), CAR_EMERGENCY_ONLY with *out
 * filled when only an emergency vehicle may (forward = backward = 0). */
enum car_verdict car_way_eval(const struct profile *p, const readosm_way *w, struct car_way *out,
                              car_report_fn report, void *ud);

#define CAR_NODE_BARRIER 1u /* blocks passage */
#define CAR_NODE_SIGNALS 2u /* traffic signals */
#define CAR_NODE_EMERGENCY 4u /* with CAR_NODE_BARRIER: emergency vehicles pass it */

/* CAR_NODE_* flags of node nd (0 for an ordinary node). */
unsigned car_node_eval(const struct profile *p, const readosm_node *nd);

/* CAR_NODE_EMERGENCY when flags (car_node_eval's) has CAR_NODE_BARRIER and an emergency vehicle
 * passes that barrier: emergency=yes|designated|permissive|official, or without an emergency
 * tag the car's access value (motorcar .. access) is "emergency"; emergency=no or anything else
 * keeps it closed to them too. Else 0. */
unsigned car_node_emergency(const readosm_node *nd, unsigned flags);

/* The value of key among tags, or NULL. */
const char *car_tag(const readosm_tag *t, int n, const char *key);

/* 1 when v is in the NULL-terminated list. */
int car_in(const char *v, const char *const *list);

/* A maxspeed value in km/h: 1 with *kmh, 0 for no usable limit (signals, variable), -1 when
 * not understood. */
int car_maxspeed(const char *v, double *kmh);

/* A size in metres ("2.5", "2,5 m", "6'6\"", "default"): 1 with *m, 0 when not a size. */
int car_metres(const char *v, double *m);

/* A weight in kg ("3.5" t, "3500 kg", "7000 lbs"): 1 with *kg, 0 when not a weight. */
int car_kilograms(const char *v, double *kg);

/* Parse an OSM duration (see above) into seconds. Returns 1, or 0 when it is not a time. */
int car_duration(const char *v, double *s);

#endif
