/* service/world_int.h -- what world.c and world_change.c share: counted parts, loading steps. */
#ifndef KKC_WORLD_INT_H
#define KKC_WORLD_INT_H

#include "world.h"

#include <stdatomic.h>

struct store;

/* A part several worlds share, freed by destroy(p) when the last one lets it go. */
struct world_part {
    atomic_long refs;
    void (*destroy)(void *p);
    void *p;
};

/* A part holding p (refs 1); NULL when out of memory, after destroying p. */
struct world_part *world_part_new(void (*destroy)(void *p), void *p);
struct world_part *world_part_ref(struct world_part *part);
/* NULL is a no-op. */
void world_part_put(struct world_part *part);

unsigned long world_next_gen(void);
/* A zeroed world for db_path (refs 0); NULL when out of memory. */
struct world *world_alloc(const char *db_path);
void world_free(struct world *w);

/* Match the closures in force now (st, time(NULL)) and set w->graph / part_graph to the base
 * network with them applied (base's own graph when none applies), w->closures to what they
 * are. w->part_base must be set (or w has no road network). */
enum kkc_code world_closures_apply(struct store *st, struct world *w, struct kkc_err *err);
/* The shared state version st mirrors (meta state_version, issue 20); 0 = none. */
long long world_state_version_read(struct store *st);
/* The labels of w's active centres of the kinds in mask on w's graph (world.h's K); cancel as
 * labels_build_cancellable(). */
enum kkc_code world_labels_build_one(const struct world *w, unsigned mask, const atomic_int *cancel,
                                     struct labels **out, struct kkc_err *err);
/* Labels per kind of w's active centres on w's graph into lab[8] (masks 1, 2, 4). */
enum kkc_code world_labels_build(const struct world *w, struct labels *lab[8], struct kkc_err *err);

#endif
