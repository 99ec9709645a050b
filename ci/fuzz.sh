#!/usr/bin/env bash
# Coverage-guided fuzzing of the memory-map path with Jazzer (com.code-intelligence:jazzer 0.24.0, the libFuzzer
# command line), a fixed time per target. Part of ./verimem test; the same targets run on their seeds and saved
# corpus in every `mvn verify` (MemoryMapJazzerTest).
#
#   bash ci/fuzz.sh [--seconds N] [--target NAME]... [--no-mutant] [--mutant-seconds N]
#
# Targets (jml-annotated/src/test/java/verimem/robust/*FuzzTarget.java): SanitiserFuzzTarget,
# Multiboot2FuzzTarget, Multiboot1FuzzTarget, BootstrapFuzzTarget. Each runs for N seconds (default 30) from its
# seeds (real maps of ../shared/memory-maps + firmware edge cases, written by FuzzSeedWriter), the corpus saved in
# the test resources, and the corpus of earlier runs in jml-annotated/target/fuzz/corpus/. A finding (oracle
# violation, exception, panic, hang > 10 s) fails the stage and leaves its input in fuzz-findings/TARGET/ (crash-*
# or timeout-*, plus a Java reproducer); replay one with
#   bash ci/fuzz.sh --replay TARGET FILE
# After a run, --save-corpus merges (libFuzzer -merge=1) the corpus that run built into the saved corpus in the test
# resources, keeping only inputs that add coverage beyond the seeds and what is saved already; commit the result.
# Then the mutant self-test: the sanitiser target with SanitiserMutant (a deliberately wrong sanitiser, test code)
# must produce a finding within --mutant-seconds (default 60), or the stage fails: an oracle that cannot fail
# proves nothing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SECS=30
MUTANT=1
MUTANT_SECS=60
TARGETS=()
REPLAY=()
SAVE=0
while (($#)); do
  case "$1" in
    --seconds) SECS="$2"; shift 2 ;;
    --target) TARGETS+=("$2"); shift 2 ;;
    --no-mutant) MUTANT=0; shift ;;
    --mutant-seconds) MUTANT_SECS="$2"; shift 2 ;;
    --replay) REPLAY=("$2" "$3"); shift 3 ;;
    --save-corpus) SAVE=1; shift ;;
    *) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
((${#TARGETS[@]})) || TARGETS=(SanitiserFuzzTarget Multiboot2FuzzTarget Multiboot1FuzzTarget BootstrapFuzzTarget)

OUT=jml-annotated/target/fuzz
FINDINGS=fuzz-findings
SAVED=jml-annotated/src/test/resources/verimem/robust/MemoryMapJazzerTestInputs
mkdir -p "$OUT"
echo "[fuzz] compiling the test classes and resolving the test classpath"
mvn -B -ntp -q test-compile -pl jml-annotated
mvn -B -ntp -q dependency:build-classpath -pl jml-annotated -Dmdep.includeScope=test \
  -Dmdep.outputFile="$ROOT/$OUT/cp.txt" >/dev/null
CP="jml-annotated/target/test-classes:jml-annotated/target/classes:$(cat "$OUT/cp.txt")"
JAVA=(java -Xmx1g -XX:+UseSerialGC -cp "$CP" com.code_intelligence.jazzer.Jazzer
      "--instrumentation_includes=verimem.kernel.**" -timeout=10 -rss_limit_mb=0 -print_final_stats=1)

# JUnit method (MemoryMapJazzerTest) and -max_len per target: the size of its largest seed, so the fuzzer does not
# spend its time on maps that the quadratic sanitiser makes slow without reaching new code.
method_of() { case "$1" in SanitiserFuzzTarget) echo sanitiser ;; Multiboot2FuzzTarget) echo multiboot2 ;;
  Multiboot1FuzzTarget) echo multiboot1 ;; BootstrapFuzzTarget) echo bootstrap ;; *) echo none ;; esac; }
max_len_of() { case "$1" in SanitiserFuzzTarget) echo 2700 ;; BootstrapFuzzTarget) echo 1280 ;; *) echo 4096 ;; esac; }

for t in "${TARGETS[@]}"; do
  [[ "$(method_of "$t")" != none ]] || { echo "fuzz.sh: unknown target $t" >&2; exit 2; }
done

