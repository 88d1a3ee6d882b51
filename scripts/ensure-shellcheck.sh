#!/usr/bin/env bash
# Debian's shellcheck lints the shell scripts (`npm run lint`, `npm test`).
set -euo pipefail
if command -v shellcheck >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "==> installing Debian's shellcheck"
  (apt-get install -y --no-install-recommends shellcheck >/tmp/egress-lab-shellcheck.log 2>&1) || \
    (apt-get update >/dev/null 2>&1 && apt-get install -y --no-install-recommends shellcheck >/tmp/egress-lab-shellcheck.log 2>&1)
else
  echo "MISSING: shellcheck (Debian: apt-get install shellcheck; elsewhere your package manager's shellcheck). The shell scripts' lint needs it." >&2
  exit 1
fi
