/* geo/road/route_int.h -- the route context, shared by route.c (searches) and route_path.c (the
 * optimum as pieces, steps and geometry). */
#ifndef KKC_ROUTE_INT_H
#define KKC_ROUTE_INT_H

#include "road/route.h"
#include "road/tnet.h"

#define ROUTE_LM_ACTIVE 6     /* landmarks used per query: the best ones for its endpoints */
#define PRED_SEED 0x80000000u /* pred = PRED_SEED | source seed index */
#define POT_INF UINT32_MAX    /* the node cannot reach the target */

struct node_state { /* per routing node of the turn graph */
    graph_cost dist;
    uint32_t gen, pot, pred;
    uint32_t pos; /* 1 + index in the heap, 0 when not in it */
};

struct qitem {
    graph_cost key;
    uint32_t node;
};

/* A position on an edge's geometry: on the segment starting at point k, at lon,lat. */
struct pos {
    uint32_t k;
    double lon, lat;
};

/* A piece of the path before it goes into the result. */
struct piece {
    uint32_t edge;
    int reverse;
    double f0, f1;
    graph_cost cost;
    struct pos a, b;
};

enum route_best { BEST_NONE, BEST_DIRECT, BEST_SEARCH, BEST_CH };

struct route_ctx {
    const struct graph *g;
    uint32_t nturn; /* g->turn->n: the size of st and q */
    struct node_state *st;
    uint32_t gen;
    struct qitem *q; /* the heap, one slot per routing node */
    uint32_t qlen;
    size_t settled;
    /* the current query: seeds on the turn graph (tnet.h) */
    struct tnet_seed *src, *dst;
    size_t nsrc, ndst, cap_src, cap_dst;
    graph_cost offset;  /* subtracted from value + target seed cost */
    uint32_t dst_edge;  /* the target point's edge, GRAPH_NONE for a node target */
    graph_cost best;
    enum route_best best_kind;
    uint32_t best_node, best_dst; /* the target routing node and its dst index (search) */
    /* landmarks: the node-based ends, for choosing and bounding */
    struct graph_seed ldep[4], larr[4], ltdep[4]; /* 2 per row: a point's and its twin's */
    size_t nldep, nlarr, nltdep;
    uint32_t nlm, lm[ROUTE_LM_ACTIVE], lm_to_t[ROUTE_LM_ACTIVE], lm_from_t[ROUTE_LM_ACTIVE];
    /* the path */
    struct piece *pieces;
    size_t npieces, cap_pieces;
    /* the hierarchy's query (g->ch) */
    struct cch_query *chq;
};

/* The optimum of the last search as c->pieces (route_path.c). */
enum kkc_code route_collect(struct route_ctx *c, const struct snap *from, const struct snap *to,
                            struct kkc_err *err);

/* The result of c's pieces (distance and duration = c->best). NULL when out of memory. */
struct route_result *route_result_build(const struct graph *g, const struct route_ctx *c,
                                        const struct snap *from, const struct snap *to,
                                        int want_geometry);

#endif
