/* tests/road/test_osm_import.c -- the OSM import (geo/road/import/osm_import.c, geo/road/import/profile.c).
 *
 * Hand-made maps in tests/data/osm/ (each file says what it expects), one fresh database per
 * import. Oracles the import did not produce: lengths from the meridian / parallel arc formulas
 * of the WGS84 ellipsoid (no PROJ), SpatiaLite's own GeodesicLength(), StartPoint()/EndPoint(),
 * hand-computed centroids, a union-find over the edges for connectivity. Then the real
 * Heidelberg (.osm.pbf) and West Oakland (.osm.bz2) extracts. */
#include "road/import/car.h"
#include "road/import/osm_import.h"
#include "road/import/profile.h"
#include "base/store.h"
#include "testutil.h"

#include <bzlib.h>
#include <check.h>
#include <libgen.h>
#include <math.h>
#include <readosm.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
/* libreadosm 1.1.0 never frees its expat parser when the XML is malformed (osmxml.c returns
 * READOSM_XML_ERROR before XML_ParserFree): not ours to fix, so LSan ignores that one call. */
#define LEAKS_OFF() __lsan_disable()
#define LEAKS_ON() __lsan_enable()
#else
#define LEAKS_OFF() ((void)0)
#define LEAKS_ON() ((void)0)
#endif

#define MAPS "tests/data/osm/"
#define MAX_REPORTS 64
#define DEG (M_PI / 180)

/* ---- fixtures ---------------------------------------------------------------------------- */

struct reports {
    int n;
    long row[MAX_REPORTS];
    char reason[MAX_REPORTS][200];
};

static void collect(void *ud, const char *file, long row, const char *reason)
{
    struct reports *r = ud;
    ck_assert_ptr_nonnull(file);
    if (r->n < MAX_REPORTS) {
        r->row[r->n] = row;
        snprintf(r->reason[r->n], sizeof r->reason[0], "%s", reason);
    }
    r->n++;
}

/* Whether a report about row contains needle (needle NULL: any report about row). */
static int has_report(const struct reports *r, long row, const char *needle)
{
    for (int i = 0; i < r->n && i < MAX_REPORTS; i++)
        if (r->row[i] == row && (!needle || strstr(r->reason[i], needle)))
            return 1;
    return 0;
}

struct fx {
    char *db;
    struct store *st;
    struct reports rep;
    struct osm_import_stats stats;
    struct kkc_err err;
};

/* A fresh empty database in fx. */
static void fx_open(struct fx *f)
{
    memset(f, 0, sizeof *f);
    f->db = tu_tmpfile("kkc.sqlite");
    ck_assert_ptr_nonnull(f->db);
    ck_assert_int_eq(store_open(f->db, STORE_CREATE, &f->st, &f->err), KKC_OK);
}

/* Run the import of path into fx's database; returns its code. */
static enum kkc_code fx_run(struct fx *f, const char *path, int centres, const char *profile)
{
    struct osm_import_opts o = {.path = path,
                                .centres_from_osm = centres,
                                .profile_path = profile,
                                .report = collect,
                                .report_ud = &f->rep};
    return osm_import(f->st, &o, &f->stats, &f->err);
}

/* A fresh database with path imported; the import must succeed. */
static void fx_import(struct fx *f, const char *path, int centres, const char *profile)
{
    fx_open(f);
    enum kkc_code rc = fx_run(f, path, centres, profile);
    ck_assert_msg(rc == KKC_OK, "%s: %s", path, f->err.msg);
}

/* Remove a file and its (temporary) directory. */
static void rm_tmp(char *path)
{
    unlink(path);
    rmdir(dirname(path));
}

static void fx_close(struct fx *f)
{
    store_close(f->st);
    rm_tmp(f->db);
    free(f->db);
}

/* Column i of the current row of s as text into buf ("" for NULL). */
static void col_copy(char *buf, size_t cap, sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    snprintf(buf, cap, "%s", t ? (const char *)t : "");
}

/* The first column of the first row of a printf-formatted query, as a double (NAN: no row). */
__attribute__((format(printf, 2, 3))) static double q_num(struct fx *f, const char *fmt, ...)
{
    char sql[1024];
    sqlite3_stmt *s = NULL;
    double v = NAN;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    ck_assert_int_eq(store_prepare(f->st, sql, &s, &f->err), KKC_OK);
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
        v = sqlite3_column_double(s, 0);
    sqlite3_finalize(s);
    return v;
}

/* The same as text into buf ("" for NULL, "<none>" for no row). */
__attribute__((format(printf, 4, 5))) static const char *q_text(struct fx *f, char *buf, size_t cap,
                                                                const char *fmt, ...)
{
    char sql[1024];
    sqlite3_stmt *s = NULL;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    ck_assert_int_eq(store_prepare(f->st, sql, &s, &f->err), KKC_OK);
    snprintf(buf, cap, "<none>");
    if (sqlite3_step(s) == SQLITE_ROW)
        col_copy(buf, cap, s, 0);
    sqlite3_finalize(s);
    return buf;
}

struct edge {
    long source_osm, target_osm;
    double len, dur;
    int fwd, bwd, npoints, roundabout;
    char highway[32], name[64], ref[32];
};

/* The edges of one OSM way in id order (at most max); returns how many there are. */
static int edges_of(struct fx *f, long way, struct edge *out, int max)
{
    sqlite3_stmt *s = NULL;
    int n = 0;
    ck_assert_int_eq(
        store_prepare(f->st,
                      "SELECT a.osm_id, b.osm_id, e.length_m, e.duration_s, e.forward, e.backward,"
                      " NumPoints(e.geom), e.highway, e.name, e.ref, e.roundabout FROM road_edges e"
                      " JOIN road_nodes a ON a.id = e.source JOIN road_nodes b ON b.id = e.target"
                      " WHERE e.osm_way_id = ? ORDER BY e.id",
                      &s, &f->err),
        KKC_OK);
    sqlite3_bind_int64(s, 1, way);
    for (; sqlite3_step(s) == SQLITE_ROW; n++) {
        if (n >= max)
            continue;
        struct edge *e = &out[n];
        e->source_osm = sqlite3_column_int64(s, 0);
        e->target_osm = sqlite3_column_int64(s, 1);
        e->len = sqlite3_column_double(s, 2);
        e->dur = sqlite3_column_double(s, 3);
        e->fwd = sqlite3_column_int(s, 4);
        e->bwd = sqlite3_column_int(s, 5);
        e->npoints = sqlite3_column_int(s, 6);
        col_copy(e->highway, sizeof e->highway, s, 7);
        col_copy(e->name, sizeof e->name, s, 8);
        col_copy(e->ref, sizeof e->ref, s, 9);
        e->roundabout = sqlite3_column_int(s, 10);
    }
    sqlite3_finalize(s);
    return n;
}

