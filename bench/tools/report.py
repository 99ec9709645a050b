#!/usr/bin/env python3
"""Turns the callgrind dumps of bench/run.sh into the results table (Markdown + JSON).

Each measured loop left two dumps, "name|op|n" and "name|empty|n" (see bench/driver/bench_main.c); the figure is
(op - empty) / n instructions per call. Columns: the AOT-generated C, the same with the PMM's bounds checks
elided, the hand-written C baseline, their ratio, and JVM nanoseconds when bench/jvm ran.

usage: report.py --gen DIR --base DIR [--elided DIR] [--nonull DIR] [--jvm FILE] --info-gen FILE --out-md F --out-json F
                 [--machine TEXT] [--check]
--check: fail (exit 1) unless every generated row has a positive count and every baseline row matches one.
"""
import argparse
import glob
import json
import os
import re
import sys


def read_dumps(directory):
    """name -> instructions per call, from the callgrind.out.N files of one run."""
    raw = {}
    for path in glob.glob(os.path.join(directory, "*.out.*")):
        desc = total = None
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("desc: Trigger: Client Request: "):
                    desc = line.split("Client Request: ", 1)[1].strip()
                elif line.startswith("totals:") or line.startswith("summary:"):
                    total = int(line.split()[1])
        if desc and total is not None and desc.count("|") == 2:
            name, kind, n = desc.split("|")
            raw.setdefault(name, {})[kind] = (total, int(n))
    out = {}
    singles = {}
    for name, kinds in raw.items():
        if "op" in kinds and "empty" in kinds:
            (op, n), (empty, _) = kinds["op"], kinds["empty"]
            m = re.match(r"^(.*)\.call\d+$", name)
            if m:  # single-call measurements: keep the largest of each series
                singles.setdefault(m.group(1), []).append((op - empty) / n)
            else:
                out[name] = (op - empty) / n
    for base, values in singles.items():
        out[f"{base}.max_of_{len(values)}_calls"] = max(values)
    return out


def read_info(path):
    info = {}
    if path and os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                parts = line.split()
                if len(parts) == 3 and parts[0] == "INFO":
                    info[parts[1]] = float(parts[2])
    return info


def read_jvm(path):
    jvm = {}
    if path and os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                parts = line.split()
                if len(parts) == 3 and parts[0] == "JVM":
                    jvm[parts[1]] = float(parts[2])
    return jvm


SECTIONS = [
    ("PMM single frame: alloc / free, 1024 calls per cell, free frames scattered at the given occupancy",
     r"^pmm\.(alloc|free)\.(128M|8G)\.occ\d+\.(lifo|fifo|random)$"),
    ("PMM single frame, the most expensive of 32 consecutive calls each measured alone (a lower bound of the "
     "worst case)", r"^pmm\.(alloc|free)\.(128M|8G)\.occ\d+\.max_of_\d+_calls$"),
    ("PMM aligned blocks (order k = 2^k frames), every frame free: contiguous memory",
     r"^pmm\.(alloc|free)_order\d+\.contiguous\."),
    ("PMM aligned blocks in the fragmented state (8 calls; how many succeeded is in the last column)",
     r"^pmm\.alloc_order\d+\.(128M|8G)\.occ\d+$"),
    ("PMM construction + release of every usable frame (whole operation, and per GiB managed)",
     r"^pmm\.init\+release\."),
    ("VMM (64 MiB simulated machine; tables reached through the direct map)", r"^vmm\."),
    ("kmalloc / kfree per size (64 objects per class, 8 for the page-sized ones)", r"^k(malloc|free)\."),
    ("Boot phases on real firmware maps (/work/shared/memory-maps), generated C only", r"^boot\."),
]


