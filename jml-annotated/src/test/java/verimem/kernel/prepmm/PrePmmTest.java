package verimem.kernel.prepmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import verimem.kernel.arch.Err;
import verimem.kernel.memmap.MemoryMap;

class PrePmmTest {
    /** A tiny sanitised map: 2 usable ranges of 3 and 5 frames around reserved and carve-out ranges. */
    static MemoryMap tiny() {
        MemoryMap m = new MemoryMap();
        m.add(0, 0x100000, MemoryMap.LOW_MEMORY);
        m.add(0x100000, 0x108000, MemoryMap.KERNEL_IMAGE);
        m.add(0x108000, 0x108100, MemoryMap.BOOT_INFO);
        m.add(0x109000, 0x10c000, MemoryMap.USABLE);
        m.add(0x10c000, 0x10d000, MemoryMap.ACPI_NVS);
        m.add(0x10d000, 0x112000, MemoryMap.USABLE);
        m.add(0x112000, 0x200000, MemoryMap.RESERVED);
        return m;
    }

    static boolean usable(long pa) {
        return (pa >= 0x109000 && pa < 0x10c000) || (pa >= 0x10d000 && pa < 0x112000);
    }

    @Test
    void handsOutEveryUsableFrameOnceAndNothingElse() {
        PrePmm p = new PrePmm(tiny());
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 8; i++) {
            long pa = p.allocFrame(PrePmm.PAGE_TABLE);
            assertTrue(pa >= 0 && pa % 4096 == 0);
            assertTrue(usable(pa), "not usable: 0x" + Long.toHexString(pa));
            assertTrue(seen.add(pa), "handed out twice");
            assertEquals(PrePmm.PAGE_TABLE, p.purposeOf(pa));
        }
        assertEquals(Err.NO_MEMORY, p.allocFrame(PrePmm.PAGE_TABLE));
        assertEquals(8, p.framesHeld(PrePmm.NONE));
        assertEquals(8, p.allocationCount());
    }

    @Test
    void runsAreContiguousAlignedAndInsideOneRange() {
        PrePmm p = new PrePmm(tiny());
        long a = p.allocRun(4, 4, PrePmm.PMM_METADATA);
        // the first range holds only 3 frames, the second [0x10d000, 0x112000) has an aligned run of 4 at 0x10d000?
        // 0x10d000 / 4096 = 269 is not a multiple of 4; the first multiple is 272 = 0x110000, too close to the end
        assertEquals(Err.NO_MEMORY, a);
        long b = p.allocRun(4, 1, PrePmm.PMM_METADATA);
        assertEquals(0x10d000, b);
        assertEquals(0x111000, p.allocationEndAt(b));
        assertEquals(PrePmm.PMM_METADATA, p.purposeOf(0x110000));
        long c = p.allocRun(2, 2, PrePmm.EARLY_DATA);
        assertEquals(0x10a000, c);
        assertEquals(2, p.framesHeld(PrePmm.EARLY_DATA));
        assertEquals(4, p.framesHeld(PrePmm.PMM_METADATA));
        assertEquals(Err.NO_MEMORY, p.allocRun(2, 1, PrePmm.EARLY_DATA));
        assertEquals(0x109000, p.allocFrame(PrePmm.PAGE_TABLE));
        assertEquals(0x111000, p.allocFrame(PrePmm.PAGE_TABLE));
    }

    @Test
    void neverHandsOutAFrameAtOrAboveTheAddressLimit() {
        // a (bogus) usable range straddling 2^52 and one wholly above it, as a corrupt map could claim
        MemoryMap m = new MemoryMap();
        m.add(PrePmm.ADDRESS_LIMIT + 0x1000, PrePmm.ADDRESS_LIMIT + 0x100000, MemoryMap.USABLE);
        m.add(PrePmm.ADDRESS_LIMIT - 0x2000, PrePmm.ADDRESS_LIMIT + 0x100000, MemoryMap.USABLE);
        m.add(Long.MAX_VALUE - 0x3000, Long.MAX_VALUE, MemoryMap.USABLE);
        PrePmm p = new PrePmm(m);
        assertEquals(PrePmm.ADDRESS_LIMIT - 0x2000, p.allocFrame(PrePmm.EARLY_DATA));
        assertEquals(PrePmm.ADDRESS_LIMIT - 0x1000, p.allocFrame(PrePmm.EARLY_DATA));
        assertEquals(Err.NO_MEMORY, p.allocFrame(PrePmm.EARLY_DATA));
        assertEquals(Err.NO_MEMORY, p.allocRun(1, 1L << 40, PrePmm.EARLY_DATA));
        assertEquals(2, p.allocationCount());
    }

    @Test
    void physicalZeroIsAFrameNotAFailure() {
        MemoryMap m = new MemoryMap();
        m.add(0, 0x2000, MemoryMap.USABLE);
        PrePmm p = new PrePmm(m);
        assertEquals(0, p.allocFrame(PrePmm.EARLY_DATA));
        assertEquals(0x1000, p.allocFrame(PrePmm.EARLY_DATA));
        long none = p.allocFrame(PrePmm.EARLY_DATA);
        assertTrue(none < 0 && none != 0);
        assertEquals(Err.OK, p.free(0));
        assertEquals(0, p.allocFrame(PrePmm.EARLY_DATA));
    }

    @Test
    void freeGivesBackWholeAllocationsOnly() {
        PrePmm p = new PrePmm(tiny());
        long a = p.allocRun(2, 1, PrePmm.PAGE_TABLE);
        assertEquals(Err.NOT_ALLOCATED, p.free(a + 4096));
        assertEquals(Err.MISALIGNED, p.free(a + 8));
        assertEquals(Err.MISALIGNED, p.free(-4096));
        assertEquals(Err.OK, p.free(a));
        assertEquals(Err.NOT_ALLOCATED, p.free(a));
        assertEquals(0, p.allocationCount());
        assertEquals(PrePmm.NONE, p.purposeOf(a));
        assertEquals(a, p.allocRun(2, 1, PrePmm.PAGE_TABLE));
    }

    @Test
    void badArgumentsAreRefused() {
        PrePmm p = new PrePmm(tiny());
        assertEquals(Err.INVALID_ARGUMENT, p.allocRun(0, 1, PrePmm.PAGE_TABLE));
        assertEquals(Err.INVALID_ARGUMENT, p.allocRun(1, 0, PrePmm.PAGE_TABLE));
        assertEquals(Err.INVALID_ARGUMENT, p.allocRun(Long.MAX_VALUE, 1, PrePmm.PAGE_TABLE));
        assertEquals(Err.INVALID_ARGUMENT, p.allocFrame(PrePmm.NONE));
        assertEquals(Err.INVALID_ARGUMENT, p.allocFrame(99));
        assertEquals(0, p.allocationCount());
    }

    @Test
    void badArgumentBoundsAndPurposes() {
        PrePmm p = new PrePmm(tiny());
        long maxFrames = Long.MAX_VALUE / PrePmm.FRAME / 2;
        assertEquals(Err.INVALID_ARGUMENT, p.allocRun(maxFrames + 1, 1, PrePmm.PAGE_TABLE));
        assertEquals(Err.INVALID_ARGUMENT, p.allocRun(1, maxFrames + 1, PrePmm.PAGE_TABLE));
        assertEquals(Err.INVALID_ARGUMENT, p.allocRun(-1, 1, PrePmm.PAGE_TABLE));
        assertEquals(Err.INVALID_ARGUMENT, p.allocRun(1, -1, PrePmm.PAGE_TABLE));
        assertEquals(Err.INVALID_ARGUMENT, p.allocRun(1, 1, PrePmm.EARLY_DATA + 1));
        assertEquals(Err.INVALID_ARGUMENT, p.allocRun(1, 1, -1));
        // the largest valid counts are accepted as arguments (and then do not fit)
        assertEquals(Err.NO_MEMORY, p.allocRun(maxFrames, 1, PrePmm.PAGE_TABLE));
        assertEquals(Err.NO_MEMORY, p.allocRun(1, maxFrames, PrePmm.PAGE_TABLE));
        assertEquals(0, p.allocationCount());
    }

    @Test
    void aRunThatExactlyFillsARangeFits() {
        PrePmm p = new PrePmm(tiny());
        assertEquals(0x109000, p.allocRun(3, 1, PrePmm.EARLY_DATA));
        assertEquals(0x10d000, p.allocRun(5, 1, PrePmm.EARLY_DATA));
        assertEquals(Err.NO_MEMORY, p.allocRun(1, 1, PrePmm.EARLY_DATA));
    }

    @Test
    void injectedFailureCountsDownEvenWhenTheTableIsFull() {
        MemoryMap m = new MemoryMap();
        m.add(0x100000, 0x100000 + 600 * PrePmm.FRAME, MemoryMap.USABLE);
        PrePmm p = new PrePmm(m);
        for (int i = 0; i < PrePmm.CAPACITY; i++) {
            assertTrue(p.allocFrame(PrePmm.PAGE_TABLE) >= 0);
        }
        assertEquals(Err.NO_MEMORY, p.allocFrame(PrePmm.PAGE_TABLE));
        p.failAfter(2);
        assertEquals(Err.NO_MEMORY, p.allocFrame(PrePmm.PAGE_TABLE));  // table full; countdown 2 -> 1
        assertEquals(Err.OK, p.free(0x100000));
        assertEquals(Err.NO_MEMORY, p.allocFrame(PrePmm.PAGE_TABLE));  // the injected failure
        assertEquals(0x100000, p.allocFrame(PrePmm.PAGE_TABLE));
    }

    @Test
    void failAfterFailsExactlyTheNthAllocation() {
        PrePmm p = new PrePmm(tiny());
        p.failAfter(3);
        assertTrue(p.allocFrame(PrePmm.PAGE_TABLE) >= 0);
        assertTrue(p.allocFrame(PrePmm.PAGE_TABLE) >= 0);
        assertEquals(Err.NO_MEMORY, p.allocFrame(PrePmm.PAGE_TABLE));
        assertEquals(2, p.allocationCount());
        assertTrue(p.allocFrame(PrePmm.PAGE_TABLE) >= 0);
    }

    @Test
    void theTableIsBoundedAndOverflowIsAnError() {
        MemoryMap m = new MemoryMap();
        m.add(0x100000, 0x100000 + (PrePmm.CAPACITY + 10) * 4096L, MemoryMap.USABLE);
        PrePmm p = new PrePmm(m);
        for (int i = 0; i < PrePmm.CAPACITY; i++) {
            assertTrue(p.allocFrame(PrePmm.PAGE_TABLE) >= 0);
        }
        assertEquals(Err.NO_MEMORY, p.allocFrame(PrePmm.PAGE_TABLE));
        assertEquals(PrePmm.CAPACITY, p.allocationCount());
    }

    @Test
    void afterHandOffEverythingIsRefused() {
        PrePmm p = new PrePmm(tiny());
        long a = p.allocFrame(PrePmm.PAGE_TABLE);
        assertFalse(p.isHandedOff());
        p.handOff();
        assertTrue(p.isHandedOff());
        assertEquals(Err.DESTROYED, p.allocFrame(PrePmm.PAGE_TABLE));
        assertEquals(Err.DESTROYED, p.allocRun(1, 1, PrePmm.PMM_METADATA));
        assertEquals(Err.DESTROYED, p.free(a));
        // the record stays readable: the hand-off check needs it
        assertEquals(PrePmm.PAGE_TABLE, p.purposeOf(a));
        assertEquals(1, p.allocationCount());
    }

    @Test
    void nextAllocationFromWalksTheGaps() {
        PrePmm p = new PrePmm(tiny());
        long a = p.allocFrame(PrePmm.PAGE_TABLE);      // 0x109000
        long b = p.allocRun(2, 1, PrePmm.PAGE_TABLE);  // 0x10a000
        assertEquals(0x109000, a);
        assertEquals(0x10a000, b);
        assertEquals(a, p.nextAllocationFrom(0x100000, 0x200000));
        assertEquals(b, p.nextAllocationFrom(a + 1, 0x200000));
        assertEquals(0x200000, p.nextAllocationFrom(b + 1, 0x200000));
        assertEquals(0x10a000, p.nextAllocationFrom(0x10a000, 0x10a000));
    }
}
