#!/usr/bin/env bash
# tests/scripts/err_catalogue.sh -- every error format of geo/ and service/ has its Czech in
# geo/base/err_cs.c with the same conversions (tests/scripts/err_catalogue.py, which reads the
# source tree itself). Run by `make test-scripts`.
set -euo pipefail
cd "$(dirname "$0")/../.."
/usr/bin/python3 tests/scripts/err_catalogue.py
