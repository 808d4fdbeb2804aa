#!/usr/bin/python3
"""tests/scripts/lib/hardening_http.py -- HTTP framing, request targets and deadlines for
tests/scripts/hardening.sh (sections a, b and d), on top of hardening.py's helpers.

pages: what libmicrohttpd refuses before our callbacks (414, 431, bad chunk framing, bad
Transfer-Encoding, malformed request lines, 505) answers JSON with code and message.
framing: query parameter floods, %00 in path ids, HTTP/1.1 without Host, differing
Content-Lengths, Transfer-Encoding other than chunked, control bytes in the access log.
search: FTS5/SQL syntax, NUL, bad UTF-8 and over-long texts in /v1/search?q= (200 or a 400 JSON,
never a 500), bad points for /v1/reverse.
deadline: a client trickling header bytes is cut at the header deadline although each byte
arrives well inside the idle timeout; a body trickle is cut at the body deadline.
"""
import argparse
import json
import os
import random
import socket
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hardening as h  # noqa: E402

HOST = h.HOST


def raw_answer(port, data, timeout=10):
    """Send raw bytes, read until the server closes: (status or None, body bytes, seconds)."""
    st, _, body, took = raw_parts(port, data, timeout)
    return st, body, took


def raw_parts(port, data, timeout=10):
    """Like raw_answer, with the header block too: (status, headers bytes, body, seconds)."""
    t = time.monotonic()
    s = socket.create_connection((HOST, port), timeout=timeout)
    buf = b""
    try:
        s.sendall(data)
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
    except OSError:
        pass
    finally:
        s.close()
    head, _, body = buf.partition(b"\r\n\r\n")
    parts = head.split(b" ", 2)
    st = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    return st, head, body, time.monotonic() - t


def json_error(port, data, status, desc):
    """The answer to raw bytes is `status` with a JSON Content-Type and a body that parses as
    an object with a string code and a string message (not libmicrohttpd's HTML page)."""
    st, head, body, took = raw_parts(port, data)
    try:
        v = json.loads(body.decode("utf-8"))
    except ValueError:
        v = None
    ok = (st == status and isinstance(v, dict) and isinstance(v.get("code"), str) and
          isinstance(v.get("message"), str) and v["message"] != "" and
          b"content-type: application/json" in head.lower())
    return h.check(ok, desc, "got %r %r after %.1f s" % (st, body[:120], took))


def cmd_pages(a):
    """Requests libmicrohttpd refuses itself, before any callback of ours: every answer is
    still our JSON error, with libmicrohttpd's status."""
    p = a.port
    get = b"GET /v1/health"
    tail = b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    for n in (9000, 70000, 300000):  # our 8 KiB limit; past the connection's memory
        json_error(p, get + b"?p=" + b"a" * n + tail, 414,
                   "a request target of %d bytes -> 414 JSON" % (n + 17))
    for n in (70000, 300000):
        json_error(p, get + b" HTTP/1.1\r\nHost: x\r\nX-Big: " + b"v" * n +
                   b"\r\nConnection: close\r\n\r\n", 431,
                   "a header field of %d bytes -> 431 JSON" % n)
    json_error(p, get + b" HTTP/1.1\r\nHost: x\r\n" +
               b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 500) for i in range(200)) +
               b"Connection: close\r\n\r\n", 431, "200 header fields of 500 bytes -> 431 JSON")
    post = b"POST /v1/centres HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    for body, desc in ((b"zz\r\nabc\r\n0\r\n\r\n", "a chunk size that is not hex"),
                       (b"3\r\nabcdef\r\n0\r\n\r\n", "chunk data longer than its size")):
        json_error(p, post + b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + body,
                   400, "bad chunk framing (%s) -> 400 JSON" % desc)
    json_error(p, post + b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
               b"fffffffffffffffffff\r\n", 413, "a chunk size past 64 bits -> 413 JSON")
    for te in (b"gzip", b"gzip, chunked", b"deflate"):
        json_error(p, post + b"Transfer-Encoding: " + te + b"\r\nConnection: close\r\n\r\nabc",
                   400, "Transfer-Encoding: %s -> 400 JSON" % te.decode())
    json_error(p, get + b"\r\n\r\n", 400, "a request line without an HTTP version -> 400 JSON")
    json_error(p, get + b" HTTP/1.1\r\nHost: x\r\nNoColon\r\nConnection: close\r\n\r\n", 400,
               "a header line without a colon -> 400 JSON")
    for v in (b"HTTP/9.9", b"HTTP/2.0"):
        json_error(p, get + b" " + v + b"\r\nHost: x\r\n\r\n", 505, "%s -> 505 JSON" % v.decode())
    # after a normal answer on a kept-alive connection, the next request is refused the same way
    st, head, body, _ = raw_parts(p, get + b" HTTP/1.1\r\nHost: x\r\n\r\n" + get + b"?p=" +
                                  b"a" * 300000 + tail)
    second = body.split(b"\r\n\r\n", 1)[-1]
    h.check(st == 200 and b" 414 " in body and second.startswith(b"{\"code\":\"TooBig\""),
            "a 300 KiB target after a kept-alive 200 -> 414 JSON", "%r" % body[-160:])
    h.alive(p)
    return h.failures


