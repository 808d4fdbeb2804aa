/* geo/road/graph.c -- loading the road graph from the store into its in-memory form (see graph.h).
 *
 * graph_load() runs in stages, each filling part of the struct graph: nodes (then renumbered in
 * Hilbert order), edges (costs, names, geometry), the forward and reverse CSR adjacency, the
 * largest strongly connected component (iterative Tarjan) that decides which edges a point may
 * snap to, the snapping grid, and the landmark tables (those three in graph_index.c). Any failure
 * frees the partial graph. The priority queue and the one-to-all search are graph_search.c. */
#include "road/graph_int.h"

#include "base/store.h"
#include "road/road_ch.h"
#include "road/turn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FREE_NULL(p)                                                                               \
    do {                                                                                           \
        free(p);                                                                                   \
        (p) = NULL;                                                                                \
    } while (0)

#define EDGE_MAX_POINTS (1u << 24)

/* ---- small helpers --------------------------------------------------------------------------- */

void graph_metres_per_degree(double lat, double *kx, double *ky)
{
    const double a = 6378137.0, e2 = 6.69437999014e-3, rad = M_PI / 180.0;
    double s = sin(lat * rad), w = 1.0 - e2 * s * s;
    double n = a / sqrt(w);
    *kx = n * cos(lat * rad) * rad;
    *ky = n * (1.0 - e2) / w * rad;
}

uint32_t graph_node_count(const struct graph *g)
{
    return g->node_count;
}

uint32_t graph_edge_count(const struct graph *g)
{
    return g->edge_count;
}

uint32_t graph_node_dbid(const struct graph *g, uint32_t v)
{
    return g->node_dbid[v];
}

uint32_t graph_node_from_dbid(const struct graph *g, uint32_t dbid)
{
    return dbid < g->node_count ? g->node_of_dbid[dbid] : GRAPH_NONE;
}

const char *graph_string(const struct graph *g, uint32_t s)
{
    return s < g->string_count ? g->strings + g->string_off[s] : "";
}

uint8_t graph_class_of(const char *highway)
{
    /* in enum graph_road_class order */
    static const char *const names[] = {"motorway",    "trunk",    "primary",
                                        "secondary",   "tertiary", "unclassified",
                                        "residential", "service",  "living_street"};
    size_t len = highway ? strlen(highway) : 0, base = len;
    uint8_t link = 0;

    if (len > 5 && memcmp(highway + len - 5, "_link", 5) == 0)
        base = len - 5, link = GRAPH_CLASS_LINK;
    for (size_t c = 0; c < sizeof names / sizeof names[0]; c++)
        if (strlen(names[c]) == base && memcmp(names[c], highway, base) == 0)
            return (uint8_t)(c | link);
    return GRAPH_CLASS_OTHER;
}

void *graph_alloc_array(size_t n, size_t size)
{
    return malloc(n ? n * size : 1);
}

void graph_destroy(struct graph *g)
{
    if (!g)
        return;
    road_ch_destroy(g->ch);
    turn_destroy(g->turn);
    free(g->node_lonlat);
    free(g->node_dbid);
    free(g->node_of_dbid);
    free(g->out_first);
    free(g->out);
    free(g->in_first);
    free(g->in);
    free(g->edge_source);
    free(g->edge_target);
    free(g->edge_cost);
    free(g->edge_length_m);
    free(g->edge_duration_s);
    free(g->edge_flags);
    free(g->edge_name);
    free(g->edge_ref);
    free(g->edge_class);
    free(g->edge_roundabout);
    free(g->edge_coord_first);
    free(g->coords);
    free(g->coord_along);
    free(g->road_bearing);
    free(g->road_arrival);
    free(g->coord_edge);
    free(g->strings);
    free(g->string_off);
    free(g->grid_first);
    free(g->grid_items);
    free(g->lm_node);
    free(g->lm_dist);
    free(g);
}

