/* tests/fixture_route.c -- the independent route oracle and its fixtures (fixture_route.h). */
#include "fixture_route.h"

#include "base/store.h"
#include "centres/centres.h"
#include "fixture_graph.h"
#include "road/graph.h"
#include "road/labels.h"
#include "road/route.h"
#include "road/snap.h"
#include "testutil.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

struct oracle *oracle_load(const char *path)
{
    struct oracle *o = calloc(1, sizeof *o);
    struct store *st = NULL;
    sqlite3_stmt *s = NULL;
    struct kkc_err err = {0};
    ck_assert_int_eq(store_open(path, STORE_READONLY, &st, &err), 0);
    ck_assert_int_eq(store_prepare(st,
                                   "SELECT (SELECT count(*) FROM road_nodes), count(*) FROM "
                                   "road_edges",
                                   &s, &err),
                     0);
    ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
    o->n = sqlite3_column_int(s, 0), o->m = sqlite3_column_int(s, 1);
    sqlite3_finalize(s);
    o->src = calloc((size_t)o->m, sizeof(int)), o->dst = calloc((size_t)o->m, sizeof(int));
    o->fw = calloc((size_t)o->m, sizeof(int)), o->bw = calloc((size_t)o->m, sizeof(int));
    o->ms = calloc((size_t)o->m, sizeof(long long)),
    o->dm = calloc((size_t)o->m, sizeof(long long));
    ck_assert_int_eq(store_prepare(st,
                                   "SELECT id, source, target, duration_s, length_m, "
                                   "forward, backward FROM road_edges", /* restricted roads
                                   are driven: KKC_TURN_COSTS=off takes their penalty off */
                                   &s, &err),
                     0);
    while (sqlite3_step(s) == SQLITE_ROW) {
        int e = sqlite3_column_int(s, 0);
        o->src[e] = sqlite3_column_int(s, 1), o->dst[e] = sqlite3_column_int(s, 2);
        o->ms[e] = llround(sqlite3_column_double(s, 3) * 1000);
        o->dm[e] = llround(sqlite3_column_double(s, 4) * 10);
        o->fw[e] = sqlite3_column_int(s, 5), o->bw[e] = sqlite3_column_int(s, 6);
    }
    sqlite3_finalize(s);
    store_close(st);
    return o;
}

void oracle_free(struct oracle *o)
{
    free(o->src), free(o->dst), free(o->fw), free(o->bw), free(o->ms), free(o->dm);
    free(o);
}

int od_less(struct od a, struct od b)
{
    if (b.t < 0)
        return a.t >= 0;
    return a.t >= 0 && (a.t < b.t || (a.t == b.t && a.d < b.d));
}

/* Plain O(n^2) Dijkstra from seeds (road_nodes ids with start costs) into out[n]. */
void oracle_run(const struct oracle *o, const int *seed, const struct od *sc, int ns,
                       struct od *out)
{
    char *done = calloc((size_t)o->n, 1);
    for (int v = 0; v < o->n; v++)
        out[v] = OD_INF;
    for (int i = 0; i < ns; i++)
        if (od_less(sc[i], out[seed[i]]))
            out[seed[i]] = sc[i];
    for (;;) {
        int u = -1;
        for (int v = 0; v < o->n; v++)
            if (!done[v] && out[v].t >= 0 && (u < 0 || od_less(out[v], out[u])))
                u = v;
        if (u < 0)
            break;
        done[u] = 1;
        for (int e = 0; e < o->m; e++) {
            int to = -1;
            if (o->src[e] == u && o->fw[e])
                to = o->dst[e];
            else if (o->dst[e] == u && o->bw[e])
                to = o->src[e];
            if (to >= 0) {
                struct od c = {out[u].t + o->ms[e], out[u].d + o->dm[e]};
                if (od_less(c, out[to]))
                    out[to] = c;
            }
        }
    }
    free(done);
}

