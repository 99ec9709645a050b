package verimem.kernel.pmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import org.junit.jupiter.api.Test;
import verimem.kernel.arch.Err;
import verimem.kernel.arch.KernelPanic;
import verimem.kernel.memmap.MemoryMap;

/**
 * The PMM tells a frame it handed out from one it never received: frames left out of the hand-off (the pre-PMM's
 * page tables, the PMM metadata) cannot be freed into the pool, and release ends with the first allocation.
 */
class PmmOwnershipTest {
    /** Frames [BASE, BASE + 128): two bitmap words. */
    static final long BASE = 0x100000 / 4096;

    static Pmm pmmOver128Frames() {
        MemoryMap map = new MemoryMap();
        map.add(BASE * 4096, (BASE + 128) * 4096, MemoryMap.USABLE);
        return new Pmm(map);
    }

    static long pa(long offset) {
        return (BASE + offset) * 4096;
    }

    /** The free bit of every managed frame. */
    static BitSet freeBits(Pmm pmm) {
        BitSet bits = new BitSet();
        for (int i = 0; i < 128; i++) {
            bits.set(i, pmm.isFree(pa(i)));
        }
        return bits;
    }

    @Test
    void aFrameNeverReleasedCannotBeFreedBeforeOrAfterTheFirstAllocation() {
        Pmm pmm = pmmOver128Frames();
        assertEquals(Err.OK, pmm.release(pa(0), pa(60)));
        assertEquals(Err.OK, pmm.release(pa(61), pa(128)));
        // hand-off window: nothing handed out yet, so a non-free frame is nobody's to free
        assertEquals(Err.NOT_OWNED, pmm.freeFrame(pa(60)));
        assertEquals(Err.NOT_OWNED, pmm.freeAligned(pa(60), 0));
        assertEquals(Err.NOT_ALLOCATED, pmm.freeFrame(pa(5)));
        assertEquals(127, pmm.freeFrames());
        assertFalse(pmm.isFree(pa(60)));

        for (int i = 0; i < 127; i++) {
            assertTrue(pmm.allocFrame() >= 0);
        }
        assertEquals(1, pmm.reservedRunCount());
        assertEquals(0, pmm.freeFrames());
        BitSet before = freeBits(pmm);
        assertEquals(Err.NOT_OWNED, pmm.freeFrame(pa(60)));
        // an aligned block whose other 7 frames are handed out: refused as a whole, none of them freed
        assertEquals(Err.NOT_OWNED, pmm.freeAligned(pa(56), 3));
        assertEquals(Err.NOT_OWNED, pmm.freeAligned(pa(0), 7));
        assertEquals(before, freeBits(pmm));
        assertEquals(0, pmm.freeFrames());
        assertTrue(pmm.handedOut(BASE + 59) && !pmm.handedOut(BASE + 60) && pmm.handedOut(BASE + 61));
        // the frames around it are the PMM's and go back normally
        assertEquals(Err.OK, pmm.freeFrame(pa(59)));
        assertEquals(Err.OK, pmm.freeFrame(pa(61)));
        assertEquals(Err.OK, pmm.freeAligned(pa(64), 6));
        assertEquals(66, pmm.freeFrames());
        assertFalse(pmm.isFree(pa(60)));
    }

    @Test
    void releaseEndsWithTheFirstAllocationCall() {
        Pmm pmm = pmmOver128Frames();
        assertEquals(Err.OK, pmm.release(pa(0), pa(64)));
        long a = pmm.allocFrame();
        assertTrue(a >= 0);
        BitSet before = freeBits(pmm);
        long free = pmm.freeFrames();
        // a handed-out frame would be handed out twice; a never-released one would leave its owner
        assertEquals(Err.INVALID_STATE, pmm.release(a, a + 4096));
        assertEquals(Err.INVALID_STATE, pmm.release(pa(64), pa(128)));
        assertEquals(Err.INVALID_STATE, pmm.release(pa(0), pa(128)));
        assertEquals(before, freeBits(pmm));
        assertEquals(free, pmm.freeFrames());
        assertEquals(1, pmm.reservedRunCount());
        assertEquals(Err.NOT_OWNED, pmm.freeFrame(pa(100)));
        assertEquals(Err.OK, pmm.freeFrame(a));
    }

    @Test
    void aFailedAllocationAlsoEndsTheHandOff() {
        Pmm pmm = pmmOver128Frames();
        assertEquals(Err.NO_MEMORY, pmm.allocFrame());
        assertEquals(Err.INVALID_STATE, pmm.release(pa(0), pa(128)));
        assertEquals(0, pmm.freeFrames());
        assertEquals(Err.NOT_OWNED, pmm.freeFrame(pa(0)));
        Pmm other = pmmOver128Frames();
        assertEquals(Err.INVALID_ARGUMENT, other.allocAligned(-1));
        assertEquals(Err.INVALID_STATE, other.release(pa(0), pa(128)));
    }

    @Test
    void tooManyNeverReleasedRunsPanicAtTheSeal() {
        MemoryMap map = new MemoryMap();
        map.add(BASE * 4096, (BASE + 4 * Pmm.MAX_RESERVED_RUNS) * 4096, MemoryMap.USABLE);
        Pmm pmm = new Pmm(map);
        // every other frame released: MAX_RESERVED_RUNS * 2 single-frame gaps
        for (int i = 0; i < 4 * Pmm.MAX_RESERVED_RUNS; i += 2) {
            assertEquals(Err.OK, pmm.release(pa(i), pa(i + 1)));
        }
        KernelPanic p = assertThrows(KernelPanic.class, pmm::allocFrame);
        assertTrue(p.getMessage().contains("never-released runs"), p.getMessage());
        // exactly the limit is fine
        Pmm fits = new Pmm(map);
        for (int i = 0; i < 2 * Pmm.MAX_RESERVED_RUNS; i += 2) {
            assertEquals(Err.OK, fits.release(pa(i), pa(i + 1)));
        }
        assertEquals(Err.OK, fits.release(pa(2 * Pmm.MAX_RESERVED_RUNS), pa(4 * Pmm.MAX_RESERVED_RUNS)));
        assertTrue(fits.allocFrame() >= 0);
        assertEquals(Pmm.MAX_RESERVED_RUNS, fits.reservedRunCount());
    }
}
