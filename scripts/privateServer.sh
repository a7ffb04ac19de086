# The command line shared by the private test servers' scripts (test-postgres.sh, test-redis.sh),
# sourced after they define check, install, start DIR, stop DIR and halt DIR:
#
#   private_server_main NAME VARIABLE "$@"
#
# `run CMD...` starts a server in a temporary folder named after NAME, runs CMD with VARIABLE set
# to the server's URL, stops the server and exits with CMD's status.
private_server_main() {
  name=$1
  variable=$2
  shift 2
  case "${1:-}" in
    install) install ;;
    check) check || exit 3 ;;
    start) start "${2:?start DIR}" ;;
    stop) stop "${2:?stop DIR}" ;;
    halt) halt "${2:?halt DIR}" ;;
    run)
      shift
      DIR=$(mktemp -d "${TMPDIR:-/tmp}/multidesk-$name-XXXXXX")
      trap 'stop "$DIR"' EXIT
      trap 'exit 130' INT TERM
      url=$(start "$DIR")
      export "$variable=$url"
      status=0
      "$@" || status=$?
      exit $status
      ;;
    *)
      echo "usage: sh $0 install | check | start DIR | stop DIR | halt DIR | run CMD..." >&2
      exit 2
      ;;
  esac
}
