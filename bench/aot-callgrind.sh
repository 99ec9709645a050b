#!/bin/sh
# Instructions per Pmm.allocFrame / Pmm.freeFrame of the AOT-compiled PMM (hosted build, gcc -O2, no
# sanitizers), counted by callgrind. Reports numbers; asserts nothing about them.
# Usage (from the repository root): bench/aot-callgrind.sh [extra aotc options, e.g. --elide-bounds ...]
# Needs: mvn, gcc, valgrind. Only the calls inside round_trip (bench/aot-callgrind/driver.c) are counted.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mvn -B -ntp -q -pl kernel-native -am package -DskipTests
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
kernel-native/aotc --classes jml-annotated/target/classes --out "$out" "$@" > /dev/null
rt=kernel-native/runtime
gcc -O2 -Wall -Wextra -Werror -I "$rt" -I "$out" -o "$out/driver" bench/aot-callgrind/driver.c "$out/verimem_aot.c" \
    "$rt/vm_common.c" "$rt/vm_hosted.c"
echo "| workload | calls each | Ir per allocFrame | Ir per freeFrame |"
echo "|---|---|---|---|"
for w in lifo scattered; do
  valgrind --tool=callgrind --callgrind-out-file="$out/cg.$w" --toggle-collect=round_trip \
      "$out/driver" "$w" > "$out/stdout.$w" 2> "$out/stderr.$w" || { cat "$out/stderr.$w"; exit 1; }
  calls=$(awk '{print $2}' "$out/stdout.$w")
  callgrind_annotate --inclusive=yes "$out/cg.$w" > "$out/annotate.$w"
  ir() { grep -E "[: ]verimem_kernel_pmm_Pmm_$1( |$|\[)" "$out/annotate.$w" | head -1 | awk '{gsub(",", "", $1); print $1}'; }
  a=$(ir allocFrame); f=$(ir freeFrame)
  echo "| $w | $calls | $(awk -v a="$a" -v c="$calls" 'BEGIN{printf "%.1f", a / c}') | $(awk -v a="$f" -v c="$calls" 'BEGIN{printf "%.1f", a / c}') |"
done
