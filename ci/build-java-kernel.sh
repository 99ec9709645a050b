#!/usr/bin/env bash
# Compiles the Java kernel to C: Maven builds the kernel classes and the AOT compiler (package, never install),
# then kernel-native/aotc translates every verimem.kernel class into kernel-native/target/aot/verimem_aot.{c,h}.
# Skipped when the generated C is newer than every Java source and pom. Prints progress on stderr.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT="kernel-native/target/aot"
if [[ -f "$OUT/verimem_aot.c" ]] && [[ -z "$(find jml-annotated/src/kernel kernel-native/src/main pom.xml \
      jml-annotated/pom.xml kernel-native/pom.xml -newer "$OUT/verimem_aot.c" -print -quit)" ]]; then
  exit 0
fi
bash ci/ensure-java.sh
echo "verimem: building the kernel classes and the AOT compiler (mvn package)" >&2
# Offline first (a warm ~/.m2 needs no network); a fresh machine falls back to Maven Central.
mvn -B -ntp -q -o -DskipTests package -pl kernel-native -am >&2 2>/dev/null ||
  mvn -B -ntp -q -DskipTests package -pl kernel-native -am >&2
echo "verimem: compiling the Java kernel to C (kernel-native/aotc)" >&2
rm -rf "$OUT.tmp"
bash kernel-native/aotc --classes jml-annotated/target/classes --out "$OUT.tmp" >&2
rm -rf "$OUT" && mv "$OUT.tmp" "$OUT"
