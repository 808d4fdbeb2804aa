#!/usr/bin/env bash
# tests/scripts/web.sh -- the map page in a real browser: starts `kkc serve` on a free port of
# 127.0.0.1 and runs tests/web/map.test.mjs (node:test + playwright-core driving Debian's
# Chromium). Run by `make test-scripts` with KKC_BIN, KKC_DB and DATA_SRC set.
# A missing browser or playwright-core is a failure, never a silent pass: install them with
# `scripts/setup --test`.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/scripts/lib/serve.sh
kkc_script web.sh
kkc_need_browser tests/web
kkc_need_kkc

kkc_tmp web

kkc_serve "$KKC_DB" --web-dir "$PWD/service/web"
curl -fsS "$url/v1/health" >/dev/null || fail "$url/v1/health does not answer"

# Static files: an ETag that If-None-Match turns into a 304 without a body; gzip for a client
# that accepts it, which gunzips to the very file on disk (the oracle); none for one that does
# not (q=0); a day's Cache-Control for the packaged Leaflet, revalidation for the page's own.
hdr() { tr -d '\r' <"$1" | sed -n "s/^$2: //Ip" | head -1; }
check_static() {
  local path=$1 file=$2 cache=$3 et code
  curl -fsS -D "$tmp/h1" -o "$tmp/b1" "$url$path" || fail "GET $path"
  cmp -s "$tmp/b1" "$file" || fail "$path is not $file"
  et=$(hdr "$tmp/h1" ETag)
  [ -n "$et" ] || fail "$path has no ETag"
  [ "$(hdr "$tmp/h1" Cache-Control)" = "$cache" ] || fail "$path: Cache-Control is not '$cache'"
  code=$(curl -sS -D "$tmp/h2" -o "$tmp/b2" -w '%{http_code}' -H "If-None-Match: $et" "$url$path")
  [ "$code" = 304 ] || fail "$path with If-None-Match $et answered $code, not 304"
  [ ! -s "$tmp/b2" ] || fail "the 304 of $path has a body"
  code=$(curl -sS -o /dev/null -w '%{http_code}' -H 'If-None-Match: "other"' "$url$path")
  [ "$code" = 200 ] || fail "$path with another ETag answered $code, not 200"
  curl -fsS -D "$tmp/h3" -o "$tmp/b3.gz" -H 'Accept-Encoding: gzip, deflate' "$url$path"
  [ "$(hdr "$tmp/h3" Content-Encoding)" = gzip ] || fail "$path is not sent gzip-compressed"
  gunzip -c "$tmp/b3.gz" | cmp -s - "$file" || fail "the gzip of $path is not $file"
  [ "$(stat -c %s "$tmp/b3.gz")" -lt "$(stat -c %s "$file")" ] || fail "the gzip of $path is not smaller"
  code=$(curl -sS -o /dev/null -w '%{http_code}' -H "If-None-Match: $(hdr "$tmp/h3" ETag)" \
    -H 'Accept-Encoding: gzip' "$url$path")
  [ "$code" = 304 ] || fail "$path (gzip) with its ETag answered $code, not 304"
  curl -fsS -D "$tmp/h4" -o "$tmp/b4" -H 'Accept-Encoding: gzip;q=0' "$url$path"
  [ -z "$(hdr "$tmp/h4" Content-Encoding)" ] || fail "$path compressed for a client refusing gzip"
  cmp -s "$tmp/b4" "$file" || fail "$path (gzip;q=0) is not $file"
}
leaflet_dir=/usr/share/javascript/leaflet
check_static /leaflet/leaflet.min.js "$leaflet_dir/leaflet.min.js" "public, max-age=86400"
check_static /leaflet/leaflet.js "$leaflet_dir/leaflet.js" "public, max-age=86400"
check_static /static/app.js service/web/app.js no-cache
check_static / service/web/index.html no-cache
echo "web.sh: static files: ETag, 304, gzip and Cache-Control ok"

rc=0
KKC_URL="$url" CHROMIUM="$CHROMIUM" node tests/web/map.test.mjs || rc=$?
KKC_URL="$url" CHROMIUM="$CHROMIUM" node tests/web/report.test.mjs || rc=$?
KKC_URL="$url" CHROMIUM="$CHROMIUM" node tests/web/planner.test.mjs || rc=$?
KKC_URL="$url" CHROMIUM="$CHROMIUM" node tests/web/dispatcher.test.mjs || rc=$?
KKC_URL="$url" CHROMIUM="$CHROMIUM" node tests/web/plan-added.test.mjs || rc=$?
[ "$rc" = 0 ] || { echo "--- server log" >&2; tail -20 "$tmp/server.log" >&2; }

# The report's figures against a second server on a copy of the database with made-up
# municipalities in the road network (tests/web/report-db.sql): the default data has no people
# inside a road network. Both servers are stopped on exit.
command -v sqlite3 >/dev/null 2>&1 || fail "sqlite3 is missing (Debian package sqlite3)"
cp "$KKC_DB" "$tmp/report.sqlite"
sqlite3 "$tmp/report.sqlite" <tests/web/report-db.sql >/dev/null || fail "tests/web/report-db.sql"
main_pid=$pid
rm -f "$tmp/port"
kkc_serve "$tmp/report.sqlite" --web-dir "$PWD/service/web"
report_pid=$pid
pid=$main_pid
trap 'kill "$report_pid" 2>/dev/null || true; wait "$report_pid" 2>/dev/null || true; kkc_cleanup' EXIT
KKC_URL="$url" CHROMIUM="$CHROMIUM" node tests/web/report-figures.test.mjs || rc=$?
exit "$rc"
