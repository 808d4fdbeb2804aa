/* tests/tools/bench_closures_apply.c -- in-process time of world_apply_change (service/world.h):
 * load DB, then 3 times close the given way ids in one closure and open them again, each write
 * applied by derivation; prints the load time and each apply's time, changed turn arcs and
 * re-customized hierarchy arcs. Writes to DB (use a copy). Built by hand (no Makefile target):
 *   cc -std=c17 -D_GNU_SOURCE -O2 -Igeo -Iservice tests/tools/bench_closures_apply.c \
 *     build/service/world.o build/service/world_change.o build/libkkcgeo.a $(pkg-config --cflags \
 *     --libs geos proj spatialite sqlite3 jansson readosm) -lmetis -lbz2 -lz -lpthread -lm
 *   ./a.out COPY.sqlite WAY_ID... */
#include "base/store.h"
#include "closures/closures.h"
#include "world.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int apply_one(struct world_holder *h, const char *db, struct closure *c, int remove)
{
    struct kkc_err err = {0};
    struct store *st = NULL;
    int64_t v = 0;
    if (store_open(db, STORE_READWRITE, &st, &err) ||
        closures_write(st, remove ? CLOSURES_REMOVE : CLOSURES_ADD, c, 1, (int64_t)time(NULL), &v,
                       &err)) {
        fprintf(stderr, "write: %s\n", err.msg);
        store_close(st);
        return 1;
    }
    store_close(st);
    pthread_mutex_lock(&h->write_mu);
    double t0 = now_s();
    int rc = world_apply_change(h, WORLD_CHANGE_CLOSURES, &err);
    double ms = (now_s() - t0) * 1000;
    pthread_mutex_unlock(&h->write_mu);
    struct world *w = world_get(h);
    printf("%s: %.0f ms, %llu turn arcs changed, %llu hierarchy arcs re-customized%s%s\n",
           remove ? "open " : "close", ms, w->closures.arcs_changed, w->closures.arcs_redone,
           rc ? ": " : "", rc ? err.msg : "");
    world_put(h, w);
    return rc != 0;
}

int main(int argc, char **argv)
{
    struct kkc_err err = {0};
    struct world *w = NULL;
    struct world_holder h;
    int64_t ways[CLOSURE_WAYS_MAX];
    int n = argc - 2 < CLOSURE_WAYS_MAX ? argc - 2 : CLOSURE_WAYS_MAX, bad = 0;
    if (n < 1) {
        fprintf(stderr, "usage: %s COPY.sqlite WAY_ID...\n", argv[0]);
        return 2;
    }
    double t0 = now_s();
    if (world_load(argv[1], &w, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    printf("world_load: %.1f s\n", now_s() - t0);
    world_holder_init(&h, w);
    for (int i = 0; i < n; i++)
        ways[i] = atoll(argv[2 + i]);
    struct closure c = {.ways = ways, .nways = (size_t)n, .reason = "bench", .source = "bench"};
    for (int r = 0; r < 6 && !bad; r++)
        bad = apply_one(&h, argv[1], &c, r % 2);
    world_holder_done(&h);
    return bad;
}
