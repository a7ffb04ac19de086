#!/bin/sh
# Every test of the project, from a fresh clone: installs what is missing, then lint, types, tests.
set -eu
cd "$(dirname "$0")/.."

echo "== install npm packages"
npm install --no-audit --no-fund --loglevel=error
# Node 24 from the `node` devDependency; the system Node may be older.
NODE="$PWD/node_modules/.bin/node"
"$NODE" --version

echo "== lint and format (biome)"
npx --no-install biome check .

echo "== type-check (tsc)"
npx --no-install tsc -p tsconfig.json

echo "== unit and integration tests"
"$NODE" --test --test-reporter=spec --test-concurrency=2 'packages/*/test/**/*.test.ts'
