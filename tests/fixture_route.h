/* tests/fixture_route.h -- the oracle of the route, labels and reach suites and their fixtures.
 *
 * The oracle is a plain O(n^2) Dijkstra written here over the edges read straight from a test
 * database with SQL, not the code under test; costs are compared exactly in milliseconds and
 * decimetres, each edge's duration and length rounded to those units, as graph.h documents. */
#ifndef KKC_FIXTURE_ROUTE_H
#define KKC_FIXTURE_ROUTE_H

struct centres;
struct graph;
struct route_ctx;
struct snap;

/* The edges as read with SQL, costs rounded to ms and dm. */
struct oracle {
    int n, m;
    int *src, *dst, *fw, *bw;
    long long *ms, *dm;
};

struct oracle *oracle_load(const char *path);
void oracle_free(struct oracle *o);

/* (time, distance) pairs compared in that order. */
struct od {
    long long t, d;
};
#define OD_INF ((struct od){-1, -1})

int od_less(struct od a, struct od b);

/* Plain O(n^2) Dijkstra from seeds (road_nodes ids with start costs) into out[n]. */
void oracle_run(const struct oracle *o, const int *seed, const struct od *sc, int ns,
                struct od *out);
/* The oracle's cost from point (e1, f1) to every node (into dist). */
void oracle_from_point(const struct oracle *o, int e1, double f1, struct od *dist);
/* Given dist from point (e1, f1), the cost to point (e2, f2). */
struct od oracle_to_point(const struct oracle *o, const struct od *dist, int e1, double f1, int e2,
                          double f2);

/* A random road grid of n x n nodes about 90 m apart (fixture_graph.h positions): mostly two-way,
 * some one-way either way, random speeds, some bends, some parallel edges, some zero-length edges
 * to a twin node. A new database's path (caller frees); its node count in *nnodes. */
char *grid_db(int n, unsigned long long seed, int *nnodes);

/* A new test database (path, taken over) with the graph loaded from it, a route context on the
 * graph and the oracle read from the same database with SQL. */
struct ofx {
    char *path;
    struct graph *g;
    struct route_ctx *ctx;
    struct oracle *o;
};

void ofx_open(struct ofx *f, char *path);
void ofx_close(struct ofx *f);

/* A random point near the grid, snapped. */
void random_snap(const struct graph *g, unsigned long long *rs, struct snap *s);

/* Centres at lon,lat (xy == 0) or metre positions on the map (xy != 0); kinds cycle police,
 * fire, ambulance; ids C00, C01, ... so the index order is the given order. */
struct centres *make_centres_at(const double (*pos)[2], int xy, const int *active, int n);
/* make_centres_at() at metre positions. */
struct centres *make_centres(const double (*xy)[2], const int *active, int n);
/* Order labels_hit by (cost, centre), for qsort. */
int cmp_hit(const void *a, const void *b);

#endif
