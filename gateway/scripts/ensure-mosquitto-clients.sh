#!/usr/bin/env bash
# Installs Debian's mosquitto clients (mosquitto_pub, mosquitto_sub) when missing: the gateway's acceptance test 4
# checks that an MQTT client that is not ours gets the same treatment as the agent.
set -euo pipefail
if command -v mosquitto_pub >/dev/null 2>&1 && command -v mosquitto_sub >/dev/null 2>&1; then exit 0; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y --no-install-recommends mosquitto-clients >/dev/null 2>&1 || {
  $SUDO apt-get update >/dev/null
  $SUDO apt-get install -y --no-install-recommends mosquitto-clients >/dev/null
}
command -v mosquitto_pub >/dev/null
