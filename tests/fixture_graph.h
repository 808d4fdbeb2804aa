/* tests/fixture_graph.h -- the hand-made road graph shared by the graph, snap and route suites.
 *
 * Small databases written with plain SQL: positions are given in metres east/north of 15.80 E,
 * 50.20 N and converted with scale factors taken from PROJ's `geod` (0.01 degree of longitude =
 * 713.979 m, of latitude = 1112.330 m at 50.2 N), not from the code under test. */
#ifndef KKC_FIXTURE_GRAPH_H
#define KKC_FIXTURE_GRAPH_H

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

#endif