/* Number of connected components of the road graph (edges taken as undirected). */
static long components(struct fx *f)
{
    long n = (long)q_num(f, "SELECT count(*) FROM road_nodes"), comps = n;
    long *up = malloc((size_t)(n > 0 ? n : 1) * sizeof *up);
    sqlite3_stmt *s = NULL;

    ck_assert_ptr_nonnull(up);
    for (long i = 0; i < n; i++)
        up[i] = i;
    ck_assert_int_eq(store_prepare(f->st, "SELECT source, target FROM road_edges", &s, &f->err),
                     KKC_OK);
    while (sqlite3_step(s) == SQLITE_ROW) {
        long a = sqlite3_column_int64(s, 0), b = sqlite3_column_int64(s, 1);
        while (up[a] != a)
            a = up[a] = up[up[a]];
        while (up[b] != b)
            b = up[b] = up[up[b]];
        if (a != b)
            up[a] = b, comps--;
    }
    sqlite3_finalize(s);
    free(up);
    return comps;
}

/* Invariants every imported graph keeps: dense ids, node ids in OSM id order, no self-loops,
 * edge ends on their nodes, SRID 4326, length_m equal to SpatiaLite's geodesic length,
 * duration > 0 for length > 0, every node used by an edge. */
static void check_graph(struct fx *f)
{
    ck_assert_double_eq(q_num(f, "SELECT count(*) - coalesce(max(id) + 1, 0) FROM road_nodes"), 0);
    ck_assert_double_eq(q_num(f, "SELECT count(*) - coalesce(max(id) + 1, 0) FROM road_edges"), 0);
    ck_assert_double_eq(q_num(f, "SELECT count(*) FROM road_nodes a JOIN road_nodes b"
                                 " ON b.id = a.id + 1 WHERE b.osm_id <= a.osm_id AND b.osm_id NOT IN"
                                 " (SELECT osm_id FROM road_points WHERE barrier)"),
                        0);
    ck_assert_double_eq(q_num(f, "SELECT count(*) FROM road_edges WHERE source = target"), 0);
    ck_assert_double_eq(q_num(f,
                              "SELECT count(*) FROM road_edges e JOIN road_nodes n ON"
                              " n.id = e.source WHERE NOT ST_Equals(StartPoint(e.geom), n.geom)"),
                        0);
    ck_assert_double_eq(q_num(f, "SELECT count(*) FROM road_edges e JOIN road_nodes n ON"
                                 " n.id = e.target WHERE NOT ST_Equals(EndPoint(e.geom), n.geom)"),
                        0);
    ck_assert_double_eq(q_num(f, "SELECT count(*) FROM road_edges WHERE ST_Srid(geom) <> 4326"
                                 " OR GeometryType(geom) <> 'LINESTRING'"),
                        0);
    ck_assert_double_le(
        q_num(f, "SELECT coalesce(max(abs(GeodesicLength(geom) - length_m)), 0) FROM road_edges"),
        1e-6);
    ck_assert_double_eq(q_num(f, "SELECT count(*) FROM road_edges WHERE duration_s < 0 OR"
                                 " (length_m > 0 AND duration_s <= 0) OR"
                                 " forward + backward + coalesce(emergency, 0) = 0"),
                        0);
    ck_assert_double_eq(
        q_num(f, "SELECT count(*) FROM road_nodes WHERE id NOT IN"
                 " (SELECT source FROM road_edges UNION SELECT target FROM road_edges)"),
        0);
}

/* A map imported with the default profile and no centres: its road node and edge counts, then the
 * invariants of check_graph. */
static void fx_import_graph(struct fx *f, const char *path, long nodes, long edges)
{
    fx_import(f, path, 0, NULL);
    ck_assert_int_eq(f->stats.road_nodes, nodes);
    ck_assert_int_eq(f->stats.road_edges, edges);
    check_graph(f);
}

/* ---- oracles ----------------------------------------------------------------------------- */

static const double WGS84_A = 6378137, WGS84_F = 1 / 298.257223563;

/* Length of the meridian arc between latitudes lat1 < lat2 (degrees) on WGS84: Simpson's rule
 * over the meridian radius of curvature M = a (1 - e^2) / (1 - e^2 sin^2 phi)^1.5. */
static double meridian_arc(double lat1, double lat2)
{
    double e2 = WGS84_F * (2 - WGS84_F), h = (lat2 - lat1) * DEG / 8, sum = 0;
    for (int i = 0; i <= 8; i++) {
        double s = sin(lat1 * DEG + i * h);
        double m = WGS84_A * (1 - e2) / pow(1 - e2 * s * s, 1.5);
        sum += m * (i == 0 || i == 8 ? 1 : i % 2 ? 4 : 2);
    }
    return sum * h / 3;
}

/* Length of dlon degrees along the parallel at lat on WGS84 (N cos phi dlon); for ~100 m the
 * geodesic is shorter by less than a micrometre. */
static double parallel_arc(double lat, double dlon)
{
    double e2 = WGS84_F * (2 - WGS84_F), s = sin(lat * DEG);
    return WGS84_A / sqrt(1 - e2 * s * s) * cos(lat * DEG) * dlon * DEG;
}

/* Haversine on a sphere of the mean radius: a rough, independent check (within 0.5 %). */
static double haversine(double lon1, double lat1, double lon2, double lat2)
{
    double dlat = (lat2 - lat1) * DEG, dlon = (lon2 - lon1) * DEG;
    double h = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * DEG) * cos(lat2 * DEG) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * 6371008.8 * asin(sqrt(h));
}

