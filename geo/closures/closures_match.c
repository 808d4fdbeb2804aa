/* geo/closures/closures_match.c -- from closure definitions to the road edges they affect
 * (way ids through road_edges.osm_way_id, geometries through SpatiaLite and the R*Tree). */
#include "closures/closures.h"

#include "base/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* (PtDistWithin answers 1 for a point far from a line in SpatiaLite 5.0; ST_Distance on the
 * ellipsoid does not.) The bounding-box margin in degrees a line is widened by before the distance test (more than
 * CLOSURE_LINE_M metres up to 70 degrees of latitude). */
#define LINE_MARGIN_DEG 0.0005

/* One row about the geometry ?1: unreadable, its type, valid, empty, area, and whether it covers
 * the whole road network. */
static const char check_sql[] =
    "WITH q(g) AS (SELECT GeomFromText(?1, 4326)) "
    "SELECT g IS NULL, GeometryType(g), ST_IsValid(g), ST_IsEmpty(g), ST_Area(g), "
    "(SELECT ST_Covers(q.g, BuildMbr(min(xmin), min(ymin), max(xmax), max(ymax), 4326)) "
    "FROM idx_road_edges_geom) FROM q";

/* The edges the geometry ?1 closes: for a line, those whose midpoint lies within ?3 metres of it
 * (the R*Tree box widened by ?2 degrees); for a polygon, those it intersects. */
static const char edges_sql[] =
    "WITH q(g, m) AS (SELECT GeomFromText(?1, 4326), CASE WHEN GeometryType(GeomFromText("
    "?1, 4326)) LIKE 'LINESTRING%' THEN ?2 ELSE 0 END) "
    "SELECT e.id FROM q, road_edges e WHERE e.id IN (SELECT pkid FROM idx_road_edges_geom, q "
    "WHERE xmin <= MbrMaxX(q.g) + q.m AND xmax >= MbrMinX(q.g) - q.m AND "
    "ymin <= MbrMaxY(q.g) + q.m AND ymax >= MbrMinY(q.g) - q.m) AND CASE WHEN q.m > 0 THEN "
    "ST_Distance(Line_Interpolate_Point(e.geom, 0.5), q.g, 1) <= ?3 "
    "ELSE ST_Intersects(e.geom, q.g) = 1 END ORDER BY e.id";

/* sql prepared into *s with the WKT text wkt bound to ?1 (*s NULL on failure). */
static enum kkc_code prepare_wkt(struct store *st, const char *sql, const char *wkt,
                                 sqlite3_stmt **s, struct kkc_err *err)
{
    enum kkc_code rc = store_prepare(st, sql, s, err);
    if (rc == KKC_OK)
        sqlite3_bind_text(*s, 1, wkt, -1, SQLITE_STATIC);
    return rc;
}

enum kkc_code closure_geometry_check(struct store *st, const char *wkt, struct kkc_err *err)
{
    sqlite3_stmt *s = NULL;
    enum kkc_code rc = prepare_wkt(st, check_sql, wkt, &s, err);
    if (rc)
        return rc;
    if (sqlite3_step(s) != SQLITE_ROW) {
        rc = store_fail(st, "check closure geometry", err);
    } else if (sqlite3_column_int(s, 0)) {
        rc = kkc_err_set(err, KKC_EINVAL, "the geometry is not WKT text or is empty");
    } else {
        const char *type = (const char *)sqlite3_column_text(s, 1);
        size_t tl = type ? strcspn(type, " ") : 0;
        int line = tl == 10 && strncmp(type, "LINESTRING", 10) == 0;
        int poly = (tl == 7 && strncmp(type, "POLYGON", 7) == 0) ||
                   (tl == 12 && strncmp(type, "MULTIPOLYGON", 12) == 0);
        if (!line && !poly)
            rc = kkc_err_set(err, KKC_EINVAL, "the geometry must be a LINESTRING, POLYGON or "
                                              "MULTIPOLYGON, not %.30s", type ? type : "?");
        else if (sqlite3_column_int(s, 3))
            rc = kkc_err_set(err, KKC_EINVAL, "the geometry is empty");
        else if (sqlite3_column_int(s, 2) != 1)
            rc = kkc_err_set(err, KKC_EINVAL,
                             "the geometry is not valid (self-intersecting or degenerate)");
        else if (poly && !(sqlite3_column_double(s, 4) > 0))
            rc = kkc_err_set(err, KKC_EINVAL, "the polygon has no area");
        else if (poly && sqlite3_column_int(s, 5) == 1)
            rc = kkc_err_set(err, KKC_EINVAL,
                             "the polygon covers the whole road network; close roads, not all");
    }
    sqlite3_finalize(s);
    return rc;
}

enum kkc_code closure_geometry_edges(struct store *st, const char *wkt,
                                     void (*fn)(void *ud, uint32_t edge), void *ud,
                                     size_t *count, struct kkc_err *err)
{
    sqlite3_stmt *s = NULL;
    enum kkc_code rc = prepare_wkt(st, edges_sql, wkt, &s, err);
    int step;
    *count = 0;
    if (rc)
        return rc;
    sqlite3_bind_double(s, 2, LINE_MARGIN_DEG);
    sqlite3_bind_double(s, 3, CLOSURE_LINE_M);
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        (*count)++;
        if (fn)
            fn(ud, (uint32_t)sqlite3_column_int64(s, 0));
    }
    if (step != SQLITE_DONE)
        rc = store_fail(st, "match closure geometry", err);
    sqlite3_finalize(s);
    return rc;
}

