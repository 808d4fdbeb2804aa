#!/usr/bin/python3
"""scripts/bench_scale.py -- queries over HTTP against a running `kkc serve` on a synthetic grid
(the `scale` section of scripts/bench): N routes between fixed-seed random points of the grid's
box (p50/p99 ms, one connection) and one TABLE x TABLE /table/v1 (ms). Prints figures only."""
import argparse, json, random, statistics, time, urllib.request

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, required=True)
ap.add_argument("--box", required=True, help="lon0,lat0,lon1,lat1")
ap.add_argument("--routes", type=int, default=200)
ap.add_argument("--table", type=int, default=100)
ap.add_argument("--seed", type=int, default=20261203)
a = ap.parse_args()
lon0, lat0, lon1, lat1 = map(float, a.box.split(","))
rnd = random.Random(a.seed)


def get(path):
    t0 = time.perf_counter()
    with urllib.request.urlopen(f"http://127.0.0.1:{a.port}{path}", timeout=600) as r:
        body = r.read()
    return (time.perf_counter() - t0) * 1000, json.loads(body)


def pt():
    """A fixed-seed random point of the box that snaps within 500 m (towns leave gaps)."""
    while True:
        p = f"{rnd.uniform(lon0, lon1):.6f},{rnd.uniform(lat0, lat1):.6f}"
        try:
            _, body = get(f"/nearest/v1/driving/{p}")
        except Exception:
            continue
        if body.get("waypoints") and body["waypoints"][0]["distance"] < 500:
            return p


ms, fails = [], 0
for _ in range(a.routes):
    try:
        t, _ = get(f"/route/v1/driving/{pt()};{pt()}?overview=false")
        ms.append(t)
    except Exception:
        fails += 1
ms.sort()
if ms:
    print(f"  routes over HTTP ({len(ms)} ok, {fails} failed): p50 {statistics.median(ms):.2f} ms, "
          f"p99 {ms[min(len(ms) - 1, int(len(ms) * 0.99))]:.2f} ms")
coords = ";".join(pt() for _ in range(a.table))
t, body = get(f"/table/v1/driving/{coords}")
cells = sum(1 for row in body.get("durations", []) for v in row if v is not None)
print(f"  table {a.table}x{a.table} over HTTP: {t:.0f} ms ({cells} cells routed)")
