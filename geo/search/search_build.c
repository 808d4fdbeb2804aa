/* geo/search/search_build.c -- the import side of the search (contract in search.h): fills
 * search_items from municipalities, road_edges and the OSM file, then rebuilds search_fts.
 *
 * Streets: the named road_edges grouped by name, and within a name by shared nodes (union-find),
 * so that "Hauptstraße" of two villages stays two rows (runs whose edge middles are within ~450 m
 * are joined: a street cut by a square or a gap in the data is still one); each row sits at the
 * middle of the longest edge of its run. OSM: one readosm pass keeps every node position (for the
 * centroids of address ways), place=* nodes with a name and addr:housenumber /
 * addr:conscriptionnumber nodes and ways. */
#include "search/search.h"

#include "base/store.h"

#include <readosm.h>
#include <sqlite3.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NODES_MAX 50000000L  /* node positions kept for address ways */
#define NAME_MAX_B 240       /* bytes of a stored name */
#define MERGE_DEG 0.004      /* edges of one name with middles this close (~450 m) are one street */
#define MERGE_EDGES_MAX 4000 /* names with more edges are merged by shared nodes only */

/* ---------------------------------------------------------------- SQL helpers ------------- */

/* search_key(text): search_key() as an SQL function. */
static void sql_search_key(sqlite3_context *c, int argc, sqlite3_value **v)
{
    const unsigned char *s = sqlite3_value_text(v[0]);
    char key[NAME_MAX_B + 16];
    (void)argc;
    if (!s) {
        sqlite3_result_null(c);
        return;
    }
    search_key((const char *)s, key, sizeof key);
    sqlite3_result_text(c, key, -1, SQLITE_TRANSIENT);
}

static const char insert_sql[] =
    "INSERT INTO search_items (kind, name, name_key, municipality, population, source, geom)"
    " VALUES (?1, ?2, search_key(?2), ?3, ?4, ?5, MakePoint(?6, ?7, 4326))";

