/* geo/search/search_query.c -- the query side of the search (contract in search.h): the FTS5
 * prefix search over search_items and the reverse lookup by SpatiaLite distance.
 *
 * The user's text never reaches FTS5 as syntax: search_fts_expr() keeps only words and quotes
 * each, so ", *, NEAR, OR, ( and the like are plain text or separators. */
#include "search/search.h"

#include "base/store.h"
#include "import/data_import.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#define WORD_MAX 64 /* bytes of one query word */

const char *search_kind_name(enum search_kind k)
{
    static const char *const names[] = {"municipality", "place", "street", "address"};
    return (unsigned)k < 4 ? names[k] : "unknown";
}

static enum search_kind kind_of(const char *s)
{
    for (int k = SEARCH_MUNICIPALITY; k <= SEARCH_ADDRESS; k++)
        if (s && strcmp(s, search_kind_name((enum search_kind)k)) == 0)
            return (enum search_kind)k;
    return SEARCH_ADDRESS;
}

static int word_byte(unsigned char c)
{
    return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int search_fts_expr(const char *q, char *out, size_t cap)
{
    size_t n = 0;
    int words = 0;

    if (cap)
        out[0] = '\0';
    for (const char *p = q; *p && words < SEARCH_TOKENS_MAX;) {
        size_t len = 0;
        while (*p && !word_byte((unsigned char)*p))
            p++;
        while (word_byte((unsigned char)p[len]))
            len++;
        if (!len)
            break;
        size_t keep = len > WORD_MAX ? WORD_MAX : len;
        while (keep < len && ((unsigned char)p[keep] & 0xC0) == 0x80)
            keep--; /* cut a long word at a character boundary */
        if (n + keep + 5 > cap)
            break;
        n += (size_t)snprintf(out + n, cap - n, "%s\"%.*s\"*", words ? " " : "", (int)keep, p);
        words++;
        p += len;
    }
    return words;
}

/* 1 when s is well-formed UTF-8 (no overlong forms or surrogates checked: FTS5 only needs the
 * lengths right). */
static int utf8_ok(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        int n = *p < 0x80             ? 0
                : (*p & 0xE0) == 0xC0 ? 1
                : (*p & 0xF0) == 0xE0 ? 2
                : (*p & 0xF8) == 0xF0 ? 3
                                      : -1;
        if (n < 0)
            return 0;
        p++;
        for (int i = 0; i < n; i++, p++)
            if ((*p & 0xC0) != 0x80)
                return 0;
    }
    return 1;
}

void search_key(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    data_name_key(s, out, cap);
    for (size_t i = 0; out[i]; i++) {
        char c = word_byte((unsigned char)out[i]) ? out[i] : ' ';
        if (c != ' ' || (n && out[n - 1] != ' '))
            out[n++] = c;
    }
    while (n && out[n - 1] == ' ')
        n--;
    if (cap)
        out[n] = '\0';
}

/* KKC_OK when st has the search tables; KKC_ENOTFOUND (with what to do) for a database built
 * before them. */
static enum kkc_code search_ready(struct store *st, struct kkc_err *err)
{
    sqlite3_stmt *s = NULL;
    enum kkc_code rc = store_prepare(st,
                                     "SELECT count(*) FROM sqlite_master WHERE name IN"
                                     " ('search_items', 'search_fts')",
                                     &s, err);
    if (rc)
        return rc;
    if (sqlite3_step(s) != SQLITE_ROW)
        rc = store_fail(st, "search tables", err);
    else if (sqlite3_column_int(s, 0) != 2)
        rc = kkc_err_set(err, KKC_ENOTFOUND,
                         "this database has no search index: build it again with kkc import");
    sqlite3_finalize(s);
    return rc;
}