/* ---- tags: one-way, access, maxspeed (table-driven) ---------------------------------------- */

/* Every way in these files is a 2-node street on a meridian from 50.200 to 50.201. */
static const char *const tag_files[] = {MAPS "oneway.osm", MAPS "access.osm", MAPS "maxspeed.osm"};

static const struct tag_case {
    int file; /* index into tag_files */
    long way;
    double kmh; /* expected speed; 0 = no edge expected */
    int fwd, bwd;
    const char *report; /* a report about the way must contain this; NULL = no report */
    int roundabout;     /* road_edges.roundabout expected */
} tag_cases[] = {
    {0, 101, 25, 1, 0, NULL, 0},                  /* oneway=yes */
    {0, 102, 25, 0, 1, NULL, 0},                  /* oneway=-1 */
    {0, 103, 25, 0, 1, NULL, 0},                  /* oneway=reverse */
    {0, 104, 25, 1, 0, NULL, 0},                  /* oneway=1 */
    {0, 105, 25, 1, 0, NULL, 0},                  /* oneway=true */
    {0, 106, 25, 1, 1, NULL, 0},                  /* oneway=no */
    {0, 107, 25, 1, 1, NULL, 0},                  /* no oneway tag */
    {0, 108, 90, 1, 0, NULL, 0},                  /* motorway: implied oneway */
    {0, 109, 45, 1, 0, NULL, 0},                  /* motorway_link: implied oneway */
    {0, 110, 90, 1, 1, NULL, 0},                  /* motorway, oneway=no */
    {0, 111, 65, 1, 0, NULL, 1},                  /* junction=circular */
    {0, 112, 0, 0, 0, "reversible", 0},           /* oneway=reversible: dropped */
    {0, 113, 25, 1, 1, "oneway=maybe", 0},        /* unknown oneway value */
    {0, 114, 0, 0, 0, NULL, 0},                   /* footway */
    {0, 115, 0, 0, 0, NULL, 0},                   /* construction */
    {0, 116, 25, 1, 1, NULL, 0},                  /* oneway=false */
    {0, 117, 25, 1, 1, NULL, 1},                  /* roundabout, oneway=no */
    {0, 118, 0, 0, 0, NULL, 0},                   /* track */
    {0, 150, 0, 0, 0, NULL, 0},                   /* area=yes */
    {1, 201, 0, 0, 0, NULL, 0},                   /* access=no */
    {1, 202, 25, 1, 1, NULL, 0},                  /* access=private: kept, restricted 2 */
    {1, 203, 25, 1, 1, NULL, 0},                  /* access=no, motorcar=yes */
    {1, 204, 0, 0, 0, NULL, 0},                   /* motor_vehicle=no */
    {1, 205, 25, 1, 1, NULL, 0},                  /* motor_vehicle=no, motorcar=destination */
    {1, 206, 25, 1, 1, NULL, 0},                  /* access=destination */
    {1, 207, 25, 1, 1, NULL, 0},                  /* access=permissive */
    {1, 208, 25, 1, 1, NULL, 0},                  /* motor_vehicle=private: kept, restricted */
    {1, 209, 0, 0, 0, NULL, 0},                   /* vehicle=no */
    {1, 210, 25, 1, 1, "access=bogus", 0},        /* unknown access value */
    {1, 211, 0, 0, 0, NULL, 0},                   /* access=agricultural */
    {1, 212, 0, 0, 0, NULL, 0},                   /* access=yes, motorcar=no */
    {1, 213, 15, 1, 1, NULL, 0},                  /* service, access=customers */
    {2, 301, 40, 1, 1, NULL, 0},                  /* maxspeed=50 */
    {2, 302, 30 * 1.609344 * 0.8, 1, 1, NULL, 0}, /* 30 mph */
    {2, 303, 40, 1, 1, NULL, 0},                  /* CZ:urban */
    {2, 304, 72, 1, 1, NULL, 0},                  /* primary, CZ:rural */
    {2, 305, 140 * 0.8, 1, 1, NULL, 0},           /* none: car.lua's 140 */
    {2, 306, 25, 1, 1, "maxspeed=fast", 0},       /* fast */
    {2, 307, 7 * 0.8, 1, 1, NULL, 0},             /* walk */
    {2, 308, 25, 1, 1, NULL, 0},                  /* no maxspeed */
    {2, 309, 40, 1, 1, NULL, 0},                  /* 50 km/h */
    {2, 310, 90, 1, 0, NULL, 0},                  /* motorway, DE:motorway */
    {2, 311, 24, 1, 1, NULL, 0},                  /* DE:zone30 */
    {2, 312, 65, 1, 1, NULL, 0},                  /* primary */
    {2, 313, 25, 1, 1, "maxspeed=0", 0},          /* maxspeed=0 */
    {2, 314, 85, 1, 1, NULL, 0},                  /* trunk, CZ:trunk: no limit (car.lua) */
};

/* Check one tag case against the imported database. */
static void check_tag_case(struct fx *f, const struct tag_case *c)
{
    struct edge e[2];
    int n = edges_of(f, c->way, e, 2);
    double len = meridian_arc(50.200, 50.201);

    ck_assert_msg(n == (c->kmh > 0), "way %ld: %d edges", c->way, n);
    ck_assert_msg(c->report ? has_report(&f->rep, c->way, c->report)
                            : !has_report(&f->rep, c->way, NULL),
                  "way %ld: report expected %s", c->way, c->report ? c->report : "none");
    if (!n)
        return;
    ck_assert_msg(e[0].fwd == c->fwd && e[0].bwd == c->bwd, "way %ld: flags %d %d", c->way,
                  e[0].fwd, e[0].bwd);
    ck_assert_msg(e[0].roundabout == c->roundabout, "way %ld: roundabout %d", c->way,
                  e[0].roundabout);
    ck_assert_msg(fabs(e[0].len - len) < 1e-4, "way %ld: length %.6f, expected %.6f", c->way,
                  e[0].len, len);
    ck_assert_msg(fabs(e[0].dur - e[0].len / (c->kmh / 3.6)) < 1e-9, "way %ld: duration %.6f",
                  c->way, e[0].dur);
    ck_assert_int_eq(e[0].npoints, c->way == 101 ? 3 : 2);
}

