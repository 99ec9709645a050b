#!/bin/sh
# Host (JVM) PMM benchmark: builds the kernel classes, runs bench/pmm-jvm/PmmJvmBench.java, and writes the
# tables into bench/README.md between the PMM-JVM markers. Reports times; asserts nothing about them.
# Usage (from the repository root): bench/pmm-jvm.sh
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mvn -B -o -q -pl jml-annotated -am compile
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
javac -d "$out" -cp jml-annotated/target/classes bench/pmm-jvm/PmmJvmBench.java
table=$(java -Xmx512m -cp "$out:jml-annotated/target/classes" PmmJvmBench)
cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
jvm=$(java -version 2>&1 | head -1)
{
  echo "Machine: $cpu, $(nproc) cores visible, $jvm. Measured $(date -u +%Y-%m-%d)."
  echo
  echo "$table"
} > "$out/section.md"
readme=bench/README.md
awk -v f="$out/section.md" '
  /<!-- PMM-JVM:BEGIN -->/ { print; while ((getline l < f) > 0) print l; skip = 1; next }
  /<!-- PMM-JVM:END -->/ { skip = 0 }
  !skip { print }' "$readme" > "$out/readme" && cp "$out/readme" "$readme"
cat "$out/section.md"
