#!/usr/bin/env bash
# bench/boot-time.sh [RUNS]: boot-to-verdict wall time in QEMU (TCG, pc, direct -kernel) of the AOT-compiled
# Java kernel against the C placeholder kernel booted the same way, for -m 64M..8G; median of RUNS (default 5)
# boots each, as ./verimem boot measures it (QEMU start to exit, build excluded). Prints a Markdown table on
# stdout, progress on stderr. The Java kernel's verdict includes its self-tests (PMM, VMM, kmalloc/vmalloc,
# demand paging); the placeholder only prints the map. Host wall time on a shared machine: compare shapes.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
RUNS="${1:-5}"
SIZES=(64M 128M 512M 3584M 8G)

boot_ms() { # kernel mem -> ms, or fail loudly
  local out
  out=$(./verimem boot --quiet --kernel "$1" --mem "$2" 2>&1) || {
    echo "bench/boot-time.sh: boot failed (kernel $1, -m $2):" >&2; echo "$out" | tail -5 >&2; exit 1; }
  sed -n 's/^verimem: boot-to-verdict \([0-9]*\) ms$/\1/p' <<<"$out"
}

median() { tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "[boot-time] building both kernels (first boot of each)" >&2
boot_ms java 128M >/dev/null
boot_ms placeholder 128M >/dev/null
echo "| -m | C placeholder kernel ms (median of $RUNS) | Java kernel ms (median of $RUNS) | ratio Java / placeholder | Java runs (ms) |"
echo "|---|---|---|---|---|"
for mem in "${SIZES[@]}"; do
  p=() j=()
  for ((r = 0; r < RUNS; r++)); do
    p+=("$(boot_ms placeholder "$mem")")
    j+=("$(boot_ms java "$mem")")
  done
  pm=$(echo "${p[*]}" | median)
  jm=$(echo "${j[*]}" | median)
  ratio=$(awk -v a="$jm" -v b="$pm" 'BEGIN { printf "%.2f", a / b }')
  echo "[boot-time] -m $mem: placeholder ${p[*]} ms, java ${j[*]} ms" >&2
  echo "| $mem | $pm | $jm | $ratio | ${j[*]} |"
done