/* One row through the prepared insert_sql statement ins; population < 0 is NULL. */
static enum kkc_code item_insert(struct store *st, sqlite3_stmt *ins, const char *kind,
                                 const char *name, const char *muni, long long population,
                                 const char *source, double lon, double lat, struct kkc_err *err)
{
    sqlite3_reset(ins);
    sqlite3_bind_text(ins, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 2, name, -1, SQLITE_TRANSIENT);
    if (muni)
        sqlite3_bind_text(ins, 3, muni, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(ins, 3);
    if (population >= 0)
        sqlite3_bind_int64(ins, 4, population);
    else
        sqlite3_bind_null(ins, 4);
    sqlite3_bind_text(ins, 5, source, -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(ins, 6, lon);
    sqlite3_bind_double(ins, 7, lat);
    if (sqlite3_step(ins) != SQLITE_DONE)
        return store_fail(st, "search_items", err);
    return KKC_OK;
}

/* ---------------------------------------------------------------- streets ----------------- */

struct sedge {
    long long id, a, b; /* road_edges id, source, target */
    double len, lon, lat;
    int parent;
};
struct send {
    long long node;
    int edge;
};

static int uf_find(struct sedge *e, int i)
{
    while (e[i].parent != i)
        i = e[i].parent = e[e[i].parent].parent;
    return i;
}

static int send_cmp(const void *x, const void *y)
{
    const struct send *a = x, *b = y;
    return (a->node > b->node) - (a->node < b->node);
}

/* The n edges of one name e[] into rows, one per run of edges that share nodes. */
static enum kkc_code streets_flush(struct store *st, sqlite3_stmt *ins, const char *name,
                                   struct sedge *e, int n, struct send *ends, long *rows,
                                   struct kkc_err *err)
{
    char src[32];
    enum kkc_code rc = KKC_OK;

    for (int i = 0; i < n; i++) {
        e[i].parent = i;
        ends[2 * i] = (struct send){e[i].a, i};
        ends[2 * i + 1] = (struct send){e[i].b, i};
    }
    qsort(ends, (size_t)n * 2, sizeof *ends, send_cmp);
    for (int i = 1; i < 2 * n; i++)
        if (ends[i].node == ends[i - 1].node)
            e[uf_find(e, ends[i].edge)].parent = uf_find(e, ends[i - 1].edge);
    for (int i = 0; i < n && n <= MERGE_EDGES_MAX; i++) /* runs split by a gap stay one street */
        for (int j = i + 1; j < n; j++)
            if (fabs(e[i].lat - e[j].lat) < MERGE_DEG &&
                fabs(e[i].lon - e[j].lon) < MERGE_DEG * 1.6)
                e[uf_find(e, j)].parent = uf_find(e, i);
    for (int r = 0; r < n && !rc; r++) {
        int best = -1;
        if (uf_find(e, r) != r)
            continue;
        for (int i = 0; i < n; i++)
            if (uf_find(e, i) == r && (best < 0 || e[i].len > e[best].len))
                best = i;
        snprintf(src, sizeof src, "e%lld", e[best].id);
        rc = item_insert(st, ins, "street", name, NULL, -1, src, e[best].lon, e[best].lat, err);
        (*rows)++;
    }
    return rc;
}

/* Named road_edges into street rows. */
static enum kkc_code streets_build(struct store *st, sqlite3_stmt *ins, long *rows,
                                   struct kkc_err *err)
{
    static const char sql[] =
        "SELECT name, id, source, target, length_m, X(p), Y(p) FROM (SELECT name, id, source,"
        " target, length_m, ST_Line_Interpolate_Point(geom, 0.5) AS p FROM road_edges"
        " WHERE name IS NOT NULL AND name <> '' AND length(CAST(name AS BLOB)) <= 240)"
        " ORDER BY name, id";
    sqlite3_stmt *q = NULL;
    struct sedge *e = NULL;
    struct send *ends = NULL;
    char name[NAME_MAX_B + 1] = "";
    int n = 0, cap = 0, step = SQLITE_DONE;
    enum kkc_code rc = store_prepare(st, sql, &q, err);

    while (!rc && (step = sqlite3_step(q)) == SQLITE_ROW) {
        const char *nm = (const char *)sqlite3_column_text(q, 0);
        if (n && strncmp(nm, name, NAME_MAX_B) != 0) {
            rc = streets_flush(st, ins, name, e, n, ends, rows, err);
            n = 0;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            struct sedge *e2 = realloc(e, (size_t)cap * sizeof *e);
            struct send *n2 = e2 ? realloc(ends, (size_t)cap * 2 * sizeof *ends) : NULL;
            e = e2 ? e2 : e;
            ends = n2 ? n2 : ends;
            if (!n2) {
                rc = kkc_err_set(err, KKC_ENOMEM, "out of memory for street edges");
                break;
            }
        }
        snprintf(name, sizeof name, "%s", nm);
        e[n++] = (struct sedge){sqlite3_column_int64(q, 1),
                                sqlite3_column_int64(q, 2),
                                sqlite3_column_int64(q, 3),
                                sqlite3_column_double(q, 4),
                                sqlite3_column_double(q, 5),
                                sqlite3_column_double(q, 6),
                                0};
    }
    if (!rc && step != SQLITE_DONE)
        rc = store_fail(st, "road_edges names", err);
    if (!rc && n)
        rc = streets_flush(st, ins, name, e, n, ends, rows, err);
    sqlite3_finalize(q);
    free(e);
    free(ends);
    return rc;
}

/* ---------------------------------------------------------------- OSM places, addresses --- */

struct snode {
    long long id;
    double lon, lat;
};

/* One OSM pass. */
struct sosm {
    struct store *st;
    sqlite3_stmt *ins;
    const struct search_build_opts *o;
    struct search_build_stats *stats;
    struct kkc_err *err;
    enum kkc_code rc;
    struct snode *nodes;
    size_t nnodes, cap;
    int unsorted, sorted;
};

static const char *tag(const readosm_tag *t, int n, const char *key)
{
    for (int i = 0; i < n; i++)
        if (strcmp(t[i].key, key) == 0)
            return t[i].value;
    return NULL;
}

static void osm_reject(struct sosm *s, long long id, const char *why)
{
    s->stats->rejected++;
    if (s->o->report)
        s->o->report(s->o->report_ud, s->o->osm_path, (long)id, why);
}

/* The label of an address: "Street 12", "Street 123/12" (conscription/street number), or the
 * addr:place instead of the street; 0 when the tags do not make one. */
static int address_label(const readosm_tag *t, int n, char *out, size_t cap)
{
    const char *street = tag(t, n, "addr:street"), *num = tag(t, n, "addr:housenumber");
    const char *cons = tag(t, n, "addr:conscriptionnumber"), *sn = tag(t, n, "addr:streetnumber");
    if (!street)
        street = tag(t, n, "addr:place");
    if (!num && cons && sn)
        return snprintf(out, cap, "%s %s/%s", street ? street : "", cons, sn) > 0 && street;
    if (!num)
        num = cons;
    if (!street || !num)
        return 0;
    return snprintf(out, cap, "%s %s", street, num) < (int)cap;
}

/* A place=* or addr:* feature at lon,lat into a row (kind c 'n' node or 'w' way). */
static void feature_add(struct sosm *s, char c, long long id, const readosm_tag *t, int n,
                        double lon, double lat)
{
    const char *place = tag(t, n, "place"), *name = tag(t, n, "name");
    const char *pop = tag(t, n, "population");
    char label[NAME_MAX_B + 1], src[32];

    snprintf(src, sizeof src, "%c%lld", c, id);
    if (place && name && c == 'n' && strlen(name) <= NAME_MAX_B) {
        long long p = pop ? strtoll(pop, NULL, 10) : -1;
        s->rc = item_insert(s->st, s->ins, "place", name, tag(t, n, "addr:city"), p > 0 ? p : -1,
                            src, lon, lat, s->err);
        s->stats->places++;
    }
    if (!s->rc && (tag(t, n, "addr:housenumber") || tag(t, n, "addr:conscriptionnumber"))) {
        if (!address_label(t, n, label, sizeof label)) {
            osm_reject(s, id, "address without addr:street or addr:place, or too long: skipped");
            return;
        }
        s->rc = item_insert(s->st, s->ins, "address", label, tag(t, n, "addr:city"), -1, src, lon,
                            lat, s->err);
        s->stats->addresses++;
    }
}

static int on_node(const void *ud, const readosm_node *nd)
{
    struct sosm *s = (struct sosm *)ud;
    if (s->nnodes == s->cap) {
        size_t c = s->cap ? s->cap * 2 : 65536;
        struct snode *p = c <= (size_t)NODES_MAX ? realloc(s->nodes, c * sizeof *p) : NULL;
        if (!p) {
            s->rc = kkc_err_set(s->err, KKC_ENOMEM, "out of memory for %zu node positions", c);
            return READOSM_ABORT;
        }
        s->nodes = p, s->cap = c;
    }
    if (s->nnodes && nd->id <= s->nodes[s->nnodes - 1].id)
        s->unsorted = 1;
    s->nodes[s->nnodes++] = (struct snode){nd->id, nd->longitude, nd->latitude};
    if (nd->tag_count > 0)
        feature_add(s, 'n', nd->id, nd->tags, nd->tag_count, nd->longitude, nd->latitude);
    return s->rc ? READOSM_ABORT : READOSM_OK;
}

static int snode_cmp(const void *x, const void *y)
{
    const struct snode *a = x, *b = y;
    return (a->id > b->id) - (a->id < b->id);
}

/* The mean of the known positions of w's nodes (the closing node once); 0 when none is known. */
static int way_centre(struct sosm *s, const readosm_way *w, double *lon, double *lat)
{
    int n = 0, last = w->node_ref_count;
    double x = 0, y = 0;

    if (!s->sorted && s->unsorted)
        qsort(s->nodes, s->nnodes, sizeof *s->nodes, snode_cmp);
    s->sorted = 1;
    if (last > 1 && w->node_refs[0] == w->node_refs[last - 1])
        last--;
    for (int i = 0; i < last; i++) {
        struct snode key = {.id = w->node_refs[i]};
        struct snode *p = bsearch(&key, s->nodes, s->nnodes, sizeof key, snode_cmp);
        if (p)
            x += p->lon, y += p->lat, n++;
    }
    if (!n)
        return 0;
    *lon = x / n, *lat = y / n;
    return 1;
}

static int on_way(const void *ud, const readosm_way *w)
{
    struct sosm *s = (struct sosm *)ud;
    double lon, lat;

    if (!tag(w->tags, w->tag_count, "addr:housenumber") &&
        !tag(w->tags, w->tag_count, "addr:conscriptionnumber"))
        return READOSM_OK;
    if (!way_centre(s, w, &lon, &lat)) {
        osm_reject(s, w->id, "address way with no node in the file: skipped");
        return READOSM_OK;
    }
    feature_add(s, 'w', w->id, w->tags, w->tag_count, lon, lat);
    return s->rc ? READOSM_ABORT : READOSM_OK;
}

/* The places and addresses of o->osm_path (.osm or .osm.pbf; a .bz2 is reported and skipped). */
static enum kkc_code osm_build(struct store *st, sqlite3_stmt *ins,
                               const struct search_build_opts *o, struct search_build_stats *stats,
                               struct kkc_err *err)
{
    struct sosm s = {.st = st, .ins = ins, .o = o, .stats = stats, .err = err};
    const void *h = NULL;
    size_t len = strlen(o->osm_path);
    int r;

    if (len > 4 && strcmp(o->osm_path + len - 4, ".bz2") == 0) {
        osm_reject(&s, 0, "places and addresses are not read from a .bz2 file");
        return KKC_OK;
    }
    if (readosm_open(o->osm_path, &h) != READOSM_OK) {
        readosm_close(h);
        return kkc_err_set(err, KKC_EIO, "%s: cannot open for the search index", o->osm_path);
    }
    r = readosm_parse(h, &s, on_node, on_way, NULL);
    readosm_close(h);
    free(s.nodes);
    if (s.rc)
        return s.rc;
    if (r != READOSM_OK)
        return kkc_err_set(err, KKC_EINVAL, "%s: readosm error %d in the search pass", o->osm_path,
                           r);
    return KKC_OK;
}

/* ---------------------------------------------------------------- entry point ------------- */

/* The municipality rows, then the nearest municipality (within 20 km) of the rows without one,
 * then the FTS index. */
static const char munis_sql[] =
    "INSERT INTO search_items (kind, name, name_key, municipality, municipality_code,"
    " population, source, geom) SELECT 'municipality', name, search_key(name), name, code,"
    " population, code, geom FROM municipalities";
static const char nearest_sql[] =
    "SELECT name, code FROM municipalities WHERE ROWID IN (SELECT ROWID FROM SpatialIndex"
    " WHERE f_table_name = 'municipalities' AND search_frame = BuildMbr(?1 - 0.3, ?2 - 0.2,"
    " ?1 + 0.3, ?2 + 0.2, 4326)) AND ST_Distance(geom, MakePoint(?1, ?2, 4326), 1) <= 20000"
    " ORDER BY ST_Distance(geom, MakePoint(?1, ?2, 4326), 1) LIMIT 1";

/* Outside the municipalities' reach: the town of the nearest address within 1 km that has one
 * (addr:city), so that the Hauptstraße of two German villages can be told apart. */
static const char city_sql[] =
    "SELECT municipality, NULL FROM search_items WHERE kind = 'address' AND municipality IS NOT"
    " NULL AND ROWID IN (SELECT ROWID FROM SpatialIndex WHERE f_table_name = 'search_items'"
    " AND search_frame = BuildMbr(?1 - 0.015, ?2 - 0.01, ?1 + 0.015, ?2 + 0.01, 4326))"
    " AND ST_Distance(geom, MakePoint(?1, ?2, 4326), 1) <= 1000"
    " ORDER BY ST_Distance(geom, MakePoint(?1, ?2, 4326), 1) LIMIT 1";

/* The nearest municipality for the row of statement rows (id, lon, lat) through find and set. */
static enum kkc_code nearest_one(struct store *st, sqlite3_stmt *rows, sqlite3_stmt *find,
                                 sqlite3_stmt *set, struct kkc_err *err)
{
    int step;
    sqlite3_reset(find);
    sqlite3_bind_double(find, 1, sqlite3_column_double(rows, 1));
    sqlite3_bind_double(find, 2, sqlite3_column_double(rows, 2));
    step = sqlite3_step(find);
    if (step == SQLITE_DONE)
        return KKC_OK;
    if (step != SQLITE_ROW)
        return store_fail(st, "nearest municipality", err);
    sqlite3_reset(set);
    sqlite3_bind_value(set, 1, sqlite3_column_value(find, 0));
    sqlite3_bind_value(set, 2, sqlite3_column_value(find, 1));
    sqlite3_bind_int64(set, 3, sqlite3_column_int64(rows, 0));
    if (sqlite3_step(set) != SQLITE_DONE)
        return store_fail(st, "search_items municipality", err);
    return KKC_OK;
}

/* Rows without a municipality get the (name, code) that find_sql gives for their point. The
 * rows to fill are copied to a temporary table first, so that the updates do not run under
 * their own SELECT. */
static enum kkc_code nearest_fill(struct store *st, const char *find_sql, struct kkc_err *err)
{
    sqlite3_stmt *rows = NULL, *find = NULL, *set = NULL;
    enum kkc_code rc = store_exec(st,
                                  "DROP TABLE IF EXISTS temp.search_todo; CREATE TEMP TABLE"
                                  " search_todo AS SELECT id, X(geom) AS x, Y(geom) AS y FROM"
                                  " search_items WHERE municipality IS NULL",
                                  err);
    int step = SQLITE_DONE;

    if (!rc)
        rc = store_prepare(st, "SELECT id, x, y FROM temp.search_todo", &rows, err);
    if (!rc)
        rc = store_prepare(st, find_sql, &find, err);
    if (!rc)
        rc = store_prepare(st,
                           "UPDATE search_items SET municipality = ?1, municipality_code = ?2"
                           " WHERE id = ?3",
                           &set, err);
    while (!rc && (step = sqlite3_step(rows)) == SQLITE_ROW)
        rc = nearest_one(st, rows, find, set, err);
    if (!rc && step != SQLITE_DONE)
        rc = store_fail(st, "search rows", err);
    sqlite3_finalize(rows), sqlite3_finalize(find), sqlite3_finalize(set);
    if (!rc)
        rc = store_exec(st, "DROP TABLE temp.search_todo", err);
    return rc;
}

static enum kkc_code build_all(struct store *st, const struct search_build_opts *o,
                               struct search_build_stats *stats, struct kkc_err *err)
{
    sqlite3_stmt *ins = NULL;
    enum kkc_code rc = store_exec(st, "DELETE FROM search_items", err);

    if (!rc)
        rc = store_exec(st, munis_sql, err);
    stats->municipalities = rc ? 0 : sqlite3_changes(store_db(st));
    if (!rc)
        rc = store_prepare(st, insert_sql, &ins, err);
    if (!rc)
        rc = streets_build(st, ins, &stats->streets, err);
    if (!rc && o->osm_path)
        rc = osm_build(st, ins, o, stats, err);
    sqlite3_finalize(ins);
    if (!rc)
        rc = nearest_fill(st, nearest_sql, err);
    if (!rc)
        rc = nearest_fill(st, city_sql, err);
    if (!rc)
        rc = store_exec(st, "INSERT INTO search_fts (search_fts) VALUES ('rebuild')", err);
    return rc;
}

enum kkc_code search_build(struct store *st, const struct search_build_opts *o,
                           struct search_build_stats *stats, struct kkc_err *err)
{
    struct search_build_stats local = {0};
    enum kkc_code rc;

    if (!st || !o)
        return kkc_err_set(err, KKC_EINVAL, "search_build: no store or no options");
    if (sqlite3_create_function(store_db(st), "search_key", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                NULL, sql_search_key, NULL, NULL) != SQLITE_OK)
        return store_fail(st, "search_key function", err);
    rc = store_exec(st, "SAVEPOINT search_build", err);
    if (rc)
        return rc;
    rc = build_all(st, o, &local, err);
    if (rc) {
        store_exec(st, "ROLLBACK TO search_build; RELEASE search_build", NULL);
        return rc;
    }
    if (stats)
        *stats = local;
    return store_exec(st, "RELEASE search_build", err);
}