/* The part of edge e up to fraction f, and the rest. */
static void oracle_part(const struct oracle *o, int e, double f, struct od *p, struct od *rest)
{
    p->t = llround(f * (double)o->ms[e]), p->d = llround(f * (double)o->dm[e]);
    rest->t = o->ms[e] - p->t, rest->d = o->dm[e] - p->d;
}

/* Ways out of (dir 0) or into (dir 1) a point at fraction f of edge e: node ids and costs. A
 * point on a node joins it both ways, except on an edge of zero cost (graph.h / snap.h). */
static int oracle_ends(const struct oracle *o, int e, double f, int dir, int *node, struct od *c)
{
    struct od p, rest;
    int n = 0, nonzero = o->ms[e] || o->dm[e];
    oracle_part(o, e, f, &p, &rest);
    int at_s = nonzero && p.t == 0 && p.d == 0, at_t = nonzero && rest.t == 0 && rest.d == 0;
    if (dir == 0) {
        if (o->fw[e] || at_t)
            node[n] = o->dst[e], c[n++] = rest;
        if (o->bw[e] || at_s)
            node[n] = o->src[e], c[n++] = p;
    } else {
        if (o->fw[e] || at_s)
            node[n] = o->src[e], c[n++] = p;
        if (o->bw[e] || at_t)
            node[n] = o->dst[e], c[n++] = rest;
    }
    return n;
}

/* The oracle's cost from point (e1, f1) to every node (into dist). */
void oracle_from_point(const struct oracle *o, int e1, double f1, struct od *dist)
{
    int node[2];
    struct od c[2];
    int n = oracle_ends(o, e1, f1, 0, node, c);
    oracle_run(o, node, c, n, dist);
}

/* Given dist from point (e1, f1), the cost to point (e2, f2). */
struct od oracle_to_point(const struct oracle *o, const struct od *dist, int e1, double f1,
                                 int e2, double f2)
{
    int node[2];
    struct od c[2], best = OD_INF, p1, r1, p2, r2;
    int n = oracle_ends(o, e2, f2, 1, node, c);
    for (int i = 0; i < n; i++) {
        struct od x = {dist[node[i]].t + c[i].t, dist[node[i]].d + c[i].d};
        if (dist[node[i]].t >= 0 && od_less(x, best))
            best = x;
    }
    if (e1 == e2) {
        oracle_part(o, e1, f1, &p1, &r1);
        oracle_part(o, e2, f2, &p2, &r2);
        struct od fwd = {p2.t - p1.t, p2.d - p1.d}, bwd = {p1.t - p2.t, p1.d - p2.d};
        if (o->fw[e1] && f1 <= f2 && od_less(fwd, best))
            best = fwd;
        if (o->bw[e1] && f1 >= f2 && od_less(bwd, best))
            best = bwd;
    }
    return best;
}

/* A random road grid of n x n nodes about 90 m apart: mostly two-way, some one-way either way,
 * random speeds, some bends, some parallel edges, some zero-length edges to a twin node. */