/* ---- nodes ----------------------------------------------------------------------------------- */

/* The number of rows of a one-value query (a count). */
static enum kkc_code count_rows(struct store *st, const char *sql, sqlite3_int64 *n,
                                struct kkc_err *err)
{
    sqlite3_stmt *s = NULL;
    enum kkc_code rc = store_prepare(st, sql, &s, err);
    if (rc)
        return rc;
    if (sqlite3_step(s) != SQLITE_ROW)
        rc = store_fail(st, "count road rows", err);
    else
        *n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return rc;
}

/* Read road_nodes into g->node_lonlat, indexed by road_nodes.id (reordered later). */
static enum kkc_code load_nodes(struct store *st, struct graph *g, struct kkc_err *err)
{
    sqlite3_stmt *s = NULL;
    sqlite3_int64 n = 0, i = 0;
    enum kkc_code rc = count_rows(st, "SELECT count(*) FROM road_nodes", &n, err);
    int step = SQLITE_DONE;

    if (rc)
        return rc;
    if (n >= (sqlite3_int64)UINT32_MAX / 2)
        return kkc_err_set(err, KKC_ETOOBIG, "road_nodes: %lld rows is too many", (long long)n);
    g->node_count = (uint32_t)n;
    g->node_lonlat = graph_alloc_array((size_t)n * 2, sizeof(double));
    if (!g->node_lonlat)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (road nodes)");
    rc =
        store_prepare(st, "SELECT id, ST_X(geom), ST_Y(geom) FROM road_nodes ORDER BY id", &s, err);
    while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW) {
        double lon = sqlite3_column_double(s, 1), lat = sqlite3_column_double(s, 2);
        if (i >= n || sqlite3_column_int64(s, 0) != i)
            rc = kkc_err_set(err, KKC_EINVAL, "road_nodes: ids are not dense 0..n-1 (row %lld)",
                             (long long)i);
        else if (sqlite3_column_type(s, 1) == SQLITE_NULL || !isfinite(lon) || !isfinite(lat) ||
                 fabs(lon) > 180 || fabs(lat) > 90)
            rc = kkc_err_set(err, KKC_EINVAL, "road_nodes id %lld: bad geometry", (long long)i);
        else
            g->node_lonlat[2 * i] = lon, g->node_lonlat[2 * i + 1] = lat, i++;
    }
    if (!rc && step != SQLITE_DONE)
        rc = store_fail(st, "read road_nodes", err);
    if (!rc && i != n)
        rc = kkc_err_set(err, KKC_EINVAL, "road_nodes changed while reading");
    sqlite3_finalize(s);
    return rc;
}

