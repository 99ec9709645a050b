#!/usr/bin/env bash
# bench/run.sh: every figure of bench/README.md, from one command (issue #8).
#   bench/run.sh            full run (a few minutes): writes bench/results/<date>.{md,json} and the README table
#   bench/run.sh --smoke    (< 60 s) the same pipeline on the 128 MiB machine and one real map, results in a temp
#                           dir; fails if the benchmark does not build, a scenario fails its own checks, or a
#                           row has no number. Used by ./verimem test. Never asserts anything about speed.
#   --no-jvm                skip the JVM column
#   --no-boot               skip the QEMU boot-to-verdict timing (bench/boot-time.sh; needs qemu, ~1-2 min)
# Steps: build the kernel classes and the AOT compiler, compile the kernel to C with the compiler on this branch
# (plus a variant with the PMM's bounds checks elided), build the driver against the generated C and against
# the hand-written baseline (bench/baseline), run each under callgrind, and turn the dumps into the table.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SMOKE=0
JVM=1
BOOT=1
for a in "$@"; do
  case "$a" in
    --smoke) SMOKE=1; JVM=0; BOOT=0 ;;
    --no-jvm) JVM=0 ;;
    --no-boot) BOOT=0 ;;
    -h|--help) sed -n 2,11p "$0"; exit 0 ;;
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
mkdir -p "$WORK"/{c,c-elided,cg-gen,cg-base,cg-elided,cg-nonull,maps,tools}

# maven only when no earlier run built the classes or a source changed since (saves ~15 s in ./verimem test)
STAMP=kernel-native/target/.bench-built
if [[ ! -f $STAMP ]] || [[ -n "$(find jml-annotated/src kernel-native/src pom.xml -newer "$STAMP" -print -quit)" ]]; then
  step "building the kernel classes and the AOT compiler (maven, offline)"
  mvn -B -ntp -q -o compile -pl kernel-native -am
  touch "$STAMP"
else
  step "kernel classes and AOT compiler are up to date"
fi

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

step "building the drivers (gcc -O2, side by side): generated C, hand-written baseline$([[ $SMOKE -eq 1 ]] || echo ", generated C with bounds checks elided, and without null checks")"
CFLAGS=(-O2 -Wall -Wextra -Werror -Wno-unused-label -Wno-unused-variable -Wno-unused-but-set-variable -Wno-unused-parameter)
# debug line info only where breakdown.py needs it (the full run); the smoke run compiles faster without
[[ $SMOKE -eq 1 ]] || CFLAGS+=(-g)
DRV=(bench/driver/bench_main.c bench/driver/empty.c)
RT=(bench/runtime/bench_mem.c bench/runtime/bench_arena.c kernel-native/runtime/vm_common.c kernel-native/runtime/vm_hosted.c)
# the builds are independent: run them side by side, then check each
build() { # output cflags... : one gcc, its messages in $WORK/<output>.gcc.log
  local out="$1"; shift
  gcc "${CFLAGS[@]}" "$@" -o "$WORK/$out" > "$WORK/$out.gcc.log" 2>&1
}
pids=()
build bench-generated -DBENCH_GENERATED -Ibench/runtime -Ikernel-native/runtime -I"$WORK/c" -Ibench/driver \
  "${DRV[@]}" "${RT[@]}" "$WORK/c/verimem_aot.c" & pids+=($!)
build bench-baseline -DBENCH_BASELINE -Ibench/runtime -Ibench/baseline -Ibench/driver "${DRV[@]}" \
  bench/baseline/pmm_baseline.c bench/baseline/vmm_baseline.c bench/baseline/kmalloc_baseline.c \
  bench/runtime/bench_mem.c & pids+=($!)
if [[ $SMOKE -eq 0 ]]; then
  build bench-elided -DBENCH_GENERATED -Ibench/runtime -Ikernel-native/runtime -I"$WORK/c-elided" -Ibench/driver \
    "${DRV[@]}" "${RT[@]}" "$WORK/c-elided/verimem_aot.c" & pids+=($!)
  # ablation: the elided variant without (most) null checks, to split the excess between the two kinds of check
  build bench-nonull -DBENCH_GENERATED -DBENCH_NO_NULL_CHECKS -Ibench/runtime -Ikernel-native/runtime \
    -I"$WORK/c-elided" -Ibench/driver "${DRV[@]}" "${RT[@]}" "$WORK/c-elided/verimem_aot.c" & pids+=($!)
