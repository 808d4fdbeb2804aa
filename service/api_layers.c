/* service/api_layers.c -- map layers for the web page: roads, boundaries, municipalities.
 *
 * The GeoJSON is built by SQLite itself (json_object over SpatiaLite's AsGeoJSON), one feature
 * per row, and concatenated here into a buffer with a hard cap; parameters are checked before any
 * SQL runs, so bad input is a 400 and never reaches the database. Every query goes through the
 * table's spatial index (or the name index) and has a LIMIT, so answers stay fast while panning. */
#include "api_layers.h"
#include "tctx.h"

#include "api.h"
#include "import/data_import.h"
#include "base/store.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- parameters --------------- */

/* Degrees of longitude per screen pixel at zoom z (256-pixel tiles, Web Mercator). */
static double layers_deg_per_px(long z)
{
    return 360.0 / (256.0 * ldexp(1.0, (int)z));
}

/* The simplification tolerance for zoom z (about one pixel); 0 = draw the stored geometry. */
static double layers_tolerance(long z)
{
    return z >= 17 ? 0 : layers_deg_per_px(z);
}

/* Decimals of the output coordinates at zoom z: 1e-5 deg is about 1 m, enough below zoom 13. */
static int layers_precision(long z)
{
    return z >= 13 ? 6 : 5;
}

/* A bbox no wider or taller than LAYERS_VIEW_PX pixels at zoom z: stops a country-wide query at
 * street zoom. */
static enum kkc_code layers_check_span(const double b[4], long z, struct kkc_err *err)
{
    double max = LAYERS_VIEW_PX * layers_deg_per_px(z);
    if (b[2] - b[0] > max || b[3] - b[1] > max)
        return kkc_err_set(err, KKC_EINVAL,
                           "bbox spans %.4g x %.4g degrees, more than a %d-pixel view at zoom %ld "
                           "(%.4g degrees): zoom out or ask for a smaller bbox",
                           b[2] - b[0], b[3] - b[1], LAYERS_VIEW_PX, z, max);
    return KKC_OK;
}

/* ---------------------------------------------------------------- capped output ------------ */

/* A growable text buffer that refuses to grow past LAYERS_BODY_MAX. */
struct lbuf {
    char *p;
    size_t len, cap;
    enum kkc_code rc; /* first failure: KKC_ETOOBIG or KKC_ENOMEM; appends after it are dropped */
};

