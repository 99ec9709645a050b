#!/usr/bin/env bash
# Verification cost (issue #8, item 4): TLC states per second and total time per model, KeY time per contract.
# Reads what the last spec run (spec/target/tlc/results.tsv) and proof run (proofs/target/proof-run/summary.csv)
# recorded; with --run it first runs both (about 5 + 13 minutes on 2 cores).
#   bench/verification-cost.sh [--run]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [[ "${1:-}" == "--run" ]]; then
  rm -f spec/target/tlc/results.tsv
  mvn -B -ntp -q verify -pl spec -am -Dtest='ModelCheckTest,PmmTraceValidationTest' -Dsurefire.failIfNoSpecifiedTests=false
  bash ci/prove.sh || echo "(proof gate failed; the timings below are still what the run measured)"
fi
for f in spec/target/tlc/results.tsv proofs/target/proof-run/summary.csv; do
  [[ -f "$f" ]] || { echo "verification-cost: $f missing; run with --run (or run the spec tests and ci/prove.sh)" >&2; exit 2; }
done
python3 bench/tools/verification_cost.py spec/target/tlc/results.tsv proofs/target/proof-run/summary.csv
