#!/usr/bin/env bash
# tests/scripts/closures.sh -- road closures live on a running `kkc serve` (copy of KKC_DB,
# 127.0.0.1, free port, admin token): a closure on the Ernst-Walz-Brücke (Heidelberg) changes
# /v1/route, the OSRM route and nearest by time, deleting it restores the answers byte for byte;
# 4 readers during 20 writes see no failure and only the old or the new duration (never a mix);
# a 2xx write survives kill -9 and SIGHUP; kkc closures import / list / remove on the file.
# Run by `make test-scripts` with KKC_BIN and KKC_DB set.
set -euo pipefail
cd "$(dirname "$0")/../.."
KKC_BIN=${KKC_BIN:-build/kkc}
KKC_DB=${KKC_DB:-data/kkc.sqlite}
[ -x "$KKC_BIN" ] || { echo "closures.sh: FAIL: $KKC_BIN is not built" >&2; exit 1; }
[ -f "$KKC_DB" ] || { echo "closures.sh: FAIL: $KKC_DB does not exist" >&2; exit 1; }
exec /usr/bin/python3 tests/scripts/lib/closures_live.py "$KKC_BIN" "$KKC_DB"
