#!/usr/bin/env bash
# Installs the npm packages when node_modules is missing or older than the lockfile.
# Electron and Playwright must not try to download binaries: no such host is reachable
# here, and the tests use Debian's Chromium instead.
set -euo pipefail
cd "$(dirname "$0")/.."
export ELECTRON_SKIP_BINARY_DOWNLOAD=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "==> installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
