#!/usr/bin/env bash
# Proof stage: KeY proves the JML contracts of the kernel code (jml-annotated/src/kernel/java).
# Runs as its own stage, not inside `mvn verify`. Fails when a contract listed in proofs/baseline.txt is no
# longer proved. Options go to verimem.proofs.ProveAll, e.g.:
#   ci/prove.sh --include 'pmm\.Pmm\['     only some contracts
#   ci/prove.sh --update-baseline          record what is proved now as the new baseline
# Limits: 2 worker JVMs x 1900 MB heap; per contract a step limit, a CPU-time limit and a wall time-out; an 860 s
# wall budget for the run (ci/test-all.sh gives the stage 900 s). Baselined contracts are proved first.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
mkdir -p proofs/target
mvn -B -ntp -q compile dependency:build-classpath -pl proofs \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
exec java -Xmx256m -cp "proofs/target/classes:$(cat proofs/target/classpath.txt)" verimem.proofs.ProveAll "$@"
