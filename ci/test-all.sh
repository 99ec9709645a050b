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

stage "maven verify (unit, property, model-checking, proof and compiler tests)" \
  mvn -B -ntp verify