if ((${#REPLAY[@]})); then
  exec "${JAVA[@]}" "--target_class=verimem.robust.${REPLAY[0]}" "${REPLAY[1]}"
fi

java -cp "$CP" verimem.robust.FuzzSeedWriter "$OUT/seeds" | sed 's/^\[verimem fuzz\]/[fuzz]/'

if ((SAVE)); then
  for t in "${TARGETS[@]}"; do
    saved="$SAVED/$(method_of "$t")" tmp="$OUT/merge-$t"
    rm -rf "$tmp" && mkdir -p "$tmp" "$saved"
    cp "$OUT/seeds/$t"/* "$tmp/"
    "${JAVA[@]}" "--target_class=verimem.robust.$t" -max_len="$(max_len_of "$t")" -merge=1 "$tmp" "$saved" \
      "$OUT/corpus/$t" >"$OUT/merge-$t.log" 2>&1
    rm -f "$tmp"/seed-*
    rm -rf "$saved" && mv "$tmp" "$saved"
    echo "[fuzz] $t: saved corpus now $(ls "$saved" | wc -l) inputs ($(du -cb "$saved"/* 2>/dev/null | tail -1 | cut -f1) bytes) in $saved"
  done
  exit 0
fi

# run_target NAME CLASS INPUTS SECONDS FINDINGS_DIR [SEEDS_ONLY]: fuzzes CLASS from the seeds and (unless SEEDS_ONLY
# is 1) the saved corpus of target INPUTS, prints the summary; returns libFuzzer's exit status
run_target() {
  local name="$1" class="$2" inputs="$3" secs="$4" fdir="$5" saved="$SAVED/$(method_of "$3")"
  [[ "${6:-0}" == 1 ]] && saved=/nonexistent
  local corpus="$OUT/corpus/$name" log="$OUT/$name.log" dirs=()
  mkdir -p "$corpus" "$fdir"
  dirs=("$corpus" "$OUT/seeds/$inputs")
  [[ -d "$saved" ]] && dirs+=("$saved")
  echo "[fuzz] $name: ${secs} s (seeds $(ls "$OUT/seeds/$inputs" | wc -l), saved corpus $(ls "$saved" 2>/dev/null | wc -l), earlier corpus $(ls "$corpus" | wc -l))"
  local t0=$SECONDS rc=0
  "${JAVA[@]}" "--target_class=verimem.robust.$class" "--reproducer_path=$fdir" -max_total_time="$secs" \
    -max_len="$(max_len_of "$inputs")" -artifact_prefix="$fdir/" \
    "${dirs[@]}" >"$log" 2>&1 || rc=$?
  local execs cov
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  [[ -n "$execs" ]] || execs=$( (grep -oE '^#[0-9]+' "$log" || true) | tail -1 | tr -d '#')
  cov=$( (grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*' "$log" || true) | tail -1)
  # coverage = libFuzzer's counters over the instrumented kernel classes (verimem.kernel.**): cov = edges reached,
  # ft = features (edge x hit-count buckets). Jazzer's per-class --coverage_report was tried and not used: it
  # credited classes a target never calls (Multiboot1 to the bootstrap target) and missed classes it runs.
  echo "[fuzz] $name: ${execs:-0} inputs executed in $((SECONDS - t0)) s wall (JVM start included), $cov (cov = kernel-code edges, ft = features)"
  grep -h '^\[verimem fuzz\]' "$log" | sed 's/^\[verimem fuzz\]/[fuzz]/' || true
  return $rc
}

failed=0
for t in "${TARGETS[@]}"; do
  rc=0
  run_target "$t" "$t" "$t" "$SECS" "$FINDINGS/$t" || rc=$?
  if ((rc)); then
    failed=1
    echo "[fuzz] $t: FINDING (exit $rc); reproducer(s) in $FINDINGS/$t/:" >&2
    ls -1 "$FINDINGS/$t" >&2 || true
    grep -m1 -A12 -E '== Java Exception|ERROR: libFuzzer' "$OUT/$t.log" >&2 || true
  fi
done

if ((MUTANT)); then
  mdir="$OUT/mutant-findings"
  rm -rf "$mdir" "$OUT/corpus/mutant-self-test"
  rc=0
  t0=$SECONDS
  # seeds only: the saved corpus was grown on the real sanitiser and already holds maps that reveal the mutant
  run_target mutant-self-test SanitiserMutant SanitiserFuzzTarget "$MUTANT_SECS" "$mdir" 1 || rc=$?
  took=$((SECONDS - t0))
  crash=$(ls "$mdir"/crash-* 2>/dev/null | head -1 || true)
  if ((rc == 0)) || [[ -z "$crash" ]]; then
    echo "[fuzz] mutant self-test FAILED: Jazzer did not catch SanitiserMutant in $MUTANT_SECS s (exit $rc)" >&2
    failed=1
  else
    at=$( (grep -oE '^#[0-9]+' "$OUT/mutant-self-test.log" || true) | tail -1 | tr -d '#')
    echo "[fuzz] mutant self-test passed: the oracle caught SanitiserMutant after ~${at:-?} inputs, ${took} s wall (JVM start included); input $crash:"
    grep -m1 -E 'AssertionError' "$OUT/mutant-self-test.log" || true
    grep -m1 -E '^MS: ' "$OUT/mutant-self-test.log" || true
  fi
fi
exit $failed
