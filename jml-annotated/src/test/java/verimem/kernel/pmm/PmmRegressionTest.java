package verimem.kernel.pmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import verimem.kernel.arch.Err;
import verimem.kernel.memmap.MemoryMap;

/** The peers' defects from DESIGN.md, each as a test that would fail on the defect, plus API edge cases. */
class PmmRegressionTest {

    private static Pmm released(long... startEndPairs) {
        MemoryMap map = new MemoryMap();
        for (int i = 0; i < startEndPairs.length; i += 2) {
            map.add(startEndPairs[i], startEndPairs[i + 1], MemoryMap.USABLE);
        }
        Pmm pmm = new Pmm(map);
        for (int i = 0; i < startEndPairs.length; i += 2) {
            long s = (startEndPairs[i] + 4095) / 4096 * 4096;
            long e = startEndPairs[i + 1] / 4096 * 4096;
            assertEquals(Err.OK, pmm.release(s, e));
        }
        return pmm;
    }

    /** Anos: contiguous allocation returned blocks overlapping each other and single frames. */
    @Test
    void contiguousBlocksNeverOverlapAnythingHandedOut() {
        Pmm pmm = released(0x100000, 0x100000 + 4096L * 5000, 0x4000000, 0x4000000 + 4096L * 3001);
        Set<Long> owned = new HashSet<>();
        int[] orders = {0, 3, 1, 9, 0, 6, 2, 7, 0, 4, 5, 9, 1, 0, 8};
        for (int round = 0; round < 40; round++) {
            int order = orders[round % orders.length];
            long pa = pmm.allocAligned(order);
            if (pa < 0) {
                assertEquals(Err.NO_MEMORY, pa);
                continue;
            }
            assertEquals(0, pa % (4096L << order), "aligned");
            for (long i = 0; i < (1L << order); i++) {
                assertTrue(owned.add(pa + i * 4096), "frame handed out twice: " + Long.toHexString(pa + i * 4096));
                assertTrue(pmm.manages(pa + i * 4096));
                assertFalse(pmm.isFree(pa + i * 4096));
            }
            long single = pmm.allocFrame();
            assertTrue(single >= 0 && owned.add(single), "single frame overlaps a block");
        }
        assertEquals(pmm.managedFrames() - owned.size(), pmm.freeFrames());
    }

    /** Anos: no merge on end adjacency; here: blocks freed next to each other form a larger aligned block again. */
    @Test
    void adjacentFreedBlocksServeALargerBlock() {
        Pmm pmm = released(0x200000, 0x400000); // exactly one 2 MiB block
        long a = pmm.allocAligned(8);
        long b = pmm.allocAligned(8);
        assertTrue(a >= 0 && b >= 0);
        assertEquals(Err.NO_MEMORY, pmm.allocAligned(9));
        assertEquals(Err.OK, pmm.freeAligned(b, 8));
        assertEquals(Err.OK, pmm.freeAligned(a, 8));
        assertEquals(0x200000, pmm.allocAligned(9));
    }

