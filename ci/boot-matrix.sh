#!/usr/bin/env bash
# Boot matrix of the Java kernel: every -m size on pc and q35, by direct -kernel (multiboot1) and by GRUB ISO
# (multiboot2), plus one UEFI (OVMF) boot; the deliberate-panic cases; and the runner's own failure detection
# (triple fault, hang) on the C placeholder kernel, which exists for the trap-path tests only.
# Every successful boot must end in the success code AND print figures equal to a model computed here, not by the
# kernel (ci/boot-model.sh): the raw firmware map must match QEMU's layout for -m (BIOS boots, ci/qemu-layout.sh);
# from that map, the kernel image (nm kernel.elf) and the boot-info range follow the usable frames the PMM must
# manage and the page-table frames of the direct map (4 KiB where text/rodata are read-only) and of the image's W^X
# remap; free = usable - page tables - metadata, with metadata between one bit per frame and that plus 5 % and 3
# frames; the image line and its self-test must match the sections nm reads. Crafted-map boots are checked against
# ci/crafted-model.pl the same way; doctored logs of both kinds must be rejected.
# Options: --quick (one boot per size, alternating machine and path), --no-uefi.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
LOGS="$ROOT/kernel-native/target/boot-matrix"
KERNEL_ELF="$ROOT/kernel-native/target/kernel/kernel.elf"
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
source ci/qemu-layout.sh
source ci/boot-model.sh
fails=0 runs=0 t_start=$SECONDS
fail() { echo "  FAIL: $*"; fails=$((fails + 1)); }

# The misuse self-test's cases and the Err code each must get (NOT_ALLOCATED -2, NOT_MANAGED -3, MISALIGNED -4,
# NON_CANONICAL -5, NOT_MAPPED -7, PARENT_HUGE_PAGE -8, DESTROYED -11).
MISUSE_EXPECTED='misuse: pmm double free -> -2
misuse: pmm free of a foreign frame (kernel image) -> -3
misuse: pmm free of a misaligned address -> -4
misuse: unmap of an unmapped page -> -7
misuse: map of a 4 KiB page inside a 2 MiB page -> -8
misuse: map of a non-canonical address -> -5
misuse: map of a misaligned virtual address -> -4
misuse: map of a misaligned frame -> -4
misuse: 2 MiB map at a 4 KiB-aligned address -> -4
misuse: kfree of a never-returned slot in a live slab -> -2
misuse: kfree of an interior pointer -> -3
misuse: kfree of a direct-map page kmalloc does not own -> -3
misuse: kfree of an address outside the direct map -> -3
misuse: kfree twice -> -3
misuse: switch to a destroyed address space -> -11
misuse: destroy twice -> -11'

# Physical address of a kernel.elf symbol (linked at -2 GiB).
sym() { echo $(( 0x$(nm "$KERNEL_ELF" | awk -v s="$1" '$3==s{print $1}') - 0xFFFFFFFF80000000 )); }

# The kernel image's W^X line and self-test against the section bounds nm reads from kernel.elf: text, rodata and
# data+bss as link.ld placed them, one PT per 2 MiB block, every page checked, both probe writes faulted (err 3).
check_image() {   # clean-log ks ke te re
  local clean="$1" ks=$2 ke=$3 te=$4 re=$5 want
  want=$(printf 'kernel image: text [0x%x, 0x%x) r-x, rodata [0x%x, 0x%x) r--, data+bss [0x%x, 0x%x) rw- NX, 4 KiB pages at -2 GiB (%d PT); direct map: text and rodata r--' \
    "$ks" "$te" "$te" "$re" "$re" "$ke" "$(model_image_tables "$ks" "$ke")")
  grep -qxF "$want" <<<"$clean" || echo -n " kernel image line differs from nm's sections;"
  want="selftest image: $(( (ke + 4095) / 4096 - ks / 4096 )) pages x 2 mappings (text r-x, rodata r--, data rw- NX; direct map text/rodata r--), write to kernel text faulted through both mappings (2 x #PF err=0x3), text unchanged: ok"
  grep -qxF "$want" <<<"$clean" || echo -n " image self-test line differs (pages, faults, error code);"
}

