#!/usr/bin/python3
"""scripts/bench_osrm.py -- the client side of `scripts/bench osrm`: kkc against OSRM 5.27.1.

Run by scripts/bench with Debian's /usr/bin/python3 (stdlib only), once the three servers are up
on loopback: `kkc serve`, osrm-routed --algorithm ch, osrm-routed --algorithm mld, all on the
same Heidelberg extract (OSRM's own profiles/car.lua).

  --db DB --kkc PORT --ch PORT --mld PORT [--pairs 300] [--seed S] [--rounds 3]
  [--table 25] [--big-table 100] [--pids kkc=PID,ch=PID,mld=PID] [--dump FILE] [--fidelity-only]

Pairs: midpoints of fixed-seed random drivable road_edges of DB (SpatiaLite
Line_Interpolate_Point), so both engines snap a point lying on a road, two consecutive draws a
pair, kept when OSRM CH's route starts and ends within --snap-max metres (5) of them: the extract
holds fragments of roads cut off at its border (Mannheim, Kaiserslautern...), from which OSRM
routes by snapping onto its large component kilometres away; the pairs left out are counted,
with kkc's answers to them.

Fidelity: every pair through /route/v1/driving/A;B?overview=false&steps=true of kkc and of OSRM
CH; the ratio kkc / OSRM of the durations and of the distances: median, p10, p90, the share of
pairs within +-2 % and +-8 %; MLD against CH as a sanity check; the 10 pairs farthest apart with
both answers and a one-line guess (snapping apart, another path and the streets only one of them
takes, a ferry, or the same path at another speed). --dump writes every pair as JSON lines.

Speed: the same pairs, rounds times, each request timed on its own (time.perf_counter) on ONE
kept-alive connection per server; kkc, CH and MLD take turns request by request so that the load
of the machine falls on all three alike. osrm-routed writes headers and body apart: on a
kept-alive connection the client's delayed ACK would add 40 ms to each answer, so this client
(a minimal HTTP/1.1 GET over a socket, not urllib, which opens a connection per request) sets
TCP_QUICKACK before every recv. Route with overview=false, route with overview=full&steps=true,
table TxT (consecutive groups of T points) and table BxB. Memory: VmRSS / VmHWM of each server
(--pids) before and after the queries. Prints RESULT lines."""
import argparse
import json
import math
import random
import socket
import sqlite3
import sys
import time


class Conn:
    """One kept-alive HTTP/1.1 connection to 127.0.0.1:port (reopened when the server closes it)."""

    def __init__(self, port):
        self.port, self.sock, self.opened = port, None, 0

    def _open(self):
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=60)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _recv(self):
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        d = self.sock.recv(1 << 20)
        if not d:
            raise ConnectionError("closed")
        return d

    def _exchange(self, path):
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        buf = b""
        while (h := buf.find(b"\r\n\r\n")) < 0:
            buf += self._recv()
        head = buf[:h].decode("latin-1").lower().split("\r\n")
        status = int(head[0].split()[1])
        fields = dict(l.split(":", 1) for l in head[1:] if ":" in l)
        if "content-length" not in fields:
            raise RuntimeError(f"port {self.port}: no Content-Length in the answer to {path}")
        n = int(fields["content-length"])
        body = buf[h + 4:]
        while len(body) < n:
            body += self._recv()
        if "close" in fields.get("connection", "") or head[0].startswith("http/1.0") and \
                "keep-alive" not in fields.get("connection", ""):
            self.close()
        return status, body[:n]

    def get(self, path):
        """(HTTP status, body bytes, seconds) of GET path; a stale connection is reopened once."""
        for attempt in (0, 1):
            if self.sock is None:
                self._open()
                self.opened += 1
            t0 = time.perf_counter()
            try:
                status, body = self._exchange(path)
                return status, body, time.perf_counter() - t0
            except (ConnectionError, BrokenPipeError, ConnectionResetError):
                self.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def close(self):
        if self.sock is not None:
            self.sock.close()
        self.sock = None


