#!/usr/bin/env bash
# ./verimem test: every test the project has, in one run. .ci/run calls this.
# Stages print a banner and their time so that a long CI run shows progress.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash ci/ensure-java.sh

stage() {
  local name="$1"; shift
  local t0=$SECONDS
  echo "=== [verimem] stage: $name"
  "$@"
  echo "=== [verimem] stage $name passed in $((SECONDS - t0)) s"
}

stage "maven verify (unit, property, model-checking, proof-runner and compiler tests)" \
  mvn -B -ntp verify

stage "KeY proofs (every JML contract of the kernel code; fails if a baselined contract is no longer proved)" \
  bash ci/prove.sh

stage "install kernel toolchain (qemu, grub, xorriso, gcc) if missing" bash ci/install-kernel-deps.sh
stage "boot matrix (QEMU: 5 sizes x pc/q35 x direct/ISO, UEFI, expected panics)" bash ci/boot-matrix.sh
