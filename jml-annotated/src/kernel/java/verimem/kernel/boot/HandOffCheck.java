package verimem.kernel.boot;

import verimem.kernel.arch.Err;
import verimem.kernel.memmap.CarveOuts;
import verimem.kernel.memmap.MapInvariants;
import verimem.kernel.memmap.MemoryMap;
import verimem.kernel.pmm.Pmm;
import verimem.kernel.prepmm.PrePmm;

/**
 * The hand-off check: after the PMM took over, every frame of every USABLE range of the sanitised map must be in
 * exactly one state, either free in the PMM or held by one pre-PMM allocation (page tables, PMM metadata, early
 * data), and every frame of a carve-out range (low memory, kernel image, boot info, modules) in none of them.
 * It walks frame by frame and asks the PMM and the pre-PMM, so it checks what they say, not what the bootstrap
 * meant to do. The PMM must also manage exactly the usable frames: each usable frame is managed and the PMM's
 * managed count equals their number, so it manages no reserved frame either.
 *
 * The counts are what the console line and `./verimem map` print.
 */
public final class HandOffCheck {
    /*
     * The check's only invariant is JML's non-null default for tally, and it reads only that reference: every
     * counter write goes to a field of tally, so \invariant_for(this) carries across it without a class axiom,
     * and the loops run with class axioms off (the pre-PMM and segment-table invariants then pass through their
     * own dependency contracts instead of being unfolded at every heap).
     */
    //@ accessible \inv: tally;
    /*@ spec_public @*/ private final FrameTally tally;

    /*@ public normal_behavior
      @   ensures tally.violations == 0 && tally.firstViolation == -1;
      @*/
    public HandOffCheck() {
        tally = new FrameTally();
    }

    /** Runs the check; Err.OK when the partition holds, Err.INVALID_ARGUMENT when any frame breaks it. */
    /*@ public normal_behavior
      @   requires map != null && pre != null && pmm != null;
      @   requires \invariant_for(map) && \invariant_for(pre);
      @   requires (\forall int k; 0 <= k && k < map.count;
      @              0 <= map.starts[k] && map.starts[k] <= MapInvariants.MAX_PHYS
      @              && 0 <= map.ends[k] && map.ends[k] <= MapInvariants.MAX_PHYS);
      @   requires pmm.segs != null && pmm.bitmap != null && \invariant_for(pmm.segs)
      @            && pmm.segs.words == pmm.bitmap.length;
      @   ensures \result == Err.OK <==> tally.violations == 0;
      @   ensures \result == Err.OK
      @           ==> tally.usable == tally.free + tally.pageTables + tally.metadata + tally.earlyData;
      @   assignable tally.*;
      @*/
    public long run(MemoryMap map, PrePmm pre, Pmm pmm) {
        reset();
        long carvedUpTo = 0;
        int n = entries(map);
        /*@ loop_invariant 0 <= i && i <= n && n == map.count && \invariant_for(map) && \invariant_for(pre)
          @     && \invariant_for(pmm.segs);
          @ loop_invariant 0 <= carvedUpTo && carvedUpTo <= MapInvariants.MAX_PHYS + Pmm.FRAME;
          @ loop_invariant 0 <= tally.violations && 0 <= tally.usable && tally.usable <= i * MAX_RANGE_FRAMES;
          @ loop_invariant tally.violations == 0
          @     ==> (0 <= tally.free && 0 <= tally.pageTables && 0 <= tally.metadata && 0 <= tally.earlyData
          @          && tally.usable == tally.free + tally.pageTables + tally.metadata + tally.earlyData);
          @ decreasing n - i;
          @ assignable tally.*;
          @*/
        for (int i = 0; i < n; i++) {
            carvedUpTo = checkEntry(map.type(i), map.start(i), map.end(i), carvedUpTo, pre, pmm);
        }
        if (pmm.managedFrames() != usableFrames()) {
            violation(0);
        }
        return violations() == 0 ? Err.OK : Err.INVALID_ARGUMENT;
    }

    /**
     * The map's entry count, with what run's proof needs from the map's invariant (it runs with class axioms off,
     * so it does not unfold that invariant itself): the bound, and the two arrays the entries are read from.
     */
    /*@ private normal_behavior
      @   requires \invariant_for(map);
      @   ensures \result == map.count && 0 <= \result && \result <= MemoryMap.CAPACITY;
      @   ensures map.starts != null && map.ends != null;
      @   assignable \strictly_nothing;
      @*/
    private static int entries(MemoryMap map) {
        return map.count();
    }

