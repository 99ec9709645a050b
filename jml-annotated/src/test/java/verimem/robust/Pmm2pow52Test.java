package verimem.robust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import verimem.kernel.arch.Err;
import verimem.kernel.arch.KernelPanic;
import verimem.kernel.memmap.MapInvariants;
import verimem.kernel.memmap.MapSanitiser;
import verimem.kernel.memmap.MemoryMap;
import verimem.kernel.pmm.Pmm;

/**
 * A firmware map whose usable range reaches 2^52 (directly, or as a wrapping entry the sanitiser clips to 2^52)
 * needs more than 2^31 bitmap words. That is a clean rejection: Pmm.checkFits says BAD_MEMORY_MAP (what the
 * bootstrap asks first), and the constructor, if called anyway, panics with a message; never a
 * NegativeArraySizeException or an int that silently wraps to a small bitmap.
 */
class Pmm2pow52Test {
    static final long MAX_PHYS = MapInvariants.MAX_PHYS;

    static void assertCleanRejection(MemoryMap usable) {
        assertEquals(Err.BAD_MEMORY_MAP, Pmm.checkFits(usable), "the check callers run first");
        try {
            Pmm pmm = new Pmm(usable);
            // if a future PMM accepts it, it must at least account for every frame it claims
            assertEquals(MapInvariants.usableFrames(usable), pmm.managedFrames());
        } catch (KernelPanic p) {
            assertTrue(p.getMessage() != null && p.getMessage().startsWith("pmm"), p.getMessage());
        }
    }

    /** Was a bug (NegativeArraySizeException), fixed on main by Pmm.checkFits / SegmentTable.fits (ba25107). */
    @Test
    void usableRangesReaching2pow52AreRejectedWithAPanicMessage() {
        long[][] ranges = {
            {MAX_PHYS - (1L << 50), MAX_PHYS}, // 2^31 + 2^30 words: negative as an int
            {MAX_PHYS - (1L << 49), MAX_PHYS}, // exactly 2^31 words
            {1L << 20, MAX_PHYS}, // almost 2^34 words: wraps to a small int
        };
        for (long[] r : ranges) {
            MemoryMap m = new MemoryMap();
            m.add(r[0], r[1], MemoryMap.USABLE);
            assertCleanRejection(m);
        }
        // and the way a hostile firmware gets there: a usable entry reaching 2^64, which the sanitiser clips to 2^52
        MemoryMap raw = new MemoryMap();
        raw.add(1L << 20, -1L, MemoryMap.USABLE);
        MemoryMap clean = new MemoryMap();
        assertEquals(0, MapSanitiser.sanitise(raw, new MemoryMap(), clean));
        assertEquals(MAX_PHYS, clean.end(clean.count() - 1), "clipped to 2^52");
        assertCleanRejection(clean);
    }

    @Test
    void aRangeJustBelowTheIntLimitStillBuilds() {
        // 2^28 frames = 1 TiB: 2^22 words, an ordinary (if large) PMM; the boundary the fix must not move
        MemoryMap m = new MemoryMap();
        m.add(MAX_PHYS - (1L << 40), MAX_PHYS, MemoryMap.USABLE);
        assertEquals(Err.OK, Pmm.checkFits(m));
        Pmm pmm = new Pmm(m);
        assertEquals(1L << 28, pmm.managedFrames());
        assertEquals(0, pmm.freeFrames());
    }
}
