#!/usr/bin/env bash
# Sourced by the ensure-*.sh scripts: installs Debian packages when we may (root, apt-get),
# retrying once after `apt-get update` (a fresh machine's package lists may be empty or old).
# apt_install WHAT LOG PKG...: 0 when installed; 1, saying why, when not.
apt_install() {
  local what=$1 log=$2
  shift 2
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "MISSING: $what (Debian: apt-get install $*)" >&2
    return 1
  fi
  echo "==> installing $what: $*"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "$@" >"$log" 2>&1 && return 0
  apt-get update >/dev/null 2>&1
  apt-get install -y --no-install-recommends "$@" >"$log" 2>&1 && return 0
  echo "could not install $* (see $log)" >&2
  return 1
}