    /**
     * One entry of the map: classifies a usable range, counts a carve-out range, skips any other type; returns the
     * new carvedUpTo. Its own method so that run's loop body is one call, not three paths.
     */
    /*@ private normal_behavior
      @   requires tally != null && pre != null && pmm != null && \invariant_for(pre);
      @   requires pmm.segs != null && pmm.bitmap != null && \invariant_for(pmm.segs)
      @            && pmm.segs.words == pmm.bitmap.length;
      @   requires 0 <= start && start <= MapInvariants.MAX_PHYS && 0 <= end && end <= MapInvariants.MAX_PHYS;
      @   requires 0 <= carvedUpTo && carvedUpTo <= MapInvariants.MAX_PHYS + Pmm.FRAME;
      @   requires 0 <= tally.violations && 0 <= tally.usable
      @            && tally.usable <= (MemoryMap.CAPACITY - 1) * MAX_RANGE_FRAMES;
      @   requires tally.violations == 0
      @       ==> (0 <= tally.free && 0 <= tally.pageTables && 0 <= tally.metadata && 0 <= tally.earlyData
      @            && tally.usable == tally.free + tally.pageTables + tally.metadata + tally.earlyData);
      @   ensures \old(tally.violations) <= tally.violations && \old(tally.usable) <= tally.usable
      @           && tally.usable <= \old(tally.usable) + MAX_RANGE_FRAMES;
      @   ensures tally.violations == 0
      @       ==> (0 <= tally.free && 0 <= tally.pageTables && 0 <= tally.metadata && 0 <= tally.earlyData
      @            && tally.usable == tally.free + tally.pageTables + tally.metadata + tally.earlyData);
      @   ensures 0 <= \result && \result <= MapInvariants.MAX_PHYS + Pmm.FRAME;
      @   ensures \invariant_for(pre) && \invariant_for(pmm.segs);
      @   assignable tally.*;
      @*/
    private long checkEntry(int type, long start, long end, long carvedUpTo, PrePmm pre, Pmm pmm) {
        if (type == MemoryMap.USABLE) {
            classifyRange(start, end, pre, pmm);
            return carvedUpTo;
        }
        if (isCarveOut(type)) {
            return carveRange(start, end, carvedUpTo, pre, pmm);
        }
        return carvedUpTo;
    }

    /** Sets every counter back to zero and the first violation to none (-1); says tally != null for run's proof. */
    /*@ private normal_behavior
      @   ensures tally != null;
      @   ensures tally.usable == 0 && tally.free == 0 && tally.pageTables == 0 && tally.metadata == 0;
      @   ensures tally.earlyData == 0 && tally.carvedOut == 0 && tally.violations == 0 && tally.firstViolation == -1;
      @   assignable tally.*;
      @*/
    private void reset() {
        tally.usable = 0;
        tally.free = 0;
        tally.pageTables = 0;
        tally.metadata = 0;
        tally.earlyData = 0;
        tally.carvedOut = 0;
        tally.violations = 0;
        tally.firstViolation = -1;
    }

    /** A bound on the frames of one range: 2^41 (a range below MAX_PHYS = 2^52 holds at most 2^40 frames). */
    private static final long MAX_RANGE_FRAMES = 2199023255552L;

    /*
     * classifyRange, carveRange and checkEntry state tally != null although the invariant says it: their proofs run
     * with class axioms off, and KeY separates tally.* from the pre-PMM's and segment table's footprints by type
     * only for a non-null tally (otherwise it splits on every reference of those footprints being null).
     */

