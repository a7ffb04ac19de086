#!/bin/sh
# The demo: installs what is missing, seeds the demo portals, prints logins and addresses, starts
# the portal server, then opens the desktop app signed in to nothing (ready for +).
set -eu
cd "$(dirname "$0")/.."
sh scripts/ensure-system-packages.sh
npm install --no-audit --no-fund --loglevel=error
NODE="$PWD/node_modules/.bin/node"
DATA="${MULTIDESK_DATA:-$PWD/.data/demo}"
PROFILE="${MULTIDESK_PROFILE:-$PWD/.data/demo-profile}"
PORT="${MULTIDESK_PORT:-8024}"
CLI="packages/portal/src/cli.ts"

npm run --silent build -w @multidesk/desktop >/dev/null

echo "== demo data in $DATA"
"$NODE" "$CLI" seed-demo --data "$DATA" --public-url "http://localhost:$PORT"
echo
echo "== an inbound webhook for anna on acme (try: curl \"<URL>user.current\", or paste it in Connect with a webhook)"
"$NODE" "$CLI" webhook create --portal acme --email anna@example.com --scope user,im,task,pull_channel --data "$DATA" --public-url "http://localhost:$PORT"
echo

APP_PORT="${MULTIDESK_APP_PORT:-8765}"
echo "== a Bitrix24 app on globex (Connect with a Bitrix24 app: address globex.localhost:$PORT and these keys)"
"$NODE" "$CLI" app create --portal globex --name "Multidesk demo app" --redirect-uri "http://127.0.0.1:$APP_PORT/callback" \
  --data "$DATA" --public-url "http://localhost:$PORT"
echo

IDP_PORT="${MULTIDESK_IDP_PORT:-8025}"
echo "== single sign-on for initech through the demo identity provider (dora signs in only this way)"
"$NODE" "$CLI" sso set --portal initech --issuer "http://localhost:$IDP_PORT" --client-id multidesk-portal \
  --client-secret multidesk-demo-secret --domain example.com --data "$DATA" --public-url "http://localhost:$PORT"
"$NODE" packages/idp/src/main.ts --port "$IDP_PORT" >"$DATA/idp.log" 2>&1 &
IDP=$!
echo "== demo identity provider on http://localhost:$IDP_PORT (log: $DATA/idp.log)"
echo

"$NODE" "$CLI" serve --data "$DATA" --port "$PORT" --log-level warn &
PORTAL=$!
trap 'kill $PORTAL $IDP 2>/dev/null || true' EXIT INT TERM
echo "== portal server on http://localhost:$PORT (network) and http://<portal>.localhost:$PORT"
echo "== Multidesk: click + in the Workspace window and sign in, e.g. address acme.localhost:$PORT, login anna@example.com"
"$NODE" packages/desktop/src/core/main.ts --profile "$PROFILE" --oauth-redirect-port "$APP_PORT" "$@"
