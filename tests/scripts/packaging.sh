#!/usr/bin/env bash
# tests/scripts/packaging.sh -- what operators get: the manual page renders without a groff
# warning and names every option and KKC_* variable `kkc serve --help` has; scripts/install puts
# every file in place under a staging root; the systemd unit is well formed (systemd-analyze,
# when present) and points into the prefix. Run by `make test-scripts` with KKC_BIN set.
set -euo pipefail
cd "$(dirname "$0")/../.."
KKC_BIN=${KKC_BIN:-build/kkc}
fail() {
  echo "packaging.sh: FAIL: $*" >&2
  exit 1
}
passed=0
ok() {
  passed=$((passed + 1))
  echo "ok   $*"
}
tmp=$(mktemp -d /tmp/kkc-pkg-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# the manual page: no warnings at 80 columns, all of serve's options and variables in it
warn=$(groff -man -Tutf8 -ww service/kkc.1 2>&1 >/dev/null)
[ -z "$warn" ] || fail "groff warnings: $warn"
ok "groff -man -ww: no warnings"
if command -v man >/dev/null; then
  warn=$(MANWIDTH=80 man -l service/kkc.1 2>&1 >/dev/null)
  [ -z "$warn" ] || fail "man -l warnings: $warn"
  ok "man -l: no warnings"
fi
help=$("$KKC_BIN" serve --help)
for word in $(grep -o -- '--[a-z-]*\|KKC_[A-Z_]*' <<<"$help" | sort -u); do
  grep -q -- "${word//-/\\\\-}" service/kkc.1 || fail "kkc.1 does not mention $word"
done
ok "kkc.1 names every option and variable of kkc serve --help"
cmds=$("$KKC_BIN" --help | awk '/^commands:/ { on = 1; next } on && !NF { exit } on { print $1 }')
for cmd in $cmds; do
  grep -q "^\.SS \"kkc $cmd\"" service/kkc.1 || fail "kkc.1 has no section for kkc $cmd"
done
ok "kkc.1 has a section per command of kkc --help"
for cmd in $cmds; do
  for word in $("$KKC_BIN" "$cmd" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
    grep -q -- "${word//-/\\\\-}" service/kkc.1 || fail "kkc.1 does not mention kkc $cmd $word"
  done
done
ok "kkc.1 names every option of every command's --help"

# the install script into a staging root
BUILD=$(dirname "$KKC_BIN") scripts/install --prefix /opt/kkc --destdir "$tmp/root" >/dev/null
for f in bin/kkc share/kkc/web/index.html share/kkc/openapi.json share/kkc/schema.sql \
  share/man/man1/kkc.1 lib/systemd/system/kkc.service; do
  [ -f "$tmp/root/opt/kkc/$f" ] || fail "scripts/install did not install $f"
done
[ -x "$tmp/root/opt/kkc/bin/kkc" ] || fail "bin/kkc is not executable"
unit="$tmp/root/opt/kkc/lib/systemd/system/kkc.service"
grep -q '^ExecStart=/opt/kkc/bin/kkc serve$' "$unit" || fail "the unit does not run /opt/kkc/bin/kkc"
! grep -q '@PREFIX@' "$unit" || fail "the unit still has @PREFIX@"
ok "scripts/install: every file in place, the unit points into the prefix"
for key in 'DynamicUser=yes' 'ProtectSystem=strict' 'NoNewPrivileges=yes' \
  'ReadWritePaths=/var/lib/kkc' 'ExecReload=/bin/kill -HUP $MAINPID'; do
  grep -qF "$key" "$unit" || fail "the unit lacks $key"
done
ok "the unit is hardened and reloads with SIGHUP"
if command -v systemd-analyze >/dev/null; then
  # only the unit's own syntax: the binary is not at /opt/kkc on this machine
  out=$(systemd-analyze verify "$unit" 2>&1 | grep -v 'is not executable\|man kkc(1)\|/opt/kkc' || true)
  [ -z "$out" ] || fail "systemd-analyze verify: $out"
  ok "systemd-analyze verify"
fi
"$tmp/root/opt/kkc/bin/kkc" serve --help >/dev/null || fail "the installed kkc does not run"
echo "$passed passed, 0 failed"
