#!/usr/bin/env bash
# tests/scripts/replicas.sh -- two `kkc serve` over one shared state (PostgreSQL) behind HAProxy
# (scripts/haproxy/kkc.cfg): identical answers, writes through one honoured by both, kill -9 and
# restart under load, PostgreSQL stopped and started under load (tests/scripts/lib/replicas.py
# says what is checked). A throw-away PostgreSQL cluster in a temporary directory, on
# 127.0.0.1 and a free port; every process is stopped on exit. Installs nothing: postgresql-15
# and haproxy come from `scripts/setup --test`. REPLICAS_QUERIES: random queries (1000).
set -euo pipefail
cd "$(dirname "$0")/../.."
KKC_BIN=${KKC_BIN:-build/kkc}
KKC_DB=${KKC_DB:-data/kkc.sqlite}
. tests/scripts/lib/pg.sh
[ -x "$KKC_BIN" ] || { echo "replicas.sh: FAIL: $KKC_BIN is not built" >&2; exit 1; }
[ -f "$KKC_DB" ] || { echo "replicas.sh: FAIL: $KKC_DB does not exist" >&2; exit 1; }
kkc_need_packages "replicas.sh: FAIL:" postgresql-15 haproxy

kkc_pg_tmp replicas
cleanup() {
  if [ -f "$tmp/pids" ]; then
    while read -r p; do kill -9 "$p" 2>/dev/null || true; done <"$tmp/pids"
  fi
  kkc_pg_cleanup
}
trap cleanup EXIT

kkc_pg_start
chmod 777 "$tmp" # the servers (this user) write their copies and logs beside the cluster
/usr/bin/python3 tests/scripts/lib/replicas.py "$KKC_BIN" "$KKC_DB" "$tmp" "$port" "$tmp/pg" || {
  for f in "$tmp"/a.log "$tmp"/b.log "$tmp"/haproxy.log; do
    [ -f "$f" ] && { echo "--- $f" >&2; tail -20 "$f" >&2; }
  done
  exit 1
}