    /** Classifies every whole frame of the usable range [start, end). */
    /*@ private normal_behavior
      @   requires tally != null && pre != null && pmm != null && \invariant_for(pre);
      @   requires pmm.segs != null && pmm.bitmap != null && \invariant_for(pmm.segs)
      @            && pmm.segs.words == pmm.bitmap.length;
      @   requires 0 <= start && start <= MapInvariants.MAX_PHYS && 0 <= end && end <= MapInvariants.MAX_PHYS;
      @   requires 0 <= tally.violations && 0 <= tally.usable
      @            && tally.usable <= (MemoryMap.CAPACITY - 1) * MAX_RANGE_FRAMES;
      @   requires tally.violations == 0
      @       ==> (0 <= tally.free && 0 <= tally.pageTables && 0 <= tally.metadata && 0 <= tally.earlyData
      @            && tally.usable == tally.free + tally.pageTables + tally.metadata + tally.earlyData);
      @   ensures \old(tally.violations) <= tally.violations && \old(tally.usable) <= tally.usable
      @           && tally.usable <= \old(tally.usable) + MAX_RANGE_FRAMES;
      @   ensures \invariant_for(pre) && \invariant_for(pmm.segs);
      @   ensures tally.violations == 0
      @       ==> (0 <= tally.free && 0 <= tally.pageTables && 0 <= tally.metadata && 0 <= tally.earlyData
      @            && tally.usable == tally.free + tally.pageTables + tally.metadata + tally.earlyData);
      @   assignable tally.*;
      @*/
    private void classifyRange(long start, long end, PrePmm pre, Pmm pmm) {
        long last = frameDown(end);
        long first = frameUp(start);
        /*@ loop_invariant 0 <= first && first <= pa && (pa == first || pa < last + Pmm.FRAME)
          @     && 0 <= last && last <= MapInvariants.MAX_PHYS && first <= MapInvariants.MAX_PHYS + Pmm.FRAME;
          @ loop_invariant tally.usable * Pmm.FRAME + first == \old(tally.usable) * Pmm.FRAME + pa
          @     && \invariant_for(pre) && \invariant_for(pmm.segs);
          @ loop_invariant \old(tally.violations) <= tally.violations;
          @ loop_invariant tally.violations == 0
          @     ==> (0 <= tally.free && 0 <= tally.pageTables && 0 <= tally.metadata && 0 <= tally.earlyData
          @          && tally.usable == tally.free + tally.pageTables + tally.metadata + tally.earlyData);
          @ decreasing last - pa + Pmm.FRAME;
          @ assignable tally.*;
          @*/
        for (long pa = first; pa < last; pa = pa + Pmm.FRAME) {
            classifyFrame(pa, pre, pmm);
        }
    }

    /**
     * One frame of classifyRange: asks the PMM and the pre-PMM (no heap change), then counts (the one write). Its
     * own method so that the loop sees only this contract, not the PMM's and pre-PMM's answers.
     */
    /*@ private normal_behavior
      @   requires pre != null && pmm != null && \invariant_for(pre);
      @   requires pmm.segs != null && pmm.bitmap != null && \invariant_for(pmm.segs)
      @            && pmm.segs.words == pmm.bitmap.length;
      @   requires 0 <= tally.violations && 0 <= tally.usable && tally.usable < Long.MAX_VALUE;
      @   requires tally.violations == 0
      @       ==> (0 <= tally.free && 0 <= tally.pageTables && 0 <= tally.metadata && 0 <= tally.earlyData
      @            && tally.usable == tally.free + tally.pageTables + tally.metadata + tally.earlyData);
      @   ensures tally.usable == \old(tally.usable) + 1 && \old(tally.violations) <= tally.violations;
      @   ensures tally.violations == 0
      @       ==> (0 <= tally.free && 0 <= tally.pageTables && 0 <= tally.metadata && 0 <= tally.earlyData
      @            && tally.usable == tally.free + tally.pageTables + tally.metadata + tally.earlyData);
      @   assignable tally.*;
      @*/
    private void classifyFrame(long pa, PrePmm pre, Pmm pmm) {
        boolean isFree = pmm.isFree(pa);
        int purpose = pre.purposeOf(pa);
        count(pa, pmm.manages(pa), isFree, purpose);
    }

    /*
     * frameDown/frameUp are CarveOuts.pageDown/pageUp (FRAME == PAGE) with only the bounds in their contracts: the
     * loops need no more, and the exact division terms kept classifyRange and carveRange busy.
     */

    /** The frame holding a (a rounded down to a multiple of FRAME). */
    /*@ private normal_behavior
      @   requires 0 <= a && a <= MapInvariants.MAX_PHYS;
      @   ensures 0 <= \result && \result <= a && a < \result + Pmm.FRAME;
      @   assignable \strictly_nothing;
      @*/
    private static long frameDown(long a) {
        return CarveOuts.pageDown(a);
    }

    /** The first frame starting at or above a (a rounded up to a multiple of FRAME). */
    /*@ private normal_behavior
      @   requires 0 <= a && a <= MapInvariants.MAX_PHYS;
      @   ensures a <= \result && \result < a + Pmm.FRAME;
      @   assignable \strictly_nothing;
      @*/
    private static long frameUp(long a) {
        return CarveOuts.pageUp(a);
    }