START_TEST(test_tags)
{
    struct fx f;
    size_t n = 0;
    fx_import(&f, tag_files[_i], 0, NULL);
    for (size_t k = 0; k < sizeof tag_cases / sizeof tag_cases[0]; k++) {
        if (tag_cases[k].file != _i)
            continue;
        check_tag_case(&f, &tag_cases[k]);
        n += tag_cases[k].kmh > 0;
    }
    ck_assert_int_eq(f.stats.road_edges, (long)n);
    ck_assert_int_eq(f.stats.road_nodes, 2 * (long)n);
    check_graph(&f);
    fx_close(&f);
}
END_TEST

/* ---- splitting at junctions -------------------------------------------------------------- */

/* Assert the edges of way are exactly the chain of OSM node ids ends[0] -> ends[1] -> ... */
static void check_chain(struct fx *f, long way, const long *ends, int n_edges)
{
    struct edge e[8];
    int n = edges_of(f, way, e, 8);
    ck_assert_msg(n == n_edges, "way %ld: %d edges, expected %d", way, n, n_edges);
    for (int i = 0; i < n; i++)
        ck_assert_msg(e[i].source_osm == ends[i] && e[i].target_osm == ends[i + 1],
                      "way %ld edge %d: %ld -> %ld", way, i, e[i].source_osm, e[i].target_osm);
}

START_TEST(test_junctions)
{
    struct fx f;
    struct edge e[4];
    fx_import_graph(&f, MAPS "junctions.osm", 21, 16);
    ck_assert_int_eq(f.stats.ways_kept, 10);
    check_chain(&f, 401, (const long[]){1, 3, 5}, 2);
    check_chain(&f, 402, (const long[]){6, 3}, 1);
    check_chain(&f, 403, (const long[]){7, 9, 7}, 2); /* the loop split at its middle */
    check_chain(&f, 404, (const long[]){11, 7}, 1);
    check_chain(&f, 405, (const long[]){12, 13, 14, 13}, 3);
    check_chain(&f, 406, (const long[]){16, 17}, 1);
    check_chain(&f, 408, (const long[]){19, 20}, 1);
    check_chain(&f, 409, (const long[]){21, 22}, 1); /* crosses 401 without a shared node */
    check_chain(&f, 411, (const long[]){23, 24, 25}, 2);
    check_chain(&f, 412, (const long[]){26, 24, 27}, 2);
    ck_assert_int_eq(edges_of(&f, 407, e, 4), 0);

    ck_assert_int_eq(edges_of(&f, 401, e, 4), 2);
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(e[i].npoints, 3); /* a-b-c, c-d-e: intermediate points kept */
        ck_assert_str_eq(e[i].name, "Main Street");
        ck_assert_str_eq(e[i].ref, "II/123");
        ck_assert_str_eq(e[i].highway, "residential");
        ck_assert_double_eq_tol(e[i].len, parallel_arc(50.21, 0.002), 1e-5);
        ck_assert_double_eq_tol(e[i].dur, e[i].len / (25 / 3.6), 1e-9);
    }
    edges_of(&f, 402, e, 4);
    ck_assert_str_eq(e[0].name, "Side Street");
    ck_assert_str_eq(e[0].ref, "");
    ck_assert_double_eq_tol(e[0].len, meridian_arc(50.210, 50.211), 1e-5);
    edges_of(&f, 403, e, 4);
    ck_assert_double_eq_tol(e[0].len, parallel_arc(50.21, 0.001) + meridian_arc(50.21, 50.211),
                            1e-4);
    edges_of(&f, 408, e, 4);
    ck_assert_double_eq(e[0].len, 0);
    ck_assert_double_eq(e[0].dur, 0);

    ck_assert(has_report(&f.rep, 406, "repeated"));
    ck_assert(has_report(&f.rep, 407, "node ref"));
    ck_assert(has_report(&f.rep, 408, "zero-length"));
    ck_assert_int_eq(f.rep.n, 3);
    ck_assert_int_eq(f.stats.reports, 3);
    fx_close(&f);
}
END_TEST

/* ---- roundabout, island, motorway, missing nodes ----------------------------------------- */

START_TEST(test_roundabout)
{
    struct fx f;
    struct edge e[4];
    double ring = 0, chord = 0, r = 0.0003, c = 50.220;

    fx_import_graph(&f, MAPS "roundabout.osm", 6, 6);
    check_chain(&f, 501, (const long[]){5001, 5003, 5005, 5001}, 3);
    ck_assert_int_eq(edges_of(&f, 501, e, 4), 3);
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(e[i].fwd, 1);
        ck_assert_int_eq(e[i].bwd, 0);
        ck_assert_int_eq(e[i].npoints, 3);
        ck_assert_str_eq(e[i].highway, "primary");
        ck_assert_int_eq(e[i].roundabout, 1);
        ring += e[i].len;
    }
    for (int k = 0; k < 6; k++) { /* the hexagon, as the map generator placed it */
        double a0 = k * 60 * DEG, a1 = (k + 1) * 60 * DEG, cl = cos(c * DEG);
        chord += haversine(15.86 + r * cos(a0) / cl, c + r * sin(a0), 15.86 + r * cos(a1) / cl,
                           c + r * sin(a1));
    }
    ck_assert_double_eq_tol(ring, chord, chord * 0.005);
    for (long w = 502; w <= 504; w++) {
        ck_assert_int_eq(edges_of(&f, w, e, 4), 1);
        ck_assert_int_eq(e[0].fwd + e[0].bwd, 2);
        ck_assert_int_eq(e[0].roundabout, 0); /* the approaches are not part of the ring */
        ck_assert_str_eq(e[0].highway, "tertiary");
    }
    ck_assert_double_eq(q_num(&f, "SELECT sum(roundabout) FROM road_edges"), 3);
    ck_assert_int_eq(components(&f), 1);
    fx_close(&f);
}
END_TEST