static const char find_sql[] =
    "SELECT i.kind, i.name, i.municipality, i.municipality_code, i.population, X(i.geom),"
    " Y(i.geom) FROM search_fts JOIN search_items i ON i.id = search_fts.rowid"
    " WHERE search_fts MATCH ?1"
    " ORDER BY CASE WHEN i.name_key = ?2 THEN 0 WHEN substr(i.name_key, 1, length(?2)) = ?2"
    "  THEN 1 WHEN instr(' ' || i.name_key, ' ' || ?2) > 0 THEN 2 ELSE 3 END,"
    "  i.population DESC NULLS LAST,"
    "  CASE i.kind WHEN 'municipality' THEN 0 WHEN 'place' THEN 1 WHEN 'street' THEN 2 ELSE 3"
    "  END, i.name <> trim(?4), length(i.name), i.name, i.id LIMIT ?3";

enum kkc_code search_find(struct store *st, const char *q, long limit, search_hit_fn fn, void *ctx,
                          struct kkc_err *err)
{
    char expr[SEARCH_Q_MAX * 2 + 64], key[SEARCH_Q_MAX + 1];
    sqlite3_stmt *s = NULL;
    enum kkc_code rc;
    int step;

    if (!q || !*q)
        return kkc_err_set(err, KKC_EINVAL, "q is empty: give a name or an address");
    if (strlen(q) > SEARCH_Q_MAX)
        return kkc_err_set(err, KKC_EINVAL, "q is too long (%zu bytes, at most %d)", strlen(q),
                           SEARCH_Q_MAX);
    if (!utf8_ok(q))
        return kkc_err_set(err, KKC_EINVAL, "q is not valid UTF-8");
    if (limit < 1 || limit > SEARCH_LIMIT_MAX)
        return kkc_err_set(err, KKC_EINVAL, "limit must be 1..%d", SEARCH_LIMIT_MAX);
    if (!search_fts_expr(q, expr, sizeof expr))
        return KKC_OK;
    search_key(q, key, sizeof key);
    if ((rc = search_ready(st, err)) || (rc = store_prepare(st, find_sql, &s, err)))
        return rc;
    sqlite3_bind_text(s, 1, expr, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 3, limit);
    sqlite3_bind_text(s, 4, q, -1, SQLITE_TRANSIENT);
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        struct search_hit h = {.kind = kind_of((const char *)sqlite3_column_text(s, 0)),
                               .name = (const char *)sqlite3_column_text(s, 1),
                               .municipality = (const char *)sqlite3_column_text(s, 2),
                               .code = (const char *)sqlite3_column_text(s, 3),
                               .population = sqlite3_column_type(s, 4) == SQLITE_NULL
                                                 ? -1
                                                 : sqlite3_column_int64(s, 4),
                               .lon = sqlite3_column_double(s, 5),
                               .lat = sqlite3_column_double(s, 6)};
        if (h.kind != SEARCH_MUNICIPALITY)
            h.code = NULL;
        fn(ctx, &h);
    }
    if (step != SQLITE_DONE)
        rc = store_fail(st, "search", err);
    sqlite3_finalize(s);
    return rc;
}

/* ---------------------------------------------------------------- reverse ----------------- */

#define NEAR_FRAME(tbl)                                                                            \
    " ROWID IN (SELECT ROWID FROM SpatialIndex WHERE f_table_name = '" tbl "'"                     \
    " AND search_frame = BuildMbr(?1 - ?3, ?2 - ?4, ?1 + ?3, ?2 + ?4, 4326))"
#define DIST "ST_Distance(geom, MakePoint(?1, ?2, 4326), 1)"

static const char address_sql[] =
    "SELECT name, municipality, " DIST " AS d, X(geom), Y(geom) FROM search_items"
    " WHERE kind = 'address' AND" NEAR_FRAME("search_items") " ORDER BY d LIMIT 1";
static const char street_sql[] =
    "SELECT name, NULL, " DIST " AS d, 0, 0 FROM road_edges WHERE name IS NOT NULL AND"
    " name <> '' AND" NEAR_FRAME("road_edges") " ORDER BY d LIMIT 1";