static void lbuf_add(struct lbuf *b, const char *s, size_t n)
{
    size_t want = b->len + n + 1, cap = b->cap ? b->cap : 65536;
    char *grown;

    if (b->rc)
        return;
    if (want > LAYERS_BODY_MAX) {
        b->rc = KKC_ETOOBIG;
        return;
    }
    while (cap < want)
        cap *= 2;
    if (cap != b->cap) {
        grown = realloc(b->p, cap);
        if (!grown) {
            b->rc = KKC_ENOMEM;
            return;
        }
        b->p = grown;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void lbuf_str(struct lbuf *b, const char *s)
{
    lbuf_add(b, s, strlen(s));
}

/* Step st, whose single column is one GeoJSON Feature as text, into a FeatureCollection in res
 * (at most max features; "truncated" tells whether more were there). st is finalized here. */
static void layers_collection(struct store *db, sqlite3_stmt *st, long max, struct api_res *res)
{
    struct lbuf b = {0};
    long n = 0;
    int step, truncated = 0;
    char tail[64];

    lbuf_str(&b, "{\"type\":\"FeatureCollection\",\"features\":[");
    while ((step = sqlite3_step(st)) == SQLITE_ROW && !b.rc) {
        const char *f = (const char *)sqlite3_column_text(st, 0);
        if (!f)
            continue;
        if (n == max) {
            truncated = 1;
            break;
        }
        if (n++)
            lbuf_add(&b, ",", 1);
        lbuf_add(&b, f, (size_t)sqlite3_column_bytes(st, 0));
    }
    snprintf(tail, sizeof tail, "],\"count\":%ld,\"truncated\":%s}", n,
             truncated ? "true" : "false");
    lbuf_str(&b, tail);
    if (step != SQLITE_ROW && step != SQLITE_DONE) {
        struct kkc_err err = {0};
        store_fail(db, "layer query", &err);
        api_error(res, err.code, err.msg);
    } else if (b.rc) {
        api_error(res, b.rc,
                  b.rc == KKC_ETOOBIG ? "the layer is too large for one answer: zoom in"
                                      : "out of memory");
    } else {
        res->status = 200;
        res->body = b.p;
        res->content_type = "application/geo+json";
        b.p = NULL;
    }
    free(b.p);
    sqlite3_finalize(st);
}

/* Prepare sql on the request's store; on failure fill res and return NULL. */
static sqlite3_stmt *layers_prepare(const struct api_req *r, struct store **db, const char *sql,
                                    struct api_res *res)
{
    struct kkc_err err = {0};
    sqlite3_stmt *st = NULL;
    *db = api_store(r, &err);
    if (!*db || store_prepare(*db, sql, &st, &err)) {
        api_error(res, err.code, err.msg);
        return NULL;
    }
    return st;
}

static void bind_bbox(sqlite3_stmt *st, int first, const double b[4])
{
    for (int i = 0; i < 4; i++)
        sqlite3_bind_double(st, first + i, b[i]);
}

/* ---------------------------------------------------------------- roads -------------------- */

/* The spatial index keeps boxes in single precision, rounded outwards: candidates are checked
 * against the exact bbox again (MbrIntersects), so an edge just outside is not drawn. */

/* Road classes by importance: 0 motorway/trunk, 1 primary/secondary, 2 tertiary and links,
 * 3 minor through roads, 4 the rest (service, living_street, ...). */
#define ROAD_RANK                                                                                  \
    "CASE highway WHEN 'motorway' THEN 0 WHEN 'trunk' THEN 0 WHEN 'primary' THEN 1 "              \
    "WHEN 'secondary' THEN 1 WHEN 'tertiary' THEN 2 WHEN 'motorway_link' THEN 2 "                 \
    "WHEN 'trunk_link' THEN 2 WHEN 'primary_link' THEN 2 WHEN 'secondary_link' THEN 2 "           \
    "WHEN 'tertiary_link' THEN 2 WHEN 'unclassified' THEN 3 WHEN 'residential' THEN 3 ELSE 4 END"

/* The highest road rank drawn at zoom z. */
static int roads_max_rank(long z)
{
    return z <= 7 ? 0 : z <= 10 ? 1 : z <= 12 ? 2 : z <= 13 ? 3 : 4;
}

void api_layers_roads(const struct api_req *r, struct api_res *res)
{
    static const char sql[] =
        "SELECT json_object('type','Feature','id',e.id,'geometry',json(AsGeoJSON("
        " CASE WHEN ?5 > 0 THEN SimplifyPreserveTopology(e.geom, ?5) ELSE e.geom END, ?6)),"
        " 'properties',json_object('highway',e.highway,'name',e.name,'ref',e.ref))"
        " FROM (SELECT ROWID AS rid, " ROAD_RANK " AS rk FROM road_edges"
        "  WHERE ROWID IN (SELECT ROWID FROM SpatialIndex WHERE f_table_name = 'road_edges'"
        "   AND search_frame = BuildMbr(?1, ?2, ?3, ?4, 4326))"
        "  AND " ROAD_RANK " <= ?7 AND MbrIntersects(geom, BuildMbr(?1, ?2, ?3, ?4, 4326))"
        "  ORDER BY rk, ROWID LIMIT ?8) AS s"
        " JOIN road_edges AS e ON e.ROWID = s.rid ORDER BY s.rk, s.rid";
    struct kkc_err err = {0};
    struct store *db;
    sqlite3_stmt *st;
    double b[4];
    long z = -1;
    int has_bbox = 0;
    enum kkc_code rc = api_param_bbox(r->q, b, &has_bbox, &err);

    if (!rc)
        rc = params_long(r->q, "zoom", 1, 0, LAYERS_ZOOM_MAX, &z, &err);
    if (!rc)
        rc = params_finish(r->q, &err);
    if (!rc && !has_bbox)
        rc = kkc_err_set(&err, KKC_EINVAL, "bbox=minlon,minlat,maxlon,maxlat is required");
    if (!rc)
        rc = layers_check_span(b, z, &err);
    if (rc) {
        api_error(res, rc, err.msg);
        return;
    }
    st = layers_prepare(r, &db, sql, res);
    if (!st)
        return;
    bind_bbox(st, 1, b);
    sqlite3_bind_double(st, 5, layers_tolerance(z));
    sqlite3_bind_int(st, 6, layers_precision(z));
    sqlite3_bind_int(st, 7, roads_max_rank(z));
    sqlite3_bind_int(st, 8, LAYERS_ROADS_MAX + 1);
    layers_collection(db, st, LAYERS_ROADS_MAX, res);
}

/* ---------------------------------------------------------------- boundaries --------------- */

/* The SQL for one level's boundaries into buf: polygons (whole, simplified), or with outline
 * their boundary lines, clipped to the bbox when there is one. Only fixed fragments are used.
 * A quick Douglas-Peucker pass at a quarter of the tolerance first thins the 134,000-vertex
 * republic outline, so the topology-preserving pass takes milliseconds instead of most of a
 * second; the quarter-pixel error it adds is invisible. The CTE is materialized so that the
 * geometry is computed once per row (a flattened subquery would compute it per reference). */
static void boundaries_sql(char *buf, size_t cap, int has_bbox, int outline)
{
    const char *g = !outline ? "geom"
                    : has_bbox ? "ST_Intersection(ST_Boundary(geom), BuildMbr(?4, ?5, ?6, ?7, 4326))"
                               : "ST_Boundary(geom)";
    snprintf(buf, cap,
             "WITH s AS MATERIALIZED (SELECT level, code, name, population,"
             "  CASE WHEN ?2 > 0 THEN SimplifyPreserveTopology(ST_Simplify(%s, ?2 / 4), ?2)"
             "  ELSE %s END AS g"
             "  FROM regions WHERE level = ?1 %s ORDER BY code)"
             " SELECT json_object('type','Feature','id',level || ':' || code,"
             " 'geometry',json(AsGeoJSON(g, ?3)),'properties',json_object('level',level,"
             " 'code',code,'name',name,'population',population))"
             " FROM s WHERE g IS NOT NULL",
             g, g,
             has_bbox ? "AND ROWID IN (SELECT ROWID FROM SpatialIndex WHERE f_table_name = "
                        "'regions' AND search_frame = BuildMbr(?4, ?5, ?6, ?7, 4326))"
                      : "");
}

void api_layers_boundaries(const struct api_req *r, struct api_res *res)
{
    static const char *const levels[] = {"country", "kraj", "okres", "orp", "border", NULL};
    struct kkc_err err = {0};
    struct store *db;
    sqlite3_stmt *st;
    char sql[1024];
    double b[4];
    long z = -1;
    int level = -1, has_bbox = 0, outline = 0;
    enum kkc_code rc = params_choice(r->q, "level", levels, &level, &err);

    if (!rc)
        rc = api_param_bbox(r->q, b, &has_bbox, &err);
    if (!rc)
        rc = params_long(r->q, "zoom", 0, 0, LAYERS_ZOOM_MAX, &z, &err);
    if (!rc)
        rc = params_bool(r->q, "outline", &outline, &err);
    if (!rc)
        rc = params_finish(r->q, &err);
    if (!rc && level < 0)
        rc = kkc_err_set(&err, KKC_EINVAL, "level is required: country, kraj, okres, orp, border");
    if (rc) {
        api_error(res, rc, err.msg);
        return;
    }
    boundaries_sql(sql, sizeof sql, has_bbox, outline);
    st = layers_prepare(r, &db, sql, res);
    if (!st)
        return;
    sqlite3_bind_text(st, 1, levels[level], -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 2, z < 0 ? 0 : layers_tolerance(z));
    sqlite3_bind_int(st, 3, z < 0 ? 7 : layers_precision(z));
    if (has_bbox)
        bind_bbox(st, 4, b);
    layers_collection(db, st, 100000, res);
}

/* ---------------------------------------------------------------- municipalities ----------- */

/* Rows of code, name, okres, kraj, population, lon, lat into {"municipalities":[...]} in res;
 * at most max of them ("truncated" when there were more). st is finalized here. */
static void municipalities_reply(struct store *db, sqlite3_stmt *st, long max,
                                 struct api_res *res)
{
    json_t *list = json_array();
    int step, truncated = 0;

    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if ((long)json_array_size(list) == max) {
            truncated = 1;
            break;
        }
        json_t *m = json_object();
        static const char *const text[] = {"code", "name", "okres", "kraj"};
        for (int i = 0; i < 4; i++) {
            const char *v = (const char *)sqlite3_column_text(st, i);
            json_object_set_new(m, text[i], v ? json_string(v) : json_null());
        }
        json_object_set_new(m, "population", sqlite3_column_type(st, 4) == SQLITE_NULL
                                                  ? json_null()
                                                  : json_integer(sqlite3_column_int64(st, 4)));
        json_object_set_new(m, "lon", json_real(round(sqlite3_column_double(st, 5) * 1e6) / 1e6));
        json_object_set_new(m, "lat", json_real(round(sqlite3_column_double(st, 6) * 1e6) / 1e6));
        json_array_append_new(list, m);
    }
    if (step != SQLITE_ROW && step != SQLITE_DONE) {
        struct kkc_err err = {0};
        store_fail(db, "municipalities", &err);
        json_decref(list);
        api_error(res, err.code, err.msg);
    } else {
        api_reply(res, json_pack("{s:o, s:b}", "municipalities", list, "truncated", truncated));
    }
    sqlite3_finalize(st);
}

#define MUNI_COLS "code, name, okres, kraj, population, X(geom), Y(geom)"

/* Name search: names starting with the folded q first (an exact name before the others), then
 * names with a word starting with it; larger municipalities first. */
static void municipalities_search(const struct api_req *r, const char *key, long limit,
                                  struct api_res *res)
{
    static const char sql[] =
        "SELECT " MUNI_COLS " FROM municipalities"
        " WHERE (name_key >= ?1 AND name_key < ?2)"
        "  OR instr(' ' || replace(name_key, '-', ' '), ' ' || ?1) > 0"
        " ORDER BY name_key = ?1 DESC, (name_key >= ?1 AND name_key < ?2) DESC,"
        "  population DESC NULLS LAST, name, code LIMIT ?3";
    struct store *db;
    sqlite3_stmt *st = layers_prepare(r, &db, sql, res);
    char hi[128];
    size_t n = strlen(key);

    if (!st)
        return;
    memcpy(hi, key, n + 1);
    hi[n - 1] = (char)(hi[n - 1] + 1); /* keys are ASCII: the first string past the prefix */
    sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, hi, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, limit + 1);
    municipalities_reply(db, st, limit, res);
}

