#!/bin/sh
# A private Redis server for tests: its own folder, a free loopback port, no systemd, gone after.
#
#   sh scripts/test-redis.sh install        installs Redis 7+ (redis-server) with apt-get when missing
#   sh scripts/test-redis.sh check          exit status 0 when Redis 7+ is installed, else 3
#   sh scripts/test-redis.sh start DIR      starts a server with its files in DIR; prints the URL
#   sh scripts/test-redis.sh stop DIR       stops the server and removes DIR
#   sh scripts/test-redis.sh halt DIR       stops the server and keeps DIR: `start DIR` starts it again
#                                           on the same port (an outage, for fault tests)
#   sh scripts/test-redis.sh run CMD...     start in a temporary folder, run CMD with
#                                           MULTIDESK_TEST_REDIS=<url>, stop; CMD's exit status
#
# The URL has no password (the server listens on loopback only), e.g. redis://127.0.0.1:41235.
# Nothing is written to disk: no snapshots, no append-only file.
set -eu

check() {
  command -v redis-server >/dev/null 2>&1 || return 1
  major=$(redis-server --version | sed -n 's/.* v=\([0-9]*\)\..*/\1/p')
  [ "${major:-0}" -ge 7 ] 2>/dev/null
}

install() {
  if check; then return 0; fi
  echo "installing: redis-server" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends redis-server >/dev/null
  check || { echo "Redis 7 or newer did not install" >&2; exit 1; }
}

free_port() {
  "${NODE:-node}" -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

start() {
  dir=$1
  check || { echo "Redis 7 or newer is not installed: sh scripts/test-redis.sh install" >&2; exit 3; }
  mkdir -p "$dir"
  chmod 700 "$dir"
  # A port taken between the look and the start makes the server exit: try a few. A halted server
  # comes back on its own port, so that its clients reconnect to the address they know.
  for _ in 1 2 3 4 5; do
    port=$(cat "$dir/port" 2>/dev/null || free_port)
    rm -f "$dir/redis.pid"
    redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --pidfile "$dir/redis.pid" \
      --logfile "$dir/server.log" --daemonize yes --save '' --appendonly no >/dev/null 2>&1 || continue
    # Daemonized, it answers once it listens; a failed bind ends the process.
    for _ in $(seq 1 50); do
      if redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then
        echo "$port" >"$dir/port"
        echo "redis://127.0.0.1:$port"
        return 0
      fi
      [ -f "$dir/redis.pid" ] && ! kill -0 "$(cat "$dir/redis.pid")" 2>/dev/null && break
      sleep 0.1
    done
  done
  cat "$dir/server.log" >&2 2>/dev/null || true
  exit 1
}

halt() {
  dir=$1
  if [ -f "$dir/redis.pid" ]; then
    pid=$(cat "$dir/redis.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
  fi
}

stop() {
  halt "$1"
  rm -rf "$1"
}

. "$(dirname "$0")/privateServer.sh"
private_server_main redis MULTIDESK_TEST_REDIS "$@"
