/* service/api_osrm.h -- OSRM v5 compatible endpoints, so existing routing clients (Leaflet Routing
 * Machine, osrm-text-instructions, OSRM's own client libraries) work against this service.
 *
 *   GET /route/v1/driving/{lon,lat;lon,lat[;...]}   fastest route through 2+ waypoints
 *       ?overview=simplified|full|false  geometries=polyline|polyline6|geojson  steps=false|true
 *        annotations=false|true|duration,distance,speed,weight,datasources  radiuses=r;r|unlimited
 *        alternatives=false|true|N  continue_straight=default|true|false  hints  generate_hints
 *        skip_waypoints  (alternatives, continue_straight and hints are accepted and ignored:
 *        one route is returned, and there are no hints to give back)
 *   GET /nearest/v1/driving/{lon,lat}?number=N      the N nearest roads: the snapped point, then
 *       one point per other road (by name and ref; unnamed edges by point), nearest first
 *   GET /table/v1/driving/{coords}?sources=i;j|all&destinations=..&annotations=duration,distance
 *       durations / distances matrices of the fastest drives, null where unreachable
 * (every service also takes radiuses, hints, generate_hints and skip_waypoints; /nearest snaps
 * within SNAP_RADIUS_MAX_M unless radiuses says otherwise).
 *
 * Coordinates are also accepted as polyline({p5}) / polyline6({p6}), and a trailing ".json".
 * Figures are those of /v1/route: the same snapping (radius SNAP_RADIUS_DEFAULT_M unless
 * radiuses says otherwise) and the same route_compute(), so distance and duration are identical.
 * Steps are those of geo/road/guidance.h (written here as OSRM writes them), tables those of
 * geo/road/table.h, nearest roads those of snap_roads() (geo/road/snap.h). Maneuvers:
 *   depart, turn, new name, continue, fork, end of road, arrive;
 *   roundabout / rotary: one step from entering the ring to the next maneuver after leaving it,
 *     named after the road taken, with `exit` (exits passed, the one taken included: ring nodes
 *     with a road leaving the ring; service roads only on a service ring) and the direction of
 *     entering as modifier; no `exit` when the leg ends on the ring. A rotary (with rotary_name)
 *     is a named ring wider than 15 m whose name no road meeting it carries;
 *   exit roundabout / exit rotary: leaving a ring the leg departed on (with `exit`);
 *   off ramp (motorway or trunk onto a _link), on ramp (a lower road onto a motorway or trunk
 *     _link), merge (a _link onto a motorway or trunk; the modifier says towards which side).
 * Not produced: roundabout turn, use lane, notification (no lanes, no modes).
 *
 * Errors are answered as OSRM answers them: HTTP 400 with {"code", "message"}, code one of
 * InvalidUrl (path), InvalidQuery (parameters), InvalidValue (values out of range), NoSegment,
 * NoRoute, TooBig (over the limits below). Failures that are not the client's (memory) keep the
 * service's own status and codes. */
#ifndef KKC_API_OSRM_H
#define KKC_API_OSRM_H

#include "api.h"
#include "road/graph.h"
#include "road/snap.h"

#define OSRM_ROUTE_MAX_WAYPOINTS 100 /* coordinates of one /route request */
#define OSRM_TABLE_MAX 100           /* coordinates of one /table request: 100 x 100 at most */
#define OSRM_NEAREST_MAX 100         /* number= of /nearest */

/* Answer a GET or HEAD of /route/v1/, /nearest/v1/ or /table/v1/ (the route table in routes.c
 * sends them, and answers other methods). Fills res (an error body on failure). */
void api_osrm_dispatch(const struct api_req *req, struct api_res *res);

#endif
