#!/usr/bin/env bash
# tests/scripts/hardening.sh -- the service under bad input, slow clients, live data updates,
# admin writes and crashes. Run by `make test-scripts` with KKC_BIN, KKC_DB and DATA_SRC set;
# every server listens on 127.0.0.1 only, on a copy of the database, and is stopped on exit.
#   (a) limits: URL > 8 KiB (414), body > 1 MiB (64 MiB for batches), k > 50 and bad parameters
#       answer 414/413/400 with a JSON error body; what libmicrohttpd refuses itself (targets and
#       headers past the connection's memory: 414/431, bad chunk framing, Transfer-Encoding
#       other than chunked, malformed request lines, HTTP/2.0) answers JSON with code and
#       message, also after a kept-alive answer; malformed requests leave the server serving;
#       FTS5/SQL syntax in /v1/search?q= is a 200 or a 400, never a 500
#   (b) slow clients: 300 half-open connections (and a trickle group) held while normal
#       requests all succeed; header and body trickles are cut at their deadlines;
#       requests all succeed; the server (--timeout 2) closes the half-open ones; a flood past
#       --max-connections is refused and service comes back
#   (c) reload without downtime: a request loop while `kkc import` builds a new database,
#       rename over the served file + SIGHUP: no failed request, answers switch to the new
#       data; a reload of a broken file keeps the old data
#   (d) admin writes: no write routes without a token, 401/403, a PUT closing a centre is seen
#       by /v1/nearest at once and after a restart, audit rows, concurrent writes
#   (e) crash safety: kill -9 during an import (target unchanged, integrity ok), kill -9 right
#       after a committed write and during a burst of writes (writes survive, integrity ok),
#       and a re-import over a database that took admin writes (no stale WAL applied)
#   (f) fuzz: scripts/fuzz --replay of tests/fuzz/regress and corpus (+ KKC_FUZZ_SECONDS per
#       target of libFuzzer when set and clang is present)
#   (g) valgrind memcheck of a short HTTP session against `kkc serve`, stopped by SIGTERM
#   (h) reloads against writes and broken files: admin PUTs racing SIGHUPs (every PUT answered
#       200 is served at once); a broken file renamed over the database + SIGHUP: the old world
#       keeps answering everything that reads the database (none of it asked before the rename);
#       expensive requests past the heavy queue answer a JSON 429 with Retry-After
# Sections can be picked: HARDENING_ONLY="a b" (default all). Output: one "ok"/"not ok" line
# per assertion, then "hardening: N passed, M failed"; exit 1 on any failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
KKC_BIN=${KKC_BIN:-build/kkc}
KKC_DB=${KKC_DB:-data/kkc.sqlite}
DATA_SRC=${DATA_SRC:-../shared/data}
OSM=${OSM:-$DATA_SRC/osm/heidelberg.osm.pbf}
ONLY=${HARDENING_ONLY:-a b c d e f g h}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
H="$PY tests/scripts/lib/hardening.py"
HH="$PY tests/scripts/lib/hardening_http.py"
HR="$PY tests/scripts/lib/reload_race.py"
TOKEN=hardening-admin-token-0123456789

[ -x "$KKC_BIN" ] || { echo "hardening.sh: $KKC_BIN is not built" >&2; exit 1; }
[ -f "$KKC_DB" ] || { echo "hardening.sh: $KKC_DB does not exist" >&2; exit 1; }