    /** PowerNex: the first allocation returned physical 0, which was also the out-of-memory value. */
    @Test
    void physicalZeroIsAFrameAndNeverTheFailureValue() {
        Pmm pmm = released(0, 4096L * 3);
        Set<Long> got = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            long pa = pmm.allocFrame();
            assertTrue(pa >= 0, "valid frames are non-negative");
            got.add(pa);
        }
        assertEquals(Set.of(0L, 4096L, 8192L), got);
        assertEquals(Err.NO_MEMORY, pmm.allocFrame());
        assertTrue(Err.NO_MEMORY < 0);
        assertEquals(Err.OK, pmm.freeFrame(0));
        assertEquals(0, pmm.allocAligned(0));
    }

    /** LiOS: alloc a, b, c; free c; free b corrupted the free list. */
    @Test
    void freeOrderCannotCorruptState() {
        Pmm pmm = released(0x100000, 0x100000 + 4096L * 70);
        long a = pmm.allocFrame();
        long b = pmm.allocFrame();
        long c = pmm.allocFrame();
        assertEquals(67, pmm.freeFrames());
        assertEquals(Err.OK, pmm.freeFrame(c));
        assertEquals(Err.OK, pmm.freeFrame(b));
        assertEquals(Err.NOT_ALLOCATED, pmm.freeFrame(b));
        assertEquals(Err.NOT_ALLOCATED, pmm.freeFrame(c));
        assertFalse(pmm.isFree(a));
        assertEquals(69, pmm.freeFrames());
        Set<Long> all = new HashSet<>();
        for (long pa = pmm.allocFrame(); pa >= 0; pa = pmm.allocFrame()) {
            assertTrue(all.add(pa));
        }
        assertEquals(69, all.size());
        assertFalse(all.contains(a));
        assertTrue(all.contains(b) && all.contains(c));
    }

    @Test
    void refusalsChangeNothing() {
        Pmm pmm = released(0x100000, 0x100000 + 4096L * 100);
        long a = pmm.allocFrame();
        long block = pmm.allocAligned(3);
        long freeBefore = pmm.freeFrames();
        assertEquals(Err.MISALIGNED, pmm.freeFrame(a + 8));
        assertEquals(Err.NOT_MANAGED, pmm.freeFrame(0));
        assertEquals(Err.NOT_MANAGED, pmm.freeFrame(-4096));
        assertEquals(Err.MISALIGNED, pmm.freeFrame(-1));
        assertEquals(Err.NOT_MANAGED, pmm.freeFrame(0x100000 + 4096L * 100));
        assertEquals(Err.NOT_ALLOCATED, pmm.freeFrame(a + 4096 * 50));
        assertEquals(Err.MISALIGNED, pmm.freeAligned(block + 4096, 3));
        assertEquals(Err.INVALID_ARGUMENT, pmm.freeAligned(block, 19));
        assertEquals(Err.INVALID_ARGUMENT, pmm.freeAligned(block, -1));
        assertEquals(Err.INVALID_ARGUMENT, pmm.allocAligned(19));
        long big = pmm.allocAligned(4);
        assertEquals(Err.OK, pmm.freeAligned(big + 8 * 4096, 3));
        assertEquals(Err.NOT_ALLOCATED, pmm.freeAligned(big, 4), "a larger block covering free frames");
        assertEquals(Err.OK, pmm.freeAligned(big, 3));
        // allocation has begun, so the hand-off is over: every release is refused, a handed-out frame included
        assertEquals(Err.MISALIGNED, pmm.release(0x100001, 0x200000));
        assertEquals(Err.INVALID_STATE, pmm.release(a, a + 4096));
        assertEquals(Err.INVALID_STATE, pmm.release(block, block + 8 * 4096));
        assertEquals(freeBefore, pmm.freeFrames());
        assertFalse(pmm.isFree(a));
        for (int i = 0; i < 8; i++) {
            assertFalse(pmm.isFree(block + 4096L * i));
        }
        assertEquals(Err.OK, pmm.freeAligned(block, 3));
        assertEquals(Err.OK, pmm.freeFrame(a));
        assertEquals(100, pmm.freeFrames());
    }

    /** Release refusals during the hand-off (before any allocation) change nothing. */
    @Test
    void releaseRefusalsBeforeAllocation() {
        MemoryMap map = new MemoryMap();
        map.add(0x100000, 0x100000 + 4096L * 100, MemoryMap.USABLE);
        Pmm pmm = new Pmm(map);
        assertEquals(Err.OK, pmm.release(0x100000 + 4096L * 90, 0x100000 + 4096L * 95));
        assertEquals(Err.MISALIGNED, pmm.release(0x100001, 0x200000));
        assertEquals(Err.MISALIGNED, pmm.release(0x200000, 0x100000));
        assertEquals(Err.INVALID_ARGUMENT, pmm.release(0x100000 + 4096L * 90, 0x100000 + 4096L * 91));
        assertEquals(Err.NOT_MANAGED, pmm.release(0, 4096));
        assertEquals(5, pmm.freeFrames());
    }

    /** A map with nothing usable: every operation fails cleanly. */
    @Test
    void emptyMap() {
        MemoryMap map = new MemoryMap();
        map.add(0, 0x9f000, MemoryMap.RESERVED);
        map.add(0x100000, 0x100fff, MemoryMap.USABLE); // rounds inwards to nothing
        Pmm pmm = new Pmm(map);
        assertEquals(0, pmm.managedFrames());
        assertEquals(Err.OK, pmm.release(0x100000, 0x100000));
        assertEquals(Err.NO_MEMORY, pmm.allocFrame());
        assertEquals(Err.NO_MEMORY, pmm.allocAligned(5));
        assertEquals(Err.NOT_MANAGED, pmm.freeFrame(0x100000));
        assertEquals(Err.INVALID_STATE, pmm.release(0x100000, 0x100000));
        assertTrue(Pmm.metadataBytes(map) >= pmm.metadataBytesInUse());
    }

    /** Every frame of an 8 GiB QEMU-like map with the 3-4 GiB hole is handed out exactly once, then refused. */
    @Test
    void allocatesEveryFrameOfALargeMapOnceWithBoundedSearch() {
        MemoryMap map = QemuMaps.gib8();
        Pmm pmm = new Pmm(map);
        for (int i = 0; i < map.count(); i++) {
            if (map.type(i) == MemoryMap.USABLE) {
                assertEquals(Err.OK, pmm.release((map.start(i) + 4095) / 4096 * 4096, map.end(i) / 4096 * 4096));
            }
        }
        long n = pmm.managedFrames();
        java.util.BitSet seen = new java.util.BitSet();
        for (long i = 0; i < n; i++) {
            long pa = pmm.allocFrame();
            assertTrue(pa >= 0);
            int f = (int) (pa / 4096);
            assertFalse(seen.get(f), "handed out twice");
            seen.set(f);
        }
        assertEquals(Err.NO_MEMORY, pmm.allocFrame());
        assertEquals(0, pmm.freeFrames());
        List<Long> back = new ArrayList<>();
        for (int f = seen.nextSetBit(0); f >= 0; f = seen.nextSetBit(f + 1)) {
            back.add(f * 4096L);
        }
        for (long pa : back) {
            assertEquals(Err.OK, pmm.freeFrame(pa));
        }
        assertEquals(n, pmm.freeFrames());
        assertEquals(0, pmm.allocAligned(18) % (1L << 30), "a whole free GiB is found");
    }
}
