#!/bin/sh
# Every test of the project, from a fresh clone: installs what is missing (npm packages; Chromium,
# Xvfb, a keyring, PostgreSQL, Redis and HAProxy via apt-get), then lint, types, unit, integration and end-to-end tests.
set -eu
cd "$(dirname "$0")/.."

echo "== system packages"
sh scripts/ensure-system-packages.sh
sh scripts/test-postgres.sh install
sh scripts/test-redis.sh install
sh scripts/test-haproxy.sh install

echo "== npm packages"
npm install --no-audit --no-fund --loglevel=error

echo "== npm audit (high and critical advisories)"
sh scripts/audit.sh

# Node 24 from the `node` devDependency; the system Node may be older.
NODE="$PWD/node_modules/.bin/node"
"$NODE" --version

echo "== lint and format (biome)"
npx --no-install biome check .

echo "== type-check (tsc): everything together, then each runtime on its own"
npx --no-install tsc -p tsconfig.json
npx --no-install tsc -p tsconfig.node.json
npx --no-install tsc -p packages/protocol
npx --no-install tsc -p packages/desktop/src/ui

echo "== build the desktop: its UI (vite) and its core (one bundled file)"
npm run --silent build -w @multidesk/desktop

echo "== unit, integration and end-to-end tests (under Xvfb, with a real keyring)"
# A private D-Bus session with an unlocked gnome-keyring gives the tests a real Secret Service;
# xvfb-run gives the app windows a display. The keyring lives in a fresh folder, so no keyring
# left by an earlier run (with another password) can ask for an unlock prompt.
KEYRING_HOME="$(mktemp -d)"
trap 'rm -rf "$KEYRING_HOME"' EXIT
export NODE
# The store's suites run on SQLite and on PostgreSQL: one private PostgreSQL server (a temporary
# folder, a free port, stopped at the end) serves every test file; its absence is a failure here.
# Likewise one private Redis for the tests of several instances sharing it.
export MULTIDESK_REQUIRE_POSTGRES=1 MULTIDESK_REQUIRE_REDIS=1
XDG_DATA_HOME="$KEYRING_HOME" sh scripts/test-postgres.sh run sh scripts/test-redis.sh run dbus-run-session -- sh -c '
  echo -n multidesk-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  exec xvfb-run -a -s "-screen 0 1280x800x24" "$NODE" --test --test-reporter=spec --test-concurrency=1 \
    "packages/*/test/**/*.test.ts" "e2e/**/*.test.ts"
'
