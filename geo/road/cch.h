/* geo/road/cch.h -- a Customizable Contraction Hierarchy (Dibbelt, Strasser, Wagner, ACM JEA 21,
 * 2016) over any directed graph given in CSR form.
 *
 * Three phases, kept apart:
 *  1. cch_build(): metric independent. A nested-dissection order of the undirected graph (METIS
 *     NodeND, or edge cuts of a junction graph given with the input: cch_order.h), then the
 *     symbolic contraction in that order: the chordal supergraph (every arc of the input plus
 *     the shortcuts the elimination adds) and its elimination tree. Nodes inside a
 *     hierarchy are numbered by rank (0 = contracted first), so the parent of v is > v. The result
 *     depends on the topology only; cch_cache.h stores it in a file.
 *  2. cch_metric_customize(): weights -> the cost of every hierarchy arc in both directions,
 *     arcs bottom-up, each = min(its input arcs, its lower triangles). Costs are 64-bit;
 *     CCH_INF (UINT64_MAX) is a closed arc, sums saturate at it. cch_metric_update() redoes only the
 *     arcs above a few changed input arcs.
 *  3. Queries (cch_query_*): upward searches along the elimination tree from both ends (no
 *     priority queue), meeting at the common ancestors; paths unpacked to input arcs; one-to-many
 *     and many-to-many with buckets (Knopp et al., ALENEX 2007).
 *
 * Sizes: node ids are 32-bit (n < 2^32 - 1), arc counts and offsets 64-bit; hierarchy arc ids
 * and input arc ids must each stay below 2^31 (cch_build refuses more, with the reason): 2^31
 * hierarchy arcs already take 32 GB of costs.
 * Threads: a struct cch and a customized struct cch_metric are read-only and may be shared; each
 * thread owns its struct cch_query. */
#ifndef KKC_CCH_H
#define KKC_CCH_H

#include "base/err.h"

#include <stddef.h>
#include <stdint.h>

typedef uint64_t cch_cost;
#define CCH_INF UINT64_MAX
#define CCH_NONE UINT32_MAX

/* Saturating sum: CCH_INF when either is CCH_INF or the sum overflows. */
static inline cch_cost cch_add(cch_cost a, cch_cost b)
{
    cch_cost s = a + b;
    return s < a ? CCH_INF : s;
}

/* The input: a directed graph, out-arcs of v are head[first_out[v] .. first_out[v + 1]).
 * Self loops and parallel arcs are allowed (the cheapest parallel arc counts).
 * Optional (NULL: the order is METIS_NodeND of the input): for a turn-expanded graph, the coarse
 * (junction) graph below it: input node v is a segment from junction coarse_tail[v] to
 * coarse_head[v] (< coarse_n), and an arc v -> w joins segments with coarse_head[v] ==
 * coarse_tail[w]; the order then comes from edge cuts of the junction graph (cch_order.h; with
 * METIS's cuts no better than NodeND on the turn graph: BENCHMARKS.md). Only the order's quality
 * depends on it. */
struct cch_input {
    uint32_t n;
    const uint64_t *first_out; /* n + 1 */
    const uint32_t *head;      /* first_out[n] */
    const uint32_t *coarse_tail, *coarse_head; /* n each, or NULL */
    uint32_t coarse_n;
};

/* The metric-independent hierarchy. Arrays owned by the struct (or by the mapping of a cache
 * file, cch_cache.h); read-only after cch_build. */
struct cch {
    uint32_t n;
    uint64_t arc_count;   /* hierarchy arcs (undirected, stored at their lower end) */
    uint64_t input_arcs;  /* arcs of the input */
    uint32_t *rank;       /* input node -> rank */
    uint32_t *order;      /* rank -> input node */
    uint32_t *parent;     /* elimination tree, by rank; CCH_NONE at a root */
    uint64_t *up_first;   /* n + 1: arcs (v, up_head[a]) for a in [up_first[v], up_first[v+1]) */
    uint32_t *up_head;    /* the higher end, ascending per node */
    uint64_t *down_first; /* n + 1: the lower neighbours of v, ascending */
    uint32_t *down_tail;  /* the lower end */
    uint32_t *down_arc;   /* the hierarchy arc */
    uint64_t *in_first;   /* arc_count + 1: input arcs mapped onto hierarchy arc a */
    uint32_t *in_arc;     /* input arc id << 1 | 1 when it runs high -> low */
    uint32_t *arc_tail;   /* the lower end of each hierarchy arc */
    uint32_t *arc_of_in;  /* input arc -> its hierarchy arc, CCH_NONE for a self loop */
    void *mapping;        /* non-NULL when the arrays live in a mapped cache file */
    size_t mapping_len;
};

/* Order and contract. *out is the caller's, freed with cch_destroy(). KKC_EINVAL for an
 * inconsistent input, KKC_ETOOBIG over the limits above, KKC_EINTERNAL when METIS fails,
 * KKC_ENOMEM. */
