#!/usr/bin/python3
"""tests/scripts/trsp_oracle.py -- one extract: pgRouting's pgr_trsp against our turn-aware graph.

Run by tests/scripts/route_oracle.sh. The edges are exported as for pgr_dijkstra
(route_oracle.read_edges); the restrictions are rebuilt here from road_restrictions, road_edges
and road_nodes, independently of the C code: via a node, the from-way's and the to-way's edges at
that node (no_*: each pair [from, to] forbidden; only_*: every other edge at the node after
`from`); via ways, the edges of the via ways in driving order from the from-way to the to-way
([from, via..., to] forbidden, only_*: every other exit at the end). A restricted path costs
1e6 s in pgr_trsp, so a cost >= 1e6 counts as unreachable. Ours: tests/tools/turn_pairs (every
turn free, no u-turn back onto the same edge: pgr_trsp takes none). Equal within 0.1 % or 0.5 ms per edge.
Exit status 0 when everything agrees, 1 otherwise."""
import sqlite3
import sys
import time
from collections import defaultdict

import psycopg2

import route_oracle as ro

FORBIDDEN = 1e6


def way_edges(con):
    """{way: [(edge, source, target) in id order]}, {road node: [incident edges]}."""
    ways, at = defaultdict(list), defaultdict(list)
    for e, w, s, t, f, b, r in con.execute(
            "SELECT id, osm_way_id, source, target, forward, backward, restricted "
            "FROM road_edges ORDER BY id"):
        if not (f or b):  # restricted rows are driven (no penalty on the oracle's graph)
            continue
        ways[w].append((e, s, t))
        at[s].append(e)
        at[t].append(e)
    return ways, at


def way_walk(edges, x):
    """The edge ids of a way from node x to its other end, and that end (None: x not an end)."""
    if not edges:
        return None, None
    if edges[0][1] == x:
        return [e for e, _, _ in edges], edges[-1][2]
    if edges[-1][2] == x:
        return [e for e, _, _ in reversed(edges)], edges[0][1]
    return None, None


def end_edge(edges, x):
    """The edge of a way that touches node x (as an end), or None."""
    for e, s, t in edges:
        if x in (s, t):
            return e
    return None


def via_node_paths(kind, fe, te, others):
    if kind.startswith("only_"):
        return [[f, x] for f in fe for x in others if x not in te]
    return [[f, t] for f in fe for t in te]


def via_way_paths(kind, ways, at, frm, vias, to):
    paths = []
    for f_e, f_s, f_t in ways[frm]:
        for x in (f_s, f_t):
            seq, cur, ok = [f_e], x, True
            for v in vias:
                walk, cur2 = way_walk(ways[v], cur)
                if walk is None:
                    ok = False
                    break
                seq += walk
                cur = cur2
            t = end_edge(ways[to], cur) if ok else None
            if t is None or len(seq) < 2:
                continue
            exits = [y for y in at[cur] if y != seq[-1]] if kind.startswith("only_") else [t]
            paths += [seq + [y] for y in exits if (y != t) == kind.startswith("only_")]
    return paths


