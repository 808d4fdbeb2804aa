/* geo/road/turn_rules.c -- what the turn graph needs from the store: the OSM way of every edge, the
 * OSM node of every road node, the traffic signals, and the restrictions resolved to directed
 * segments (via-node pairs, via-way paths). See turn.h and turn_int.h. */
#include "road/turn_int.h"

#include "base/store.h"

#include <stdlib.h>
#include <string.h>

#define PATH_MAX_SEGS 64 /* segments of one via-way path */

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Sort N keys ascending; an empty list may be NULL (qsort must not see it). */
static void sort_u64(uint64_t *a, size_t n)
{
    if (n)
        qsort(a, n, sizeof *a, u64_cmp);
}

/* Append v to the growing array *a (n, cap). Returns 0 or -1 when out of memory. */
static int push64(uint64_t **a, size_t *n, size_t *cap, uint64_t v)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 256;
        uint64_t *p = realloc(*a, c * sizeof *p);
        if (!p)
            return -1;
        *a = p, *cap = c;
    }
    (*a)[(*n)++] = v;
    return 0;
}

int tr_has(const uint64_t *a, size_t n, uint64_t key)
{
    return n && bsearch(&key, a, n, sizeof *a, u64_cmp) != NULL;
}

/* Edge -> OSM way id and internal node -> OSM node id, signals per node. */
static enum kkc_code load_ids(struct store *st, const struct graph *g, struct tr_rules *r,
                              struct kkc_err *err)
{
    sqlite3_stmt *s = NULL;
    enum kkc_code rc;
    r->way = calloc(g->edge_count ? g->edge_count : 1, sizeof *r->way);
    r->osm = calloc(g->node_count ? g->node_count : 1, sizeof *r->osm);
    r->signals = calloc(g->node_count ? g->node_count : 1, 1);
    if (!r->way || !r->osm || !r->signals)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (turn graph)");
    rc = store_prepare(st, "SELECT id, osm_way_id FROM road_edges", &s, err);
    while (!rc && sqlite3_step(s) == SQLITE_ROW) {
        sqlite3_int64 e = sqlite3_column_int64(s, 0);
        if (e >= 0 && e < g->edge_count)
            r->way[e] = sqlite3_column_int64(s, 1);
    }
    sqlite3_finalize(s);
    if (!rc)
        rc = store_prepare(st, "SELECT id, osm_id FROM road_nodes", &s, err);
    while (!rc && sqlite3_step(s) == SQLITE_ROW) {
        uint32_t v = graph_node_from_dbid(g, (uint32_t)sqlite3_column_int64(s, 0));
        if (v != GRAPH_NONE)
            r->osm[v] = sqlite3_column_int64(s, 1);
    }
    sqlite3_finalize(s);
    if (!rc && store_prepare(st, "SELECT node FROM road_points WHERE signals AND node IS NOT NULL",
                             &s, NULL) == KKC_OK) {
        while (sqlite3_step(s) == SQLITE_ROW) {
            uint32_t v = graph_node_from_dbid(g, (uint32_t)sqlite3_column_int64(s, 0));
            if (v != GRAPH_NONE)
                r->signals[v] = 1;
        }
        sqlite3_finalize(s);
    }
    return rc;
}

/* The road node with OSM id osm (barrier copies excluded: they have several), or GRAPH_NONE. */
static uint32_t node_of_osm(const struct graph *g, const struct tr_rules *r, long long osm)
{
    uint32_t hit = GRAPH_NONE;
    for (uint32_t v = 0; v < g->node_count; v++) {
        if (r->osm[v] != osm)
            continue;
        if (hit != GRAPH_NONE)
            return GRAPH_NONE;
        hit = v;
    }
    return hit;
}

/* Via node: every segment of way `from` into v against every segment of way `to` out of v. */
static int via_node(const struct graph *g, struct tr_rules *r, long long from, uint32_t v,
                    long long to, int only)
{
    int found = 0;
    for (uint32_t i = g->in_first[v]; i < g->in_first[v + 1]; i++) {
        uint32_t a = g->in[i].edge;
        if (r->way[a >> 1] != from)
            continue;
        for (uint32_t j = g->out_first[v]; j < g->out_first[v + 1]; j++) {
            uint32_t b = g->out[j].edge;
            if (r->way[b >> 1] != to)
                continue;
            uint64_t key = (uint64_t)a << 32 | b;
            if (only ? push64(&r->only, &r->nonly, &r->caponly, key)
                     : push64(&r->forbid, &r->nforbid, &r->capforbid, key))
                return -1;
            found = 1;
        }
        if (found && only && push64(&r->only_from, &r->nonly_from, &r->caponly_from, a))
            return -1;
    }
    return found;
}

