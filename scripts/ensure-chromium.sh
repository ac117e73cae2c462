#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (a test tool's own browser download cannot work offline).
# Installs it when missing and we may; otherwise says in one line what to do.
set -euo pipefail
CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Chromium for the browser tests (Debian package chromium)..." >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  exit 0
fi
echo "error: the browser tests need Chromium at $CHROMIUM: install it (Debian: sudo apt-get install -y chromium) or set CHROMIUM_PATH" >&2
exit 1
