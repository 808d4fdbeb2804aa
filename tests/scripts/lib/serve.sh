# tests/scripts/lib/serve.sh -- sourced by the test scripts that need a running server.
#
# kkc_serve DB [kkc serve options...]: start `kkc serve --db DB` on 127.0.0.1, port 0, without
# an access log, in the background (its pid into $pid, its stderr into $tmp/server.log), wait up
# to 10 s for the port file and set $url to http://127.0.0.1:PORT. Needs $KKC_BIN, $tmp and a
# `fail` function; the caller's EXIT trap stops the server (kill "$pid").
# kkc_tmp NAME: a new directory /tmp/kkc-NAME-XXXXXX in $tmp, $pid empty, and an EXIT trap that
# stops the server kkc_serve started (if any) and removes the directory.
kkc_tmp() {
  tmp=$(mktemp -d "/tmp/kkc-$1-XXXXXX")
  pid=
  trap kkc_cleanup EXIT
}
kkc_cleanup() {
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}

kkc_serve() {
  local db=$1
  shift
  "$KKC_BIN" serve --db "$db" --host 127.0.0.1 --port 0 --port-file "$tmp/port" \
    --access-log none "$@" 2>"$tmp/server.log" &
  pid=$!
  for _ in $(seq 100); do
    [ -s "$tmp/port" ] && break
    kill -0 "$pid" 2>/dev/null || { cat "$tmp/server.log" >&2; fail "kkc serve exited"; }
    sleep 0.1
  done
  [ -s "$tmp/port" ] || fail "kkc serve wrote no port file within 10 s"
  url="http://127.0.0.1:$(cat "$tmp/port")"
}
