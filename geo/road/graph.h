/* geo/road/graph.h -- the road graph in memory (query side), loaded once from the store.
 *
 * graph_load() reads road_nodes and road_edges into compact arrays: nodes renumbered along a
 * Hilbert curve (so nodes close on the map are close in memory), forward and reverse adjacency
 * in CSR form with 32-bit ids, per-edge costs, names and refs in one interned string table, all
 * edge geometries in one flat coordinate array, a grid over the segments of the edges a point may
 * snap to (those of the largest strongly connected component), and landmark tables for the A*
 * heuristic. After graph_load() returns nothing in a struct graph changes: any number of threads
 * may read one graph without locks. Per-query scratch lives elsewhere (struct route_ctx).
 *
 * Costs. Every search compares and adds a graph_cost, three fields in one 64-bit integer, most
 * significant first: the penalty count (bits 59..63: how many times the route turned from a road
 * open to all onto a restricted one, access=destination / private / delivery / customers, car.lua's
 * max_turn_weight), the driving time in milliseconds (bits 27..58) and the distance in decimetres
 * (bits 0..26). Adding costs adds the fields, and comparing them as integers orders by penalties,
 * then time, then distance: a route drives a restricted road only where it has to (at its start
 * or end), and the time reported is the time driven (graph_cost_ms ignores the penalties). So
 * every search (route, labels, landmarks, the hierarchy) agrees exactly on the value of an
 * optimum: they all add the same 64-bit integers, and that addition is associative. Limits per
 * path (not per graph: the network may be any size): 31 penalties (more wrap: the hierarchy's
 * sums saturate there, the others use graph_cost_add), 49 days of driving, and 13,421 km, past
 * which the distance would carry 1 ms into the time part; no road route comes near them (a
 * single edge is refused over 5,000 km). Edge costs carry no penalty: only turns do (tnet.h).
 *
 * Road classes. edge_class[e] is the road class of road_edges.highway (enum graph_road_class, with
 * GRAPH_CLASS_LINK for the _link roads) and edge_roundabout[e] is road_edges.roundabout (a
 * database without that column loads with no roundabouts): what the OSRM maneuvers need.
 *
 * Ids. Edge ids are road_edges.id. Node indices are internal (0..node_count-1, Hilbert order);
 * graph_node_dbid() / graph_node_from_dbid() convert to and from road_nodes.id. */
#ifndef KKC_GRAPH_H
#define KKC_GRAPH_H

#include "base/err.h"

#include <stddef.h>
#include <stdint.h>

struct store;
struct turn_costs;

typedef uint64_t graph_cost;
#define GRAPH_COST_INF UINT64_MAX
#define GRAPH_NONE UINT32_MAX

#define GRAPH_COST_MS_SHIFT 27
#define GRAPH_COST_DM_MASK ((1u << GRAPH_COST_MS_SHIFT) - 1)
#define GRAPH_COST_PENALTY_SHIFT 59
#define GRAPH_COST_PENALTY ((graph_cost)1 << GRAPH_COST_PENALTY_SHIFT) /* one penalty */

/* The cost of ms milliseconds and dm decimetres (dm < 2^27), no penalty. */
static inline graph_cost graph_cost_make(uint32_t ms, uint32_t dm)
{
    return ((graph_cost)ms << GRAPH_COST_MS_SHIFT) | (dm & GRAPH_COST_DM_MASK);
}
/* The time part (ms; UINT32_MAX for GRAPH_COST_INF), the distance part (dm), the penalties. */
static inline uint32_t graph_cost_ms(graph_cost c)
{
    return (uint32_t)(c >> GRAPH_COST_MS_SHIFT);
}
static inline uint32_t graph_cost_dm(graph_cost c)
{
    return (uint32_t)c & GRAPH_COST_DM_MASK;
}
static inline uint32_t graph_cost_penalties(graph_cost c)
{
    return (uint32_t)(c >> GRAPH_COST_PENALTY_SHIFT);
}
static inline double graph_cost_seconds(graph_cost c)
{
    return (double)graph_cost_ms(c) / 1000.0;
}
static inline double graph_cost_metres(graph_cost c)
{
    return (double)graph_cost_dm(c) / 10.0;
}
/* a + b, GRAPH_COST_INF when either is or the sum wraps (over 31 penalties). */
static inline graph_cost graph_cost_add(graph_cost a, graph_cost b)
{
    graph_cost s = a + b;
    return a == GRAPH_COST_INF || b == GRAPH_COST_INF || s < a ? GRAPH_COST_INF : s;
}

