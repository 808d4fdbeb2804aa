#!/usr/bin/python3
"""tests/scripts/route_oracle.py -- one extract: pgRouting's pgr_dijkstra against our routes.

Run by tests/scripts/route_oracle.sh with Debian's /usr/bin/python3 (psycopg2 from
python3-psycopg2). Reads road_edges of DB (a `kkc import --osm` database) with plain sqlite3,
loads them into a PostgreSQL table (cost = duration_s where forward else -1, reverse_cost =
duration_s where backward else -1; access=private rows closed), draws PAIRS random node pairs (fixed seed), asks
pgr_dijkstra (directed, one call with a combinations query) for their costs and route_pairs for
ours, and compares: the same pairs unreachable, and durations within 0.1 %. Our costs are
summed in whole milliseconds per edge (geo/road/graph.h), so a difference of at most 0.5 ms per edge
of pgRouting's path is also accepted (counted separately: it only matters on very short paths).
Exit status 0 when everything agrees, 1 otherwise."""
import argparse
import io
import random
import re
import sqlite3
import subprocess
import sys
import time

import psycopg2


def read_edges(db):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    # restricted rows (destination, private, ...) are driven: KKC_TURN_COSTS=off, which the
    # script serves with, takes their penalty off (geo/road/turn.h)
    rows = con.execute("SELECT id, source, target, duration_s, forward, backward "
                       "FROM road_edges").fetchall()
    con.close()
    return rows


def draw_pairs(edges, n, seed):
    nodes = sorted({e[1] for e in edges} | {e[2] for e in edges})
    rnd = random.Random(seed)
    pairs = set()
    while len(pairs) < n:
        a, b = rnd.choice(nodes), rnd.choice(nodes)
        if a != b:
            pairs.add((a, b))
    return sorted(pairs)


def copy_rows(cur, table, rows):
    buf = io.StringIO()
    for r in rows:
        buf.write("\t".join(repr(x) for x in r) + "\n")
    buf.seek(0)
    cur.copy_from(buf, table)


def connect(port):
    """An autocommit connection to the cluster on 127.0.0.1:port."""
    pg = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
    pg.autocommit = True
    return pg


def load_edges(cur, table, edges):
    """PostGIS and pgRouting in the database, edges in a new table (id, source, target, cost,
    reverse_cost: duration_s, -1 for a closed direction), as pgr_dijkstra and pgr_trsp read them."""
    cur.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    cur.execute("CREATE EXTENSION IF NOT EXISTS pgrouting")
    cur.execute(f"DROP TABLE IF EXISTS {table}")
    cur.execute(f"CREATE TABLE {table} (id bigint, source bigint, target bigint, cost float8, "
                "reverse_cost float8)")
    copy_rows(cur, table, [(i, s, t, d if f else -1.0, d if b else -1.0)
                           for i, s, t, d, f, b in edges])


def pgrouting_costs(port, name, edges, pairs):
    """{(a, b): (agg_cost, hops)} for the reachable pairs, and the seconds pgr_dijkstra took."""
    pg = connect(port)
    cur = pg.cursor()
    et, pt = "edges_" + name, "pairs_" + name
    load_edges(cur, et, edges)
    cur.execute(f"DROP TABLE IF EXISTS {pt}")
    cur.execute(f"CREATE TABLE {pt} (source bigint, target bigint)")
    copy_rows(cur, pt, pairs)
    t0 = time.monotonic()
    cur.execute(f"SELECT start_vid, end_vid, agg_cost, path_seq FROM pgr_dijkstra("
                f"'SELECT id, source, target, cost, reverse_cost FROM {et}', "
                f"'SELECT source, target FROM {pt}', true) WHERE edge = -1")
    got = {(a, b): (c, seq - 1) for a, b, c, seq in cur.fetchall()}
    took = time.monotonic() - t0
    cur.execute(f"DROP TABLE {et}, {pt}")
    pg.close()
    return got, took


def run_pairs(tool, db, pairs):
    """Run `tool DB` with the pairs on its stdin ("a b" lines): {(a, b): duration_s or None (a
    negative duration)}, {(a, b): the rest of its line, split}, and the seconds it took."""
    t0 = time.monotonic()
    out = subprocess.run([tool, db], input="".join(f"{a} {b}\n" for a, b in pairs),
                         capture_output=True, text=True, check=True).stdout
    took = time.monotonic() - t0
    got, rest = {}, {}
    for line in out.splitlines():
        a, b, d, *more = line.split()
        got[(int(a), int(b))] = None if float(d) < 0 else float(d)
        rest[(int(a), int(b))] = more
    return got, rest, took


def parse_args(tool_option, seed):
    """The options of an oracle (tool_option: the flag naming our tool), and its --name made
    safe for a table name."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument(tool_option, required=True)
    ap.add_argument("--pairs", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=seed)
    a = ap.parse_args()
    return a, re.sub(r"[^a-z0-9]", "_", a.name.lower())


def compare(pairs, ours, theirs, who, judge):
    """Ours ({pair: duration or None}) against theirs ({pair: (cost, hops)}, a pair missing:
    unreachable) over pairs: the disagreements, the count routed by both, the count unreachable
    for both. judge(pair, ours, cost, hops) says what is wrong with a pair both route, or None."""
    bad, both, none = [], 0, 0
    for p in pairs:
        o, r = ours.get(p, "missing"), theirs.get(p)
        if r is None:
            none += o is None
            if o is not None:
                bad.append(f"{p}: ours {o} s, {who}: unreachable")
            continue
        if o is None or o == "missing":
            bad.append(f"{p}: ours {o}, {who} {r[0]:.3f} s")
            continue
        both += 1
        wrong = judge(p, o, *r)
        if wrong:
            bad.append(wrong)
    return bad, both, none


def report(summary, bad):
    """Print summary and the first ten disagreements: the exit status (1 on any)."""
    print(summary)
    for line in bad[:10]:
        print("  " + line)
    return 1 if bad else 0


def main():
    a, name = parse_args("--route-pairs", 20261125)
    edges = read_edges(a.db)
    pairs = draw_pairs(edges, a.pairs, a.seed)
    pg, pg_s = pgrouting_costs(a.port, name, edges, pairs)
    ours, rest, our_s = run_pairs(a.route_pairs, a.db, pairs)
    if any(len(r) != 1 for r in rest.values()):
        raise ValueError("route_pairs printed a line that is not 'a b duration_s hops'")

    m = {"by_abs": 0, "rel": 0.0, "abs": 0.0}

    def judge(p, o, cost, hops):
        diff = abs(o - cost)
        m["abs"] = max(m["abs"], diff)
        if cost > 0:
            m["rel"] = max(m["rel"], diff / cost)
        if diff <= 0.001 * cost:
            return None
        if diff <= 0.0005 * hops + 1e-9:
            m["by_abs"] += 1
            return None
        return f"{p}: ours {o:.3f} s, pgRouting {cost:.3f} s over {hops} edges"

    bad, both, none = compare(pairs, ours, pg, "pgRouting", judge)
    return report(f"{a.name}: {len(edges)} edges, {len(pairs)} pairs: {both} routed by both, "
                  f"{none} unreachable for both, {len(bad)} disagreements; max difference "
                  f"{m['rel'] * 100:.4f} % / {m['abs'] * 1000:.2f} ms ({m['by_abs']} within "
                  f"0.5 ms per edge only); pgr_dijkstra {pg_s:.2f} s, ours {our_s:.2f} s with "
                  "the graph load", bad)


if __name__ == "__main__":
    sys.exit(main())