/* The municipalities inside b, most populous first. */
static void municipalities_in_bbox(const struct api_req *r, const double b[4], long limit,
                                   struct api_res *res)
{
    static const char sql[] =
        "SELECT " MUNI_COLS " FROM municipalities"
        " WHERE ROWID IN (SELECT ROWID FROM SpatialIndex WHERE f_table_name = 'municipalities'"
        "  AND search_frame = BuildMbr(?1, ?2, ?3, ?4, 4326))"
        " ORDER BY population DESC NULLS LAST, code LIMIT ?5";
    struct store *db;
    sqlite3_stmt *st = layers_prepare(r, &db, sql, res);

    if (!st)
        return;
    bind_bbox(st, 1, b);
    sqlite3_bind_int64(st, 5, limit + 1);
    municipalities_reply(db, st, limit, res);
}

/* The search key of q: folded like municipalities.name_key, outer blanks trimmed. */
static void municipalities_key(const char *q, char *key, size_t cap)
{
    size_t n, skip = 0;
    data_name_key(q, key, cap);
    n = strlen(key);
    while (n && (key[n - 1] == ' ' || key[n - 1] == '\t'))
        key[--n] = '\0';
    while (key[skip] == ' ' || key[skip] == '\t')
        skip++;
    memmove(key, key + skip, n - skip + 1);
}

