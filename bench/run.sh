#!/usr/bin/env bash
# bench/run.sh: every instruction-count figure of bench/README.md, from one command (issue #8).
#   bench/run.sh            full run (a few minutes): writes bench/results/<date>.{md,json} and the README table
#   bench/run.sh --smoke    (< 60 s) the same pipeline on the 128 MiB machine and one real map, results in a temp
#                           dir; fails if the benchmark does not build, a scenario fails its own checks, or a
#                           row has no number. Used by ./verimem test. Never asserts anything about speed.
#   --no-jvm                skip the JVM column
# Steps: build the kernel classes and the AOT compiler, compile the kernel to C with the compiler on this branch
# (plus a variant with the PMM's bounds checks elided), build the driver against the generated C and against
# the hand-written baseline (bench/baseline), run each under callgrind, and turn the dumps into the table.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SMOKE=0
JVM=1
for a in "$@"; do
  case "$a" in
    --smoke) SMOKE=1; JVM=0 ;;
    --no-jvm) JVM=0 ;;
    -h|--help) sed -n 2,10p "$0"; exit 0 ;;
    *) echo "bench/run.sh: unknown option $a" >&2; exit 2 ;;
  esac
done
T0=$SECONDS
step() { echo "=== [bench] $* ($((SECONDS - T0)) s)"; }
for tool in valgrind gcc java javac python3; do
  command -v "$tool" >/dev/null || { echo "bench/run.sh: $tool is required (apt-get install valgrind gcc)" >&2; exit 1; }
done
[[ -f /usr/include/valgrind/callgrind.h ]] || { echo "bench/run.sh: valgrind headers missing (valgrind package)" >&2; exit 1; }

WORK="$ROOT/bench/target"
rm -rf "$WORK"
mkdir -p "$WORK"/{c,c-elided,cg-gen,cg-base,cg-elided,maps,tools}

step "building the kernel classes and the AOT compiler (maven, offline)"
mvn -B -ntp -q -o compile -pl kernel-native -am

step "compiling the kernel to C with the AOT compiler on this branch"
kernel-native/aotc --classes jml-annotated/target/classes --out "$WORK/c" >/dev/null
# The variant with every array bounds check of the PMM and its segment table dropped: what elision of proved
# checks could give at most (which checks KeY proves is the proof work's business, not this benchmark's).
ELIDE=""
for m in allocFrame takeOne findNonEmptyWord storeWord markNonEmpty markEmpty freeFrame wordOf isFree allocAligned \
         findInWord findWholeWords scanSegment firstNotFull freeAligned firstProblem markRange release; do
  ELIDE="$ELIDE,verimem.kernel.pmm.Pmm.$m"
done
for m in segmentOf segmentOfWord frameOfWord firstWord base start end; do
  ELIDE="$ELIDE,verimem.kernel.pmm.SegmentTable.$m"
done
[[ $SMOKE -eq 1 ]] || kernel-native/aotc --classes jml-annotated/target/classes --out "$WORK/c-elided" \
  --elide-bounds "${ELIDE#,}" >/dev/null

step "building the drivers (gcc -O2): generated C, generated C with elided checks, hand-written baseline"
CFLAGS=(-O2 -g -Wall -Wextra -Werror -Wno-unused-label -Wno-unused-variable -Wno-unused-but-set-variable -Wno-unused-parameter)
DRV=(bench/driver/bench_main.c bench/driver/empty.c)
RT=(bench/runtime/bench_mem.c kernel-native/runtime/vm_common.c kernel-native/runtime/vm_hosted.c)
gcc "${CFLAGS[@]}" -DBENCH_GENERATED -Ibench/runtime -Ikernel-native/runtime -I"$WORK/c" -Ibench/driver \
  -o "$WORK/bench-generated" "${DRV[@]}" "${RT[@]}" "$WORK/c/verimem_aot.c"
[[ $SMOKE -eq 1 ]] || gcc "${CFLAGS[@]}" -DBENCH_GENERATED -Ibench/runtime -Ikernel-native/runtime -I"$WORK/c-elided" \
  -Ibench/driver -o "$WORK/bench-elided" "${DRV[@]}" "${RT[@]}" "$WORK/c-elided/verimem_aot.c"
