package verimem.robust;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The fuzz oracle's own model of what the sanitiser and the carve-out step must produce, written from the rules in
 * MapSanitiser's documentation and not from its code: no kernel class is called here. The model is a type per
 * byte, built piece by piece between the boundaries of the input:
 *
 *   - a raw entry counts when it is non-empty, does not wrap past 2^64 (compared unsigned) and starts below 2^52;
 *     it is clipped at 2^52;
 *   - where entries overlap, the most restrictive type wins: usable &lt; ACPI reclaimable (3) &lt; ACPI NVS (4) &lt;
 *     persistent (7) &lt; PRAM (12) &lt; bad (5) &lt; reserved (2) &lt; any other code, the larger code among equals;
 *   - usable memory is the bytes covered only by usable entries, kept in whole 4 KiB pages only;
 *   - carve-outs (rounded out to whole pages) re-type usable pages only, the first listed carve-out winning.
 *
 * The result is a list of maximal runs {start, end, type}, sorted, which is exactly the shape the kernel's maps
 * have, so the oracle compares the kernel's map with it entry by entry.
 */
final class ReferenceMap {
    static final long PAGE = 4096, MAX_PHYS = 1L << 52;
    static final int USABLE = 1, RESERVED = 2;
    /** No type: a hole. Not a firmware code (firmware codes are u32, narrowed into int below). */
    static final int NONE = Integer.MIN_VALUE;

    final List<long[]> runs;

    private ReferenceMap(List<long[]> runs) {
        this.runs = runs;
    }

    /** raw entries {base, length, type as u32}, as the firmware wrote them. */
    static ReferenceMap sanitised(List<long[]> raw) {
        List<long[]> kept = new ArrayList<>();
        for (long[] e : raw) {
            long base = e[0], end = e[0] + e[1];
            boolean wraps = Long.compareUnsigned(end, base) < 0;
            if (e[1] != 0 && !wraps && Long.compareUnsigned(base, MAX_PHYS) < 0) {
                long clipped = Long.compareUnsigned(end, MAX_PHYS) > 0 ? MAX_PHYS : end;
                kept.add(new long[] {base, clipped, narrow(e[2])});
            }
        }
        TreeSet<Long> cuts = new TreeSet<>();
        for (long[] k : kept) {
            cuts.add(k[0]);
            cuts.add(k[1]);
        }
        List<long[]> pieces = new ArrayList<>();
        Long prev = null;
        for (long c : cuts) {
            if (prev != null) {
                pieces.add(new long[] {prev, c, winner(kept, prev)});
            }
            prev = c;
        }
        return new ReferenceMap(runsOf(pieces));
    }

    /** carveOuts {start, end, type}, each 0 &lt;= start &lt;= end &lt;= 2^52 (the caller checked). */
    ReferenceMap carved(List<long[]> carveOuts) {
        List<long[]> rounded = new ArrayList<>();
        for (long[] c : carveOuts) {
            if (c[1] > c[0]) {
                rounded.add(new long[] {c[0] / PAGE * PAGE, (c[1] + PAGE - 1) / PAGE * PAGE, c[2]});
            }
        }
        TreeSet<Long> cuts = new TreeSet<>();
        for (long[] r : runs) {
            cuts.add(r[0]);
            cuts.add(r[1]);
        }
        for (long[] c : rounded) {
            cuts.add(c[0]);
            cuts.add(c[1]);
        }
        List<long[]> pieces = new ArrayList<>();
        Long prev = null;
        for (long c : cuts) {
            if (prev != null) {
                int t = typeAt(prev);
                if (t == USABLE) {
                    for (long[] r : rounded) {
                        if (r[0] <= prev && prev < r[1]) {
                            t = (int) r[2];
                            break;
                        }
                    }
                }
                pieces.add(new long[] {prev, c, t});
            }
            prev = c;
        }
        return new ReferenceMap(runsOf(pieces));
    }

    /** The type of byte pa in this map, NONE in a hole. */
    int typeAt(long pa) {
        for (long[] r : runs) {
            if (r[0] <= pa && pa < r[1]) {
                return (int) r[2];
            }
        }
        return NONE;
    }

    /** Whether [pa, pa + bytes) lies inside one usable run. */
    boolean usable(long pa, long bytes) {
        for (long[] r : runs) {
            if (r[2] == USABLE && r[0] <= pa && pa + bytes <= r[1]) {
                return true;
            }
        }
        return false;
    }

    long usableFrames() {
        long n = 0;
        for (long[] r : runs) {
            if (r[2] == USABLE) {
                n += (r[1] - r[0]) / PAGE;
            }
        }
        return n;
    }

    /** The u32 firmware code as the map stores it: codes above 2^31 - 1 and the kernel's carve-out codes are reserved. */
    static int narrow(long u32) {
        long t = u32 & 0xFFFF_FFFFL;
        boolean carveCode = t >= 0x10001 && t <= 0x10004;
        return t > Integer.MAX_VALUE || carveCode ? RESERVED : (int) t;
    }

    static int rank(int t) {
        switch (t) {
            case 1: return 0;
            case 3: return 1;
            case 4: return 2;
            case 7: return 3;
            case 12: return 4;
            case 5: return 5;
            case 2: return 6;
            default: return 7;
        }
    }

    private static int winner(List<long[]> kept, long pa) {
        int best = NONE;
        for (long[] k : kept) {
            if (k[0] <= pa && pa < k[1]) {
                int t = (int) k[2];
                if (best == NONE || rank(t) > rank(best) || (rank(t) == rank(best) && t > best)) {
                    best = t;
                }
            }
        }
        return best;
    }

    /** Touching pieces of one type become one run; usable runs shrink to whole pages; holes are dropped. */
    private static List<long[]> runsOf(List<long[]> pieces) {
        List<long[]> merged = new ArrayList<>();
        for (long[] p : pieces) {
            long[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && last[1] == p[0] && last[2] == p[2]) {
                last[1] = p[1];
            } else {
                merged.add(p.clone());
            }
        }
        List<long[]> out = new ArrayList<>();
        for (long[] m : merged) {
            if (m[2] == NONE) {
                continue;
            }
            if (m[2] == USABLE) {
                long s = (m[0] + PAGE - 1) / PAGE * PAGE, e = m[1] / PAGE * PAGE;
                if (s < e) {
                    out.add(new long[] {s, e, USABLE});
                }
            } else {
                out.add(m);
            }
        }
        return out;
    }
}
