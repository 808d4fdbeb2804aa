#!/usr/bin/env bash
# tests/scripts/route_oracle.sh -- our node-to-node route durations against pgRouting.
#
# For each OSM extract (Liechtenstein, Monaco, Andorra, Heidelberg): builds a database with
# `kkc import --osm`, loads its road_edges into a throw-away PostgreSQL cluster and compares
# pgr_dijkstra (directed, cost = duration_s) with our route (tests/tools/route_pairs) on 1,000
# random node pairs (tests/scripts/route_oracle.py does the comparing); on Heidelberg also
# pgr_trsp with the turn restrictions against our turn-aware graph (tests/scripts/trsp_oracle.py,
# tests/tools/turn_pairs; TRSP_ORACLE_PAIRS, default the same count). Installs nothing: the
# packages come from `scripts/setup --test`. The cluster lives in a temporary directory, listens
# on 127.0.0.1 only, on a free port, and is stopped on exit.
#
# Environment: KKC_BIN (the kkc binary), DATA_SRC (../shared/data), ROUTE_PAIRS_BIN (default:
# route_pairs next to KKC_BIN, else compiled here against libkkcgeo.a next to KKC_BIN),
# ROUTE_ORACLE_PAIRS (1000), ROUTE_ORACLE_EXTRACTS (the four names above).
set -euo pipefail

here=$(cd "$(dirname "$0")/../.." && pwd)
KKC_BIN=${KKC_BIN:-build/kkc}
DATA_SRC=${DATA_SRC:-../shared/data}
PAIRS=${ROUTE_ORACLE_PAIRS:-1000}
EXTRACTS=${ROUTE_ORACLE_EXTRACTS:-liechtenstein-2015 monaco-2016 andorra heidelberg}
PY=/usr/bin/python3
PGBIN=/usr/lib/postgresql/15/bin

for p in postgresql-15 postgresql-15-postgis-3 postgresql-15-pgrouting python3-psycopg2; do
  if ! dpkg -s "$p" >/dev/null 2>&1; then
    echo "route_oracle: package $p is missing (scripts/setup --test installs it)" >&2
    exit 1
  fi
done

tmp=$(mktemp -d /tmp/kkc-route-oracle-XXXXXX)
asuser=()
if [ "$(id -u)" = 0 ]; then # PostgreSQL refuses to run as root
  chown postgres: "$tmp"
  asuser=(runuser -u postgres --)
fi
cleanup() {
  if [ -f "$tmp/pg/postmaster.pid" ]; then
    "${asuser[@]}" "$PGBIN/pg_ctl" -D "$tmp/pg" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Our side: the route_pairs tool, built here when the Makefile has not built it.
RP=${ROUTE_PAIRS_BIN:-$(dirname "$KKC_BIN")/route_pairs}
if [ ! -x "$RP" ]; then
  RP=$tmp/route_pairs
  cc -std=c17 -D_GNU_SOURCE -O2 -I"$here/geo" "$here/tests/tools/route_pairs.c" \
    "$(dirname "$KKC_BIN")/libkkcgeo.a" \
    $(pkg-config --libs geos proj spatialite sqlite3 libmicrohttpd jansson readosm) \
    -lmetis -lbz2 -lz -lpthread -lm -o "$RP"
fi

# The turn-aware side (pgr_trsp): turn_pairs, built the same way.
TP=${TURN_PAIRS_BIN:-$(dirname "$KKC_BIN")/turn_pairs}
if [ ! -x "$TP" ]; then
  TP=$tmp/turn_pairs
  cc -std=c17 -D_GNU_SOURCE -O2 -I"$here/geo" "$here/tests/tools/turn_pairs.c" \
    "$(dirname "$KKC_BIN")/libkkcgeo.a" \
    $(pkg-config --libs geos proj spatialite sqlite3 libmicrohttpd jansson readosm) \
    -lmetis -lbz2 -lz -lpthread -lm -o "$TP"
fi

port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${asuser[@]}" "$PGBIN/initdb" -D "$tmp/pg" -U postgres -A trust --no-sync >"$tmp/initdb.log" 2>&1 ||
  { cat "$tmp/initdb.log" >&2; exit 1; }
"${asuser[@]}" "$PGBIN/pg_ctl" -D "$tmp/pg" -l "$tmp/pg/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $tmp -c fsync=off -c full_page_writes=off" \
  start >/dev/null || { cat "$tmp/pg/server.log" >&2; exit 1; }

status=0
for x in $EXTRACTS; do
  pbf=$DATA_SRC/osm/$x.osm.pbf
  db=$tmp/$x.sqlite
  if ! "$KKC_BIN" import --no-data --osm "$pbf" --out "$db" >"$tmp/import.log" 2>&1; then
    echo "route_oracle: kkc import --osm $pbf failed:" >&2
    tail -5 "$tmp/import.log" >&2
    status=1
    continue
  fi
  # pgr_dijkstra is node-based: compare on a copy without the turn restrictions, every turn free
  # (KKC_TURN_COSTS=off); the restrictions and the turn-aware search are pgr_trsp's, below
  nodb=$tmp/$x-plain.sqlite
  cp "$db" "$nodb"
  "$PY" -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute("DELETE FROM road_restrictions"); c.commit()' "$nodb"
  KKC_TURN_COSTS=off "$PY" "$here/tests/scripts/route_oracle.py" --port "$port" --name "$x" \
    --db "$nodb" --route-pairs "$RP" --pairs "$PAIRS" || status=1
  if [ "$x" = heidelberg ]; then # the extract with real turn restrictions (476)
    "$PY" "$here/tests/scripts/trsp_oracle.py" --port "$port" --name "$x" --db "$db" \
      --turn-pairs "$TP" --pairs "${TRSP_ORACLE_PAIRS:-$PAIRS}" || status=1
  fi
done
exit $status
