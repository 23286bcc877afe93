#!/bin/sh
# Installs Debian's Chromium for the portal's browser tests (gateway/test/portal), if it is not there yet.
# The tests drive /usr/bin/chromium with playwright-core; no browser is ever downloaded by playwright.
set -eu
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "ensure-chromium: $CHROMIUM is missing and we are not root (install the Debian package 'chromium')" >&2
    exit 1
  fi
fi
# The apt lock is shared with anything else installing packages: wait for it rather than fail.
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
  chromium fonts-dejavu-core >/dev/null
if [ ! -x "$CHROMIUM" ]; then
  echo "ensure-chromium: installed the chromium package but $CHROMIUM is still missing" >&2
  exit 1
fi
