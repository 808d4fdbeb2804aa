/* geo/closures/closures.h -- road closures and slow-downs: the stored definitions and their checks.
 *
 * A closure names roads by OSM way id (a way split at junctions is several road edges; every one
 * of them is affected), or by a geometry in WGS84: a POLYGON / MULTIPOLYGON closes every road
 * edge that crosses it, a LINESTRING every edge whose middle lies within CLOSURE_LINE_M metres
 * of the line. factor 0 closes the roads; a factor > 1 multiplies their driving time (a
 * slow-down). dir restricts it to one direction of the ways (forward = the order of the way's
 * nodes, which is the source -> target order of its edges). A closure is in force from
 * valid_from (inclusive) to valid_until (exclusive, 0 = open-ended); times are Unix seconds, and
 * every function that asks "in force?" takes the current time as an argument (the clock is the
 * caller's, so tests inject it).
 *
 * Storage (data/schema.sql): table closures holds the current definitions; closure_changes is the
 * audit trail and the ordered change log at once: one row per write with the closure as it is
 * after it (as it was before, for a delete), numbered by an increasing version. The largest
 * version is the state version of the closures: equal versions mean equal closures, and a
 * replica catches up by replaying the rows after the version it has. Definitions are kept by way
 * id and geometry, never by edge id, so they survive a re-import of the same network and are
 * matched again (closures_match() reports the ways that no longer exist). */
#ifndef KKC_CLOSURES_H
#define KKC_CLOSURES_H

#include "base/err.h"

#include <stddef.h>
#include <stdint.h>

struct store;

#define CLOSURE_LINE_M 15.0      /* a line closes the edges whose middle is this close */
#define CLOSURES_WRITE_MAX 1000  /* closures in one write (an import file, one request) */
#define CLOSURE_WAYS_MAX 1000    /* way ids in one closure */
#define CLOSURE_WKT_MAX 200000   /* bytes of geometry text in one closure */
#define CLOSURE_TEXT_MAX 500     /* bytes of reason / source */
#define CLOSURE_FACTOR_MAX 100.0 /* the largest slow-down factor */
#define CLOSURE_SHARE_MAX 0.5    /* a geometry may close at most this share of the road edges */

enum closure_dir { CLOSURE_BOTH = 0, CLOSURE_FORWARD = 1, CLOSURE_BACKWARD = 2 };

struct closure {
    int64_t id;       /* 0 for a new closure; the store assigns it */
    double factor;    /* 0: closed; > 1: driving time multiplied (slow-down) */
    int dir;          /* enum closure_dir */
    int64_t *ways;    /* OSM way ids (owned), nways of them; may be 0 with a geometry */
    size_t nways;
    char *wkt;        /* LINESTRING, POLYGON or MULTIPOLYGON text in WGS84 (owned), or NULL */
    char *geojson;    /* the same geometry as GeoJSON text (owned): an input closures_write
                       * turns into wkt when wkt is NULL; filled by closures_load */
    char *reason;     /* owned, non-empty */
    char *source;     /* owned, may be NULL ("admin" when stored without one) */
    int64_t valid_from, valid_until; /* Unix seconds; valid_until 0 = until removed */
    int64_t created, changed;        /* Unix seconds, set by the store */
};

/* A list of closures (owned items). */
struct closure_list {
    struct closure *items;
    size_t len, cap;
};

/* Free what c owns and zero it; NULL is a no-op. */
void closure_clear(struct closure *c);
/* Append a copy of c to l (deep); KKC_ENOMEM on failure. */
enum kkc_code closure_list_push(struct closure_list *l, const struct closure *c,
                                struct kkc_err *err);
void closure_list_free(struct closure_list *l);

/* 1 when c is in force at time now, else 0. */
int closure_active(const struct closure *c, int64_t now);

/* Check c without the database: a reason, a factor 0 or in (1, CLOSURE_FACTOR_MAX], a direction,
 * way ids > 0 or a geometry (not both empty), valid_until after valid_from, sizes within the
 * limits. KKC_EINVAL with a message naming the field. */
enum kkc_code closure_check(const struct closure *c, struct kkc_err *err);

/* ---- the store (geo/closures/closures_store.c) ----------------------------------------------- */