def cmd_framing(a):
    p = a.port
    for n in (1000, 3000):
        q = "&".join("p%d=1" % i for i in range(n)).encode()
        json_error(p, b"GET /v1/nearest?lon=15.8&lat=50&" + q +
                   b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 413,
                   "%d query parameters -> 413 JSON at once" % n)
    st, v = h.get_json(p, "/v1/centres/PCR7%00x")
    h.check(st in (400, 404) and isinstance(v, dict) and "code" in v,
            "GET /v1/centres/PCR7%00x -> 400/404 JSON, not PCR7", "status %d %r" % (st, v))
    st, before = h.get_json(p, "/v1/centres/HZS1")
    st2, _, _ = h.request(p, "PUT", "/v1/centres/HZS1%00junk", body=b'{"name": "NUL write"}',
                          headers={"Content-Type": "application/json",
                                   "Authorization": "Bearer " + a.token})
    st, after = h.get_json(p, "/v1/centres/HZS1")
    h.check(st2 >= 400 and before == after, "PUT /v1/centres/HZS1%00junk does not update HZS1",
            "status %d, name %r" % (st2, (after or {}).get("name")))
    # projected points outside the CRS's area of use (PROJ would answer a point in Kazakhstan)
    for qs, hint in (("x=641213&y=1042283", "x=-641213&y=-1042283"), ("x=1e12&y=1", "area")):
        st, v = h.get_json(p, "/v1/nearest?" + qs)
        h.check(st == 400 and isinstance(v, dict) and hint in v.get("message_en", ""),
                "S-JTSK %s -> 400 with a hint (%s)" % (qs, hint), "status %d %r" % (st, v))
    st, v = h.get_json(p, "/v1/nearest?x=-641213&y=-1042283")
    h.check(st == 200, "S-JTSK x=-641213&y=-1042283 (Hradec Kralove) -> 200", "status %d" % st)
    json_error(p, b"GET /v1/health HTTP/1.1\r\nConnection: close\r\n\r\n", 400,
               "HTTP/1.1 without Host -> 400 JSON")
    st, _, _ = raw_answer(p, b"GET /v1/health HTTP/1.0\r\n\r\n")
    h.check(st == 200, "HTTP/1.0 without Host is still served", "status %r" % st)
    json_error(p, b"POST /v1/centres HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
               b"Content-Length: 7\r\nConnection: close\r\n\r\n1234567", 400,
               "two different Content-Lengths -> 400 JSON")
    json_error(p, b"POST /v1/nearest HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n"
               b"Connection: close\r\n\r\nabc", 400, "Transfer-Encoding: gzip -> 400 JSON")
    raw_answer(p, b"GET /v1/health?x=\x1b[31m\x07 HTTP/1.1\r\nHost: x\r\nConnection: close"
               b"\r\n\r\n")
    if a.access_log:  # the server writes its access log out every half second
        for _ in range(30):
            time.sleep(0.2)
            with open(a.access_log, "rb") as f:
                log = f.read()
            if b"\\x1b[31m" in log or b"\x1b" in log:
                break
        h.check(b"\x1b" not in log and b"\x07" not in log and b"\\x1b[31m\\x07" in log,
                "control bytes of a request target are escaped in the access log")
    h.alive(p)
    return h.failures


SEARCH_HOSTILE = ['"', '*', '"""', 'NEAR(praha brno)', 'praha OR brno', '(', ')', 'praha"',
                  '"praha', 'praha*', '-praha', '^praha', 'praha AND', 'NOT', 'name:praha',
                  '{name municipality}:praha', "'; DROP TABLE search_items; --", '%', '_',
                  'praha NEAR/2 brno', '+', ':', '\\', 'a"b"c', 'Žluťoučký kůň', '\U0001F692',
                  '1 2 3 4 5 6 7 8 9 10 11 12', 'x' * 200, 'ž' * 100]


