#!/usr/bin/python3
"""scripts/bench_closures.py URL TOKEN DB [options] -- time from a closure write to the first
answer that honours it, against a running `kkc serve --admin-token-file` on a copy of DB (the
write's 2xx comes after the new world is swapped in, so write + one route is that time; the
route's duration is checked to have changed), the time until the nearest-by-time labels are
rebuilt behind (/v1/health closures.labels_rebuilding), and the cost of avoid= / exclude=
against a plain route. Medians; prints one line per figure. Defaults: the test-style Heidelberg
points (Ernst-Walz-Brücke); DB gives 100 way ids (--ways-sql)."""
import argparse
import json
import sqlite3
import statistics
import time
import urllib.request

ap = argparse.ArgumentParser()
ap.add_argument("url")
ap.add_argument("token")
ap.add_argument("db")
ap.add_argument("--route", default="8.6745,49.4175;8.6780,49.4060", help="from;to as lon,lat")
ap.add_argument("--way", default="24271761,24808949",
                help="the 1-road closure, on the route (way ids: Ernst-Walz-Brücke, both carriageways)")
ap.add_argument("--ways-sql", default="SELECT DISTINCT osm_way_id FROM road_edges WHERE highway "
                "IN ('primary', 'secondary', 'tertiary') ORDER BY osm_way_id LIMIT 100")
ap.add_argument("--box", default="8.67,49.40,8.69,49.41", help="polygon: lon0,lat0,lon1,lat1")
ap.add_argument("--avoid", default="8.6755,49.4100,8.6780,49.4100,8.6780,49.4110,8.6755,49.4110")
ap.add_argument("--reps", type=int, default=5)
ap.add_argument("--label", default="")
ap.add_argument("--no-labels", action="store_true", help="never wait for the labels")
ap.add_argument("--labels-once", action="store_true",
                help="wait for the labels rebuilt behind after the first figure only (a large "
                "network: minutes each on a loaded machine)")
a = ap.parse_args()
f, t = a.route.split(";")
ROUTE = "/v1/route?from=%s&to=%s" % (f, t)


def req(path, method="GET", body=None):
    r = urllib.request.Request(a.url + path, method=method,
                               data=json.dumps(body).encode() if body is not None else None)
    r.add_header("Authorization", "Bearer " + a.token)
    with urllib.request.urlopen(r, timeout=600) as resp:
        return resp.read()


def duration():
    return json.loads(req(ROUTE))["properties"]["duration_s"]


def settle():
    """Seconds until the labels of the current world are in again."""
    t0 = time.perf_counter()
    while json.loads(req("/v1/health"))["closures"].get("labels_rebuilding"):
        time.sleep(0.02)
    return time.perf_counter() - t0


WAIT = [not a.no_labels]


def write_to_answer(body, reps):
    """Median ms from the write to the honouring answer; ms until the labels are in (1st rep).
    The labeller of a previous write may still be running (it is not waited for, as in use)."""
    ts, labels, plain, applied = [], None, duration(), []
    for i in range(reps):
        t0 = time.perf_counter()
        out = json.loads(req("/v1/closures", "POST", body))
        d = duration()
        ts.append(time.perf_counter() - t0)
        applied.append(json.loads(req("/v1/health"))["closures"].get("applied_ms", 0))
        if i == 0 and WAIT[0]:
            labels = ts[-1] + settle()
        if d == plain:
            print("  (warning: the route did not change: %.1f s)" % d)
        for c in out.get("closures", [out]):
            req("/v1/closures/%d" % c["id"], "DELETE")
    if WAIT[0]:
        settle()
    WAIT[0] = WAIT[0] and not a.labels_once
    return statistics.median(ts) * 1000, labels and labels * 1000, statistics.median(applied)


def latency(q, n=50):
    ts = []
    for _ in range(n):
        t0 = time.perf_counter()
        req(q)
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts) * 1000


def show(what, body, reps):
    ms, lab, applied = write_to_answer(body, reps)
    print("%swrite->answer %s: %.0f ms (new world derived in %.0f ms; labels rebuilt behind "
          "after %s)" % (a.label, what, ms, applied, "%.0f ms" % lab if lab else "not waited for"),
          flush=True)


one = [int(w) for w in a.way.split(",")]
ways = one + [w for (w,) in sqlite3.connect(a.db).execute(a.ways_sql) if w not in one]
x0, y0, x1, y1 = (float(v) for v in a.box.split(","))
box = [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]
show("1 road", {"reason": "b", "ways": one}, a.reps)
show("100 roads (one closure)", {"reason": "b", "ways": ways[:100]}, a.reps)
show("100 closures", {"closures": [{"reason": "b", "ways": [w]} for w in ways[:100]]},
     max(1, a.reps // 2))
show("polygon", {"reason": "b", "geometry": {"type": "Polygon", "coordinates": box}}, a.reps)
print("%sroute plain: %.2f ms" % (a.label, latency(ROUTE)))
print("%sroute avoid=: %.2f ms" % (a.label, latency(ROUTE + "&avoid=" + a.avoid)))
print("%sroute exclude=motorway: %.2f ms" % (a.label, latency(ROUTE + "&exclude=motorway")))