fi
for p in "${pids[@]}"; do
  wait "$p" || { echo "bench/run.sh: a driver build failed:" >&2; cat "$WORK"/*.gcc.log >&2; exit 1; }
done

step "converting the real memory maps with the project's dmesg parser"
javac -d "$WORK/tools" -cp jml-annotated/target/classes bench/tools/MapToText.java
MAPDIR="${VERIMEM_MEMORY_MAPS:-/work/shared/memory-maps}"
[[ -d $MAPDIR ]] || { echo "bench/run.sh: no memory maps in $MAPDIR (set VERIMEM_MEMORY_MAPS)" >&2; exit 1; }
if [[ $SMOKE -eq 1 ]]; then
  MAPS=("$MAPDIR/018-old-ibm-128m-unaligned-acpi.txt")
else
  MAPS=("$MAPDIR"/*.txt)
fi
java -cp "$WORK/tools:jml-annotated/target/classes" MapToText "$WORK/maps" "${MAPS[@]}"
MAPFILES=("$WORK"/maps/*.map)
ARGS=()
[[ $SMOKE -eq 1 ]] && ARGS+=(--smoke)

run_cg() { # name binary args...  (line-level counts for the generated build: breakdown.py reads them)
  local name="$1" bin="$2"; shift 2
  local lines=no
  [[ $name == gen ]] && lines=yes
  step "callgrind: $name"
  valgrind --tool=callgrind --instr-atstart=no --dump-line=$lines --callgrind-out-file="$WORK/cg-$name/run.out" \
    "$bin" "$@" > "$WORK/$name.stdout" 2> "$WORK/$name.stderr" || {
      echo "bench/run.sh: the $name driver failed; its output:" >&2; grep -v '^==' "$WORK/$name.stderr" | tail -20 >&2
      exit 1; }
  grep -q "^DONE" "$WORK/$name.stdout" || { echo "bench/run.sh: $name did not finish" >&2; exit 1; }
}
run_cg gen "$WORK/bench-generated" "${ARGS[@]}" "${MAPFILES[@]}"
run_cg base "$WORK/bench-baseline" "${ARGS[@]}"
[[ $SMOKE -eq 1 ]] || run_cg elided "$WORK/bench-elided" "${ARGS[@]}" "${MAPFILES[@]}"
[[ $SMOKE -eq 1 ]] || run_cg nonull "$WORK/bench-nonull" "${ARGS[@]}" "${MAPFILES[@]}"

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
  $([[ $SMOKE -eq 1 ]] || echo --elided "$WORK/cg-elided" --nonull "$WORK/cg-nonull") \
  $([[ $JVM -eq 1 ]] && echo --jvm "$JVMOUT") \
  --info-gen "$WORK/gen.stdout" --out-md "$OUT_MD" --out-json "$OUT_JSON" --machine "$MACHINE" --check
if [[ $SMOKE -eq 0 ]]; then
  if [[ $BOOT -eq 1 ]]; then
    step "QEMU boot-to-verdict: Java kernel against the C placeholder kernel (bench/boot-time.sh)"
    {
      echo "#### Boot-to-verdict wall time in QEMU (TCG, pc, direct -kernel; host milliseconds, noisy on a shared machine)"
      echo
      bash bench/boot-time.sh 5
      echo
    } >> "$OUT_MD"
  fi
  step "plots (SVG)"
  python3 bench/tools/plots.py "$OUT_JSON" "${OUT_MD%.md}"
  {
    echo "Plots: [PMM cost against occupancy]($(basename "${OUT_MD%.md}")-pmm-occupancy.svg),"
    echo "[bootstrap cost against memory size]($(basename "${OUT_MD%.md}")-boot-size.svg) (in bench/results/)."
    echo
  } >> "$OUT_MD"
  step "breakdown of the generated C's instructions (callgrind_annotate)"
  {
    echo "#### Where the generated C's instructions go (approximate: debug line info; dump totals include the loop)"
    echo
    python3 bench/tools/breakdown.py "$WORK/cg-gen" pmm.alloc.128M.occ95.lifo pmm.free.128M.occ95.lifo \
      pmm.alloc.8G.occ50.random pmm.free.8G.occ50.random vmm.map4k.tables_exist vmm.translate4k \
      vmm.unmap4k.table_stays kmalloc.64 kfree.64
    echo
  } >> "$OUT_MD"
  awk -v f="$OUT_MD" '
    /<!-- BENCH:BEGIN -->/ { print; while ((getline l < f) > 0) { gsub(/\]\(20/, "](results/20", l); print l }; skip = 1; next }
    /<!-- BENCH:END -->/ { skip = 0 }
    !skip { print }' bench/README.md > "$WORK/README.md" && cp "$WORK/README.md" bench/README.md
  step "done: $OUT_MD, $OUT_JSON, bench/README.md"
else
  grep -c '^| ' "$OUT_MD" | sed 's/^/=== [bench] smoke: table lines: /'
  step "smoke done"
fi
