# tests/scripts/lib/serve.sh -- sourced by the test scripts that need a running server.
#
# kkc_script NAME: KKC_BIN and KKC_DB default to build/kkc and data/kkc.sqlite, CHROMIUM to
# /usr/bin/chromium, and fail MESSAGE prints "NAME: FAIL: MESSAGE" on stderr and exits 1.
# kkc_need_kkc: fail unless $KKC_BIN is built and $KKC_DB exists.
# kkc_need_node DIR [MODULE...]: fail unless node runs and DIR/node_modules holds each MODULE.
# kkc_need_browser DIR: fail unless Debian's Chromium ($CHROMIUM) is there, node runs and
# playwright-core loads from DIR/node_modules.
# kkc_serve DB [kkc serve options...]: start `kkc serve --db DB` on 127.0.0.1, port 0, without
# an access log, in the background (its pid into $pid, its stderr into $tmp/server.log), wait up
# to 10 s for the port file and set $url to http://127.0.0.1:PORT. Needs $KKC_BIN, $tmp and
# fail (kkc_script's); the caller's EXIT trap stops the server (kill "$pid").
# kkc_tmp NAME: a new directory /tmp/kkc-NAME-XXXXXX in $tmp, $pid empty, and an EXIT trap that
# stops the server kkc_serve started (if any) and removes the directory.
kkc_script() {
  KKC_SCRIPT=$1
  KKC_BIN=${KKC_BIN:-build/kkc}
  KKC_DB=${KKC_DB:-data/kkc.sqlite}
  CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
}
fail() {
  echo "$KKC_SCRIPT: FAIL: $*" >&2
  exit 1
}
kkc_need_kkc() {
  [ -x "$KKC_BIN" ] || fail "$KKC_BIN is not built"
  [ -f "$KKC_DB" ] || fail "$KKC_DB does not exist"
}
kkc_need_node() {
  local dir=$1 m
  shift
  command -v node >/dev/null 2>&1 || fail "node is missing: run scripts/setup --test"
  for m in "$@"; do
    [ -f "$dir/node_modules/$m/package.json" ] ||
      fail "$dir/node_modules/$m is missing: run scripts/setup --test"
  done
}
kkc_need_browser() {
  [ -x "$CHROMIUM" ] || fail "$CHROMIUM is missing (Debian package chromium): run scripts/setup --test"
  kkc_need_node "$1"
  (cd "$1" && node -e "import('playwright-core').catch((e) => { console.error(e.message); process.exit(1); })") ||
    fail "playwright-core cannot be loaded from $1/node_modules: run scripts/setup --test"
}

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