/* Per-edge factors while matching. */
struct acc {
    double *fw, *bw;
    uint32_t m;
    const struct closure *c;
};

static double combine(double have, double f)
{
    if (have == 0 || f == 0)
        return 0;
    return have * f > CLOSURE_FACTOR_MAX ? CLOSURE_FACTOR_MAX : have * f;
}

static void acc_edge(void *ud, uint32_t e)
{
    struct acc *a = ud;
    if (e >= a->m)
        return;
    if (a->c->dir != CLOSURE_BACKWARD)
        a->fw[e] = combine(a->fw[e], a->c->factor);
    if (a->c->dir != CLOSURE_FORWARD)
        a->bw[e] = combine(a->bw[e], a->c->factor);
}

/* The edges of one closure into a; counts the missing ways into out. */
static enum kkc_code match_one(struct store *st, sqlite3_stmt *byway, struct acc *a,
                               struct closure_effects *out, struct kkc_err *err)
{
    size_t hits;
    for (size_t i = 0; i < a->c->nways; i++) {
        int step, found = 0;
        sqlite3_bind_int64(byway, 1, a->c->ways[i]);
        while ((step = sqlite3_step(byway)) == SQLITE_ROW)
            acc_edge(a, (uint32_t)sqlite3_column_int64(byway, 0)), found = 1;
        sqlite3_reset(byway);
        if (step != SQLITE_DONE)
            return store_fail(st, "match closure ways", err);
        if (!found && out->missing_ways++ == 0)
            out->first_missing_way = a->c->ways[i], out->first_missing_closure = a->c->id;
    }
    return a->c->wkt ? closure_geometry_edges(st, a->c->wkt, acc_edge, a, &hits, err) : KKC_OK;
}

static void note_change(struct closure_effects *out, int64_t t, int64_t now)
{
    if (t > now && (out->next_change == 0 || t < out->next_change))
        out->next_change = t;
}

/* The affected edges of a into out->items. */
static enum kkc_code collect(const struct acc *a, struct closure_effects *out,
                             struct kkc_err *err)
{
    size_t n = 0;
    for (uint32_t e = 0; e < a->m; e++)
        n += a->fw[e] != 1 || a->bw[e] != 1;
    if (n && !(out->items = malloc(n * sizeof *out->items)))
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (closures)");
    for (uint32_t e = 0; e < a->m; e++)
        if (a->fw[e] != 1 || a->bw[e] != 1)
            out->items[out->len++] = (struct closure_effect){e, a->fw[e], a->bw[e]};
    return KKC_OK;
}

enum kkc_code closures_match(struct store *st, const struct closure_list *l, int64_t now,
                             struct closure_effects *out, struct kkc_err *err)
{
    sqlite3_stmt *s = NULL;
    struct acc a = {0};
    enum kkc_code rc;

    memset(out, 0, sizeof *out);
    rc = store_prepare(st, "SELECT coalesce(max(id), -1) + 1 FROM road_edges", &s, err);
    if (!rc && sqlite3_step(s) == SQLITE_ROW)
        a.m = (uint32_t)sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    s = NULL;
    if (!rc && a.m && (!(a.fw = malloc(a.m * sizeof *a.fw)) || !(a.bw = malloc(a.m * sizeof *a.bw))))
        rc = kkc_err_set(err, KKC_ENOMEM, "out of memory (closures)");
    for (uint32_t e = 0; !rc && e < a.m; e++)
        a.fw[e] = a.bw[e] = 1;
    if (!rc)
        rc = store_prepare(st, "SELECT id FROM road_edges WHERE osm_way_id = ?", &s, err);
    for (size_t i = 0; !rc && i < l->len; i++) {
        a.c = &l->items[i];
        note_change(out, a.c->valid_from, now);
        note_change(out, a.c->valid_until, now);
        if (!closure_active(a.c, now))
            continue;
        out->active++;
        rc = match_one(st, s, &a, out, err);
    }
    sqlite3_finalize(s);
    if (!rc)
        rc = collect(&a, out, err);
    free(a.fw);
    free(a.bw);
    if (rc)
        closure_effects_free(out);
    return rc;
}

void closure_effects_free(struct closure_effects *e)
{
    if (!e)
        return;
    free(e->items);
    memset(e, 0, sizeof *e);
}

enum kkc_code closures_report_missing(struct store *st, kkc_report_fn report, void *ud,
                                      struct kkc_err *err)
{
    struct closure_list l = {0};
    sqlite3_stmt *s = NULL;
    enum kkc_code rc = closures_load(st, &l, err);
    char msg[160];
    if (!rc)
        rc = store_prepare(st, "SELECT 1 FROM road_edges WHERE osm_way_id = ? LIMIT 1", &s, err);
    for (size_t i = 0; !rc && i < l.len; i++)
        for (size_t j = 0; j < l.items[i].nways; j++) {
            sqlite3_bind_int64(s, 1, l.items[i].ways[j]);
            if (sqlite3_step(s) != SQLITE_ROW) {
                snprintf(msg, sizeof msg,
                         "closure %" PRId64 ": way %" PRId64 " no longer exists in the network",
                         l.items[i].id, l.items[i].ways[j]);
                report(ud, "closures", (long)l.items[i].id, msg);
            }
            sqlite3_reset(s);
        }
    sqlite3_finalize(s);
    closure_list_free(&l);
    return rc;
}
