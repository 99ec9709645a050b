#!/usr/bin/env bash
# ./verimem boot: builds kernel.elf (and the GRUB ISO), boots it in QEMU (TCG), shows the serial log live and
# returns the kernel's verdict as the exit code. See usage below.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KN="$ROOT/kernel-native"
OUT="$KN/target/kernel"

usage() {
  cat <<USAGE
usage: ./verimem boot [options]
  --mem SIZE           guest RAM, QEMU -m syntax (default 256M)
  --machine pc|q35     machine type (default pc)
  --cpus N             number of CPUs (default 1)
  --direct             boot kernel.elf with qemu -kernel (multiboot1; default)
  --iso                boot a GRUB ISO (multiboot2, BIOS)
  --uefi               boot the same GRUB ISO under OVMF (UEFI)
  --kernel java|placeholder
                       java (default): the AOT-compiled Java kernel (verimem.kernel.boot.KernelMain);
                       placeholder: the small C kernel that tests the boot glue's trap paths
  --expect-panic CASE  ask the kernel to fail on purpose; succeed only if the matching panic appears
                       cases: ${!PANIC_CASES[*]}
  --cmdline TEXT       extra kernel command line
  --timeout S          seconds before a silent kernel counts as hung (default 60)
  --log FILE           also write the serial log here (default kernel-native/target/kernel/boot.log)
  --quiet              do not echo the serial log (it still goes to the log file)
exit: 0 = kernel verdict success (or the expected panic); 1 = panic, triple fault, hang or QEMU error;
      (QEMU itself exits 33 for the kernel's success code 0x10 and 99 for its panic code 0x31)
      2 = bad usage.
Other Java entries (tests): VERIMEM_AOT_DIR = a directory of AOT output (verimem_aot.c/.h) and
VERIMEM_JAVA_ENTRY = the C name of its entry method (VERIMEM_JAVA_PAGE_FAULT: of its page-fault handler;
VERIMEM_RUNTIME_DIR: the AOT runtime, default kernel-native/runtime).
USAGE
}

# case -> the panic message the kernel must print ("KERNEL PANIC: <message>"). Cases are triggered by
# verimem.panic=CASE on the kernel command line. PANIC_DETAIL: an extra line (regex) that must appear too.
declare -A PANIC_CASES=(
  [no-ram-above-1m]="no usable RAM above 1 MiB"
  [touch-outside-lazy]="unhandled page fault"
  [page-fault]="unhandled page fault"
  [gp]="general protection fault"
  [ud]="invalid opcode"
  [stack-overflow]="double fault"
  [too-little-memory]="too little memory"
  [writable-text]="self-test failed: kernel image protection"
)
declare -A PANIC_DETAIL=(
  [touch-outside-lazy]="^#PF outside every lazy region at 0xfffffa0000010000 "
  [page-fault]="^trap: vector=14 .*cr2=0x40000000$"
  [stack-overflow]="^trap: vector=8 "
  [writable-text]="^selftest image: check 7 failed$"
)
# Cases that need a particular machine to happen at all.
declare -A PANIC_CASE_MEM=([too-little-memory]=12M)
# Cases that exercise the boot glue's trap paths only: they run on the C placeholder kernel.
declare -A PANIC_CASE_KERNEL=([page-fault]=placeholder [gp]=placeholder [ud]=placeholder [stack-overflow]=placeholder)

mem="" machine=pc cpus=1 mode=direct expect="" extra="" timeout_s=60 log="$OUT/boot.log" quiet=0 kernel=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --mem) mem="${2:?--mem needs a size}"; shift 2 ;;
    --machine) machine="${2:?}"; shift 2 ;;
    --cpus) cpus="${2:?}"; shift 2 ;;
    --direct) mode=direct; shift ;;
    --iso) mode=iso; shift ;;
    --uefi) mode=uefi; shift ;;
    --kernel) kernel="${2:?--kernel needs java or placeholder}"; shift 2 ;;
    --expect-panic) expect="${2:?--expect-panic needs a case}"; shift 2 ;;
    --cmdline) extra="${2?}"; shift 2 ;;
    --timeout) timeout_s="${2:?}"; shift 2 ;;
    --log) log="${2:?}"; shift 2 ;;
    --quiet) quiet=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "verimem boot: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
[[ "$machine" == pc || "$machine" == q35 ]] || { echo "verimem boot: --machine must be pc or q35" >&2; exit 2; }
[[ "$cpus" =~ ^[1-9][0-9]*$ ]] || { echo "verimem boot: --cpus must be a positive number" >&2; exit 2; }
[[ "$timeout_s" =~ ^[1-9][0-9]*$ ]] || { echo "verimem boot: --timeout must be a positive number" >&2; exit 2; }
cmdline="$extra"
if [[ -n "$expect" ]]; then
  [[ -n "${PANIC_CASES[$expect]+x}" ]] || { echo "verimem boot: unknown panic case '$expect' (known: ${!PANIC_CASES[*]})" >&2; exit 2; }
  cmdline="verimem.panic=$expect${cmdline:+ $cmdline}"
  [[ -n "$mem" ]] || mem="${PANIC_CASE_MEM[$expect]:-}"
  [[ -n "$kernel" ]] || kernel="${PANIC_CASE_KERNEL[$expect]:-}"
