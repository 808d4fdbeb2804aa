#!/usr/bin/env bash
# tests/scripts/golden_routes.sh -- golden-file route tests on the tiny hand-made maps of
# tests/data/osm (Routino style).
#
# Each map is imported (`kkc import --no-data --osm`) into a temporary database, a few hand-chosen
# routes are asked for with `kkc route FROM TO --steps --json`, and each answer is reduced to a
# small stable text (status or error code, distance_m, duration_s, snapped points and snap
# distances, step road names) that is diffed against tests/data/golden/<map>-<case>.txt. The
# golden values were derived by hand from the maps' coordinates and the speed profile, not from
# our output: tests/data/golden/README explains each one.
#
# Environment: KKC_BIN (default build/kkc). Exits 1 when any case fails.
set -euo pipefail

here=$(cd "$(dirname "$0")/../.." && pwd)
KKC_BIN=${KKC_BIN:-build/kkc}
PY=/usr/bin/python3
OSM=$here/tests/data/osm
GOLDEN=$here/tests/data/golden

tmp=$(mktemp -d /tmp/kkc-golden-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

# reduce: the route answer on stdin (JSON, or empty) and the error text in $1 -> stable text.
reduce() {
  "$PY" -c '
import json, re, sys
err = open(sys.argv[1]).read()
raw = sys.stdin.read().strip()
if not raw:
    # "kkc: Czech text (Code: English text)", or "kkc: text (Code)" with KKC_LANG=en
    m = re.findall(r"\((\w+)(?:: [^\n]*)?\)\s*$", err.strip())
    print("status", m[-1] if m else "error")
    sys.exit(0)
p = json.loads(raw)["properties"]
print("status ok")
print("distance_m %.1f" % p["distance_m"])
print("duration_s %.1f" % p["duration_s"])
for end in ("from", "to"):
    s = p[end]
    print("%s_snapped %.6f,%.6f snap_m %.1f" % (end, s["snapped"][0], s["snapped"][1],
                                                s["snap_distance_m"]))
print("steps", " | ".join(repr(st["name"]) for st in p.get("steps", [])))
' "$1"
}

passed=0
failed=0
imported=""
# check MAP CASE ARGS...: route ARGS on MAP's database, compare with MAP-CASE.txt.
check() {
  local map=$1 name=$2
  shift 2
  local db=$tmp/$map.sqlite want=$GOLDEN/$map-$name.txt got=$tmp/$map-$name.txt
  if [[ " $imported " != *" $map "* ]]; then
    "$KKC_BIN" import --no-data --osm "$OSM/$map.osm" --out "$db" >"$tmp/import.log" 2>&1 ||
      { cat "$tmp/import.log" >&2; echo "FAIL $map: import"; failed=$((failed + 1)); return; }
    imported="$imported $map"
  fi
  "$KKC_BIN" route "$@" --steps --json --db "$db" >"$tmp/out.json" 2>"$tmp/err.txt" || true
  reduce "$tmp/err.txt" <"$tmp/out.json" >"$got"
  if [ -f "$want" ] && diff -u "$want" "$got"; then
    echo "PASS $map-$name"
    passed=$((passed + 1))
  else
    [ -f "$want" ] || { echo "missing $want; got:"; cat "$got"; }
    echo "FAIL $map-$name"
    failed=$((failed + 1))
  fi
}

# Roundabout: the ring is one-way counter-clockwise, so east -> north-west is 2 ring arcs and
# north-west -> east must go the long way round (4 arcs), never against the ring.
check roundabout east-to-nw 15.8614066,50.22 15.8592967,50.2207794
check roundabout nw-to-east 15.8592967,50.2207794 15.8614066,50.22
# One-way streets are never in a strongly connected component of two nodes: a trip along the
# oneway=yes way 101 snaps to the nearest two-way street of the main component (way 106).
check oneway along-oneway 15.8,50.2 15.8,50.201
# access=no way 201 is not in the graph: the points snap to way 202 (access=private: kept as a
# restricted road, driven where a route starts or ends), the next street east; with a 50 m
# radius the access=no way is the only road: NoSegment.
check access avoid-no 15.8,50.2 15.8,50.201
check access only-no-radius50 15.8,50.2 15.8,50.201 --radius 50
# Island: a point on the island never snaps to it; the main component is beyond 1000 m
# (NoSegment), within a 3000 m radius it snaps to the main component's nearest end (node 6005).
check island on-island 15.891,50.2405 15.87,50.23
check island on-island-radius3000 15.891,50.2405 15.87,50.23 --radius 3000
# Motorway with no exit: a point 11 m from the carriageway snaps to the Underpass 500 m away;
# near the motorway's west end nothing but the motorway is within 1000 m: NoSegment.
check motorway beside 15.808,50.2301 15.815,50.2285
check motorway beside-west-end 15.80,50.2301 15.815,50.2285
# maxspeed=50 drives at 50 * 0.8 = 40 km/h.
check maxspeed limit50 15.8,50.2 15.8,50.201
# Junctions: a cross at node 24 (shared interior node): turn from way 412 into way 411.
check junctions cross-turn 15.851,50.209 15.852,50.21

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