def fmt(v, digits=1):
    if v is None:
        return "-"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.{digits}f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gen", required=True)
    ap.add_argument("--base", required=True)
    ap.add_argument("--elided")
    ap.add_argument("--nonull")
    ap.add_argument("--jvm")
    ap.add_argument("--info-gen", required=True)
    ap.add_argument("--out-md", required=True)
    ap.add_argument("--out-json", required=True)
    ap.add_argument("--machine", default="")
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()

    gen = read_dumps(a.gen)
    base = read_dumps(a.base)
    eli = read_dumps(a.elided) if a.elided else {}
    nonull = read_dumps(a.nonull) if a.nonull else {}
    jvm = read_jvm(a.jvm)
    info = read_info(a.info_gen)

    problems = []
    if not gen:
        problems.append("no generated-C measurements found in " + a.gen)
    for name, v in gen.items():
        if not v > 0:
            problems.append(f"{name}: generated count {v} is not positive")
    for name in base:
        if name not in gen:
            problems.append(f"{name}: baseline row without a generated row")
    if not base:
        problems.append("no baseline measurements found in " + a.base)

    rows = []
    md = []
    md.append(f"Instructions per call (callgrind, exact; an empty call of the same shape subtracted). {a.machine}")
    md.append("")
    used = set()
    for title, pattern in SECTIONS:
        names = sorted((n for n in gen if re.search(pattern, n)), key=sort_key)
        if not names:
            continue
        md.append(f"#### {title}")
        md.append("")
        md.append("| operation | generated C | bounds elided | elided, no null checks | C baseline | gen/base "
                  "| elided/base | no-null/base | JVM ns/call | note |")
        md.append("|---|---|---|---|---|---|---|---|---|---|")
        for n in names:
            used.add(n)
            g, b, e, j, z = gen.get(n), base.get(n), eli.get(n), jvm.get(n), nonull.get(n)
            note = note_for(n, g, info, gen)
            ratio = g / b if (g is not None and b) else None
            eratio = e / b if (e is not None and b) else None
            zratio = z / b if (z is not None and b) else None
            rows.append({"name": n, "generated": g, "elided": e, "elided_no_null": z, "baseline": b,
                         "ratio": ratio, "ratio_elided": eratio, "ratio_no_null": zratio, "jvm_ns": j,
                         "note": note})
            md.append(f"| {n} | {fmt(g)} | {fmt(e)} | {fmt(z)} | {fmt(b)} | {fmt(ratio, 2)} | {fmt(eratio, 2)} | "
                      f"{fmt(zratio, 2)} | {fmt(j)} | {note} |")
        md.append("")
    leftover = sorted(set(gen) - used)
    for n in leftover:
        problems.append(f"{n}: measured but in no section of the report")

    md.append("#### PMM metadata (bits per managed frame, counted as Pmm.metadataBytesInUse counts)")
    md.append("")
    md.append("| map | metadata bytes | bits per frame |")
    md.append("|---|---|---|")
    for key in sorted(k for k in info if k.startswith("meta.bits_per_frame.")):
        tag = key.split("meta.bits_per_frame.", 1)[1]
        md.append(f"| QEMU pc {tag.replace('qemu', '')} | {fmt(info.get('meta.bytes.' + tag), 0)} | "
                  f"{info[key]:.3f} |")
    for key in sorted(k for k in info if k.startswith("boot.metadata_bits_per_frame.")):
        tag = key.split("boot.metadata_bits_per_frame.", 1)[1]
        md.append(f"| real map {tag} | {fmt(info.get('boot.metadata_pages.' + tag), 0)} pages mapped | "
                  f"{info[key]:.3f} |")
    md.append("")

    os.makedirs(os.path.dirname(os.path.abspath(a.out_md)), exist_ok=True)
    with open(a.out_md, "w", encoding="utf-8") as f:
        f.write("\n".join(md) + "\n")
    with open(a.out_json, "w", encoding="utf-8") as f:
        json.dump({"machine": a.machine, "rows": rows, "info": info}, f, indent=1, sort_keys=True)
    if problems:
        for p in problems:
            print("report: " + p, file=sys.stderr)
        if a.check:
            sys.exit(1)
    print(f"report: {len(rows)} rows ({sum(1 for r in rows if r['baseline'] is not None)} with a baseline) "
          f"-> {a.out_md}", file=sys.stderr)


def sort_key(name):
    # numbers inside names sort numerically (order2 < order10, kmalloc.64 < kmalloc.512)
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def note_for(name, g, info, gen):
    m = re.match(r"^pmm\.alloc_order(\d+)\.(\w+)\.occ(\d+)$", name)
    if m:
        found = info.get(f"pmm.alloc_order{m.group(1)}.{m.group(2)}.occ{m.group(3)}.found_of_8")
        return f"{fmt(found, 0)} of 8 found" if found is not None else ""
    m = re.match(r"^boot\.bootstrap\.(.+)$", name)
    if m and g is not None:
        tag = m.group(1)
        walks = info.get(f"boot.simulated_page_walks.{tag}")
        free = info.get(f"boot.pmm_free_frames.{tag}")
        pmm_part = gen.get(f"boot.pmm_init+release.{tag}")
        share = f"; PMM construction + release alone: {fmt(pmm_part)}" if pmm_part else ""
        if free:
            return (f"{fmt(g / (free * 4096 / 2**30))} per GiB handed over ({fmt(free, 0)} frames); "
                    f"includes {fmt(walks, 0)} simulated page walks{share}")
    m = re.match(r"^pmm\.init\+release\.(\w+)$", name)
    if m and g is not None:
        frames = info.get(f"pmm.managed_frames.{m.group(1)}")
        if frames:
            return f"{fmt(g / (frames * 4096 / 2**30))} per GiB ({fmt(frames, 0)} frames)"
    return ""


if __name__ == "__main__":
    main()
