#!/usr/bin/env bash
# Debian's shellcheck lints the shell scripts (`npm run lint`, `npm test`).
set -euo pipefail
command -v shellcheck >/dev/null 2>&1 && exit 0
# shellcheck source=scripts/apt-install.sh
. "$(dirname "$0")/apt-install.sh"
apt_install "shellcheck for the shell scripts' lint" /tmp/egress-lab-shellcheck.log shellcheck
