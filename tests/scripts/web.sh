#!/usr/bin/env bash
# tests/scripts/web.sh -- the map page in a real browser: starts `kkc serve` on a free port of
# 127.0.0.1 and runs tests/web/map.test.mjs (node:test + playwright-core driving Debian's
# Chromium). Run by `make test-scripts` with KKC_BIN, KKC_DB and DATA_SRC set.
# A missing browser or playwright-core is a failure, never a silent pass: install them with
# `scripts/setup --test`.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/scripts/lib/serve.sh
KKC_BIN=${KKC_BIN:-build/kkc}
KKC_DB=${KKC_DB:-data/kkc.sqlite}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

fail() {
  echo "web.sh: FAIL: $*" >&2
  exit 1
}

[ -x "$CHROMIUM" ] || fail "$CHROMIUM is missing (Debian package chromium): run scripts/setup --test"
command -v node >/dev/null 2>&1 || fail "node is missing: run scripts/setup --test"
(cd tests/web && node -e "import('playwright-core').catch((e) => { console.error(e.message); process.exit(1); })") ||
  fail "playwright-core cannot be loaded from tests/web/node_modules: run scripts/setup --test"
[ -x "$KKC_BIN" ] || fail "$KKC_BIN is not built"
[ -f "$KKC_DB" ] || fail "$KKC_DB does not exist"

kkc_tmp web

kkc_serve "$KKC_DB" --web-dir "$PWD/service/web"
curl -fsS "$url/v1/health" >/dev/null || fail "$url/v1/health does not answer"

rc=0
KKC_URL="$url" CHROMIUM="$CHROMIUM" node tests/web/map.test.mjs || rc=$?
KKC_URL="$url" CHROMIUM="$CHROMIUM" node tests/web/report.test.mjs || rc=$?
[ "$rc" = 0 ] || { echo "--- server log" >&2; tail -20 "$tmp/server.log" >&2; }
exit "$rc"
