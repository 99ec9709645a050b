#!/usr/bin/env bash
# Boot matrix: every -m size on pc and q35, by direct -kernel (multiboot1) and by GRUB ISO (multiboot2), plus
# one UEFI (OVMF) boot, the deliberate-panic cases and the runner's own failure detection (triple fault, hang).
# For every successful boot the frame count the kernel reports is checked twice, independently of the kernel:
#  (a) recomputed here from the raw map entries the kernel printed (type 1, above 1 MiB, 4 KiB-aligned inwards);
#  (b) predicted from -m and the machine type with QEMU's RAM layout (BIOS boots only, see expected_frames).
# Options: --quick (one boot per size, alternating machine and path), --no-uefi.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
LOGS="$ROOT/kernel-native/target/boot-matrix"
mkdir -p "$LOGS"
quick=0 uefi=1
for a in "$@"; do
  case "$a" in
    --quick) quick=1 ;;
    --no-uefi) uefi=0 ;;
    *) echo "boot-matrix: unknown option '$a'" >&2; exit 2 ;;
  esac
done

bash ci/install-kernel-deps.sh ovmf grub-efi-amd64-bin
fails=0 runs=0
fail() { echo "  FAIL: $*"; fails=$((fails + 1)); }

source "$ROOT/ci/qemu-layout.sh"

# Frames in type-1 entries above 1 MiB, recomputed from the "mmap: base=.. len=.. type=.." lines.
frames_from_log() {
  local total=0 base len type lo hi
  while read -r base len type; do
    [[ $type == 1 ]] || continue
    lo=$(( base > 0x100000 ? base : 0x100000 )); hi=$(( base + len ))
    lo=$(( (lo + 4095) / 4096 * 4096 )); hi=$(( hi / 4096 * 4096 ))
    (( hi > lo )) && total=$(( total + (hi - lo) / 4096 ))
  done < <(tr -d '\r' < "$1" | sed -n 's/^mmap: base=\(0x[0-9a-f]*\) len=\(0x[0-9a-f]*\) type=\([0-9]*\)$/\1 \2 \3/p')
  echo "$total"
}

boot_ok() {   # machine mem mode
  local machine="$1" mem="$2" mode="$3" log="$LOGS/$1-$2-$3.log"
  runs=$((runs + 1))
  local out; out=$(bash ci/boot.sh --quiet --machine "$machine" --mem "$mem" "--$mode" --log "$log" 2>&1)
  local rc=$? ms; ms=$(sed -n 's/^verimem: boot-to-verdict \([0-9]*\) ms$/\1/p' <<<"$out")
  local reported; reported=$(tr -d '\r' < "$log" | sed -n 's/^usable-frames-above-1MiB: \([0-9]*\)$/\1/p')
  local recomputed; recomputed=$(frames_from_log "$log")
  local expect="-"; [[ $mode != uefi ]] && expect=$(expected_frames "$machine" "$mem")
  printf '%-4s %-6s %-6s %6s ms  frames kernel=%-8s from-map=%-8s qemu-model=%-8s ' \
    "$machine" "$mem" "$mode" "$ms" "${reported:-?}" "$recomputed" "$expect"
  if [[ $rc -ne 0 ]]; then echo; fail "$(tail -1 <<<"$out") (log: $log)"; return; fi
  if [[ -z "$reported" || "$reported" != "$recomputed" ]]; then echo; fail "kernel count differs from the map"; return; fi
  if [[ $expect != - && "$reported" != "$expect" ]]; then echo; fail "kernel count differs from QEMU's layout"; return; fi
  echo ok
}

expect_fail() {   # description, expected message, boot.sh args...
  local what="$1" msg="$2"; shift 2
  runs=$((runs + 1))
  local out; out=$(bash ci/boot.sh --quiet --log "$LOGS/neg-$runs.log" "$@" 2>&1); local rc=$?
  printf '%-44s ' "$what"
  if [[ $rc -eq 1 && "$out" == *"$msg"* ]]; then echo ok; else echo; fail "rc=$rc, wanted '$msg': $(tail -1 <<<"$out")"; fi
}

expect_panic() {
  runs=$((runs + 1))
  local out; out=$(bash ci/boot.sh --quiet --log "$LOGS/panic-$1.log" --expect-panic "$@" 2>&1); local rc=$?
  printf '%-44s ' "expect-panic $*"
  if [[ $rc -eq 0 ]]; then echo ok; else echo; fail "$(tail -1 <<<"$out")"; fi
}

echo "=== boot matrix (kernel-native/target/boot-matrix/*.log)"
if [[ $quick -eq 1 ]]; then   # every size, both machines, both paths, each at least once
  combos=("pc 64M direct" "q35 128M iso" "pc 512M iso" "q35 3584M direct" "pc 3584M iso" "q35 8G iso" "pc 8G direct")
else
  combos=()
  for mem in 64M 128M 512M 3584M 8G; do
    for machine in pc q35; do for mode in direct iso; do combos+=("$machine $mem $mode"); done; done
  done
fi
for c in "${combos[@]}"; do boot_ok $c; done
[[ $uefi -eq 1 ]] && boot_ok q35 512M uefi
echo "=== the Java entry switch, with a C fixture standing in for AOT output (boot/test/fake-aot)"
for mode in direct iso; do
  runs=$((runs + 1))
  out=$(VERIMEM_AOT_DIR=kernel-native/boot/test/fake-aot VERIMEM_JAVA_ENTRY=fake_aot_entry \
        bash ci/boot.sh --quiet "--$mode" --mem 128M --log "$LOGS/fake-aot-$mode.log" 2>&1); rc=$?
  printf '%-44s ' "fake AOT entry ($mode)"
  if [[ $rc -eq 0 ]] && grep -aq '^fake-aot: entry reached' "$LOGS/fake-aot-$mode.log"; then echo ok
  else echo; fail "$(tail -1 <<<"$out")"; fi
done
echo "=== deliberate failures"
for c in page-fault gp ud stack-overflow too-little-memory; do expect_panic "$c"; done
expect_panic page-fault --iso --machine q35
expect_fail "runner: triple fault is a failure" "triple fault" --cmdline verimem.panic=triple-fault
expect_fail "runner: hang is a failure" "kernel hung" --cmdline verimem.panic=hang --timeout 5
expect_fail "runner: panic without --expect-panic fails" "kernel panic: invalid opcode" --cmdline verimem.panic=ud
expect_fail "runner: wrong expected panic fails" "expected panic 'invalid opcode'" --expect-panic ud --cmdline verimem.panic=gp
echo "=== boot matrix: $((runs - fails)) of $runs passed"
[[ $fails -eq 0 ]]