gcc "${CFLAGS[@]}" -DBENCH_BASELINE -Ibench/runtime -Ibench/baseline -Ibench/driver \
  -o "$WORK/bench-baseline" "${DRV[@]}" bench/baseline/pmm_baseline.c bench/baseline/vmm_baseline.c bench/baseline/kmalloc_baseline.c bench/runtime/bench_mem.c

step "converting the real memory maps with the project's dmesg parser"
javac -d "$WORK/tools" -cp jml-annotated/target/classes bench/tools/MapToText.java
MAPDIR=/work/shared/memory-maps
if [[ $SMOKE -eq 1 ]]; then
  MAPS=("$MAPDIR/018-old-ibm-128m-unaligned-acpi.txt")
else
  MAPS=("$MAPDIR"/*.txt)
fi
java -cp "$WORK/tools:jml-annotated/target/classes" MapToText "$WORK/maps" "${MAPS[@]}"
MAPFILES=("$WORK"/maps/*.map)
ARGS=()
[[ $SMOKE -eq 1 ]] && ARGS+=(--smoke)

run_cg() { # name binary args...
  local name="$1" bin="$2"; shift 2
  step "callgrind: $name"
  valgrind --tool=callgrind --instr-atstart=no --dump-line=no --callgrind-out-file="$WORK/cg-$name/run.out" \
    "$bin" "$@" > "$WORK/$name.stdout" 2> "$WORK/$name.stderr" || {
      echo "bench/run.sh: the $name driver failed; its output:" >&2; grep -v '^==' "$WORK/$name.stderr" | tail -20 >&2
      exit 1; }
  grep -q "^DONE" "$WORK/$name.stdout" || { echo "bench/run.sh: $name did not finish" >&2; exit 1; }
}
run_cg gen "$WORK/bench-generated" "${ARGS[@]}" "${MAPFILES[@]}"
run_cg base "$WORK/bench-baseline" "${ARGS[@]}"
[[ $SMOKE -eq 1 ]] || run_cg elided "$WORK/bench-elided" "${ARGS[@]}" "${MAPFILES[@]}"

JVMOUT="$WORK/jvm.txt"
if [[ $JVM -eq 1 ]]; then
  step "JVM: the same PMM and kmalloc scenarios, warmed loop, host nanoseconds"
  javac -d "$WORK/tools" -cp jml-annotated/target/classes bench/jvm/JvmOps.java
  java -Xmx2g -cp "$WORK/tools:jml-annotated/target/classes" JvmOps > "$JVMOUT"
fi

CPU=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
MACHINE="Machine: $CPU, $(nproc) cores visible, $(gcc --version | head -1), $(valgrind --version), $(java -version 2>&1 | head -1); $(git rev-parse --short HEAD 2>/dev/null || echo '?') on $(date -u +%Y-%m-%d)."
if [[ $SMOKE -eq 1 ]]; then
  OUT_MD="$WORK/smoke.md"; OUT_JSON="$WORK/smoke.json"
else
  mkdir -p bench/results
  OUT_MD="bench/results/$(date -u +%Y-%m-%d).md"; OUT_JSON="bench/results/$(date -u +%Y-%m-%d).json"
fi
step "report"
python3 bench/tools/report.py --gen "$WORK/cg-gen" --base "$WORK/cg-base" \
  $([[ $SMOKE -eq 1 ]] || echo --elided "$WORK/cg-elided") \
  $([[ $JVM -eq 1 ]] && echo --jvm "$JVMOUT") \
  --info-gen "$WORK/gen.stdout" --out-md "$OUT_MD" --out-json "$OUT_JSON" --machine "$MACHINE" --check
if [[ $SMOKE -eq 0 ]]; then
  awk -v f="$OUT_MD" '
    /<!-- BENCH:BEGIN -->/ { print; while ((getline l < f) > 0) print l; skip = 1; next }
    /<!-- BENCH:END -->/ { skip = 0 }
    !skip { print }' bench/README.md > "$WORK/README.md" && cp "$WORK/README.md" bench/README.md
  step "done: $OUT_MD, $OUT_JSON, bench/README.md"
else
  grep -c '^| ' "$OUT_MD" | sed 's/^/=== [bench] smoke: table lines: /'
  step "smoke done"
fi
