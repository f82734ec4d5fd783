#!/usr/bin/env bash
# Find a Chromium for browser tests and image export; on Debian/Ubuntu as root, install it.
set -euo pipefail
for b in "${BROWSER_PATH:-}" chromium chromium-browser google-chrome; do
  if [ -n "$b" ] && command -v "$b" >/dev/null 2>&1; then exit 0; fi
done
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "Installing Chromium from the system's packages (apt-get)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
  exit 0
fi
echo "No Chromium found. Install it (Debian/Ubuntu: sudo apt-get install chromium) or set BROWSER_PATH." >&2
echo "Browser tests will be skipped and image export will say it is unavailable." >&2