# After the self-tests the pre-PMM still holds exactly the hand-off's tables and metadata (PRE_PMM frames); the VMM
# holds one PDPT per upper PML4 slot the boot space left empty (256 - 4: direct map, metadata, recursive slot,
# image); the arena is a power of two of frames big enough for the VMM's two bitmaps over all RAM (TOP = end of
# RAM); nothing else is held. Prints why the end-state and verdict lines disagree with that, nothing if they agree.
end_state_why() {   # clean-log usable pre-pmm top
  local clean="$1" mu="$2" pre="$3" top="$4" why="" eu ef ep ea et
  read -r eu ef ep ea et < <(sed -n 's/^end-state partition: usable=\([0-9]*\) free=\([0-9]*\) pre-pmm=\([0-9]*\) arena=\([0-9]*\) vmm-tables=\([0-9]*\): ok$/\1 \2 \3 \4 \5/p' <<<"$clean")
  if [[ -z "$eu" ]]; then why+=" no end-state partition line;"
  else
    [[ $eu != "$mu" ]] && why+=" end-state usable $eu, model $mu;"
    [[ $ep != "$pre" ]] && why+=" pre-PMM holds $ep at the end, model $pre;"
    [[ $et != 252 ]] && why+=" VMM tables $et, model 252;"
    (( (ea & (ea - 1)) == 0 && ea * 4096 >= 2 * (top / 4096 / 8) )) || why+=" arena of $ea frames;"
    [[ $ef != $(( mu - pre - ea - 252 )) ]] && why+=" free at the end $ef, model $(( mu - pre - ea - 252 ));"
  fi
  grep -q '^verimem: all checks passed$' <<<"$clean" || why+=" no final 'all checks passed' line;"
  [[ $(grep -c '^selftest .*: ok$' <<<"$clean") == 6 ]] || why+=" not all 6 self-tests reported ok;"
  echo "$why"
}

# Compares the figures in a boot log with the model; prints nothing when they agree, else the differences.
check_figures() {   # log machine mem mode
  local log="$1" machine="$2" mem="$3" mode="$4" clean; clean=$(tr -d '\r' < "$log")
  local u f t m e is ie ks ke
  read -r u f t m e < <(sed -n 's/^hand-off check: passed: usable=\([0-9]*\) free=\([0-9]*\) page-tables=\([0-9]*\) metadata=\([0-9]*\) early-data=\([0-9]*\)$/\1 \2 \3 \4 \5/p' <<<"$clean")
  read -r is ie < <(sed -n 's/^boot-info: multiboot[12] \[\(0x[0-9a-f]*\), \(0x[0-9a-f]*\))$/\1 \2/p' <<<"$clean")
  if [[ -z "$u" || -z "$is" ]]; then echo "no hand-off figures or boot-info line"; return; fi
  local te re; ks=$(sym _kernel_start) ke=$(sym _kernel_end) te=$(sym _text_end) re=$(sym _rodata_end)
  local ram; ram=$(frames_from_log "$log")
  local qemu="-"; [[ $mode != uefi ]] && qemu=$(expected_frames "$machine" "$mem")
  local mu; mu=$(model_usable "$log" "$ks" "$ke" "$is" "$ie")
  local mt; mt=$(( $(model_direct_map_tables "$log" "$ks" "$re") + $(model_image_tables "$ks" "$ke") + $(model_metadata_tables "$m") ))
  local mmin=$(( (mu + 32767) / 32768 )) mmax=$(( (mu * 105 / 100 + 32767) / 32768 + 3 ))
  local why=""
  [[ $qemu != - && $ram != "$qemu" ]] && why+=" firmware map has $ram RAM frames above 1 MiB, QEMU's layout $qemu;"
  [[ $u != "$mu" ]] && why+=" usable $u, model $mu;"
  [[ $t != "$mt" ]] && why+=" page tables $t, model $mt;"
  (( m < mmin || m > mmax )) && why+=" metadata $m outside [$mmin, $mmax];"
  [[ $e != 0 ]] && why+=" early data $e, model 0;"
  [[ $f != $(( mu - mt - m )) ]] && why+=" free $f, model $(( mu - mt - m ));"
  local top; top=$(raw_ram_entries "$log" | awk 'END{print $2}')
  why+=$(end_state_why "$clean" "$mu" $(( mt + m )) "$top")
  why+=$(check_image "$clean" "$ks" "$ke" "$te" "$re")
  # the misuse self-test: one line per wrong call, each with the code Err.java defines for it (list fixed here)
  [[ "$(sed -n 's/^\(misuse: .*\), free frames unchanged: ok$/\1/p' <<<"$clean")" == "$MISUSE_EXPECTED" ]] \
    || why+=" misuse lines differ from the expected 16 cases and codes;"
  echo "$why"
}

