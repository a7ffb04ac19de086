#!/bin/sh
# A private PostgreSQL server for tests: its own folder, a free loopback port, no systemd, gone after.
#
#   sh scripts/test-postgres.sh install        installs PostgreSQL 15+ with apt-get when missing
#   sh scripts/test-postgres.sh check          exit status 0 when PostgreSQL 15+ is installed, else 3
#   sh scripts/test-postgres.sh start DIR      initdb in DIR (empty or missing) and start; prints the URL
#   sh scripts/test-postgres.sh stop DIR       stops the server and removes DIR
#   sh scripts/test-postgres.sh halt DIR       stops the server and keeps DIR: `start DIR` brings the
#                                              same data back on the same port (a restart, for fault tests)
#   sh scripts/test-postgres.sh run CMD...     start in a temporary folder, run CMD with
#                                              MULTIDESK_TEST_POSTGRES=<url>, stop; CMD's exit status
#
# The URL is the superuser's on the `postgres` database (trust authentication, loopback only), e.g.
# postgres://postgres@127.0.0.1:41234/postgres. PostgreSQL refuses to run as root: as root the
# server runs as the `postgres` user (the Debian package creates it), else as `nobody`.
set -eu

check() {
  bindir >/dev/null
}

bindir() {
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
    version=$(echo "$dir" | cut -d/ -f5)
    if [ "$version" -ge 15 ] 2>/dev/null && [ -x "$dir/initdb" ]; then
      echo "$dir"
      return 0
    fi
  done
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
    return 0
  fi
  return 1
}

install() {
  if bindir >/dev/null; then return 0; fi
  echo "installing: postgresql" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  bindir >/dev/null || { echo "PostgreSQL 15 or newer did not install" >&2; exit 1; }
}

# Runs a command as the user the server runs as.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u "$OWNER" -- "$@"
  else
    "$@"
  fi
}

free_port() {
  "${NODE:-node}" -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

start() {
  dir=$1
  bin=$(bindir) || { echo "PostgreSQL 15 or newer is not installed: sh scripts/test-postgres.sh install" >&2; exit 3; }
  OWNER=$(id -un)
  if [ "$(id -u)" -eq 0 ]; then
    OWNER=postgres
    id -u postgres >/dev/null 2>&1 || OWNER=nobody
  fi
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown "$OWNER" "$dir"
  chmod 700 "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --no-locale -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
  fi
  # A port taken between the look and the start makes pg_ctl fail: try a few. A halted server
  # comes back on its own port, so that its clients reconnect to the address they know.
  for _ in 1 2 3 4 5; do
    port=$(cat "$dir/port" 2>/dev/null || free_port)
    # Durability is not wanted in a test: no fsync, no waiting for the WAL.
    if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null 2>&1; then
      echo "$port" >"$dir/port"
      echo "postgres://postgres@127.0.0.1:$port/postgres"
      return 0
    fi
  done
  cat "$dir/server.log" >&2
  exit 1
}

halt() {
  dir=$1
  bin=$(bindir) || exit 0
  OWNER=$(stat -c %U "$dir" 2>/dev/null || id -un)
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
}

stop() {
  halt "$1"
  rm -rf "$1"
}

. "$(dirname "$0")/privateServer.sh"
private_server_main pg MULTIDESK_TEST_POSTGRES "$@"
