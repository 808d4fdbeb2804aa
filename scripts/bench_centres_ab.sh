#!/usr/bin/env bash
# scripts/bench_centres_ab.sh -- A/B timing of geo/centres/centres.c: the version at a git revision against
# the working tree, each linked into tests/tools/bench_nearest.c with the rest of build/libkkcgeo.a,
# run alternately (A B A B ...) on the same points so that machine noise hits both alike.
# Prints figures only. Needs `make` to have built build/libkkcgeo.a.
# Usage: scripts/bench_centres_ab.sh [REV [ROUNDS]]   (REV default HEAD, ROUNDS default 3)
# Environment: KKC_DB [data/kkc.sqlite], BUILD [build], AB_ARGS [bench_nearest options]
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
REV=${1:-HEAD}
ROUNDS=${2:-3}
DB=${KKC_DB:-data/kkc.sqlite}
BUILD=${BUILD:-build}
ARGS=${AB_ARGS:---queries 10000 --rounds 10 --sql-queries 0 --sizes 1000,100000}
TMP=$(mktemp -d /tmp/kkc-ab.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

[ -f "$BUILD/libkkcgeo.a" ] || { echo "bench_centres_ab: $BUILD/libkkcgeo.a missing: make" >&2; exit 1; }
git show "$REV:geo/centres/centres.c" >"$TMP/centres_a.c"
cp geo/centres/centres.c "$TMP/centres_b.c"
# shellcheck disable=SC2207
LIBS=($(pkg-config --cflags --libs geos proj spatialite sqlite3 jansson readosm) -lbz2 -lz -lpthread -lm)
for v in a b; do
  cc -std=c17 -D_GNU_SOURCE -O2 -g -Igeo -c "$TMP/centres_$v.c" -o "$TMP/centres_$v.o"
  cc -std=c17 -D_GNU_SOURCE -O2 -g -Igeo tests/tools/bench_nearest.c "$TMP/centres_$v.o" \
    "$BUILD/libkkcgeo.a" "${LIBS[@]}" -o "$TMP/bench_$v"
done
echo "A = geo/centres/centres.c at $REV ($(git rev-parse --short "$REV")), B = working tree; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "bench_nearest --db $DB $ARGS"
for r in $(seq "$ROUNDS"); do
  for v in a b; do
    # shellcheck disable=SC2086
    "$TMP/bench_$v" --db "$DB" $ARGS | sed -n "s/^RESULT /round $r ${v^^} /p"
  done
done