void api_layers_municipalities(const struct api_req *r, struct api_res *res)
{
    struct kkc_err err = {0};
    const char *q = params_str(r->q, "q");
    char key[128];
    double b[4];
    int has_bbox = 0;
    long limit = -1;
    enum kkc_code rc = api_param_bbox(r->q, b, &has_bbox, &err);

    if (!rc)
        rc = params_long(r->q, "limit", 0, 1, has_bbox ? 5000 : 50, &limit, &err);
    if (!rc)
        rc = params_finish(r->q, &err);
    if (!rc && (!q) == !has_bbox)
        rc = kkc_err_set(&err, KKC_EINVAL, "give either q (a name prefix) or bbox, not both");
    if (!rc && q && strlen(q) >= 64)
        rc = kkc_err_set(&err, KKC_EINVAL, "q is too long (at most 63 bytes)");
    if (!rc && q) {
        municipalities_key(q, key, sizeof key);
        if (!key[strcspn(key, "abcdefghijklmnopqrstuvwxyz0123456789")])
            rc = kkc_err_set(&err, KKC_EINVAL, "q must contain at least one letter or digit");
    }
    if (rc) {
        api_error(res, rc, err.msg);
        return;
    }
    if (q)
        municipalities_search(r, key, limit > 0 ? limit : LAYERS_MUNI_Q_MAX, res);
    else
        municipalities_in_bbox(r, b, limit > 0 ? limit : LAYERS_MUNI_BBOX_MAX, res);
}