/* 2-D Hilbert curve index of (x, y), 16 bits each. */
static uint64_t hilbert_index(uint32_t x, uint32_t y)
{
    const uint32_t n = 1u << 16;
    uint64_t d = 0;
    for (uint32_t s = n / 2; s > 0; s /= 2) {
        uint32_t rx = (x & s) > 0, ry = (y & s) > 0;
        d += (uint64_t)s * s * ((3 * rx) ^ ry);
        if (ry == 0) {
            uint32_t t;
            if (rx == 1) {
                x = n - 1 - x;
                y = n - 1 - y;
            }
            t = x;
            x = y;
            y = t;
        }
    }
    return d;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Renumber the nodes along a Hilbert curve over their bounding box: fills node_dbid,
 * node_of_dbid and reorders node_lonlat. */
static enum kkc_code order_nodes(struct graph *g, struct kkc_err *err)
{
    uint32_t n = g->node_count;
    uint64_t *keys = graph_alloc_array(n, sizeof *keys);
    double *ll = graph_alloc_array((size_t)n * 2, sizeof *ll);
    double x0 = 180, y0 = 90, x1 = -180, y1 = -90;

    g->node_dbid = graph_alloc_array(n, sizeof(uint32_t));
    g->node_of_dbid = graph_alloc_array(n, sizeof(uint32_t));
    if (!keys || !ll || !g->node_dbid || !g->node_of_dbid) {
        free(keys);
        free(ll);
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (node order)");
    }
    for (uint32_t i = 0; i < n; i++) {
        x0 = fmin(x0, g->node_lonlat[2 * i]), x1 = fmax(x1, g->node_lonlat[2 * i]);
        y0 = fmin(y0, g->node_lonlat[2 * i + 1]), y1 = fmax(y1, g->node_lonlat[2 * i + 1]);
    }
    for (uint32_t i = 0; i < n; i++) {
        double fx = (g->node_lonlat[2 * i] - x0) / fmax(x1 - x0, 1e-9);
        double fy = (g->node_lonlat[2 * i + 1] - y0) / fmax(y1 - y0, 1e-9);
        keys[i] = hilbert_index((uint32_t)(fx * 65535.0), (uint32_t)(fy * 65535.0)) << 32 | i;
    }
    qsort(keys, n, sizeof *keys, cmp_u64);
    for (uint32_t v = 0; v < n; v++) {
        uint32_t id = (uint32_t)keys[v];
        g->node_dbid[v] = id;
        g->node_of_dbid[id] = v;
        ll[2 * v] = g->node_lonlat[2 * id];
        ll[2 * v + 1] = g->node_lonlat[2 * id + 1];
    }
    free(g->node_lonlat);
    g->node_lonlat = ll;
    free(keys);
    return KKC_OK;
}

/* ---- edges ----------------------------------------------------------------------------------- */

/* Interned strings while loading: the blob and offsets end up in the graph. */
struct interner {
    char *buf;
    size_t len, cap;
    uint32_t *off;
    uint32_t n, off_cap;
    uint32_t *slots; /* id + 1, 0 = empty */
    uint32_t nslots;
};

static uint32_t str_hash(const char *s)
{
    uint32_t h = 2166136261u;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 16777619u;
    return h;
}

/* Double the slot table and re-insert every string. Returns 0 or -1 (no memory). */
static int intern_grow(struct interner *t)
{
    uint32_t ns = t->nslots ? t->nslots * 2 : 1024;
    uint32_t *slots = calloc(ns, sizeof *slots);
    if (!slots)
        return -1;
    for (uint32_t id = 0; id < t->n; id++) {
        uint32_t j = str_hash(t->buf + t->off[id]) & (ns - 1);
        while (slots[j])
            j = (j + 1) & (ns - 1);
        slots[j] = id + 1;
    }
    free(t->slots);
    t->slots = slots;
    t->nslots = ns;
    return 0;
}

/* Append s as a new string; returns its id or GRAPH_NONE when out of memory. */
static uint32_t intern_append(struct interner *t, const char *s)
{
    size_t l = strlen(s) + 1;
    if (t->len + l > t->cap) {
        size_t cap = (t->len + l) * 2;
        char *b = realloc(t->buf, cap);
        if (!b)
            return GRAPH_NONE;
        t->buf = b, t->cap = cap;
    }
    if (t->n == t->off_cap) {
        uint32_t cap = t->off_cap ? t->off_cap * 2 : 256;
        uint32_t *o = realloc(t->off, cap * sizeof *o);
        if (!o)
            return GRAPH_NONE;
        t->off = o, t->off_cap = cap;
    }
    memcpy(t->buf + t->len, s, l);
    t->off[t->n] = (uint32_t)t->len;
    t->len += l;
    return t->n++;
}

/* The id of s (NULL and "" are 0), added when new; GRAPH_NONE when out of memory. */
static uint32_t intern(struct interner *t, const char *s)
{
    uint32_t j, id;
    if (!s || !*s)
        return 0;
    if ((t->n + 1) * 2 > t->nslots && intern_grow(t))
        return GRAPH_NONE;
    for (j = str_hash(s) & (t->nslots - 1); t->slots[j]; j = (j + 1) & (t->nslots - 1)) {
        if (strcmp(t->buf + t->off[t->slots[j] - 1], s) == 0)
            return t->slots[j] - 1;
    }
    id = intern_append(t, s);
    if (id != GRAPH_NONE)
        t->slots[j] = id + 1;
    return id;
}

static uint32_t rd_u32(const unsigned char *p, int swap)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return swap ? __builtin_bswap32(v) : v;
}

