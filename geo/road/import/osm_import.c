/* geo/road/import/osm_import.c -- OpenStreetMap file -> road_nodes, road_edges and centres (contract in
 * osm_import.h).
 *
 * Three phases over one struct imp: (1) the read: one readosm pass keeps every node, the kept
 * road ways (attributes and node refs) and the centre candidates; an .osm.bz2 is first
 * decompressed to a temporary .osm file. (2) The graph build: sort the nodes, resolve the refs
 * of the road ways to node indexes, mark junctions, number them densely. (3) The write: one
 * SAVEPOINT, prepared statements, SpatiaLite geometry blobs. Nothing is global; nothing prints. */
#include "road/import/osm_import.h"

#include "road/import/osm_check.h"

#include "road/import/profile.h"
#include "base/store.h"

#include <bzlib.h>
#include <ctype.h>
#include <errno.h>
#include <geodesic.h>
#include <limits.h>
#include <math.h>
#include <readosm.h>
#include <spatialite/gaiageo.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NO_NODE UINT32_MAX         /* a node ref not in the file / a cut in a way */
#define NO_STR UINT32_MAX          /* an absent name or ref */
#define STRS_MAX (1UL << 30)       /* bytes of way names and refs kept */
#define REFS_MAX ((1UL << 32) - 2) /* node refs kept (indexes are 32-bit) */
#define WAYS_MAX (1UL << 31)       /* road ways kept */
#define CENTRES_MAX 1000000UL      /* centre candidates kept */
#define REASON_MAX 320             /* bytes of one report */
#define E7 1e7                     /* coordinates are kept in 1e-7 degrees, OSM's precision */

/* ------------------------------------------------------------------------------------------ */
/* State of one import                                                                         */

struct onode {
    long long id;
    int32_t lon, lat; /* 1e-7 degrees */
};

struct oway { /* a kept road way */
    long long id;
    size_t first;       /* its node refs: refs[first .. first + n), later idx[...] */
    uint32_t n;         /* number of refs; after the resolve, of idx entries */
    uint32_t name, ref; /* offsets into strs, or NO_STR */
    uint16_t cls;       /* index into prof.cls */
    uint8_t forward, backward;
    uint8_t roundabout; /* junction=roundabout|circular */
    double kmh;         /* effective speed */
};

struct ocentre { /* a centre candidate */
    char type;   /* 'n' node, 'w' way */
    long long id;
    const char *kind; /* "police", "fire", "ambulance" (static) */
    double lon, lat;  /* nodes: from the file; ways: set by centre_locate() */
    size_t first;     /* ways: node refs in refs[first .. first + n) */
    uint32_t n;
    char *name, *address, *city, *phone, *email, *www, *hours; /* owned; NULL when absent */
};

struct imp {
    const struct osm_import_opts *o;
    struct osm_import_stats st;
    struct profile prof;
    struct geod_geodesic geod;
    struct onode *nodes; /* every node of the file; sorted by id after the read */
    size_t nnodes, capnodes;
    int unsorted;    /* nodes arrived out of id order */
    long long *refs; /* node refs of kept road ways and centre ways */
    size_t nrefs, caprefs;
    uint32_t *idx; /* refs resolved to indexes into nodes (road ways only) */
    struct oway *ways;
    size_t nways, capways;
    char *strs; /* NUL-terminated names and refs */
    size_t nstrs, capstrs;
    struct ocentre *centres;
    size_t ncentres, capcentres;
    uint8_t *deg;  /* per node: 0 unused, 1 used once, 2 graph node */
    uint32_t *gid; /* per node: its road_nodes id, or NO_NODE */
    uint32_t ngid;
    enum kkc_code rc; /* the first failure inside a readosm callback */
    struct kkc_err *err;
};

/* Hand a reason about element row (0 = the file) to the caller's report function. */
__attribute__((format(printf, 3, 4))) static void imp_report(struct imp *im, long long row,
                                                             const char *fmt, ...)
{
    char reason[REASON_MAX];
    va_list ap;

    im->st.reports++;
    if (!im->o->report)
        return;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    im->o->report(im->o->report_ud, im->o->path, (long)row, reason);
}

/* Record the first failure of the read (later ones keep the first message). */
static void imp_fail(struct imp *im, enum kkc_code code, const char *what)
{
    if (im->rc)
        return;
    im->rc = kkc_err_set(im->err, code, "%s: %s %s", im->o->path,
                         code == KKC_ENOMEM ? "out of memory for" : "too many", what);
}

/* Room for one more of n elements of size elem in array p of *cap elements, at most max.
 * Returns the (maybe moved) array, or NULL with im->rc set; p stays valid then. */
static void *imp_grow(struct imp *im, void *p, size_t *cap, size_t n, size_t elem, size_t max,
                      const char *what)
{
    if (n < *cap)
        return p;
    if (n >= max) {
        imp_fail(im, KKC_ETOOBIG, what);
        return NULL;
    }
    size_t c = *cap ? *cap * 2 : 1024;
    if (c > max)
        c = max;
    void *q = realloc(p, c * elem);
    if (!q) {
        imp_fail(im, KKC_ENOMEM, what);
        return NULL;
    }
    *cap = c;
    return q;
}

/* Free everything im owns (not the struct, which lives on the caller's stack). */
static void imp_free(struct imp *im)
{
    for (size_t i = 0; i < im->ncentres; i++) {
        struct ocentre *c = &im->centres[i];
        free(c->name), free(c->address), free(c->city), free(c->phone);
        free(c->email), free(c->www), free(c->hours);
    }
    free(im->centres), free(im->nodes), free(im->refs), free(im->idx), free(im->ways);
    free(im->strs), free(im->deg), free(im->gid);
}

/* ------------------------------------------------------------------------------------------ */
/* Tags                                                                                        */

/* The value of key among tags, or NULL. */
static const char *tag_get(const readosm_tag *t, int n, const char *key)
{
    for (int i = 0; i < n; i++)
        if (t[i].key && t[i].value && strcmp(t[i].key, key) == 0)
            return t[i].value;
    return NULL;
}