static const char muni_sql[] =
    "SELECT m.name, m.code, ST_Distance(m.geom, MakePoint(?1, ?2, 4326), 1) AS d, 0, 0"
    " FROM municipalities m WHERE m.okres_code = (SELECT r.code FROM regions r"
    "  WHERE r.level = 'okres' AND r.ROWID IN (SELECT ROWID FROM SpatialIndex"
    "   WHERE f_table_name = 'regions' AND search_frame = MakePoint(?1, ?2, 4326))"
    "  AND ST_Contains(r.geom, MakePoint(?1, ?2, 4326)) LIMIT 1)"
    " ORDER BY d LIMIT 1";

/* The nearest row of sql within radius_m (0 = any) into a/b (text) and d, x, y. Returns KKC_OK
 * with *found 0 or 1. */
static enum kkc_code near_one(struct store *st, const char *sql, double lon, double lat,
                              double radius_m, char *a, size_t acap, char *b, size_t bcap,
                              double *d, double xy[2], int *found, struct kkc_err *err)
{
    sqlite3_stmt *s = NULL;
    double dlat = radius_m / 111320.0, dlon = dlat / fmax(cos(lat * M_PI / 180), 0.01);
    enum kkc_code rc = store_prepare(st, sql, &s, err);
    int step;

    *found = 0;
    if (rc)
        return rc;
    sqlite3_bind_double(s, 1, lon);
    sqlite3_bind_double(s, 2, lat);
    sqlite3_bind_double(s, 3, dlon);
    sqlite3_bind_double(s, 4, dlat);
    step = sqlite3_step(s);
    if (step == SQLITE_ROW && sqlite3_column_type(s, 2) != SQLITE_NULL &&
        (radius_m <= 0 || sqlite3_column_double(s, 2) <= radius_m)) {
        const unsigned char *ta = sqlite3_column_text(s, 0), *tb = sqlite3_column_text(s, 1);
        snprintf(a, acap, "%s", ta ? (const char *)ta : "");
        snprintf(b, bcap, "%s", tb ? (const char *)tb : "");
        *d = sqlite3_column_double(s, 2);
        xy[0] = sqlite3_column_double(s, 3), xy[1] = sqlite3_column_double(s, 4);
        *found = 1;
    } else if (step != SQLITE_ROW && step != SQLITE_DONE) {
        rc = store_fail(st, "reverse search", err);
    }
    sqlite3_finalize(s);
    return rc;
}

enum kkc_code search_reverse(struct store *st, double lon, double lat, struct search_place *out,
                             struct kkc_err *err)
{
    char none[2];
    double xy[2] = {0, 0};
    enum kkc_code rc;

    memset(out, 0, sizeof *out);
    if (!(fabs(lon) <= 180 && fabs(lat) <= 90))
        return kkc_err_set(err, KKC_EINVAL, "lon must be -180..180 and lat -90..90");
    rc = search_ready(st, err);
    if (!rc)
        rc =
            near_one(st, address_sql, lon, lat, SEARCH_ADDRESS_RADIUS_M, out->address,
                     sizeof out->address, out->address_municipality,
                     sizeof out->address_municipality, &out->address_m, xy, &out->has_address, err);
    out->address_lon = xy[0], out->address_lat = xy[1];
    if (!rc)
        rc = near_one(st, street_sql, lon, lat, SEARCH_STREET_RADIUS_M, out->street,
                      sizeof out->street, none, sizeof none, &out->street_m, xy, &out->has_street,
                      err);
    if (!rc)
        rc = near_one(st, muni_sql, lon, lat, 0, out->municipality, sizeof out->municipality,
                      out->municipality_code, sizeof out->municipality_code, &out->municipality_m,
                      xy, &out->has_municipality, err);
    return rc;
}