/* The segment out of v on way `way` (not the reverse of `prev`), or GRAPH_NONE. */
static uint32_t seg_on_way(const struct graph *g, const struct tr_rules *r, uint32_t v,
                           long long way, uint32_t prev)
{
    for (uint32_t j = g->out_first[v]; j < g->out_first[v + 1]; j++) {
        uint32_t b = g->out[j].edge;
        if (r->way[b >> 1] == way && b != (prev ^ 1u))
            return b;
    }
    return GRAPH_NONE;
}

/* Head node of directed segment s. */
uint32_t tr_seg_head(const struct graph *g, uint32_t s)
{
    return s & 1 ? g->edge_source[s >> 1] : g->edge_target[s >> 1];
}

/* Walk a via-way restriction from each segment of `from`: the via path along ways vias[0..nv)
 * and the exit onto `to`. Adds one struct tr_path per from-segment that leads onto the path. */
static int via_ways(const struct graph *g, struct tr_rules *r, long long from,
                    const long long *vias, int nv, long long to, int only)
{
    int found = 0;
    for (uint32_t e = 0; e < g->edge_count; e++) {
        if (r->way[e] != from)
            continue;
        for (uint32_t a = e << 1; a <= (e << 1 | 1); a++) {
            struct tr_path p = {.from = a, .only = (uint8_t)only};
            uint32_t prev = a, v = tr_seg_head(g, a), exit = GRAPH_NONE;
            for (int k = 0; k < nv && p.n < PATH_MAX_SEGS; k++) {
                uint32_t s = seg_on_way(g, r, v, vias[k], prev);
                while (s != GRAPH_NONE && p.n < PATH_MAX_SEGS) {
                    p.segs[p.n++] = s, prev = s, v = tr_seg_head(g, s);
                    long long next = k + 1 < nv ? vias[k + 1] : to;
                    if (seg_on_way(g, r, v, next, prev) != GRAPH_NONE)
                        break;
                    s = seg_on_way(g, r, v, vias[k], prev);
                }
            }
            if (p.n)
                exit = seg_on_way(g, r, v, to, prev);
            if (exit == GRAPH_NONE || p.n == PATH_MAX_SEGS)
                continue;
            p.to = exit;
            struct tr_path *q = realloc(r->paths, (r->npaths + 1) * sizeof *q);
            if (!q)
                return -1;
            r->paths = q;
            r->paths[r->npaths++] = p;
            found = 1;
        }
    }
    return found;
}

/* Parse "id id id" into v (at most max). Returns the count. */
static int parse_ids(const char *s, long long *v, int max)
{
    int n = 0;
    char *end;
    while (s && *s && n < max) {
        v[n++] = strtoll(s, &end, 10);
        if (end == s)
            return 0;
        s = end;
    }
    return n;
}

/* One row of road_restrictions. Returns 1 applied, 0 not applicable, -1 out of memory. */
static int restriction_apply(const struct graph *g, struct tr_rules *r, sqlite3_stmt *s)
{
    const char *kind = (const char *)sqlite3_column_text(s, 0);
    long long from = sqlite3_column_int64(s, 1), to = sqlite3_column_int64(s, 4), vias[8];
    int only = kind && strncmp(kind, "only_", 5) == 0;

    if (sqlite3_column_type(s, 2) != SQLITE_NULL) {
        uint32_t v = node_of_osm(g, r, sqlite3_column_int64(s, 2));
        return v == GRAPH_NONE ? 0 : via_node(g, r, from, v, to, only);
    }
    int nv = parse_ids((const char *)sqlite3_column_text(s, 3), vias, 8);
    return nv ? via_ways(g, r, from, vias, nv, to, only) : 0;
}

enum kkc_code tr_rules_load(struct store *st, const struct graph *g, struct tr_rules *r,
                            struct kkc_err *err)
{
    sqlite3_stmt *s = NULL;
    enum kkc_code rc = load_ids(st, g, r, err);
    if (rc)
        return rc;
    if (store_prepare(st,
                      "SELECT kind, from_way, via_node, via_ways, to_way FROM road_restrictions "
                      "WHERE problem IS NULL ORDER BY id",
                      &s, NULL) != KKC_OK)
        return KKC_OK; /* a database made before restrictions were imported */
    while (!rc && sqlite3_step(s) == SQLITE_ROW) {
        int a = restriction_apply(g, r, s);
        if (a < 0)
            rc = kkc_err_set(err, KKC_ENOMEM, "out of memory (restrictions)");
        else if (a)
            r->applied++;
        else
            r->skipped++;
    }
    sqlite3_finalize(s);
    sort_u64(r->forbid, r->nforbid);
    sort_u64(r->only, r->nonly);
    sort_u64(r->only_from, r->nonly_from);
    return rc;
}

void tr_rules_free(struct tr_rules *r)
{
    free(r->way), free(r->osm), free(r->signals), free(r->forbid), free(r->only);
    free(r->only_from), free(r->paths);
    memset(r, 0, sizeof *r);
}
