/* geo/road/import/osm_import.h -- the import side of the road graph: OpenStreetMap -> road_nodes,
 * road_edges (and optionally centres) in the store.
 *
 * What is kept. Ways whose highway=* class is routable in the speed profile
 * (geo/road/import/profile.h: motorway .. service and the _links by default), unless area=yes, or
 * the access rules of car.h close them (no / agricultural / forestry / psv / emergency / military
 * ...; private / destination / delivery / customers keep them as restricted roads, car.h).
 *
 * Direction. oneway=yes|true|1 -> forward only, -1|reverse -> backward only, no|false|0 -> both;
 * without an oneway tag junction=roundabout|circular and highway=motorway|motorway_link are
 * one-way forward. oneway=reversible|alternating ways are dropped (reported); other values are
 * reported and ignored.
 *
 * Road class and roundabouts. road_edges.highway is the way's highway=* value (a class of the
 * profile); road_edges.roundabout is 1 for the edges of junction=roundabout|circular ways, 0
 * otherwise (the query side derives road classes and roundabout maneuvers from them).
 *
 * Speed. maxspeed=N, "N km/h", "N mph", "N knots", "walk", and country zones such as "CZ:urban",
 * "DE:rural", "CZ:motorway", "DE:zone30" give a limit; the edge drives at limit * maxspeed_factor.
 * "none", "signals", "variable" and unknown zones (reported) fall back to the class speed.
 * duration_s = length_m / (km/h / 3.6).
 *
 * Graph. Ways are split at junctions: graph nodes are nodes used twice or more by kept ways
 * (also twice by one way) and the ends of kept ways; the points in between go into the edge's
 * LINESTRING (SRID 4326, in the way's direction). A closed way that would become a self-loop is
 * split at its middle point, so no edge has source == target. Consecutive repeated node refs are
 * collapsed (reported). A way referencing nodes missing from the file is cut at the missing refs
 * and its remaining pieces kept (reported); a piece with fewer than 2 nodes is dropped. An edge of
 * zero length (two nodes with identical coordinates) is kept and reported. length_m is the WGS84
 * geodesic length along the geometry (PROJ geod_inverse). road_nodes ids are dense 0..n-1 in
 * increasing OSM node id order; road_edges ids dense 0..m-1 in file order of the ways.
 *
 * Centres (centres_from_osm). amenity=police -> police, amenity=fire_station -> fire,
 * emergency=ambulance_station -> ambulance, from nodes ("osm-n<ID>") and ways ("osm-w<ID>",
 * placed at the area centroid of a closed way, the mean of the nodes otherwise). Relations are
 * skipped with a report. An id already in centres is reported as a duplicate and left unchanged.
 *
 * Memory. One pass over the file keeps every node (16 bytes: id and coordinates in 1e-7 degrees),
 * the node refs of kept ways (12 bytes each) and 5 bytes per node for the graph build. Fine for
 * a city or region (Heidelberg: ~10 MB); a country extract (Germany: ~450 M nodes, ~10 GB) needs
 * a two-pass import that keeps only referenced nodes. OSM_IMPORT_MAX_NODES caps it.
 *
 * Thread safety: no globals; one import per store at a time. geo/ never prints: every rejected or
 * suspicious element goes to opts->report (row = the element's OSM id, 0 for the whole file). */
#ifndef KKC_OSM_IMPORT_H
#define KKC_OSM_IMPORT_H

#include "base/err.h"

struct store;

#define OSM_IMPORT_MAX_NODES 500000000L        /* nodes kept from one file */
#define OSM_IMPORT_MAX_BZ2_BYTES (16ULL << 30) /* decompressed size of an .osm.bz2 */

struct osm_import_opts {
    const char *path;     /* .osm, .osm.pbf (or .pbf), .osm.bz2 (or .bz2) */
    int centres_from_osm; /* nonzero: also add police / fire / ambulance centres */
    const char
        *profile_path; /* NULL: the built-in speed profile; format in geo/road/import/profile.h */
    kkc_report_fn report; /* NULL: reports are only counted */
    void *report_ud;      /* passed to report */
};

struct osm_import_stats {
    long nodes_read;        /* OSM nodes in the file */
    long ways_read;         /* OSM ways in the file */
    long relations_read;    /* OSM relations in the file */
    long ways_kept;         /* routable ways that gave at least one edge */
    long ways_excluded;     /* routable class but area=yes, access, or a reversible oneway */
    long ways_emergency_only; /* of those, emergency vehicles only (car.h): stored, car-closed */
    long emergency_passages;  /* edges through barriers that emergency vehicles pass (car.h) */
    long road_nodes;        /* rows written to road_nodes */
    long road_edges;        /* rows written to road_edges */
    long restrictions;      /* turn restrictions that apply (the rest are reported) */
    long centres_added;     /* rows written to centres */
    long centres_duplicate; /* centres skipped because their id existed */
    long centres_rejected;  /* centres the one validation (centres_check) refused, reported */
    long reports;           /* calls of opts->report (made or not) */
    double length_km;       /* total length of the edges */
    double elapsed_s;       /* wall-clock time of the import */
};

/* Import the OSM file o->path into st, whose road_nodes and road_edges must be empty
 * (KKC_EINVAL otherwise). Everything is written inside one SAVEPOINT: on any error nothing is
 * written. An .osm.bz2 is first decompressed to a temporary .osm file in $TMPDIR (or /tmp),
 * removed before returning. stats may be NULL; it is filled on success (zeroed first).
 * Returns KKC_OK; KKC_ENOTFOUND (file or profile missing), KKC_EINVAL (bad option, unknown
 * suffix, malformed file or profile), KKC_ETOOBIG (over a cap above), KKC_EIO, KKC_EDB, KKC_ENOMEM.
 * Reports are made during the call, on the calling thread. */
enum kkc_code osm_import(struct store *st, const struct osm_import_opts *o,
                         struct osm_import_stats *stats, struct kkc_err *err);

#endif