/* Edge flags. */
enum {
    GRAPH_FORWARD = 1,   /* drivable source -> target */
    GRAPH_BACKWARD = 2,  /* drivable target -> source */
    GRAPH_SNAPPABLE = 4, /* both ends in the largest strongly connected component */
    GRAPH_RESTRICTED = 8, /* road_edges.restricted: destination, private, ... (car.h) */
    GRAPH_NO_START = 16,  /* highway=service + private: car.lua's service_access_tag_blacklist
                             (is_startpoint false): driven, never snapped onto */
    /* emergency vehicles may drive it (road_edges.emergency; service_profile.h): an edge with
     * these and neither GRAPH_FORWARD nor GRAPH_BACKWARD is closed to the car, has no arcs in
     * out[] / in[], and is in the turn graph (turn.h) for the emergency profiles only */
    GRAPH_EMERGENCY_FORWARD = 32,
    GRAPH_EMERGENCY_BACKWARD = 64,
};

/* Road classes (edge_class & GRAPH_CLASS_MASK), from road_edges.highway, most important first. */
enum graph_road_class {
    GRAPH_CLASS_MOTORWAY,
    GRAPH_CLASS_TRUNK,
    GRAPH_CLASS_PRIMARY,
    GRAPH_CLASS_SECONDARY,
    GRAPH_CLASS_TERTIARY,
    GRAPH_CLASS_UNCLASSIFIED,
    GRAPH_CLASS_RESIDENTIAL,
    GRAPH_CLASS_SERVICE,
    GRAPH_CLASS_LIVING_STREET,
    GRAPH_CLASS_OTHER, /* a highway value a profile file made routable (track, ...) */
};
#define GRAPH_CLASS_MASK 0x0f
#define GRAPH_CLASS_LINK 0x10 /* set with the base class for motorway_link, trunk_link, ... */

/* One arc of the adjacency. In out-arcs `node` is the head; in in-arcs it is the tail. `edge` is
 * the edge id shifted left by one, low bit set when the arc runs target -> source. */
struct graph_arc {
    uint32_t node;
    uint32_t edge;
    graph_cost cost;
};

struct graph {
    uint32_t node_count, edge_count;
    uint32_t main_scc_nodes; /* nodes in the largest strongly connected component */

    /* Nodes (internal order). */
    double *node_lonlat;    /* 2 per node */
    uint32_t *node_dbid;    /* road_nodes.id of each node */
    uint32_t *node_of_dbid; /* the inverse */
    uint32_t *out_first;    /* node_count + 1 offsets into out[] */
    struct graph_arc *out;  /* out-arcs of v: out[out_first[v] .. out_first[v + 1]) */
    uint32_t *in_first;     /* same for in-arcs */
    struct graph_arc *in;

    /* Edges (by road_edges.id). */
    uint32_t *edge_source, *edge_target;     /* internal node indices */
    graph_cost *edge_cost;                   /* of a whole traversal, either direction */
    double *edge_length_m, *edge_duration_s; /* as stored */
    uint8_t *edge_flags;
    uint32_t *edge_name, *edge_ref; /* string ids, see graph_string() */
    uint8_t *edge_class;            /* enum graph_road_class, | GRAPH_CLASS_LINK for a _link */
    uint8_t *edge_roundabout;       /* 1: part of a roundabout (junction=roundabout|circular) */
    uint32_t *edge_coord_first;     /* edge_count + 1 offsets into coords (points) */
    double *coords;                 /* lon,lat pairs of all geometries, source -> target */
    double *coord_along;            /* metres from the edge's start, per point */
    uint32_t *coord_edge;           /* edge of each point */
    /* Per road key (edge << 1 | 1 at the edge's target end, 0 at its source), in whole degrees
     * 0..359: the bearing of leaving the end node (its node_lonlat) along the edge, towards the
     * first point that differs, and of arriving at the node from that point (graph_bearing());
     * graph_road_bearing(), graph_end_bearing(). Shared by graph copies. */
    int16_t *road_bearing, *road_arrival;

    /* Strings: id 0 is "". */
    char *strings;
    uint32_t *string_off;
    uint32_t string_count;

    /* Snapping grid (used by snap.c): cells of grid_dlon x grid_dlat degrees from grid_lon0,
     * grid_lat0; cell (x, y) lists the first points of the segments crossing it in
     * grid_items[grid_first[y * grid_nx + x] ..]. */
    double grid_lon0, grid_lat0, grid_dlon, grid_dlat;
    uint32_t grid_nx, grid_ny;
    uint32_t *grid_first;
    uint32_t *grid_items;

    /* Landmarks (used by route.c): for node v, lm_dist[v * 2L + i] is the time in ms from
     * landmark i to v and lm_dist[v * 2L + L + i] from v to landmark i; UINT32_MAX unreachable. */
    uint32_t lm_count;
    uint32_t *lm_node;
    uint32_t *lm_dist;

    /* The customizable hierarchy (road_ch.h) that routes, tables and nearest-by-time use when
     * present; NULL: they search the graph itself (A* / Dijkstra, the baseline). */
    struct road_ch *ch;

    /* The turn-aware graph every search runs on (turn.h, tnet.h): built at load from the store's
     * restrictions, signals and turn costs; shared (not owned) by graph copies. */
    struct turn_graph *turn;
};

