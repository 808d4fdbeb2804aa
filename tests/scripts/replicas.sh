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
PGBIN=/usr/lib/postgresql/15/bin
[ -x "$KKC_BIN" ] || { echo "replicas.sh: FAIL: $KKC_BIN is not built" >&2; exit 1; }
[ -f "$KKC_DB" ] || { echo "replicas.sh: FAIL: $KKC_DB does not exist" >&2; exit 1; }
for p in postgresql-15 haproxy; do
  dpkg -s "$p" >/dev/null 2>&1 ||
    { echo "replicas.sh: FAIL: package $p is missing (scripts/setup --test installs it)" >&2; exit 1; }
done

tmp=$(mktemp -d /tmp/kkc-replicas-XXXXXX)
asuser=()
if [ "$(id -u)" = 0 ]; then # PostgreSQL refuses to run as root
  chown postgres: "$tmp"
  asuser=(runuser -u postgres --)
fi
cleanup() {
  if [ -f "$tmp/pids" ]; then
    while read -r p; do kill -9 "$p" 2>/dev/null || true; done <"$tmp/pids"
  fi
  if [ -f "$tmp/pg/postmaster.pid" ]; then
    "${asuser[@]}" "$PGBIN/pg_ctl" -D "$tmp/pg" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${asuser[@]}" "$PGBIN/initdb" -D "$tmp/pg" -U postgres -A trust --no-sync >"$tmp/initdb.log" 2>&1 ||
  { cat "$tmp/initdb.log" >&2; exit 1; }
"${asuser[@]}" "$PGBIN/pg_ctl" -D "$tmp/pg" -l "$tmp/pg/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $tmp -c fsync=off" start >/dev/null ||
  { cat "$tmp/pg/server.log" >&2; exit 1; }
chmod 777 "$tmp" # the servers (this user) write their copies and logs beside the cluster
/usr/bin/python3 tests/scripts/lib/replicas.py "$KKC_BIN" "$KKC_DB" "$tmp" "$port" "$tmp/pg" || {
  for f in "$tmp"/a.log "$tmp"/b.log "$tmp"/haproxy.log; do
    [ -f "$f" ] && { echo "--- $f" >&2; tail -20 "$f" >&2; }
  done
  exit 1
}
