#!/usr/bin/python3
"""scripts/osrm_answers.py -- every answer of a `kkc serve` to the pairs of `scripts/bench osrm`,
byte for byte, for checking that a change leaves the OSRM endpoints' answers as they were.

  osrm_answers.py --db DB --kkc PORT --pairs FILE [--ch PORT] --out FILE

The pairs are scripts/bench_osrm.py's (fixed seed, kept when OSRM CH snaps within 5 m): drawn
through OSRM CH on --ch and saved to --pairs when that file does not exist yet, else read from
it (so the same pairs serve a build before and after a change with no OSRM running). Writes one
line per answer, "status repr(body)": /route/v1 in 7 variants (overview false / simplified /
full, steps, polyline6, geojson, annotations), 3-point routes, skip_waypoints with radiuses,
/table/v1 25x25 and 100x100 and with annotations, sources and destinations, /nearest/v1 with
number 1..5. Compare two outputs with cmp."""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_osrm as b  # noqa: E402


def paths(pairs):
    pts = [p for ab in pairs for p in ab]
    variants = ["overview=full&steps=true", "overview=false", "overview=false&steps=true",
                "overview=simplified", "overview=full&steps=true&geometries=polyline6",
                "overview=full&steps=true&geometries=geojson", "overview=full&annotations=true"]
    for v in variants:
        for a, c in pairs:
            yield f"/route/v1/driving/{b.coords([a, c])}?{v}"
    for t in (25, 100):
        for i in range(0, len(pts) - t + 1, t):
            yield f"/table/v1/driving/{b.coords(pts[i:i + t])}"
    for i in range(0, 60, 3):
        yield f"/route/v1/driving/{b.coords(pts[i:i + 3])}?overview=full&steps=true"
    for i, p in enumerate(pts):
        yield f"/nearest/v1/driving/{b.coords([p])}?number={1 + i % 5}"
    for t, q in ((25, "annotations=duration,distance"),
                 (25, "annotations=distance&skip_waypoints=true"),
                 (10, "sources=0;1&destinations=2;3;4")):
        for i in range(0, len(pts) - t + 1, t):
            yield f"/table/v1/driving/{b.coords(pts[i:i + t])}?{q}"
    for a, c in pairs[:50]:
        yield (f"/route/v1/driving/{b.coords([a, c])}?overview=full&steps=true"
               "&skip_waypoints=true&radiuses=unlimited;20")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--kkc", type=int, required=True)
    ap.add_argument("--ch", type=int)
    ap.add_argument("--pairs", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=20261125)
    a = ap.parse_args()
    kkc = b.Conn(a.kkc)
    if not os.path.exists(a.pairs):
        if not a.ch:
            sys.exit(f"{a.pairs} does not exist: --ch PORT (OSRM CH) is needed to draw the pairs")
        pairs, _ = b.draw_pairs(a.db, 300, a.seed, b.Conn(a.ch), 5.0, kkc)
        with open(a.pairs, "w") as f:
            json.dump(pairs, f)
    with open(a.pairs) as f:
        pairs = json.load(f)
    n = 0
    with open(a.out, "w") as f:
        for p in paths(pairs):
            status, body, _ = kkc.get(p)
            f.write(f"{status} {body!r}\n")
            n += 1
    print(f"{n} answers of port {a.kkc} to {len(pairs)} pairs in {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