/* 1 when v is one of the NULL-terminated list. */
static int in_list(const char *v, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(v, *list) == 0)
            return 1;
    return 0;
}

/* Whether road way w may be driven by car: the most specific access tag with a known value
 * decides (see osm_import.h). Unknown values are reported and skipped. */
static int access_allowed(struct imp *im, const readosm_way *w)
{
    static const char *const keys[] = {"motorcar", "motor_vehicle", "vehicle", "access", NULL};
    static const char *const allow[] = {"yes",       "permissive", "destination", "designated",
                                        "customers", "delivery",   NULL};
    static const char *const deny[] = {"no",  "private",   "agricultural", "forestry",
                                       "psv", "emergency", "military",     NULL};
    for (const char *const *k = keys; *k; k++) {
        const char *v = tag_get(w->tags, w->tag_count, *k);
        if (!v)
            continue;
        if (in_list(v, allow))
            return 1;
        if (in_list(v, deny))
            return 0;
        imp_report(im, w->id, "way %lld: %s=%s not understood, ignored", w->id, *k, v);
    }
    return 1;
}

/* 1 when way w is (part of) a roundabout: junction=roundabout or junction=circular. */
static int is_ring(const readosm_way *w)
{
    static const char *const ring[] = {"roundabout", "circular", NULL};
    const char *j = tag_get(w->tags, w->tag_count, "junction");
    return j && in_list(j, ring);
}

/* Direction flags of road way w of class hw: an explicit oneway first, else the implied one.
 * Returns 0 when the way must be dropped (reversible / alternating; reported), 1 otherwise. */
static int oneway_flags(struct imp *im, const readosm_way *w, const char *hw, uint8_t *fwd,
                        uint8_t *bwd)
{
    static const char *const yes[] = {"yes", "true", "1", NULL};
    static const char *const rev[] = {"-1", "reverse", NULL};
    static const char *const no[] = {"no", "false", "0", NULL};
    static const char *const drop[] = {"reversible", "alternating", NULL};
    const char *v = tag_get(w->tags, w->tag_count, "oneway");

    *fwd = *bwd = 1;
    if (v && in_list(v, yes))
        *bwd = 0;
    else if (v && in_list(v, rev))
        *fwd = 0;
    else if (v && in_list(v, no))
        return 1;
    else if (v && in_list(v, drop)) {
        imp_report(im, w->id, "way %lld: oneway=%s, skipped", w->id, v);
        return 0;
    } else {
        if (v)
            imp_report(im, w->id, "way %lld: oneway=%s not understood, ignored", w->id, v);
        if (is_ring(w) || strcmp(hw, "motorway") == 0 || strcmp(hw, "motorway_link") == 0)
            *bwd = 0;
    }
    return 1;
}

/* ------------------------------------------------------------------------------------------ */
/* maxspeed                                                                                    */

/* Default limits of country zones ("CZ:urban"); country "" matches any country. 0 = no limit. */
static const struct zone {
    const char *country, *zone;
    double kmh;
} zones[] = {
    {"GB", "urban", 48.28},    {"", "urban", 50},        {"DE", "rural", 100},
    {"AT", "rural", 100},      {"FR", "rural", 80},      {"GB", "rural", 96.56},
    {"", "rural", 90},         {"DE", "motorway", 0},    {"GB", "motorway", 112.65},
    {"PL", "motorway", 140},   {"", "motorway", 130},    {"DE", "living_street", 7},
    {"", "living_street", 20}, {"", "bicycle_road", 30},
};

/* A number with an optional unit ("50", "50 km/h", "30 mph", "5 knots") in km/h into *kmh.
 * Returns 1, or -1 when malformed or outside 1..PROFILE_MAX_KMH. */
static int maxspeed_number(const char *v, double *kmh)
{
    char *end = NULL;
    double d, f;

    if (!isdigit((unsigned char)v[0]))
        return -1;
    d = strtod(v, &end);
    if (strspn(v, "0123456789.") != (size_t)(end - v)) /* no hex, exponent, inf */
        return -1;
    while (*end == ' ')
        end++;
    if (!*end || !strcmp(end, "km/h") || !strcmp(end, "kmh") || !strcmp(end, "kph"))
        f = 1;
    else if (!strcmp(end, "mph"))
        f = 1.609344;
    else if (!strcmp(end, "knots"))
        f = 1.852;
    else
        return -1;
    d *= f;
    if (!(d >= 1 && d <= PROFILE_MAX_KMH))
        return -1;
    *kmh = d;
    return 1;
}

/* A country zone value "CC:zone" (zone after the colon in z). Returns 1 with *kmh, 0 for a zone
 * without a limit, -1 for an unknown zone. */
static int maxspeed_zone(const char *cc, const char *z, double *kmh)
{
    if (strncmp(z, "zone", 4) == 0)
        return maxspeed_number(z[4] == ':' ? z + 5 : z + 4, kmh);
    for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
        if (strcmp(zones[i].zone, z) != 0)
            continue;
        if (zones[i].country[0] && strncmp(zones[i].country, cc, 2) != 0)
            continue;
        *kmh = zones[i].kmh;
        return zones[i].kmh > 0;
    }
    return -1;
}

/* Parse a maxspeed value into km/h. Returns 1 with *kmh set, 0 for values that give no usable
 * limit (none, signals, variable, DE:motorway), -1 when the value is not understood. */
static int maxspeed_parse(const char *v, double *kmh)
{
    static const char *const nolimit[] = {"none", "signals", "variable", "unposted", NULL};
    if (in_list(v, nolimit))
        return 0;
    if (strcmp(v, "walk") == 0) {
        *kmh = 7;
        return 1;
    }
    if (isupper((unsigned char)v[0]) && isupper((unsigned char)v[1]) && v[2] == ':')
        return maxspeed_zone(v, v + 3, kmh);
    return maxspeed_number(v, kmh);
}

