"""tests/scripts/lib/closures_live.py -- the live closure checks of tests/scripts/closures.sh.

argv: KKC_BIN KKC_DB. Works on a copy of the database in a temporary directory; every server
it starts listens on 127.0.0.1 and is stopped (or killed) here."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

KKC, DB = sys.argv[1], sys.argv[2]
TOKEN = "closures-test-token-0123456789"
BRIDGE = [24271761, 24808949]  # Ernst-Walz-Brücke, both carriageways
ROUTE = "/v1/route?from=8.6745,49.4175&to=8.6780,49.4060"
OSRM = "/route/v1/driving/8.6745,49.4175;8.6780,49.4060?overview=false"
NEAREST = "/v1/nearest?lon=8.6745&lat=49.4175&by=time&k=5"
# a box over the bridge: avoid= of it must answer as the stored closure does
AVOID = "&avoid=8.6755,49.4100,8.6780,49.4100,8.6780,49.4110,8.6755,49.4110"


def fail(msg):
    print("closures.sh: FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


class Server:
    def __init__(self, tmp, db):
        self.tmp, self.db, self.proc = tmp, db, None

    def start(self):
        port_file = os.path.join(self.tmp, "port")
        if os.path.exists(port_file):
            os.unlink(port_file)
        self.proc = subprocess.Popen(
            [KKC, "serve", "--db", self.db, "--host", "127.0.0.1", "--port", "0",
             "--port-file", port_file, "--access-log", "none",
             "--admin-token-file", os.path.join(self.tmp, "token")],
            stderr=open(os.path.join(self.tmp, "server.log"), "a"))
        for _ in range(300):
            if os.path.exists(port_file) and open(port_file).read().strip():
                self.url = "http://127.0.0.1:" + open(port_file).read().strip()
                return
            if self.proc.poll() is not None:
                fail("kkc serve exited: " + open(os.path.join(self.tmp, "server.log")).read())
            time.sleep(0.1)
        fail("kkc serve wrote no port file in 30 s")

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=30)
        self.proc = None

    def req(self, path, method="GET", body=None, token=True):
        data = json.dumps(body).encode() if body is not None else None
        r = urllib.request.Request(self.url + path, data=data, method=method)
        if token:
            r.add_header("Authorization", "Bearer " + TOKEN)
        try:
            with urllib.request.urlopen(r, timeout=60) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()


def duration(srv):
    st, body = srv.req(ROUTE)
    if st != 200:
        fail("route answered %d: %s" % (st, body[:200]))
    d = json.loads(body)
    return d.get("properties", d)["duration_s"]


def answers(srv):
    return [srv.req(p)[1] for p in (ROUTE, OSRM, NEAREST)]


def close_bridge(srv):
    st, body = srv.req("/v1/closures", "POST", {"reason": "povodeň", "ways": BRIDGE})
    if st != 201:
        fail("POST /v1/closures answered %d: %s" % (st, body[:300]))
    return json.loads(body)["id"]


def check_live(srv):
    base = answers(srv)
    d0 = duration(srv)
    cid = close_bridge(srv)
    d1 = duration(srv)
    if not d1 > d0:
        fail("the closed bridge did not lengthen the route (%s -> %s)" % (d0, d1))
    closed = answers(srv)
    if closed[1] == base[1] or closed[2] == base[2]:
        fail("the OSRM route or nearest by time ignored the closure")
    st, _ = srv.req("/v1/closures/%d" % cid, "DELETE")
    if st != 204:
        fail("DELETE answered %d" % st)
    if answers(srv) != base:
        fail("deleting the closure did not restore every answer byte for byte")
    for path, want in ((ROUTE, closed[0]), (NEAREST, closed[2])):
        if srv.req(path + AVOID)[1] != want:
            fail("%s with avoid= over the bridge differs from the stored closure" % path)
    print("closures.sh: route %.1f s -> %.1f s closed -> %.1f s restored; avoid= answers as "
          "the closure on /v1/route and /v1/nearest?by=time" % (d0, d1, d0))
    return d0, d1


def check_under_load(srv, d0, d1):
    bad, seen, stop = [], set(), threading.Event()

    def reader():
        while not stop.is_set():
            st, body = srv.req(ROUTE, token=False)
            if st != 200:
                bad.append(st)
                continue
            d = json.loads(body)
            seen.add(d.get("properties", d)["duration_s"])

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    for _ in range(10):
        cid = close_bridge(srv)
        if srv.req("/v1/closures/%d" % cid, "DELETE")[0] != 204:
            bad.append("delete")
    stop.set()
    for t in threads:
        t.join()
    if bad:
        fail("reads or writes failed under load: %s" % bad[:5])
    if not seen <= {d0, d1}:
        fail("a read saw a duration of neither weights: %s" % sorted(seen))
    print("closures.sh: 20 writes under 4 readers: no failure, durations %s" % sorted(seen))


def check_what_if(srv):
    cov = "/v1/coverage?minutes=8&kind=fire"
    base = srv.req(cov)[1]
    st, body = srv.req("/v1/closures", "POST", {"reason": "plán", "ways": BRIDGE,
                                                "valid_from": "2099-01-01T00:00:00Z"})
    cid = json.loads(body)["id"]
    if srv.req(cov)[1] != base:
        fail("a closure not yet in force changed the coverage")
    what_if = srv.req(cov + "&closures=%d" % cid)[1]
    if what_if == base:
        fail("closures= (what-if) did not change the coverage")
    iso = "/v1/isochrone?centre=8.6745,49.4175&minutes=3,6"
    iso_base, iso_what_if = srv.req(iso)[1], srv.req(iso + "&closures=%d" % cid)[1]
    if iso_what_if == iso_base:
        fail("closures= (what-if) did not change the isochrone")
    srv.req("/v1/closures/%d" % cid, "PUT", {"reason": "plán", "ways": BRIDGE})
    if srv.req(cov)[1] != what_if:
        fail("the what-if coverage differs from the coverage once the closure is in force")
    if srv.req(iso)[1] != iso_what_if:
        fail("the what-if isochrone differs from the isochrone once the closure is in force")
    if srv.req("/v1/closures/%d" % cid, "DELETE")[0] != 204 or srv.req(cov)[1] != base:
        fail("removing the closure did not restore the coverage")
    print("closures.sh: coverage and isochrone what-if closures=ID == the live closure, "
          "byte for byte")


def check_expiry(srv, d0, d1):
    until = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3))
    st, _ = srv.req("/v1/closures", "POST", {"reason": "nehoda", "ways": BRIDGE,
                                             "valid_until": until})
    if st != 201 or duration(srv) != d1:
        fail("a closure valid for 3 s is not in force")
    for _ in range(100):  # the server reloads by itself a second after valid_until
        time.sleep(0.2)
        if duration(srv) == d0:
            break
    else:
        fail("the closure did not expire at valid_until")
    print("closures.sh: a closure expired by itself at valid_until")


def check_durable(srv, d1):
    close_bridge(srv)
    srv.stop(signal.SIGKILL)
    srv.start()
    if duration(srv) != d1:
        fail("the closure written before kill -9 is not in force after the restart")
    srv.proc.send_signal(signal.SIGHUP)
    time.sleep(3)
    if duration(srv) != d1:
        fail("SIGHUP lost the closure")
    st, body = srv.req("/v1/health")
    if json.loads(body)["closures"]["active"] != 1:
        fail("/v1/health does not count the closure: %s" % body[:300])
    print("closures.sh: the closure survived kill -9 and SIGHUP")


def check_cli(tmp, db):
    feed = os.path.join(tmp, "feed.geojson")
    json.dump({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": None,
         "properties": {"reason": "uzavírka mostu", "ways": [BRIDGE[0]], "factor": 3}},
        {"type": "Feature", "geometry": None,
         "properties": {"reason": "neznámá cesta", "ways": [1]}}]}, open(feed, "w"))
    env = dict(os.environ, KKC_DB=db)
    before = subprocess.run([KKC, "closures", "list", "--json"], env=env, capture_output=True)
    r = subprocess.run([KKC, "closures", "import", feed], env=env, capture_output=True, text=True)
    if r.returncode == 0 or "closure 2 of 2: way 1 is not in the road network" not in r.stderr:
        fail("a feed with an unknown way was not refused: %s" % r.stderr)
    after = subprocess.run([KKC, "closures", "list", "--json"], env=env, capture_output=True)
    if after.stdout != before.stdout:
        fail("a refused feed stored something")
    json.dump({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": None,
         "properties": {"reason": "uzavírka mostu", "ways": [BRIDGE[0]], "factor": 3}}]},
        open(feed, "w"))
    r = subprocess.run([KKC, "closures", "import", feed], env=env, capture_output=True, text=True)
    if r.returncode != 0 or "added closure" not in r.stdout:
        fail("kkc closures import failed: %s %s" % (r.stdout, r.stderr))
    cid = r.stdout.split("added closure ")[1].split()[0]
    r = subprocess.run([KKC, "closures", "list"], env=env, capture_output=True, text=True)
    if "uzavírka mostu" not in r.stdout:
        fail("kkc closures list does not show the import: %s" % r.stdout)
    r = subprocess.run([KKC, "closures", "remove", cid], env=env, capture_output=True, text=True)
    if r.returncode != 0:
        fail("kkc closures remove failed: %s" % r.stderr)
    print("closures.sh: kkc closures import (all or nothing) / list / remove")


def main():
    tmp = tempfile.mkdtemp(prefix="kkc-closures-")
    srv = None
    try:
        db = os.path.join(tmp, "kkc.sqlite")
        shutil.copy(DB, db)
        open(os.path.join(tmp, "token"), "w").write(TOKEN + "\n")
        srv = Server(tmp, db)
        srv.start()
        d0, d1 = check_live(srv)
        check_under_load(srv, d0, d1)
        check_what_if(srv)
        check_expiry(srv, d0, d1)
        check_durable(srv, d1)
        srv.stop()
        check_cli(tmp, db)
    finally:
        if srv:
            srv.stop(signal.SIGKILL)
        shutil.rmtree(tmp, ignore_errors=True)
    print("closures.sh: ok")


main()