fi
kernel="${kernel:-java}"
[[ "$kernel" == java || "$kernel" == placeholder ]] || { echo "verimem boot: --kernel must be java or placeholder" >&2; exit 2; }
mem="${mem:-256M}"

extra_pkgs=()
[[ "$mode" == uefi ]] && extra_pkgs=(ovmf grub-efi-amd64-bin)
bash "$ROOT/ci/install-kernel-deps.sh" "${extra_pkgs[@]}"

if [[ "$kernel" == placeholder ]]; then
  OUT="$KN/target/kernel-placeholder"
  make_args=(-s -C "$KN/boot" OUT="$OUT")
else
  if [[ -z "${VERIMEM_AOT_DIR:-}" ]]; then   # the kernel: every verimem.kernel class, entry KernelMain.main
    bash "$ROOT/ci/build-java-kernel.sh"
    aot="$KN/target/aot" entry=verimem_kernel_boot_KernelMain_main pf=verimem_kernel_boot_KernelMain_pageFault
  else                                        # a test entry: objects per variant (the entry is compiled in)
    aot="$(cd "$VERIMEM_AOT_DIR" && pwd)" entry="${VERIMEM_JAVA_ENTRY:-}" pf="${VERIMEM_JAVA_PAGE_FAULT:-}"
    OUT="$KN/target/kernel-aot-$(echo "$aot $entry $pf" | md5sum | cut -c1-8)"
  fi
  make_args=(-s -C "$KN/boot" OUT="$OUT" AOT="$aot" JAVA_ENTRY="$entry")
  [[ -n "${VERIMEM_RUNTIME_DIR:-}" ]] && make_args+=(RUNTIME="$VERIMEM_RUNTIME_DIR")
  [[ -n "$pf" ]] && make_args+=(JAVA_PAGE_FAULT="$pf")
fi
make "${make_args[@]}" >&2
qemu=(qemu-system-x86_64 -accel tcg -machine "$machine" -m "$mem" -smp "$cpus" -no-reboot
      -display none -vga none -nic none -monitor none -serial stdio
      -device isa-debug-exit,iobase=0xf4,iosize=0x04)
case "$mode" in
  direct) qemu+=(-kernel "$OUT/kernel.elf" -append "$cmdline") ;;
  iso|uefi)
    iso="$OUT/kernel-$mode.iso"
    make "${make_args[@]}" iso ISO="$iso" CMDLINE="$cmdline" >&2
    qemu+=(-cdrom "$iso")
    if [[ "$mode" == uefi ]]; then
      cp /usr/share/OVMF/OVMF_VARS.fd "$OUT/ovmf-vars.fd"
      qemu+=(-drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE.fd
             -drive if=pflash,format=raw,file="$OUT/ovmf-vars.fd")
    fi ;;
esac

mkdir -p "$(dirname "$log")"
echo "verimem: booting ($mode, $machine, -m $mem, $cpus cpu) cmdline='$cmdline'" >&2
t0=$(date +%s%N)
set +e
if [[ $quiet -eq 1 ]]; then
  timeout "$timeout_s" "${qemu[@]}" </dev/null >"$log" 2>&1
  rc=$?
else
  timeout "$timeout_s" "${qemu[@]}" </dev/null 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
fi
set -e
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "verimem: boot-to-verdict ${ms} ms" >&2

verdict() { echo "verimem: $1" >&2; exit "$2"; }
panic_msg="$(tr -d '\r' < "$log" | sed -n 's/^.*PANIC: //p' | head -1)"
case "$rc" in
  33) [[ -z "$expect" ]] && verdict "SUCCESS: kernel reported success" 0
      verdict "FAILURE: expected panic '${PANIC_CASES[$expect]}', but the kernel reported success" 1 ;;
  99) if [[ -n "$expect" ]]; then
        [[ "$panic_msg" == "${PANIC_CASES[$expect]}" ]] ||
          verdict "FAILURE: expected panic '${PANIC_CASES[$expect]}', got '${panic_msg:-no PANIC line}'" 1
        detail="${PANIC_DETAIL[$expect]:-}"
        [[ -z "$detail" ]] || tr -d '\r' < "$log" | grep -Eq "$detail" ||
          verdict "FAILURE: panic '$panic_msg' seen, but not the line /$detail/" 1
        verdict "SUCCESS: expected panic seen: $panic_msg" 0
      fi
      verdict "FAILURE: kernel panic: ${panic_msg:-no PANIC line}" 1 ;;
  124) verdict "FAILURE: no verdict within ${timeout_s} s (kernel hung)" 1 ;;
  0) verdict "FAILURE: QEMU stopped without a verdict (triple fault / reset, since -no-reboot)" 1 ;;
  *) verdict "FAILURE: QEMU exited with status $rc, not a kernel verdict; see $log" 1 ;;
esac