def search_status(p, q, want, desc):
    path = "/v1/search?q=" + urllib.parse.quote(q, safe="", encoding="utf-8",
                                                errors="surrogatepass")
    st, v = h.get_json(p, path)
    ok = st in want and isinstance(v, dict) and (
        "results" in v if st == 200 else "code" in v and "message" in v)
    return h.check(ok, desc, "status %s %r" % (st, str(v)[:120]))


def cmd_search(a):
    p = a.port
    for q in SEARCH_HOSTILE:
        search_status(p, q, (200,), "/v1/search q=%r -> 200 JSON" % q[:30])
    for q, desc in (("", "empty q"), ("   ", "blank q"), ("x" * 201, "q of 201 bytes"),
                    ("x" * 5000, "q of 5000 bytes")):
        search_status(p, q, (400,), "/v1/search %s -> 400 JSON" % desc)
    for raw, desc in (("%C3", "bad UTF-8"), ("a%00b", "NUL"), ("%FF%FE", "bytes FF FE")):
        st, v = h.get_json(p, "/v1/search?q=" + raw)
        h.check(st in (200, 400) and isinstance(v, dict), "/v1/search q with %s -> 200/400 JSON"
                % desc, "status %s" % st)
    rnd = random.Random(19)
    bad = 0
    for _ in range(300):  # random mixes of FTS5 syntax, words and Czech letters
        q = "".join(rnd.choice(['"', '*', '(', ')', ' ', 'OR', 'NEAR', 'AND', 'NOT', ':', '^',
                                '-', '+', 'pra', 'ha', 'č', 'ř', '{', '}', ',', '/'])
                    for _ in range(rnd.randint(1, 12)))
        st, v = h.get_json(p, "/v1/search?q=" + urllib.parse.quote(q, safe=""))
        bad += not (st in (200, 400) and isinstance(v, dict))
    h.check(bad == 0, "300 random FTS5-syntax texts -> 200/400 JSON each", "%d bad" % bad)
    for qs in ("lon=nan&lat=50", "lon=1e400&lat=50", "lon=15", "lat=50", "lon=15&lat=50&z=1",
               "lon=abc&lat=50", "lon=15&lat=91"):
        h.expect_error(p, "GET", "/v1/reverse?" + qs, 400)
    h.alive(p)
    return h.failures


def cmd_deadline(a):
    """One header byte every 0.5 s (inside the idle timeout) must be cut at the header deadline;
    a declared body trickled one byte every 0.5 s at the body deadline."""
    p = a.port
    for what, first, limit in (
            ("header", b"GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Trickle: ", a.header),
            ("body", b"POST /v1/centres HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                     b"\r\nContent-Length: 100000\r\n\r\n", a.body)):
        s = socket.create_connection((HOST, p), timeout=5)
        s.sendall(first)
        t = time.monotonic()
        cut = None
        while time.monotonic() - t < limit + 10:
            try:
                s.sendall(b"a")
                s.setblocking(False)
                try:
                    if s.recv(4096) == b"":
                        raise OSError("closed")
                except BlockingIOError:
                    pass
                s.setblocking(True)
            except OSError:
                cut = time.monotonic() - t
                break
            time.sleep(0.5)
        s.close()
        h.check(cut is not None and cut < limit + 5,
                "a %s trickle (a byte every 0.5 s, idle timeout %d s) is cut by the %d s %s "
                "deadline (after %s s)" % (what, a.timeout, limit, what,
                                           "%.1f" % cut if cut else "never"))
    h.alive(p)
    return h.failures


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("framing")
    f.add_argument("--port", type=int, required=True)
    f.add_argument("--token", default="")
    f.add_argument("--access-log", default="")
    f.set_defaults(fn=cmd_framing)
    s = sub.add_parser("search")
    s.add_argument("--port", type=int, required=True)
    s.set_defaults(fn=cmd_search)
    g = sub.add_parser("pages")
    g.add_argument("--port", type=int, required=True)
    g.set_defaults(fn=cmd_pages)
    d = sub.add_parser("deadline")
    d.add_argument("--port", type=int, required=True)
    d.add_argument("--header", type=int, required=True)
    d.add_argument("--body", type=int, required=True)
    d.add_argument("--timeout", type=int, required=True)
    d.set_defaults(fn=cmd_deadline)
    a = ap.parse_args()
    sys.exit(1 if a.fn(a) else 0)


if __name__ == "__main__":
    main()
