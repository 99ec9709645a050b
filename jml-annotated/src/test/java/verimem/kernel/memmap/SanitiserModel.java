package verimem.kernel.memmap;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A plain reference model of the sanitiser and of carving, written with collections and no cleverness: cut the
 * line at every boundary, give each elementary piece its winning type, merge, align usable runs. Shares no code with
 * the kernel version (its own restrictiveness table, unsigned comparisons via BigInteger-free long logic).
 */
final class SanitiserModel {
    static final long PAGE = 4096;
    static final long MAX_PHYS = 1L << 52;

    record Range(long start, long end, int type) {
    }

    /** usable < ACPI reclaimable < ACPI NVS < persistent < PRAM < bad < reserved < unknown; ties: larger code. */
    static int rank(int type) {
        int[] order = {1, 3, 4, 7, 12, 5, 2};
        for (int i = 0; i < order.length; i++) {
            if (order[i] == type) {
                return i;
            }
        }
        return order.length;
    }

    static boolean beats(int a, int b) {
        return rank(a) != rank(b) ? rank(a) > rank(b) : a > b;
    }

    /** Raw entries as (start, end) unsigned 64-bit values; returns the sanitised list. */
    static List<Range> sanitise(List<Range> raw) {
        List<Range> kept = new ArrayList<>();
        for (Range r : raw) {
            long s = r.start();
            long e = r.end();
            boolean wraps = Long.compareUnsigned(e, s) < 0;
            if (s == e || wraps || Long.compareUnsigned(s, MAX_PHYS) >= 0) {
                continue;
            }
            long end = Long.compareUnsigned(e, MAX_PHYS) > 0 ? MAX_PHYS : e;
            kept.add(new Range(s, end, r.type()));
        }
        TreeMap<Long, Integer> pieces = new TreeMap<>(); // piece start -> winning type, null for a hole
        TreeSet<Long> cuts = new TreeSet<>();
        for (Range r : kept) {
            cuts.add(r.start());
            cuts.add(r.end());
        }
        List<Range> elementary = new ArrayList<>();
        Long prev = null;
        for (long c : cuts) {
            if (prev != null) {
                Integer best = null;
                for (Range r : kept) {
                    if (r.start() <= prev && prev < r.end() && (best == null || beats(r.type(), best))) {
                        best = r.type();
                    }
                }
                if (best != null) {
                    elementary.add(new Range(prev, c, best));
                }
            }
            prev = c;
        }
        return alignUsable(merge(elementary));
    }

    static List<Range> carve(List<Range> sanitised, List<Range> carveOuts) {
        TreeSet<Long> cuts = new TreeSet<>();
        List<Range> rounded = new ArrayList<>();
        for (Range c : carveOuts) {
            if (c.end() > c.start()) {
                rounded.add(new Range(Math.floorDiv(c.start(), PAGE) * PAGE,
                        Math.floorDiv(c.end() + PAGE - 1, PAGE) * PAGE, c.type()));
            }
        }
        for (Range r : sanitised) {
            cuts.add(r.start());
            cuts.add(r.end());
        }
        for (Range r : rounded) {
            cuts.add(r.start());
            cuts.add(r.end());
        }
        List<Range> elementary = new ArrayList<>();
        Long prev = null;
        for (long c : cuts) {
            if (prev != null) {
                for (Range r : sanitised) {
                    if (r.start() <= prev && prev < r.end()) {
                        int t = r.type();
                        if (t == 1) {
                            for (Range k : rounded) {
                                if (k.start() <= prev && prev < k.end()) {
                                    t = k.type();
                                    break;
                                }
                            }
                        }
                        elementary.add(new Range(prev, c, t));
                    }
                }
            }
            prev = c;
        }
        return alignUsable(merge(elementary));
    }

    static List<Range> merge(List<Range> in) {
        List<Range> out = new ArrayList<>();
        for (Range r : in) {
            if (!out.isEmpty()) {
                Range last = out.get(out.size() - 1);
                if (last.end() == r.start() && last.type() == r.type()) {
                    out.set(out.size() - 1, new Range(last.start(), r.end(), r.type()));
                    continue;
                }
            }
            out.add(r);
        }
        return out;
    }

    static List<Range> alignUsable(List<Range> in) {
        List<Range> out = new ArrayList<>();
        for (Range r : in) {
            if (r.type() != 1) {
                out.add(r);
                continue;
            }
            long s = Math.floorDiv(r.start() + PAGE - 1, PAGE) * PAGE;
            long e = Math.floorDiv(r.end(), PAGE) * PAGE;
            if (s < e) {
                out.add(new Range(s, e, 1));
            }
        }
        return out;
    }

    /** Whole usable pages; the model's lists are disjoint, so page counts simply add up. */
    static long usablePages(List<Range> map) {
        long pages = 0;
        for (Range r : map) {
            if (r.type() == 1) {
                pages += Math.floorDiv(r.end(), PAGE) - Math.floorDiv(r.start() + PAGE - 1, PAGE);
            }
        }
        return pages;
    }

    static List<Range> of(MemoryMap m) {
        List<Range> out = new ArrayList<>();
        for (int i = 0; i < m.count(); i++) {
            out.add(new Range(m.start(i), m.end(i), m.type(i)));
        }
        return out;
    }
}