enum kkc_code cch_build(const struct cch_input *in, struct cch **out, struct kkc_err *err);
void cch_destroy(struct cch *c);
/* The hierarchy arc between ranks a != b, or CCH_NONE when there is none. */
uint32_t cch_find_arc(const struct cch *c, uint32_t a, uint32_t b);

/* ---- customization ------------------------------------------------------------------------- */

struct cch_metric {
    const struct cch *c;
    cch_cost *weight; /* per input arc (a copy; CCH_INF = closed) */
    cch_cost *up;     /* per hierarchy arc: lower end -> higher end */
    cch_cost *down;   /* higher end -> lower end */
    /* per hierarchy arc a, mid[2a] (up) and mid[2a + 1] (down): the lower node w of the triangle
     * {w, lo, hi} that gave the cost, CCH_NONE when an input arc gives it (preferred on equal
     * costs; among triangles the lowest w): unpacking follows it, two binary searches in w's
     * upper list per shortcut instead of a search of the triangles. The same
     * whatever the thread count, and after a partial update the same as in full. 8 bytes an arc. */
    uint32_t *mid;
};

/* A metric for c from one weight per input arc (uint32: milliseconds, UINT32_MAX = closed; or
 * 64-bit costs), customized. *out is the caller's, freed with cch_metric_destroy(). */
enum kkc_code cch_metric_create(const struct cch *c, const uint32_t *weight32,
                                const cch_cost *weight64, struct cch_metric **out,
                                struct kkc_err *err);
void cch_metric_destroy(struct cch_metric *m);
/* Recompute every hierarchy arc from m->weight. */
void cch_metric_customize(struct cch_metric *m);
/* Set input arcs arcs[i] to weights[i] and redo only the hierarchy arcs that can change (those
 * above them, in rank order). *touched (may be NULL) receives how many arcs were recomputed.
 * KKC_EINVAL for an arc id out of range, KKC_ENOMEM. */
enum kkc_code cch_metric_update(struct cch_metric *m, const uint64_t *arcs,
                                const cch_cost *weights, size_t count, uint64_t *touched,
                                struct kkc_err *err);
/* A copy of m (same hierarchy, its own weights and costs), e.g. to update for closures while m
 * stays in use. *out is freed with cch_metric_destroy(). KKC_ENOMEM. */
enum kkc_code cch_metric_copy(const struct cch_metric *m, struct cch_metric **out,
                              struct kkc_err *err);

/* ---- queries ------------------------------------------------------------------------------- */

/* A node where a query starts or ends, with the cost already spent getting there (from it). */
struct cch_seed {
    uint32_t node; /* input node id */
    cch_cost cost;
};

struct cch_query;

/* Scratch for queries on metric m's hierarchy. KKC_ENOMEM. */
enum kkc_code cch_query_create(const struct cch *c, struct cch_query **out, struct kkc_err *err);
void cch_query_destroy(struct cch_query *q);
/* Use q's scratch for hierarchy c from now on (another hierarchy of as many nodes, e.g. of a
 * reloaded world; the one q had may be gone): 0, or -1 when c has another node count. */
int cch_query_rebind(struct cch_query *q, const struct cch *c);

/* Least cost from any source seed to any target seed (seed costs included); CCH_INF when none.
 * Both walks go up together in rank order, neither relaxing from a node whose distance is not
 * below the best meeting cost found so far. The path stays in q for cch_query_path(). */
cch_cost cch_query_run(struct cch_query *q, const struct cch_metric *m, const struct cch_seed *src,
                       size_t ns, const struct cch_seed *dst, size_t nd);
/* The input arcs of the last cch_query_run's path, in driving order, plus the seeds it used.
 * *arcs is malloc'ed (the caller frees it); *count = 0 for a path of no arcs. KKC_ENOROUTE when
 * the last run found nothing, KKC_ENOMEM. */
enum kkc_code cch_query_path(struct cch_query *q, const struct cch_metric *m, uint64_t **arcs,
                             size_t *count, uint32_t *src_node, uint32_t *dst_node,
                             struct kkc_err *err);

/* Many-to-many: out[i * nt + j] = least cost from source group i to target group j. Group i of
 * the sources is src[src_first[i] .. src_first[i + 1]) (so a snapped point can start on two
 * nodes); the same for targets. Uses q's scratch (and leaves no path in it); from 8 groups on a
 * side, unless KKC_CCH_THREADS=1, that side's walks run on two threads, the second on a scratch
 * q makes on the first such table and keeps (16 bytes per node). KKC_ENOMEM. */
enum kkc_code cch_table(struct cch_query *q, const struct cch_metric *m, const struct cch_seed *src,
                        const size_t *src_first, size_t ns, const struct cch_seed *dst,
                        const size_t *dst_first, size_t nt, cch_cost *out, struct kkc_err *err);

#endif
