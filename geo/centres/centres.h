/* geo/centres/centres.h -- the set of centres and the spatial index over them (query side).
 *
 * Built once from the store and immutable afterwards, so any number of threads may query one
 * struct centres without locks. Nearest queries are exact geodesic distances on the WGS84
 * ellipsoid: a k-d tree over earth-centred (ECEF) coordinates prunes by chord length, which is a
 * lower bound of the geodesic, and PROJ's geodesic routines give the final distance. */
#ifndef KKC_CENTRES_H
#define KKC_CENTRES_H

#include "base/err.h"

#include <stddef.h>
#include <stdint.h>

struct store;

enum centre_kind { KIND_POLICE = 0, KIND_FIRE, KIND_AMBULANCE, KIND_COUNT };
#define KIND_MASK_ALL ((1u << KIND_COUNT) - 1)

struct centre {
    char *id;                /* stable text id: "PCR1", "osm-n123" */
    char *name;
    enum centre_kind kind;
    double lon, lat;         /* WGS84 degrees */
    char *address;           /* may be NULL for each of the text fields below */
    char *municipality;      /* name */
    char *municipality_code;
    char *phone;
    char *email;
    char *www;
    char *hours;
    char *source;            /* "khk", "osm", "user" */
    int active;              /* 0 = closed (status 'closed'), skipped unless asked */
    int turnout_s;           /* seconds from the call to leaving the centre (0 included when
                                turnout_set); 0 and not turnout_set: the kind's default
                                (coverage/response.h) */
    int turnout_set;         /* 1: turnout_s is the centre's own, even 0 (store: not NULL) */
};

/* 1 when c has a turnout of its own (an explicit 0 included), 0 when its kind's default holds. */
static inline int centre_turnout_own(const struct centre *c)
{
    return c->turnout_set || c->turnout_s > 0;
}

struct centres;

/* Parse "police" / "fire" / "ambulance"; -1 when unknown. */
int centres_kind_parse(const char *s);
/* The name of a kind; static string. */
const char *centres_kind_name(enum centre_kind k);

/* Build from an array the caller owns (the strings are copied). */
enum kkc_code centres_build(const struct centre *items, size_t n, struct centres **out,
                            struct kkc_err *err);
/* Load every centre (active and closed) from the store. */
enum kkc_code centres_load(struct store *st, struct centres **out, struct kkc_err *err);
/* centres_destroy(NULL) is a no-op. */
void centres_destroy(struct centres *c);

size_t centres_count(const struct centres *c);
/* The i-th centre (0 <= i < count), ordered by id; borrowed. */
const struct centre *centres_get(const struct centres *c, size_t i);
/* Index of the centre with this id, or -1. */
long centres_find(const struct centres *c, const char *id);

struct centres_hit {
    uint32_t index;      /* into centres_get() */
    double distance_m;   /* geodesic, WGS84 */
    double bearing_deg;  /* from the query point towards the centre, 0..360 clockwise from north */
};

/* The k nearest centres of the kinds in kind_mask (bit 1<<kind) to lon,lat, closed ones included
 * only when include_closed. Ordered by distance, ties by id. Writes up to k hits to out and
 * returns how many in *n. Never allocates. */
enum kkc_code centres_nearest(const struct centres *c, double lon, double lat, unsigned kind_mask,
                              int include_closed, size_t k, struct centres_hit *out, size_t *n,
                              struct kkc_err *err);

#endif
