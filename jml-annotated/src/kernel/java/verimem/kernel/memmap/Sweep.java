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
      @   requires out.starts != in.starts && out.starts != in.ends && out.ends != in.starts && out.ends != in.ends
      @            && out.types != in.types;
      @   requires out.starts != carve.starts && out.starts != carve.ends && out.ends != carve.starts
      @            && out.ends != carve.ends && out.types != carve.types;
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
        // out holds finished pieces, sorted and page aligned where usable; the open piece [openStart, openEnd)
        // and every later one start at or after the last finished end.
        /*@ loop_invariant 0 <= step && step <= steps && 0 <= p && p <= MapInvariants.MAX_PHYS;
          @ loop_invariant n == in.count && 0 <= m && m <= carve.count && \invariant_for(out);
          @ loop_invariant open ==> 0 <= openStart && openStart < openEnd && openEnd <= p;
          @ loop_invariant out.count > 0 ==> out.ends[out.count - 1] <= (open ? openStart : p);
          @ loop_invariant (\forall int i; 0 <= i && i < out.count;
          @     0 <= out.starts[i] && out.starts[i] < out.ends[i] && out.ends[i] <= MapInvariants.MAX_PHYS
          @     && (i + 1 < out.count ==> out.ends[i] <= out.starts[i + 1])
          @     && (out.types[i] == MemoryMap.USABLE
          @         ==> out.starts[i] % MapInvariants.PAGE == 0 && out.ends[i] % MapInvariants.PAGE == 0));
          @ decreases steps - step;
          @ assignable out.count, out.starts[*], out.ends[*], out.types[*];
          @*/
        for (int step = 0; step < steps; step++) {
            long next = nextBoundary(in, carve, m, p);
            if (next < 0) {
                break;
            }
            if (covered(in, p)) {
                int t = pieceType(in, carve, m, p);
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

    /** The type of the piece at p: the most restrictive input type, replaced by a carve-out's where usable. */
    /*@ private normal_behavior
      @   requires in != null && carve != null && \invariant_for(in) && \invariant_for(carve);
      @   requires 0 <= m && m <= carve.count;
      @   assignable \strictly_nothing;
      @*/
    private static int pieceType(MemoryMap in, MemoryMap carve, int m, long p) {
        int t = typeAt(in, p);
        int c = carvedAt(carve, m, p);
        if (t == MemoryMap.USABLE && c >= 0) {
            t = carve.type(c);
        }
        return t;
    }

    /** Appends a finished piece; usable pieces shrink to whole pages first. */
    /*@ private normal_behavior
      @   requires out != null && \invariant_for(out);
      @   requires 0 <= start && start < end && end <= MapInvariants.MAX_PHYS;
      @   requires out.count > 0 ==> out.ends[out.count - 1] <= start;
      @   requires (\forall int i; 0 <= i && i < out.count;
      @     0 <= out.starts[i] && out.starts[i] < out.ends[i] && out.ends[i] <= MapInvariants.MAX_PHYS
      @     && (i + 1 < out.count ==> out.ends[i] <= out.starts[i + 1])
      @     && (out.types[i] == MemoryMap.USABLE
      @         ==> out.starts[i] % MapInvariants.PAGE == 0 && out.ends[i] % MapInvariants.PAGE == 0));
      @   ensures \invariant_for(out);
      @   ensures \result == Err.OK || \result == Err.BAD_MEMORY_MAP;
      @   ensures \result == Err.OK ==> (out.count > 0 ==> out.ends[out.count - 1] <= end);
      @   ensures \result == Err.OK ==> (\forall int i; 0 <= i && i < out.count;
      @     0 <= out.starts[i] && out.starts[i] < out.ends[i] && out.ends[i] <= MapInvariants.MAX_PHYS
      @     && (i + 1 < out.count ==> out.ends[i] <= out.starts[i + 1])
      @     && (out.types[i] == MemoryMap.USABLE
      @         ==> out.starts[i] % MapInvariants.PAGE == 0 && out.ends[i] % MapInvariants.PAGE == 0));
      @   assignable out.count, out.starts[*], out.ends[*], out.types[*];
      @*/
    private static long emit(MemoryMap out, long start, long end, int type) {
        long s = start;
        long e = end;
        if (type == MemoryMap.USABLE) {
            s = CarveOuts.pageUp(s);
            e = CarveOuts.pageDown(e);
            if (s >= e) {
                return Err.OK;
            }
        }
        if (out.count() == MemoryMap.CAPACITY) {
            return Err.BAD_MEMORY_MAP;
        }
        return out.append(s, e, type);
    }

    /*@ private normal_behavior
      @   requires in != null && \invariant_for(in) && in.count > 0;
      @   requires (\forall int k; 0 <= k && k < in.count;
      @               0 <= in.starts[k] && in.starts[k] < in.ends[k] && in.ends[k] <= MapInvariants.MAX_PHYS);
      @   ensures 0 <= \result && \result <= MapInvariants.MAX_PHYS;
      @   assignable \strictly_nothing;
      @*/
    private static long lowestStart(MemoryMap in) {
        long low = in.start(0);
        /*@ loop_invariant 1 <= i && i <= in.count && 0 <= low && low <= MapInvariants.MAX_PHYS;
          @ decreases in.count - i;
          @ assignable \strictly_nothing;
          @*/
        for (int i = 1; i < in.count(); i++) {
            if (in.start(i) < low) {
                low = in.start(i);
            }
        }
        return low;
    }

    /** Smallest start or end above p among all entries of in and the first m of carve; -1 when there is none. */
    /*@ private normal_behavior
      @   requires in != null && carve != null && \invariant_for(in) && \invariant_for(carve);
      @   requires 0 <= m && m <= carve.count && 0 <= p;
      @   requires (\forall int k; 0 <= k && k < in.count; in.starts[k] <= MapInvariants.MAX_PHYS
      @                                                    && in.ends[k] <= MapInvariants.MAX_PHYS);
      @   requires (\forall int k; 0 <= k && k < carve.count; carve.starts[k] <= MapInvariants.MAX_PHYS
      @                                                       && carve.ends[k] <= MapInvariants.MAX_PHYS);
      @   ensures \result == -1 || (p < \result && \result <= MapInvariants.MAX_PHYS);
      @   assignable \strictly_nothing;
      @*/
    private static long nextBoundary(MemoryMap in, MemoryMap carve, int m, long p) {
        long best = -1;
        /*@ loop_invariant 0 <= i && i <= in.count;
          @ loop_invariant best == -1 || (p < best && best <= MapInvariants.MAX_PHYS);
          @ decreases in.count - i;
          @ assignable \strictly_nothing;
          @*/
        for (int i = 0; i < in.count(); i++) {
            best = closer(best, in.start(i), p);
            best = closer(best, in.end(i), p);
        }
        // j, not i: KeY puts every local of the method in the loop invariant's scope, so two loops declaring i clash.
        /*@ loop_invariant 0 <= j && j <= m;
          @ loop_invariant best == -1 || (p < best && best <= MapInvariants.MAX_PHYS);
          @ decreases m - j;
          @ assignable \strictly_nothing;
          @*/
        for (int j = 0; j < m; j++) {
            best = closer(best, carve.start(j), p);
            best = closer(best, carve.end(j), p);
        }
        return best;
    }

    /*@ private normal_behavior
      @   requires 0 <= p && (best == -1 || (p < best && best <= MapInvariants.MAX_PHYS));
      @   requires candidate <= MapInvariants.MAX_PHYS;
      @   ensures \result == -1 || (p < \result && \result <= MapInvariants.MAX_PHYS);
      @   ensures (candidate > p && (best < 0 || candidate < best)) ? \result == candidate : \result == best;
      @   assignable \strictly_nothing;
      @*/
    private static long closer(long best, long candidate, long p) {
        if (candidate > p && (best < 0 || candidate < best)) {
            return candidate;
        }
        return best;
    }

    /*@ private normal_behavior
      @   requires in != null && \invariant_for(in);
      @   ensures \result == (\exists int k; 0 <= k && k < in.count; in.starts[k] <= p && p < in.ends[k]);
      @   assignable \strictly_nothing;
      @*/
    private static boolean covered(MemoryMap in, long p) {
        /*@ loop_invariant 0 <= i && i <= in.count;
          @ loop_invariant !(\exists int j; 0 <= j && j < i; in.starts[j] <= p && p < in.ends[j]);
          @ decreases in.count - i;
          @ assignable \strictly_nothing;
          @*/
        for (int i = 0; i < in.count(); i++) {
            if (in.start(i) <= p && p < in.end(i)) {
                return true;
            }
        }
        return false;
    }

    /** The most restrictive type among the entries containing p; the caller knows at least one does. */
    /*@ private normal_behavior
      @   requires in != null && \invariant_for(in);
      @   assignable \strictly_nothing;
      @*/
    private static int typeAt(MemoryMap in, long p) {
        boolean found = false;
        int best = 0;
        // The range of best is stated: without it KeY loses best's int range after the loop and cannot close the
        // branch where moreRestrictive's result is used.
        /*@ loop_invariant 0 <= i && i <= in.count;
          @ loop_invariant Integer.MIN_VALUE <= best && best <= Integer.MAX_VALUE;
          @ decreases in.count - i;
          @ assignable \strictly_nothing;
          @*/
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
    /*@ private normal_behavior
      @   requires carve != null && \invariant_for(carve) && 0 <= m && m <= carve.count;
      @   ensures -1 <= \result && \result < m;
      @   ensures \result >= 0 ==> carve.starts[\result] <= p && p < carve.ends[\result];
      @   assignable \strictly_nothing;
      @*/
    private static int carvedAt(MemoryMap carve, int m, long p) {
        /*@ loop_invariant 0 <= i && i <= m;
          @ decreases m - i;
          @ assignable \strictly_nothing;
          @*/
        for (int i = 0; i < m; i++) {
            if (carve.start(i) <= p && p < carve.end(i)) {
                return i;
            }
        }
        return -1;
    }
}
