/* geo/map/layers.c -- the map layers' queries: roads, boundaries, municipalities. */
#include "map/layers.h"

#include "base/store.h"
#include "import/data_import.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------- zoom rules --------------- */

double layers_deg_per_px(long z)
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

static void bind_bbox(sqlite3_stmt *st, int first, const double b[4])
{
    for (int i = 0; i < 4; i++)
        sqlite3_bind_double(st, first + i, b[i]);
}

/* Step st, whose single column is one Feature as text, into fn (at most max features). st is
 * finalized here. */
static enum kkc_code layers_walk(struct store *db, sqlite3_stmt *st, long max,
                                 layers_feature_fn fn, void *ctx, int *truncated,
                                 struct kkc_err *err)
{
    enum kkc_code rc = KKC_OK;
    long n = 0;
    int step;

    *truncated = 0;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *f = (const char *)sqlite3_column_text(st, 0);
        if (!f)
            continue;
        if (n == max) {
            *truncated = 1;
            break;
        }
        n++;
        if (fn(ctx, f, (size_t)sqlite3_column_bytes(st, 0)))
            break;
    }
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        rc = store_fail(db, "layer query", err);
    sqlite3_finalize(st);
    return rc;
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

enum kkc_code layers_roads(struct store *db, const double b[4], long z, long max,
                           layers_feature_fn fn, void *ctx, int *truncated, struct kkc_err *err)
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
    sqlite3_stmt *st;
    enum kkc_code rc;

    *truncated = 0;
    if ((rc = store_prepare(db, sql, &st, err)))
        return rc;
    bind_bbox(st, 1, b);
    sqlite3_bind_double(st, 5, layers_tolerance(z));
    sqlite3_bind_int(st, 6, layers_precision(z));
    sqlite3_bind_int(st, 7, roads_max_rank(z));
    sqlite3_bind_int64(st, 8, max + 1);
    return layers_walk(db, st, max, fn, ctx, truncated, err);
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

enum kkc_code layers_boundaries(struct store *db, const char *level, const double *b, long z,
                                int outline, long max, layers_feature_fn fn, void *ctx,
                                int *truncated, struct kkc_err *err)
{
    sqlite3_stmt *st;
    char sql[1024];
    enum kkc_code rc;

    *truncated = 0;
    boundaries_sql(sql, sizeof sql, b != NULL, outline);
    if ((rc = store_prepare(db, sql, &st, err)))
        return rc;
    sqlite3_bind_text(st, 1, level, -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(st, 2, z < 0 ? 0 : layers_tolerance(z));
    sqlite3_bind_int(st, 3, z < 0 ? 7 : layers_precision(z));
    if (b)
        bind_bbox(st, 4, b);
    return layers_walk(db, st, max, fn, ctx, truncated, err);
}

/* ---------------------------------------------------------------- municipalities ----------- */

/* Step st (rows of code, name, okres, kraj, population, lon, lat) into fn, at most max rows.
 * st is finalized here. */
static enum kkc_code munis_walk(struct store *db, sqlite3_stmt *st, long max, layers_muni_fn fn,
                                void *ctx, int *truncated, struct kkc_err *err)
{
    enum kkc_code rc = KKC_OK;
    long n = 0;
    int step;

    *truncated = 0;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        struct layers_muni m;
        if (n == max) {
            *truncated = 1;
            break;
        }
        m.code = (const char *)sqlite3_column_text(st, 0);
        m.name = (const char *)sqlite3_column_text(st, 1);
        m.okres = (const char *)sqlite3_column_text(st, 2);
        m.kraj = (const char *)sqlite3_column_text(st, 3);
        m.has_population = sqlite3_column_type(st, 4) != SQLITE_NULL;
        m.population = sqlite3_column_int64(st, 4);
        m.lon = sqlite3_column_double(st, 5);
        m.lat = sqlite3_column_double(st, 6);
        fn(ctx, &m);
        n++;
    }
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        rc = store_fail(db, "municipalities", err);
    sqlite3_finalize(st);
    return rc;
}

#define MUNI_COLS "code, name, okres, kraj, population, X(geom), Y(geom)"

void layers_muni_key(const char *q, char *key, size_t cap)
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

enum kkc_code layers_munis_search(struct store *db, const char *key, long max, layers_muni_fn fn,
                                  void *ctx, int *truncated, struct kkc_err *err)
{
    static const char sql[] =
        "SELECT " MUNI_COLS " FROM municipalities"
        " WHERE (name_key >= ?1 AND name_key < ?2)"
        "  OR instr(' ' || replace(name_key, '-', ' '), ' ' || ?1) > 0"
        " ORDER BY name_key = ?1 DESC, (name_key >= ?1 AND name_key < ?2) DESC,"
        "  population DESC NULLS LAST, name, code LIMIT ?3";
    sqlite3_stmt *st;
    char hi[128];
    size_t n = strlen(key);
    enum kkc_code rc;

    *truncated = 0;
    if (!n || n >= sizeof hi)
        return kkc_err_set(err, KKC_EINVAL, "the search key must have 1 to %zu bytes",
                           sizeof hi - 1);
    if ((rc = store_prepare(db, sql, &st, err)))
        return rc;
    memcpy(hi, key, n + 1);
    hi[n - 1] = (char)(hi[n - 1] + 1); /* keys are ASCII: the first string past the prefix */
    sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, hi, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, max + 1);
    return munis_walk(db, st, max, fn, ctx, truncated, err);
}

enum kkc_code layers_munis_in_bbox(struct store *db, const double b[4], long max,
                                   layers_muni_fn fn, void *ctx, int *truncated,
                                   struct kkc_err *err)
{
    static const char sql[] =
        "SELECT " MUNI_COLS " FROM municipalities"
        " WHERE ROWID IN (SELECT ROWID FROM SpatialIndex WHERE f_table_name = 'municipalities'"
        "  AND search_frame = BuildMbr(?1, ?2, ?3, ?4, 4326))"
        " ORDER BY population DESC NULLS LAST, code LIMIT ?5";
    sqlite3_stmt *st;
    enum kkc_code rc;

    *truncated = 0;
    if ((rc = store_prepare(db, sql, &st, err)))
        return rc;
    bind_bbox(st, 1, b);
    sqlite3_bind_int64(st, 5, max + 1);
    return munis_walk(db, st, max, fn, ctx, truncated, err);
}