# The soak line of a `verimem.soak=N` boot: N operations reported as requested, the per-kind counts adding up to
# N plus at most the 128 final releases (16 frames, 8 blocks, 64 pages, 32 kmalloc, 8 vmalloc objects), and one
# accounting check per 4096 operations plus the final one. Prints nothing when all hold.
check_soak() {   # log N
  local line; line=$(tr -d '\r' < "$1" | grep '^soak: ')
  local n="$2" ops sum checks
  ops=$(sed -n 's/^soak: \([0-9]*\) ops .*: ok$/\1/p' <<<"$line")
  [[ -z "$ops" ]] && { echo "no 'soak: ... ok' line"; return; }
  sum=$(sed 's/^[^(]*(\([^)]*\)).*/\1/' <<<"$line" | grep -o '[0-9][0-9]*' | awk '{s += $1} END {print s + 0}')
  checks=$(sed -n 's/.*), \([0-9]*\) accounting checks.*/\1/p' <<<"$line")
  [[ $ops != "$n" ]] && echo -n " soak did $ops ops, asked $n;"
  (( sum >= n && sum <= n + 128 )) || echo -n " soak per-kind counts add up to $sum for $n ops;"
  [[ $checks != $(( n / 4096 + (n % 4096 != 0) )) ]] && echo -n " soak made $checks accounting checks;"
  echo
}

# One successful boot, its figures checked against the model. Prints one line per boot (progress).
boot_ok() {   # machine mem mode [cpus [soak-ops]]
  local machine="$1" mem="$2" mode="$3" cpus="${4:-1}" soak="${5:-0}" log="$LOGS/$1-$2-$3-${4:-1}cpu${5:+-soak}.log"
  local extra=(); [[ $soak != 0 ]] && extra=(--cmdline "verimem.soak=$soak" --timeout 120)
  runs=$((runs + 1))
  local out; out=$(bash ci/boot.sh --quiet --machine "$machine" --mem "$mem" "--$mode" --cpus "$cpus" --log "$log" "${extra[@]}" 2>&1)
  local rc=$? ms; ms=$(sed -n 's/^verimem: boot-to-verdict \([0-9]*\) ms$/\1/p' <<<"$out")
  printf '[%2d] %-4s %-6s %-6s %s cpu %6s ms  ' "$runs" "$machine" "$mem" "$mode" "$cpus" "${ms:-?}"
  if [[ $rc -ne 0 ]]; then echo; fail "$(tail -1 <<<"$out") (log: $log)"; return; fi
  printf '%s  ' "$(tr -d '\r' < "$log" | sed -n 's/^hand-off check: passed: \(usable=[0-9]* free=[0-9]* page-tables=[0-9]* metadata=[0-9]*\).*/\1/p')"
  local why; why=$(check_figures "$log" "$machine" "$mem" "$mode")
  [[ $soak != 0 ]] && why+=$(check_soak "$log" "$soak")
  if [[ -n "$why" ]]; then echo; fail "$why (log: $log)"; else echo ok; fi
}

