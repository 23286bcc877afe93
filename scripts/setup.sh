#!/usr/bin/env bash
# Installs everything the project needs on a fresh machine: npm packages (install scripts limited to
# the allowScripts list in package.json), the `datagraph` command in node_modules/.bin, and the Debian
# packages the tests use: mosquitto's command-line clients (a standard MQTT client that is not ours) and
# Chromium for the portal's browser tests (playwright-core drives /usr/bin/chromium; no browser is downloaded).
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund
ln -sf ../../bin/datagraph.mjs node_modules/.bin/datagraph
bash gateway/scripts/ensure-mosquitto-clients.sh
sh gateway/scripts/ensure-chromium.sh
echo "setup: done (try: npx datagraph --help)"
