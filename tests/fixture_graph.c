/* tests/fixture_graph.c -- the hand-made road graph shared by the road and reach suites. */
#include "fixture_graph.h"

#include "base/store.h"
#include "road/graph.h"
#include "road/snap.h"
#include "testutil.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const struct fx_node hand_nodes[HAND_NODES] = {{0, 0},     {100, 0},  {200, 0},  {100, 100},
                                            {200, 100}, {1000, 0}, {1100, 0}, {0, -100}};
const struct fx_edge hand_edges[HAND_EDGES] = {
    {0, 1, 100, 10, 1, 1, "A", NULL, 0, 0},
    {1, 2, 100, 10, 1, 0, "A", NULL, 0, 0},
    {1, 3, 100, 20, 1, 1, "B", NULL, 0, 0},
    {3, 4, 141.421, 20, 1, 1, "C", "II/300", 150, 150},
    {4, 2, 100, 20, 0, 1, "D", NULL, 0, 0},
    {5, 6, 100, 10, 1, 0, "Island", NULL, 0, 0},
    {0, 7, 100, 10, 1, 0, "Dead end", NULL, 0, 0},
};

/* Degrees rounded to 10 decimals, exactly as the WKT text below writes them, so that nodes, edge
 * ends and query points at the same place are the same doubles. */
static double deg10(double v)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.10f", v);
    return strtod(buf, NULL);
}

void to_lonlat(double x, double y, double *lon, double *lat)
{
    *lon = deg10(LON0 + x / KX);
    *lat = deg10(LAT0 + y / KY);
}

/* Insert the nodes and edges into the open store. */
void fx_insert(struct store *st, const struct fx_node *n, int nn, const struct fx_edge *e,
                      int ne)
{
    sqlite3_stmt *s = NULL;
    struct kkc_err err = {0};
    char wkt[256];
    ck_assert_int_eq(store_exec(st, "BEGIN", &err), 0);
    ck_assert_int_eq(store_prepare(st,
                                   "INSERT INTO road_nodes (id, osm_id, geom) VALUES "
                                   "(?, ?, MakePoint(?, ?, 4326))",
                                   &s, &err),
                     0);
    for (int i = 0; i < nn; i++) {
        double lon, lat;
        to_lonlat(n[i].x, n[i].y, &lon, &lat);
        sqlite3_bind_int(s, 1, i), sqlite3_bind_int(s, 2, 1000 + i);
        sqlite3_bind_double(s, 3, lon), sqlite3_bind_double(s, 4, lat);
        ck_assert_int_eq(sqlite3_step(s), SQLITE_DONE);
        sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    ck_assert_int_eq(store_prepare(st,
                                   "INSERT INTO road_edges (id, source, target, osm_way_id, "
                                   "highway, name, ref, length_m, duration_s, forward, "
                                   "backward, geom) VALUES (?, ?, ?, ?, 'residential', ?, ?, "
                                   "?, ?, ?, ?, GeomFromText(?, 4326))",
                                   &s, &err),
                     0);
    for (int i = 0; i < ne; i++) {
        double a[2], b[2], v[2];
        to_lonlat(n[e[i].s].x, n[e[i].s].y, &a[0], &a[1]);
        to_lonlat(n[e[i].t].x, n[e[i].t].y, &b[0], &b[1]);
        to_lonlat(e[i].via_x, e[i].via_y, &v[0], &v[1]);
        if (e[i].via_x != 0 || e[i].via_y != 0)
            snprintf(wkt, sizeof wkt, "LINESTRING(%.10f %.10f, %.10f %.10f, %.10f %.10f)", a[0],
                     a[1], v[0], v[1], b[0], b[1]);
        else
            snprintf(wkt, sizeof wkt, "LINESTRING(%.10f %.10f, %.10f %.10f)", a[0], a[1], b[0],
                     b[1]);
        sqlite3_bind_int(s, 1, i), sqlite3_bind_int(s, 2, e[i].s), sqlite3_bind_int(s, 3, e[i].t);
        sqlite3_bind_int(s, 4, 500 + i);
        sqlite3_bind_text(s, 5, e[i].name, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 6, e[i].ref, -1, SQLITE_STATIC);
        sqlite3_bind_double(s, 7, e[i].len), sqlite3_bind_double(s, 8, e[i].dur);
        sqlite3_bind_int(s, 9, e[i].fw), sqlite3_bind_int(s, 10, e[i].bw);
        sqlite3_bind_text(s, 11, wkt, -1, SQLITE_TRANSIENT);
        ck_assert_msg(sqlite3_step(s) == SQLITE_DONE, "%s", sqlite3_errmsg(store_db(st)));
        sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    ck_assert_int_eq(store_exec(st, "COMMIT", &err), 0);
}

/* A new database with the given graph; returns its path (caller frees, and unlinks). */
char *fx_db(const struct fx_node *n, int nn, const struct fx_edge *e, int ne)
{
    char *path = tu_tmpfile("graph.sqlite");
    struct store *st = NULL;
    struct kkc_err err = {0};
    ck_assert_ptr_nonnull(path);
    ck_assert_msg(store_open(path, STORE_CREATE, &st, &err) == 0, "%s", err.msg);
    fx_insert(st, n, nn, e, ne);
    store_close(st);
    return path;
}

enum kkc_code fx_graph_open(const char *path, struct graph **g, struct kkc_err *err)
{
    struct store *st = NULL;
    enum kkc_code rc = store_open(path, STORE_READONLY, &st, err);
    if (!rc)
        rc = graph_load(st, g, err);
    store_close(st);
    return rc;
}

struct graph *fx_graph_load(const char *path)
{
    struct graph *g = NULL;
    struct kkc_err err = {0};
    ck_assert_msg(fx_graph_open(path, &g, &err) == 0, "%s", err.msg);
    return g;
}

struct graph *fx_hand_graph(char **path)
{
    *path = fx_db(hand_nodes, HAND_NODES, hand_edges, HAND_EDGES);
    return fx_graph_load(*path);
}

void fx_graph_done(struct graph *g, char *path)
{
    graph_destroy(g);
    unlink(path);
    free(path);
}

enum kkc_code fx_snap_xy(const struct graph *g, double x, double y, double radius, struct snap *s,
                         struct kkc_err *err)
{
    double lon, lat;
    to_lonlat(x, y, &lon, &lat);
    return snap_point(g, lon, lat, radius, s, err);
}