START_TEST(test_island)
{
    struct fx f;
    fx_import_graph(&f, MAPS "island.osm", 9, 7);
    ck_assert_int_eq(components(&f), 2);
    check_chain(&f, 601, (const long[]){6001, 6002, 6003}, 2);
    check_chain(&f, 604, (const long[]){6011, 6012, 6013}, 2);
    check_chain(&f, 605, (const long[]){6012, 6014}, 1);
    ck_assert_int_eq(f.rep.n, 0);
    fx_close(&f);
}
END_TEST

START_TEST(test_motorway)
{
    struct fx f;
    struct edge e[2];
    char buf[64];

    fx_import_graph(&f, MAPS "motorway.osm", 8, 4);
    ck_assert_int_eq(components(&f), 4); /* no exit, and the underpass shares no node */
    for (long w = 701; w <= 702; w++) {
        ck_assert_int_eq(edges_of(&f, w, e, 2), 1);
        ck_assert_int_eq(e[0].fwd, 1);
        ck_assert_int_eq(e[0].bwd, 0);
        ck_assert_int_eq(e[0].npoints, 4);
        ck_assert_str_eq(e[0].ref, "D11");
        ck_assert_double_eq_tol(e[0].dur, e[0].len / (90 / 3.6), 1e-9);
        ck_assert_double_eq_tol(e[0].len, parallel_arc(50.2301, 0.03), 0.5);
    }
    edges_of(&f, 701, e, 2);
    ck_assert_str_eq(e[0].name, "Dálnice D11");
    /* The road nearest to a point 33 m from the motorway is the motorway, which has no exit. */
    ck_assert_str_eq(q_text(&f, buf, sizeof buf,
                            "SELECT osm_way_id FROM road_edges ORDER BY"
                            " ST_Distance(geom, MakePoint(15.812, 50.2297, 4326), 1) LIMIT 1"),
                     "701");
    fx_close(&f);
}
END_TEST

START_TEST(test_missing_nodes)
{
    struct fx f;
    fx_import_graph(&f, MAPS "missing.osm", 6, 3);
    ck_assert_int_eq(f.stats.ways_kept, 2);
    struct edge e[4];
    ck_assert_int_eq(edges_of(&f, 801, e, 4), 2);
    ck_assert_int_eq(e[0].source_osm, 8001);
    ck_assert_int_eq(e[0].target_osm, 8002);
    ck_assert_int_eq(e[1].source_osm, 8003);
    ck_assert_int_eq(e[1].target_osm, 8004);
    ck_assert(has_report(&f.rep, 801, "missing (first 8999)"));
    ck_assert(has_report(&f.rep, 802, "2 of 2 node refs missing"));
    ck_assert(has_report(&f.rep, 802, "skipped"));
    ck_assert(has_report(&f.rep, 803, "skipped"));
    ck_assert(!has_report(&f.rep, 804, NULL));
    fx_close(&f);
}
END_TEST

/* ---- centres ----------------------------------------------------------------------------- */

struct centre_case {
    const char *id, *name, *kind, *address, *phone;
    double lon, lat;
};

static const struct centre_case centre_cases[] = {
    {"osm-n900", "Obvodní oddělení Test", "police", "Hlavní 12, 50002 Hradec Králové",
     "+420 974 123 456", 15.85, 50.21},
    {"osm-n901", "Police (OSM n901)", "police", "", "", 15.851, 50.211},
    {"osm-n902", "ZZS Base", "ambulance", "", "155", 15.852, 50.212},
    /* area centroid of the square; the mean of its 8 vertices would be at 50.24025 */
    {"osm-w910", "Fire station (OSM w910)", "fire", "", "", 15.8705, 50.2405},
    {"osm-w911", "Stanice HZS", "fire", "", "", 15.881, 50.241},
    {"osm-w912", "Open Way Police", "police", "", "", 15.891, 50.240},
    {"osm-n903", "Kept", "police", "", "", 15.853, 50.213}, /* the row that existed before */
};

START_TEST(test_centres)
{
    struct fx f;
    char buf[128];

    fx_open(&f);
    ck_assert_int_eq(store_exec(f.st,
                                "INSERT INTO centres (id, name, kind, source, geom) VALUES"
                                " ('osm-n903', 'Kept', 'police', 'user',"
                                " MakePoint(15.853, 50.213, 4326))",
                                &f.err),
                     KKC_OK);
    ck_assert_int_eq(fx_run(&f, MAPS "centres.osm", 1, NULL), KKC_OK);
    ck_assert_int_eq(f.stats.centres_added, 6);
    ck_assert_int_eq(f.stats.centres_duplicate, 1);
    ck_assert_int_eq(f.stats.road_edges, 1);
    ck_assert_double_eq(q_num(&f, "SELECT count(*) FROM centres"), 7);
    for (size_t i = 0; i < sizeof centre_cases / sizeof centre_cases[0]; i++) {
        const struct centre_case *c = &centre_cases[i];
        const char *const col[] = {"name", "kind", "address", "phone"};
        const char *const want[] = {c->name, c->kind, c->address, c->phone};
        for (int k = 0; k < 4; k++)
            ck_assert_str_eq(q_text(&f, buf, sizeof buf, "SELECT %s FROM centres WHERE id = '%s'",
                                    col[k], c->id),
                             want[k]);
        ck_assert_double_eq_tol(q_num(&f, "SELECT ST_X(geom) FROM centres WHERE id = '%s'", c->id),
                                c->lon, 1e-9);
        ck_assert_double_eq_tol(q_num(&f, "SELECT ST_Y(geom) FROM centres WHERE id = '%s'", c->id),
                                c->lat, 1e-9);
    }
    ck_assert_str_eq(q_text(&f, buf, sizeof buf,
                            "SELECT municipality || '|' || email || '|' ||"
                            " www || '|' || hours || '|' || source || '|' || status FROM centres"
                            " WHERE id = 'osm-n900'"),
                     "Hradec Králové|oo.test@example.cz|https://example.cz/oo|24/7|osm|active");
    ck_assert_str_eq(q_text(&f, buf, sizeof buf,
                            "SELECT source FROM centres WHERE id ="
                            " 'osm-n903'"),
                     "user");
    ck_assert(has_report(&f.rep, 903, "already exists"));
    ck_assert(has_report(&f.rep, 911, "ambulance"));
    ck_assert(has_report(&f.rep, 920, "relation"));
    fx_close(&f);

    fx_import(&f, MAPS "centres.osm", 0, NULL); /* centres_from_osm off */
    ck_assert_double_eq(q_num(&f, "SELECT count(*) FROM centres"), 0);
    ck_assert_int_eq(f.stats.centres_added, 0);
    ck_assert_int_eq(f.rep.n, 0);
    fx_close(&f);
}
END_TEST

