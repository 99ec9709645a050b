#!/usr/bin/env bash
# Installs what booting the kernel needs on Debian: QEMU, gcc/binutils/make, GRUB + xorriso + mtools for the ISO.
# Idempotent and silent when everything is present. Extra package names may be passed (e.g. ovmf).
set -euo pipefail
pkgs=(qemu-system-x86 grub-pc-bin grub-common xorriso mtools gcc binutils make "$@")
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0
echo "verimem: installing ${missing[*]}" >&2
sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >&2
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
