# The wiring helper's script starts here; each step sets $step, named if the script fails.
set -eu
step=start
# shellcheck disable=SC2154 # rc is assigned in the trap's own text (shellcheck misses it)
trap 'rc=$?; [ "$rc" -eq 0 ] || echo "egress-lab wiring failed at: $step" >&2' EXIT
