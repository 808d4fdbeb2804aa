/* geo/road/import/profile.h -- the car speed profile: which OSM highway classes are routable, and how fast.
 *
 * THE built-in table (km/h, typical travel speeds, after OSRM's car profile):
 *
 *     motorway       90     motorway_link   45
 *     trunk          85     trunk_link      40
 *     primary        65     primary_link    30
 *     secondary      55     secondary_link  25
 *     tertiary       40     tertiary_link   20
 *     unclassified   25     residential     25
 *     living_street  10     service         15
 *     ferry           5     shuttle_train   10     (route=ferry / route=shuttle_train ways)
 *
 * and the other figures of OSRM's car.lua (name, built-in value):
 *
 *     maxspeed_factor        0.8    a way tagged maxspeed=V drives at V * 0.8 (car.lua speed_reduction)
 *     turn_penalty           7.5    s, the most a turn costs, shaped by its angle (sigmoid)
 *     turn_bias              1.075  right turns cheaper than left ones (right-hand traffic)
 *     u_turn_penalty         20     s, added to a u-turn (only at dead ends and barriers)
 *     traffic_signal_penalty 2      s, passing a node with highway=traffic_signals
 *     vehicle_height         2.0    m   (maxheight below it closes a way)
 *     vehicle_width          1.9    m   (maxwidth / width at or below it closes a way)
 *     vehicle_length         4.8    m   (maxlength below it closes a way)
 *     vehicle_weight         2000   kg  (maxweight below it closes a way)
 *
 * Every other highway value (footway, track, construction, ...) is not routable. What the tags
 * of a way or node mean for a car is geo/road/import/car.h.
 *
 * Profile file format (UTF-8 text; lines under PROFILE_LINE_MAX bytes; '#' starts a comment;
 * blank lines are ignored; fields are separated by blanks):
 *
 *     <highway-class> <speed_kmh>    e.g. "residential 30". 0 makes the class not routable; a
 *                                    class missing from the table above becomes routable.
 *                                    0 <= speed_kmh <= 300.
 *     <figure> <value>               one of the figures above: maxspeed_factor in (0, 2],
 *                                    turn_bias in [0.5, 2], the others in [0, 100000].
 *
 * A file changes only the settings it names; everything else keeps its built-in value.
 * A struct profile is a plain value (no heap), so it can be copied and shared read-only. */
#ifndef KKC_PROFILE_H
#define KKC_PROFILE_H

#include "base/err.h"

#define PROFILE_MAX_CLASSES 64 /* built-in classes plus the ones a file may add */
#define PROFILE_NAME_MAX 32    /* bytes of a class name, including the terminating NUL */
#define PROFILE_LINE_MAX 256   /* bytes of one line of a profile file */
#define PROFILE_MAX_KMH 300.0

struct profile_class {
    char name[PROFILE_NAME_MAX]; /* the highway=* value */
    double kmh;                  /* 0 = not routable */
};

struct profile {
    size_t n; /* classes in use */
    struct profile_class cls[PROFILE_MAX_CLASSES];
    double maxspeed_factor;
    double turn_penalty_s, turn_bias, u_turn_penalty_s, signal_penalty_s;
    double vehicle_height_m, vehicle_width_m, vehicle_length_m, vehicle_weight_kg;
};

/* Fill p with the built-in table above. Never fails. */
void profile_default(struct profile *p);

/* Fill p with the built-in table, then apply the file at path. On error (KKC_ENOTFOUND when the
 * file cannot be opened, KKC_EINVAL with the line number for a malformed line, KKC_ETOOBIG for
 * more than PROFILE_MAX_CLASSES classes) p holds the built-in table. */
enum kkc_code profile_load(const char *path, struct profile *p, struct kkc_err *err);

/* Index in p->cls of the routable class (speed > 0) named highway, or -1. */
int profile_find(const struct profile *p, const char *highway);

#endif