static double rd_f64(const unsigned char *p, int swap)
{
    uint64_t v;
    double d;
    memcpy(&v, p, 8);
    if (swap)
        v = __builtin_bswap64(v);
    memcpy(&d, &v, 8);
    return d;
}

/* Edge loading state: the coordinate buffer grows as rows arrive. */
struct edge_load {
    struct interner strs;
    size_t npts, cap_pts;
};

/* Append the points of a WKB LINESTRING to g->coords. Returns 0, or -1 malformed, -2 no memory. */
static int append_wkb(struct graph *g, struct edge_load *el, const unsigned char *b, int len)
{
    int swap = 0;
    uint32_t n;
    if (!b || len < 9 || (b[0] != 0 && b[0] != 1))
        return -1;
    swap = (b[0] == 1) != (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__);
    n = rd_u32(b + 5, swap);
    if (rd_u32(b + 1, swap) != 2 || n < 2 || n > EDGE_MAX_POINTS ||
        (size_t)len != 9 + 16 * (size_t)n)
        return -1;
    if (el->npts + n > el->cap_pts) {
        size_t cap = (el->npts + n) * 2;
        double *c = realloc(g->coords, cap * 2 * sizeof *c);
        if (!c)
            return -2;
        g->coords = c, el->cap_pts = cap;
    }
    for (uint32_t i = 0; i < n; i++) {
        double lon = rd_f64(b + 9 + 16 * i, swap), lat = rd_f64(b + 17 + 16 * i, swap);
        if (!isfinite(lon) || !isfinite(lat) || fabs(lon) > 180 || fabs(lat) > 90)
            return -1;
        g->coords[2 * (el->npts + i)] = lon;
        g->coords[2 * (el->npts + i) + 1] = lat;
    }
    el->npts += n;
    return 0;
}

/* Check and store the numbers of edge row i (columns 1..2 and 5..8). */
static enum kkc_code edge_numbers(struct graph *g, sqlite3_stmt *s, uint32_t i, struct kkc_err *err)
{
    sqlite3_int64 src = sqlite3_column_int64(s, 1), dst = sqlite3_column_int64(s, 2);
    double len = sqlite3_column_double(s, 5), dur = sqlite3_column_double(s, 6);
    int fw = sqlite3_column_int(s, 7) != 0, bw = sqlite3_column_int(s, 8) != 0;

    if (src < 0 || src >= g->node_count || dst < 0 || dst >= g->node_count)
        return kkc_err_set(err, KKC_EINVAL, "road_edges id %u: unknown node", i);
    if (!isfinite(len) || !isfinite(dur) || len < 0 || dur < 0 || len > 5e6 || dur > 2e6)
        return kkc_err_set(err, KKC_EINVAL, "road_edges id %u: bad length_m or duration_s", i);
    g->edge_source[i] = (uint32_t)src;
    g->edge_target[i] = (uint32_t)dst;
    g->edge_length_m[i] = len;
    g->edge_duration_s[i] = dur;
    g->edge_flags[i] = (uint8_t)((fw ? GRAPH_FORWARD : 0) | (bw ? GRAPH_BACKWARD : 0));
    g->edge_cost[i] =
        graph_cost_make((uint32_t)llround(dur * 1000.0), (uint32_t)llround(len * 10.0));
    return KKC_OK;
}