# Test of the test: a log doctored in one figure (or one firmware page) must be caught by check_figures.
model_catches() {   # description, perl -pe program, log, machine mem mode
  local what="$1" expr="$2" log="$3"; shift 3   # expr: a perl -pe program
  runs=$((runs + 1))
  local bad="$LOGS/doctored.log"
  perl -pe "$expr" "$log" > "$bad"
  printf '[%2d] %-50s ' "$runs" "model catches: $what"
  if cmp -s "$log" "$bad"; then echo; fail "the doctoring changed nothing"; return; fi
  if [[ -n "$(check_figures "$bad" "$@")" ]]; then echo ok; else echo; fail "doctored log passed the model"; fi
}

expect_fail() {   # description, expected message, boot.sh args...
  local what="$1" msg="$2"; shift 2
  runs=$((runs + 1))
  local out; out=$(bash ci/boot.sh --quiet --log "$LOGS/neg-$runs.log" "$@" 2>&1); local rc=$?
  printf '[%2d] %-50s ' "$runs" "$what"
  if [[ $rc -eq 1 && "$out" == *"$msg"* ]]; then echo ok; else echo; fail "rc=$rc, wanted '$msg': $(tail -1 <<<"$out")"; fi
}

expect_panic() {
  runs=$((runs + 1))
  local out; out=$(bash ci/boot.sh --quiet --log "$LOGS/panic-$runs.log" --expect-panic "$@" 2>&1); local rc=$?
  printf '[%2d] %-50s ' "$runs" "expect-panic $*"
  if [[ $rc -eq 0 ]]; then echo ok; else echo; fail "$(tail -1 <<<"$out")"; fi
}

echo "=== boot matrix of the Java kernel (logs: kernel-native/target/boot-matrix/)"
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
boot_ok pc 18M direct   # the smallest -m that boots (17M must panic: too little memory, below)
boot_ok q35 512M iso 2  # a second CPU (it stays halted: the kernel is single-CPU; the firmware's tables differ)
boot_ok pc 128M direct 1 1000000   # kernel soak: 1M random PMM/VMM/heap operations (verimem.soak)
echo "=== the model rejects wrong figures (doctored copies of the pc 64M direct log)"
good="$LOGS/pc-64M-direct-1cpu.log"
[[ -f "$good" ]] || boot_ok pc 64M direct
model_catches "one free frame too many" 's/^(hand-off check: .* free=)(\d+)/$1.($2+1)/e' "$good" pc 64M direct
model_catches "one usable frame too few" 's/^(hand-off check: passed: usable=)(\d+)/$1.($2-1)/e' "$good" pc 64M direct
model_catches "one page-table frame too few" 's/^(hand-off check: .* page-tables=)(\d+)/$1.($2-1)/e' "$good" pc 64M direct
model_catches "one frame leaked by the self-tests" 's/^(end-state partition: .* free=)(\d+)/$1.($2-1)/e' "$good" pc 64M direct
model_catches "text left writable at -2 GiB" 's/^(kernel image: text \[0x[0-9a-f]+, 0x[0-9a-f]+\) )r-x/$1rwx/' "$good" pc 64M direct
model_catches "only one probe write faulted" 's/^(selftest image: .*\()2 x/${1}1 x/' "$good" pc 64M direct
model_catches "a misuse case with another error code" 's/^(misuse: kfree twice -> )-3/$1-2/' "$good" pc 64M direct
model_catches "firmware map one page short" \
  'if (/^mmap: .* type=1\r?$/ && ++$n == 2) { s/len=(0x[0-9a-f]+)/sprintf("len=0x%x", hex($1) - 4096)/e }' \
  "$good" pc 64M direct
soaklog="$LOGS/pc-128M-direct-1cpu-soak.log"
if [[ -f "$soaklog" ]]; then
  for doctor in 's/^soak: 1000000 ops/soak: 999999 ops/' 's/^(soak: .*frame )(\d+)/$1.($2+200)/e' \
      's/(\d+)( accounting checks)/($1-1).$2/e' 's/^soak: .*//'; do
    runs=$((runs + 1)); perl -pe "$doctor" "$soaklog" > "$LOGS/doctored-soak.log"
    printf '[%2d] %-50s ' "$runs" "soak check catches: ${doctor:0:40}"
    if [[ -n "$(check_soak "$LOGS/doctored-soak.log" 1000000)" ]]; then echo ok; else echo; fail "doctored soak log passed"; fi
  done