    /**
     * Counts every frame overlapping the carve-out range [start, end) that lies at or above carvedUpTo (so that a
     * frame shared by two carve-out ranges is counted once); returns the new carvedUpTo. Its frame is all of tally,
     * as classifyRange's, so that run's loop carries one location set; it says instead which counters stay.
     */
    /*@ private normal_behavior
      @   requires tally != null && pre != null && pmm != null && \invariant_for(pre);
      @   requires pmm.segs != null && \invariant_for(pmm.segs);
      @   requires 0 <= start && start <= MapInvariants.MAX_PHYS && 0 <= end && end <= MapInvariants.MAX_PHYS;
      @   requires 0 <= carvedUpTo && carvedUpTo <= MapInvariants.MAX_PHYS + Pmm.FRAME;
      @   requires 0 <= tally.violations;
      @   ensures \old(tally.violations) <= tally.violations;
      @   ensures 0 <= \result && \result <= MapInvariants.MAX_PHYS + Pmm.FRAME;
      @   ensures \invariant_for(pre) && \invariant_for(pmm.segs);
      @   ensures tally.usable == \old(tally.usable) && tally.free == \old(tally.free)
      @           && tally.pageTables == \old(tally.pageTables) && tally.metadata == \old(tally.metadata)
      @           && tally.earlyData == \old(tally.earlyData);
      @   assignable tally.*;
      @*/
    private long carveRange(long start, long end, long carvedUpTo, PrePmm pre, Pmm pmm) {
        long upTo = carvedUpTo;
        long pa = frameDown(start);
        if (pa < upTo) {
            pa = upTo;
        }
        /*@ loop_invariant \old(tally.violations) <= tally.violations
          @     && \invariant_for(pre) && \invariant_for(pmm.segs);
          @ loop_invariant 0 <= pa && pa <= MapInvariants.MAX_PHYS + Pmm.FRAME;
          @ loop_invariant 0 <= upTo && upTo <= MapInvariants.MAX_PHYS + Pmm.FRAME;
          @ decreasing end - pa + Pmm.FRAME;
          @ assignable tally.carvedOut, tally.violations, tally.firstViolation;
          @*/
        while (pa < end) {
            carveFrame(pa, pre, pmm);
            pa = pa + Pmm.FRAME;
            upTo = pa;
        }
        return upTo;
    }

    /**
     * One frame of carveRange: a violation when the PMM manages it or a pre-PMM allocation holds it. Both are asked
     * before the counter changes, so nothing about them has to be carried across a write.
     */
    /*@ private normal_behavior
      @   requires pre != null && pmm != null && \invariant_for(pre);
      @   requires pmm.segs != null && \invariant_for(pmm.segs);
      @   requires 0 <= tally.violations;
      @   ensures \old(tally.violations) <= tally.violations;
      @   assignable tally.carvedOut, tally.violations, tally.firstViolation;
      @*/
    private void carveFrame(long pa, PrePmm pre, Pmm pmm) {
        countCarveOut(pa, pmm.manages(pa) || pre.purposeOf(pa) != PrePmm.NONE);
    }

    /** Counts one carve-out frame at pa: a violation when the PMM or the pre-PMM has taken it. */
    /*@ private normal_behavior
      @   requires 0 <= tally.violations;
      @   ensures \old(tally.violations) <= tally.violations;
      @   assignable tally.carvedOut, tally.violations, tally.firstViolation;
      @*/
    private void countCarveOut(long pa, boolean taken) {
        tally.carvedOut = tally.carvedOut + 1;
        if (taken) {
            violation(pa);
        }
    }

