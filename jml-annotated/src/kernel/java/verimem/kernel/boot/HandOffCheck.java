package verimem.kernel.boot;

import verimem.kernel.arch.Err;
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
        for (int i = 0; i < n; i++) {
            int type = map.type(i);
            if (type == MemoryMap.USABLE) {
                long end = map.end(i) / Pmm.FRAME * Pmm.FRAME;
                for (long pa = (map.start(i) + Pmm.FRAME - 1) / Pmm.FRAME * Pmm.FRAME; pa < end; pa = pa + Pmm.FRAME) {
                    classifyUsable(pa, pre, pmm);
                }
            } else if (isCarveOut(type)) {
                long pa = map.start(i) / Pmm.FRAME * Pmm.FRAME;
                if (pa < carvedUpTo) {
                    pa = carvedUpTo;
                }
                for (; pa < map.end(i); pa = pa + Pmm.FRAME) {
                    carvedOut = carvedOut + 1;
                    if (pmm.manages(pa) || pre.purposeOf(pa) != PrePmm.NONE) {
                        violation(pa);
                    }
                    carvedUpTo = pa + Pmm.FRAME;
                }
            }
        }
        if (pmm.managedFrames() != usable) {
            violation(0);
        }
        return violations == 0 ? Err.OK : Err.INVALID_ARGUMENT;
    }

    private void classifyUsable(long pa, PrePmm pre, Pmm pmm) {
        usable = usable + 1;
        boolean isFree = pmm.isFree(pa);
        int purpose = pre.purposeOf(pa);
        if (!pmm.manages(pa) || isFree == (purpose != PrePmm.NONE)) {
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

    private void violation(long pa) {
        if (violations == 0) {
            firstViolation = pa;
        }
        violations = violations + 1;
    }

    /** The kernel's own carve-out types (memmap adds them on top of the firmware types). */
    /*@ public normal_behavior
      @   ensures \result == (type == MemoryMap.LOW_MEMORY || type == MemoryMap.KERNEL_IMAGE
      @                       || type == MemoryMap.BOOT_INFO || type == MemoryMap.BOOT_MODULE);
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