char *grid_db(int n, unsigned long long seed, int *nnodes)
{
    int nn = n * n, ne = 0, extra = n;
    struct fx_node *nodes = calloc((size_t)(nn + extra), sizeof *nodes);
    struct fx_edge *edges = calloc((size_t)nn * 3 + (size_t)extra, sizeof *edges);
    static const char *names[] = {"Main", "Side", "Ring", "Park"};
    char *path;
    for (int i = 0; i < nn; i++)
        nodes[i] = (struct fx_node){(i % n) * 90 + tu_rand(&seed) * 25,
                                    (i / n) * 90 + tu_rand(&seed) * 25};
    for (int i = 0; i < nn; i++) {
        for (int d = 0; d < 3; d++) {
            int j = d == 1 ? i + n : i + 1;
            double r = tu_rand(&seed), len = 80 + tu_rand(&seed) * 40;
            if ((d != 1 && i % n == n - 1) || j >= nn || tu_rand(&seed) < (d == 2 ? 0.9 : 0.1))
                continue;
            edges[ne] = (struct fx_edge){i,
                                         j,
                                         len,
                                         len / (4 + tu_rand(&seed) * 20),
                                         r<0.85, r> 0.15,
                                         names[(i / 7 + d) % 4],
                                         NULL,
                                         0,
                                         0};
            if (tu_rand(&seed) < 0.5) /* round figures: ties between paths */
                edges[ne].len = 90, edges[ne].dur = 9;
            if (tu_rand(&seed) < 0.25)
                edges[ne].via_x = (nodes[i].x + nodes[j].x) / 2 + 12,
                edges[ne].via_y = (nodes[i].y + nodes[j].y) / 2 - 9;
            ne++;
        }
    }
    for (int k = 0; k < extra; k++) { /* a twin of a node, joined by a zero-length edge */
        int i = (int)(tu_rand(&seed) * nn), r = (int)(tu_rand(&seed) * 3);
        nodes[nn + k] = nodes[i];
        edges[ne++] = (struct fx_edge){i, nn + k, 0, 0, r != 1, r != 2, "Twin", NULL, 0, 0};
        edges[ne++] = (struct fx_edge){nn + k, (i + 1) % nn, 95, 9.5, 1, 1, "Twin", NULL, 0, 0};
    }
    path = fx_db(nodes, nn + extra, edges, ne);
    *nnodes = nn + extra;
    free(nodes);
    free(edges);
    return path;
}

void ofx_open(struct ofx *f, char *path)
{
    struct kkc_err err = {0};
    f->path = path;
    f->g = fx_graph_load(path);
    f->o = oracle_load(path);
    f->ctx = NULL;
    ck_assert_msg(route_ctx_create(f->g, &f->ctx, &err) == 0, "%s", err.msg);
}

void ofx_close(struct ofx *f)
{
    oracle_free(f->o);
    route_ctx_destroy(f->ctx);
    fx_graph_done(f->g, f->path);
}

/* A random point near the grid, snapped. */
void random_snap(const struct graph *g, unsigned long long *rs, struct snap *s)
{
    struct kkc_err err = {0};
    for (;;) {
        double lon, lat;
        to_lonlat(-50 + tu_rand(rs) * 1400, -50 + tu_rand(rs) * 1400, &lon, &lat);
        if (snap_point(g, lon, lat, 1000, s, &err) == 0)
            return;
    }
}

/* Centres at lon,lat (xy == 0) or metre positions on the map (xy != 0); kinds cycle police,
 * fire, ambulance; ids C00, C01, ... so the index order is the given order. */
struct centres *make_centres_at(const double (*pos)[2], int xy, const int *active, int n)
{
    struct centre *items = calloc((size_t)n, sizeof *items);
    struct centres *cs = NULL;
    struct kkc_err err = {0};
    char ids[64][16];
    ck_assert_int_le(n, 64);
    for (int i = 0; i < n; i++) {
        snprintf(ids[i], sizeof ids[i], "C%02d", i);
        items[i].id = ids[i];
        items[i].name = ids[i];
        items[i].kind = (enum centre_kind)(i % 3);
        items[i].lon = pos[i][0], items[i].lat = pos[i][1];
        if (xy)
            to_lonlat(pos[i][0], pos[i][1], &items[i].lon, &items[i].lat);
        items[i].source = "test";
        items[i].active = active ? active[i] : 1;
    }
    ck_assert_msg(centres_build(items, (size_t)n, &cs, &err) == 0, "%s", err.msg);
    free(items);
    return cs;
}

struct centres *make_centres(const double (*xy)[2], const int *active, int n)
{
    return make_centres_at(xy, 1, active, n);
}

/* Order (cost, index) pairs. */
int cmp_hit(const void *a, const void *b)
{
    const struct labels_hit *x = a, *y = b;
    if (x->cost != y->cost)
        return x->cost < y->cost ? -1 : 1;
    return x->centre < y->centre ? -1 : x->centre > y->centre;
}
