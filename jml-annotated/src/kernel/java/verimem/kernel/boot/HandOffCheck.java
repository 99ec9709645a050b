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
     * The check has no invariant (only long fields, so not even a non-null one), and says so: with this empty
     * dependency contract \invariant_for(this) carries across every counter write without a class axiom, so the
     * loops run with class axioms off (the pre-PMM and segment-table invariants then pass through their own
     * dependency contracts instead of being unfolded at every heap).
     */
    //@ accessible \inv: \nothing;
    /*@ spec_public @*/ private long usable;
    /*@ spec_public @*/ private long free;
    /*@ spec_public @*/ private long pageTables;
    /*@ spec_public @*/ private long metadata;
    /*@ spec_public @*/ private long earlyData;
    /*@ spec_public @*/ private long carvedOut;
    /*@ spec_public @*/ private long violations;
    /*@ spec_public @*/ private long firstViolation;

    /*@ public normal_behavior
      @   ensures violations == 0 && firstViolation == -1;
      @*/
    public HandOffCheck() {
        firstViolation = -1;
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
      @   ensures \result == Err.OK <==> violations == 0;
      @   ensures \result == Err.OK ==> usable == free + pageTables + metadata + earlyData;
      @   assignable usable, free, pageTables, metadata, earlyData, carvedOut, violations, firstViolation;
      @*/
    public long run(MemoryMap map, PrePmm pre, Pmm pmm) {
        usable = 0;
        free = 0;
        pageTables = 0;
        metadata = 0;
        earlyData = 0;
        carvedOut = 0;
        violations = 0;
        firstViolation = -1;
        long carvedUpTo = 0;
        int n = map.count();
        /*@ loop_invariant 0 <= i && i <= n && n == map.count && \invariant_for(map) && \invariant_for(pre)
          @     && \invariant_for(pmm.segs);
          @ loop_invariant 0 <= carvedUpTo && carvedUpTo <= MapInvariants.MAX_PHYS + Pmm.FRAME;
          @ loop_invariant 0 <= violations && 0 <= usable && usable <= i * MAX_RANGE_FRAMES;
          @ loop_invariant violations == 0 ==> (0 <= free && 0 <= pageTables && 0 <= metadata && 0 <= earlyData
          @                                     && usable == free + pageTables + metadata + earlyData);
          @ decreasing n - i;
          @ assignable usable, free, pageTables, metadata, earlyData, carvedOut, violations, firstViolation;
          @*/
        for (int i = 0; i < n; i++) {
            int type = map.type(i);
            if (type == MemoryMap.USABLE) {
                classifyRange(map.start(i), map.end(i), pre, pmm);
            } else if (isCarveOut(type)) {
                carvedUpTo = carveRange(map.start(i), map.end(i), carvedUpTo, pre, pmm);
            }
        }
        if (pmm.managedFrames() != usable) {
            violation(0);
        }
        return violations == 0 ? Err.OK : Err.INVALID_ARGUMENT;
    }

    /** A bound on the frames of one range: 2^41 (a range below MAX_PHYS = 2^52 holds at most 2^40 frames). */
    private static final long MAX_RANGE_FRAMES = 2199023255552L;

    /** Classifies every whole frame of the usable range [start, end). */
    /*@ private normal_behavior
      @   requires pre != null && pmm != null && \invariant_for(pre);
      @   requires pmm.segs != null && pmm.bitmap != null && \invariant_for(pmm.segs)
      @            && pmm.segs.words == pmm.bitmap.length;
      @   requires 0 <= start && start <= MapInvariants.MAX_PHYS && 0 <= end && end <= MapInvariants.MAX_PHYS;
      @   requires 0 <= violations && 0 <= usable && usable <= (MemoryMap.CAPACITY - 1) * MAX_RANGE_FRAMES;
      @   requires violations == 0 ==> (0 <= free && 0 <= pageTables && 0 <= metadata && 0 <= earlyData
      @                                 && usable == free + pageTables + metadata + earlyData);
      @   ensures \old(violations) <= violations && \old(usable) <= usable && usable <= \old(usable) + MAX_RANGE_FRAMES;
      @   ensures violations == 0 ==> (0 <= free && 0 <= pageTables && 0 <= metadata && 0 <= earlyData
      @                                && usable == free + pageTables + metadata + earlyData);
      @   assignable usable, free, pageTables, metadata, earlyData, violations, firstViolation;
      @*/
    private void classifyRange(long start, long end, PrePmm pre, Pmm pmm) {
        long last = frameDown(end);
        long first = frameUp(start);
        /*@ loop_invariant 0 <= first && first <= pa && (pa == first || pa < last + Pmm.FRAME)
          @     && 0 <= last && last <= MapInvariants.MAX_PHYS && first <= MapInvariants.MAX_PHYS + Pmm.FRAME;
          @ loop_invariant usable * Pmm.FRAME + first == \old(usable) * Pmm.FRAME + pa && \invariant_for(pre) && \invariant_for(pmm.segs);
          @ loop_invariant \old(violations) <= violations;
          @ loop_invariant violations == 0 ==> (0 <= free && 0 <= pageTables && 0 <= metadata && 0 <= earlyData
          @                                     && usable == free + pageTables + metadata + earlyData);
          @ decreasing last - pa + Pmm.FRAME;
          @ assignable usable, free, pageTables, metadata, earlyData, violations, firstViolation;
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
      @   requires 0 <= violations && 0 <= usable && usable < Long.MAX_VALUE;
      @   requires violations == 0 ==> (0 <= free && 0 <= pageTables && 0 <= metadata && 0 <= earlyData
      @                                 && usable == free + pageTables + metadata + earlyData);
      @   ensures usable == \old(usable) + 1 && \old(violations) <= violations;
      @   ensures violations == 0 ==> (0 <= free && 0 <= pageTables && 0 <= metadata && 0 <= earlyData
      @                                && usable == free + pageTables + metadata + earlyData);
      @   assignable usable, free, pageTables, metadata, earlyData, violations, firstViolation;
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
     * frame shared by two carve-out ranges is counted once); returns the new carvedUpTo.
     */
    /*@ private normal_behavior
      @   requires pre != null && pmm != null && \invariant_for(pre);
      @   requires pmm.segs != null && \invariant_for(pmm.segs);
      @   requires 0 <= start && start <= MapInvariants.MAX_PHYS && 0 <= end && end <= MapInvariants.MAX_PHYS;
      @   requires 0 <= carvedUpTo && carvedUpTo <= MapInvariants.MAX_PHYS + Pmm.FRAME;
      @   requires 0 <= violations;
      @   ensures \old(violations) <= violations;
      @   ensures 0 <= \result && \result <= MapInvariants.MAX_PHYS + Pmm.FRAME;
      @   assignable carvedOut, violations, firstViolation;
      @*/
    private long carveRange(long start, long end, long carvedUpTo, PrePmm pre, Pmm pmm) {
        long upTo = carvedUpTo;
        long pa = frameDown(start);
        if (pa < upTo) {
            pa = upTo;
        }
        /*@ loop_invariant \old(violations) <= violations && \invariant_for(pre) && \invariant_for(pmm.segs);
          @ loop_invariant 0 <= pa && pa <= MapInvariants.MAX_PHYS + Pmm.FRAME;
          @ loop_invariant 0 <= upTo && upTo <= MapInvariants.MAX_PHYS + Pmm.FRAME;
          @ decreasing end - pa + Pmm.FRAME;
          @ assignable carvedOut, violations, firstViolation;
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
      @   requires 0 <= violations;
      @   ensures \old(violations) <= violations;
      @   assignable carvedOut, violations, firstViolation;
      @*/
    private void carveFrame(long pa, PrePmm pre, Pmm pmm) {
        boolean taken = pmm.manages(pa) || pre.purposeOf(pa) != PrePmm.NONE;
        carvedOut = carvedOut + 1;
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
      @   requires 0 <= violations && 0 <= usable && usable < Long.MAX_VALUE;
      @   requires violations == 0 ==> (0 <= free && 0 <= pageTables && 0 <= metadata && 0 <= earlyData
      @                                 && usable == free + pageTables + metadata + earlyData);
      @   ensures usable == \old(usable) + 1 && \old(violations) <= violations;
      @   ensures violations == 0 ==> (0 <= free && 0 <= pageTables && 0 <= metadata && 0 <= earlyData
      @                                && usable == free + pageTables + metadata + earlyData);
      @   assignable usable, free, pageTables, metadata, earlyData, violations, firstViolation;
      @*/
    private void count(long pa, boolean managed, boolean isFree, int purpose) {
        usable = usable + 1;
        if (!managed || isFree == (purpose != PrePmm.NONE)) {
            violation(pa);
        }
        if (isFree) {
            free = free + 1;
        } else if (purpose == PrePmm.PAGE_TABLE) {
            pageTables = pageTables + 1;
        } else if (purpose == PrePmm.PMM_METADATA) {
            metadata = metadata + 1;
        } else if (purpose == PrePmm.EARLY_DATA) {
            earlyData = earlyData + 1;
        }
    }

    /** Records a violation at pa; the count saturates at Long.MAX_VALUE instead of wrapping to a negative. */
    /*@ private normal_behavior
      @   requires 0 <= violations;
      @   ensures 0 < violations && \old(violations) <= violations;
      @   assignable violations, firstViolation;
      @*/
    private void violation(long pa) {
        if (violations == 0) {
            firstViolation = pa;
        }
        if (violations < Long.MAX_VALUE) {
            violations = violations + 1;
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
      @   ensures \result == usable;
      @   assignable \strictly_nothing;
      @*/
    public long usableFrames() {
        return usable;
    }

    /** Frames free in the PMM after the hand-off: N in "PMM manages N frames of M usable". */
    /*@ public normal_behavior
      @   ensures \result == free;
      @   assignable \strictly_nothing;
      @*/
    public long freeFrames() {
        return free;
    }

    /*@ public normal_behavior
      @   ensures \result == pageTables;
      @   assignable \strictly_nothing;
      @*/
    public long pageTableFrames() {
        return pageTables;
    }

    /*@ public normal_behavior
      @   ensures \result == metadata;
      @   assignable \strictly_nothing;
      @*/
    public long metadataFrames() {
        return metadata;
    }

    /*@ public normal_behavior
      @   ensures \result == earlyData;
      @   assignable \strictly_nothing;
      @*/
    public long earlyDataFrames() {
        return earlyData;
    }

    /** Frames of carve-out ranges (rounded out to whole frames, each counted once). */
    /*@ public normal_behavior
      @   ensures \result == carvedOut;
      @   assignable \strictly_nothing;
      @*/
    public long carveOutFrames() {
        return carvedOut;
    }

    /*@ public normal_behavior
      @   ensures \result == violations;
      @   assignable \strictly_nothing;
      @*/
    public long violations() {
        return violations;
    }

    /** Physical address of the first frame that broke the partition (0 also for a managed-count mismatch). */
    /*@ public normal_behavior
      @   ensures \result == firstViolation;
      @   assignable \strictly_nothing;
      @*/
    public long firstViolation() {
        return firstViolation;
    }
}