def restrictions(db):
    """[[edge, ...] forbidden paths], number of restrictions used, number skipped."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    ways, at = way_edges(con)
    node = defaultdict(list)
    for i, o in con.execute("SELECT id, osm_id FROM road_nodes"):
        node[o].append(i)
    out, used, skipped = [], 0, 0
    for kind, frm, vn, vw, to in con.execute(
            "SELECT kind, from_way, via_node, via_ways, to_way FROM road_restrictions "
            "WHERE problem IS NULL"):
        if vn is not None:
            v = node.get(vn, [])
            if len(v) != 1:
                skipped += 1
                continue
            fe = [e for e, s, t in ways[frm] if v[0] in (s, t)]
            te = [e for e, s, t in ways[to] if v[0] in (s, t)]
            p = via_node_paths(kind, fe, te, at[v[0]]) if fe and te else []
        else:
            p = via_way_paths(kind, ways, at, frm, [int(x) for x in vw.split()], to)
        used += bool(p)
        skipped += not p
        out += [q for q in p if len(set(q)) == len(q)]
    out += twin_uturns(con)
    con.close()
    return out, used, skipped


def twin_uturns(con):
    """A way stored as one row per direction (its speeds or access differ by direction) is one
    road to the turn graph: turning from one row onto its twin is a u-turn, and the graph this
    oracle compares (turn_pairs: every turn free, no u-turn anywhere) has none; pgr_trsp sees two
    edges, so those turns are forbidden paths here."""
    rows = list(con.execute("SELECT id, source, target, osm_way_id, forward, backward "
                            "FROM road_edges"))
    by_way = defaultdict(list)  # the driven segments (edge, from, to) of each way
    for e, s, t, w, fw, bw in rows:
        if fw:
            by_way[w].append((e, s, t))
        if bw:
            by_way[w].append((e, t, s))
    paths = []
    for segs in by_way.values():
        for e1, a1, b1 in segs:
            for e2, a2, b2 in segs:
                if e1 != e2 and a2 == b1 and b2 == a1:
                    paths.append([e1, e2])
    return paths


def reconnect(port):
    for _ in range(60):
        try:
            return ro.connect(port)
        except psycopg2.OperationalError:
            time.sleep(0.5)
    raise RuntimeError("PostgreSQL did not come back after a pgr_trsp crash")


def path_valid(rows, a, b, by_id):
    """Whether pgr_trsp's rows (node, edge, cost, agg_cost) are a path from a to b over edges
    driven in an open direction, their costs summing to the total. pgRouting 3.4.2's pgr_trsp,
    which crashes on some pairs, once answered 8.7 s "over one edge" between two nodes that no
    edge joins: such an answer is set aside with the crashes instead of being compared."""
    if rows[0][0] != a or rows[-1][0] != b or rows[-1][1] != -1:
        return False
    total = 0.0
    for (n, e, c, _), nxt in zip(rows, rows[1:]):
        _, s, t, d, f, bw = by_id.get(e, (None, None, None, None, 0, 0))
        if not ((f and n == s and nxt[0] == t) or (bw and n == t and nxt[0] == s)):
            return False
        if abs(c - d) > 1e-6 * max(1.0, d):
            return False
        total += c
    return abs(total - rows[-1][3]) <= 1e-6 * max(1.0, total)


def trsp_costs(port, name, edges, paths, pairs):
    pg = ro.connect(port)
    cur = pg.cursor()
    et, rt = "tedges_" + name, "trestr_" + name
    ro.load_edges(cur, et, edges)
    cur.execute(f"DROP TABLE IF EXISTS {rt}")
    cur.execute(f"CREATE TABLE {rt} (id serial, path bigint[], cost float8)")
    for p in paths:
        cur.execute(f"INSERT INTO {rt} (path, cost) VALUES (%s, %s)", (p, FORBIDDEN))
    got, crashed, t0 = {}, [], time.monotonic()
    by_id = {e[0]: e for e in edges}
    for a, b in pairs:
        try:
            cur.execute(f"SELECT node, edge, cost, agg_cost FROM pgr_trsp("
                        f"'SELECT id, source, target, cost, reverse_cost FROM {et}', "
                        f"'SELECT id, path, cost FROM {rt}', %s, %s, true) ORDER BY seq",
                        (a, b))
        except psycopg2.OperationalError: # pgRouting 3.4.2's pgr_trsp kills its backend on
            crashed.append((a, b))         # some pairs: wait for the recovery, go on
            pg = reconnect(port)
            cur = pg.cursor()
            continue
        rows = cur.fetchall()
        if rows and rows[-1][3] < FORBIDDEN:
            if not path_valid(rows, a, b, by_id):
                crashed.append((a, b))     # a path that is not one (seen once): not an answer
                continue
            got[(a, b)] = (rows[-1][3], len(rows) - 1)
    took = time.monotonic() - t0
    cur.execute(f"DROP TABLE {et}, {rt}")
    pg.close()
    return got, took, crashed


def violation(route, paths):
    """The first forbidden path that occurs in route (consecutive edges), or None."""
    for p in paths:
        k = len(p)
        for i in range(len(route) - k + 1):
            if route[i:i + k] == p:
                return p
    return None


def main():
    a, name = ro.parse_args("--turn-pairs", 20261202)
    edges = ro.read_edges(a.db)
    pairs = ro.draw_pairs(edges, a.pairs, a.seed)
    paths, used, skipped = restrictions(a.db)
    pg, pg_s, crashed = trsp_costs(a.port, name, edges, paths, pairs)
    pairs = [p for p in pairs if p not in set(crashed)]
    ours, rest, _ = ro.run_pairs(a.turn_pairs, a.db, pairs)
    routes = {p: [int(e) for e in reversed(more)] for p, more in rest.items()}

    def judge(p, o, cost, hops):
        diff = abs(o - cost)
        if diff <= 0.001 * cost or diff <= 0.0005 * hops + 1e-9:
            return None
        v, rt = violation(routes[p], paths), routes[p]
        uturn = any(rt[i] == rt[i + 1] for i in range(len(rt) - 1))
        return (f"{p}: ours {o:.3f} s, pgr_trsp {cost:.3f} s over {hops} edges; ours "
                + (f"drives the forbidden {v}" if v else "breaks no restriction")
                + (", with a u-turn on one edge" if uturn else ""))

    bad, both, none = ro.compare(pairs, ours, pg, "pgr_trsp", judge)
    return ro.report(f"{a.name} (pgr_trsp): {len(paths)} forbidden paths from {used} "
                     f"restrictions ({skipped} not rebuilt), {len(pairs)} pairs: {both} routed "
                     f"by both, {none} unreachable for both, {len(bad)} disagreements, "
                     f"{len(crashed)} pairs pgr_trsp crashed on or answered with a broken path "
                     f"(not compared); pgr_trsp {pg_s:.2f} s", bad)


if __name__ == "__main__":
    sys.exit(main())
