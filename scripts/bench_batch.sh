#!/usr/bin/env bash
# scripts/bench_batch.sh -- batch throughput of POST /v1/nearest (incidents per second) by
# distance and by driving time on the default (Heidelberg) database. Figures, not assertions.
# Usage: scripts/bench_batch.sh [INCIDENTS]   (default 100000; env KKC_BIN, KKC_DB, BENCH_K)
# Starts `kkc serve` on a free port of 127.0.0.1, posts one CSV batch of random incidents in
# Heidelberg (8.62-8.74 E, 49.38-49.43 N, a fixed seed) per mode, reads the NDJSON answer to
# the end with curl, and prints the wall time, the rate, the answer's size and the server's
# peak resident memory (VmHWM) after each run.
set -euo pipefail
cd "$(dirname "$0")/.."
KKC_BIN=${KKC_BIN:-build/kkc}
KKC_DB=${KKC_DB:-data/kkc.sqlite}
n=${1:-100000}
k=${BENCH_K:-3}
[ -x "$KKC_BIN" ] || { echo "bench_batch: $KKC_BIN is not built (make)" >&2; exit 1; }
[ -f "$KKC_DB" ] || { echo "bench_batch: $KKC_DB does not exist (make $KKC_DB)" >&2; exit 1; }

tmp=$(mktemp -d /tmp/kkc-bench-batch-XXXXXX)
pid=
cleanup() {
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

awk -v n="$n" 'BEGIN { srand(20261125); print "id,lon,lat";
  for (i = 0; i < n; i++) printf "inc-%d,%.6f,%.6f\n", i, 8.62 + rand() * 0.12, 49.38 + rand() * 0.05 }' \
  >"$tmp/incidents.csv"

"$KKC_BIN" serve --db "$KKC_DB" --host 127.0.0.1 --port 0 --port-file "$tmp/port" \
  --access-log none 2>"$tmp/server.log" &
pid=$!
for _ in $(seq 300); do
  [ -s "$tmp/port" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$tmp/server.log" >&2; exit 1; }
  sleep 0.1
done
[ -s "$tmp/port" ] || { echo "bench_batch: kkc serve did not start" >&2; exit 1; }
url="http://127.0.0.1:$(cat "$tmp/port")/v1/nearest"
hwm() { awk '/^VmHWM/ { printf "%.0f MiB", $2 / 1024 }' "/proc/$pid/status"; }
# the server's CPU seconds so far (user + system): the rate per CPU second does not depend on
# what else the machine is running
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$pid/stat"; }

echo "batch throughput: $n incidents ($(du -h "$tmp/incidents.csv" | cut -f1) CSV), k=$k, $(nproc) cores"
echo "  server after start: peak RSS $(hwm)"
for by in distance time; do
  cpu0=$(cpu)
  out=$(curl -sS -o "$tmp/answer.ndjson" -w '%{http_code} %{time_total} %{size_download}' \
    -H 'Content-Type: text/csv' --data-binary @"$tmp/incidents.csv" \
    "$url?by=$by&k=$k&format=ndjson")
  read -r code secs bytes <<<"$out"
  [ "$code" = 200 ] || { echo "bench_batch: by=$by answered $code" >&2; exit 1; }
  rows=$(($(wc -l <"$tmp/answer.ndjson") - 1))
  cpus=$(awk -v a="$cpu0" -v b="$(cpu)" 'BEGIN { printf "%.3f", b - a }')
  failed=$(tail -1 "$tmp/answer.ndjson" | grep -o '"failed":[0-9]*' | cut -d: -f2)
  awk -v by="$by" -v n="$rows" -v s="$secs" -v c="$cpus" -v b="$bytes" -v f="$failed" \
    -v h="$(hwm)" 'BEGIN {
    printf "  by %-8s %7d incidents in %6.2f s = %7.0f incidents/s; server CPU %.2f s = %7.0f incidents per CPU s\n",
      by, n, s, n / s, c, (c > 0 ? n / c : 0)
    printf "              (%d failed rows, %.0f MB NDJSON, server peak RSS %s)\n", f, b / 1e6, h }'
done