work=$(mktemp -d /tmp/kkc-hardening-XXXXXX)
tap=$work/tap
: >"$tap"
servers=()
bg=()
summary() {
  local passed failed
  passed=$(grep -c '^ok ' "$tap" || true)
  failed=$(grep -c '^not ok ' "$tap" || true)
  echo "== hardening took $(($(date +%s) - t_all)) s"
  echo "hardening: $passed passed, $failed failed"
  [ "$failed" = 0 ]
}
cleanup() {
  local p rc=$?
  [ -n "${done_summary:-}" ] || { echo "hardening: stopped early (status $rc)"; summary || true; }
  for p in "${bg[@]}" "${servers[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  for p in "${bg[@]}" "${servers[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
t_all=$(date +%s)

ok() { echo "ok - $*" | tee -a "$tap"; }
not_ok() { echo "not ok - $*" | tee -a "$tap"; }
# check DESCRIPTION COMMAND...: one assertion from a command's exit status
check() {
  local d=$1
  shift
  if "$@"; then ok "$d"; else not_ok "$d"; fi
}
# py SUBCOMMAND ARGS...: the helper's assertion lines go to the log (its status is in them)
py() { $H "$@" 2>&1 | tee -a "$tap" || true; }
section() { echo "== ($1) $2  [$(($(date +%s) - t_all)) s]"; }
want() { case " $ONLY " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

# start_server NAME DB [SERVE ARGS...]: sets PID and PORT; the log is $work/NAME.log. A server
# that does not come up is a "not ok" and, where the caller does not test the status, ends the
# run (set -e) with the summary of what ran.
start_server() {
  local name=$1 db=$2
  shift 2
  rm -f "$work/$name.port"
  "$KKC_BIN" serve --db "$db" --host 127.0.0.1 --port 0 --port-file "$work/$name.port" \
    --access-log none "$@" 2>>"$work/$name.log" &
  PID=$!
  servers+=("$PID")
  for _ in $(seq 300); do
    [ -s "$work/$name.port" ] && break
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.1
  done
  if [ ! -s "$work/$name.port" ]; then
    not_ok "server $name started ($(tail -1 "$work/$name.log"))"
    return 1
  fi
  PORT=$(cat "$work/$name.port")
}
# stop_server PID: SIGTERM, then wait (at most 20 s); returns the server's exit status
stop_server() {
  local pid=$1 rc=0
  kill -TERM "$pid" 2>/dev/null || return 1
  for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && { kill -9 "$pid"; echo "hardening.sh: $pid ignored SIGTERM" >&2; }
  wait "$pid" || rc=$?
  return $rc
}
# wait_log FILE TEXT SECONDS: until FILE contains TEXT
wait_log() {
  for _ in $(seq $(($3 * 10))); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}
integrity() { py integrity --db "$1" --what "$2"; }
# quiet LOG COMMAND...: run COMMAND with its output in LOG (for check)
quiet() {
  local log=$1
  shift
  "$@" >"$log" 2>&1
}

# ------------------------------------------------------------------------------------ (a) ---
if want a; then
  section a "limits and bad input"
  start_server a "$KKC_DB" --threads 2
  py limits --port "$PORT"
  $HH pages --port "$PORT" 2>&1 | tee -a "$tap" || true
  $HH search --port "$PORT" 2>&1 | tee -a "$tap" || true
  check "server a stops cleanly on SIGTERM" stop_server "$PID"
  echo "$TOKEN" >"$work/token"
  "$KKC_BIN" serve --db "$KKC_DB" --host 127.0.0.1 --port 0 --port-file "$work/a2.port" \
    --threads 2 --access-log "$work/a2.access" --admin-token-file "$work/token" \
    2>>"$work/a2.log" &
  PID=$!
  servers+=("$PID")
  for _ in $(seq 300); do [ -s "$work/a2.port" ] && break; sleep 0.1; done
  $HH framing --port "$(cat "$work/a2.port")" --token "$TOKEN" --access-log "$work/a2.access" \
    2>&1 | tee -a "$tap" || true
  check "server a2 stops cleanly on SIGTERM" stop_server "$PID"
fi

# ------------------------------------------------------------------------------------ (b) ---
if want b; then
  section b "slow clients"
  start_server b "$KKC_DB" --threads 2 --timeout 2
  py slow --port "$PORT" --holders 300 --trickle 20 --normal 200 --timeout 2
  check "server b stops cleanly on SIGTERM" stop_server "$PID"
  start_server b2 "$KKC_DB" --threads 2 --timeout 2 --max-connections 64
  py flood --port "$PORT" --pid "$PID" --count 120 --limit 64 --timeout 2
  check "server b2 stops cleanly on SIGTERM" stop_server "$PID"
  start_server b3 "$KKC_DB" --threads 2 --timeout 3 --body-deadline 5
  $HH deadline --port "$PORT" --header 3 --body 5 --timeout 3 2>&1 | tee -a "$tap" || true
  check "server b3 stops cleanly on SIGTERM" stop_server "$PID"
fi

# ------------------------------------------------------------------------------------ (c) ---
if want c; then
  section c "reload without downtime"
  live=$work/live.sqlite
  cp "$KKC_DB" "$live"
  start_server c "$live" --threads 2
  cport=$PORT
  cpid=$PID
  py export-centres --port "$cport" --out "$work/b.csv" \
    --add "HARDENING-1,Hardening reload marker,police,16.0511,50.3377"
  # the loop runs while the new database is built, renamed over the served one and reloaded
  $H loop --port "$cport" --lon 16.0511 --lat 50.3377 --marker HARDENING-1 --expect switch \
    --stop-file "$work/stop" --ready-file "$work/ready" --max-seconds 120 --min-requests 200 \
    >"$work/loop.out" 2>&1 &
  bg+=($!)
  loop=$!
  wait_log "$work/ready" ready 10 || true
  t0=$(date +%s)
  check "kkc import builds the new database while the server answers" quiet "$work/import-b.log" \
    "$KKC_BIN" import --data "$DATA_SRC" --centres "$work/b.csv" --out "$work/B.sqlite"
  echo "# import took $(($(date +%s) - t0)) s"
  mv "$work/B.sqlite" "$live"
  kill -HUP "$cpid"
  check "the server reports the reload" wait_log "$work/c.log" "reloaded" 30
  sleep 2
  touch "$work/stop"
  wait "$loop" || true
  tee -a "$tap" <"$work/loop.out"

  # a reload that fails keeps the old data and keeps answering
  rm -f "$work/stop" "$work/ready"
  $H loop --port "$cport" --lon 16.0511 --lat 50.3377 --marker HARDENING-1 --expect always \
    --stop-file "$work/stop" --ready-file "$work/ready" --max-seconds 30 --min-requests 50 \
    >"$work/loop2.out" 2>&1 &
  bg+=($!)
  loop=$!
  wait_log "$work/ready" ready 10 || true
  cp "$live" "$work/good.sqlite"
  head -c 100000 /dev/urandom >"$work/broken.sqlite"
  mv "$work/broken.sqlite" "$live"
  kill -HUP "$cpid"
  check "a broken database is refused and the old data kept" \
    wait_log "$work/c.log" "reload failed, keeping the old data" 20
  sleep 1
  touch "$work/stop"
  wait "$loop" || true
  tee -a "$tap" <"$work/loop2.out"
  mv "$work/good.sqlite" "$live"
  check "server c stops cleanly on SIGTERM" stop_server "$cpid"
fi

# ------------------------------------------------------------------------------------ (d) ---
if want d; then
  section d "admin writes"
  echo "$TOKEN" >"$work/token"
  echo "short-token" >"$work/short"
  echo "hardening-admin token-0123456789" >"$work/blank"
  head -c 300 /dev/zero | tr '\0' a >"$work/long"
  for t in blank long; do
    check "a token file with $t content is refused at start with a message" \
      bash -c "! timeout 20 '$KKC_BIN' serve --db '$KKC_DB' --port 0 --access-log none \
        --admin-token-file '$work/$t' 2>'$work/$t.err' && grep -q 'admin token' '$work/$t.err'"
  done
  check "a token shorter than 16 characters is refused at start" \
    bash -c "! timeout 20 '$KKC_BIN' serve --db '$KKC_DB' --port 0 --access-log none \
      --admin-token-file '$work/short' 2>/dev/null"
  start_server d0 "$KKC_DB" --threads 2
  py admin-none --port "$PORT"
  check "server d0 stops cleanly" stop_server "$PID"

  adb=$work/admin.sqlite
  cp "$KKC_DB" "$adb"
  start_server d "$adb" --threads 2 --admin-token-file "$work/token"
  py admin-auth --port "$PORT" --token "$TOKEN"
  # the web page's municipality search keeps per-thread read connections open meanwhile
  for _ in 1 2 3 4; do curl -s -o /dev/null "http://127.0.0.1:$PORT/v1/municipalities?q=hra"; done
  py admin-close --port "$PORT" --token "$TOKEN" --lon 15.833 --lat 50.209 --state "$work/closed"
  py admin-crud --port "$PORT" --token "$TOKEN"
  py admin-concurrent --port "$PORT" --token "$TOKEN" --id HZS1 --threads 4 --n 10
  cid=$(cat "$work/closed" 2>/dev/null || echo none)
  n=$($H sql --db "$adb" --query "SELECT count(*) FROM audit WHERE centre_id = '$cid' AND \
    action = 'update' AND json_extract(before, '$.status') = 'active' AND \
    json_extract(after, '$.status') = 'closed'" || echo 0)
  check "an audit row holds $cid before (active) and after (closed)" [ "$n" = 1 ]
  n=$($H sql --db "$adb" --query "SELECT group_concat(action || ':' || n) FROM (SELECT action, \
    count(*) n FROM audit GROUP BY action ORDER BY action)" || echo none)
  # 1 close + 40 concurrent updates; 1 create; 1 delete
  check "audit rows: create:1, delete:1, update:41 (got $n)" \
    [ "$n" = "create:1,delete:1,update:41" ]
  py admin-turnout --port "$PORT" --token "$TOKEN"
  g1=$($H sql --db "$adb" --query "SELECT hex(geom) FROM centres WHERE id = '$cid'" || echo a)
  g0=$($H sql --db "$KKC_DB" --query "SELECT hex(geom) FROM centres WHERE id = '$cid'" || echo b)
  check "updates that do not touch lon/lat leave $cid's stored point as it was" [ "$g1" = "$g0" ]
  check "server d stops cleanly" stop_server "$PID"
  start_server d "$adb" --threads 2 --admin-token-file "$work/token"
  py admin-closed-still --port "$PORT" --lon 15.833 --lat 50.209 --state "$work/closed"
  check "server d stops cleanly after the restart" stop_server "$PID"
  integrity "$adb" "the admin database after the writes and restarts"
fi

# ------------------------------------------------------------------------------------ (e) ---
if want e; then
  section e "crash safety"
  # kill -9 during an import: the target stays as it was
  tgt=$work/target.sqlite
  cp "$KKC_DB" "$tgt"
  before=$(sha256sum <"$tgt")
  "$KKC_BIN" import --data "$DATA_SRC" --osm "$OSM" --centres-from-osm --out "$tgt" \
    >"$work/import-kill.log" 2>&1 &
  ipid=$!
  bg+=("$ipid")
  for _ in $(seq 300); do
    sz=$(stat -c %s "$tgt.tmp.$ipid" 2>/dev/null || echo 0)
    [ "$sz" -gt 2000000 ] && break
    sleep 0.1
  done
  check "the import is still running when killed (temporary file $sz bytes)" kill -0 "$ipid"
  kill -9 "$ipid"
  wait "$ipid" 2>/dev/null || true
  check "kill -9 during the import leaves the target byte for byte unchanged" \
    [ "$(sha256sum <"$tgt")" = "$before" ]
  integrity "$tgt" "the import target after kill -9"
  check "the target still serves (kkc nearest)" quiet /dev/null \
    "$KKC_BIN" nearest 15.83 50.21 --db "$tgt" --json
  [ -e "$tgt.tmp.$ipid" ] && echo "# note: the killed import left $(basename "$tgt").tmp.$ipid \
($(stat -c %s "$tgt.tmp.$ipid") bytes); nothing removes stale temporary files"

  # kill -9 right after a committed admin write: the write survives
  cdb=$work/crash.sqlite
  cp "$KKC_DB" "$cdb"
  echo "$TOKEN" >"$work/token"
  start_server e "$cdb" --threads 2 --admin-token-file "$work/token"
  for _ in 1 2 3 4; do curl -s -o /dev/null "http://127.0.0.1:$PORT/v1/municipalities?q=hra"; done
  py put --port "$PORT" --token "$TOKEN" --id HZS1 --body '{"name": "Crash survivor"}'
  kill -9 "$PID"
  wait "$PID" 2>/dev/null || true
  integrity "$cdb" "the database after kill -9 right after a write"
  start_server e "$cdb" --threads 2 --admin-token-file "$work/token"
  py field --port "$PORT" --id HZS1 --field name --value "Crash survivor"
  n=$($H sql --db "$cdb" --query "SELECT count(*) FROM audit WHERE json_extract(after, \
    '$.name') = 'Crash survivor'" || echo 0)
  check "its audit row survived too" [ "$n" = 1 ]

  # kill -9 in the middle of a burst of writes: every answered write is there, integrity ok
  $H burst --port "$PORT" --token "$TOKEN" --id HZS2 --threads 4 --n 200 >"$work/burst.out" 2>&1 &
  burst=$!
  bg+=("$burst")
  # each write reloads the whole world (about 0.3-1 s here), so give the burst a few
  for _ in $(seq 100); do
    [ "$($H sql --db "$cdb" --query "SELECT count(*) FROM audit WHERE centre_id = 'HZS2'" \
      2>/dev/null || echo 0)" -ge 3 ] && break
    sleep 0.1
  done
  kill -9 "$PID"
  wait "$PID" 2>/dev/null || true
  wait "$burst" || true
  answered=$(tail -1 "$work/burst.out")
  integrity "$cdb" "the database after kill -9 during a burst of writes"
  n=$($H sql --db "$cdb" --query "SELECT count(*) FROM audit WHERE centre_id = 'HZS2'" || echo -1)
  # at most one write per writer thread can commit without its answer arriving
  burst_ok() {
    [ "$answered" -gt 0 ] && [ "$n" -ge "$answered" ] && [ "$n" -le $((answered + 4)) ]
  }
  check "every write answered 200 before the kill is audited ($answered answered, $n audited)" \
    burst_ok

  # a database that took admin writes, stopped, then re-imported over the same path: the
  # import must not inherit the old file's write-ahead log
  start_server e "$cdb" --threads 2 --admin-token-file "$work/token"
  for _ in 1 2 3 4; do curl -s -o /dev/null "http://127.0.0.1:$PORT/v1/municipalities?q=hra"; done
  py post-big --port "$PORT" --token "$TOKEN" --n 3
  check "server e stops cleanly" stop_server "$PID"
  echo "# left beside the database: $(cd "$work" && ls -s crash.sqlite-* 2>/dev/null | tr '\n' ' ')"
  printf '%s\n' id,name,kind,lon,lat "NEW-1,Re-imported one,police,15.83,50.21" \
    "NEW-2,Re-imported two,fire,15.9,50.3" >"$work/new.csv"
  check "kkc import over the database that took admin writes" quiet "$work/reimport.log" \
    "$KKC_BIN" import --no-data --centres "$work/new.csv" --out "$cdb"
  py wal-pairing --db "$cdb" \
    --what "the re-imported database reads as written: no stale -wal of the old file applied"
  integrity "$cdb" "the re-imported database"
  if start_server e2 "$cdb" --threads 2; then
    n=$(curl -s "http://127.0.0.1:$PORT/v1/centres" | $PY -c \
      'import json,sys; print(",".join(sorted(c["id"] for c in json.load(sys.stdin)["centres"])))' \
      2>/dev/null || echo error)
    check "the server then serves exactly the re-imported centres (got $n)" \
      [ "$n" = "NEW-1,NEW-2" ]
    check "server e2 stops cleanly" stop_server "$PID"
  fi
fi

# ------------------------------------------------------------------------------------ (f) ---
if want f; then
  section f "fuzz regression inputs"
  if scripts/fuzz --replay >"$work/fuzz.out" 2>&1; then :; fi
  grep -aE '^fuzz: replay ' "$work/fuzz.out" | while IFS= read -r line; do
    case "$line" in
      *FAILED*) echo "not ok - $line" ;;
      *) echo "ok - $line" ;;
    esac
  done | tee -a "$tap"
  { grep -aE 'invariant failed|SUMMARY|^replay: FAILED' "$work/fuzz.out" || true; } |
    sed 's/^/#   /' | head -30
  grep -q '^fuzz: replay ' "$work/fuzz.out" ||
    { not_ok "scripts/fuzz --replay ran (see below)" && tail -20 "$work/fuzz.out"; }
  if [ "${KKC_FUZZ_SECONDS:-0}" -gt 0 ] && command -v clang >/dev/null 2>&1; then
    check "scripts/fuzz ${KKC_FUZZ_SECONDS} per target finds nothing" \
      scripts/fuzz "$KKC_FUZZ_SECONDS"
  fi
fi

# ------------------------------------------------------------------------------------ (g) ---
if want g; then
  section g "valgrind memcheck of a short session"
  if command -v valgrind >/dev/null 2>&1; then
    rm -f "$work/g.port"
    cp "$KKC_DB" "$work/valgrind.sqlite"
    echo "$TOKEN" >"$work/token"
    valgrind --error-exitcode=1 --leak-check=full --show-leak-kinds=definite,indirect \
      --errors-for-leak-kinds=definite,indirect --num-callers=30 --log-file="$work/valgrind.log" \
      "$KKC_BIN" serve --db "$work/valgrind.sqlite" --host 127.0.0.1 --port 0 \
      --port-file "$work/g.port" --threads 2 --access-log none --admin-token-file "$work/token" \
      2>"$work/g.log" &
    vpid=$!
    servers+=("$vpid")
    for _ in $(seq 1200); do
      [ -s "$work/g.port" ] && break
      kill -0 "$vpid" 2>/dev/null || break
      sleep 0.1
    done
    if [ -s "$work/g.port" ]; then
      py session --port "$(cat "$work/g.port")" --n 24 --token "$TOKEN" --writes 1
      check "kkc serve under valgrind: no invalid access, no leak, exit 0 after SIGTERM" \
        stop_server "$vpid"
      { grep -E 'ERROR SUMMARY|definitely|indirectly|possibly|reachable|in use at exit' \
        "$work/valgrind.log" || true; } | sed 's/^/# /'
      grep -q 'ERROR SUMMARY: 0 errors' "$work/valgrind.log" ||
        { grep -A30 -E 'Invalid|uninitialised|definitely lost in' "$work/valgrind.log" ||
          true; } | head -80
    else
      not_ok "kkc serve under valgrind started"
      tail -20 "$work/valgrind.log" "$work/g.log"
    fi
  else
    not_ok "valgrind is installed (scripts/setup --test)"
  fi
fi

# ------------------------------------------------------------------------------------ (h) ---
if want h; then
  section h "reloads against writes and broken files"
  echo "$TOKEN" >"$work/token"
  cp "$KKC_DB" "$work/h.sqlite"
  start_server h "$work/h.sqlite" --threads 2 --admin-token-file "$work/token"
  $HR race --port "$PORT" --pid "$PID" --token "$TOKEN" --writes 25 2>&1 | tee -a "$tap" || true
  check "the server reloaded during the race" wait_log "$work/h.log" "reloaded" 5
  check "server h stops cleanly" stop_server "$PID"
  cp "$KKC_DB" "$work/h2.sqlite"
  start_server h2 "$work/h2.sqlite" --threads 2
  hpid=$PID
  check "health answers before the rename" quiet "$work/h-health" $HR old --port "$PORT" --url /v1/health
  head -c 100000 /dev/urandom >"$work/broken.sqlite"
  mv "$work/broken.sqlite" "$work/h2.sqlite"
  kill -HUP "$hpid"
  check "the broken file is refused" \
    wait_log "$work/h2.log" "reload failed, keeping the old data" 20
  $HR old --port "$PORT" --url "/v1/municipalities?q=Hra" --url "/v1/layers/boundaries?level=kraj" \
    --url "/v1/coverage?minutes=10" --url "/v1/catchments" \
    --url "/v1/isochrone?centre=osm-w115669341&minutes=5,10" \
    --url "/v1/nearest?lon=8.69&lat=49.41&by=time" 2>&1 | tee -a "$tap" || true
  check "server h2 stops cleanly" stop_server "$hpid"
  start_server h3 "$KKC_DB" --threads 2 --heavy-threads 1 --heavy-queue 1
  $HR heavy --port "$PORT" --clients 16 \
    --url "/v1/isochrone?centre=osm-w115669341&minutes=2,4,6,8,10,12" \
    --url "/v1/coverage?minutes=10" 2>&1 | tee -a "$tap" || true
  check "server h3 stops cleanly" stop_server "$PID"
fi

done_summary=1
summary
