#!/usr/bin/env bash
# The unit suite applies real rules in network namespaces (iproute2, iptables, ipset,
# conntrack), runs the apply script's BIRD and echo-server paths (bird2, socat) and parses
# captures (tcpdump); the completion tests run zsh and fish. As root on Debian they are installed here; elsewhere the tests that need
# them skip, and this says which tools are missing.
set -uo pipefail
declare -A PKG=([ip]=iproute2 [iptables]=iptables [ipset]=ipset [conntrack]=conntrack
  [bird]=bird2 [birdc]=bird2 [socat]=socat [tcpdump]=tcpdump [nft]=nftables
  [zsh]=zsh [fish]=fish)
missing=()
for tool in "${!PKG[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin:/sbin" command -v "$tool" >/dev/null 2>&1 || missing+=("${PKG[$tool]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
mapfile -t pkgs < <(printf '%s\n' "${missing[@]}" | sort -u)
# shellcheck source=scripts/apt-install.sh
. "$(dirname "$0")/apt-install.sh"
apt_install "the unit tests' network tools" /tmp/egress-lab-test-tools.log "${pkgs[@]}" ||
  { echo "!!! the unit tests that need ${pkgs[*]} SKIP" >&2; exit 1; }