/* The speed (km/h) of road way w of class cls: a tagged limit * maxspeed_factor, else the
 * class speed of the profile. A value not understood is reported. */
static double way_speed(struct imp *im, const readosm_way *w, int cls)
{
    const char *v = tag_get(w->tags, w->tag_count, "maxspeed");
    double lim = 0;
    int r = v ? maxspeed_parse(v, &lim) : 0;

    if (r < 0)
        imp_report(im, w->id, "way %lld: maxspeed=%s not understood, class speed used", w->id, v);
    if (r > 0)
        return lim * im->prof.maxspeed_factor;
    return im->prof.cls[cls].kmh;
}

/* ------------------------------------------------------------------------------------------ */
/* The read: readosm callbacks                                                                 */

/* Copy s into the string store. Returns its offset, NO_STR for NULL or on failure (im->rc). */
static uint32_t strs_add(struct imp *im, const char *s)
{
    size_t len = s ? strlen(s) + 1 : 0;
    char *p;

    if (!s)
        return NO_STR;
    if (im->nstrs + len > STRS_MAX) {
        imp_fail(im, KKC_ETOOBIG, "way names");
        return NO_STR;
    }
    while (im->nstrs + len > im->capstrs) {
        p = imp_grow(im, im->strs, &im->capstrs, im->capstrs, 1, STRS_MAX, "way names");
        if (!p)
            return NO_STR;
        im->strs = p;
    }
    memcpy(im->strs + im->nstrs, s, len);
    im->nstrs += len;
    return (uint32_t)(im->nstrs - len);
}

/* Append n node refs. Returns the index of the first; on failure im->rc is set. */
static size_t refs_add(struct imp *im, const long long *r, int n)
{
    size_t first = im->nrefs;
    for (int i = 0; i < n; i++) {
        long long *p =
            imp_grow(im, im->refs, &im->caprefs, im->nrefs, sizeof *p, REFS_MAX, "node refs");
        if (!p)
            return first;
        im->refs = p;
        im->refs[im->nrefs++] = r[i];
    }
    return first;
}

/* Keep node nd's id and coordinates; an invalid position is reported and the node dropped. */
static void node_add(struct imp *im, const readosm_node *nd)
{
    struct onode *p;
    if (!(fabs(nd->latitude) <= 90 && fabs(nd->longitude) <= 180)) {
        imp_report(im, nd->id, "node %lld: no valid position, skipped", nd->id);
        return;
    }
    p = imp_grow(im, im->nodes, &im->capnodes, im->nnodes, sizeof *p, (size_t)OSM_IMPORT_MAX_NODES,
                 "nodes");
    if (!p)
        return;
    im->nodes = p;
    if (im->nnodes && nd->id <= im->nodes[im->nnodes - 1].id)
        im->unsorted = 1;
    p[im->nnodes].id = nd->id;
    p[im->nnodes].lon = (int32_t)lround(nd->longitude * E7);
    p[im->nnodes].lat = (int32_t)lround(nd->latitude * E7);
    im->nnodes++;
}

/* Keep w when it is a routable road (see osm_import.h). Ways of other classes are ignored
 * silently, excluded ones counted, malformed ones reported. */
static void road_way_add(struct imp *im, const readosm_way *w)
{
    const char *hw = tag_get(w->tags, w->tag_count, "highway");
    int cls = hw ? profile_find(&im->prof, hw) : -1;
    const char *area = tag_get(w->tags, w->tag_count, "area");
    struct oway ow = {.id = w->id};

    if (cls < 0)
        return;
    if ((area && strcmp(area, "yes") == 0) || !access_allowed(im, w) ||
        !oneway_flags(im, w, hw, &ow.forward, &ow.backward)) {
        im->st.ways_excluded++;
        return;
    }
    if (w->node_ref_count < 2) {
        imp_report(im, w->id, "way %lld: only %d node ref(s), skipped", w->id, w->node_ref_count);
        return;
    }
    ow.cls = (uint16_t)cls;
    ow.roundabout = (uint8_t)is_ring(w);
    ow.kmh = way_speed(im, w, cls);
    ow.name = strs_add(im, tag_get(w->tags, w->tag_count, "name"));
    ow.ref = strs_add(im, tag_get(w->tags, w->tag_count, "ref"));
    ow.first = refs_add(im, w->node_refs, w->node_ref_count);
    ow.n = (uint32_t)w->node_ref_count;
    struct oway *p =
        im->rc ? NULL
               : imp_grow(im, im->ways, &im->capways, im->nways, sizeof *p, WAYS_MAX, "ways");
    if (!p)
        return;
    im->ways = p;
    p[im->nways++] = ow;
}

/* ------------------------------------------------------------------------------------------ */
/* The read: centre candidates                                                                 */

/* The centre kind the tags name ("police", "fire", "ambulance") or NULL. When they name two,
 * the first in that order wins and *also gets the other. */
static const char *centre_kind(const readosm_tag *t, int n, const char **also)
{
    const char *am = tag_get(t, n, "amenity");
    const char *em = tag_get(t, n, "emergency");
    const char *k = NULL;

    *also = NULL;
    if (am && strcmp(am, "police") == 0)
        k = "police";
    else if (am && strcmp(am, "fire_station") == 0)
        k = "fire";
    if (em && strcmp(em, "ambulance_station") == 0) {
        if (k)
            *also = "ambulance";
        else
            k = "ambulance";
    }
    return k;
}

/* "street housenumber, postcode city" from addr:* tags (addr:place when there is no street);
 * malloc'ed, NULL when no part is tagged or on allocation failure (*oom set then). */
static char *centre_address(const readosm_tag *t, int n, int *oom)
{
    const char *street = tag_get(t, n, "addr:street");
    const char *num = tag_get(t, n, "addr:housenumber");
    const char *pc = tag_get(t, n, "addr:postcode");
    const char *city = tag_get(t, n, "addr:city");
    char *s = NULL;

    if (!street)
        street = tag_get(t, n, "addr:place");
    if (!street && !num && !pc && !city)
        return NULL;
    if (asprintf(&s, "%s%s%s%s%s%s%s", street ? street : "", street && num ? " " : "",
                 num ? num : "", (street || num) && (pc || city) ? ", " : "", pc ? pc : "",
                 pc && city ? " " : "", city ? city : "") < 0) {
        *oom = 1;
        return NULL;
    }
    return s;
}