#define GRAPH_LANDMARKS_DEFAULT 16
#define GRAPH_LANDMARKS_MAX 64

struct graph_options {
    uint32_t landmarks;          /* 0 = none (plain Dijkstra); at most GRAPH_LANDMARKS_MAX */
    int hierarchy;               /* 1: build (or map) the customizable hierarchy, g->ch */
    const char *hierarchy_cache; /* its cache file (NULL: none), keyed by the data version */
    const struct turn_costs *turns; /* NULL: the store's (meta turn_*), else car.lua's defaults */
};

/* Load the road graph from st with the default options. On success *out is the caller's,
 * released with graph_destroy(). Returns KKC_ENOTFOUND when the store has no road edges,
 * KKC_EINVAL for an inconsistent row (ids not dense, unknown node, bad geometry or numbers),
 * KKC_ETOOBIG over the limits above, KKC_EDB, KKC_ENOMEM. */
enum kkc_code graph_load(struct store *st, struct graph **out, struct kkc_err *err);
/* The same with options (NULL = defaults). */
enum kkc_code graph_load_opts(struct store *st, const struct graph_options *o, struct graph **out,
                              struct kkc_err *err);
/* Recompute GRAPH_SNAPPABLE (and main_scc_nodes) from the current arcs: for a graph changed after
 * loading, before it is shared (geo/closures/overlay.c). KKC_ENOMEM. */
enum kkc_code graph_remark_snappable(struct graph *g, struct kkc_err *err);
/* Free g; NULL is a no-op. */
void graph_destroy(struct graph *g);

uint32_t graph_node_count(const struct graph *g);
uint32_t graph_edge_count(const struct graph *g);
/* road_nodes.id of internal node v. */
uint32_t graph_node_dbid(const struct graph *g, uint32_t v);
/* Internal index of road_nodes.id dbid, or GRAPH_NONE when out of range. */
uint32_t graph_node_from_dbid(const struct graph *g, uint32_t dbid);
/* String id s (an edge_name / edge_ref value); "" for 0. Borrowed for the graph's life. */
const char *graph_string(const struct graph *g, uint32_t s);

/* The edge_class value of a road_edges.highway value: its enum graph_road_class, with
 * GRAPH_CLASS_LINK for "<class>_link"; GRAPH_CLASS_OTHER for NULL and any other value. */
uint8_t graph_class_of(const char *highway);

/* Metres per degree of longitude (*kx) and latitude (*ky) at latitude lat on the WGS84
 * ellipsoid: a local approximation good to ~1e-4 relative within a few kilometres. */
void graph_metres_per_degree(double lat, double *kx, double *ky);

/* Initial bearing from a to b (lon, lat), rounded to a whole degree 0..359 (0 when equal). */
int graph_bearing(const double *a, const double *b);
/* The bearing of road `key` (as road_bearing above) leaving the point loc: towards its first
 * point that differs from loc; 0 when none does. From the table when loc is the key's node. */
int graph_road_bearing(const struct graph *g, uint32_t key, const double *loc);

/* graph_bearing(a, b) of a segment at the end of road `key`: leaving its node (a the node, b the
 * road's first point that differs) or arriving (b the node, a that point); from the tables when
 * it is one of those, else computed. */
int graph_end_bearing(const struct graph *g, uint32_t key, const double *a, const double *b);

/* ---- searches -------------------------------------------------------------------------------- */

/* A point where a search starts (or ends): a node and the cost already spent to get there. */
struct graph_seed {
    uint32_t node;
    graph_cost cost;
};

/* Heap of (key, aux, node) with lazy deletion, ordered by key then aux; the searches of graph.c,
 * labels.c and coverage/reach.c share it (route.c keeps its own). Zero-initialise, then reserve;
 * graph_heap_free releases. */
struct graph_heap_item {
    graph_cost key;
    uint32_t node;
    uint32_t aux;
};
struct graph_heap {
    struct graph_heap_item *items;
    size_t len, cap;
};
/* Make room for cap items; KKC_ENOMEM on failure. */
enum kkc_code graph_heap_reserve(struct graph_heap *h, size_t cap, struct kkc_err *err);
/* Push; grows the heap when full. Returns 0, or -1 when out of memory. */
int graph_heap_push(struct graph_heap *h, graph_cost key, uint32_t node, uint32_t aux);
/* Remove the smallest item into *it. The heap must not be empty. */
void graph_heap_pop(struct graph_heap *h, struct graph_heap_item *it);
void graph_heap_free(struct graph_heap *h);

/* One-to-all search from seeds over out-arcs (reverse == 0: costs from the seeds to each node)
 * or in-arcs (reverse != 0: costs from each node to the seeds). out[node_count] receives the
 * costs, GRAPH_COST_INF where unreached. KKC_ENOMEM on allocation failure. */
enum kkc_code graph_search_all(const struct graph *g, const struct graph_seed *seeds, size_t nseeds,
                               int reverse, graph_cost *out, struct kkc_err *err);

#endif
