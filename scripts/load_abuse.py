#!/usr/bin/python3
"""scripts/load_abuse.py -- health latency while one kind of abuse runs (scripts/load --abuse).

  load_abuse.py SCENARIO --port N [--seconds 20] [--token T]

SCENARIO (all from source addresses 127.0.0.3.., the health prober from 127.0.0.2):
  trickle  1,100 connections each sending one header byte every 2 s (reconnecting when closed)
  body     4 clients declaring a 64 MiB POST /v1/nearest body and trickling it, 1 KiB / 0.5 s
  heavy    20 clients looping GET /v1/isochrone (6 contours) and /table/v1 (25 x 25)
  admin    4 clients looping PUT /v1/centres/ID (needs --token)
The prober sends GET /v1/health on a new connection every 50 ms (5 s timeout) and, for body,
also a small POST /v1/nearest batch. Prints the health count, failures, p50, p99 and max, and
what the attackers got; exit 1 when a health check failed. Loopback only."""
import argparse
import http.client
import json
import resource
import socket
import sys
import threading
import time

HOST = "127.0.0.1"


def conn_from(src, port, timeout):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.bind((src, 0))
    s.connect((HOST, port))
    return s


def request(src, port, raw, timeout=5.0):
    """One raw request from src; (status, seconds) or (None, seconds) on failure."""
    t0 = time.monotonic()
    try:
        s = conn_from(src, port, timeout)
        s.sendall(raw)
        data = b""
        while b"\r\n\r\n" not in data:
            d = s.recv(65536)
            if not d:
                break
            data += d
        s.close()
        status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else None
    except OSError:
        status = None
    return status, time.monotonic() - t0


def prober(a, stop, out, post):
    health = b"GET /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    body = b"id,lon,lat\na,8.69,49.41\n"
    batch = (b"POST /v1/nearest HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n"
             b"Connection: close\r\nContent-Length: %d\r\n\r\n" % len(body)) + body
    while not stop.is_set():
        out["health"].append(request("127.0.0.2", a.port, health))
        if post:
            out["post"].append(request("127.0.0.2", a.port, batch))
        time.sleep(0.05)


def trickler(a, stop, src, n, stats):
    socks = []
    while not stop.is_set():
        while len(socks) < n and not stop.is_set():
            try:
                s = conn_from(src, a.port, 5)
                s.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                socks.append(s)
                stats["opened"] += 1
            except OSError:
                stats["refused"] += 1
                time.sleep(0.1)
                break
        time.sleep(2)
        alive = []
        for s in socks:
            try:
                s.sendall(b"a")
                alive.append(s)
            except OSError:
                stats["closed"] += 1
                s.close()
        socks = alive
    for s in socks:
        s.close()


def body_trickler(a, stop, src, stats):
    while not stop.is_set():
        try:
            s = conn_from(src, a.port, 5)
            s.sendall(b"POST /v1/nearest HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n"
                      b"Content-Length: %d\r\n\r\nid,lon,lat\n" % (64 << 20))
            stats["opened"] += 1
            while not stop.is_set():
                s.sendall(b"a,8.69,49.41\n" * 78)
                time.sleep(0.5)
        except OSError:
            stats["closed"] += 1
            time.sleep(0.1)


def looper(a, stop, src, i, stats):
    table = "/table/v1/driving/" + ";".join(
        "%.4f,%.4f" % (8.64 + 0.004 * (j % 5), 49.39 + 0.005 * (j // 5)) for j in range(25))
    iso = "/v1/isochrone?centre=osm-w115669341&minutes=2,4,6,8,10,12"
    n = 0
    while not stop.is_set():
        if a.scenario == "admin":
            body = json.dumps({"name": "load-%d-%d" % (i, n)}).encode()
            raw = (b"PUT /v1/centres/osm-w115669341 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                   b"Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
                   b"Content-Length: %d\r\n\r\n" % (a.token.encode(), len(body))) + body
        else:
            url = (iso if n % 2 == 0 else table).encode()
            raw = b"GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % url
        st, _ = request(src, a.port, raw, timeout=120)
        stats[str(st)] = stats.get(str(st), 0) + 1
        n += 1


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100.0 * len(v) + 0.5)) - 1)] if v else float("nan")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("scenario", choices=["trickle", "body", "heavy", "admin"])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--seconds", type=float, default=20)
    p.add_argument("--token", default="")
    a = p.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
    stop, stats, out = threading.Event(), {"opened": 0, "closed": 0, "refused": 0}, {
        "health": [], "post": []}
    ts = []
    if a.scenario == "trickle":
        ts = [threading.Thread(target=trickler, args=(a, stop, "127.0.0.%d" % (3 + i), 275, stats))
              for i in range(4)]
    elif a.scenario == "body":
        ts = [threading.Thread(target=body_trickler, args=(a, stop, "127.0.0.%d" % (3 + i), stats))
              for i in range(4)]
    else:
        n = 20 if a.scenario == "heavy" else 4
        ts = [threading.Thread(target=looper, args=(a, stop, "127.0.0.%d" % (3 + i % 4), i, stats))
              for i in range(n)]
    for t in ts:
        t.daemon = True
        t.start()
    time.sleep(2)  # the attack is in place
    pr = threading.Thread(target=prober, args=(a, stop, out, a.scenario == "body"))
    pr.start()
    time.sleep(a.seconds)
    stop.set()
    pr.join()
    for t in ts:
        t.join(timeout=130)
    h = out["health"]
    ok = [t * 1e3 for st, t in h if st == 200]
    failed = len(h) - len(ok)
    print("load: abuse %s for %.0f s: health %d answered 200, %d failed; p50 %.2f ms, "
          "p99 %.2f ms, max %.2f ms" % (a.scenario, a.seconds, len(ok), failed, pct(ok, 50),
                                      pct(ok, 99), max(ok) if ok else float("nan")))
    if out["post"]:
        po = [t * 1e3 for st, t in out["post"] if st == 200]
        print("load: small POST /v1/nearest meanwhile: %d of %d answered 200, p99 %.2f ms"
              % (len(po), len(out["post"]), pct(po, 99)))
    print("load: attackers: %s" % json.dumps(stats, sort_keys=True))
    return 1 if failed or (out["post"] and len(po) != len(out["post"])) else 0


if __name__ == "__main__":
    sys.exit(main())
