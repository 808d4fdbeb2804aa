#!/usr/bin/env bash
# tests/scripts/osrm.sh -- real OSRM clients against our OSRM compatible endpoints: starts
# `kkc serve` on a free port of 127.0.0.1 with a web dir holding tests/osrm/page/index.html and
# Leaflet Routing Machine's dist files, then runs tests/osrm/*.test.mjs with node's test runner:
#   lrm.test.mjs      Leaflet Routing Machine (default OSRM v1 router) in Debian's headless Chromium
#   clients.test.mjs  osrm-text-instructions and @mapbox/polyline on 100 random routes
# Run by `make test-scripts` with KKC_BIN, KKC_DB and DATA_SRC set. The node modules come from
# tests/osrm/package.json (`scripts/setup --test` runs npm install there). A missing browser or
# module is a failure, never a silent pass.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/scripts/lib/serve.sh
kkc_script osrm.sh
MODS=tests/osrm/node_modules
kkc_need_node tests/osrm playwright-core osrm-text-instructions @mapbox/polyline \
  leaflet-routing-machine
kkc_need_browser tests/osrm
[ -f /usr/share/javascript/leaflet/leaflet.js ] || fail "Leaflet is missing (Debian package libjs-leaflet)"
kkc_need_kkc

kkc_tmp osrm

mkdir "$tmp/web"
cp tests/osrm/page/index.html "$tmp/web/"
cp "$MODS"/leaflet-routing-machine/dist/leaflet-routing-machine.{js,css} \
  "$MODS"/leaflet-routing-machine/dist/*.png "$MODS"/leaflet-routing-machine/dist/*.svg "$tmp/web/"

kkc_serve "$KKC_DB" --web-dir "$tmp/web"
curl -fsS "$url/v1/health" >/dev/null || fail "$url/v1/health does not answer"
curl -fsS "$url/route/v1/driving/8.6724,49.4093;8.6934,49.4106" >/dev/null ||
  fail "$url/route/v1/driving/... does not answer (is the database's road network loaded?)"

rc=0
KKC_URL="$url" CHROMIUM="$CHROMIUM" node --test tests/osrm/clients.test.mjs tests/osrm/lrm.test.mjs ||
  rc=$?
[ "$rc" = 0 ] || { echo "--- server log" >&2; tail -20 "$tmp/server.log" >&2; }
exit "$rc"