fi
echo "=== deliberate failures: Java kernel"
expect_panic too-little-memory
expect_panic too-little-memory --mem 17M
expect_panic no-ram-above-1m
expect_panic no-ram-above-1m --iso --machine q35
expect_panic touch-outside-lazy
expect_panic touch-outside-lazy --iso --machine q35
expect_panic writable-text   # the boot stub's writable image mapping kept: the image self-test must notice
echo "=== crafted memory maps (verimem.mmap=base:len:type,...; hex base/len; pc 128M direct; usable parts are cut"
echo "    to the firmware's usable RAM by the kernel): each boots with every check passed or panics with its message"
# A crafted-map boot against its model (ci/crafted-model.pl, computed from the option, the firmware's map in the
# log and the kernel image from nm): either the panic the model predicts, with its usable figure, or the usable
# and carved-out frames, the direct map's and the image's page tables, metadata, free frames, the end state, the
# self-tests and the misuse lines exactly as for a normal boot. Prints nothing when all agree.
check_crafted() {   # log spec
  local log="$1" spec="$2" clean why="" is ie ks ke te re; clean=$(tr -d '\r' < "$log")
  read -r is ie < <(sed -n 's/^boot-info: multiboot[12] \[\(0x[0-9a-f]*\), \(0x[0-9a-f]*\))$/\1 \2/p' <<<"$clean")
  ks=$(sym _kernel_start) ke=$(sym _kernel_end) te=$(sym _text_end) re=$(sym _rodata_end)
  local model kind mu mc mruns; model=$(perl ci/crafted-model.pl "$spec" "$log" "$ks" "$ke" "$((${is:-0}))" "$((${ie:-0}))")
  read -r kind mu mc mruns <<<"$model"
  local printed; printed=$(sed -n 's/^usable frames after carve-outs: //p' <<<"$clean")
  if [[ $kind == panic && $mu == - ]]; then   # a malformed option panics before the maps are read
    local msg; msg=$(sed -n 's/^KERNEL PANIC: //p' <<<"$clean")
    [[ "panic - $msg" == "$model" && -z "$printed" ]] || why+=" panic '$msg', model '$model';"
    echo "$why"; return
  fi
  [[ -z "$is" ]] && { echo "no boot-info line"; return; }
  local ram qemu; ram=$(frames_from_log "$log") qemu=$(expected_frames pc 128M)
  [[ $ram != "$qemu" ]] && why+=" firmware map has $ram RAM frames above 1 MiB, QEMU's layout $qemu;"
  if [[ $kind == panic ]]; then
    local msg; msg=$(sed -n 's/^KERNEL PANIC: //p' <<<"$clean")
    [[ "panic $mu $msg" == "$model" ]] || why+=" panic '$msg', model '$model';"
    [[ $printed == "$mu" ]] || why+=" usable $printed, model $mu;"
    echo "$why"; return
  fi
  [[ $kind == ok ]] || { echo "model failed: $model"; return; }
  local u f t m e pu pc
  read -r u f t m e < <(sed -n 's/^hand-off check: passed: usable=\([0-9]*\) free=\([0-9]*\) page-tables=\([0-9]*\) metadata=\([0-9]*\) early-data=\([0-9]*\)$/\1 \2 \3 \4 \5/p' <<<"$clean")
  read -r pu pc < <(sed -n 's/^PMM manages [0-9]* frames of \([0-9]*\) usable (page tables [0-9]*, metadata [0-9]*, carved out \([0-9]*\))$/\1 \2/p' <<<"$clean")
  [[ -z "$u" || -z "$pu" ]] && { echo "$why no hand-off or PMM line"; return; }
  local ranges a b; ranges=$(tr ',' '\n' <<<"$mruns" | while IFS=- read -r a b; do echo "$((a)) $((b))"; done)
  local top; top=$(awk 'END{print $2}' <<<"$ranges")
  local mt; mt=$(( $(model_direct_map_tables_of "$ranges" "$ks" "$re") + $(model_image_tables "$ks" "$ke") + $(model_metadata_tables "$m") ))
  local mmin=$(( (mu + 32767) / 32768 )) mmax=$(( (mu * 105 / 100 + 32767) / 32768 + 3 ))
  [[ $printed != "$mu" ]] && why+=" usable frames after carve-outs $printed, model $mu;"
  [[ $u != "$mu" || $pu != "$mu" ]] && why+=" usable $u/$pu, model $mu;"
  [[ $pc != "$mc" ]] && why+=" carved out $pc, model $mc;"
  [[ $t != "$mt" ]] && why+=" page tables $t, model $mt;"
  (( m < mmin || m > mmax )) && why+=" metadata $m outside [$mmin, $mmax];"
  [[ $e != 0 ]] && why+=" early data $e, model 0;"
  [[ $f != $(( mu - mt - m )) ]] && why+=" free $f, model $(( mu - mt - m ));"
  why+=$(end_state_why "$clean" "$mu" $(( mt + m )) "$top")
  [[ "$(sed -n 's/^\(misuse: .*\), free frames unchanged: ok$/\1/p' <<<"$clean")" == "$MISUSE_EXPECTED" ]] \
    || why+=" misuse lines differ;"
  why+=$(check_image "$clean" "$ks" "$ke" "$te" "$re")
  echo "$why"
}
crafted_boot() {   # description, map, expected outcome (ok, or the panic message the script expects)
  runs=$((runs + 1))
  local log="$LOGS/crafted-$runs.log" what="crafted map boots: $1"
  [[ $3 != ok ]] && what="crafted map panics: $1"
  bash ci/boot.sh --quiet --mem 128M --log "$log" --cmdline "verimem.mmap=$2" >/dev/null 2>&1; local rc=$?
  printf '[%2d] %-50s ' "$runs" "$what"
  local clean; clean=$(tr -d '\r' < "$log")
  if [[ $3 == ok && $rc -ne 0 ]]; then echo; fail "rc=$rc: $(grep -a 'PANIC' <<<"$clean") (log: $log)"; return; fi
  if [[ $3 != ok && ( $rc -ne 1 || "$(sed -n 's/^KERNEL PANIC: //p' <<<"$clean")" != "$3" ) ]]; then
    echo; fail "rc=$rc, wanted panic '$3' (log: $log)"; return
  fi
  local why; why=$(check_crafted "$log" "$2")
  if [[ -n "$why" ]]; then echo; fail "model: $why (log: $log)"; return; fi
  local u; u=$(sed -n 's/^usable frames after carve-outs: //p' <<<"$clean")
  if [[ -n "$u" ]]; then echo "ok ($u usable frames = model)"; else echo "ok (panicked before reading the maps = model)"; fi
  CRAFTED_LOGS+=("$log|$2")
}
crafted_ok() { crafted_boot "$1" "$2" ok; }
crafted_panic() { crafted_boot "$1" "$3" "$2"; }   # description, expected panic message, map
CRAFTED_LOGS=()
crafted_ok "the firmware's own map" 0:9fc00:1,100000:7ee0000:1,fffc0000:40000:2
crafted_ok "overlapping usable and reserved" 100000:3f00000:1,2000000:5fe0000:1,2800000:100000:2,2700000:200000:3
crafted_ok "zero-length, wrapping, unknown types" \
  100000:0:1,100000:7ee0000:1,ffffffffffff0000:20000:2,ffffffffff000000:2000000:1,3000000:1000:7,3100000:1000:12,3200000:1000:20,3300000:1000:128,3400000:0:2
