#!/usr/bin/env bash
# Runs shellcheck over every shell script of the repository: the runtime's (src/**/*.sh, run in
# the lab containers; src/.shellcheckrc), the image's build (images/) and these scripts.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v shellcheck >/dev/null 2>&1; then
  echo "MISSING: shellcheck (Debian: apt-get install shellcheck); the shell scripts are not linted." >&2
  exit 1
fi
mapfile -t files < <(find . \( -name node_modules -o -name dist -o -name .git -o -name release \) -prune -o -name '*.sh' -type f -print | sort)
shellcheck "${files[@]}"
echo "shellcheck: ${#files[@]} scripts clean"
