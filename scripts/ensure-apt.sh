#!/usr/bin/env bash
# ensure-apt.sh CMD:PACKAGE ...: installs a Debian package when its command is missing (tests need
# mosquitto's clients, for example). Runs `apt-get update` at most once.
set -euo pipefail
updated=0
for pair in "$@"; do
  cmd=${pair%%:*}
  pkg=${pair#*:}
  command -v "$cmd" >/dev/null 2>&1 && continue
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  if [ $updated -eq 0 ]; then
    $SUDO apt-get update -qq
    updated=1
  fi
  echo "setup: installing $pkg (for $cmd)"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null
done
