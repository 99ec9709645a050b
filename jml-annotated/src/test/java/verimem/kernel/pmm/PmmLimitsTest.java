package verimem.kernel.pmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import verimem.kernel.arch.Err;
import verimem.kernel.arch.KernelPanic;
import verimem.kernel.memmap.MapInvariants;
import verimem.kernel.memmap.MemoryMap;

/**
 * The bitmap is indexed by int, so a PMM manages at most SegmentTable.MAX_WORDS words (2^31 - 1 words of 64
 * frames, just under 512 TiB). A sanitised map may legally reach MAXPHYADDR (2^52); before this check such a map
 * made the word count wrap and {@code new Pmm} died with a negative array size (found by the AOT differential
 * suite). Now the limit is a typed error up front and a panic with a message as the last line of defence.
 */
class PmmLimitsTest {

    private static MemoryMap usable(long start, long end) {
        MemoryMap m = new MemoryMap();
        m.add(start, end, MemoryMap.USABLE);
        return m;
    }

    @Test
    void aRangeUpToThePhysicalLimitIsRefusedWithATypedError() {
        MemoryMap map = usable(0x100000, MapInvariants.MAX_PHYS);
        assertTrue(MapInvariants.isSanitised(map), "the map is legal sanitiser output");
        assertEquals(Err.BAD_MEMORY_MAP, Pmm.checkFits(map));
        KernelPanic p = assertThrows(KernelPanic.class, () -> new Pmm(map));
        assertTrue(p.getMessage().contains("bitmap limit"), p.getMessage());
    }

    /** 2^37 frames need exactly 2^31 words: the first size whose word count no longer fits an int. */
    @Test
    void theLimitSitsExactlyAtTheIntIndexedBitmap() {
        long lastFitting = SegmentTable.MAX_WORDS * 64 * Pmm.FRAME;
        assertEquals(Err.OK, Pmm.checkFits(usable(0, lastFitting)));
        assertEquals(Err.BAD_MEMORY_MAP, Pmm.checkFits(usable(0, lastFitting + 64 * Pmm.FRAME)));
        assertEquals(Err.BAD_MEMORY_MAP, Pmm.checkFits(usable(0, 1L << 49)));
        assertThrows(KernelPanic.class, () -> new Pmm(usable(0, 1L << 49)));
    }

    /** Several ranges that each fit but together exceed the limit are refused as a whole. */
    @Test
    void theLimitCountsAllRangesTogether() {
        MemoryMap map = new MemoryMap();
        map.add(0, 1L << 48, MemoryMap.USABLE);
        map.add((1L << 48) + Pmm.FRAME, 1L << 49, MemoryMap.USABLE);
        assertEquals(Err.BAD_MEMORY_MAP, Pmm.checkFits(map));
        map = usable(0, 1L << 48);
        assertEquals(Err.OK, Pmm.checkFits(map));
    }

    @Test
    void ordinaryMapsFitAndStillWork() {
        MemoryMap map = usable(0x100000, 0x8000000);
        assertEquals(Err.OK, Pmm.checkFits(map));
        Pmm pmm = new Pmm(map);
        assertEquals(Err.OK, pmm.release(0x100000, 0x8000000));
        long pa = pmm.allocFrame();
        assertTrue(pa >= 0x100000);
        assertFalse(pmm.isFree(pa));
    }
}
