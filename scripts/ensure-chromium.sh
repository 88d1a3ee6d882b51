#!/usr/bin/env bash
# Debian's Chromium drives the browser-mode tests (Playwright cannot download its own here).
set -euo pipefail
command -v chromium >/dev/null 2>&1 && exit 0
# shellcheck source=scripts/apt-install.sh
. "$(dirname "$0")/apt-install.sh"
apt_install "Chromium for the browser tests" /tmp/egress-lab-chromium.log chromium
