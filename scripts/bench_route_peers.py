#!/usr/bin/python3
"""scripts/bench_route_peers.py -- the peers' side of `scripts/bench route` and `isochrone`.

Run by scripts/bench with Debian's /usr/bin/python3 (sqlite3 that loads mod_spatialite,
psycopg2 from python3-psycopg2). Every query is timed on its own with time.perf_counter() in
one long-lived connection; prints median / p90 / p99 in microseconds and RESULT lines.

  spatialite --net NET.sqlite --kkc-db DB --pairs FILE [--targets 50] [--reach-from LON,LAT]
      VirtualRouting (roads_net, made by spatialite_osm_net + CreateRouting): the pairs of FILE
      (our road_nodes ids, mapped through road_nodes.osm_id to the OSM node ids SpatiaLite's
      graph uses, then through roads_nodes.osm_id to its node_id; pairs with a node SpatiaLite does not have are left out and counted), with
      Options 'Full' (geometry) and 'No Geometries', then one source to 50 targets (NodeTo IN),
      and with --reach-from "all nodes within 600 s" from the node nearest that point.
  pgrouting --port P --kkc-db DB --pairs FILE [--queries 200] [--reach-from LON,LAT]
      loads OUR road_edges (cost = duration_s forward else -1, reverse_cost likewise, geometry
      in EPSG:4326 and UTM 32N) into the running cluster, then pgr_dijkstra per pair with the
      path's geometry joined, pgr_dijkstraCost one to 50, and with --reach-from
      pgr_drivingDistance(600 s) alone, with ST_Union of the reached edges buffered by 25 m,
      and with ST_ConcaveHull of the reached nodes."""
import argparse
import io
import random
import sqlite3
import sys
import time