/* ---- .osm.bz2 ---------------------------------------------------------------------------- */

/* Write src to dst as bzip2, compressed in two concatenated streams (as pbzip2 does). */
static void write_bz2_two_streams(const char *src, const char *dst)
{
    FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
    char raw[16384];
    ck_assert_ptr_nonnull(in);
    ck_assert_ptr_nonnull(out);
    size_t n = fread(raw, 1, sizeof raw, in);
    ck_assert(n > 0 && n < sizeof raw);
    for (int part = 0; part < 2; part++) {
        char z[20000];
        unsigned int zn = sizeof z;
        size_t off = part ? n / 2 : 0, len = part ? n - n / 2 : n / 2;
        ck_assert_int_eq(BZ2_bzBuffToBuffCompress(z, &zn, raw + off, (unsigned)len, 9, 0, 0),
                         BZ_OK);
        ck_assert_uint_eq(fwrite(z, 1, zn, out), zn);
    }
    fclose(in);
    ck_assert_int_eq(fclose(out), 0);
}

START_TEST(test_bz2)
{
    struct fx f;
    char *bz = tu_tmpfile("junctions.osm.bz2");
    write_bz2_two_streams(MAPS "junctions.osm", bz);
    fx_import_graph(&f, bz, 21, 16);
    check_chain(&f, 401, (const long[]){1, 3, 5}, 2);
    fx_close(&f);
    rm_tmp(bz);
    free(bz);

    bz = tu_tmpfile("corrupt.osm.bz2"); /* not bzip2 at all */
    FILE *o = fopen(bz, "w");
    ck_assert_ptr_nonnull(o);
    fputs("<osm></osm>\n", o);
    fclose(o);
    fx_open(&f);
    ck_assert_int_eq(fx_run(&f, bz, 0, NULL), KKC_EINVAL);
    ck_assert(strstr(f.err.msg, "bzip2") != NULL);
    fx_close(&f);
    rm_tmp(bz);
    free(bz);
}
END_TEST

/* ---- errors ------------------------------------------------------------------------------ */

START_TEST(test_errors)
{
    struct fx f;
    char *bad = tu_tmpfile("broken.osm");
    FILE *o = fopen(bad, "w");
    ck_assert_ptr_nonnull(o);
    fputs("<?xml version='1.0'?>\n<osm version=\"0.6\">\n <node id=\"1\" lat=\"50\" lon=\"15\">\n"
          "  <way id=\"2\">\n</osm>\n",
          o);
    fclose(o);

    fx_open(&f);
    ck_assert_int_eq(fx_run(&f, MAPS "no-such-file.osm", 0, NULL), KKC_ENOTFOUND);
    ck_assert_int_eq(fx_run(&f, MAPS "../../testutil.h", 0, NULL), KKC_EINVAL);
    LEAKS_OFF();
    enum kkc_code rc = fx_run(&f, bad, 0, NULL);
    LEAKS_ON();
    ck_assert_int_eq(rc, KKC_EINVAL);
    ck_assert_int_eq(fx_run(&f, MAPS "island.osm", 0, "/nonexistent/profile"), KKC_ENOTFOUND);
    ck_assert_int_eq(osm_import(f.st, &(struct osm_import_opts){0}, NULL, &f.err), KKC_EINVAL);
    ck_assert_double_eq(q_num(&f, "SELECT count(*) FROM road_nodes"), 0); /* nothing written */
    ck_assert_int_eq(fx_run(&f, MAPS "island.osm", 0, NULL), KKC_OK);
    ck_assert_int_eq(fx_run(&f, MAPS "island.osm", 0, NULL), KKC_EINVAL); /* already there */
    ck_assert(strstr(f.err.msg, "already") != NULL);
    ck_assert_double_eq(q_num(&f, "SELECT count(*) FROM road_edges"), 7);
    fx_close(&f);
    rm_tmp(bad);
    free(bad);
}
END_TEST

/* ---- emergency access -------------------------------------------------------------------- */

/* The ways of emergency.osm as the rules of car.h make them, by hand: verdict, car forward and
 * backward, emergency forward and backward. */
static const struct emergency_case {
    long long way;
    enum car_verdict v;
    int fwd, bwd, efwd, ebwd;
} emergency_cases[] = {
    {1001, CAR_KEPT, 1, 1, 1, 1},           {1002, CAR_EMERGENCY_ONLY, 0, 0, 1, 1},
    {1003, CAR_EXCLUDED, 0, 0, 0, 0},       {1004, CAR_EMERGENCY_ONLY, 0, 0, 1, 1},
    {1005, CAR_EMERGENCY_ONLY, 0, 0, 1, 0}, {1006, CAR_EMERGENCY_ONLY, 0, 0, 1, 1},
    {1007, CAR_EXCLUDED, 0, 0, 0, 0},       {1008, CAR_EMERGENCY_ONLY, 0, 0, 1, 1},
    {1009, CAR_KEPT, 1, 1, 0, 0},           {1010, CAR_EMERGENCY_ONLY, 0, 0, 1, 0},
    {1011, CAR_KEPT, 1, 1, 1, 1},           {1012, CAR_EXCLUDED, 0, 0, 0, 0},
    {1013, CAR_EXCLUDED, 0, 0, 0, 0},       {1014, CAR_NOT_ROAD, 0, 0, 0, 0},
};
#define EMERGENCY_CASES (sizeof emergency_cases / sizeof emergency_cases[0])

struct emergency_seen {
    struct profile prof;
    int seen[EMERGENCY_CASES];
};

