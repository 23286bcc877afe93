#!/usr/bin/env bash
# Installs everything the project needs on a fresh machine: npm packages (install scripts limited to
# the allowScripts list in package.json), the `datagraph` command in node_modules/.bin, and the Debian
# packages the tests use (mosquitto's command-line clients, a standard MQTT client that is not ours).
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund
ln -sf ../../bin/datagraph.mjs node_modules/.bin/datagraph
bash scripts/ensure-apt.sh mosquitto_pub:mosquitto-clients
echo "setup: done (try: npx datagraph --help)"
