package verimem.kernel.memmap;

import verimem.kernel.arch.Err;

/**
 * The one algorithm behind sanitising and carving: walk the boundary points of a set of ranges from left to right
 * and decide the type of each elementary piece between two consecutive boundaries.
 *
 * Works on unsorted, overlapping input without any extra arrays: the next boundary is found by scanning all
 * entries (O(n) per step, at most 2(n+m) steps, so O((n+m)^2) in total, bounded by the fixed capacity). Pieces of
 * equal type that touch are merged; usable pieces are then shrunk to whole pages (start up, end down) and dropped
 * if nothing is left.
 *
 * Precondition on every entry of both inputs: 0 &lt;= start &lt; end &lt;= MAX_PHYS (the sanitiser's first pass and
 * the carve-out rounding establish it).
 */
final class Sweep {
    private Sweep() {
    }

    /*@ normal_behavior
      @   requires in != null && carve != null && out != null && out != in && out != carve;
      @   requires \invariant_for(in) && \invariant_for(carve) && \invariant_for(out);
      @   requires (\forall int i; 0 <= i && i < in.count;
      @               0 <= in.starts[i] && in.starts[i] < in.ends[i] && in.ends[i] <= MapInvariants.MAX_PHYS);
      @   requires (\forall int i; 0 <= i && i < carve.count;
      @               0 <= carve.starts[i] && carve.starts[i] < carve.ends[i]
      @               && carve.ends[i] <= MapInvariants.MAX_PHYS);
      @   ensures \result == Err.OK || \result == Err.BAD_MEMORY_MAP;
      @   ensures \result == Err.OK ==> MapInvariants.isSanitised(out);
      @   assignable out.count, out.starts[*], out.ends[*], out.types[*];
      @*/
    static long run(MemoryMap in, MemoryMap carve, boolean useCarve, MemoryMap out) {
        out.clear();
        int n = in.count();
        if (n == 0) {
            return Err.OK;
        }
        int m = 0;
        if (useCarve) {
            m = carve.count();
        }
        long p = lowestStart(in);
        boolean open = false;
        long openStart = 0;
        long openEnd = 0;
        int openType = 0;
        int steps = 2 * (n + m) + 1;
        /*@ loop_invariant 0 <= step && step <= steps && 0 <= p && p <= MapInvariants.MAX_PHYS;
          @ decreases steps - step;
          @*/
        for (int step = 0; step < steps; step++) {
            long next = nextBoundary(in, carve, m, p);
            if (next < 0) {
                break;
            }
            if (covered(in, p)) {
                int t = typeAt(in, p);
                if (t == MemoryMap.USABLE && carvedAt(carve, m, p) >= 0) {
                    t = carve.type(carvedAt(carve, m, p));
                }
                if (open && openEnd == p && openType == t) {
                    openEnd = next;
                } else {
                    if (open) {
                        long r = emit(out, openStart, openEnd, openType);
                        if (r != Err.OK) {
                            return r;
                        }
                    }
                    open = true;
                    openStart = p;
                    openEnd = next;
                    openType = t;
                }
            }
            p = next;
        }
        if (open) {
            return emit(out, openStart, openEnd, openType);
        }
        return Err.OK;
    }

    /** Appends a finished piece; usable pieces shrink to whole pages first. */
    private static long emit(MemoryMap out, long start, long end, int type) {
        long s = start;
        long e = end;
        if (type == MemoryMap.USABLE) {
            s = ((s + MapInvariants.PAGE - 1) / MapInvariants.PAGE) * MapInvariants.PAGE;
            e = (e / MapInvariants.PAGE) * MapInvariants.PAGE;
            if (s >= e) {
                return Err.OK;
            }
        }
        if (out.count() == MemoryMap.CAPACITY) {
            return Err.BAD_MEMORY_MAP;
        }
        return out.add(s, e, type);
    }

    private static long lowestStart(MemoryMap in) {
        long low = in.start(0);
        for (int i = 1; i < in.count(); i++) {
            if (in.start(i) < low) {
                low = in.start(i);
            }
        }
        return low;
    }

    /** Smallest start or end above p among all entries of in and the first m of carve; -1 when there is none. */
    private static long nextBoundary(MemoryMap in, MemoryMap carve, int m, long p) {
        long best = -1;
        for (int i = 0; i < in.count(); i++) {
            best = closer(best, in.start(i), p);
            best = closer(best, in.end(i), p);
        }
        for (int i = 0; i < m; i++) {
            best = closer(best, carve.start(i), p);
            best = closer(best, carve.end(i), p);
        }
        return best;
    }

    private static long closer(long best, long candidate, long p) {
        if (candidate > p && (best < 0 || candidate < best)) {
            return candidate;
        }
        return best;
    }

    private static boolean covered(MemoryMap in, long p) {
        for (int i = 0; i < in.count(); i++) {
            if (in.start(i) <= p && p < in.end(i)) {
                return true;
            }
        }
        return false;
    }

    /** The most restrictive type among the entries containing p; the caller knows at least one does. */
    private static int typeAt(MemoryMap in, long p) {
        boolean found = false;
        int best = 0;
        for (int i = 0; i < in.count(); i++) {
            if (in.start(i) <= p && p < in.end(i)) {
                int t = in.type(i);
                if (!found || RegionTypes.moreRestrictive(t, best)) {
                    best = t;
                    found = true;
                }
            }
        }
        return best;
    }

    /** Index of the first of the m carve-outs containing p, or -1. */
    private static int carvedAt(MemoryMap carve, int m, long p) {
        for (int i = 0; i < m; i++) {
            if (carve.start(i) <= p && p < carve.end(i)) {
                return i;
            }
        }
        return -1;
    }
}
