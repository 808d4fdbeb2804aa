/* tests/fixture_graph.h -- the hand-made road graph shared by the graph, snap, route, labels and
 * reach suites, and the loading of a test database's graph.
 *
 * Small databases written with plain SQL: positions are given in metres east/north of 15.80 E,
 * 50.20 N and converted with scale factors taken from PROJ's `geod` (0.01 degree of longitude =
 * 713.979 m, of latitude = 1112.330 m at 50.2 N), not from the code under test. */
#ifndef KKC_FIXTURE_GRAPH_H
#define KKC_FIXTURE_GRAPH_H

#include "base/err.h"

struct graph;
struct snap;
struct store;

#define LON0 15.80
#define LAT0 50.20
#define KX 71397.9  /* metres per degree of longitude at 50.2 N (geod) */
#define KY 111233.0 /* metres per degree of latitude */

struct fx_node {
    double x, y; /* metres */
};

struct fx_edge {
    int s, t;
    double len, dur;
    int fw, bw;
    const char *name, *ref;
    double via_x, via_y; /* one middle point when via_x or via_y is not 0 */
};

/* The hand graph (metres; -> one-way):
 *
 *        3 (100,100) --C-- via (150,150) --C-- 4 (200,100)
 *        |                                      ^
 *        B                                      D (e4: drivable 2 -> 4 only)
 *        |                                      |
 *  0 --A-- 1 ----A (e1, one-way)---------->     2          5 --Island--> 6   (1000..1100, 0)
 *  |
 *  v e6 (dead end, one-way)
 *  7 (0,-100)
 */
#define HAND_NODES 8
#define HAND_EDGES 7
extern const struct fx_node hand_nodes[HAND_NODES];
extern const struct fx_edge hand_edges[HAND_EDGES];

/* Metres east/north of LON0, LAT0 to degrees, rounded as the fixtures' WKT writes them. */
void to_lonlat(double x, double y, double *lon, double *lat);
/* Insert the nodes and edges into the open store (Check assertions on failure). */
void fx_insert(struct store *st, const struct fx_node *n, int nn, const struct fx_edge *e,
               int ne);
/* A new database with the given graph; returns its path (caller frees, and unlinks). */
char *fx_db(const struct fx_node *n, int nn, const struct fx_edge *e, int ne);

/* Load the graph of the database at path; returns the code, *g set on success. */
enum kkc_code fx_graph_open(const char *path, struct graph **g, struct kkc_err *err);
/* The same, with Check assertions on failure; the graph. */
struct graph *fx_graph_load(const char *path);
/* A new database with the hand graph (its path in *path) and the graph loaded from it. */
struct graph *fx_hand_graph(char **path);
/* Destroy g (may be NULL), unlink and free path. */
void fx_graph_done(struct graph *g, char *path);
/* Snap the point x,y (metres) on g (snap_point). */
enum kkc_code fx_snap_xy(const struct graph *g, double x, double y, double radius, struct snap *s,
                         struct kkc_err *err);

#endif
