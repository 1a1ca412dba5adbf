#!/usr/bin/env bash
# Installs the Debian 12 packages the explorer needs to build, test and report. Idempotent: when every
# package is present it prints nothing and touches nothing.
set -euo pipefail

packages=(build-essential cmake pkg-config ninja-build libsystemc-dev libyaml-cpp-dev libboost-dev catch2
          zlib1g-dev libcli11-dev)
# Extra groups, requested by name: `setup.sh tests` adds what only the test suite uses.
for group in "$@"; do
  case "$group" in
    tests) packages+=(slurm-wlm munge chromium fonts-dejavu-core clang) ;;
    *) echo "setup.sh: unknown package group '$group'" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