/* Create the closure tables (and the way id index on road_edges) in an older database when they
 * are missing. st must be writable. */
enum kkc_code closures_store_ensure(struct store *st, struct kkc_err *err);

/* All stored closures, by id; a database without the tables has none. *out is appended to. */
enum kkc_code closures_load(struct store *st, struct closure_list *out, struct kkc_err *err);

/* The state version: the last change's number, 0 with no change (or no tables). */
enum kkc_code closures_version(struct store *st, int64_t *version, struct kkc_err *err);

enum closures_op { CLOSURES_ADD, CLOSURES_UPDATE, CLOSURES_REMOVE };

/* One write of n closures in one transaction, all or nothing: add (ids assigned, written back
 * into cs[i].id), update (cs[i].id must exist; all fields replaced) or remove (only the ids
 * are read). Each closure is checked (closure_check, then against the network: every way id
 * must exist, a geometry must be valid (not self-intersecting), not empty, must touch at least
 * one road, must not cover the whole network nor close more than CLOSURE_SHARE_MAX of its
 * edges) and logged in closure_changes. now stamps
 * created/changed. KKC_EINVAL / KKC_ENOTFOUND / KKC_ETOOBIG name the closure (its position in
 * the write) and the reason; *version gets the new state version. */
enum kkc_code closures_write(struct store *st, enum closures_op op, struct closure *cs, size_t n,
                             int64_t now, int64_t *version, struct kkc_err *err);

/* The checks of one closure that closures_write makes (closure_check, c->wkt from c->geojson
 * when only that is given, then against the network of st), for the other state backends. */
enum kkc_code closure_validate(struct store *st, struct closure *c, struct kkc_err *err);

/* After a re-import into the new database st: copy the closures and their change log from the
 * database at old_path (nothing when it has none), then report (closures_report_missing) the
 * way ids that the new network no longer has. */
enum kkc_code closures_carry_over(struct store *st, const char *old_path, kkc_report_fn report,
                                  void *ud, struct kkc_err *err);

/* ---- matching (geo/closures/closures_match.c) ------------------------------------------------ */

/* What the closures in force do to one road edge: per direction, 0 = closed, else the factor of
 * the driving time (1 = unchanged). */
struct closure_effect {
    uint32_t edge; /* road_edges.id */
    double fw, bw; /* factor for source -> target and target -> source */
};

struct closure_effects {
    struct closure_effect *items; /* one per affected edge, by edge id */
    size_t len;
    size_t active;       /* closures in force */
    size_t missing_ways; /* way ids of closures in force not found in the network */
    int64_t first_missing_way, first_missing_closure; /* the first of them, for the report */
    int64_t next_change; /* the next valid_from / valid_until after now; 0 = none */
};

/* Match the closures of l in force at now to road edges of the database st. Several closures on
 * one edge combine: closed wins, factors multiply (capped at CLOSURE_FACTOR_MAX). */
enum kkc_code closures_match(struct store *st, const struct closure_list *l, int64_t now,
                             struct closure_effects *out, struct kkc_err *err);
void closure_effects_free(struct closure_effects *e);

/* Check a geometry text: it parses as WKT, is a LINESTRING, POLYGON or MULTIPOLYGON, is valid
 * (a self-intersecting ring is not), not empty, a polygon has an area and does not cover the
 * whole road network. KKC_EINVAL says which. */
enum kkc_code closure_geometry_check(struct store *st, const char *wkt, struct kkc_err *err);

/* The road edges wkt closes (see the top of this file): each id is passed to fn(ud, id) when fn
 * is not NULL; *count gets how many. */
enum kkc_code closure_geometry_edges(struct store *st, const char *wkt,
                                     void (*fn)(void *ud, uint32_t edge), void *ud,
                                     size_t *count, struct kkc_err *err);

/* The road edges of c's ways as a GeoJSON MultiLineString (malloc'd, *out; NULL when c has no
 * way or none exists). */
enum kkc_code closure_ways_geojson(struct store *st, const struct closure *c, char **out,
                                   struct kkc_err *err);

/* Report every way id of a stored closure that no road edge of st has: report(ud, "closures",
 * closure id, "way N no longer exists ..."). */
enum kkc_code closures_report_missing(struct store *st, kkc_report_fn report, void *ud,
                                      struct kkc_err *err);

#endif