/* Store edge row i: numbers, strings, class, geometry. */
static enum kkc_code edge_row(struct graph *g, struct edge_load *el, sqlite3_stmt *s, uint32_t i,
                              struct kkc_err *err)
{
    enum kkc_code rc;
    int w;
    if (sqlite3_column_int64(s, 0) != i)
        return kkc_err_set(err, KKC_EINVAL, "road_edges: ids are not dense 0..m-1 (row %u)", i);
    rc = edge_numbers(g, s, i, err);
    if (rc)
        return rc;
    g->edge_name[i] = intern(&el->strs, (const char *)sqlite3_column_text(s, 3));
    g->edge_ref[i] = intern(&el->strs, (const char *)sqlite3_column_text(s, 4));
    if (g->edge_name[i] == GRAPH_NONE || g->edge_ref[i] == GRAPH_NONE)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (road names)");
    g->edge_class[i] = graph_class_of((const char *)sqlite3_column_text(s, 10));
    g->edge_roundabout[i] = sqlite3_column_int(s, 11) != 0;
    /* emergency directions: road_edges.emergency, or (NULL) the car's own */
    int em = sqlite3_column_type(s, 13) == SQLITE_NULL ? g->edge_flags[i] & 3
                                                       : sqlite3_column_int(s, 13) & 3;
    if (sqlite3_column_int(s, 12) >= 1) /* destination, private, ...: restricted (car.h) */
        g->edge_flags[i] |= GRAPH_RESTRICTED;
    if (sqlite3_column_int(s, 12) == 2 && g->edge_class[i] == GRAPH_CLASS_SERVICE)
        g->edge_flags[i] |= GRAPH_NO_START;
    g->edge_flags[i] |= (uint8_t)(em * GRAPH_EMERGENCY_FORWARD); /* bits 1, 2 -> 32, 64 */
    g->edge_coord_first[i] = (uint32_t)el->npts;
    w = append_wkb(g, el, sqlite3_column_blob(s, 9), sqlite3_column_bytes(s, 9));
    if (w == -2)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (road geometry)");
    if (w)
        return kkc_err_set(err, KKC_EINVAL, "road_edges id %u: geometry is not a LINESTRING", i);
    if (el->npts >= UINT32_MAX / 2)
        return kkc_err_set(err, KKC_ETOOBIG, "road_edges: too many points");
    return KKC_OK;
}

static enum kkc_code alloc_edges(struct graph *g, uint32_t m, struct kkc_err *err)
{
    g->edge_count = m;
    g->edge_source = graph_alloc_array(m, sizeof(uint32_t));
    g->edge_target = graph_alloc_array(m, sizeof(uint32_t));
    g->edge_cost = graph_alloc_array(m, sizeof(graph_cost));
    g->edge_length_m = graph_alloc_array(m, sizeof(double));
    g->edge_duration_s = graph_alloc_array(m, sizeof(double));
    g->edge_flags = graph_alloc_array(m, 1);
    g->edge_name = graph_alloc_array(m, sizeof(uint32_t));
    g->edge_ref = graph_alloc_array(m, sizeof(uint32_t));
    g->edge_class = graph_alloc_array(m, 1);
    g->edge_roundabout = graph_alloc_array(m, 1);
    g->edge_coord_first = graph_alloc_array((size_t)m + 1, sizeof(uint32_t));
    if (!g->edge_source || !g->edge_target || !g->edge_cost || !g->edge_length_m ||
        !g->edge_duration_s || !g->edge_flags || !g->edge_name || !g->edge_ref || !g->edge_class ||
        !g->edge_roundabout || !g->edge_coord_first)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (road edges)");
    return KKC_OK;
}

/* The edge query: the roundabout, restricted and emergency columns, or 0, 0, NULL for a database
 * made before they existed (bit 1, 2, 4 of has). */
