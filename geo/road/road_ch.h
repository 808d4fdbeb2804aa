/* geo/road/road_ch.h -- the road graph's customizable hierarchy (cch.h): the one place that knows
 * which directed graph the hierarchy is built on, so routes, tables and nearest-by-time use it
 * without knowing how.
 *
 * The input is the turn-aware graph g->turn (turn.h): CCH node = routing node (a directed segment
 * or a via-way copy), CCH input arc k = turn arc k, its weight tnet_arc_cost() (the turn plus the
 * head segment's whole graph_cost: time, then distance), so the hierarchy's optimum is exactly
 * that of a plain search over the same arcs (tnet.h says how snapped points seed it).
 *
 * The metric-independent part is cached in a file beside the database (cch_cache.h), keyed by the
 * database's data_version and a hash of the graph; a missing or stale file is rebuilt and
 * rewritten; the customized costs of the graph's own weights likewise in CACHE.metric (keyed
 * also by hashes of the weights and of the hierarchy's arcs). The graph owns its struct road_ch
 * (g->ch, NULL when routing runs without it). */
#ifndef KKC_ROAD_CH_H
#define KKC_ROAD_CH_H

#include "base/err.h"
#include "road/cch.h"
#include "road/cch_cache.h"

struct graph;
struct store;

struct road_ch {
    struct cch *c;
    struct cch_metric *m;
    int from_cache;          /* 1 when the hierarchy was mapped from the cache file */
    int metric_from_cache;   /* 1: its costs were read from CACHE.metric; 2: updated from there */
    uint64_t metric_updated; /* with 2: the turn arcs whose weight differed (closures) */
    double build_s, custom_s; /* seconds: order + contraction (or mapping), customization */
    char cache_note[160];     /* why the cache was not used or not written ("" when fine) */
    int cache_written;        /* bit 1: the hierarchy file was written, bit 2: the metric's */
    struct cch_metric_file metric_file; /* with metric_from_cache 1: m is mapped from it */
};

/* Build (or map from cache_path, when not NULL, under key) the hierarchy of g and customize it
 * with g's costs. *out is freed with road_ch_destroy(). */
enum kkc_code road_ch_create(const struct graph *g, const char *cache_path, const char *key,
                             struct road_ch **out, struct kkc_err *err);
void road_ch_destroy(struct road_ch *ch);

/* What road_ch_prepare() did. */
struct road_ch_prepare_stats {
    uint32_t nodes;           /* routing nodes (the turn graph's) */
    uint64_t arcs;            /* hierarchy arcs */
    int from_cache;           /* 1: the files were current already */
    double build_s, custom_s; /* as in struct road_ch */
};
/* The hierarchy files of the road network in st, made at import so the first `kkc serve` maps
 * them: the graph loaded as the server loads it, its hierarchy built and customized with the
 * stored weights, written to cache_path and cache_path.metric under st's data_version (the key
 * road_ch_create() checks). KKC_ENOTFOUND when st has no road edges; the graph's load errors (a
 * graph the server cannot take); KKC_EIO when a file cannot be written; KKC_ENOMEM. */
enum kkc_code road_ch_prepare(struct store *st, const char *cache_path,
                              struct road_ch_prepare_stats *stats, struct kkc_err *err);
/* Rename the hierarchy files of cache path `from` (FROM and FROM.metric) over those of `to`
 * (KKC_EIO), or, with to NULL, remove them (always KKC_OK). */
enum kkc_code road_ch_files_move(const char *from, const char *to, struct kkc_err *err);


#endif
