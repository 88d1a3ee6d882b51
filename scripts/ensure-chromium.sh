#!/usr/bin/env bash
# Debian's Chromium drives the browser-mode tests (Playwright cannot download its own here).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "==> installing Debian's chromium"
  (apt-get install -y --no-install-recommends chromium >/tmp/egress-lab-chromium.log 2>&1) || \
    (apt-get update >/dev/null 2>&1 && apt-get install -y --no-install-recommends chromium >/tmp/egress-lab-chromium.log 2>&1)
else
  echo "MISSING: chromium (Debian: apt-get install chromium). Browser tests need it." >&2
  exit 1
fi