crafted_ok "sub-page entries, byte-aligned splits" 100:9f00:1,100000:123:1,100123:3ffedd:1,500000:7ae0000:1,600001:fff:2
crafted_ok "two entries, above 1 TiB, no page 0" 100000:7ee0000:1,10000000000:100000000:1
crafted_panic "no usable memory" "no usable RAM above 1 MiB" 0:100000:2,100000:7ee0000:2
crafted_panic "usable only below 1 MiB" "no usable RAM above 1 MiB" 0:9fc00:1,100000:7ee0000:2
crafted_panic "usable only outside the real RAM" "no usable RAM above 1 MiB" 100000000:100000000:1
crafted_panic "too little usable memory" "too little memory" 100000:800000:1
crafted_panic "malformed" "verimem.mmap: malformed crafted memory map" 100000:zz:1
echo "=== the crafted-map model rejects doctored logs"
crafted_catches() {   # description, perl -pe program, "log|spec" [spec to check against instead]
  runs=$((runs + 1))
  local what="$1" expr="$2" log="${3%%|*}" spec="${4:-${3#*|}}" bad="$LOGS/doctored-crafted.log"
  perl -pe "$expr" "$log" > "$bad"
  printf '[%2d] %-50s ' "$runs" "crafted model catches: $what"
  if [[ -z "${4:-}" ]] && cmp -s "$log" "$bad"; then echo; fail "the doctoring changed nothing"; return; fi
  if [[ -n "$(check_crafted "$bad" "$spec")" ]]; then echo ok; else echo; fail "doctored crafted log passed the model"; fi
}
if (( ${#CRAFTED_LOGS[@]} == 10 )); then
  ok2="${CRAFTED_LOGS[1]}" ok3="${CRAFTED_LOGS[2]}" few="${CRAFTED_LOGS[8]}"
  crafted_catches "one usable frame too many" 's/^(usable frames after carve-outs: )(\d+)/$1.($2+1)/e' "$ok2"
  crafted_catches "one carved-out frame too few" 's/(carved out )(\d+)/$1.($2-1)/e' "$ok2"
  crafted_catches "one free frame too many" 's/^(hand-off check: .* free=)(\d+)/$1.($2+1)/e' "$ok2"
  crafted_catches "one page table too few" 's/^(hand-off check: .* page-tables=)(\d+)/$1.($2-1)/e' "$ok2"
  crafted_catches "firmware map one page short" \
    'if (/^mmap: .* type=1\r?$/ && ++$n == 2) { s/len=(0x[0-9a-f]+)/sprintf("len=0x%x", hex($1) - 4096)/e }' "$ok2"
  crafted_catches "the log of another crafted map" '' "$ok2" "${ok3#*|}"
  crafted_catches "a panic with another message" 's/^KERNEL PANIC: too little memory/KERNEL PANIC: no usable RAM above 1 MiB/' "$few"
  crafted_catches "a panic after another usable figure" 's/^(usable frames after carve-outs: )(\d+)/$1.($2+1)/e' "$few"
else
  fail "only ${#CRAFTED_LOGS[@]} crafted boots passed: the doctored-log checks need all 10"
fi
echo "=== deliberate failures: trap paths of the boot glue (C placeholder kernel)"
for c in page-fault gp ud stack-overflow; do expect_panic "$c"; done
expect_fail "runner: triple fault is a failure" "triple fault" --kernel placeholder --cmdline verimem.panic=triple-fault
expect_fail "runner: hang is a failure" "kernel hung" --kernel placeholder --cmdline verimem.panic=hang --timeout 5
expect_fail "runner: panic without --expect-panic fails" "kernel panic: invalid opcode" --kernel placeholder --cmdline verimem.panic=ud
expect_fail "runner: wrong expected panic fails" "expected panic 'invalid opcode'" --expect-panic ud --cmdline verimem.panic=gp
expect_fail "runner: Java kernel, wrong panic fails" "got 'too little memory'" --expect-panic touch-outside-lazy --mem 12M
echo "=== boot matrix: $((runs - fails)) of $runs passed in $((SECONDS - t_start)) s"
[[ $fails -eq 0 ]]
