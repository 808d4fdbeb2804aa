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
. "$here/tests/scripts/lib/pg.sh"

kkc_need_packages route_oracle: postgresql-15 postgresql-15-postgis-3 postgresql-15-pgrouting \
  python3-psycopg2
kkc_pg_tmp route-oracle

# Our side: route_pairs (node-to-node routes) and, for pgr_trsp, turn_pairs (the turn-aware
# graph), each built here against libkkcgeo.a next to KKC_BIN when the Makefile has not built it.
tool() {
  local t=$tmp/$1
  [ ! -x "$2" ] || { echo "$2"; return; }
  cc -std=c17 -D_GNU_SOURCE -O2 -I"$here/geo" "$here/tests/tools/$1.c" \
    "$(dirname "$KKC_BIN")/libkkcgeo.a" \
    $(pkg-config --libs geos proj spatialite sqlite3 libmicrohttpd jansson readosm) \
    -lmetis -lbz2 -lz -lpthread -lm -o "$t" || return 1
  echo "$t"
}
RP=$(tool route_pairs "${ROUTE_PAIRS_BIN:-$(dirname "$KKC_BIN")/route_pairs}")
TP=$(tool turn_pairs "${TURN_PAIRS_BIN:-$(dirname "$KKC_BIN")/turn_pairs}")

kkc_pg_start full_page_writes=off

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