static int emergency_way(const void *ud, const readosm_way *w)
{
    struct emergency_seen *es = (struct emergency_seen *)ud;
    struct car_way cw = {0};
    enum car_verdict v = car_way_eval(&es->prof, w, &cw, NULL, NULL);
    for (size_t i = 0; i < EMERGENCY_CASES; i++) {
        const struct emergency_case *c = &emergency_cases[i];
        if (c->way != w->id)
            continue;
        es->seen[i]++;
        ck_assert_msg(v == c->v, "way %lld: verdict %d, expected %d", c->way, v, c->v);
        if (v == CAR_NOT_ROAD)
            continue;
        ck_assert_msg(cw.forward == c->fwd && cw.backward == c->bwd &&
                          cw.emergency_fwd == c->efwd && cw.emergency_bwd == c->ebwd,
                      "way %lld: car %d/%d emergency %d/%d, expected %d/%d %d/%d", c->way,
                      cw.forward, cw.backward, cw.emergency_fwd, cw.emergency_bwd, c->fwd, c->bwd,
                      c->efwd, c->ebwd);
    }
    return READOSM_OK;
}

/* Every way of emergency.osm evaluated, each as worked out by hand; then through the import:
 * the car's graph keeps only the ways a car may drive and counts the emergency-only ones. */
START_TEST(test_emergency_access)
{
    struct emergency_seen es = {0};
    const void *h = NULL;
    struct fx f;

    profile_default(&es.prof);
    ck_assert_int_eq(readosm_open(MAPS "emergency.osm", &h), READOSM_OK);
    ck_assert_int_eq(readosm_parse(h, &es, NULL, emergency_way, NULL), READOSM_OK);
    readosm_close(h);
    for (size_t i = 0; i < EMERGENCY_CASES; i++)
        ck_assert_msg(es.seen[i] == 1, "way %lld not read", emergency_cases[i].way);
    fx_import(&f, MAPS "emergency.osm", 0, NULL);
    ck_assert_int_eq(f.stats.ways_emergency_only, 6);
    ck_assert_int_eq(f.stats.ways_excluded, 6 + 4);
    ck_assert_int_eq(f.stats.ways_kept, 3);
    ck_assert_double_eq(
        q_num(&f, "SELECT count(DISTINCT osm_way_id) FROM road_edges WHERE forward + backward"), 3);
    ck_assert_double_eq(
        q_num(&f, "SELECT count(*) FROM road_edges WHERE osm_way_id IN (1001, 1009, 1011)"), 3);
    /* every stored way's emergency directions (1 forward, 2 backward), from emergency_cases */
    char buf[256];
    ck_assert_str_eq(q_text(&f, buf, sizeof buf,
                            "SELECT group_concat(osm_way_id || ':' || forward || backward || "
                            "':' || emergency, ' ') FROM (SELECT * FROM road_edges "
                            "ORDER BY osm_way_id)"),
                     "1001:11:3 1002:00:3 1004:00:3 1005:00:1 1006:00:3 1008:00:3 1009:11:0 "
                     "1010:00:1 1011:11:3");
    fx_close(&f);
}
END_TEST

/* ---- the speed profile ------------------------------------------------------------------- */

/* Write text to a new temporary file; caller rm_tmp()s and frees the path. */
static char *write_tmp(const char *name, const char *text)
{
    char *p = tu_tmpfile(name);
    FILE *o = p ? fopen(p, "w") : NULL;
    ck_assert_ptr_nonnull(o);
    fputs(text, o);
    fclose(o);
    return p;
}

/* OSM centres go through the one validation of every writer (centres_check): a name longer than
 * CENTRE_TEXT_MAX (600 bytes here) is reported on its node and skipped, the good node beside it
 * is written, and the count of refused ones is told. */
START_TEST(test_centres_validated)
{
    static const char head[] =
        "<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\" generator=\"hand\">\n"
        "<node id=\"1\" lat=\"50.2\" lon=\"15.8\"/><node id=\"2\" lat=\"50.2\" lon=\"15.801\"/>\n"
        "<way id=\"10\"><nd ref=\"1\"/><nd ref=\"2\"/>"
        "<tag k=\"highway\" v=\"residential\"/></way>\n"
        "<node id=\"951\" lat=\"50.2\" lon=\"15.8005\"><tag k=\"amenity\" v=\"fire_station\"/>"
        "<tag k=\"name\" v=\"Good\"/></node>\n"
        "<node id=\"950\" lat=\"50.2\" lon=\"15.8006\"><tag k=\"amenity\" v=\"police\"/>"
        "<tag k=\"name\" v=\"";
    static const char tail[] = "\"/></node>\n</osm>\n";
    char text[sizeof head + 600 + sizeof tail], buf[64];
    struct fx f;
    char *map;

    memcpy(text, head, sizeof head - 1);
    memset(text + sizeof head - 1, 'x', 600);
    memcpy(text + sizeof head - 1 + 600, tail, sizeof tail);
    map = write_tmp("long-name.osm", text);
    fx_import(&f, map, 1, NULL);
    ck_assert_int_eq(f.stats.centres_added, 1);
    ck_assert_int_eq(f.stats.centres_rejected, 1);
    ck_assert(has_report(&f.rep, 950, "name"));
    ck_assert_double_eq(q_num(&f, "SELECT count(*) FROM centres WHERE id = 'osm-n950'"), 0);
    ck_assert_str_eq(q_text(&f, buf, sizeof buf, "SELECT name || '/' || source || '/' || status "
                                                 "FROM centres WHERE id = 'osm-n951'"),
                     "Good/osm/active");
    fx_close(&f);
    rm_tmp(map);
    free(map);
}
END_TEST