def draw_pairs(db, n, seed, osrm, snap_max, kkc):
    """n pairs of midpoints of fixed-seed random drivable road_edges of db (consecutive draws)
    whose route OSRM starts and ends within snap_max metres of them; also kkc's answers to the
    pairs left out ({code: count}): the extract holds fragments of roads cut off at its border,
    and OSRM routes from such a fragment by snapping onto its large component, kilometres away."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    con.enable_load_extension(True)
    con.load_extension("mod_spatialite")
    rows = con.execute("SELECT id, osm_way_id, X(p), Y(p) FROM (SELECT id, osm_way_id, "
                       "Line_Interpolate_Point(geom, 0.5) AS p FROM road_edges "
                       "WHERE forward OR backward) ORDER BY id").fetchall()
    con.close()
    random.Random(seed).shuffle(rows)
    out, dropped = [], {}
    for a, b in zip(rows[0::2], rows[1::2]):
        j = route(osrm, a, b, "overview=false")
        if j.get("code") == "Ok" and max(w["distance"] for w in j["waypoints"]) <= snap_max:
            out.append((a, b))
            if len(out) == n:
                return out, dropped
        else:
            code = route(kkc, a, b, "overview=false").get("code")
            dropped[code] = dropped.get(code, 0) + 1
    raise RuntimeError(f"only {len(out)} of {n} pairs snap within {snap_max} m in OSRM")


def coords(pts):
    return ";".join(f"{p[2]:.6f},{p[3]:.6f}" for p in pts)


def route(conn, a, b, extra="overview=false&steps=true"):
    status, body, _ = conn.get(f"/route/v1/driving/{coords([a, b])}?{extra}")
    try:
        j = json.loads(body)
    except ValueError:
        return {"code": f"HTTP {status}, not JSON"}
    return j


def quantile(v, q):
    v = sorted(v)
    return v[min(len(v) - 1, int(q * len(v)))] if v else float("nan")


def metres(p, q):
    """Equirectangular distance in metres between two [lon, lat]."""
    k = math.cos(math.radians((p[1] + q[1]) / 2))
    return 111195.0 * math.hypot((p[0] - q[0]) * k, p[1] - q[1])


def names(j):
    steps = [s for leg in j["routes"][0]["legs"] for s in leg.get("steps", [])]
    return [s.get("name") or s.get("ref") or "" for s in steps], [s.get("mode") for s in steps]


def guess(k, o):
    """A one-line guess at why kkc answer k and OSRM answer o are far apart."""
    why = []
    ws = [metres(a["location"], b["location"]) for a, b in zip(k["waypoints"], o["waypoints"])]
    if max(ws) > 15:
        why.append(f"snapped apart (start {ws[0]:.0f} m, end {ws[1]:.0f} m)")
    kr, orr = k["routes"][0], o["routes"][0]
    kn, km = names(k)
    on, om = names(o)
    if "ferry" in om or "ferry" in km:
        why.append("a ferry in " + ("OSRM" if "ferry" in om else "kkc"))
    dr = kr["distance"] / orr["distance"] if orr["distance"] else float("inf")
    only_k = [n for n in dict.fromkeys(kn) if n and n not in on][:3]
    only_o = [n for n in dict.fromkeys(on) if n and n not in kn][:3]
    if abs(dr - 1) > 0.002 or only_k or only_o:
        why.append(f"another path (length x{dr:.2f}); only kkc: {', '.join(only_k) or '-'}; "
                   f"only OSRM: {', '.join(only_o) or '-'}")
    else:
        ks = 3.6 * kr["distance"] / kr["duration"] if kr["duration"] else 0
        os_ = 3.6 * orr["distance"] / orr["duration"] if orr["duration"] else 0
        why.append(f"the same streets, another time: {ks:.0f} vs {os_:.0f} km/h on average "
                   f"({len(kn)} vs {len(on)} steps: speeds, turns, signals)")
    return "; ".join(why)


def summary(label, key, r):
    print(f"  {label:<34} median {quantile(r, .5):6.3f}  p10 {quantile(r, .1):6.3f}  "
          f"p90 {quantile(r, .9):6.3f}  within 2 % {share(r, .02):5.1f} %  "
          f"within 8 % {share(r, .08):5.1f} %  (n={len(r)})")
    print(f"RESULT osrm_fidelity {key} median={quantile(r, .5):.4f} "
          f"within2={share(r, .02):.1f} within8={share(r, .08):.1f} n={len(r)}")


def share(r, tol):
    return 100.0 * sum(1 for x in r if abs(x - 1) <= tol) / len(r) if r else float("nan")


def fidelity(args, pairs, kkc, ch, mld):
    """Durations and distances of kkc against OSRM CH (and MLD against CH) over pairs; prints the
    figures and the farthest pairs; returns the pairs all three answered."""
    rows, failed = [], {}
    for i, (a, b) in enumerate(pairs):
        k, o, m = route(kkc, a, b), route(ch, a, b), route(mld, a, b)
        codes = (k.get("code"), o.get("code"), m.get("code"))
        if codes != ("Ok", "Ok", "Ok"):
            failed[codes] = failed.get(codes, 0) + 1
            continue
        rows.append((i, a, b, k, o, m))
    print(f"-- fidelity: {len(pairs)} pairs, {len(rows)} answered by all three; "
          f"not answered (kkc, CH, MLD codes): {failed or 'none'}")
    dur = [k["routes"][0]["duration"] / o["routes"][0]["duration"] for _, _, _, k, o, _ in rows
           if o["routes"][0]["duration"] > 0]
    dist = [k["routes"][0]["distance"] / o["routes"][0]["distance"] for _, _, _, k, o, _ in rows
            if o["routes"][0]["distance"] > 0]
    summary("duration kkc / OSRM CH", "duration", dur)
    summary("distance kkc / OSRM CH", "distance", dist)
    long_ = [k["routes"][0]["duration"] / o["routes"][0]["duration"]
             for _, _, _, k, o, _ in rows if o["routes"][0]["duration"] >= 120]
    summary("duration, pairs of >= 2 min (OSRM)", "duration_2min", long_)
    same = [k["routes"][0]["duration"] / o["routes"][0]["duration"]
            for _, _, _, k, o, _ in rows if o["routes"][0]["distance"] > 0 and
            abs(k["routes"][0]["distance"] / o["routes"][0]["distance"] - 1) <= 0.002]
    summary("duration, same length (+-0.2 %)", "duration_same_path", same)
    mc = [m["routes"][0]["duration"] / o["routes"][0]["duration"] for _, _, _, _, o, m in rows
          if o["routes"][0]["duration"] > 0]
    summary("duration OSRM MLD / OSRM CH", "mld_vs_ch", mc)
    farthest(rows)
    ok = [(a, b) for _, a, b, _, _, _ in rows]
    if args.dump:
        with open(args.dump, "w") as f:
            for i, a, b, k, o, _ in rows:
                f.write(json.dumps({"pair": i, "a": a, "b": b, "kkc": k, "osrm": o}) + "\n")
    return ok


def farthest(rows):
    def off(r):
        d = r[4]["routes"][0]["duration"]
        return abs(math.log(r[3]["routes"][0]["duration"] / d)) if d > 0 else 0

    print("-- the 10 pairs farthest apart (by |log of the duration ratio|):")
    for i, a, b, k, o, _ in sorted(rows, key=off, reverse=True)[:10]:
        kr, orr = k["routes"][0], o["routes"][0]
        print(f"  pair {i:3d} {a[2]:.5f},{a[3]:.5f} (way {a[1]}) -> {b[2]:.5f},{b[3]:.5f} "
              f"(way {b[1]}): kkc {kr['duration']:7.1f} s {kr['distance']:7.0f} m, "
              f"OSRM {orr['duration']:7.1f} s {orr['distance']:7.0f} m "
              f"(x{kr['duration'] / orr['duration']:.2f})")
        print(f"           {guess(k, o)}")


def rss(pids):
    out = {}
    for name, pid in pids.items():
        f = dict(l.split(":", 1) for l in open(f"/proc/{pid}/status") if ":" in l)
        out[name] = (int(f["VmRSS"].split()[0]) / 1024, int(f["VmHWM"].split()[0]) / 1024)
    return out


def timing(conns, paths, rounds):
    """Per server, the list of seconds of every path, rounds times, servers taking turns."""
    t = {name: [] for name in conns}
    order = list(conns)
    for r in range(rounds):
        for j, p in enumerate(paths):
            for s in range(len(order)):
                name = order[(j + r + s) % len(order)]
                status, body, sec = conns[name].get(p)
                if status != 200:
                    raise RuntimeError(f"{name}: HTTP {status} for {p[:80]}...: {body[:200]!r}")
                t[name].append(sec)
    return t


def speed_report(label, key, t):
    k50 = quantile(t["kkc"], .5)
    k99 = quantile(t["kkc"], .99)
    parts = []
    for name in ("kkc", "ch", "mld"):
        v = t[name]
        parts.append(f"{name} {1e3 * quantile(v, .5):7.3f} / {1e3 * quantile(v, .99):7.3f}")
        print(f"RESULT osrm_speed {key} server={name} p50_ms={1e3 * quantile(v, .5):.3f} "
              f"p99_ms={1e3 * quantile(v, .99):.3f} n={len(v)}")
    print(f"  {label:<30} p50 / p99 ms: {';  '.join(parts)}")
    ch, mld = t["ch"], t["mld"]
    print(f"  {'':<30} kkc / CH p50 x{k50 / quantile(ch, .5):.2f} p99 "
          f"x{k99 / quantile(ch, .99):.2f};  kkc / MLD p50 x{k50 / quantile(mld, .5):.2f} "
          f"p99 x{k99 / quantile(mld, .99):.2f}")


def speed(args, pairs, conns):
    """Latencies of the pairs every server answered, and of tables over their points."""
    pts = [p for ab in pairs for p in ab]
    print(f"-- speed over HTTP, {len(pairs)} pairs, one kept-alive connection per server, "
          f"{args.rounds} rounds, servers taking turns request by request")
    for label, key, extra in (("route overview=false", "route", "overview=false"),
                              ("route overview=full&steps=true", "route_full",
                               "overview=full&steps=true")):
        paths = [f"/route/v1/driving/{coords([a, b])}?{extra}" for a, b in pairs]
        speed_report(label, key, timing(conns, paths, args.rounds))
    for n in (args.table, args.big_table):
        groups = [pts[i:i + n] for i in range(0, len(pts) - n + 1, n)]
        paths = [f"/table/v1/driving/{coords(g)}" for g in groups]
        speed_report(f"table {n}x{n} ({len(groups)} tables)", f"table{n}",
                     timing(conns, paths, args.rounds))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    for s in ("kkc", "ch", "mld"):
        ap.add_argument(f"--{s}", type=int, required=True, help="port on 127.0.0.1")
    ap.add_argument("--pairs", type=int, default=300)
    ap.add_argument("--seed", type=int, default=20261125)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--table", type=int, default=25)
    ap.add_argument("--big-table", type=int, default=100)
    ap.add_argument("--snap-max", type=float, default=5.0)
    ap.add_argument("--pids", default="")
    ap.add_argument("--dump")
    ap.add_argument("--fidelity-only", action="store_true", help="no speed, no memory")
    args = ap.parse_args()
    pids = dict(kv.split("=") for kv in args.pids.split(",") if kv)
    conns = {"kkc": Conn(args.kkc), "ch": Conn(args.ch), "mld": Conn(args.mld)}
    before = rss(pids) if pids else {}
    pairs, dropped = draw_pairs(args.db, args.pairs, args.seed, conns["ch"], args.snap_max,
                                conns["kkc"])
    print(f"-- pairs: {len(pairs)} of midpoints of random drivable road_edges (seed {args.seed}); "
          f"{sum(dropped.values())} more drawn were left out: OSRM's route snaps an end over "
          f"{args.snap_max:g} m away (a fragment cut off at the extract's border); kkc's answers "
          f"to those: {dropped}")
    ok = fidelity(args, pairs, conns["kkc"], conns["ch"], conns["mld"])
    if not args.fidelity_only:
        speed(args, ok, conns)
    if pids and not args.fidelity_only:
        after = rss(pids)
        print("-- memory of each server (MiB): RSS once loaded, before the queries / RSS after "
              "/ peak")
        for name in pids:
            b, a = before[name], after[name]
            print(f"  {name:<4} {b[0]:8.1f} / {a[0]:8.1f} / {a[1]:8.1f}")
            print(f"RESULT osrm_memory server={name} rss_loaded_mib={before[name][0]:.1f} "
                  f"rss_after_mib={after[name][0]:.1f} hwm_mib={after[name][1]:.1f}")
    print("  connections reopened (the server closed a kept-alive one): " +
          ", ".join(f"{n} {c.opened - 1}" for n, c in conns.items()))
    for c in conns.values():
        c.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
