# Sourced by the boot scripts: what QEMU + SeaBIOS report as usable RAM for a given -m and machine.

bytes() {   # QEMU -m size -> bytes
  local n="${1%[MG]}"
  case "$1" in *G) echo $((n << 30)) ;; *M) echo $((n << 20)) ;; *) echo "$1" ;; esac
}

# QEMU 7.2 puts RAM below 4 GiB up to a machine-specific limit and the rest at 4 GiB: pc keeps 3 GiB low when
# -m >= 3.5 GiB, q35 keeps 2 GiB low when -m >= 2.75 GiB. SeaBIOS reports [0, 0x9fc00) and [1 MiB, low - 128 KiB)
# usable: it reserves the top 128 KiB of low RAM on pc and 132 KiB on q35 (both measured with SeaBIOS 1.16.2),
# and all high RAM is usable.
expected_frames() {
  local machine="$1" mem; mem=$(bytes "$2")
  local low=$mem top=$((0x20000))
  [[ $machine == q35 ]] && top=$((0x21000))
  if [[ $machine == pc && $mem -ge $((0xe0000000)) ]]; then low=$((0xc0000000)); fi
  if [[ $machine == q35 && $mem -ge $((0xb0000000)) ]]; then low=$((0x80000000)); fi
  echo $(( (low - top - 0x100000) / 4096 + (mem - low) / 4096 ))
}

