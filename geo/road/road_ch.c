/* geo/road/road_ch.c -- the road graph's CCH: input from the turn graph, cache, metric (road_ch.h). */
#include "road/road_ch.h"
#include "road/cch_cache.h"
#include "road/graph.h"
#include "road/tnet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The road node a routing node is ordered with: the head of the segment it drives (its end, so
 * the routing nodes of a road-graph separator S are the segments into S, which separate the
 * turn graph as S separates the road graph). */
static uint32_t key_node(const struct graph *g, uint32_t seg, int mode)
{
    uint32_t e = seg >> 1, r = seg & 1;
    uint32_t head = r ? g->edge_source[e] : g->edge_target[e];
    uint32_t tail = r ? g->edge_target[e] : g->edge_source[e];
    return mode == 1 ? tail : head;
}

/* The turn graph's order, from a nested dissection of the road graph (node-based, 2.5-4x smaller
 * and with separators of road nodes instead of segments): routing nodes ranked by their key road
 * node's rank, the routing nodes of one key together. */
static enum kkc_code turn_rank(const struct graph *g, uint32_t *rank, struct kkc_err *err)
{
    const struct turn_graph *t = g->turn;
    uint32_t n = g->node_count;
    uint64_t *first = calloc((size_t)n + 2, sizeof *first);
    uint32_t *head = malloc(((size_t)g->edge_count + 1) * sizeof *head);
    uint32_t *rr = malloc(((size_t)n + 1) * sizeof *rr);
    const char *env = getenv("KKC_CCH_ORDER");
    int mode = env && !strcmp(env, "tail") ? 1 : env && !strcmp(env, "max") ? 2 : 0;
    enum kkc_code rc = KKC_OK;

    if (!first || !head || !rr)
        rc = kkc_err_set(err, KKC_ENOMEM, "out of memory (road hierarchy order)");
    for (uint32_t e = 0; !rc && e < g->edge_count; e++)
        first[g->edge_source[e] + 2]++;
    for (uint32_t v = 0; !rc && v < n; v++)
        first[v + 2] += first[v + 1];
    for (uint32_t e = 0; !rc && e < g->edge_count; e++)
        head[first[g->edge_source[e] + 1]++] = g->edge_target[e];
    if (!rc) {
        struct cch_input road = {n, first, head};
        rc = cch_nd_rank(&road, rr, err);
    }
    if (!rc) { /* counting sort of the routing nodes by their key's rank */
        memset(first, 0, ((size_t)n + 2) * sizeof *first);
        for (uint32_t v = 0; v < t->n; v++) {
            uint32_t a = key_node(g, t->seg[v], mode), b = key_node(g, t->seg[v], 1);
            uint32_t k = mode == 2 && rr[b] > rr[a] ? rr[b] : rr[a];
            rank[v] = k, first[k + 1]++;
        }
        for (uint32_t k = 0; k < n; k++)
            first[k + 1] += first[k];
        for (uint32_t v = 0; v < t->n; v++)
            rank[v] = (uint32_t)first[rank[v]]++;
    }
    free(first), free(head), free(rr);
    return rc;
}

/* Map the cache, else build and (try to) write it. */
static enum kkc_code topology(struct road_ch *ch, const struct graph *g, const struct cch_input *in,
                              const char *cache_path, const char *key, struct kkc_err *err)
{
    struct kkc_err e = {0};
    if (cache_path && cch_cache_load(in, key, cache_path, &ch->c, &e) == KKC_OK) {
        ch->from_cache = 1;
        return KKC_OK;
    }
    if (cache_path)
        snprintf(ch->cache_note, sizeof ch->cache_note, "%.150s", e.msg);
    const char *env = getenv("KKC_CCH_ORDER");
    enum kkc_code rc = KKC_OK;
    uint32_t *rank = NULL;
    if (!(env && !strcmp(env, "turn"))) {
        rank = malloc(((size_t)in->n + 1) * sizeof *rank);
        rc = !rank  ? kkc_err_set(err, KKC_ENOMEM, "out of memory (road hierarchy order)")
             : env && (!strcmp(env, "head") || !strcmp(env, "tail") || !strcmp(env, "max"))
                 ? turn_rank(g, rank, err)
                 : road_ch_order(g, rank, err);
    }
    if (!rc)
        rc = cch_build_ranked(in, rank, &ch->c, err);
    free(rank);
    if (!rc && cache_path && cch_cache_save(ch->c, in, key, cache_path, &e))
        snprintf(ch->cache_note, sizeof ch->cache_note, "%.150s", e.msg);
    return rc;
}

/* Read the customized metric from CACHE.metric, else customize and (try to) write it. */
static enum kkc_code metric(struct road_ch *ch, const cch_cost *w, const char *cache_path,
                            const char *key, struct kkc_err *err)
{
    struct kkc_err e = {0};
    char path[4096];
    int named =
        cache_path && snprintf(path, sizeof path, "%s.metric", cache_path) < (int)sizeof path;
    if (named && ch->from_cache && cch_metric_load(ch->c, w, key, path, &ch->m, &e) == KKC_OK) {
        ch->metric_from_cache = 1;
        return KKC_OK;
    }
    /* other weights (closures came or went): update the last metric over the arcs that differ */
    if (named && ch->from_cache &&
        cch_metric_load_update(ch->c, w, key, path, ch->c->input_arcs / 8, &ch->m,
                               &ch->metric_updated, &e) == KKC_OK) {
        ch->metric_from_cache = 2;
        if (cch_metric_save(ch->m, key, path, &e) && !ch->cache_note[0])
            snprintf(ch->cache_note, sizeof ch->cache_note, "%.150s", e.msg);
        return KKC_OK;
    }
    enum kkc_code rc = cch_metric_create(ch->c, NULL, w, &ch->m, err);
    if (!rc && named && cch_metric_save(ch->m, key, path, &e) && !ch->cache_note[0])
        snprintf(ch->cache_note, sizeof ch->cache_note, "%.150s", e.msg);
    return rc;
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
    enum kkc_code rc = KKC_OK;

    if (!ch || !w)
        rc = kkc_err_set(err, KKC_ENOMEM, "out of memory (road hierarchy)");
    for (uint64_t a = 0; !rc && a < m; a++)
        w[a] = tnet_arc_cost(g, a);
    if (!rc) {
        struct cch_input in = {t->n, t->first_out, t->head};
        double t0 = now_s();
        rc = topology(ch, g, &in, cache_path, key ? key : "", err);
        double t1 = now_s();
        if (!rc)
            rc = metric(ch, w, cache_path, key ? key : "", err);
        ch->build_s = t1 - t0;
        ch->custom_s = now_s() - t1;
    }
    free(w);
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
    cch_metric_destroy(ch->m);
    cch_destroy(ch->c);
    free(ch);
}