def stats(label, key, t, extra=""):
    t = sorted(t)
    n = len(t)
    if n == 0:
        print(f"  {label:<44} no samples")
        return
    med, p90, p99 = t[n // 2], t[n * 9 // 10], t[n * 99 // 100]
    print(f"  {label:<44} median {med:10.1f} us   p90 {p90:10.1f} us   p99 {p99:10.1f} us   (n={n}){extra}")
    print(f"RESULT {key} median_us={med:.1f} p99_us={p99:.1f} n={n}")


def read_pairs(path):
    with open(path) as f:
        return [(int(a), int(b), float(x1), float(y1), float(x2), float(y2))
                for a, b, x1, y1, x2, y2 in (line.split() for line in f if line.strip())]


def kkc_db(path):
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    con.enable_load_extension(True)
    con.load_extension("mod_spatialite")
    return con


def nearest_node(kcon, lonlat):
    lon, lat = (float(v) for v in lonlat.split(","))
    return kcon.execute("SELECT id, osm_id FROM road_nodes ORDER BY "
                        "(X(geom)-?)*(X(geom)-?)+(Y(geom)-?)*(Y(geom)-?) LIMIT 1",
                        (lon, lon, lat, lat)).fetchone()


def timed(cur, sql, args=()):
    t0 = time.perf_counter()
    rows = cur.execute(sql, args).fetchall()
    return (time.perf_counter() - t0) * 1e6, rows


def run_spatialite(a):
    kcon = kkc_db(a.kkc_db)
    osm = dict(kcon.execute("SELECT id, osm_id FROM road_nodes"))
    con = sqlite3.connect(a.net)
    con.enable_load_extension(True)
    con.load_extension("mod_spatialite")
    cur = con.cursor()
    sl = dict(cur.execute("SELECT osm_id, node_id FROM roads_nodes"))
    have = set(sl.values())
    pairs = [(sl.get(osm[p[0]]), sl.get(osm[p[1]])) for p in read_pairs(a.pairs)]
    kept = [p for p in pairs if p[0] is not None and p[1] is not None]
    print(f"  SpatiaLite graph: {len(have)} nodes; {len(kept)} of {len(pairs)} of our pairs have both "
          f"ends in it (the others left out)")
    for opt, key, label in (("Full", "spatialite_route_geometry", "VirtualRouting route, Options='Full'"),
                            ("No Geometries", "spatialite_route_cost",
                             "VirtualRouting route, 'No Geometries'")):
        cur.execute("UPDATE roads_net SET Options = ?", (opt,))
        t, unreach = [], 0
        for s, d in kept:
            us, rows = timed(cur, "SELECT * FROM roads_net WHERE NodeFrom = ? AND NodeTo = ?", (s, d))
            t.append(us)
            unreach += any(r[1] == "Unreachable NodeTo" or (isinstance(r[0], str) and "Unreach" in r[0])
                           for r in rows[:1])
        stats(label, key, t, f"  unreachable {unreach}")
    cur.execute("UPDATE roads_net SET Options = 'No Geometries'")
    rnd = random.Random(a.seed)
    nodes = sorted({p[1] for p in kept})
    t = []
    for s, _ in kept[:a.many_queries]:
        tg = rnd.sample(nodes, min(a.targets, len(nodes)))
        sql = ("SELECT * FROM roads_net WHERE NodeFrom = ? AND NodeTo IN (" +
               ",".join("?" * len(tg)) + ")")
        us, _ = timed(cur, sql, [s] + tg)
        t.append(us)
    stats(f"one to {a.targets} targets (NodeTo IN), no geometries", "spatialite_one_to_many", t)
    if a.reach_from:
        src = sl.get(nearest_node(kcon, a.reach_from)[1])
        if src is None:  # the nearest node SpatiaLite has
            lon, lat = (float(v) for v in a.reach_from.split(","))
            src = cur.execute("SELECT node_id FROM roads_nodes ORDER BY "
                              "(X(geometry)-?)*(X(geometry)-?)+(Y(geometry)-?)*(Y(geometry)-?) LIMIT 1",
                              (lon, lon, lat, lat)).fetchone()[0]
        t = []
        n = 0
        for _ in range(a.rounds):
            us, rows = timed(cur, "SELECT * FROM roads_net WHERE NodeFrom = ? AND Cost <= ?", (src, 600))
            t.append(us)
            n = len(rows)
        stats(f"all nodes within 600 s (osm node {src})", "spatialite_reach600", t, f"  {n} rows")


def copy_rows(cur, table, rows, cols):
    buf = io.StringIO()
    for r in rows:
        buf.write("\t".join(str(x) for x in r) + "\n")
    buf.seek(0)
    cur.copy_from(buf, table, columns=cols)


def run_pgrouting(a):
    import psycopg2
    kcon = kkc_db(a.kkc_db)
    pg = psycopg2.connect(host="127.0.0.1", port=a.port, user="postgres", dbname="postgres")
    pg.autocommit = True
    cur = pg.cursor()
    cur.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    cur.execute("CREATE EXTENSION IF NOT EXISTS pgrouting")
    cur.execute("DROP TABLE IF EXISTS e")
    cur.execute("CREATE TABLE e (id bigint PRIMARY KEY, source bigint, target bigint, cost float8, "
                "reverse_cost float8, wkt text, geom geometry(LineString, 4326), "
                "gm geometry(LineString, 32632))")
    rows = kcon.execute("SELECT id, source, target, CASE WHEN forward THEN duration_s ELSE -1 END, "
                        "CASE WHEN backward THEN duration_s ELSE -1 END, AsText(geom) "
                        "FROM road_edges").fetchall()
    copy_rows(cur, "e", rows, ("id", "source", "target", "cost", "reverse_cost", "wkt"))
    cur.execute("UPDATE e SET geom = ST_GeomFromText(wkt, 4326)")
    cur.execute("UPDATE e SET gm = ST_Transform(geom, 32632), wkt = NULL")
    for sql in ("CREATE INDEX ON e (source)", "CREATE INDEX ON e (target)", "VACUUM ANALYZE e"):
        cur.execute(sql)
    cur.execute("SELECT pgr_version(), postgis_lib_version()")
    v = cur.fetchone()
    print(f"  pgRouting {v[0]}, PostGIS {v[1]}; our road_edges loaded: {len(rows)} edges")
    esql = "SELECT id, source, target, cost, reverse_cost FROM e"
    pairs = read_pairs(a.pairs)[:a.queries]

    def q(sql, args):
        t0 = time.perf_counter()
        cur.execute(sql, args)
        rows = cur.fetchall()
        return (time.perf_counter() - t0) * 1e6, rows

    t = []
    for p in pairs:
        us, _ = q("SELECT d.seq, d.agg_cost, ST_AsBinary(e.geom) FROM pgr_dijkstra(%s, %s::bigint, "
                  "%s::bigint, true) d LEFT JOIN e ON e.id = d.edge ORDER BY d.seq", (esql, p[0], p[1]))
        t.append(us)
    stats("pgr_dijkstra route + edge geometries", "pgrouting_route_geometry", t)
    rnd = random.Random(a.seed)
    nodes = sorted({p[1] for p in pairs})
    t = []
    for p in pairs:
        tg = rnd.sample(nodes, min(a.targets, len(nodes)))
        us, _ = q("SELECT * FROM pgr_dijkstraCost(%s, %s::bigint, %s::bigint[], true)", (esql, p[0], tg))
        t.append(us)
    stats(f"pgr_dijkstraCost one to {a.targets}", "pgrouting_one_to_many", t)
    if a.reach_from:
        src, _ = nearest_node(kcon, a.reach_from)
        dd = f"pgr_drivingDistance('{esql}', {src}::bigint, 600, true)"
        t, n = [], 0
        for _ in range(a.rounds):
            us, r = q(f"SELECT node, agg_cost FROM {dd}", ())
            t.append(us)
            n = len(r)
        stats(f"pgr_drivingDistance 600 s (node {src})", "pgrouting_reach600", t, f"  {n} nodes")
        t = []
        for _ in range(a.rounds):
            us, r = q(f"SELECT ST_Area(u), ST_AsBinary(ST_Transform(u, 4326)) FROM (SELECT "
                      f"ST_Union(ST_Buffer(e.gm, 25)) u FROM {dd} d JOIN e ON e.id = d.edge) s", ())
            t.append(us)
        stats("+ ST_Union of reached edges buffered 25 m", "pgrouting_polygon_union", t,
              f"  area {r[0][0] / 1e6:.1f} km2")
        t = []
        for _ in range(a.rounds):
            us, r = q(f"SELECT ST_Area(h), ST_AsBinary(ST_Transform(h, 4326)) FROM (SELECT "
                      f"ST_ConcaveHull(ST_Collect(e.gm), 0.3) h FROM {dd} d JOIN e ON e.id = d.edge) s",
                      ())
            t.append(us)
        stats("+ ST_ConcaveHull(0.3) of reached edges", "pgrouting_polygon_concave", t,
              f"  area {r[0][0] / 1e6:.1f} km2")
    cur.execute("DROP TABLE e")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("peer", choices=("spatialite", "pgrouting"))
    ap.add_argument("--net")
    ap.add_argument("--port", type=int)
    ap.add_argument("--kkc-db", required=True)
    ap.add_argument("--pairs", required=True)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--many-queries", type=int, default=1000)
    ap.add_argument("--targets", type=int, default=50)
    ap.add_argument("--reach-from")
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--seed", type=int, default=20261125)
    a = ap.parse_args()
    if a.peer == "spatialite":
        run_spatialite(a)
    else:
        run_pgrouting(a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
