#!/usr/bin/env bash
# Installs everything the project needs on a fresh machine: npm packages (install scripts limited
# to the allowScripts list in package.json) and the `datagraph` command in node_modules/.bin.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund
ln -sf ../../bin/datagraph.mjs node_modules/.bin/datagraph
echo "setup: done (npx datagraph --help)"
