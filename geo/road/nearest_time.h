/* geo/road/nearest_time.h -- the k centres nearest to a point by driving time (from the centre
 * to the point), and the policy of how they are found.
 *
 * The precomputed labels (labels.h) answer when they can: active centres only and k up to
 * labels_k(). Otherwise (closed centres wanted, a larger k, or no labels) one many-to-one
 * route_table() from every chosen centre to the point answers (table.h: the hierarchy's
 * buckets, or one search backwards from the point over the whole graph). Both
 * ways give the same answer for the same centres, because one radius rule holds for both: a
 * centre is snapped to the roads within NEAREST_TIME_CENTRE_RADIUS_M (the labels' default), and
 * a request's own radius applies to the query point only. */
#ifndef KKC_NEAREST_TIME_H
#define KKC_NEAREST_TIME_H

#include "base/err.h"
#include "road/graph.h"
#include "road/snap.h"

#include <stddef.h>
#include <stdint.h>

struct centres;
struct labels;

/* How far a centre may lie from its road, whichever way the answer is found. */
#define NEAREST_TIME_CENTRE_RADIUS_M SNAP_RADIUS_DEFAULT_M

/* One centre ranked by driving time: its index into centres_get() and the cost of the drive from
 * it to the point. */
struct nearest_time_hit {
    uint32_t centre;
    graph_cost cost;
};

/* The k centres of cs of the kinds in mask (bit 1 << kind; closed ones too with include_closed)
 * with the least driving time to the snapped point at on g, ordered by cost then centre index,
 * into out[0..k) with their number in *n (fewer when fewer reach the point). lab: the labels of
 * cs for exactly these kinds (built with the default snap radius), or NULL. KKC_ENOMEM, or
 * KKC_EINVAL from labels_nearest(). */
enum kkc_code nearest_time(const struct graph *g, const struct centres *cs,
                           const struct labels *lab, const struct snap *at, unsigned mask,
                           int include_closed, size_t k, struct nearest_time_hit *out,
                           size_t *n, struct kkc_err *err);

/* nearest_time() from labels built per kind: by_kind[kind] holds the labels of the centres of
 * that one kind (or NULL). The k nearest of several kinds are the k first of the kinds' own k
 * nearest merged (the same order: cost, then centre index), so one set of labels per kind
 * answers every combination of kinds exactly (3 sets instead of 7). Falls back to the
 * exhaustive search as nearest_time() does, when a kind of mask has no usable labels. */
enum kkc_code nearest_time_kinds(const struct graph *g, const struct centres *cs,
                                 const struct labels *const *by_kind, const struct snap *at,
                                 unsigned mask, int include_closed, size_t k,
                                 struct nearest_time_hit *out, size_t *n, struct kkc_err *err);

/* Whether nearest_time_kinds() answers from the labels: every kind of mask has usable ones. */
int nearest_time_kinds_use_labels(const struct labels *const *by_kind, unsigned mask,
                                  int include_closed, size_t k);

/* Whether nearest_time() answers from the labels lab for these arguments (for tests and
 * metrics): lab is not NULL, no closed centres are wanted and k <= labels_k(lab). */
int nearest_time_uses_labels(const struct labels *lab, int include_closed, size_t k);

#endif
