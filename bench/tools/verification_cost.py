"""Prints the verification-cost tables from TLC's results.tsv and KeY's summary.csv (see verification-cost.sh)."""
import csv
import statistics
import sys

EXIT_MEANING = {0: "pass", 10: "assumption/trace rejected", 11: "deadlock", 12: "safety violation", 13: "liveness violation"}


def tlc_table(path):
    rows = []
    with open(path) as f:
        for line in f:
            name, code, distinct, generated, depth, seconds = line.rstrip("\n").split("\t")
            rows.append((name, int(code), int(distinct), int(generated), int(depth), float(seconds)))
    print("## TLC (one forked TLC per run: JVM start and SANY included)\n")
    print("| run | outcome | distinct states | generated states | depth | time (s) | generated states/s |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name, code, distinct, generated, depth, seconds in sorted(rows):
        rate = generated / seconds if seconds > 0 else 0
        print(f"| {name} | {EXIT_MEANING.get(code, code)} | {distinct:,} | {generated:,} | {depth} | {seconds:.1f} | {rate:,.0f} |")
    total = sum(r[5] for r in rows)
    print(f"\n{len(rows)} runs, {total:.0f} s of TLC time in all.\n")


def key_table(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    print("## KeY (per contract; CPU time is that of the thread applying KeY's rules (GC and JIT threads not counted), wall includes waiting for the other worker)\n")
    print("| package | proved | open | not run | trusted | median CPU s per proved | max CPU s per proved | CPU s in all |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    packages = sorted({r["package"] for r in rows})
    for pkg in packages + ["all"]:
        mine = [r for r in rows if pkg == "all" or r["package"] == pkg]
        proved = [int(r["cpu_millis"]) / 1000 for r in mine if r["status"] == "PROVED"]
        count = lambda s: sum(1 for r in mine if r["status"] == s)
        med = f"{statistics.median(proved):.1f}" if proved else "-"
        top = f"{max(proved):.1f}" if proved else "-"
        cpu = sum(int(r["cpu_millis"]) for r in mine) / 1000
        print(f"| {pkg} | {len(proved)} | {count('OPEN') + count('ERROR')} | {count('NOT_RUN')} | {count('TRUSTED')} | {med} | {top} | {cpu:.0f} |")
    print()


tlc_table(sys.argv[1])
key_table(sys.argv[2])