static void edge_sql(sqlite3_int64 has, char *sql, size_t n)
{
    snprintf(sql, n,
             "SELECT id, source, target, name, ref, length_m, duration_s, forward, backward, "
             "AsBinary(geom), highway, %s, %s, %s FROM road_edges ORDER BY id",
             has & 1 ? "roundabout" : "0", has & 2 ? "restricted" : "0",
             has & 4 ? "emergency" : "NULL");
}

/* Read road_edges into the edge arrays (source/target still road_nodes ids). A database made
 * before road_edges.roundabout existed reads as one without roundabouts. */
static enum kkc_code load_edges(struct store *st, struct graph *g, struct kkc_err *err)
{
    struct edge_load el = {0};
    sqlite3_stmt *s = NULL;
    sqlite3_int64 m = 0, has_ring = 0;
    char sql[320];
    uint32_t i = 0;
    int step = SQLITE_DONE;
    enum kkc_code rc = count_rows(st, "SELECT count(*) FROM road_edges", &m, err);

    if (!rc && m == 0)
        rc = kkc_err_set(err, KKC_ENOTFOUND, "no road graph in the database (import with --osm)");
    if (!rc && m >= (sqlite3_int64)UINT32_MAX / 4)
        rc = kkc_err_set(err, KKC_ETOOBIG, "road_edges: %lld rows is too many", (long long)m);
    if (!rc)
        rc = alloc_edges(g, (uint32_t)m, err);
    if (!rc && intern_append(&el.strs, "") != 0) /* id 0 is "" */
        rc = kkc_err_set(err, KKC_ENOMEM, "out of memory (road names)");
    if (!rc)
        rc = count_rows(st,
                        "SELECT coalesce(sum(CASE name WHEN 'roundabout' THEN 1 "
                        "WHEN 'restricted' THEN 2 ELSE 4 END), 0) "
                        "FROM pragma_table_info('road_edges') "
                        "WHERE name IN ('roundabout', 'restricted', 'emergency')",
                        &has_ring, err);
    edge_sql(has_ring, sql, sizeof sql);
    if (!rc)
        rc = store_prepare(st, sql, &s, err);
    while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW)
        rc = i < m ? edge_row(g, &el, s, i++, err)
                   : kkc_err_set(err, KKC_EINVAL, "road_edges changed while reading");
    if (!rc && step != SQLITE_DONE)
        rc = store_fail(st, "read road_edges", err);
    if (!rc && i != m)
        rc = kkc_err_set(err, KKC_EINVAL, "road_edges changed while reading");
    if (!rc)
        g->edge_coord_first[m] = (uint32_t)el.npts;
    sqlite3_finalize(s);
    free(el.strs.slots);
    g->strings = el.strs.buf;
    g->string_off = el.strs.off;
    g->string_count = el.strs.n;
    return rc;
}

/* ---- adjacency ------------------------------------------------------------------------------- */

/* Fill first[] / arcs[] with the arcs leaving (in == 0) or entering (in == 1) each node. */
static enum kkc_code build_csr(struct graph *g, int in, struct kkc_err *err)
{
    uint32_t n = g->node_count, m = g->edge_count, narcs = 0;
    uint32_t *first = calloc((size_t)n + 2, sizeof *first);
    struct graph_arc *arcs;

    if (!first)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (adjacency)");
    for (uint32_t e = 0; e < m; e++) {
        if (g->edge_flags[e] & GRAPH_FORWARD)
            first[(in ? g->edge_target[e] : g->edge_source[e]) + 2]++, narcs++;
        if (g->edge_flags[e] & GRAPH_BACKWARD)
            first[(in ? g->edge_source[e] : g->edge_target[e]) + 2]++, narcs++;
    }
    for (uint32_t v = 0; v < n; v++)
        first[v + 2] += first[v + 1];
    arcs = graph_alloc_array(narcs, sizeof *arcs);
    if (!arcs) {
        free(first);
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (adjacency)");
    }
    for (uint32_t e = 0; e < m; e++) {
        uint32_t s = g->edge_source[e], t = g->edge_target[e];
        if (g->edge_flags[e] & GRAPH_FORWARD)
            arcs[first[(in ? t : s) + 1]++] =
                (struct graph_arc){in ? s : t, e << 1, g->edge_cost[e]};
        if (g->edge_flags[e] & GRAPH_BACKWARD)
            arcs[first[(in ? s : t) + 1]++] =
                (struct graph_arc){in ? t : s, e << 1 | 1, g->edge_cost[e]};
    }
    *(in ? &g->in_first : &g->out_first) = first;
    *(in ? &g->in : &g->out) = arcs;
    return KKC_OK;
}

