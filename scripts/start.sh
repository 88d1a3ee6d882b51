#!/usr/bin/env bash
# The README's run command (`npm start`). Works as the first command in a fresh clone:
# installs npm packages, builds, readies the Docker engine and lab image (installing them
# as root on Debian), then opens the Electron app where its binary exists, or else browser
# mode on 127.0.0.1 with the URL printed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
echo "==> building"
npm run -s build
npm run -s build:renderer
echo "==> Docker engine and lab image"
if ! node bin/egress-lab.js setup; then
  echo "The lab needs a Docker engine (see above). The app still opens: validate, rules and explain work without one." >&2
fi
if node -e "process.exit(require('fs').existsSync(require('electron')) ? 0 : 1)" 2>/dev/null; then
  echo "==> opening the Egress Lab window (Electron)"
  exec npx electron .
fi
echo "==> no Electron binary here: starting browser mode"
exec node bin/egress-lab.js serve "$@"
