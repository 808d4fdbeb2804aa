#!/usr/bin/python3
"""Admin writes racing SIGHUP reloads, and a failed reload's old world (tests/scripts/hardening.sh, section h).

race:  PUT /v1/centres/ID {"name": "race-N"} while another thread sends SIGHUP to the server
       every few tens of milliseconds; after every PUT that answered 200, GET /v1/centres/ID
       must show race-N (the oracle is the value this script wrote, not the server's answer).
heavy: --clients concurrent expensive requests (the URLs given) against a server with one
       heavy thread and a queue of one, with health checks meanwhile: every heavy answer is 200
       or a JSON 429 with Retry-After, some are 429 (more than two were in flight), every
       health check answers 200.
old:   the listed URLs each answer 200 with a JSON body (run after a broken file was renamed
       over the database and the reload refused it).
Prints one "ok - ..."/"not ok - ..." line per assertion."""
import argparse
import http.client
import json
import os
import signal
import sys
import threading
import time


def call(port, method, path, body=None, token=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    h = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        h["Authorization"] = "Bearer " + token
    c.request(method, path, body=json.dumps(body) if body is not None else None, headers=h)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data


def report(ok, what):
    print(("ok - " if ok else "not ok - ") + what, flush=True)
    return ok


def race(a):
    stop = threading.Event()
    sent = [0]

    def hup():
        while not stop.is_set():
            os.kill(a.pid, signal.SIGHUP)
            sent[0] += 1
            time.sleep(a.hup_every)

    t = threading.Thread(target=hup)
    t.start()
    stale, failed = [], []
    try:
        for i in range(a.writes):
            name = "race-%d-%d" % (os.getpid(), i)
            st, _ = call(a.port, "PUT", "/v1/centres/" + a.centre, {"name": name}, a.token)
            if st != 200:
                failed.append(st)
                continue
            st, data = call(a.port, "GET", "/v1/centres/" + a.centre)
            got = json.loads(data).get("name") if st == 200 else None
            if got != name:
                stale.append((name, got))
    finally:
        stop.set()
        t.join()
    report(not failed, "%d admin PUTs racing %d SIGHUPs all answer 200 (%s)"
           % (a.writes, sent[0], failed[:5] or "none failed"))
    report(not stale, "after every acknowledged PUT the new value is served (stale: %s)"
           % (stale[:3] or "none"))


def old(a):
    bad = 0
    for url in a.url:
        try:
            st, data = call(a.port, "GET", url)
            body = json.loads(data)
            msg = body.get("message", "") if isinstance(body, dict) else ""
        except Exception as e:  # noqa: BLE001 -- any failure is the assertion's
            st, msg = None, repr(e)
        bad += not report(st == 200, "after the refused reload %s answers 200 from the old data (%s %s)"
               % (url, st, msg[:80]))
    return 1 if bad else 0


def heavy(a):
    res, health = [], []

    def one(url):
        c = http.client.HTTPConnection("127.0.0.1", a.port, timeout=120)
        c.request("GET", url)
        r = c.getresponse()
        body = r.read()
        res.append((r.status, r.getheader("Retry-After"), body))
        c.close()

    ts = [threading.Thread(target=one, args=(a.url[i % len(a.url)],)) for i in range(a.clients)]
    for t in ts:
        t.start()
    for _ in range(10):
        health.append(call(a.port, "GET", "/v1/health")[0])
    for t in ts:
        t.join()
    bad = [(st, ra, b[:80]) for st, ra, b in res if st != 200 and not (
        st == 429 and ra and json.loads(b).get("code") == "TooManyRequests")]
    n429 = sum(1 for st, _, _ in res if st == 429)
    report(not bad, "%d concurrent expensive requests: each 200 or a JSON 429 with Retry-After "
           "(%s)" % (a.clients, bad[:2] or "%d answered 429" % n429))
    report(n429 > 0, "past the heavy queue the answer is 429 at once (%d of %d)"
           % (n429, a.clients))
    report(health == [200] * len(health), "health answers 200 meanwhile (%s)" % health)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("what", choices=["race", "old", "heavy"])
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--pid", type=int)
    p.add_argument("--token")
    p.add_argument("--centre", default="osm-w115669341")
    p.add_argument("--writes", type=int, default=25)
    p.add_argument("--hup-every", type=float, default=0.03)
    p.add_argument("--url", action="append", default=[])
    a = p.parse_args()
    return {"race": race, "old": old, "heavy": heavy}[a.what](a)


if __name__ == "__main__":
    sys.exit(main())
