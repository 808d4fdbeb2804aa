"""tests/scripts/lib/replicas.py -- the checks of tests/scripts/replicas.sh: two `kkc serve`
over one shared state (PostgreSQL) behind HAProxy.

argv: KKC_BIN KKC_DB TMP PGPORT PGDATA. The PostgreSQL cluster in PGDATA (started by the shell
script, listening on 127.0.0.1:PGPORT) is stopped and started here with pg_ctl for the outage
check. Every kkc serve and the haproxy started here listen on 127.0.0.1 and are stopped (or
killed) here; their pids are also written to TMP/pids for the shell script's trap.

1. 1,000 random queries of every kind (nearest by distance and by time, route, the OSRM
   route/nearest/table, isochrone, coverage, catchments, reverse, search, a batch of nearest):
   the two servers answer byte for byte the same.
2. A centre closed through server A is honoured by A and B (nearest by time); a road closure
   written through B is honoured by both (the route duration); both undone, the answers are
   the first ones again. The time until both honour each is printed (a figure, not asserted
   beyond a 10 s hang guard).
3. Under steady reads through HAProxy, server A is killed with SIGKILL; while it is down a
   centre is closed through HAProxy (so B); A restarts: its first answered /v1/health already
   has the shared version, and it answers the closure. No read failed at the client.
4. Under steady reads through HAProxy, PostgreSQL is stopped: reads keep working, an admin
   write answers 503 StateUnavailable (JSON), health says reachable false; PostgreSQL started
   again: the same write succeeds (retried for up to 30 s) and both servers honour it.
5. HAProxy's own errors are JSON like the API's: no server up (503 NoServer).
"""
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

KKC, DB, TMP, PGPORT, PGDATA = sys.argv[1:6]
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
TOKEN = "replicas-test-token-0123456789"
STATE = "postgresql://postgres@127.0.0.1:%s/postgres" % PGPORT
BRIDGE = [24271761, 24808949]  # Ernst-Walz-Brücke (Heidelberg), both carriageways
ROUTE = "/v1/route?from=8.6745,49.4175&to=8.6780,49.4060"
NEAR = "/v1/nearest?lon=8.69&lat=49.41&by=time&k=3"
FIRE = "osm-w115669341"  # Feuerwache Heidelberg: the nearest by time to the point of NEAR
PGBIN = "/usr/lib/postgresql/15/bin"
ASUSER = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
QUERIES = int(os.environ.get("REPLICAS_QUERIES", "1000"))


