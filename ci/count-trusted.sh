#!/usr/bin/env bash
# Lines of hand-written C and assembly in the kernel (the trusted, unverified part): boot stub and glue, and the
# AOT runtime the generated C calls. "code" leaves out blank lines and lines that are only a comment.
# The placeholder kernel (trap-path tests only) and the generated verimem_aot.c are not counted.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../kernel-native"
sum_all=0 sum_code=0
printf '%-28s %6s %6s\n' file lines code
for f in boot/entry.S boot/isr.S boot/boot.h boot/kmain.c boot/trap.c runtime/vm.h runtime/vm_common.c \
         runtime/vm_freestanding.c; do
  all=$(wc -l < "$f")
  code=$(grep -v '^[[:space:]]*$' "$f" | grep -cv '^[[:space:]]*\(/\*\|\*\|//\)')
  printf '%-28s %6d %6d\n' "$f" "$all" "$code"
  sum_all=$((sum_all + all)) sum_code=$((sum_code + code))
done
printf '%-28s %6d %6d\n' "total C + asm" "$sum_all" "$sum_code"
printf '%-28s %6d   (linker script, not counted above)\n' boot/link.ld "$(wc -l < boot/link.ld)"
