#!/usr/bin/python3
"""tests/scripts/lib/hardening.py -- the client side of tests/scripts/hardening.sh.

Each subcommand talks to a `kkc serve` on 127.0.0.1 (never anything else) or reads a database
file, prints one TAP-style line per assertion ("ok - ..." / "not ok - ...  # detail") and exits
1 when any assertion failed. Everything is bounded in count and time. Only the standard library.
"""
import argparse
import csv
import http.client
import json
import os
import random
import selectors
import socket
import sqlite3
import sys
import threading
import time

HOST = "127.0.0.1"
failures = 0


def check(cond, desc, detail=""):
    """One assertion line; returns cond."""
    global failures
    if cond:
        print("ok - " + desc, flush=True)
    else:
        failures += 1
        print("not ok - " + desc + ("  # " + detail if detail else ""), flush=True)
    return cond


def note(text):
    print("# " + text, flush=True)


def request(port, method, path, body=None, headers=None, timeout=15, chunked=False):
    """One request on a new connection: (status, headers lower-cased, body bytes)."""
    c = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        c.request(method, path, body=body, headers=headers or {}, encode_chunked=chunked)
        r = c.getresponse()
        data = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data
    finally:
        c.close()


def get_json(port, path, **kw):
    s, h, b = request(port, "GET", path, **kw)
    try:
        return s, json.loads(b)
    except ValueError:
        return s, None


def expect_error(port, method, path, status, code=None, desc=None, body=None, headers=None):
    """Assert an error answer: the status, a JSON content type, a body {"code", "message"}."""
    desc = desc or "%s %s -> %d JSON" % (method, shorten(path), status)
    try:
        s, h, b = request(port, method, path, body=body, headers=headers)
    except (OSError, http.client.HTTPException) as e:
        return check(False, desc, "no answer: %r" % e)
    detail = "got %d %s %r" % (s, h.get("content-type"), b[:160])
    try:
        v = json.loads(b)
    except ValueError:
        v = None
    ok = (s == status and h.get("content-type", "").startswith("application/json")
          and isinstance(v, dict) and isinstance(v.get("code"), str)
          and isinstance(v.get("message"), str) and (code is None or v["code"] == code))
    return check(ok, desc, detail)


def shorten(s, n=70):
    return s if len(s) <= n else s[:n] + "...(%d bytes)" % len(s)


def alive(port, desc="the server still answers /v1/health"):
    try:
        s, _, _ = request(port, "GET", "/v1/health", timeout=10)
    except (OSError, http.client.HTTPException) as e:
        return check(False, desc, repr(e))
    return check(s == 200, desc, "status %d" % s)


def raw_exchange(port, data, timeout=10):
    """Send raw bytes (ignoring a reset while sending), return the status code read back or None."""
    s = socket.create_connection((HOST, port), timeout=timeout)
    try:
        try:
            s.sendall(data)
        except OSError:
            pass
        buf = b""
        try:
            while b"\r\n" not in buf:
                chunk = s.recv(4096)
                if not chunk:
                    break
                buf += chunk
        except OSError:
            pass
        parts = buf.split(b" ", 2)
        return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    finally:
        s.close()


# ------------------------------------------------------------------------------ (a) limits --