/* strdup of the value of the first of keys (NULL-terminated) that is tagged; NULL when none
 * is or on allocation failure (*oom set then). */
static char *tag_dup(const readosm_tag *t, int n, const char *const *keys, int *oom)
{
    for (; *keys; keys++) {
        const char *v = tag_get(t, n, *keys);
        if (v) {
            char *s = strdup(v);
            *oom |= !s;
            return s;
        }
    }
    return NULL;
}

/* Fill the text fields of c from its tags. Returns 0, or -1 when out of memory. */
static int centre_texts(struct ocentre *c, const readosm_tag *t, int n)
{
    static const char *const name[] = {"name", NULL};
    static const char *const city[] = {"addr:city", NULL};
    static const char *const phone[] = {"phone", "contact:phone", NULL};
    static const char *const email[] = {"email", "contact:email", NULL};
    static const char *const www[] = {"website", "contact:website", "url", NULL};
    static const char *const hours[] = {"opening_hours", NULL};
    int oom = 0;

    c->name = tag_dup(t, n, name, &oom);
    c->address = centre_address(t, n, &oom);
    c->city = tag_dup(t, n, city, &oom);
    c->phone = tag_dup(t, n, phone, &oom);
    c->email = tag_dup(t, n, email, &oom);
    c->www = tag_dup(t, n, www, &oom);
    c->hours = tag_dup(t, n, hours, &oom);
    return oom ? -1 : 0;
}

/* Keep a centre candidate when the tags of element type/id name a kind. Nodes give lon/lat;
 * ways give their node refs (placed after the read). */
static void centre_add(struct imp *im, char type, long long id, const readosm_tag *t, int n,
                       double lon, double lat, const long long *refs, int nrefs)
{
    const char *also = NULL;
    struct ocentre c = {.type = type, .id = id, .lon = lon, .lat = lat};
    struct ocentre *p;

    c.kind = centre_kind(t, n, &also);
    if (!c.kind)
        return;
    if (also)
        imp_report(im, id, "%s %lld: also tagged %s, imported as %s", type == 'n' ? "node" : "way",
                   id, also, c.kind);
    if (refs) {
        c.first = refs_add(im, refs, nrefs);
        c.n = (uint32_t)nrefs;
    }
    p = im->rc ? NULL
               : imp_grow(im, im->centres, &im->capcentres, im->ncentres, sizeof *p, CENTRES_MAX,
                          "centres");
    if (p)
        im->centres = p;
    if (p && centre_texts(&c, t, n) == 0) {
        p[im->ncentres++] = c;
        return;
    }
    imp_fail(im, KKC_ENOMEM, "centres");
    free(c.name), free(c.address), free(c.city), free(c.phone);
    free(c.email), free(c.www), free(c.hours);
}

static int on_node(const void *ud, const readosm_node *nd)
{
    struct imp *im = (struct imp *)ud;
    im->st.nodes_read++;
    node_add(im, nd);
    if (!im->rc && im->o->centres_from_osm && nd->tag_count > 0)
        centre_add(im, 'n', nd->id, nd->tags, nd->tag_count, nd->longitude, nd->latitude, NULL, 0);
    return im->rc ? READOSM_ABORT : READOSM_OK;
}

static int on_way(const void *ud, const readosm_way *w)
{
    struct imp *im = (struct imp *)ud;
    im->st.ways_read++;
    road_way_add(im, w);
    if (!im->rc && im->o->centres_from_osm && w->tag_count > 0)
        centre_add(im, 'w', w->id, w->tags, w->tag_count, 0, 0, w->node_refs, w->node_ref_count);
    return im->rc ? READOSM_ABORT : READOSM_OK;
}

