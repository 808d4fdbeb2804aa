/* tests/fixture_osm.h -- two hand-made OSM maps whose maneuvers are known by construction, shared
 * by the guidance suite (tests/road) and the OSRM endpoint suite (tests/service): streets with a
 * crossing, a dead end and a fork; roundabouts, a rotary and a motorway with its ramps. The
 * pictures are in fixture_osm.c. */
#ifndef KKC_FIXTURE_OSM_H
#define KKC_FIXTURE_OSM_H

#include <stddef.h>

/* The street map (one XML text). */
extern const char fx_hand_map[];
/* The roundabout and motorway map (XML parts up to NULL). */
extern const char *const fx_ramp_map[];

/* Routes on the street map: "lon,lat" ends; the maneuvers as words "type/modifier#exit" (the
 * depart without modifier, spaces inside a word as '_'), space separated; the depart's
 * bearing_after and the second step's bearing_before and bearing_after. */
struct fx_hand_route {
    const char *from, *to;
    const char *maneuvers;
    int depart, bearing_before, bearing_after;
};
#define FX_HAND_ROUTES 10
extern const struct fx_hand_route fx_hand_routes[FX_HAND_ROUTES];

/* Routes on the roundabout map: words as above, the steps' names comma separated, the second
 * step's rotary name (NULL: none). */
struct fx_ramp_route {
    const char *from, *to;
    const char *maneuvers;
    const char *names;
    const char *rotary;
};
#define FX_RAMP_ROUTES 9
extern const struct fx_ramp_route fx_ramp_routes[FX_RAMP_ROUTES];

#define SOUTH "16.0000000,49.9986514"   /* South Road, 150 m south of Little Ring */
#define RING_NW "15.9998816,50.0000763" /* on Little Ring, north-west (between N and W) */
#define CIRCLE "16.0000000,49.9964038"  /* Circle Road, (0,-400) */

/* The emergency access map (tests/road/test_emergency.c has its picture): Start (S0 - A), Horní
 * (A - N1 - N2 - C), Zkratka (A - G - C, with way_tags) and Cíl (C - T0), residential but
 * Zkratka; G (OSM node 7) carries node_tags. The XML into buf (cap bytes, 4 KiB is enough). */
void fx_emergency_map(char *buf, size_t cap, const char *way_tags, const char *node_tags);
#define FX_EM_S0 "15.7950000,50.2000000" /* the start of Start */
#define FX_EM_T0 "15.8150000,50.2000000" /* the end of Cíl */

/* A new database (in a new temporary directory) holding the map of XML parts xml[..] up to NULL
 * imported by osm_import(); its path (caller frees). Check assertions on failure. */
char *fx_osm_db(const char *const *xml);

/* A new database (a new temporary file) with the extract DATA_SRC/osm/NAME.osm.pbf imported by
 * osm_import(), then sql run on it (NULL: none); its path (caller frees and unlinks). Check
 * assertions on failure. */
char *fx_extract_db(const char *name, const char *sql);

#endif
