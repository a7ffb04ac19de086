#!/bin/sh
# The demo: installs what is missing, seeds the demo portals, prints logins and addresses, serves.
set -eu
cd "$(dirname "$0")/.."
npm install --no-audit --no-fund --loglevel=error
NODE="$PWD/node_modules/.bin/node"
DATA="${MULTIDESK_DATA:-$PWD/.data/demo}"
PORT="${MULTIDESK_PORT:-8024}"
CLI="packages/portal/src/cli.ts"

echo "== demo data in $DATA"
"$NODE" "$CLI" seed-demo --data "$DATA" --public-url "http://localhost:$PORT"
echo
echo "== an inbound webhook for anna on acme (try: curl \"<URL>user.current\")"
"$NODE" "$CLI" webhook create --portal acme --email anna@example.com --scope user,im,task --data "$DATA" --public-url "http://localhost:$PORT"
echo
echo "== portal server on http://localhost:$PORT (network) and http://<portal>.localhost:$PORT; Ctrl+C stops it"
exec "$NODE" "$CLI" serve --data "$DATA" --port "$PORT"
