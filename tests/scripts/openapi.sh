#!/usr/bin/env bash
# tests/scripts/openapi.sh -- service/openapi.json against real answers: starts `kkc serve` (on a
# copy of the database, with an admin token) on a free port of 127.0.0.1, calls every endpoint
# for its successes and its documented errors, records each answer, and has
# tests/openapi/validate.mjs check the document (OpenAPI 3.1), each answer against it (status,
# media type, schema), that every operation was exercised and that every route in
# service/routes.c is documented. Run by `make test-scripts` with KKC_BIN and KKC_DB set; needs
# node and tests/openapi/node_modules (scripts/setup --test).
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/scripts/lib/serve.sh
kkc_script openapi.sh
kkc_need_node tests/openapi ajv
kkc_need_kkc

kkc_tmp openapi

cp "$KKC_DB" "$tmp/db.sqlite" # admin writes change the database
token=openapi-test-token-0123456789
echo "$token" >"$tmp/token"
kkc_serve "$tmp/db.sqlite" --web-dir "$PWD/service/web" --openapi "$PWD/service/openapi.json" \
  --admin-token-file "$tmp/token"
base=$url

n=0
# rec EXPECTED METHOD PATH-TEMPLATE URL [curl options...]: make the request, record the answer.
rec() {
  local expect=$1 method=$2 tpath=$3 url=$4 meta code type
  shift 4
  n=$((n + 1))
  meta=$(curl -s -o "$tmp/r$n" -w '%{http_code}\t%{content_type}' -X "$method" "$@" "$base$url") ||
    fail "$method $url: curl failed"
  code=${meta%%$'\t'*}
  type=${meta#*$'\t'}
  printf '{"method":"%s","path":"%s","status":"%s","expect":"%s","type":"%s","file":"%s","note":"%s"}\n' \
    "$method" "$tpath" "$code" "$expect" "$type" "$tmp/r$n" "${url:0:60}" >>"$tmp/manifest"
}
auth=(-H "Authorization: Bearer $token")
json=(-H "Content-Type: application/json")

rec 200 GET /v1/health /v1/health
rec 400 GET /v1/health "/v1/health?x=1"
rec 200 GET /v1/openapi.json /v1/openapi.json
rec 200 GET /metrics /metrics
rec 405 DELETE /metrics /metrics

rec 200 GET /v1/centres "/v1/centres?kind=police,fire&bbox=8.6,49.3,8.8,49.5"
rec 200 GET /v1/centres "/v1/centres?format=geojson&include_closed=false"
rec 400 GET /v1/centres "/v1/centres?kind=navy"
rec 400 GET /v1/centres "/v1/centres?bbox=1,2,3"
rec 201 POST /v1/centres /v1/centres "${auth[@]}" "${json[@]}" \
  -d '{"id":"OA-1","name":"OpenAPI test","kind":"fire","lon":8.7,"lat":49.4,"phone":"112",'\
'"turnout_s":90}'
rec 409 POST /v1/centres /v1/centres "${auth[@]}" "${json[@]}" \
  -d '{"id":"OA-1","name":"again","kind":"fire","lon":8.7,"lat":49.4}'
rec 401 POST /v1/centres /v1/centres "${json[@]}" -d '{"id":"OA-2"}'
rec 403 POST /v1/centres /v1/centres -H "Authorization: Bearer wrong-token-xxxxxxxx" -d '{}'
rec 400 POST /v1/centres /v1/centres "${auth[@]}" "${json[@]}" -d '{"id":"OA-3","colour":"red"}'
rec 200 GET /v1/centres/{id} /v1/centres/OA-1
rec 200 GET /v1/centres/{id} "/v1/centres/OA-1?format=geojson"
rec 404 GET /v1/centres/{id} /v1/centres/NO-SUCH
rec 200 PUT /v1/centres/{id} /v1/centres/OA-1 "${auth[@]}" "${json[@]}" -d '{"turnout_s":null}'
rec 400 PUT /v1/centres/{id} /v1/centres/OA-1 "${auth[@]}" "${json[@]}" -d '{"turnout_s":3601}'
rec 200 PUT /v1/centres/{id} /v1/centres/OA-1 "${auth[@]}" "${json[@]}" -d '{"status":"closed"}'
rec 404 PUT /v1/centres/{id} /v1/centres/NO-SUCH "${auth[@]}" "${json[@]}" -d '{"name":"x"}'
rec 204 DELETE /v1/centres/{id} /v1/centres/OA-1 "${auth[@]}"
rec 404 DELETE /v1/centres/{id} /v1/centres/OA-1 "${auth[@]}"

rec 200 GET /v1/closures /v1/closures
rec 400 GET /v1/closures "/v1/closures?active=maybe"
rec 201 POST /v1/closures /v1/closures "${auth[@]}" "${json[@]}" \
  -d '{"reason":"OpenAPI test","ways":[24271761],"valid_until":"2099-01-01T00:00:00Z"}'
rec 200 GET /v1/closures "/v1/closures?active=true&format=geojson"
rec 400 POST /v1/closures /v1/closures "${auth[@]}" "${json[@]}" -d '{"reason":"x","ways":[1]}'
rec 401 POST /v1/closures /v1/closures "${json[@]}" -d '{"reason":"x","ways":[1]}'
rec 403 POST /v1/closures /v1/closures -H "Authorization: Bearer wrong-token-xxxxxxxx" -d '{}'
rec 200 PUT /v1/closures/{id} /v1/closures/1 "${auth[@]}" "${json[@]}" \
  -d '{"reason":"OpenAPI test, slower","ways":[24271761],"factor":2}'
rec 404 PUT /v1/closures/{id} /v1/closures/999 "${auth[@]}" "${json[@]}" -d '{"reason":"x","ways":[24271761]}'
rec 204 DELETE /v1/closures/{id} /v1/closures/1 "${auth[@]}"
rec 404 DELETE /v1/closures/{id} /v1/closures/1 "${auth[@]}"

rec 200 GET /v1/nearest "/v1/nearest?lon=8.69&lat=49.41&k=2"
rec 200 GET /v1/nearest "/v1/nearest?lon=8.69&lat=49.41&k=2&by=time&kind=fire"
rec 200 GET /v1/nearest "/v1/nearest?x=-740000&y=-1050000&crs=EPSG:5514&include_closed=true"
rec 400 GET /v1/nearest "/v1/nearest?lon=200&lat=49"
rec 422 GET /v1/nearest "/v1/nearest?lon=15.8&lat=50.2&by=time"
rec 200 GET /v1/nearest "/v1/nearest?lon=8.69&lat=49.41&by=response&max_minutes=10"
rec 200 GET /v1/standards /v1/standards
rec 400 GET /v1/standards "/v1/standards?x=1"
rec 200 GET /v1/coverage "/v1/coverage?standard=pcr-10&region=network"
rec 200 GET /v1/coverage "/v1/coverage?minutes=10&nth=2&response=true"
rec 200 GET /v1/coverage "/v1/coverage?km=10&kind=police&breakdown=orp"
rec 400 GET /v1/coverage "/v1/coverage?standard=nope"
rec 200 GET /v1/coverage "/v1/coverage?minutes=10&profile=fire"
rec 400 GET /v1/coverage "/v1/coverage?minutes=10&profile=tank"
rec 414 GET /v1/nearest "/v1/nearest?lon=8.69&lat=49.41&pad=$(head -c 9000 /dev/zero | tr '\0' a)"
printf 'id,lon,lat\na,8.69,49.41\nb,8.70,49.40\nbad,x,49\nfar,15.8,50.2\n' >"$tmp/b.csv"
rec 200 POST /v1/nearest "/v1/nearest?k=2" -H "Content-Type: text/csv" --data-binary @"$tmp/b.csv"
rec 200 POST /v1/nearest "/v1/nearest?k=2&by=response" -H "Content-Type: text/csv" --data-binary @"$tmp/b.csv"
rec 200 POST /v1/nearest "/v1/nearest?k=2&by=time&format=ndjson" -H "Content-Type: text/csv" \
  --data-binary @"$tmp/b.csv"
rec 200 POST /v1/nearest "/v1/nearest?k=1" -H "Content-Type: application/geo+json" \
  -H "Accept: application/x-ndjson" --data-binary \
  '{"type":"FeatureCollection","features":[{"type":"Feature","id":1,"geometry":{"type":"Point","coordinates":[8.69,49.41]},"properties":null},{"type":"Feature","properties":{"id":"l"},"geometry":{"type":"LineString","coordinates":[[8,49],[9,50]]}}]}'
rec 200 POST /v1/nearest "/v1/nearest?kind=ambulance" -H "Content-Type: application/json" \
  --data-binary '{"type":"FeatureCollection","features":[]}'
rec 400 POST /v1/nearest /v1/nearest -H "Content-Type: image/png" --data-binary 'x'
rec 400 POST /v1/nearest /v1/nearest -H "Content-Type: application/json" --data-binary '[1,2]'
awk 'BEGIN { print "id,lon,lat"; for (i = 0; i <= 100000; i++) print i ",8.69,49.41" }' >"$tmp/big.csv"
rec 413 POST /v1/nearest /v1/nearest -H "Content-Type: text/csv" --data-binary @"$tmp/big.csv"

rec 200 GET /v1/route "/v1/route?from=8.69,49.41&to=8.70,49.40&steps=true"
rec 200 GET /v1/route "/v1/route?from=8.69,49.41&to=8.70,49.40&steps=true&lang=en"
rec 400 GET /v1/route "/v1/route?from=8.69,49.41&to=8.70,49.40&steps=true&lang=de"
rec 200 GET /v1/route "/v1/route?from=centre:osm-w115669341&to=8.70,49.40"
rec 400 GET /v1/route "/v1/route?from=8.69,49.41"
rec 404 GET /v1/route "/v1/route?from=centre:NO-SUCH&to=8.70,49.40"
rec 422 GET /v1/route "/v1/route?from=15.8,50.2&to=8.70,49.40"

rec 200 GET /v1/layers/roads "/v1/layers/roads?bbox=8.69,49.40,8.70,49.41&zoom=16"
rec 400 GET /v1/layers/roads "/v1/layers/roads?bbox=8,49,9"
rec 200 GET /v1/layers/boundaries "/v1/layers/boundaries?level=kraj&zoom=6"
rec 200 GET /v1/layers/boundaries "/v1/layers/boundaries?level=okres&zoom=8&outline=true&bbox=15,50,16,50.5"
rec 400 GET /v1/layers/boundaries "/v1/layers/boundaries?level=planet"
rec 200 GET /v1/municipalities "/v1/municipalities?q=Hrad"
rec 200 GET /v1/municipalities "/v1/municipalities?bbox=15,50,16,50.5&limit=3"
rec 400 GET /v1/municipalities "/v1/municipalities?limit=0&q=a"
rec 200 GET /v1/search "/v1/search?q=heidelberg"
rec 200 GET /v1/search "/v1/search?q=hradec%20kral&limit=3"
rec 200 GET /v1/search "/v1/search?q=%22NEAR(%22"
rec 400 GET /v1/search "/v1/search?q="
rec 400 GET /v1/search "/v1/search?q=a&limit=51"
rec 200 GET /v1/reverse "/v1/reverse?lon=8.6724&lat=49.4094"
rec 200 GET /v1/reverse "/v1/reverse?lon=15.8325&lat=50.2092"
rec 200 GET /v1/reverse "/v1/reverse?lon=3&lat=55"
rec 400 GET /v1/reverse "/v1/reverse?lon=200&lat=50"

rec 200 GET /v1/isochrone "/v1/isochrone?centre=osm-w115669341&minutes=5,10"
rec 200 GET /v1/isochrone "/v1/isochrone?kind=fire&minutes=5&direction=in"
rec 200 GET /v1/isochrone "/v1/isochrone?minutes=4&add=8.69,49.41&close=osm-w115669341&kind=fire"
rec 400 GET /v1/isochrone "/v1/isochrone?minutes=999"
rec 200 GET /v1/coverage "/v1/coverage?minutes=10&region=network"
rec 200 GET /v1/coverage "/v1/coverage?km=10&kind=fire&region=CZ052"
rec 200 GET /v1/coverage "/v1/coverage?km=10&kind=fire&region=CZ052&format=geojson"
rec 400 GET /v1/coverage "/v1/coverage?minutes=10&km=5"
rec 200 GET /v1/catchments "/v1/catchments?kind=fire&minutes=10&region=network"
rec 200 GET /v1/catchments "/v1/catchments?km=5&region=CZ052&kind=ambulance"
rec 400 GET /v1/catchments "/v1/catchments?region=XX999"

rec 200 POST /v1/plan /v1/plan "${json[@]}" -d '{"kind":"fire","km":10,"add":2,"region":"CZ052"}'
rec 200 POST /v1/plan /v1/plan "${json[@]}" \
  -d '{"kind":"fire","km":10,"remove":1,"region":"CZ052","method":"greedy"}'
rec 200 POST /v1/plan /v1/plan "${json[@]}" \
  -d '{"kind":["fire"],"km":10,"add":1,"region":"CZ052","candidates":[[15.9,50.3],[16.1,50.1]],"close":["HZS1"]}'
rec 400 POST /v1/plan /v1/plan "${json[@]}" -d '{"km":10,"add":1,"colour":"red"}'
rec 422 POST /v1/plan /v1/plan "${json[@]}" -d '{"minutes":10,"add":1,"region":"CZ052"}'

rec 200 GET "/route/v1/{profile}/{coordinates}" "/route/v1/driving/8.69,49.41;8.70,49.40?steps=true&annotations=true"
rec 200 GET "/route/v1/{profile}/{coordinates}" "/route/v1/driving/8.69,49.41;8.70,49.40;8.68,49.40?geometries=geojson&overview=full"
rec 400 GET "/route/v1/{profile}/{coordinates}" "/route/v1/driving/8.69,49.41"
rec 400 GET "/route/v1/{profile}/{coordinates}" "/route/v1/driving/15.8,50.2;8.70,49.40"
rec 200 GET "/nearest/v1/{profile}/{coordinates}" "/nearest/v1/driving/8.69,49.41?number=3"
rec 400 GET "/nearest/v1/{profile}/{coordinates}" "/nearest/v1/bike/8.69,49.41"
rec 200 GET "/table/v1/{profile}/{coordinates}" "/table/v1/driving/8.69,49.41;8.70,49.40;8.68,49.40?annotations=duration,distance&sources=0"
rec 400 GET "/table/v1/{profile}/{coordinates}" "/table/v1/driving/8.69,49.41;8.70,49.40?sources=5"

rc=0
(cd tests/openapi && node validate.mjs "$OLDPWD/service/openapi.json" "$tmp/manifest" \
  "$OLDPWD/service/routes.c") || rc=$?
[ "$rc" = 0 ] || { echo "--- server log" >&2; tail -20 "$tmp/server.log" >&2; }
exit "$rc"
