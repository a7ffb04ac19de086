#!/bin/sh
# HAProxy, the load balancer the scale-out tests put in front of several portal instances.
# The tests start it themselves (foreground, a generated config in a temporary folder, no systemd).
#
#   sh scripts/test-haproxy.sh install      installs HAProxy 2.4+ with apt-get when missing
#   sh scripts/test-haproxy.sh check        exit status 0 when HAProxy 2.4+ is installed, else 3
#
# Debian's package enables a systemd service; without systemd (containers, CI) it stays stopped,
# which is what the tests want: nothing listens until a test starts its own balancer.
set -eu

check() {
  command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || return 1
  version=$(PATH="$PATH:/usr/sbin" haproxy -v | sed -n 's/^HAProxy version \([0-9]*\)\.\([0-9]*\).*/\1 \2/p')
  set -- $version
  [ "${1:-0}" -gt 2 ] || { [ "${1:-0}" -eq 2 ] && [ "${2:-0}" -ge 4 ]; }
}

install() {
  if check; then return 0; fi
  echo "installing: haproxy" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends haproxy >/dev/null
  check || { echo "HAProxy 2.4 or newer did not install" >&2; exit 1; }
}

case "${1:-}" in
  install) install ;;
  check) check || exit 3 ;;
  *)
    echo "usage: sh scripts/test-haproxy.sh install | check" >&2
    exit 2
    ;;
esac
