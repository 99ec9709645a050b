#!/usr/bin/env bash
# End-to-end test of the Java entry seam: compiles a small Java probe (kernel-native/boot/test/java-probe) with the
# project's real memory-map code (multiboot parse, sanitiser, carve-outs) through the AOT compiler, links it into
# the kernel with JAVA_ENTRY, boots it and checks the frames the Java code reports against QEMU's layout minus
# the kernel image and the boot info, computed here. It also takes one real page fault into Java and back.
# Needs the AOT compiler (branch aot). VERIMEM_AOT_SRC=<checkout with it built> uses one from elsewhere.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source ci/qemu-layout.sh
SRC="${VERIMEM_AOT_SRC:-$ROOT}"
WORK="$ROOT/kernel-native/target/java-probe"
if [[ ! -f "$SRC/kernel-native/src/main/java/verimem/aot/Compiler.java" ]]; then
  echo "boot-java-probe: SKIPPED: the AOT compiler (verimem.aot) is not in $SRC yet; nothing Java runs in the kernel"
  exit 0
fi
if [[ "$SRC" == "$ROOT" ]]; then
  bash ci/ensure-java.sh
  mvn -o -q -B -Dstyle.color=never -DskipTests package -pl kernel-native -am || exit 1
fi
rm -rf "$WORK" && mkdir -p "$WORK/classes"
javac --release 17 -g -cp "$SRC/jml-annotated/target/classes" -d "$WORK/classes" \
  kernel-native/boot/test/java-probe/verimem/kernel/probe/BootProbe.java || exit 1
bash "$SRC/kernel-native/aotc" --classes "$SRC/jml-annotated/target/classes" --classes "$WORK/classes" \
  --out "$WORK/c" || exit 1
export VERIMEM_AOT_DIR="$WORK/c" VERIMEM_JAVA_ENTRY=verimem_kernel_probe_BootProbe_main
export VERIMEM_JAVA_PAGE_FAULT=verimem_kernel_probe_BootProbe_pageFault
export VERIMEM_RUNTIME_DIR="$SRC/kernel-native/runtime"

pages_above_1m() {   # [a, b) rounded outwards to pages, clipped to >= 1 MiB -> page count
  local a=$(( $1 / 4096 * 4096 )) b=$(( ($2 + 4095) / 4096 * 4096 ))
  (( a < 0x100000 )) && a=$((0x100000))
  echo $(( b > a ? (b - a) / 4096 : 0 ))
}

fails=0
for combo in "pc 128M direct" "pc 128M iso" "q35 8G direct" "q35 3584M iso"; do
  set -- $combo
  log="$WORK/$1-$2-$3.log"
  out=$(bash ci/boot.sh --quiet --machine "$1" --mem "$2" "--$3" --log "$log" 2>&1); rc=$?
  clean=$(tr -d '\r' < "$log")
  read -r ks ke < <(sed -n 's/^boot: .* kernel=\[\(0x[0-9a-f]*\), \(0x[0-9a-f]*\))$/\1 \2/p' <<<"$clean")
  read -r is ie < <(sed -n 's/^java: boot-info \[\(0x[0-9a-f]*\), \(0x[0-9a-f]*\))$/\1 \2/p' <<<"$clean")
  got=$(sed -n 's/^java: frames after carve-outs: \([0-9]*\)$/\1/p' <<<"$clean")
  expect="?"
  if [[ -n "$ks" && -n "$is" ]]; then
    kernel=$(pages_above_1m "$ks" "$ke")
    info=$(pages_above_1m "$is" "$ie")
    overlap=0   # boot info pages inside the kernel image are not carved out twice
    (( is < ke && ie > ks )) && overlap=$(pages_above_1m $(( is > ks ? is : ks )) $(( ie < ke ? ie : ke )))
    expect=$(( $(expected_frames "$1" "$2") - kernel - info + overlap ))
  fi
  printf '%-4s %-6s %-6s java frames=%-8s expected=%-8s ' "$1" "$2" "$3" "${got:-?}" "$expect"
  if [[ $rc -eq 0 && -n "$got" && "$got" == "$expect" ]] &&
     grep -q '^java: page fault at 0x3fe00008 handled in Java, load resumed$' <<<"$clean"; then echo ok
  else echo "FAIL: $(tail -1 <<<"$out") (log: $log)"; fails=$((fails + 1)); fi
done
[[ $fails -eq 0 ]]
