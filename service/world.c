/* service/world.c -- loading the shared read-only data, reference counting and swapping. */
#include "world.h"

#include "centres/centres.h"
#include "coverage/coverage_base.h"
#include "road/graph.h"
#include "road/labels.h"
#include "base/store.h"

#include <stdlib.h>
#include <string.h>

#define WORLD_LABELS_K 10

static void world_free(struct world *w)
{
    if (!w)
        return;
    for (int m = 0; m < 8; m++)
        labels_destroy(w->labels[m]);
    coverage_base_destroy(w->coverage);
    centres_destroy(w->centres);
    graph_destroy(w->graph);
    free(w->db_path);
    free(w);
}

/* Count rows of a table (0 when the query fails). */
static long count_rows(struct store *st, const char *sql)
{
    sqlite3_stmt *s = NULL;
    long n = 0;
    if (store_prepare(st, sql, &s, NULL) == KKC_OK && sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return n;
}

enum kkc_code world_load(const char *db_path, struct world **out, struct kkc_err *err)
{
    struct store *st = NULL;
    struct world *w = calloc(1, sizeof *w);
    enum kkc_code rc;

    *out = NULL;
    if (!w || !(w->db_path = strdup(db_path))) {
        rc = kkc_err_set(err, KKC_ENOMEM, "out of memory");
        goto fail;
    }
    rc = store_open(db_path, STORE_READONLY, &st, err);
    if (!rc)
        rc = centres_load(st, &w->centres, err);
    if (!rc && count_rows(st, "SELECT count(*) FROM road_edges") > 0)
        rc = graph_load(st, &w->graph, err);
    /* one network Voronoi per combination of kinds, active centres only */
    for (unsigned m = 1; !rc && w->graph && m <= KIND_MASK_ALL; m++) {
        struct labels_options lo = {.kind_mask = m, .k = WORLD_LABELS_K};
        rc = labels_build(w->graph, w->centres, &lo, &w->labels[m], err);
    }
    if (rc)
        goto fail;
    if (store_meta_get(st, "data_version", w->version, sizeof w->version, NULL))
        strcpy(w->version, "unknown");
    w->municipalities = count_rows(st, "SELECT count(*) FROM municipalities");
    w->loaded_at = time(NULL);
    w->refs = 1;
    store_close(st);
    *out = w;
    return KKC_OK;
fail:
    store_close(st);
    world_free(w);
    return rc;
}

void world_holder_init(struct world_holder *h, struct world *w)
{
    pthread_mutex_init(&h->mu, NULL);
    pthread_mutex_init(&h->write_mu, NULL);
    h->cur = w;
}

struct world *world_get(struct world_holder *h)
{
    struct world *w;
    pthread_mutex_lock(&h->mu);
    w = h->cur;
    if (w)
        w->refs++;
    pthread_mutex_unlock(&h->mu);
    return w;
}

void world_put(struct world_holder *h, struct world *w)
{
    long left;
    if (!w)
        return;
    pthread_mutex_lock(&h->mu);
    left = --w->refs;
    pthread_mutex_unlock(&h->mu);
    if (left == 0)
        world_free(w);
}

void world_swap(struct world_holder *h, struct world *w)
{
    struct world *old;
    pthread_mutex_lock(&h->mu);
    old = h->cur;
    h->cur = w;
    pthread_mutex_unlock(&h->mu);
    world_put(h, old);
}

enum kkc_code world_reload(struct world_holder *h, const char *db_path, struct world **out,
                           struct kkc_err *err)
{
    enum kkc_code rc;
    pthread_mutex_lock(&h->write_mu);
    rc = world_load(db_path, out, err);
    if (!rc)
        world_swap(h, *out);
    pthread_mutex_unlock(&h->write_mu);
    return rc;
}

void world_holder_done(struct world_holder *h)
{
    world_swap(h, NULL);
    pthread_mutex_destroy(&h->write_mu);
    pthread_mutex_destroy(&h->mu);
}
