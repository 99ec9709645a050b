# Sourced by ci/boot-matrix.sh: the figures a correct kernel must print, computed here without the kernel's code.
# Inputs are facts from outside the kernel: the raw firmware map (the "mmap:" lines are the loader's entries as
# given, checked against QEMU's layout by expected_frames in ci/qemu-layout.sh for BIOS boots), the kernel image
# range (read from kernel.elf with nm) and the boot-info range the loader chose.
MIB=$((1 << 20)) PAGE=4096 LARGE=$((2 << 20)) GIB=$((1 << 30))

raw_ram_entries() {   # log -> "base end" of every type-1 (usable) entry, in the order given
  tr -d '\r' < "$1" | sed -n 's/^mmap: base=\(0x[0-9a-f]*\) len=\(0x[0-9a-f]*\) type=1$/\1 \2/p' |
    while read -r b l; do echo "$((b)) $((b + l))"; done | sort -n
}

# Frames in type-1 entries above 1 MiB, 4 KiB-aligned inwards.
frames_from_log() {
  local total=0 lo hi
  while read -r lo hi; do
    (( lo < MIB )) && lo=$MIB
    lo=$(( (lo + PAGE - 1) / PAGE * PAGE )); hi=$(( hi / PAGE * PAGE ))
    (( hi > lo )) && total=$(( total + (hi - lo) / PAGE ))
  done < <(raw_ram_entries "$1")
  echo "$total"
}

pages_above_1m() {   # [a, b) rounded outwards to pages, clipped to >= 1 MiB -> page count
  local a=$(( $1 / PAGE * PAGE )) b=$(( ($2 + PAGE - 1) / PAGE * PAGE ))
  (( a < MIB )) && a=$MIB
  echo $(( b > a ? (b - a) / PAGE : 0 ))
}

# Usable frames the PMM must manage: RAM above 1 MiB minus the kernel image and boot-info pages (each page once).
# args: log kernel_start kernel_end info_start info_end
model_usable() {
  local ks=$2 ke=$3 is=$4 ie=$5 overlap=0
  (( is < ke && ie > ks )) && overlap=$(pages_above_1m $(( is > ks ? is : ks )) $(( ie < ke ? ie : ke )))
  echo $(( $(frames_from_log "$1") - $(pages_above_1m "$ks" "$ke") - $(pages_above_1m "$is" "$ie") + overlap ))
}

# Page-table frames the direct map needs: RAM runs (touching usable entries joined, cut inwards to pages) mapped
# with 2 MiB pages where aligned and 4 KiB at ragged ends -> one PT per 2 MiB chunk a run covers only partly,
# one PD per GiB touched, one PDPT (everything below 512 GiB). The kernel's text and rodata [ro_start, ro_end)
# (args 2, 3; from nm) are mapped read-only with 4 KiB pages: one PT for every chunk of a run they touch.
model_direct_map_tables() {   # log [ro_start ro_end]
  model_direct_map_tables_of "$(raw_ram_entries "$1")" "${2:-0}" "${3:-0}"
}

# The same from RAM ranges given as lines "start end" (decimal, sorted): a crafted map's RAM comes from its model.
model_direct_map_tables_of() {   # ranges ro_start ro_end
  local ro_s=$2 ro_e=$3
  local -A pt=() pd=()
  local runs=() s e cs ce c
  while read -r s e; do
    [[ -z "$s" ]] && continue
    if (( ${#runs[@]} > 0 )) && (( s <= ${runs[-1]} )); then   # touching: extend the last run
      (( e > ${runs[-1]} )) && runs[-1]=$e
    else runs+=("$s" "$e"); fi
  done <<<"$1"
  for ((i = 0; i < ${#runs[@]}; i += 2)); do
    s=$(( (runs[i] + PAGE - 1) / PAGE * PAGE )); e=$(( runs[i + 1] / PAGE * PAGE ))
    (( e > s )) || continue
    cs=$(( (s + LARGE - 1) / LARGE )); ce=$(( e / LARGE ))   # whole 2 MiB chunks: [cs, ce)
    if (( cs >= ce )); then pt[$(( s / LARGE ))]=1
    else
      (( s % LARGE )) && pt[$(( s / LARGE ))]=1
      (( e % LARGE )) && pt[$(( e / LARGE ))]=1
    fi
    for ((c = s / GIB; c <= (e - 1) / GIB; c++)); do pd[$c]=1; done
    if (( ro_s < e && s < ro_e )); then
      for ((c = (ro_s > s ? ro_s : s) / LARGE; c <= ((ro_e < e ? ro_e : e) - 1) / LARGE; c++)); do pt[$c]=1; done
    fi
  done
  echo $(( 1 + ${#pd[@]} + ${#pt[@]} ))
}

# The kernel image's W^X mapping at -2 GiB: one PT per 2 MiB block of [kernel_start, kernel_end).
model_image_tables() { echo $(( ($2 - 1) / LARGE - $1 / LARGE + 1 )); }

# The PMM metadata mapping: one PDPT and one PD for its slot, and PTs for a guard page plus the metadata pages.
model_metadata_tables() { echo $(( 2 + ($1 + 1 + 511) / 512 )); }
