#!/usr/bin/env python3
"""Where the generated C's instructions go, for a few rows: callgrind_annotate's per-source-line counts of one
dump, summed by what the line is (the runtime helper that Java semantics need). Approximate: gcc's debug line
info attributes an inlined instruction to one source line, and e.g. a Java comparison (vm_lcmp) is counted whole,
including the compare a hand-written C version needs too. Used by bench/run.sh; prints a Markdown table.

usage: breakdown.py DUMPDIR ROW...
"""
import glob
import os
import re
import subprocess
import sys

CATEGORIES = [
    ("long compare (vm_lcmp + branch)", lambda s: "vm_lcmp" in s),
    ("Java / and % (vm_ldiv, vm_lrem, ...)", lambda s: re.search(r"return a [%/] b|b == 0\) vm_panic_div|b == -1\)", s)),
    ("array bounds checks (vm_elem)", lambda s: "arr->length" in s or "vm_elem" in s),
    ("null checks (vm_nonnull)", lambda s: "NULL) vm_panic_null" in s),
    ("simulated memory access (bench_addr)", lambda s: re.search(r"bench_addr|bench_ram|bench_load64|bench_store64", s)),
]


def dump_for(directory, row):
    for path in glob.glob(os.path.join(directory, "*.out.*")):
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("desc: Trigger: Client Request: "):
                    desc = line.split("Client Request: ", 1)[1].strip()
                    parts = desc.split("|")
                    if len(parts) == 3 and parts[0] == row and parts[1] == "op":
                        return path, int(parts[2])
                    break
    return None, 0


def main():
    directory, rows = sys.argv[1], sys.argv[2:]
    print("| operation | total (this dump) | " + " | ".join(c[0] for c in CATEGORIES) + " | everything else |")
    print("|---|---|" + "---|" * len(CATEGORIES) + "---|")
    for row in rows:
        path, n = dump_for(directory, row)
        if path is None:
            print(f"breakdown: no dump for {row}", file=sys.stderr)
            continue
        out = subprocess.run(["callgrind_annotate", "--auto=yes", path], capture_output=True, text=True).stdout
        sums = [0] * len(CATEGORIES)
        total = 0
        for line in out.splitlines():
            m = re.match(r"^\s*([0-9,]+) \([ 0-9.]+%\)\s{2}(.*)$", line)
            if not m:
                continue
            v, src = int(m.group(1).replace(",", "")), m.group(2)
            if "PROGRAM TOTALS" in src:
                total = v
                continue
            if src.startswith(("=>", "/", "c/", "./")) or "events annotated" in src:
                continue
            for i, (_, test) in enumerate(CATEGORIES):
                if test(src):
                    sums[i] += v
                    break
        per = [s / n for s in sums]
        rest = total / n - sum(per)
        print(f"| {row} | {total / n:.1f} | " + " | ".join(f"{p:.1f}" for p in per) + f" | {rest:.1f} |")


if __name__ == "__main__":
    main()