/* ---- load ------------------------------------------------------------------------------------ */

/* Replace road_nodes ids in edge_source / edge_target by internal indices. */
static void remap_edges(struct graph *g)
{
    for (uint32_t e = 0; e < g->edge_count; e++) {
        g->edge_source[e] = g->node_of_dbid[g->edge_source[e]];
        g->edge_target[e] = g->node_of_dbid[g->edge_target[e]];
    }
}

/* g->turn, with the turn costs c (NULL: the store's). */
static enum kkc_code attach_turns(struct store *st, struct graph *g, const struct turn_costs *c,
                                  struct kkc_err *err)
{
    struct turn_costs own;
    if (!c) {
        enum kkc_code rc = turn_costs_load(st, &own, err);
        if (rc)
            return rc;
        c = &own;
    }
    return turn_build(st, g, c, &g->turn, err);
}

/* g->ch, its cache keyed by the store's data_version. */
static enum kkc_code attach_hierarchy(struct store *st, struct graph *g, const char *cache,
                                      struct kkc_err *err)
{
    char version[64];
    if (store_meta_get(st, "data_version", version, sizeof version, NULL))
        snprintf(version, sizeof version, "unknown");
    return road_ch_create(g, cache, version, &g->ch, err);
}

enum kkc_code graph_load_opts(struct store *st, const struct graph_options *o, struct graph **out,
                              struct kkc_err *err)
{
    struct graph *g = calloc(1, sizeof *g);
    uint32_t lm = o ? o->landmarks : GRAPH_LANDMARKS_DEFAULT;
    enum kkc_code rc;

    *out = NULL;
    if (!g)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (graph)");
    if (lm > GRAPH_LANDMARKS_MAX) {
        rc = kkc_err_set(err, KKC_EINVAL, "landmarks must be 0..%d", GRAPH_LANDMARKS_MAX);
        goto fail;
    }
    rc = load_nodes(st, g, err);
    if (!rc)
        rc = load_edges(st, g, err);
    if (!rc)
        rc = order_nodes(g, err);
    if (rc)
        goto fail;
    remap_edges(g);
    rc = build_csr(g, 0, err);
    if (!rc)
        rc = build_csr(g, 1, err);
    if (!rc)
        rc = mark_main_scc(g, err);
    if (!rc)
        rc = build_along(g, err);
    if (!rc)
        rc = build_bearings(g, err);
    if (!rc)
        rc = build_grid(g, err);
    if (!rc)
        rc = build_landmarks(g, lm, err);
    if (!rc)
        rc = attach_turns(st, g, o ? o->turns : NULL, err);
    if (!rc && o && o->hierarchy)
        rc = attach_hierarchy(st, g, o->hierarchy_cache, err);
    if (rc)
        goto fail;
    *out = g;
    return KKC_OK;
fail:
    graph_destroy(g);
    return rc;
}

enum kkc_code graph_load(struct store *st, struct graph **out, struct kkc_err *err)
{
    return graph_load_opts(st, NULL, out, err);
}

enum kkc_code graph_remark_snappable(struct graph *g, struct kkc_err *err)
{
    for (uint32_t e = 0; e < g->edge_count; e++)
        g->edge_flags[e] &= (uint8_t)~GRAPH_SNAPPABLE;
    return mark_main_scc(g, err);
}
