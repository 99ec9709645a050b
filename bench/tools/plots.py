#!/usr/bin/env python3
"""Two SVG plots from a results JSON of bench/run.sh (plain SVG, no plotting library needed):
  <prefix>-pmm-occupancy.svg  instructions per PMM alloc / free against occupancy, 128 MiB and 8 GiB, generated
                              C and hand-written baseline (LIFO order);
  <prefix>-boot-size.svg      instructions of the whole bootstrap against the frames it hands to the PMM, one
                              point per real firmware map (log-log: a straight line of slope 1 is linear growth).
usage: plots.py RESULTS.json OUTPUT_PREFIX
"""
import json
import math
import sys

W, H, L, R, T, B = 640, 400, 70, 170, 40, 50
COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf", "#7f7f7f"]


def axes(title, xlabel, ylabel, xticks, yticks, xmap, ymap):
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{W / 2}" y="22" text-anchor="middle" font-size="14">{title}</text>',
           f'<line x1="{L}" y1="{H - B}" x2="{W - R}" y2="{H - B}" stroke="black"/>',
           f'<line x1="{L}" y1="{T}" x2="{L}" y2="{H - B}" stroke="black"/>',
           f'<text x="{(L + W - R) / 2}" y="{H - 12}" text-anchor="middle">{xlabel}</text>',
           f'<text x="16" y="{(T + H - B) / 2}" text-anchor="middle" transform="rotate(-90 16 {(T + H - B) / 2})">'
           f'{ylabel}</text>']
    for v, label in xticks:
        x = xmap(v)
        out.append(f'<line x1="{x}" y1="{H - B}" x2="{x}" y2="{H - B + 5}" stroke="black"/>')
        out.append(f'<text x="{x}" y="{H - B + 18}" text-anchor="middle">{label}</text>')
    for v, label in yticks:
        y = ymap(v)
        out.append(f'<line x1="{L - 5}" y1="{y}" x2="{W - R}" y2="{y}" stroke="#ddd"/>')
        out.append(f'<text x="{L - 8}" y="{y + 4}" text-anchor="end">{label}</text>')
    return out


def legend(out, i, color, text, dashed=False):
    y = T + 10 + 18 * i
    dash = ' stroke-dasharray="5,3"' if dashed else ""
    out.append(f'<line x1="{W - R + 10}" y1="{y}" x2="{W - R + 35}" y2="{y}" stroke="{color}" stroke-width="2"{dash}/>')
    out.append(f'<text x="{W - R + 40}" y="{y + 4}">{text}</text>')


def occupancy_plot(rows, path):
    val = {r["name"]: r for r in rows}
    occ = [10, 50, 95]
    series = []
    for op in ("alloc", "free"):
        for size in ("128M", "8G"):
            for impl, key in (("generated", "generated"), ("baseline", "baseline")):
                pts = [(o, val.get(f"pmm.{op}.{size}.occ{o}.lifo", {}).get(key)) for o in occ]
                if all(p[1] is not None for p in pts):
                    series.append((f"{op} {size} {impl}", pts, impl == "baseline"))
    if not series:
        return False
    ymax = max(v for _, pts, _ in series for _, v in pts) * 1.1
    xmap = lambda o: L + (o - 0) / 100 * (W - L - R)
    ymap = lambda v: H - B - v / ymax * (H - T - B)
    step = 50 if ymax < 400 else 100
    out = axes("PMM: instructions per call vs occupancy (LIFO, free frames scattered)", "occupancy (%)",
               "instructions per call", [(o, str(o)) for o in (0, 10, 50, 95)],
               [(v, str(v)) for v in range(0, int(ymax) + 1, step)], xmap, ymap)
    for i, (name, pts, dashed) in enumerate(series):
        color = COLORS[(i // 2) % len(COLORS)]
        d = " ".join(f"{xmap(o):.1f},{ymap(v):.1f}" for o, v in pts)
        dash = ' stroke-dasharray="5,3"' if dashed else ""
        out.append(f'<polyline points="{d}" fill="none" stroke="{color}" stroke-width="2"{dash}/>')
        legend(out, i, color, name, dashed)
    out.append("</svg>")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    return True


def boot_plot(rows, info, path):
    pts = []
    for r in rows:
        if r["name"].startswith("boot.bootstrap.") and r["generated"]:
            tag = r["name"].split("boot.bootstrap.", 1)[1]
            frames = info.get(f"boot.pmm_free_frames.{tag}")
            if frames:
                pts.append((frames, r["generated"], tag))
    if len(pts) < 2:
        return False
    lx0, lx1 = math.floor(math.log10(min(p[0] for p in pts))), math.ceil(math.log10(max(p[0] for p in pts)))
    ly0, ly1 = math.floor(math.log10(min(p[1] for p in pts))), math.ceil(math.log10(max(p[1] for p in pts)))
    xmap = lambda v: L + (math.log10(v) - lx0) / (lx1 - lx0) * (W - L - R)
    ymap = lambda v: H - B - (math.log10(v) - ly0) / (ly1 - ly0) * (H - T - B)
    out = axes("Bootstrap (pre-PMM, early mapper, PMM init, hand-off) on real maps", "frames handed to the PMM",
               "instructions", [(10 ** e, f"1e{e}") for e in range(lx0, lx1 + 1)],
               [(10 ** e, f"1e{e}") for e in range(ly0, ly1 + 1)], xmap, ymap)
    for frames, instr, tag in sorted(pts):
        out.append(f'<circle cx="{xmap(frames):.1f}" cy="{ymap(instr):.1f}" r="4" fill="{COLORS[0]}">'
                   f'<title>{tag}: {instr:,.0f} instructions, {frames:,.0f} frames</title></circle>')
    # reference line: linear growth through the largest map
    f1, i1, _ = max(pts)
    f0 = 10 ** lx0
    out.append(f'<line x1="{xmap(f0):.1f}" y1="{ymap(i1 * f0 / f1):.1f}" x2="{xmap(f1):.1f}" y2="{ymap(i1):.1f}" '
               f'stroke="#999" stroke-dasharray="4,3"/>')
    legend(out, 0, COLORS[0], "one real map")
    legend(out, 1, "#999", "linear (slope 1)", True)
    out.append("</svg>")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    return True


def main():
    data = json.load(open(sys.argv[1], encoding="utf-8"))
    prefix = sys.argv[2]
    made = []
    if occupancy_plot(data["rows"], prefix + "-pmm-occupancy.svg"):
        made.append(prefix + "-pmm-occupancy.svg")
    if boot_plot(data["rows"], data.get("info", {}), prefix + "-boot-size.svg"):
        made.append(prefix + "-boot-size.svg")
    print("plots: " + ", ".join(made), file=sys.stderr)


if __name__ == "__main__":
    main()