def cmd_limits(a):
    p = a.port
    q = "/v1/nearest?lon=15.83&lat=50.21"
    # request target length: 8192 is allowed, one more byte is not
    base = "/v1/health?p="
    expect_error(p, "GET", base + "a" * (8192 - len(base)), 400, "InvalidQuery",
                 "a request target of exactly 8192 bytes is parsed (400 for the unknown p)")
    expect_error(p, "GET", base + "a" * (8193 - len(base)), 414, "TooBig",
                 "a request target of 8193 bytes -> 414 TooBig JSON")
    expect_error(p, "GET", q + "&pad=" + "x" * 9000, 414, "TooBig", "URL of 9 KiB -> 414 JSON")
    expect_error(p, "GET", q + "&pad=" + "x" * 50000, 414, "TooBig", "URL of 50 KiB -> 414 JSON")
    expect_error(p, "GET", q + "&pad=" + "x" * 200000, 414, "TooBig",
                 "URL of 200 KiB (past the connection's memory) -> 414 JSON")
    alive(p)

    # bodies: 1 MiB is the cap outside POST /v1/nearest
    mib = 1 << 20
    expect_error(p, "POST", "/v1/centres", 413, "TooBig", "a body of 1 MiB + 1 -> 413 JSON",
                 body=b"x" * (mib + 1), headers={"Content-Type": "application/json"})
    s, h, b = request(p, "POST", "/v1/centres", body=b"x" * mib)
    check(s != 413, "a body of exactly 1 MiB is not refused as too big", "status %d" % s)

    def chunks():
        for _ in range(33):
            yield b"y" * 32768
    s, h, b = request(p, "POST", "/v1/centres", body=chunks(),
                      headers={"Transfer-Encoding": "chunked"}, chunked=True)
    check(s == 413 and b.startswith(b"{"), "a chunked body over 1 MiB -> 413 JSON",
          "status %d %r" % (s, b[:80]))
    # a declared huge length, little data, then silence and close: nothing is allocated up front
    st = raw_exchange(p, b"POST /v1/centres HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000000\r\n"
                         b"\r\n0123456789", timeout=1)
    alive(p, "a declared Content-Length of 10 GB with 10 bytes sent leaves the server serving")
    expect_error(p, "POST", "/v1/nearest", 413, "TooBig",
                 "a batch body over its 64 MiB cap -> 413 JSON", body=b"z" * ((64 << 20) + 1),
                 headers={"Content-Type": "text/csv"})

    # the bodies held at once over all requests are capped (256 MiB): five 60 MiB batches
    # uploaded together cannot all be held
    size, first = 60 << 20, 50 << 20
    barrier, codes, lock = threading.Barrier(5), [], threading.Lock()

    def upload():
        st = None
        s = socket.create_connection((HOST, p), timeout=60)
        try:
            s.sendall(b"POST /v1/nearest HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n"
                      b"Content-Length: %d\r\n\r\n" % size)
            s.sendall(b"0" * first)
            barrier.wait(timeout=60)
            s.sendall(b"0" * (size - first))
        except (OSError, threading.BrokenBarrierError):
            pass
        try:
            buf = s.recv(64)
            parts = buf.split(b" ", 2)
            st = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        except OSError:
            pass
        s.close()
        with lock:
            codes.append(st)
    ths = [threading.Thread(target=upload) for _ in range(5)]
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    # the per-client budget (128 MiB, all five come from 127.0.0.1) answers 429 before the
    # server's total (256 MiB) answers 503
    check(any(c in (429, 503) for c in codes) and
          all(c is None or c < 500 or c == 503 for c in codes),
          "5 x 60 MiB batch bodies at once: some are refused with 429/503, none fails otherwise",
          "statuses %r" % codes)
    alive(p)

    # k and the other parameters
    s, v = get_json(p, q + "&k=50")
    check(s == 200 and v is not None and 0 < len(v.get("results", [])) <= 50, "k=50 -> 200",
          "status %d" % s)
    bad = ["k=51", "k=0", "k=-1", "k=1.5", "k=abc", "k=", "k=1e1", "k=99999999999999999999",
           "k=%205", "k=5x"]
    for kv in bad:
        expect_error(p, "GET", q + "&" + kv, 400, "InvalidQuery")
    nq = "/v1/nearest?"
    for qs in ["lon=15.83", "lat=50.21", "lon=15.83&lat=91", "lon=181&lat=50", "lon=abc&lat=50",
               "lon=nan&lat=50", "lon=inf&lat=50", "lon=-inf&lat=50", "lon=0x10&lat=50",
               "lon=1e999&lat=50", "lon=%2015.8&lat=50", "lon=15.8%20&lat=50", "lon=&lat=",
               "lon=15.8%00&lat=50", "lon=15.8&lat=50&k=5%00", "lon=15.8&lat=50&%00=1",
               "lon=15.8&lat=50&x=1&y=2", "lon=15.8&lat=50&lon=15.9", "lon=15.8&lat=50&bogus=1",
               "lon=15.8&lat=50&kind=boat", "lon=15.8&lat=50&kind=", "lon=15.8&lat=50&kind=,,",
               "lon=15.8&lat=50&by=air", "lon=15.8&lat=50&include_closed=maybe",
               "x=1&y=2&crs=EPSG:99999", "x=abc&y=1&crs=EPSG:5514",
               "lon=15.8&lat=50&" + "&".join("p%d=1" % i for i in range(40))]:
        expect_error(p, "GET", nq + qs, 400, "InvalidQuery")
    for path in ["/v1/centres?format=xml", "/v1/centres?bbox=1,2,3", "/v1/centres?bbox=3,3,1,1",
                 "/v1/centres?bbox=a,b,c,d", "/v1/centres?kind=police&kind=fire",
                 "/v1/route?to=15.83,50.21", "/v1/route?from=abc&to=15.83,50.21",
                 "/v1/route?from=15.83,50.21,1&to=15.83,50.21", "/v1/route?from=15.83&to=1,2",
                 "/v1/health?verbose=1"]:
        expect_error(p, "GET", path, 400, "InvalidQuery")
    expect_error(p, "GET", "/v1/route?from=centre:NO-SUCH&to=8.69,49.41", 404, "NotFound")
    expect_error(p, "GET", "/v1/centres/NO-SUCH", 404, "NotFound")
    expect_error(p, "GET", "/v1/no-such-endpoint", 404, "NotFound")
    s, h, b = request(p, "DELETE", "/v1/nearest")
    check(s == 405 and "allow" in h and b.startswith(b"{"),
          "DELETE /v1/nearest -> 405 JSON + Allow",
          "status %d %r" % (s, h))
    s, h, b = request(p, "OPTIONS", "/v1/nearest")
    check(s == 204, "OPTIONS /v1/nearest -> 204", "status %d" % s)

    # bytes that are not UTF-8 in what the error message quotes: still a JSON error body
    expect_error(p, "GET", q + "&%FF=1", 400, "InvalidQuery",
                 "a parameter name that is not UTF-8 -> 400 JSON (message quotes it)")
    expect_error(p, "GET", "/v1/nearest?lat=50&lon=" + "1" * 39 + "%C3%A9", 400, "InvalidQuery",
                 "a value whose quoted prefix cuts a UTF-8 sequence -> 400 JSON")
    expect_error(p, "GET", "/v1/centres/%FF%FE", 404, "NotFound",
                 "a centre id that is not UTF-8 -> 404 JSON")

    # static files: no way out of the web directory
    for path in ["/static/../../../../etc/passwd", "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
                 "/leaflet/../../../../etc/passwd", "/static/..%2f..%2f..%2fetc/passwd",
                 "/static/.hidden"]:
        try:
            s, h, b = request(p, "GET", path)
        except (OSError, http.client.HTTPException) as e:
            s, b = 0, repr(e).encode()
        check(s != 200 and b"root:" not in b, "no file outside the web dir: %s" % path,
              "status %d" % s)

    # malformed requests on raw sockets
    st = raw_exchange(p, b"GET /v1/health HTTP/1.1\r\nHost: x\r\n" +
                      b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 500) for i in range(200)) + b"\r\n")
    check(st is None or 400 <= st < 500, "100 KB of headers is refused", "status %r" % st)
    for junk in [b"\x00\x01\x02\x03 / HTTP/1.1\r\n\r\n", b"GET /v1/health\x00x HTTP/1.1\r\n\r\n",
                 b"GET /v1/health HTTP/9.9\r\nHost: x\r\n\r\n",
                 b"POST /v1/centres HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
                 b"POST /v1/centres HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                 b"fffffffffffffffff\r\n", b"\r\n\r\n\r\n"]:
        raw_exchange(p, junk, timeout=3)
    alive(p, "the server still answers after malformed request lines and framing")
    return failures


# ------------------------------------------------------------------------- (b) slow clients --

def cmd_slow(a):
    """Half-open connections held while normal requests run; the server must time them out."""
    p, holders, timeout = a.port, a.holders, a.timeout
    held = []
    t0 = time.monotonic()
    for i in range(holders):
        s = socket.create_connection((HOST, p), timeout=5)
        # a partial request: line and one header, never finished
        s.sendall(b"GET /v1/nearest?lon=15.83&lat=50.21 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: %d"
                  % i)
        held.append(s)
    opened = time.monotonic()
    note("%d half-open connections held after %.2f s" % (holders, opened - t0))

    # a trickle group: one byte every 1 s (an idle timeout does not catch these)
    trickle, stop = [], threading.Event()
    for i in range(a.trickle):
        s = socket.create_connection((HOST, p), timeout=5)
        s.sendall(b"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Trickle: ")
        trickle.append(s)

    def trickler():
        while not stop.wait(1.0):
            for s in list(trickle):
                try:
                    s.sendall(b"a")
                except OSError:
                    trickle.remove(s)
    tt = threading.Thread(target=trickler, daemon=True)
    tt.start()

    # normal traffic meanwhile
    results, lock = [], threading.Lock()
    urls = ["/v1/nearest?lon=15.83&lat=50.21&k=3", "/v1/health", "/v1/centres?kind=fire",
            "/v1/route?from=8.6724,49.4093&to=8.6934,49.4106"]

    def worker(n):
        for i in range(n):
            u = urls[i % len(urls)]
            t = time.monotonic()
            try:
                s, _, _ = request(p, "GET", u, timeout=10)
            except (OSError, http.client.HTTPException) as e:
                s = repr(e)
            with lock:
                results.append((s, time.monotonic() - t))
    ths = [threading.Thread(target=worker, args=(a.normal // 4,)) for _ in range(4)]
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    bad = [r for r in results if r[0] != 200]
    slowest = max(r[1] for r in results) if results else 0
    check(len(results) == a.normal // 4 * 4 and not bad,
          "%d normal requests all 200 while %d connections are held half-open" %
          (len(results), holders), "failures: %r" % bad[:5])
    check(slowest < 5, "no normal request took 5 s or more (slowest %.3f s)" % slowest)

    # the held connections must be closed by the server within the timeout (+ slack)
    closes = [t - opened for t in closed_by_server(held, opened + timeout + 8)]
    closed = len(closes)
    first, last = (closes[0], closes[-1]) if closes else (None, None)
    check(closed == holders, "the server closed all %d half-open connections (%d) within %d s"
          % (holders, closed, timeout + 8))
    check(first is not None and first >= timeout * 0.5,
          "they were held open, not refused at once (first closed after %.2f s, last %.2f s)"
          % (first or -1, last or -1))
    # the trickle group for three timeouts: each byte resets libmicrohttpd's idle timer
    time.sleep(max(0.0, opened + 3 * timeout + 1 - time.monotonic()))
    stop.set()
    tt.join()
    note("trickle connections (one byte a second) still open after %.0f s: %d of %d -- an idle "
         "timeout alone does not bound them" % (time.monotonic() - opened, len(trickle),
                                                a.trickle))
    for s in held + trickle:
        s.close()
    alive(p)
    return failures


def closed_by_server(socks, deadline):
    """Wait until the server has closed every one of socks (a read gives end of file or an
    error) or time.monotonic() passes deadline: the times of the closes seen, in order."""
    sel = selectors.DefaultSelector()
    for s in socks:
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
    closes = []
    while len(closes) < len(socks) and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=0.5):
            try:
                data = key.fileobj.recv(4096)
            except OSError:
                data = b""
            if not data:
                closes.append(time.monotonic())
                sel.unregister(key.fileobj)
    return closes


def server_sockets(pid):
    """How many sockets the server process holds open."""
    n = 0
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            n += os.readlink("/proc/%d/fd/%s" % (pid, fd)).startswith("socket:")
        except OSError:
            pass
    return n


def cmd_flood(a):
    """More idle connections than --max-connections: the server never holds more than the limit
    (the rest wait in the listen backlog), times them all out, and service comes back."""
    p = a.port
    socks = []
    for i in range(a.count):
        s = socket.create_connection((HOST, p), timeout=3)
        s.sendall(b"GET /v1/health HTTP/1.1\r\nX-Flood: %d" % i)
        socks.append(s)
    time.sleep(0.5)
    held = server_sockets(a.pid)
    check(held <= a.limit + 2, "with %d idle clients the server holds %d sockets (limit %d + "
          "the listening one)" % (a.count, held, a.limit))
    t = time.monotonic()
    try:
        st = request(p, "GET", "/v1/health", timeout=30)[0]
    except (OSError, http.client.HTTPException) as e:
        st = repr(e)
    waited = time.monotonic() - t
    check(st == 200 and waited < a.timeout * 4 + 5,
          "a request during the flood is served once idle ones time out (%.1f s)" % waited,
          "status %r" % (st,))
    deadline = time.monotonic() + a.timeout * (a.count // a.limit + 2) + 10
    closed = len(closed_by_server(socks, deadline))
    check(closed == a.count, "the server timed out all %d idle connections, backlog included (%d)"
          % (a.count, closed))
    ok = 0
    for _ in range(20):
        try:
            ok += request(p, "GET", "/v1/health", timeout=5)[0] == 200
        except (OSError, http.client.HTTPException):
            pass
    check(ok == 20, "after the flood 20 of 20 requests succeed (%d)" % ok)
    for s in socks:
        s.close()
    return failures


# ---------------------------------------------------------------------- (c) reload loop ----

def cmd_export_centres(a):
    """Write the served centres as an import CSV, plus one extra centre."""
    s, v = get_json(a.port, "/v1/centres")
    cols = ["id", "name", "kind", "lon", "lat", "address", "municipality", "municipality_code",
            "phone", "email", "www", "hours"]
    with open(a.out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(cols)
        for c in v["centres"]:
            w.writerow(["" if c.get(k) is None else c.get(k) for k in cols])
        w.writerow(a.add.split(",") + [""] * 7)
    check(s == 200 and len(v["centres"]) > 10, "exported %d centres + 1 to %s"
          % (len(v["centres"]), os.path.basename(a.out)))
    return failures


def cmd_loop(a):
    """Requests from several threads until the stop file appears (or max seconds); then assert
    no failure and, with --expect, how the marker centre appears at the query point."""
    p = a.port
    q = "/v1/nearest?lon=%s&lat=%s&k=1" % (a.lon, a.lat)
    urls = [q, "/v1/health", "/v1/nearest?lon=15.9&lat=50.3&k=5&kind=police",
            "/v1/centres?kind=ambulance", q]
    recs, lock = [], threading.Lock()
    t_start = time.monotonic()

    def worker(seed):
        rnd = random.Random(seed)
        c = None
        while not os.path.exists(a.stop_file) and time.monotonic() - t_start < a.max_seconds:
            u = rnd.choice(urls)
            t1 = time.monotonic()
            rec = {"t1": t1, "url": u}
            try:
                if c is None:
                    c = http.client.HTTPConnection(HOST, p, timeout=10)
                c.request("GET", u)
                r = c.getresponse()
                body = r.read()
                rec["status"] = r.status
                if r.status == 200 and u == q:
                    v = json.loads(body)
                    rec["top"] = v["results"][0]["centre"]["id"] if v["results"] else None
                elif r.status == 200 and u == "/v1/health":
                    rec["version"] = json.loads(body)["data_version"]
            except (OSError, http.client.HTTPException, ValueError) as e:
                rec["status"] = repr(e)
                if c is not None:
                    c.close()
                c = None
            rec["t2"] = time.monotonic()
            with lock:
                recs.append(rec)
            time.sleep(a.pause)
        if c is not None:
            c.close()
    ths = [threading.Thread(target=worker, args=(i,)) for i in range(a.threads)]
    for t in ths:
        t.start()
    with open(a.ready_file, "w") as f:
        f.write("ready\n")
    for t in ths:
        t.join()
    recs.sort(key=lambda r: r["t1"])
    bad = [r for r in recs if r["status"] != 200]
    check(len(recs) >= a.min_requests, "the loop made %d requests (at least %d)"
          % (len(recs), a.min_requests))
    check(not bad, "no request failed (%d failed of %d)" % (len(bad), len(recs)),
          "first failures: %r" % [(r["url"], r["status"]) for r in bad[:5]])
    tops = [r for r in recs if "top" in r]
    seen = [r for r in tops if r["top"] == a.marker]
    versions = [r["version"] for r in recs if "version" in r]
    if a.expect == "switch":
        check(bool(seen), "the new centre %s appeared in /v1/nearest after the reload" % a.marker)
        if seen:
            first_new = min(r["t2"] for r in seen)
            stale = [r for r in tops if r["t1"] > first_new and r["top"] != a.marker]
            check(not stale, "no answer started after the first new one showed the old data",
                  "%d stale" % len(stale))
            check(tops[0]["top"] != a.marker, "the answers before the reload were the old data")
        check(len(set(versions)) >= 2, "/v1/health data_version changed (%s)"
              % " -> ".join(sorted(set(versions), key=versions.index)))
    elif a.expect == "always":
        check(tops and len(seen) == len(tops), "every answer kept the loaded data (%d of %d)"
              % (len(seen), len(tops)))
        check(len(set(versions)) == 1, "data_version unchanged (%s)" % set(versions))
    return failures


# ------------------------------------------------------------------------ (d) admin writes --

def auth(token):
    return {"Authorization": "Bearer " + token, "Content-Type": "application/json"}


def cmd_admin_auth(a):
    p, tok = a.port, a.token
    body = json.dumps({"id": "HARD-X", "name": "x", "kind": "police", "lon": 15, "lat": 50})
    s, h, b = request(p, "POST", "/v1/centres", body=body)
    check(s == 401 and "www-authenticate" in h and b.startswith(b"{"),
          "POST without Authorization -> 401 JSON + WWW-Authenticate", "status %d" % s)
    for hdr, why in [("Bearer " + tok[:-1], "a prefix of the token"),
                     ("Bearer " + tok + "x", "the token plus one character"),
                     ("Bearer " + tok.upper(), "the token in upper case"),
                     ("Bearer wrong-token-0123456789", "a wrong token")]:
        expect_error(p, "POST", "/v1/centres", 403, "Forbidden", "%s -> 403 JSON" % why,
                     body=body, headers={"Authorization": hdr})
    for hdr in ["Basic " + tok, tok, "Bearer", "Bearer "]:
        s, h, b = request(p, "PUT", "/v1/centres/HZS1", body='{"status":"closed"}',
                          headers={"Authorization": hdr})
        check(s in (401, 403), "Authorization %r -> 401/403" % shorten(hdr, 20), "status %d" % s)
    s, v = get_json(p, "/v1/centres/HZS1")
    check(s == 200 and v.get("status") == "active", "no refused write changed anything")
    return failures


def cmd_admin_none(a):
    """A server without --admin-token-file has no write routes at all."""
    p = a.port
    for m, path in [("POST", "/v1/centres"), ("PUT", "/v1/centres/HZS1"),
                    ("DELETE", "/v1/centres/HZS1")]:
        s, h, b = request(p, m, path, body='{"status":"closed"}',
                          headers={"Authorization": "Bearer anything-at-all-0123"})
        check(s == 405 and m not in h.get("allow", "") and b.startswith(b"{"),
              "%s %s without an admin token configured -> 405, %s not in Allow" % (m, path, m),
              "status %d allow %r" % (s, h.get("allow")))
    return failures


def nearest_top(p, lon, lat, extra=""):
    s, v = get_json(p, "/v1/nearest?lon=%s&lat=%s&k=1%s" % (lon, lat, extra))
    return v["results"][0]["centre"] if s == 200 and v["results"] else None


def cmd_admin_close(a):
    """Close the centre nearest to lon,lat; it must vanish from /v1/nearest at once."""
    p = a.port
    top = nearest_top(p, a.lon, a.lat)
    check(top is not None and top["status"] == "active", "a nearest centre to close: %s"
          % (top or {}).get("id"))
    cid = top["id"]
    s, h, b = request(p, "PUT", "/v1/centres/" + cid, body='{"status": "closed"}',
                      headers=auth(a.token))
    v = json.loads(b) if s == 200 else {}
    check(s == 200 and v.get("status") == "closed", "PUT %s status=closed -> 200" % cid,
          "status %d %r" % (s, b[:120]))
    after = nearest_top(p, a.lon, a.lat)
    check(after is not None and after["id"] != cid,
          "the next /v1/nearest skips it (now %s)" % (after or {}).get("id"))
    s, v = get_json(p, "/v1/nearest?lon=%s&lat=%s&k=5&include_closed=true" % (a.lon, a.lat))
    inc = [r["centre"] for r in (v or {}).get("results", []) if r["centre"]["id"] == cid]
    check(inc and inc[0]["status"] == "closed", "include_closed=true still finds it, closed")
    s, hv = get_json(p, "/v1/health")
    check(hv.get("centres_closed", 0) >= 1, "/v1/health counts it closed")
    with open(a.state, "w") as f:
        f.write(cid)
    return failures


def cmd_admin_closed_still(a):
    p = a.port
    cid = open(a.state).read().strip()
    after = nearest_top(p, a.lon, a.lat)
    check(after is not None and after["id"] != cid,
          "after the restart /v1/nearest still skips %s" % cid)
    s, v = get_json(p, "/v1/centres/" + cid)
    check(s == 200 and v.get("status") == "closed", "after the restart %s is closed" % cid)
    return failures


def cmd_admin_crud(a):
    p, t = a.port, a.token
    new = {"id": "HARD-NEW-1", "name": "Hardening test station", "kind": "ambulance",
           "lon": 16.11, "lat": 50.41, "phone": "+420 123 456 789"}
    s, h, b = request(p, "POST", "/v1/centres", body=json.dumps(new), headers=auth(t))
    check(s == 201, "POST a new centre -> 201", "status %d %r" % (s, b[:120]))
    top = nearest_top(p, 16.11, 50.41)
    check(top is not None and top["id"] == "HARD-NEW-1", "the new centre is nearest at its spot")
    expect_error(p, "POST", "/v1/centres", 409, "Conflict", "POST the same id again -> 409",
                 body=json.dumps(new), headers=auth(t))
    for body, why in [('{"id":"HARD-2","name":"x","kind":"boat","lon":1,"lat":1}', "kind"),
                      ('{"id":"HARD-2","name":"x","kind":"fire","lon":181,"lat":1}', "lon"),
                      ('{"id":"HARD-2","name":"x","kind":"fire","lon":1,"lat":1,"x":1}', "field"),
                      ('{"id":"bad id","name":"x","kind":"fire","lon":1,"lat":1}', "id"),
                      ('{"id":"HARD-2",', "syntax"), ("[]", "array"), ("", "empty"),
                      ('{"id":"HARD-2","id":"HARD-3"}', "duplicate key")]:
        expect_error(p, "POST", "/v1/centres", 400, "InvalidQuery", "POST with bad %s -> 400"
                     % why, body=body, headers=auth(t))
    expect_error(p, "PUT", "/v1/centres/NO-SUCH", 404, "NotFound", "PUT of a missing id -> 404",
                 body='{"name":"x"}', headers=auth(t))
    s, h, b = request(p, "DELETE", "/v1/centres/HARD-NEW-1", headers=auth(t))
    check(s == 204, "DELETE it -> 204", "status %d" % s)
    expect_error(p, "GET", "/v1/centres/HARD-NEW-1", 404, "NotFound", "then GET -> 404")
    expect_error(p, "DELETE", "/v1/centres/HARD-NEW-1", 404, "NotFound", "DELETE again -> 404",
                 headers=auth(t))
    return failures


def cmd_admin_turnout(a):
    """A centre's own turnout through the admin API: stored, listed, added to response times
    (response_s - duration_s is exactly the turnout), an explicit 0 is 0 (not the kind's
    default), reset to the kind's default by null; bad values (3601, 1.5, "90", -5) are 400 and
    change nothing."""
    p, t = a.port, a.token
    cid, path = "HARD-TURN-1", "/v1/centres/HARD-TURN-1"
    new = {"id": cid, "name": "Turnout test station", "kind": "fire", "lon": 8.70,
           "lat": 49.40, "turnout_s": 300}  # on the default data's road network (Heidelberg)
    s, h, b = request(p, "POST", "/v1/centres", body=json.dumps(new), headers=auth(t))
    v = json.loads(b) if s == 201 else {}
    check(s == 201 and v.get("turnout_s") == 300, "POST with turnout_s 300 -> 201, stored 300",
          "status %d %r" % (s, b[:160]))

    def hit():
        s, v = get_json(p, "/v1/nearest?lon=8.70&lat=49.40&k=20&kind=fire&by=response")
        mine = [r for r in (v or {}).get("results", []) if r["centre"]["id"] == cid]
        return mine[0] if s == 200 and mine else {}

    r = hit()
    check(r.get("centre", {}).get("id") == cid and r.get("turnout_s") == 300 and
          abs(r["response_s"] - r["duration_s"] - 300) < 0.11,
          "by=response: turnout 300 s + drive time", "%r" % {k: r.get(k) for k in
                                                            ("turnout_s", "response_s",
                                                             "duration_s")})
    s, v = get_json(p, path)
    check(s == 200 and v.get("turnout_s") == 300 and v.get("response_turnout_s") == 300,
          "GET shows turnout_s 300 and response_turnout_s 300", "%r" % v)
    for bad in ["3601", "1.5", '"90"', "-5", "true"]:
        expect_error(p, "PUT", path, 400, "InvalidQuery", "PUT turnout_s %s -> 400" % bad,
                     body='{"turnout_s": %s}' % bad, headers=auth(t))
    s, v = get_json(p, path)
    check(v.get("turnout_s") == 300, "the refused writes kept 300", "%r" % v.get("turnout_s"))
    s, h, b = request(p, "PUT", path, body='{"turnout_s": 0}', headers=auth(t))
    v = json.loads(b) if s == 200 else {}
    check(s == 200 and v.get("turnout_s") == 0, "PUT turnout_s 0 -> 200, 0 stored (not null)",
          "status %d %r" % (s, b[:160]))
    s, v = get_json(p, path)
    check(v.get("turnout_s") == 0 and v.get("response_turnout_s") == 0,
          "an explicit 0: response_turnout_s 0, not the fire default 120", "%r" % v)
    r = hit()
    check(r.get("turnout_s") == 0 and abs(r.get("response_s", -1) - r.get("duration_s", 0)) < 0.11,
          "by=response adds 0 s", "%r" % {k: r.get(k) for k in ("turnout_s", "response_s",
                                                                "duration_s")})
    s, h, b = request(p, "PUT", path, body='{"turnout_s": null}', headers=auth(t))
    v = json.loads(b) if s == 200 else {}
    check(s == 200 and v.get("turnout_s") is None, "PUT turnout_s null -> 200, none stored",
          "status %d %r" % (s, b[:160]))
    s, v = get_json(p, path)
    check(v.get("turnout_s") is None and v.get("response_turnout_s") == 120,
          "then the fire default 120 s applies", "%r" % v)
    r = hit()
    check(r.get("turnout_s") == 120, "by=response adds 120 s", "%r" % r.get("turnout_s"))
    s, h, b = request(p, "DELETE", path, headers=auth(t))
    check(s == 204, "DELETE it -> 204", "status %d" % s)
    return failures


def cmd_admin_concurrent(a):
    """Writers in parallel with readers: every write answered 200, each one audited."""
    p, t = a.port, a.token
    codes, lock = [], threading.Lock()

    def writer(w):
        for i in range(a.n):
            body = json.dumps({"hours": "writer %d run %d" % (w, i)})
            try:
                s = request(p, "PUT", "/v1/centres/" + a.id, body=body, headers=auth(t))[0]
            except (OSError, http.client.HTTPException) as e:
                s = repr(e)
            with lock:
                codes.append(s)

    def reader():
        for _ in range(a.n * 2):
            try:
                s = request(p, "GET", "/v1/nearest?lon=15.83&lat=50.21&k=5")[0]
            except (OSError, http.client.HTTPException) as e:
                s = repr(e)
            with lock:
                codes.append(s)
    ths = [threading.Thread(target=writer, args=(w,)) for w in range(a.threads)]
    ths += [threading.Thread(target=reader) for _ in range(2)]
    for x in ths:
        x.start()
    for x in ths:
        x.join()
    bad = [c for c in codes if c != 200]
    check(not bad, "%d concurrent writes and reads all 200" % len(codes), "%r" % bad[:5])
    return failures


def cmd_put(a):
    s, h, b = request(a.port, "PUT", "/v1/centres/" + a.id, body=a.body, headers=auth(a.token))
    return 0 if check(s == 200, "PUT %s %s -> 200" % (a.id, a.body), "status %d" % s) else 1


def cmd_field(a):
    s, v = get_json(a.port, "/v1/centres/" + a.id)
    got = v.get(a.field) if v else None
    return 0 if check(s == 200 and str(got) == a.value, "%s.%s is %r" % (a.id, a.field, a.value),
                      "status %d, got %r" % (s, got)) else 1


def cmd_burst(a):
    """PUTs from several threads until the server dies; prints how many were answered 200."""
    ok, lock = [0], threading.Lock()

    def writer(w):
        for i in range(a.n):
            try:
                s = request(a.port, "PUT", "/v1/centres/" + a.id,
                            body=json.dumps({"hours": "burst %d %d" % (w, i)}),
                            headers=auth(a.token), timeout=5)[0]
            except (OSError, http.client.HTTPException):
                return
            if s == 200:
                with lock:
                    ok[0] += 1
    ths = [threading.Thread(target=writer, args=(w,)) for w in range(a.threads)]
    for x in ths:
        x.start()
    for x in ths:
        x.join()
    print(ok[0])
    return 0


# -------------------------------------------------------------------------- databases -------

def cmd_sql(a):
    c = sqlite3.connect("file:%s?mode=ro" % a.db, uri=True, timeout=10)
    for row in c.execute(a.query):
        print("|".join("" if x is None else str(x) for x in row))
    return 0


def cmd_integrity(a):
    try:
        c = sqlite3.connect("file:%s?mode=ro" % a.db, uri=True, timeout=10)
        res = c.execute("PRAGMA integrity_check").fetchall()
        n = c.execute("SELECT count(*) FROM centres").fetchone()[0]
        ok = res == [("ok",)]
        detail = "; ".join(r[0] for r in res).replace("\n", "; ")[:240]
    except sqlite3.Error as e:
        ok, n, detail = False, -1, repr(e)
    check(ok, "%s: PRAGMA integrity_check ok (%d centres)" % (a.what or a.db, n), detail)
    return failures


def db_view(path):
    """What a reader sees in the database at path: page count, the centres, the audit rows."""
    c = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=10)
    try:
        return (c.execute("PRAGMA page_count").fetchone()[0],
                c.execute("SELECT id, name, kind, status FROM centres ORDER BY id").fetchall(),
                c.execute("SELECT count(*) FROM audit").fetchone()[0])
    finally:
        c.close()


def cmd_wal_pairing(a):
    """The database file alone and the file as SQLite opens it at its path (with any -wal
    beside it) must read the same: a write-ahead log left by the file that used to be at that
    path must not be applied to the new one."""
    alone = a.db + ".alone"
    with open(a.db, "rb") as src, open(alone, "wb") as dst:
        dst.write(src.read())
    try:
        want = db_view(alone)
        got = db_view(a.db)
    except sqlite3.Error as e:
        return check(False, a.what, repr(e)) and 0
    finally:
        os.remove(alone)
    check(got == want, a.what, "alone: %d pages, %d centres; at its path: %d pages, %d centres"
          % (want[0], len(want[1]), got[0], len(got[1])))
    return failures


def cmd_post_big(a):
    """POST n new centres with long text fields (the database grows by new pages)."""
    for i in range(a.n):
        body = json.dumps({"id": "BIG-%d" % i, "name": "Big %d" % i, "kind": "fire",
                           "lon": 15.9, "lat": 50.3, "address": "A" * 500, "hours": "H" * 500,
                           "www": "W" * 500, "email": "E" * 500})
        s = request(a.port, "POST", "/v1/centres", body=body, headers=auth(a.token))[0]
        check(s == 201, "POST BIG-%d (2 KB of text) -> 201" % i, "status %d" % s)
    return failures


# ---------------------------------------------------------------------- (g) a short session --

def cmd_session(a):
    """A few dozen requests of every endpoint, for the valgrind run; all must answer."""
    p = a.port
    rnd = random.Random(7)
    urls = []
    for _ in range(a.n):
        lon, lat = 15.5 + rnd.random(), 50.0 + rnd.random() * 0.6
        hlon, hlat = 8.67 + rnd.random() * 0.04, 49.39 + rnd.random() * 0.03
        urls += ["/v1/health", "/v1/nearest?lon=%.5f&lat=%.5f&k=3" % (lon, lat),
                 "/v1/nearest?lon=%.5f&lat=%.5f&kind=fire&include_closed=true" % (lon, lat),
                 "/v1/centres?kind=police", "/v1/centres?format=geojson&bbox=15,50,16.5,51",
                 "/v1/centres/HZS1",
                 "/v1/route?from=%.5f,%.5f&to=8.6934,49.4106" % (hlon, hlat),
                 "/v1/nearest?lon=abc&lat=1", "/v1/route?from=x", "/v1/nope",
                 "/v1/municipalities?q=hrad&limit=5"]
    calls = [("GET", u, None) for u in urls]
    if a.token:
        for i in range(a.writes):
            cid = "VG-%d" % i
            calls += [("POST", "/v1/centres", json.dumps({"id": cid, "name": "Valgrind %d" % i,
                                                          "kind": "fire", "lon": 15.9,
                                                          "lat": 50.3})),
                      ("PUT", "/v1/centres/" + cid, '{"status": "closed"}'),
                      ("PUT", "/v1/centres/" + cid, '{"kind": "boat"}'),
                      ("GET", "/v1/nearest?lon=15.9&lat=50.3&include_closed=true", None),
                      ("DELETE", "/v1/centres/" + cid, None)]
    bad = []
    for m, u, body in calls:
        hdr = auth(a.token) if m != "GET" else {}
        try:
            s, _, _ = request(p, m, u, body=body, headers=hdr, timeout=120)
            if s >= 500 or s == 0:
                bad.append((u, s))
        except (OSError, http.client.HTTPException) as e:
            bad.append((u, repr(e)))
    check(not bad, "%d requests under valgrind answered (no 5xx)" % len(calls), "%r" % bad[:5])
    return failures


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)

    def add(name, fn, *args):
        sp = sub.add_parser(name)
        for spec in args:
            flag, kw = spec if isinstance(spec, tuple) else (spec, {})
            sp.add_argument(flag, **kw)
        sp.set_defaults(fn=fn)
    port = ("--port", {"type": int, "required": True})
    token = ("--token", {"default": ""})
    add("limits", cmd_limits, port)
    add("slow", cmd_slow, port, ("--holders", {"type": int, "default": 300}),
        ("--trickle", {"type": int, "default": 20}), ("--normal", {"type": int, "default": 200}),
        ("--timeout", {"type": int, "default": 2}))
    add("flood", cmd_flood, port, ("--pid", {"type": int, "required": True}),
        ("--count", {"type": int, "required": True}),
        ("--limit", {"type": int, "required": True}), ("--timeout", {"type": int, "default": 2}))
    add("export-centres", cmd_export_centres, port, "--out", "--add")
    add("loop", cmd_loop, port, "--lon", "--lat", "--marker", "--stop-file", "--ready-file",
        ("--expect", {"choices": ["switch", "always"]}), ("--threads", {"type": int, "default": 3}),
        ("--max-seconds", {"type": float, "default": 90}),
        ("--min-requests", {"type": int, "default": 100}),
        ("--pause", {"type": float, "default": 0.005}))
    add("admin-auth", cmd_admin_auth, port, token)
    add("admin-none", cmd_admin_none, port)
    add("admin-close", cmd_admin_close, port, token, "--lon", "--lat", "--state")
    add("admin-closed-still", cmd_admin_closed_still, port, "--lon", "--lat", "--state")
    add("admin-crud", cmd_admin_crud, port, token)
    add("admin-turnout", cmd_admin_turnout, port, token)
    add("admin-concurrent", cmd_admin_concurrent, port, token, "--id",
        ("--threads", {"type": int, "default": 4}), ("--n", {"type": int, "default": 10}))
    add("put", cmd_put, port, token, "--id", "--body")
    add("field", cmd_field, port, "--id", "--field", "--value")
    add("burst", cmd_burst, port, token, "--id", ("--threads", {"type": int, "default": 4}),
        ("--n", {"type": int, "default": 200}))
    add("sql", cmd_sql, "--db", "--query")
    add("integrity", cmd_integrity, "--db", ("--what", {"default": ""}))
    add("wal-pairing", cmd_wal_pairing, "--db", "--what")
    add("post-big", cmd_post_big, port, token, ("--n", {"type": int, "default": 3}))
    add("session", cmd_session, port, token, ("--n", {"type": int, "default": 3}),
        ("--writes", {"type": int, "default": 2}))
    a = ap.parse_args()
    rc = a.fn(a)
    sys.exit(1 if rc else 0)


if __name__ == "__main__":
    main()
