#!/usr/bin/env bash
# Installs Debian's Chromium (and a Japanese font, so screenshots show text) when missing: the console's
# browser tests drive /usr/bin/chromium, since a browser download of Playwright's own cannot work here.
set -euo pipefail
CHROMIUM="${AIMEE_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ] && fc-list 2>/dev/null | grep -qi "noto sans cjk"; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
test -x "$CHROMIUM"