    /**
     * Counts one usable frame at pa from what the PMM and the pre-PMM say about it: a violation unless it is
     * managed and either free in the PMM or held by a pre-PMM allocation, not both.
     */
    /*@ private normal_behavior
      @   requires PrePmm.NONE <= purpose && purpose <= PrePmm.EARLY_DATA;
      @   requires 0 <= tally.violations && 0 <= tally.usable && tally.usable < Long.MAX_VALUE;
      @   requires tally.violations == 0
      @       ==> (0 <= tally.free && 0 <= tally.pageTables && 0 <= tally.metadata && 0 <= tally.earlyData
      @            && tally.usable == tally.free + tally.pageTables + tally.metadata + tally.earlyData);
      @   ensures tally.usable == \old(tally.usable) + 1 && \old(tally.violations) <= tally.violations;
      @   ensures tally.violations == 0
      @       ==> (0 <= tally.free && 0 <= tally.pageTables && 0 <= tally.metadata && 0 <= tally.earlyData
      @            && tally.usable == tally.free + tally.pageTables + tally.metadata + tally.earlyData);
      @   assignable tally.usable, tally.free, tally.pageTables, tally.metadata, tally.earlyData, tally.violations,
      @              tally.firstViolation;
      @*/
    private void count(long pa, boolean managed, boolean isFree, int purpose) {
        tally.usable = tally.usable + 1;
        if (!managed || isFree == (purpose != PrePmm.NONE)) {
            violation(pa);
        }
        if (isFree) {
            tally.free = tally.free + 1;
        } else if (purpose == PrePmm.PAGE_TABLE) {
            tally.pageTables = tally.pageTables + 1;
        } else if (purpose == PrePmm.PMM_METADATA) {
            tally.metadata = tally.metadata + 1;
        } else if (purpose == PrePmm.EARLY_DATA) {
            tally.earlyData = tally.earlyData + 1;
        }
    }

    /** Records a violation at pa; the count saturates at Long.MAX_VALUE instead of wrapping to a negative. */
    /*@ private normal_behavior
      @   requires 0 <= tally.violations;
      @   ensures 0 < tally.violations && \old(tally.violations) <= tally.violations;
      @   assignable tally.violations, tally.firstViolation;
      @*/
    private void violation(long pa) {
        if (tally.violations == 0) {
            tally.firstViolation = pa;
        }
        if (tally.violations < Long.MAX_VALUE) {
            tally.violations = tally.violations + 1;
        }
    }

    /** The kernel's own carve-out types (memmap adds them on top of the firmware types). */
    /*@ public normal_behavior
      @   ensures \result == (type == MemoryMap.LOW_MEMORY || type == MemoryMap.KERNEL_IMAGE
      @                       || type == MemoryMap.BOOT_INFO || type == MemoryMap.BOOT_MODULE);
      @   assignable \strictly_nothing;
      @*/
    public static boolean isCarveOut(int type) {
        return type == MemoryMap.LOW_MEMORY || type == MemoryMap.KERNEL_IMAGE || type == MemoryMap.BOOT_INFO
                || type == MemoryMap.BOOT_MODULE;
    }

    /** Frames in USABLE ranges of the map: M in "PMM manages N frames of M usable". */
    /*@ public normal_behavior
      @   ensures \result == tally.usable;
      @   assignable \strictly_nothing;
      @*/
    public long usableFrames() {
        return tally.usable;
    }

    /** Frames free in the PMM after the hand-off: N in "PMM manages N frames of M usable". */
    /*@ public normal_behavior
      @   ensures \result == tally.free;
      @   assignable \strictly_nothing;
      @*/
    public long freeFrames() {
        return tally.free;
    }

    /*@ public normal_behavior
      @   ensures \result == tally.pageTables;
      @   assignable \strictly_nothing;
      @*/
    public long pageTableFrames() {
        return tally.pageTables;
    }

    /*@ public normal_behavior
      @   ensures \result == tally.metadata;
      @   assignable \strictly_nothing;
      @*/
    public long metadataFrames() {
        return tally.metadata;
    }

    /*@ public normal_behavior
      @   ensures \result == tally.earlyData;
      @   assignable \strictly_nothing;
      @*/
    public long earlyDataFrames() {
        return tally.earlyData;
    }

    /** Frames of carve-out ranges (rounded out to whole frames, each counted once). */
    /*@ public normal_behavior
      @   ensures \result == tally.carvedOut;
      @   assignable \strictly_nothing;
      @*/
    public long carveOutFrames() {
        return tally.carvedOut;
    }

    /*@ public normal_behavior
      @   ensures \result == tally.violations;
      @   assignable \strictly_nothing;
      @*/
    public long violations() {
        return tally.violations;
    }

    /** Physical address of the first frame that broke the partition (0 also for a managed-count mismatch). */
    /*@ public normal_behavior
      @   ensures \result == tally.firstViolation;
      @   assignable \strictly_nothing;
      @*/
    public long firstViolation() {
        return tally.firstViolation;
    }
}
