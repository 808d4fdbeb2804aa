/* geo/road/turn_int.h -- internals shared by turn.c, turn_rules.c and turn_route.c. */
#ifndef KKC_TURN_INT_H
#define KKC_TURN_INT_H

#include "road/turn.h"

#include <stddef.h>
#include <stdint.h>

struct tr_path {       /* a via-way restriction from one segment */
    uint32_t from, to; /* the from segment, the exit segment */
    uint32_t segs[64]; /* the via path */
    uint32_t n;
    uint8_t only; /* only_*: the exit is the one way on; no_*: the exit is forbidden */
};

struct tr_rules {
    long long *way;   /* per edge: OSM way id */
    long long *osm;   /* per internal node: OSM node id */
    uint8_t *signals; /* per internal node: 1 with traffic signals */
    uint64_t *forbid; /* sorted a << 32 | b: forbidden via-node turns */
    size_t nforbid, capforbid;
    uint64_t *only; /* sorted a << 32 | b: the allowed turns of an only_* */
    size_t nonly, caponly;
    uint64_t *only_from; /* sorted segments with an only_* */
    size_t nonly_from, caponly_from;
    struct tr_path *paths;
    size_t npaths;
    uint32_t applied, skipped;
};

enum kkc_code tr_rules_load(struct store *st, const struct graph *g, struct tr_rules *r,
                            struct kkc_err *err);
void tr_rules_free(struct tr_rules *r);
int tr_has(const uint64_t *a, size_t n, uint64_t key);
uint32_t tr_seg_head(const struct graph *g, uint32_t s);
/* The reverse adjacency and the copy index of a built t (turn_index.c). KKC_ENOMEM. */
enum kkc_code turn_index(struct turn_graph *t, struct kkc_err *err);
/* t->twin from the OSM way of every edge (turn_index.c). KKC_ENOMEM. */
enum kkc_code turn_twins(struct turn_graph *t, const struct graph *g, const long long *way,
                         struct kkc_err *err);

#endif
