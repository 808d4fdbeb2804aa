#!/usr/bin/python3
"""scripts/bench_closures.py URL TOKEN DB -- time from a closure write to the first answer that
honours it, against a running `kkc serve --admin-token-file` on a copy of DB (the write's 2xx
comes after the new world is swapped in, so write + one route is that time), and the cost of
avoid= / exclude= against a plain route. Medians; prints one line per figure. The test-style
Heidelberg points (Ernst-Walz-Brücke) are used; DB gives 100 primary-to-tertiary way ids."""
import json
import sqlite3
import statistics
import sys
import time
import urllib.request

URL, TOKEN, DB = sys.argv[1], sys.argv[2], sys.argv[3]
ROUTE = "/v1/route?from=8.6745,49.4175&to=8.6780,49.4060"
AVOID = "&avoid=8.6755,49.4100,8.6780,49.4100,8.6780,49.4110,8.6755,49.4110"


def req(path, method="GET", body=None):
    r = urllib.request.Request(URL + path, method=method,
                               data=json.dumps(body).encode() if body is not None else None)
    r.add_header("Authorization", "Bearer " + TOKEN)
    with urllib.request.urlopen(r) as f:
        return f.read()


def write_to_answer(body, reps=5):
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        out = json.loads(req("/v1/closures", "POST", body))
        req(ROUTE)
        ts.append(time.perf_counter() - t0)
        for c in out.get("closures", [out]):
            req("/v1/closures/%d" % c["id"], "DELETE")
    return statistics.median(ts) * 1000


def latency(q, n=50):
    ts = []
    for _ in range(n):
        t0 = time.perf_counter()
        req(q)
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts) * 1000


ways = [w for (w,) in sqlite3.connect(DB).execute(
    "SELECT DISTINCT osm_way_id FROM road_edges WHERE highway IN ('primary', 'secondary', "
    "'tertiary') ORDER BY osm_way_id LIMIT 100")]
box = [[[8.67, 49.40], [8.69, 49.40], [8.69, 49.41], [8.67, 49.41], [8.67, 49.40]]]
print("write->answer 1 road: %.0f ms" % write_to_answer({"reason": "b", "ways": [24271761]}))
print("write->answer 100 roads (one closure): %.0f ms" % write_to_answer({"reason": "b",
                                                                      "ways": ways}))
print("write->answer 100 closures: %.0f ms" % write_to_answer(
    {"closures": [{"reason": "b", "ways": [w]} for w in ways]}, 3))
print("write->answer polygon: %.0f ms" % write_to_answer(
    {"reason": "b", "geometry": {"type": "Polygon", "coordinates": box}}))
print("route plain: %.2f ms" % latency(ROUTE))
print("route avoid=: %.2f ms" % latency(ROUTE + AVOID))
print("route exclude=motorway: %.2f ms" % latency(ROUTE + "&exclude=motorway"))
