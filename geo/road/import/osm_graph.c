/* geo/road/import/osm_graph.c -- the graph build of an OSM import (junctions, barriers, signals,
 * dense ids) and the write of road_nodes and road_edges (contract in osm_import.h). */
#include "road/import/osm_imp.h"

#include <spatialite/gaiageo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The graph build                                                                             */

static int node_cmp(const void *a, const void *b)
{
    long long x = ((const struct onode *)a)->id, y = ((const struct onode *)b)->id;
    return (x > y) - (x < y);
}

/* Sort the nodes by id (when they did not arrive sorted) and drop repeated ids (reported). */
static void nodes_sort(struct imp *im)
{
    size_t j = 0;
    if (im->unsorted)
        qsort(im->nodes, im->nnodes, sizeof *im->nodes, node_cmp);
    for (size_t i = 0; i < im->nnodes; i++) {
        if (j > 0 && im->nodes[j - 1].id == im->nodes[i].id) {
            osm_imp_report(im, im->nodes[i].id, "node %lld: repeated id, one kept", im->nodes[i].id);
            continue;
        }
        im->nodes[j++] = im->nodes[i];
    }
    im->nnodes = j;
}

/* Index in nodes of the node with this id, or NO_NODE. */
uint32_t node_find(const struct imp *im, long long id)
{
    size_t lo = 0, hi = im->nnodes;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (im->nodes[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < im->nnodes && im->nodes[lo].id == id ? (uint32_t)lo : NO_NODE;
}

/* Resolve the refs of road way w into idx[w->first ..] in place: consecutive repeats collapse
 * to one entry, and each run of missing refs to one NO_NODE (a cut). w->n becomes the number of
 * entries. Missing and repeated refs are reported. */
static void way_resolve(struct imp *im, struct oway *w)
{
    uint32_t out = 0, missing = 0, repeated = 0;
    long long first_missing = 0;

    for (uint32_t k = 0; k < w->n; k++) {
        long long ref = im->refs[w->first + k];
        uint32_t x = node_find(im, ref);
        if (x == NO_NODE && missing++ == 0)
            first_missing = ref;
        if (out > 0 && im->idx[w->first + out - 1] == x) {
            repeated += x != NO_NODE;
            continue;
        }
        im->idx[w->first + out++] = x;
    }
    if (missing)
        osm_imp_report(im, w->id, "way %lld: %u of %u node refs missing (first %lld), cut there", w->id,
                   missing, w->n, first_missing);
    if (repeated)
        osm_imp_report(im, w->id, "way %lld: %u consecutive repeated node ref(s) collapsed", w->id,
                   repeated);
    w->n = out;
}

/* The next piece of way w at or after idx[*pos]: a run [*s, *e) of at least 2 resolved nodes.
 * Returns 0 when none is left. Start with *pos = w->first. */
int way_piece(const struct imp *im, const struct oway *w, size_t *pos, size_t *s, size_t *e)
{
    size_t i = *pos, end = w->first + w->n;
    while (i < end) {
        while (i < end && im->idx[i] == NO_NODE)
            i++;
        size_t a = i;
        while (i < end && im->idx[i] != NO_NODE)
            i++;
        if (i - a >= 2) {
            *s = a, *e = i, *pos = i;
            return 1;
        }
    }
    *pos = end;
    return 0;
}

static int special_cmp(const void *a, const void *b)
{
    long long x = ((const struct ospecial *)a)->id, y = ((const struct ospecial *)b)->id;
    return (x > y) - (x < y);
}

/* Per node flags (CAR_NODE_*) from the special nodes of the read. */
static void mark_specials(struct imp *im)
{
    if (im->nspecials)
        qsort(im->specials, im->nspecials, sizeof *im->specials, special_cmp);
    for (size_t i = 0; i < im->nspecials; i++) {
        uint32_t x = node_find(im, im->specials[i].id);
        if (x != NO_NODE)
            im->nflag[x] |= (uint8_t)im->specials[i].flags;
    }
}

/* Count node uses: ends of pieces, nodes used twice or more, and the barrier and signal nodes
 * of the roads become graph nodes (deg 2). */
static void mark_junctions(struct imp *im)
{
    for (size_t i = 0; i < im->nways; i++) {
        const struct oway *w = &im->ways[i];
        size_t pos = w->first, s, e;
        while (way_piece(im, w, &pos, &s, &e)) {
            im->deg[im->idx[s]] = im->deg[im->idx[e - 1]] = 2;
            for (size_t k = s + 1; k + 1 < e; k++)
                if (im->deg[im->idx[k]] < 2)
                    im->deg[im->idx[k]] = im->nflag[im->idx[k]] ? 2 : im->deg[im->idx[k]] + 1;
        }
    }
}

/* Split would-be self-loops (an edge from a node back to itself) at their middle point, which
 * is used by this way only, so the change is local. */
static void split_loops(struct imp *im)
{
    for (size_t i = 0; i < im->nways; i++) {
        const struct oway *w = &im->ways[i];
        size_t pos = w->first, s, e;
        while (way_piece(im, w, &pos, &s, &e)) {
            size_t a = s;
            for (size_t k = s + 1; k < e; k++) {
                if (im->deg[im->idx[k]] < 2)
                    continue;
                if (im->idx[k] == im->idx[a] && k - a >= 2)
                    im->deg[im->idx[a + (k - a) / 2]] = 2;
                a = k;
            }
        }
    }
}

/* Sort nodes, resolve refs, mark and number the graph nodes (ids in node id order; a barrier
 * node gets one id per edge end at the write, so nothing passes it). */
enum kkc_code graph_build(struct imp *im)
{
    nodes_sort(im);
    im->idx = malloc((im->nrefs ? im->nrefs : 1) * sizeof *im->idx);
    im->deg = calloc(im->nnodes ? im->nnodes : 1, 1);
    im->gid = malloc((im->nnodes ? im->nnodes : 1) * sizeof *im->gid);
    im->nflag = calloc(im->nnodes ? im->nnodes : 1, 1);
    if (!im->idx || !im->deg || !im->gid || !im->nflag)
        return kkc_err_set(im->err, KKC_ENOMEM, "%s: out of memory for the graph", im->o->path);
    for (size_t i = 0; i < im->nways; i++)
        way_resolve(im, &im->ways[i]);
    mark_specials(im);
    mark_junctions(im);
    split_loops(im);
    for (size_t i = 0; i < im->nnodes; i++)
        im->gid[i] = im->deg[i] != 2                   ? NO_NODE
                     : im->nflag[i] & CAR_NODE_BARRIER ? BARRIER_NODE
                                                       : im->ngid++;
    return KKC_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* The write                                                                                   */

#define NODE_SQL "INSERT INTO road_nodes (id, osm_id, geom) VALUES (?, ?, MakePoint(?, ?, 4326))"

struct edge_out {          /* the write of one way's edges */
    sqlite3_stmt *es, *ns; /* road_edges, road_nodes inserts */
    const struct oway *w;
    sqlite3_int64 src, dst;
    unsigned char *blob;
    int size;
    double len;
};

/* Geodesic distance in metres between two nodes. */
static double seg_length(const struct imp *im, const struct onode *p, const struct onode *q)
{
    double s12 = 0;
    geod_inverse(&im->geod, p->lat / E7, p->lon / E7, q->lat / E7, q->lon / E7, &s12, NULL, NULL);
    return s12;
}

/* Insert every graph node into road_nodes. */
enum kkc_code write_nodes(struct imp *im, struct store *st)
{
    sqlite3_stmt *s = NULL;
    enum kkc_code rc = store_prepare(st, NODE_SQL, &s, im->err);

    for (size_t i = 0; !rc && i < im->nnodes; i++) {
        if (im->gid[i] >= BARRIER_NODE)
            continue;
        sqlite3_bind_int64(s, 1, im->gid[i]);
        sqlite3_bind_int64(s, 2, im->nodes[i].id);
        sqlite3_bind_double(s, 3, im->nodes[i].lon / E7);
        sqlite3_bind_double(s, 4, im->nodes[i].lat / E7);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = store_fail(st, "insert road node", im->err);
        sqlite3_reset(s);
        im->st.road_nodes++;
    }
    sqlite3_finalize(s);
    return rc;
}

/* The LINESTRING through idx[a..b] as a SpatiaLite blob (*blob the caller's to free()) and its
 * geodesic length. Returns KKC_OK or KKC_ENOMEM. */
static enum kkc_code edge_geometry(struct imp *im, size_t a, size_t b, unsigned char **blob,
                                   int *size, double *len)
{
    gaiaGeomCollPtr g = gaiaAllocGeomColl();
    gaiaLinestringPtr ln = g ? gaiaAddLinestringToGeomColl(g, (int)(b - a + 1)) : NULL;

    *blob = NULL;
    *len = 0;
    if (ln) {
        g->Srid = 4326;
        g->DeclaredType = GAIA_LINESTRING;
        for (size_t k = a; k <= b; k++) {
            const struct onode *p = &im->nodes[im->idx[k]];
            gaiaSetPoint(ln->Coords, (int)(k - a), p->lon / E7, p->lat / E7);
            if (k > a)
                *len += seg_length(im, &im->nodes[im->idx[k - 1]], p);
        }
        gaiaMbrGeometry(g);
        gaiaToSpatiaLiteBlobWkb(g, blob, size);
    }
    if (g)
        gaiaFreeGeomColl(g);
    if (!*blob)
        return kkc_err_set(im->err, KKC_ENOMEM, "out of memory for an edge geometry");
    return KKC_OK;
}

/* Bind a string of the string store (or NULL) to parameter i. */
static void bind_str(const struct imp *im, sqlite3_stmt *s, int i, uint32_t off)
{
    if (off == NO_STR)
        sqlite3_bind_null(s, i);
    else
        sqlite3_bind_text(s, i, im->strs + off, -1, SQLITE_STATIC);
}

/* The road_nodes id of the edge end at idx[k]: its graph node, or for a barrier a new copy of
 * its own (inserted now with statement ns), so that no route passes the barrier (the copies of
 * one that emergency vehicles pass are joined by emergency-only edges, write_passages). */
static enum kkc_code end_id(struct imp *im, struct store *st, sqlite3_stmt *ns, size_t k,
                            sqlite3_int64 *id)
{
    const struct onode *p = &im->nodes[im->idx[k]];
    enum kkc_code rc = KKC_OK;
    if (im->gid[im->idx[k]] != BARRIER_NODE) {
        *id = im->gid[im->idx[k]];
        return KKC_OK;
    }
    *id = im->ngid++;
    if (im->nflag[im->idx[k]] & CAR_NODE_EMERGENCY) { /* remembered for its passage */
        struct oebar *q = osm_imp_grow(im, im->ebar, &im->capebar, im->nebar, sizeof *q,
                                       (size_t)OSM_IMPORT_MAX_NODES, "emergency barriers");
        if (!q)
            return im->rc;
        im->ebar = q;
        q[im->nebar++] = (struct oebar){im->idx[k], (uint32_t)*id};
    }
    sqlite3_bind_int64(ns, 1, *id);
    sqlite3_bind_int64(ns, 2, p->id);
    sqlite3_bind_double(ns, 3, p->lon / E7);
    sqlite3_bind_double(ns, 4, p->lat / E7);
    if (sqlite3_step(ns) != SQLITE_DONE)
        rc = store_fail(st, "insert road node", im->err);
    sqlite3_reset(ns);
    im->st.road_nodes++;
    return rc;
}

/* One road_edges row: way w from node ids src to dst, the car's directions fw/bw, the emergency
 * vehicles' em (1 source -> target, 2 target -> source), duration dur, access restriction level
 * res (car.h), geometry blob (copied). */
static enum kkc_code edge_row(struct imp *im, struct store *st, const struct edge_out *eo, int fw,
                              int bw, int em, double dur, int res)
{
    sqlite3_stmt *s = eo->es;
    const struct oway *w = eo->w;
    enum kkc_code rc = KKC_OK;

    sqlite3_bind_int64(s, 1, im->st.road_edges);
    sqlite3_bind_int64(s, 2, eo->src);
    sqlite3_bind_int64(s, 3, eo->dst);
    sqlite3_bind_int64(s, 4, w->id);
    sqlite3_bind_text(s, 5, im->prof.cls[w->car.cls].name, -1, SQLITE_STATIC);
    bind_str(im, s, 6, w->name);
    bind_str(im, s, 7, w->ref);
    sqlite3_bind_double(s, 8, eo->len);
    sqlite3_bind_double(s, 9, dur);
    sqlite3_bind_int(s, 10, fw);
    sqlite3_bind_int(s, 11, bw);
    sqlite3_bind_blob(s, 12, eo->blob, eo->size, SQLITE_STATIC);
    sqlite3_bind_int(s, 13, w->car.roundabout);
    sqlite3_bind_int(s, 14, res);
    sqlite3_bind_int(s, 15, em);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = store_fail(st, "insert road edge", im->err);
    sqlite3_reset(s);
    im->st.road_edges++;
    return rc;
}

/* Duration in s of length len of way w at speed kmh (a ferry's duration shared by length). */
static double way_duration(const struct oway *w, double len, double kmh)
{
    if (w->car.duration_s > 0)
        return w->len_m > 0 ? w->car.duration_s * len / w->len_m : w->car.duration_s;
    return len / (kmh / 3.6);
}

/* Insert the edge of way w through idx[a..b]: one row, or one per direction when their speed
 * or access restriction differ. */
static enum kkc_code edge_write(struct imp *im, struct store *st, struct edge_out *eo, size_t a,
                                size_t b)
{
    const struct car_way *c = &eo->w->car;
    enum kkc_code rc = edge_geometry(im, a, b, &eo->blob, &eo->size, &eo->len);

    if (!rc)
        rc = end_id(im, st, eo->ns, a, &eo->src);
    if (!rc)
        rc = end_id(im, st, eo->ns, b, &eo->dst);
    if (!rc && eo->len == 0)
        osm_imp_report(im, eo->w->id, "way %lld: zero-length edge between nodes %lld and %lld",
                   eo->w->id, im->nodes[im->idx[a]].id, im->nodes[im->idx[b]].id);
    int any_f = c->forward || c->emergency_fwd, any_b = c->backward || c->emergency_bwd;
    int split =
        any_f && any_b && (c->kmh_fwd != c->kmh_bwd || c->restricted_fwd != c->restricted_bwd);
    double df = way_duration(eo->w, eo->len, c->kmh_fwd),
           db = way_duration(eo->w, eo->len, c->kmh_bwd);
    if (!rc && split) {
        rc = edge_row(im, st, eo, c->forward, 0, c->emergency_fwd, df, c->restricted_fwd);
        if (!rc)
            rc = edge_row(im, st, eo, 0, c->backward, c->emergency_bwd ? 2 : 0, db,
                          c->restricted_bwd);
    } else if (!rc) {
        rc = edge_row(im, st, eo, c->forward, c->backward,
                      c->emergency_fwd | (c->emergency_bwd ? 2 : 0), any_f ? df : db,
                      c->forward ? c->restricted_fwd : c->restricted_bwd);
    }
    free(eo->blob);
    eo->blob = NULL;
    im->st.length_km += eo->len / 1000;
    return rc;
}

/* Length in m of all pieces of way w (for a duration shared by length). */
static double way_length(const struct imp *im, const struct oway *w)
{
    size_t pos = w->first, a, e;
    double len = 0;
    while (way_piece(im, w, &pos, &a, &e))
        for (size_t k = a + 1; k < e; k++)
            len += seg_length(im, &im->nodes[im->idx[k - 1]], &im->nodes[im->idx[k]]);
    return len;
}

/* Insert the edges of road way w: one per stretch between consecutive graph nodes. */
static enum kkc_code way_write(struct imp *im, struct store *st, struct edge_out *eo,
                               struct oway *w)
{
    size_t pos = w->first, a, e;
    long edges = 0;
    enum kkc_code rc = KKC_OK;

    eo->w = w;
    if (w->car.duration_s > 0)
        w->len_m = way_length(im, w);
    while (!rc && way_piece(im, w, &pos, &a, &e)) {
        for (size_t k = a + 1; !rc && k < e; k++) {
            if (im->gid[im->idx[k]] == NO_NODE)
                continue;
            rc = edge_write(im, st, eo, a, k);
            a = k;
            edges++;
        }
    }
    if (!rc && edges == 0)
        osm_imp_report(im, w->id, "way %lld: no segment with two known nodes, skipped", w->id);
    im->st.ways_kept += edges > 0 && (w->car.forward || w->car.backward);
    return rc;
}

static int ebar_cmp(const void *a, const void *b)
{
    const struct oebar *x = a, *y = b;
    return x->node != y->node ? (x->node > y->node) - (x->node < y->node)
                              : (x->id > y->id) - (x->id < y->id);
}

/* A LINESTRING of two copies of node x (a passage has no length) into eo->blob. */
static enum kkc_code point_pair(struct imp *im, uint32_t x, struct edge_out *eo)
{
    gaiaGeomCollPtr g = gaiaAllocGeomColl();
    gaiaLinestringPtr ln = g ? gaiaAddLinestringToGeomColl(g, 2) : NULL;
    eo->blob = NULL, eo->len = 0;
    if (ln) {
        g->Srid = 4326;
        g->DeclaredType = GAIA_LINESTRING;
        for (int k = 0; k < 2; k++)
            gaiaSetPoint(ln->Coords, k, im->nodes[x].lon / E7, im->nodes[x].lat / E7);
        gaiaMbrGeometry(g);
        gaiaToSpatiaLiteBlobWkb(g, &eo->blob, &eo->size);
    }
    if (g)
        gaiaFreeGeomColl(g);
    return eo->blob ? KKC_OK : kkc_err_set(im->err, KKC_ENOMEM, "out of memory for a passage");
}

/* The passages of the barriers emergency vehicles pass (car.h, CAR_NODE_EMERGENCY): between every
 * two road node copies of one such barrier an edge of length 0 and duration 0, closed to cars
 * (forward = backward = 0), open both ways to emergency vehicles (emergency = 3), osm_way_id
 * minus the barrier node's OSM id, highway "service". */
static enum kkc_code write_passages(struct imp *im, struct store *st, struct edge_out *eo)
{
    struct oway pw = {.name = NO_STR, .ref = NO_STR};
    enum kkc_code rc = KKC_OK;
    int cls = profile_find(&im->prof, "service");
    pw.car.cls = cls >= 0 ? cls : 0;
    if (im->nebar)
        qsort(im->ebar, im->nebar, sizeof *im->ebar, ebar_cmp);
    eo->w = &pw;
    for (size_t i = 0; !rc && i < im->nebar; i++) {
        for (size_t j = i + 1; !rc && j < im->nebar && im->ebar[j].node == im->ebar[i].node; j++) {
            pw.id = -im->nodes[im->ebar[i].node].id;
            eo->src = im->ebar[i].id, eo->dst = im->ebar[j].id;
            rc = point_pair(im, im->ebar[i].node, eo);
            if (!rc)
                rc = edge_row(im, st, eo, 0, 0, 3, 0, 0);
            free(eo->blob);
            eo->blob = NULL;
            im->st.emergency_passages++;
        }
    }
    return rc;
}

/* Insert every edge into road_edges (and the barrier copies into road_nodes). */
enum kkc_code write_edges(struct imp *im, struct store *st)
{
    struct edge_out eo = {0};
    enum kkc_code rc = store_prepare(
        st,
        "INSERT INTO road_edges (id, source, target, osm_way_id, highway, name, ref, length_m, "
        "duration_s, forward, backward, geom, roundabout, restricted, emergency) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        &eo.es, im->err);
    if (!rc)
        rc = store_prepare(st, NODE_SQL, &eo.ns, im->err);
    for (size_t i = 0; !rc && i < im->nways; i++)
        rc = way_write(im, st, &eo, &im->ways[i]);
    if (!rc)
        rc = write_passages(im, st, &eo);
    sqlite3_finalize(eo.es);
    sqlite3_finalize(eo.ns);
    return rc;
}