static int on_relation(const void *ud, const readosm_relation *r)
{
    struct imp *im = (struct imp *)ud;
    const char *also = NULL;
    const char *kind;

    im->st.relations_read++;
    if (!im->o->centres_from_osm)
        return READOSM_OK;
    kind = centre_kind(r->tags, r->tag_count, &also);
    if (kind)
        imp_report(im, r->id, "relation %lld: %s centre mapped as a relation, skipped", r->id,
                   kind);
    return READOSM_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* The read: files                                                                             */

/* 1 when s ends with suffix. */
static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Write n bytes to fd. Returns 0, or -1 with errno set. */
static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Open the bzip2 stream that starts in f (after the unused bytes of the previous stream).
 * Returns the handle or NULL. */
static BZFILE *bz2_open(FILE *f, char *unused, int nunused)
{
    int e;
    BZFILE *bz = BZ2_bzReadOpen(&e, f, 0, 0, nunused ? unused : NULL, nunused);
    if (e != BZ_OK) {
        BZ2_bzReadClose(&e, bz);
        return NULL;
    }
    return bz;
}

/* End the stream bz; keep its unused bytes for the next one. Returns 1 when another stream
 * follows in f, 0 at the end of the file. */
static int bz2_next(BZFILE *bz, FILE *f, char *unused, int *nunused)
{
    void *u = NULL;
    int e, c;

    BZ2_bzReadGetUnused(&e, bz, &u, nunused);
    if (e != BZ_OK)
        *nunused = 0;
    if (*nunused > 0)
        memcpy(unused, u, (size_t)*nunused);
    BZ2_bzReadClose(&e, bz);
    if (*nunused > 0)
        return 1;
    c = fgetc(f);
    if (c == EOF)
        return 0;
    ungetc(c, f);
    return 1;
}

/* Decompress the .bz2 file src (one or more concatenated streams) into fd. Returns KKC_OK,
 * KKC_ENOTFOUND, KKC_EINVAL (not bzip2 / corrupt), KKC_ETOOBIG or KKC_EIO. */
static enum kkc_code bz2_inflate(const char *src, int fd, struct kkc_err *err)
{
    char buf[1 << 16], unused[BZ_MAX_UNUSED];
    int nunused = 0, e = BZ_OK, more = 1;
    unsigned long long total = 0;
    enum kkc_code rc = KKC_OK;
    BZFILE *bz = NULL;
    FILE *f = fopen(src, "rb");

    if (!f)
        return kkc_err_set(err, KKC_ENOTFOUND, "%s: %s", src, strerror(errno));
    while (!rc && more) {
        bz = bz2_open(f, unused, nunused);
        e = BZ_OK;
        while (bz && e == BZ_OK) {
            int n = BZ2_bzRead(&e, bz, buf, sizeof buf);
            if ((e != BZ_OK && e != BZ_STREAM_END) || n < 0)
                break;
            total += (unsigned long long)n;
            if (total > OSM_IMPORT_MAX_BZ2_BYTES)
                rc = kkc_err_set(err, KKC_ETOOBIG, "%s: decompresses to more than %llu bytes", src,
                                 OSM_IMPORT_MAX_BZ2_BYTES);
            else if (write_all(fd, buf, (size_t)n) != 0)
                rc = kkc_err_set(err, KKC_EIO, "%s: writing temporary file: %s", src,
                                 strerror(errno));
            if (rc)
                e = BZ_IO_ERROR;
        }
        if (!rc && (!bz || e != BZ_STREAM_END))
            rc = kkc_err_set(err, e == BZ_IO_ERROR ? KKC_EIO : KKC_EINVAL,
                             "%s: not a valid bzip2 file (bzip2 error %d)", src, e);
        if (bz && !rc)
            more = bz2_next(bz, f, unused, &nunused);
        else if (bz)
            BZ2_bzReadClose(&e, bz);
    }
    fclose(f);
    return rc;
}

/* Decompress the .osm.bz2 o->path into a new temporary .osm file whose name goes to tmp
 * (cap bytes; empty when none was created). The caller unlinks tmp. */
static enum kkc_code bz2_to_temp(struct imp *im, char *tmp, size_t cap)
{
    const char *dir = getenv("TMPDIR");
    enum kkc_code rc;
    int fd;

    if (!dir || !*dir)
        dir = "/tmp";
    if ((size_t)snprintf(tmp, cap, "%s/kkc-osm-XXXXXX.osm", dir) >= cap) {
        tmp[0] = '\0';
        return kkc_err_set(im->err, KKC_EINVAL, "TMPDIR too long");
    }
    fd = mkstemps(tmp, 4);
    if (fd < 0) {
        rc = kkc_err_set(im->err, KKC_EIO, "temporary file %s: %s", tmp, strerror(errno));
        tmp[0] = '\0';
        return rc;
    }
    rc = bz2_inflate(im->o->path, fd, im->err);
    if (close(fd) != 0 && !rc)
        rc = kkc_err_set(im->err, KKC_EIO, "temporary file %s: %s", tmp, strerror(errno));
    return rc;
}

/* Turn a readosm result into an error code with a message. */
static enum kkc_code readosm_code(struct imp *im, int r)
{
    const char *p = im->o->path;
    switch (r) {
    case READOSM_OK:
        return KKC_OK;
    case READOSM_ABORT:
        return im->rc ? im->rc : kkc_err_set(im->err, KKC_EINTERNAL, "%s: parse aborted", p);
    case READOSM_FILE_NOT_FOUND:
        return kkc_err_set(im->err, KKC_ENOTFOUND, "%s: file not found", p);
    case READOSM_INSUFFICIENT_MEMORY:
        return kkc_err_set(im->err, KKC_ENOMEM, "%s: out of memory", p);
    case READOSM_READ_ERROR:
        return kkc_err_set(im->err, KKC_EIO, "%s: read error or truncated file", p);
    default:
        return kkc_err_set(im->err, KKC_EINVAL, "%s: not a valid OSM file (readosm error %d)", p,
                           r);
    }
}

/* Read the OSM file (o->path, or its decompressed copy tmp) into im. tmp (cap bytes) receives
 * the name of a temporary file to unlink, or stays empty. Known upstream defect: libreadosm
 * 1.1.0 leaks its expat parser (~8 KB) when an .osm file is malformed or a callback aborts. */
static enum kkc_code osm_read(struct imp *im, char *tmp, size_t cap)
{
    const char *path = im->o->path;
    const void *h = NULL;
    enum kkc_code rc;
    int r;

    tmp[0] = '\0';
    if (access(path, R_OK) != 0)
        return kkc_err_set(im->err, KKC_ENOTFOUND, "%s: %s", path, strerror(errno));
    if (ends_with(path, ".bz2")) {
        rc = bz2_to_temp(im, tmp, cap);
        if (rc)
            return rc;
        path = tmp;
    } else if (!ends_with(path, ".osm") && !ends_with(path, ".pbf")) {
        return kkc_err_set(im->err, KKC_EINVAL, "%s: expected .osm, .osm.pbf or .osm.bz2", path);
    }
    /* readosm crashes on some malformed XML: validate it first (PBF is checked by readosm) */
    if (!ends_with(path, ".pbf") && (rc = osm_check_xml(path, im->err)) != KKC_OK)
        return rc;
    r = readosm_open(path, &h);
    if (r == READOSM_OK)
        r = readosm_parse(h, im, on_node, on_way, on_relation);
    if (h)
        readosm_close(h);
    return readosm_code(im, r);
}

/* ------------------------------------------------------------------------------------------ */
/* The graph build                                                                             */

static int node_cmp(const void *a, const void *b)
{
    long long x = ((const struct onode *)a)->id, y = ((const struct onode *)b)->id;
    return (x > y) - (x < y);
}

/* Sort the nodes by id (when they did not arrive sorted) and drop repeated ids (reported). */
static void nodes_sort(struct imp *im)
{
    size_t j = 0;
    if (im->unsorted)
        qsort(im->nodes, im->nnodes, sizeof *im->nodes, node_cmp);
    for (size_t i = 0; i < im->nnodes; i++) {
        if (j > 0 && im->nodes[j - 1].id == im->nodes[i].id) {
            imp_report(im, im->nodes[i].id, "node %lld: repeated id, one kept", im->nodes[i].id);
            continue;
        }
        im->nodes[j++] = im->nodes[i];
    }
    im->nnodes = j;
}

/* Index in nodes of the node with this id, or NO_NODE. */
static uint32_t node_find(const struct imp *im, long long id)
{
    size_t lo = 0, hi = im->nnodes;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (im->nodes[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < im->nnodes && im->nodes[lo].id == id ? (uint32_t)lo : NO_NODE;
}

/* Resolve the refs of road way w into idx[w->first ..] in place: consecutive repeats collapse
 * to one entry, and each run of missing refs to one NO_NODE (a cut). w->n becomes the number of
 * entries. Missing and repeated refs are reported. */
static void way_resolve(struct imp *im, struct oway *w)
{
    uint32_t out = 0, missing = 0, repeated = 0;
    long long first_missing = 0;

    for (uint32_t k = 0; k < w->n; k++) {
        long long ref = im->refs[w->first + k];
        uint32_t x = node_find(im, ref);
        if (x == NO_NODE && missing++ == 0)
            first_missing = ref;
        if (out > 0 && im->idx[w->first + out - 1] == x) {
            repeated += x != NO_NODE;
            continue;
        }
        im->idx[w->first + out++] = x;
    }
    if (missing)
        imp_report(im, w->id, "way %lld: %u of %u node refs missing (first %lld), cut there", w->id,
                   missing, w->n, first_missing);
    if (repeated)
        imp_report(im, w->id, "way %lld: %u consecutive repeated node ref(s) collapsed", w->id,
                   repeated);
    w->n = out;
}

/* The next piece of way w at or after idx[*pos]: a run [*s, *e) of at least 2 resolved nodes.
 * Returns 0 when none is left. Start with *pos = w->first. */
static int way_piece(const struct imp *im, const struct oway *w, size_t *pos, size_t *s, size_t *e)
{
    size_t i = *pos, end = w->first + w->n;
    while (i < end) {
        while (i < end && im->idx[i] == NO_NODE)
            i++;
        size_t a = i;
        while (i < end && im->idx[i] != NO_NODE)
            i++;
        if (i - a >= 2) {
            *s = a, *e = i, *pos = i;
            return 1;
        }
    }
    *pos = end;
    return 0;
}

/* Count node uses: ends of pieces and nodes used twice or more become graph nodes (deg 2). */
static void mark_junctions(struct imp *im)
{
    for (size_t i = 0; i < im->nways; i++) {
        const struct oway *w = &im->ways[i];
        size_t pos = w->first, s, e;
        while (way_piece(im, w, &pos, &s, &e)) {
            im->deg[im->idx[s]] = im->deg[im->idx[e - 1]] = 2;
            for (size_t k = s + 1; k + 1 < e; k++)
                if (im->deg[im->idx[k]] < 2)
                    im->deg[im->idx[k]]++;
        }
    }
}

/* Split would-be self-loops (an edge from a node back to itself) at their middle point, which
 * is used by this way only, so the change is local. */
static void split_loops(struct imp *im)
{
    for (size_t i = 0; i < im->nways; i++) {
        const struct oway *w = &im->ways[i];
        size_t pos = w->first, s, e;
        while (way_piece(im, w, &pos, &s, &e)) {
            size_t a = s;
            for (size_t k = s + 1; k < e; k++) {
                if (im->deg[im->idx[k]] < 2)
                    continue;
                if (im->idx[k] == im->idx[a] && k - a >= 2)
                    im->deg[im->idx[a + (k - a) / 2]] = 2;
                a = k;
            }
        }
    }
}

/* Sort nodes, resolve refs, mark and number the graph nodes (ids in node id order). */
static enum kkc_code graph_build(struct imp *im)
{
    nodes_sort(im);
    im->idx = malloc((im->nrefs ? im->nrefs : 1) * sizeof *im->idx);
    im->deg = calloc(im->nnodes ? im->nnodes : 1, 1);
    im->gid = malloc((im->nnodes ? im->nnodes : 1) * sizeof *im->gid);
    if (!im->idx || !im->deg || !im->gid)
        return kkc_err_set(im->err, KKC_ENOMEM, "%s: out of memory for the graph", im->o->path);
    for (size_t i = 0; i < im->nways; i++)
        way_resolve(im, &im->ways[i]);
    mark_junctions(im);
    split_loops(im);
    for (size_t i = 0; i < im->nnodes; i++)
        im->gid[i] = im->deg[i] == 2 ? im->ngid++ : NO_NODE;
    return KKC_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* The write                                                                                   */

/* Geodesic distance in metres between two nodes. */
static double seg_length(const struct imp *im, const struct onode *p, const struct onode *q)
{
    double s12 = 0;
    geod_inverse(&im->geod, p->lat / E7, p->lon / E7, q->lat / E7, q->lon / E7, &s12, NULL, NULL);
    return s12;
}

/* Insert every graph node into road_nodes. */
static enum kkc_code write_nodes(struct imp *im, struct store *st)
{
    sqlite3_stmt *s = NULL;
    enum kkc_code rc = store_prepare(
        st, "INSERT INTO road_nodes (id, osm_id, geom) VALUES (?, ?, MakePoint(?, ?, 4326))", &s,
        im->err);

    for (size_t i = 0; !rc && i < im->nnodes; i++) {
        if (im->gid[i] == NO_NODE)
            continue;
        sqlite3_bind_int64(s, 1, im->gid[i]);
        sqlite3_bind_int64(s, 2, im->nodes[i].id);
        sqlite3_bind_double(s, 3, im->nodes[i].lon / E7);
        sqlite3_bind_double(s, 4, im->nodes[i].lat / E7);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = store_fail(st, "insert road node", im->err);
        sqlite3_reset(s);
        im->st.road_nodes++;
    }
    sqlite3_finalize(s);
    return rc;
}

/* The LINESTRING through idx[a..b] as a SpatiaLite blob (*blob the caller's to free()) and its
 * geodesic length. Returns KKC_OK or KKC_ENOMEM. */
static enum kkc_code edge_geometry(struct imp *im, size_t a, size_t b, unsigned char **blob,
                                   int *size, double *len)
{
    gaiaGeomCollPtr g = gaiaAllocGeomColl();
    gaiaLinestringPtr ln = g ? gaiaAddLinestringToGeomColl(g, (int)(b - a + 1)) : NULL;

    *blob = NULL;
    *len = 0;
    if (ln) {
        g->Srid = 4326;
        g->DeclaredType = GAIA_LINESTRING;
        for (size_t k = a; k <= b; k++) {
            const struct onode *p = &im->nodes[im->idx[k]];
            gaiaSetPoint(ln->Coords, (int)(k - a), p->lon / E7, p->lat / E7);
            if (k > a)
                *len += seg_length(im, &im->nodes[im->idx[k - 1]], p);
        }
        gaiaMbrGeometry(g);
        gaiaToSpatiaLiteBlobWkb(g, blob, size);
    }
    if (g)
        gaiaFreeGeomColl(g);
    if (!*blob)
        return kkc_err_set(im->err, KKC_ENOMEM, "out of memory for an edge geometry");
    return KKC_OK;
}

/* Bind a string of the string store (or NULL) to parameter i. */
static void bind_str(const struct imp *im, sqlite3_stmt *s, int i, uint32_t off)
{
    if (off == NO_STR)
        sqlite3_bind_null(s, i);
    else
        sqlite3_bind_text(s, i, im->strs + off, -1, SQLITE_STATIC);
}

/* Insert the edge of way w through idx[a..b] as road_edges row im->st.road_edges. */
static enum kkc_code edge_write(struct imp *im, struct store *st, sqlite3_stmt *s,
                                const struct oway *w, size_t a, size_t b)
{
    unsigned char *blob = NULL;
    int size = 0;
    double len = 0;
    enum kkc_code rc = edge_geometry(im, a, b, &blob, &size, &len);

    if (rc)
        return rc;
    if (len == 0)
        imp_report(im, w->id, "way %lld: zero-length edge between nodes %lld and %lld", w->id,
                   im->nodes[im->idx[a]].id, im->nodes[im->idx[b]].id);
    sqlite3_bind_int64(s, 1, im->st.road_edges);
    sqlite3_bind_int64(s, 2, im->gid[im->idx[a]]);
    sqlite3_bind_int64(s, 3, im->gid[im->idx[b]]);
    sqlite3_bind_int64(s, 4, w->id);
    sqlite3_bind_text(s, 5, im->prof.cls[w->cls].name, -1, SQLITE_STATIC);
    bind_str(im, s, 6, w->name);
    bind_str(im, s, 7, w->ref);
    sqlite3_bind_double(s, 8, len);
    sqlite3_bind_double(s, 9, len / (w->kmh / 3.6));
    sqlite3_bind_int(s, 10, w->forward);
    sqlite3_bind_int(s, 11, w->backward);
    sqlite3_bind_blob(s, 12, blob, size, free);
    sqlite3_bind_int(s, 13, w->roundabout);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = store_fail(st, "insert road edge", im->err);
    sqlite3_reset(s);
    im->st.road_edges++;
    im->st.length_km += len / 1000;
    return rc;
}

/* Insert the edges of road way w: one per stretch between consecutive graph nodes. */
static enum kkc_code way_write(struct imp *im, struct store *st, sqlite3_stmt *s,
                               const struct oway *w)
{
    size_t pos = w->first, a, e;
    long edges = 0;
    enum kkc_code rc = KKC_OK;

    while (!rc && way_piece(im, w, &pos, &a, &e)) {
        for (size_t k = a + 1; !rc && k < e; k++) {
            if (im->gid[im->idx[k]] == NO_NODE)
                continue;
            rc = edge_write(im, st, s, w, a, k);
            a = k;
            edges++;
        }
    }
    if (!rc && edges == 0)
        imp_report(im, w->id, "way %lld: no segment with two known nodes, skipped", w->id);
    im->st.ways_kept += edges > 0;
    return rc;
}

/* Insert every edge into road_edges. */
static enum kkc_code write_edges(struct imp *im, struct store *st)
{
    sqlite3_stmt *s = NULL;
    enum kkc_code rc = store_prepare(
        st,
        "INSERT INTO road_edges (id, source, target, osm_way_id, highway, name, ref, length_m, "
        "duration_s, forward, backward, geom, roundabout) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        &s, im->err);

    for (size_t i = 0; !rc && i < im->nways; i++)
        rc = way_write(im, st, s, &im->ways[i]);
    sqlite3_finalize(s);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* The write: centres                                                                          */

/* Place way centre c: the area centroid of a closed ring, else the mean of its nodes. Refs
 * missing from the file are left out (reported). Returns 0 when no node of c is known. */
static int centre_locate(struct imp *im, struct ocentre *c)
{
    const long long *r = im->refs + c->first;
    int closed = c->n >= 4 && r[0] == r[c->n - 1];
    uint32_t known = 0, n = closed ? c->n - 1 : c->n;
    double sx = 0, sy = 0, a2 = 0, cx = 0, cy = 0, x0 = 0, y0 = 0;

    if (n == 0)
        return 0;

    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = node_find(im, r[k]), j = node_find(im, r[(k + 1) % n]);
        if (i == NO_NODE || j == NO_NODE) {
            closed = 0;
            if (i == NO_NODE)
                continue;
        }
        double x = im->nodes[i].lon / E7, y = im->nodes[i].lat / E7;
        if (known++ == 0)
            x0 = x, y0 = y;
        sx += x - x0, sy += y - y0;
        if (j != NO_NODE) { /* shoelace terms relative to the first vertex, for precision */
            double xa = x - x0, ya = y - y0;
            double xb = im->nodes[j].lon / E7 - x0, yb = im->nodes[j].lat / E7 - y0;
            double cr = xa * yb - xb * ya;
            a2 += cr, cx += (xa + xb) * cr, cy += (ya + yb) * cr;
        }
    }
    if (known < n)
        imp_report(im, c->id, "way %lld: %u of %u nodes missing, centre placed on the rest", c->id,
                   n - known, n);
    if (known == 0)
        return 0;
    if (closed && fabs(a2) > 1e-16) {
        c->lon = x0 + cx / (3 * a2), c->lat = y0 + cy / (3 * a2);
    } else {
        c->lon = x0 + sx / known, c->lat = y0 + sy / known;
    }
    return 1;
}

/* The readable label of a centre kind, for names missing from the map. */
static const char *kind_label(const char *kind)
{
    if (strcmp(kind, "police") == 0)
        return "Police";
    return strcmp(kind, "fire") == 0 ? "Fire station" : "Ambulance station";
}

/* Bind a nullable string to parameter i. */
static void bind_opt(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

/* Insert centre c; an id already present is reported and counted, not an error. */
static enum kkc_code centre_write(struct imp *im, struct store *st, sqlite3_stmt *s,
                                  const struct ocentre *c)
{
    char id[40], name[96];
    int r, ext;

    snprintf(id, sizeof id, "osm-%c%lld", c->type, c->id);
    snprintf(name, sizeof name, "%s (OSM %c%lld)", kind_label(c->kind), c->type, c->id);
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, c->name ? c->name : name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, c->kind, -1, SQLITE_STATIC);
    bind_opt(s, 4, c->address);
    bind_opt(s, 5, c->city);
    bind_opt(s, 6, c->phone);
    bind_opt(s, 7, c->email);
    bind_opt(s, 8, c->www);
    bind_opt(s, 9, c->hours);
    sqlite3_bind_double(s, 10, c->lon);
    sqlite3_bind_double(s, 11, c->lat);
    r = sqlite3_step(s);
    ext = sqlite3_extended_errcode(store_db(st));
    if (r == SQLITE_DONE) {
        im->st.centres_added++;
    } else if (ext == SQLITE_CONSTRAINT_PRIMARYKEY) {
        imp_report(im, c->id, "%s: centre id already exists, skipped", id);
        im->st.centres_duplicate++;
    } else {
        sqlite3_reset(s);
        return store_fail(st, "insert centre", im->err);
    }
    sqlite3_reset(s);
    return KKC_OK;
}

/* Place and insert every centre candidate. */
static enum kkc_code write_centres(struct imp *im, struct store *st)
{
    sqlite3_stmt *s = NULL;
    enum kkc_code rc = store_prepare(
        st,
        "INSERT INTO centres (id, name, kind, address, municipality, phone, email, www, hours, "
        "source, status, geom) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'osm', 'active', "
        "MakePoint(?, ?, 4326))",
        &s, im->err);

    for (size_t i = 0; !rc && i < im->ncentres; i++) {
        struct ocentre *c = &im->centres[i];
        if (c->type == 'w' && !centre_locate(im, c)) {
            imp_report(im, c->id, "way %lld: %s centre without known nodes, skipped", c->id,
                       c->kind);
            continue;
        }
        rc = centre_write(im, st, s, c);
    }
    sqlite3_finalize(s);
    return rc;
}

/* Write nodes, edges and centres inside one SAVEPOINT; roll back on any error. */
static enum kkc_code imp_write(struct imp *im, struct store *st)
{
    enum kkc_code rc = store_exec(st, "SAVEPOINT osm_import", im->err);
    if (rc)
        return rc;
    rc = write_nodes(im, st);
    if (!rc)
        rc = write_edges(im, st);
    if (!rc)
        rc = write_centres(im, st);
    if (!rc)
        return store_exec(st, "RELEASE osm_import", im->err);
    store_exec(st, "ROLLBACK TO osm_import; RELEASE osm_import", NULL);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Entry point                                                                                 */

/* Check the options and the store, load the profile. */
static enum kkc_code imp_setup(struct imp *im, struct store *st)
{
    sqlite3_stmt *s = NULL;
    enum kkc_code rc;

    profile_default(&im->prof);
    if (im->o->profile_path) {
        rc = profile_load(im->o->profile_path, &im->prof, im->err);
        if (rc)
            return rc;
    }
    geod_init(&im->geod, 6378137, 1 / 298.257223563);
    rc = store_prepare(st,
                       "SELECT EXISTS (SELECT 1 FROM road_nodes) OR EXISTS (SELECT 1 FROM "
                       "road_edges)",
                       &s, im->err);
    if (rc)
        return rc;
    if (sqlite3_step(s) != SQLITE_ROW)
        rc = store_fail(st, "check road tables", im->err);
    else if (sqlite3_column_int(s, 0))
        rc = kkc_err_set(im->err, KKC_EINVAL, "the road graph is already imported");
    sqlite3_finalize(s);
    return rc;
}

enum kkc_code osm_import(struct store *st, const struct osm_import_opts *o,
                         struct osm_import_stats *stats, struct kkc_err *err)
{
    struct imp im;
    char tmp[PATH_MAX] = "";
    struct timespec t0, t1;
    enum kkc_code rc;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (!st || !o || !o->path)
        return kkc_err_set(err, KKC_EINVAL, "osm_import: no store or no path");
    memset(&im, 0, sizeof im);
    im.o = o;
    im.err = err;
    rc = imp_setup(&im, st);
    if (rc)
        goto fail;
    rc = osm_read(&im, tmp, sizeof tmp);
    if (tmp[0])
        unlink(tmp);
    if (rc)
        goto fail;
    rc = graph_build(&im);
    if (rc)
        goto fail;
    rc = imp_write(&im, st);
    if (rc)
        goto fail;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    im.st.elapsed_s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (stats)
        *stats = im.st;
    imp_free(&im);
    return KKC_OK;
fail:
    imp_free(&im);
    return rc;
}