START_TEST(test_profile_file)
{
    struct fx f;
    struct edge e[2];
    char *prof = write_tmp("car.profile", "# faster towns\nresidential 50   # km/h\n\n"
                                          "service 0\n  track\t20\nmaxspeed_factor 1\n");
    fx_import(&f, MAPS "oneway.osm", 0, prof);
    ck_assert_int_eq(edges_of(&f, 107, e, 2), 1);
    ck_assert_double_eq_tol(e[0].dur, e[0].len / (50 / 3.6), 1e-9);
    ck_assert_int_eq(edges_of(&f, 118, e, 2), 1); /* the track became routable */
    ck_assert_str_eq(e[0].highway, "track");
    ck_assert_double_eq_tol(e[0].dur, e[0].len / (20 / 3.6), 1e-9);
    fx_close(&f);
    fx_import(&f, MAPS "access.osm", 0, prof);
    ck_assert_int_eq(edges_of(&f, 213, e, 2), 0); /* service switched off */
    fx_close(&f);
    fx_import(&f, MAPS "maxspeed.osm", 0, prof);
    ck_assert_int_eq(edges_of(&f, 301, e, 2), 1);
    ck_assert_double_eq_tol(e[0].dur, e[0].len / (50 / 3.6), 1e-9); /* factor 1 */
    fx_close(&f);
    rm_tmp(prof);
    free(prof);
}
END_TEST

static const char *const bad_profiles[] = {
    "residential\n",       "residential fast\n",
    "residential -1\n",    "residential 301\n",
    "residential 30 40\n", "maxspeed_factor 0\n",
    "maxspeed_factor 3\n", "residential 0x20\n",
    "residential nan\n",   "a_highway_class_name_that_is_far_too_long 30\n",
};

START_TEST(test_profile_bad)
{
    struct profile p;
    struct kkc_err err;
    char *path = write_tmp("bad.profile", bad_profiles[_i]);
    ck_assert_int_eq(profile_load(path, &p, &err), KKC_EINVAL);
    ck_assert_msg(strstr(err.msg, ":1:") != NULL, "%s", err.msg);
    ck_assert_int_ge(profile_find(&p, "residential"), 0); /* the built-in table is back */
    ck_assert_double_eq(p.cls[profile_find(&p, "residential")].kmh, 25);
    rm_tmp(path);
    free(path);
}
END_TEST

START_TEST(test_profile_default)
{
    struct profile p;
    static const char *const routable[] = {
        "motorway",     "motorway_link", "trunk",          "trunk_link", "primary",
        "primary_link", "secondary",     "secondary_link", "tertiary",   "tertiary_link",
        "unclassified", "residential",   "living_street",  "service"};
    profile_default(&p);
    for (size_t i = 0; i < sizeof routable / sizeof routable[0]; i++)
        ck_assert_int_ge(profile_find(&p, routable[i]), 0);
    ck_assert_int_eq(profile_find(&p, "footway"), -1);
    ck_assert_int_eq(profile_find(&p, "construction"), -1);
    ck_assert_int_eq(profile_find(&p, "track"), -1);
    ck_assert_double_eq(p.maxspeed_factor, 0.8);
}
END_TEST

/* ---- real extracts ----------------------------------------------------------------------- */

/* The extract DATA_SRC/osm/name imported with the default profile, centres included. */
static void fx_import_extract(struct fx *f, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/osm/%s", tu_data_src(), name);
    fx_import(f, path, 1, NULL);
}

START_TEST(test_heidelberg)
{
    struct fx f;
    fx_import_extract(&f, "heidelberg.osm.pbf");
    fprintf(stderr,
            "osm_import heidelberg: %ld nodes, %ld edges, %ld ways kept, %.0f km, "
            "%ld centres, %ld reports, %.2f s\n",
            f.stats.road_nodes, f.stats.road_edges, f.stats.ways_kept, f.stats.length_km,
            f.stats.centres_added, f.stats.reports, f.stats.elapsed_s);
    ck_assert_int_gt(f.stats.nodes_read, 100000);
    ck_assert_int_gt(f.stats.road_edges, 10000);
    ck_assert_int_lt(f.stats.road_edges, 100000);
    ck_assert_int_gt(f.stats.road_nodes, 8000);
    ck_assert_int_gt(f.stats.ways_kept, 5000);
    ck_assert(f.stats.length_km > 500 && f.stats.length_km < 5000);
    ck_assert_int_ge(f.stats.centres_added, 1);
    check_graph(&f);
    ck_assert_double_eq(q_num(&f, "SELECT count(*) FROM road_edges WHERE highway = 'motorway'"
                                  " AND backward = 1"),
                        0);
    /* most of the city is one connected network */
    ck_assert_int_lt(components(&f), f.stats.road_nodes / 20);
    fx_close(&f);
}
END_TEST

START_TEST(test_west_oakland)
{
    struct fx f;
    fx_import_extract(&f, "west-oakland.osm.bz2");
    ck_assert_int_eq(f.stats.nodes_read, 446);
    ck_assert_int_eq(f.stats.ways_read, 66);
    ck_assert_int_ge(f.stats.ways_kept, 15);
    ck_assert_int_le(f.stats.ways_kept, 23); /* 23 ways of routable classes in the file */
    ck_assert_int_ge(f.stats.road_edges, f.stats.ways_kept);
    check_graph(&f);
    fx_close(&f);
}
END_TEST

Suite *osm_import_suite(void); /* for the runner */

Suite *osm_import_suite(void)
{
    Suite *s = suite_create("osm_import");
    TCase *tc = tu_tcase(s, "maps", 60);
    tcase_add_loop_test(tc, test_tags, 0, sizeof tag_files / sizeof tag_files[0]);
    tcase_add_test(tc, test_junctions);
    tcase_add_test(tc, test_roundabout);
    tcase_add_test(tc, test_island);
    tcase_add_test(tc, test_motorway);
    tcase_add_test(tc, test_missing_nodes);
    tcase_add_test(tc, test_centres);
    tcase_add_test(tc, test_emergency_access);
    tcase_add_test(tc, test_bz2);
    tcase_add_test(tc, test_errors);

    tc = tu_tcase(s, "profile", 60);
    tcase_add_test(tc, test_profile_file);
    tcase_add_test(tc, test_centres_validated);
    tcase_add_loop_test(tc, test_profile_bad, 0, sizeof bad_profiles / sizeof bad_profiles[0]);
    tcase_add_test(tc, test_profile_default);

    tc = tu_tcase(s, "extracts", 300);
    tcase_add_test(tc, test_heidelberg);
    tcase_add_test(tc, test_west_oakland);
    return s;
}
