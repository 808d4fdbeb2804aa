# shellcheck shell=bash
# tests/scripts/lib/pg.sh -- sourced by the test scripts that run a throw-away PostgreSQL 15
# cluster (route_oracle.sh, replicas.sh). Installs nothing: the packages come from
# `scripts/setup --test`.
#
# kkc_need_packages PREFIX PACKAGE...: exit 1 with "PREFIX package P is missing (scripts/setup
# --test installs it)" on stderr for the first Debian package that is not installed.
# kkc_pg_tmp NAME: a new directory /tmp/kkc-NAME-XXXXXX in $tmp, handed to the postgres user when
# run as root (PostgreSQL refuses to run as root: "${asuser[@]}" CMD runs CMD as that user, or
# as this one), an EXIT trap kkc_pg_cleanup (stops the cluster, if running, and removes $tmp;
# a caller with more to stop sets its own trap that ends with it) and INT, TERM exit 1.
# kkc_pg_start [SETTING...]: a free port of 127.0.0.1 into $port and a cluster in $tmp/pg
# (initdb: user postgres, trust) started there, listening on 127.0.0.1:$port only with its
# socket in $tmp, fsync off and each SETTING (name=value) as a -c option; the initdb or server
# log goes to stderr and the script exits 1 when it does not start.
PGBIN=/usr/lib/postgresql/15/bin

kkc_need_packages() {
  local prefix=$1 p
  shift
  for p in "$@"; do
    if ! dpkg -s "$p" >/dev/null 2>&1; then
      echo "$prefix package $p is missing (scripts/setup --test installs it)" >&2
      exit 1
    fi
  done
}

kkc_pg_tmp() {
  tmp=$(mktemp -d "/tmp/kkc-$1-XXXXXX")
  asuser=()
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$tmp"
    asuser=(runuser -u postgres --)
  fi
  trap kkc_pg_cleanup EXIT
  trap 'exit 1' INT TERM
}

kkc_pg_cleanup() {
  if [ -f "$tmp/pg/postmaster.pid" ]; then
    "${asuser[@]}" "$PGBIN/pg_ctl" -D "$tmp/pg" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
}

kkc_pg_start() {
  local opts s
  port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  opts="-c listen_addresses=127.0.0.1 -p $port -k $tmp -c fsync=off"
  for s in "$@"; do
    opts="$opts -c $s"
  done
  "${asuser[@]}" "$PGBIN/initdb" -D "$tmp/pg" -U postgres -A trust --no-sync >"$tmp/initdb.log" 2>&1 ||
    { cat "$tmp/initdb.log" >&2; exit 1; }
  "${asuser[@]}" "$PGBIN/pg_ctl" -D "$tmp/pg" -l "$tmp/pg/server.log" -w -t 60 -o "$opts" \
    start >/dev/null || { cat "$tmp/pg/server.log" >&2; exit 1; }
}
