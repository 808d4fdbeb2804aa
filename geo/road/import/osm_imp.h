/* geo/road/import/osm_imp.h -- the state of one OSM import, shared by the files of the import
 * (osm_import.c: the read and the entry point; osm_read.c: files; osm_graph.c: graph build and
 * write; osm_centres.c: centres; osm_restrict.c: turn restrictions). Not a public interface. */
#ifndef KKC_OSM_IMP_H
#define KKC_OSM_IMP_H

#include "road/import/osm_import.h"

#include "base/store.h"
#include "road/import/car.h"
#include "road/import/profile.h"

#include <geodesic.h>
#include <readosm.h>
#include <stddef.h>
#include <stdint.h>

#define NO_NODE UINT32_MAX            /* a node ref not in the file / a cut in a way */
#define BARRIER_NODE (UINT32_MAX - 1) /* gid of a barrier: one road node per edge end */
#define NO_STR UINT32_MAX             /* an absent name or ref */
#define STRS_MAX (1UL << 30)          /* bytes of way names and refs kept */
#define REFS_MAX ((1UL << 32) - 2)    /* node refs kept (indexes are 32-bit) */
#define WAYS_MAX (1UL << 31)          /* road ways kept */
#define CENTRES_MAX 1000000UL         /* centre candidates kept */
#define REASON_MAX 320                /* bytes of one report */
#define E7 1e7                        /* coordinates are kept in 1e-7 degrees, OSM's precision */

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
    struct car_way car; /* what the car profile makes of its tags */
    double len_m;       /* length of all its pieces (set for ways with a duration) */
};

/* One road node copy of a barrier that emergency vehicles pass. */
struct oebar {
    uint32_t node; /* index into nodes */
    uint32_t id;   /* the copy's road_nodes id */
};

struct ospecial { /* a node the car profile cares about */
    long long id;
    unsigned flags; /* CAR_NODE_* */
};

struct orestr { /* a type=restriction relation, as read */
    long long id;
    char value[40];     /* no_left_turn, only_straight_on, ... */
    long long from, to; /* way ids, 0 when missing */
    long long via_node; /* 0 when none */
    size_t via_first;   /* via way ids in vias[via_first .. + nvia) */
    uint32_t nvia;
    char problem[96]; /* "" or why it cannot be applied */
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
    struct ospecial *specials; /* barrier and signal nodes, sorted by id after the read */
    size_t nspecials, capspecials;
    struct orestr *restr;
    size_t nrestr, caprestr;
    long long *vias;
    size_t nvias, capvias;
    uint8_t *nflag; /* per node (after the sort): CAR_NODE_* */
    uint8_t *deg;   /* per node: 0 unused, 1 used once, 2 graph node */
    uint32_t *gid;  /* per node: its road_nodes id, or NO_NODE */
    uint32_t ngid;
    struct oebar *ebar; /* the copies of the barriers emergency vehicles pass (osm_graph.c) */
    size_t nebar, capebar;
    enum kkc_code rc; /* the first failure inside a readosm callback */
    struct kkc_err *err;
};

/* Hand a reason about element row (0 = the file) to the caller's report function. */
__attribute__((format(printf, 3, 4))) void osm_imp_report(struct imp *im, long long row,
                                                      const char *fmt, ...);
/* Record the first failure of the read (later ones keep the first message). */
void osm_imp_fail(struct imp *im, enum kkc_code code, const char *what);
/* Room for one more of n elements of size elem in array p of *cap elements, at most max.
 * Returns the (maybe moved) array, or NULL with im->rc set; p stays valid then. */
void *osm_imp_grow(struct imp *im, void *p, size_t *cap, size_t n, size_t elem, size_t max,
               const char *what);
/* Append n node refs. Returns the index of the first; on failure im->rc is set. */
size_t refs_add(struct imp *im, const long long *r, int n);

/* osm_read.c: read the file (or its decompressed copy, named in tmp) through the callbacks. */
enum kkc_code osm_read(struct imp *im, char *tmp, size_t cap);
int osm_imp_on_node(const void *ud, const readosm_node *nd);
int osm_imp_on_way(const void *ud, const readosm_way *w);
int osm_imp_on_relation(const void *ud, const readosm_relation *r);

/* osm_centres.c */
const char *centre_kind(const readosm_tag *t, int n, const char **also);
void centre_add(struct imp *im, char type, long long id, const readosm_tag *t, int n, double lon,
                double lat, const long long *refs, int nrefs);
void centres_free(struct imp *im);
enum kkc_code write_centres(struct imp *im, struct store *st);

/* osm_graph.c */
uint32_t node_find(const struct imp *im, long long id);
/* The next piece of way w at or after idx[*pos]: a run [*s, *e) of at least 2 resolved nodes.
 * Returns 0 when none is left. Start with *pos = w->first. */
int way_piece(const struct imp *im, const struct oway *w, size_t *pos, size_t *s, size_t *e);
enum kkc_code graph_build(struct imp *im);
enum kkc_code write_nodes(struct imp *im, struct store *st);
enum kkc_code write_edges(struct imp *im, struct store *st);

/* osm_restrict.c */
void restriction_add(struct imp *im, const readosm_relation *r);
enum kkc_code write_restrictions(struct imp *im, struct store *st);
enum kkc_code write_points(struct imp *im, struct store *st);

#endif
