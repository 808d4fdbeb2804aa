/* geo/road/road_ch.c -- the road graph's CCH: input from the turn graph, cache, metric (road_ch.h). */
#include "road/road_ch.h"
#include "road/cch_cache.h"
#include "road/graph.h"
#include "road/tnet.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Map the cache, else build and (try to) write it. */
static enum kkc_code topology(struct road_ch *ch, const struct cch_input *in,
                              const char *cache_path, const char *key, struct kkc_err *err)
{
    struct kkc_err e = {0};
    if (cache_path && cch_cache_load(in, key, cache_path, &ch->c, &e) == KKC_OK) {
        ch->from_cache = 1;
        return KKC_OK;
    }
    if (cache_path)
        snprintf(ch->cache_note, sizeof ch->cache_note, "%.150s", e.msg);
    enum kkc_code rc = cch_build(in, &ch->c, err);
    if (!rc && cache_path && cch_cache_save(ch->c, in, key, cache_path, &e))
        snprintf(ch->cache_note, sizeof ch->cache_note, "%.150s", e.msg);
    else if (!rc && cache_path)
        ch->cache_written |= 1;
    return rc;
}

/* Write the customized metric to path; a failure is only noted (the next start customizes). */
static void metric_save(struct road_ch *ch, const char *key, const char *path)
{
    struct kkc_err e = {0};
    if (cch_metric_save(ch->m, key, path, &e)) {
        if (!ch->cache_note[0])
            snprintf(ch->cache_note, sizeof ch->cache_note, "%.150s", e.msg);
    } else {
        ch->cache_written |= 2;
    }
}

/* Map the customized metric from CACHE.metric, else customize and (try to) write it. */
static enum kkc_code metric(struct road_ch *ch, const cch_cost *w, const char *cache_path,
                            const char *key, struct kkc_err *err)
{
    struct kkc_err e = {0};
    char path[4096];
    int named =
        cache_path && snprintf(path, sizeof path, "%s.metric", cache_path) < (int)sizeof path;
    if (named && ch->from_cache &&
        cch_metric_map(ch->c, w, key, path, &ch->m, &ch->metric_file, &e) == KKC_OK) {
        ch->metric_from_cache = 1;
        return KKC_OK;
    }
    /* other weights (closures came or went): update the last metric over the arcs that differ */
    if (named && ch->from_cache &&
        cch_metric_load_update(ch->c, w, key, path, ch->c->input_arcs / 8, &ch->m,
                               &ch->metric_updated, &e) == KKC_OK) {
        ch->metric_from_cache = 2;
        metric_save(ch, key, path);
        return KKC_OK;
    }
    enum kkc_code rc = cch_metric_create(ch->c, NULL, w, &ch->m, err);
    if (!rc && named)
        metric_save(ch, key, path);
    return rc;
}

/* The junctions at each routing node's ends (a via-way copy: its segment's), for the order. */
static enum kkc_code junctions(const struct graph *g, uint32_t **ends, struct kkc_err *err)
{
    const struct turn_graph *t = g->turn;
    uint32_t *e = malloc(2 * ((size_t)t->n + 1) * sizeof *e);
    if (!e)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (road hierarchy)");
    for (uint32_t v = 0; v < t->n; v++) {
        uint32_t s = t->seg[v], a = g->edge_source[s >> 1], b = g->edge_target[s >> 1];
        e[v] = s & 1 ? b : a;
        e[t->n + v] = s & 1 ? a : b;
    }
    *ends = e;
    return KKC_OK;
}

enum kkc_code road_ch_create(const struct graph *g, const char *cache_path, const char *key,
                             struct road_ch **out, struct kkc_err *err)
{
    const struct turn_graph *t = g->turn;
    if (!t)
        return kkc_err_set(err, KKC_EINVAL, "road hierarchy: the graph has no turn graph");
    uint64_t m = t->first_out[t->n];
    struct road_ch *ch = calloc(1, sizeof *ch);
    cch_cost *w = malloc(((size_t)m + 1) * sizeof *w);
    uint32_t *ends = NULL;
    enum kkc_code rc = KKC_OK;

    if (ch)
        ch->metric_file.fd = -1;
    if (!ch || !w)
        rc = kkc_err_set(err, KKC_ENOMEM, "out of memory (road hierarchy)");
    for (uint64_t a = 0; !rc && a < m; a++)
        w[a] = tnet_arc_cost(g, a);
    const char *ord = getenv("KKC_CCH_ORDER"); /* "cut": the junction graph's edge cuts */
    if (!rc && ord && !strcmp(ord, "cut"))
        rc = junctions(g, &ends, err);
    if (!rc) {
        struct cch_input in = {t->n,  t->first_out, t->head, ends, ends ? ends + t->n : NULL,
                               g->node_count};
        double t0 = now_s();
        rc = topology(ch, &in, cache_path, key ? key : "", err);
        double t1 = now_s();
        if (!rc)
            rc = metric(ch, w, cache_path, key ? key : "", err);
        ch->build_s = t1 - t0;
        ch->custom_s = now_s() - t1;
    }
    free(w), free(ends);
    if (rc) {
        road_ch_destroy(ch);
        return rc;
    }
    *out = ch;
    return KKC_OK;
}

void road_ch_destroy(struct road_ch *ch)
{
    if (!ch)
        return;
    if (ch->metric_file.map)
        cch_metric_unmap(ch->m, &ch->metric_file);
    else
        cch_metric_destroy(ch->m);
    cch_destroy(ch->c);
    free(ch);
}

enum kkc_code road_ch_prepare(struct store *st, const char *cache_path,
                              struct road_ch_prepare_stats *stats, struct kkc_err *err)
{
    struct graph_options o = {.landmarks = 0, .hierarchy = 1, .hierarchy_cache = cache_path};
    struct graph *g = NULL;
    enum kkc_code rc = graph_load_opts(st, &o, &g, err); /* the server's load: the same key */
    if (rc)
        return rc;
    const struct road_ch *ch = g->ch;
    *stats = (struct road_ch_prepare_stats){g->turn->n, ch->c->arc_count, ch->from_cache,
                                            ch->build_s, ch->custom_s};
    if (!(ch->from_cache || ch->cache_written & 1) ||
        !(ch->metric_from_cache == 1 || ch->cache_written & 2))
        rc = kkc_err_set(err, KKC_EIO, "road hierarchy files: %s", ch->cache_note);
    graph_destroy(g);
    return rc;
}

enum kkc_code road_ch_files_move(const char *from, const char *to, struct kkc_err *err)
{
    char a[4096], b[4096];
    for (int i = 0; i < 2; i++) {
        const char *ext = i ? ".metric" : "";
        if (snprintf(a, sizeof a, "%s%s", from, ext) >= (int)sizeof a ||
            (to && snprintf(b, sizeof b, "%s%s", to, ext) >= (int)sizeof b))
            return to ? kkc_err_set(err, KKC_EIO, "cache path too long") : KKC_OK;
        if (!to)
            unlink(a);
        else if (rename(a, b))
            return kkc_err_set(err, KKC_EIO, "rename %s to %s: %s", a, b, strerror(errno));
    }
    return KKC_OK;
}