def fail(msg):
    print("replicas.sh: FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def note_pid(pid):
    with open(os.path.join(TMP, "pids"), "a") as f:
        f.write("%d\n" % pid)


def http(url, method="GET", body=None, token=False, timeout=60):
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    r = urllib.request.Request(url, data=data, method=method)
    if token:
        r.add_header("Authorization", "Bearer " + TOKEN)
    try:
        with urllib.request.urlopen(r, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except (OSError, urllib.error.URLError) as e:
        return 0, str(e).encode()


class Server:
    def __init__(self, name):
        self.name, self.proc, self.url = name, None, None
        self.db = os.path.join(TMP, name + ".sqlite")
        shutil.copy(DB, self.db)
        for ext in (".cch", ".cch.metric"):  # the road hierarchy's cache, when there is one
            if os.path.exists(DB + ext):
                shutil.copy(DB + ext, self.db + ext)
        self.port = None

    def start(self, wait=True):
        pf = os.path.join(TMP, self.name + ".port")
        if os.path.exists(pf):
            os.unlink(pf)
        args = [KKC, "serve", "--db", self.db, "--host", "127.0.0.1", "--port",
                str(self.port or 0), "--port-file", pf, "--access-log", "none",
                "--admin-token-file", os.path.join(TMP, "token"), "--state", STATE]
        self.proc = subprocess.Popen(args, stderr=open(os.path.join(TMP, self.name + ".log"), "a"))
        note_pid(self.proc.pid)
        self.started = time.time()
        if wait:
            self.wait_port()

    def wait_port(self):
        pf = os.path.join(TMP, self.name + ".port")
        for _ in range(1200):
            if os.path.exists(pf) and open(pf).read().strip():
                self.port = int(open(pf).read().strip())
                self.url = "http://127.0.0.1:%d" % self.port
                return
            if self.proc.poll() is not None:
                fail("kkc serve %s exited: %s" % (self.name, self.log()))
            time.sleep(0.05)
        fail("kkc serve %s wrote no port file in 60 s" % self.name)

    def log(self):
        return open(os.path.join(TMP, self.name + ".log")).read()[-3000:]

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=60)
        self.proc = None

    def get(self, path):
        return http(self.url + path)

    def health(self):
        st, body = self.get("/v1/health")
        if st != 200:
            fail("%s /v1/health answered %d: %s" % (self.name, st, body[:300]))
        return json.loads(body)


def start_haproxy(a, b):
    env = dict(os.environ, KKC_LB_BIND="127.0.0.1:0", KKC_SERVER1="127.0.0.1:%d" % a.port,
               KKC_SERVER2="127.0.0.1:%d" % b.port,
               KKC_HAPROXY_DIR=os.path.join(ROOT, "scripts", "haproxy"))
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    env["KKC_LB_BIND"] = "127.0.0.1:%d" % port
    proc = subprocess.Popen(["haproxy", "-db", "-f", os.path.join(ROOT, "scripts", "haproxy",
                                                                   "kkc.cfg")],
                            env=env, stdout=open(os.path.join(TMP, "haproxy.log"), "a"),
                            stderr=subprocess.STDOUT)
    note_pid(proc.pid)
    url = "http://127.0.0.1:%d" % port
    for _ in range(200):
        if proc.poll() is not None:
            fail("haproxy exited: " + open(os.path.join(TMP, "haproxy.log")).read()[-2000:])
        if http(url + "/v1/health", timeout=5)[0] == 200:
            break
        time.sleep(0.05)
    time.sleep(1.5)  # both servers through their first checks (rise 2, inter 500 ms)
    return proc, url


# ---------------------------------------------------------------- 1. identical answers -----

def random_queries(n, rng):
    def hd():  # a point in Heidelberg (the road network)
        return rng.uniform(8.62, 8.74), rng.uniform(49.37, 49.44)

    def khk():  # a point in the KHK region (centres, municipalities)
        return rng.uniform(15.3, 16.5), rng.uniform(50.1, 50.7)

    kinds = []
    for i in range(n):
        k = i % 12
        (x1, y1), (x2, y2) = hd(), hd()
        if k == 0:
            lon, lat = khk()
            kinds.append(("nearest", "/v1/nearest?lon=%.5f&lat=%.5f&k=5" % (lon, lat)))
        elif k == 1:
            kinds.append(("nearest_time", "/v1/nearest?lon=%.5f&lat=%.5f&by=time&k=2" % (x1, y1)))
        elif k == 2:
            kinds.append(("route", "/v1/route?from=%.5f,%.5f&to=%.5f,%.5f&steps=true"
                          % (x1, y1, x2, y2)))
        elif k == 3:
            kinds.append(("osrm_route", "/route/v1/driving/%.5f,%.5f;%.5f,%.5f?overview=full"
                          % (x1, y1, x2, y2)))
        elif k == 4:
            pts = ";".join("%.5f,%.5f" % hd() for _ in range(4))
            kinds.append(("table", "/table/v1/driving/" + pts + "?annotations=duration,distance"))
        elif k == 5:
            kinds.append(("osrm_nearest", "/nearest/v1/driving/%.5f,%.5f?number=3" % (x1, y1)))
        elif k == 6:
            kinds.append(("isochrone", "/v1/isochrone?centre=%s&minutes=%d"
                          % (rng.choice([FIRE, "osm-w318410494"]), rng.randint(2, 8))))
        elif k == 7:
            kinds.append(("coverage", "/v1/coverage?minutes=%d" % rng.randint(4, 15)))
        elif k == 8:
            lon, lat = khk()
            kinds.append(("reverse", "/v1/reverse?lon=%.5f&lat=%.5f" % (lon, lat)))
        elif k == 9:
            kinds.append(("search", "/v1/search?q=%s" % rng.choice(
                ["Hradec", "Trutnov", "N%C3%A1chod", "Ji%C4%8D%C3%ADn", "Rychnov", "Dv%C5%AFr"])))
        elif k == 10:
            kinds.append(("catchments", "/v1/catchments?minutes=%d" % rng.randint(5, 12)))
        else:
            rows = "".join("%d,%.5f,%.5f\n" % ((j,) + khk()) for j in range(3))
            kinds.append(("nearest_batch", ("POST", "/v1/nearest?k=2",
                                            ("id,lon,lat\n" + rows).encode())))
    return kinds


def ask(srv, q):
    if isinstance(q, tuple):
        return http(srv.url + q[1], method=q[0], body=q[2])
    return srv.get(q)


def identical(a, b, label):
    rng = random.Random(20)
    counts, statuses = {}, {}
    for kind, q in random_queries(QUERIES, rng):
        ra, rb = ask(a, q), ask(b, q)
        if ra != rb:
            fail("%s: %s answers differ: A %d %r / B %d %r" % (label, q, ra[0], ra[1][:200],
                                                             rb[0], rb[1][:200]))
        counts[kind] = counts.get(kind, 0) + 1
        statuses[ra[0]] = statuses.get(ra[0], 0) + 1
    if statuses.get(200, 0) < QUERIES * 0.6:
        fail("%s: too few 200 answers to compare anything: %r" % (label, statuses))
    print("replicas.sh: %s: %d queries byte-identical on both servers (%s; statuses %s)"
          % (label, QUERIES, ", ".join("%s %d" % kv for kv in sorted(counts.items())),
             statuses))


# ---------------------------------------------------------------- 2. writes seen by both ---

def nearest_ids(srv):
    st, body = srv.get(NEAR)
    if st != 200:
        fail("%s %s answered %d: %s" % (srv.name, NEAR, st, body[:200]))
    return [r["centre"]["id"] for r in json.loads(body)["results"]]


def duration(srv):
    st, body = srv.get(ROUTE)
    if st != 200:
        fail("%s %s answered %d: %s" % (srv.name, ROUTE, st, body[:200]))
    d = json.loads(body)
    return d.get("properties", d)["duration_s"]


def until_both(servers, test, what, t0):
    """Poll every 10 ms until test(srv) holds on every server; the seconds it took."""
    left = list(servers)
    while left:
        left = [s for s in left if not test(s)]
        if left and time.time() - t0 > 10:
            fail("%s not honoured by %s within 10 s" % (what, ", ".join(s.name for s in left)))
        if left:
            time.sleep(0.01)
    return time.time() - t0


def write(srv_url, method, path, body=None, want=(200, 201, 204)):
    st, out = http(srv_url + path, method=method, body=body, token=True)
    if st not in want:
        fail("%s %s answered %d: %s" % (method, path, st, out[:300]))
    return json.loads(out) if out else None


def notifications(srv):
    for line in srv.get("/metrics")[1].decode().splitlines():
        if line.startswith("kkc_state_notifications_total "):
            return int(line.split()[1])
    fail("%s /metrics has no kkc_state_notifications_total" % srv.name)


def writes_seen(a, b):
    before_ids, before_dur = nearest_ids(a), duration(a)
    pushed = notifications(b)
    if before_ids[0] != FIRE or nearest_ids(b) != before_ids:
        fail("unexpected nearest centres before the writes: %r" % before_ids)
    t0 = time.time()
    write(a.url, "PUT", "/v1/centres/" + FIRE, {"status": "closed"})
    t_centre = until_both([a, b], lambda s: FIRE not in nearest_ids(s), "the centre closure", t0)
    if notifications(b) <= pushed:  # B was told (NOTIFY), not left to its 5 s poll
        fail("B honoured A's write without a notification: pushed %d -> %d"
             % (pushed, notifications(b)))
    t0 = time.time()
    c = write(b.url, "POST", "/v1/closures", {"reason": "replicas test", "ways": BRIDGE})
    t_road = until_both([a, b], lambda s: duration(s) > before_dur + 1, "the road closure", t0)
    write(b.url, "DELETE", "/v1/closures/%d" % c["id"])
    write(a.url, "PUT", "/v1/centres/" + FIRE, {"status": "active"})
    until_both([a, b], lambda s: nearest_ids(s) == before_ids and duration(s) == before_dur,
               "undoing both", time.time())
    ha, hb = a.health(), b.health()
    if ha["state"]["version"] != hb["state"]["version"] or ha["state"]["lag"] != 0:
        fail("the servers stand at different state versions: %r / %r" % (ha["state"], hb["state"]))
    print("replicas.sh: a centre closed through A honoured by both after %.3f s, a road closure "
          "through B after %.3f s (route %.1f s -> closed); undone, both answer as before (state "
          "version %d)" % (t_centre, t_road, before_dur, ha["state"]["version"]))


# ---------------------------------------------------------------- load through HAProxy -----

class Load:
    """Reader threads through HAProxy; every answer that is not a 200 is a failure."""

    def __init__(self, url, threads=4):
        self.url, self.stop_ev, self.lock = url, threading.Event(), threading.Lock()
        self.ok, self.failed, self.samples = 0, 0, []
        qs = [q for _, q in random_queries(240, random.Random(7)) if isinstance(q, str)
              and ("isochrone" not in q and "coverage" not in q and "catchments" not in q)]
        self.queries = qs
        self.threads = [threading.Thread(target=self.run, args=(i,)) for i in range(threads)]

    def run(self, i):
        rng = random.Random(i)
        while not self.stop_ev.is_set():
            q = rng.choice(self.queries)
            st, body = http(self.url + q, timeout=30)
            with self.lock:
                if st in (200, 400, 422):  # 400/422: a random point off the roads, answered
                    self.ok += 1
                else:
                    self.failed += 1
                    if len(self.samples) < 5:
                        self.samples.append((q, st, body[:200]))

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop_ev.set()
        for t in self.threads:
            t.join()

    def check(self, label):
        if self.failed or not self.ok:
            fail("%s: %d of %d reads failed at the client: %r" % (label, self.failed,
                                                                 self.ok + self.failed,
                                                                 self.samples))
        print("replicas.sh: %s: %d reads through HAProxy, none failed" % (label, self.ok))


# ---------------------------------------------------------------- 3. kill -9 and restart ---

def served_queries(srv):
    """Requests srv answered on its query routes (its /metrics), health checks left out."""
    n = 0
    for line in srv.get("/metrics")[1].decode().splitlines():
        if line.startswith("kkc_http_requests_total{") and "/v1/health" not in line \
                and "/metrics" not in line:
            n += int(float(line.rsplit(" ", 1)[1]))
    return n


def kill_restart(a, b, lb):
    with Load(lb) as load:
        time.sleep(1)
        a.stop(signal.SIGKILL)
        time.sleep(1.5)  # HAProxy marks A down (fall 2 x 500 ms); reads go on through B
        write(lb, "PUT", "/v1/centres/" + FIRE, {"status": "closed"})  # lands on B
        shared = b.health()["state"]["version"]
        a.start(wait=False)
        a.wait_port()
        first = a.health()  # the first answer A gives at all
        if first["state"]["version"] != shared or first["state"]["lag"] != 0:
            fail("A answered before it caught up: %r, shared version %d" % (first["state"], shared))
        if FIRE in nearest_ids(a):
            fail("the restarted A does not honour the centre closed while it was down")
        print("replicas.sh: A killed (SIGKILL) and restarted in %.1f s; its first health answer "
              "already at state version %d" % (time.time() - a.started, shared))
        time.sleep(2)  # HAProxy takes A back (rise 2) and load runs on both again
        served = served_queries(a)
        if served < 20:
            fail("HAProxy sent the restarted A only %d queries in 2 s" % served)
    load.check("kill -9 of one server and its restart")
    print("replicas.sh: the restarted A was back in HAProxy's pool (%d queries in its first "
          "2 s)" % served)
    write(lb, "PUT", "/v1/centres/" + FIRE, {"status": "active"})


# ---------------------------------------------------------------- 4. PostgreSQL outage -----

def pg_ctl(*args):
    subprocess.run(ASUSER + [PGBIN + "/pg_ctl", "-D", PGDATA] + list(args), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def pg_outage(a, b, lb):
    with Load(lb) as load:
        time.sleep(1)
        pg_ctl("-m", "fast", "-w", "stop")
        time.sleep(0.5)
        st, body = http(lb + "/v1/centres/" + FIRE, method="PUT", body={"status": "closed"},
                        token=True)
        doc = json.loads(body) if body.startswith(b"{") else {}
        if st != 503 or doc.get("code") != "StateUnavailable" or not doc.get("message"):
            fail("an admin write without PostgreSQL answered %d %r, not 503 StateUnavailable"
                 % (st, body[:300]))
        for s in (a, b):
            h = s.health()["state"]
            if h["reachable"]:
                fail("%s says PostgreSQL is reachable while it is stopped: %r" % (s.name, h))
        time.sleep(1)
        pg_ctl("-l", os.path.join(PGDATA, "server.log"), "-w", "-t", "60", "-o",
               "-c listen_addresses=127.0.0.1 -p %s -k %s -c fsync=off" % (PGPORT, TMP), "start")
        t0 = time.time()
        while True:
            st, body = http(lb + "/v1/centres/" + FIRE, method="PUT", body={"status": "closed"},
                            token=True)
            if st == 200:
                break
            if st != 503 or time.time() - t0 > 30:
                fail("the write after PostgreSQL came back answered %d: %r" % (st, body[:300]))
            time.sleep(0.2)
        t_write = time.time() - t0
        until_both([a, b], lambda s: FIRE not in nearest_ids(s), "the write after the outage",
                   time.time())
        until_both([a, b], lambda s: s.health()["state"]["reachable"], "reachable again",
                   time.time())
        time.sleep(1)
    load.check("PostgreSQL stopped and started under load")
    print("replicas.sh: without PostgreSQL the write answered 503 StateUnavailable; after it "
          "came back the write succeeded after %.2f s and both honour it" % t_write)
    write(lb, "PUT", "/v1/centres/" + FIRE, {"status": "active"})


def haproxy_errors(a, b, lb):
    """HAProxy's own errors answer JSON: no server left (503). (HAProxy 2.6 answers a request it
    cannot parse with its built-in HTML 400 whatever the errorfile: scripts/haproxy/kkc.cfg.)"""
    a.stop()
    b.stop()
    time.sleep(1.5)  # both checks fail (fall 2)
    st, body = http(lb + "/v1/health")
    doc = json.loads(body) if body.startswith(b"{") else {}
    if st != 503 or doc.get("code") != "NoServer" or not doc.get("message"):
        fail("HAProxy without servers answered %d %r" % (st, body[:300]))
    print("replicas.sh: HAProxy's own 503 (no server up) is JSON: NoServer")


def main():
    with open(os.path.join(TMP, "token"), "w") as f:
        f.write(TOKEN + "\n")
    a, b = Server("a"), Server("b")
    hap = None
    try:
        a.start()
        b.start()
        ha, hb = a.health(), b.health()
        if ha.get("state", {}).get("backend") != "postgresql":
            fail("A does not report the PostgreSQL state: %r" % ha.get("state"))
        hap, lb = start_haproxy(a, b)
        identical(a, b, "fresh state")
        writes_seen(a, b)
        kill_restart(a, b, lb)
        pg_outage(a, b, lb)
        identical(a, b, "after the writes, the restart and the outage")
        m = a.get("/metrics")[1].decode()
        for name in ("kkc_state_version", "kkc_state_lag", "kkc_state_reachable 1"):
            if name not in m:
                fail("/metrics has no %s" % name)
        cli = subprocess.run([KKC, "closures", "add", "--db", a.db, "--reason", "x", "--ways",
                              str(BRIDGE[0])], capture_output=True, text=True)
        if cli.returncode != 1 or "mirrors a shared state" not in cli.stderr:
            fail("kkc closures add wrote into a replica's file: %d %s" % (cli.returncode,
                                                                      cli.stderr))
        haproxy_errors(a, b, lb)
    finally:
        for s in (a, b):
            s.stop()
        if hap and hap.poll() is None:
            hap.terminate()
            hap.wait(timeout=30)
    print("replicas.sh: all checks passed")


main()
