package verimem.kernel.memmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import verimem.kernel.arch.Err;

/** Hand-made maps for each sanitiser rule, one rule per test. */
class SanitiserTest {
    static MemoryMap map(long... triples) {
        MemoryMap m = new MemoryMap();
        for (int i = 0; i < triples.length; i += 3) {
            assertEquals(Err.OK, m.add(triples[i], triples[i + 1], (int) triples[i + 2]));
        }
        return m;
    }

    static MemoryMap sanitise(MemoryMap raw) {
        MemoryMap out = new MemoryMap();
        assertEquals(Err.OK, MapSanitiser.sanitise(raw, new MemoryMap(), out));
        assertTrue(MapInvariants.isSanitised(out));
        return out;
    }

    @Test
    void overlapMostRestrictiveWinsWhateverTheOrder() {
        MemoryMap a = sanitise(map(0x0, 0x10000, 1, 0x4000, 0x8000, 3, 0x6000, 0x7000, 2));
        MemoryMap b = sanitise(map(0x6000, 0x7000, 2, 0x4000, 0x8000, 3, 0x0, 0x10000, 1));
        for (MemoryMap m : new MemoryMap[] {a, b}) {
            assertEquals(5, m.count());
            SanitiserKnownMapsTest.assertEntry(m, 0, 0x0, 0x4000, 1);
            SanitiserKnownMapsTest.assertEntry(m, 1, 0x4000, 0x6000, 3);
            SanitiserKnownMapsTest.assertEntry(m, 2, 0x6000, 0x7000, 2);
            SanitiserKnownMapsTest.assertEntry(m, 3, 0x7000, 0x8000, 3);
            SanitiserKnownMapsTest.assertEntry(m, 4, 0x8000, 0x10000, 1);
        }
    }

    @Test
    void unknownTypesBeatReservedAndAreKept() {
        MemoryMap m = sanitise(map(0x0, 0x3000, 2, 0x1000, 0x2000, 20, 0x2000, 0x5000, 1, 0x4000, 0x6000, 128));
        SanitiserKnownMapsTest.assertEntry(m, 0, 0x0, 0x1000, 2);
        SanitiserKnownMapsTest.assertEntry(m, 1, 0x1000, 0x2000, 20);
        SanitiserKnownMapsTest.assertEntry(m, 2, 0x2000, 0x3000, 2);
        SanitiserKnownMapsTest.assertEntry(m, 3, 0x3000, 0x4000, 1);
        SanitiserKnownMapsTest.assertEntry(m, 4, 0x4000, 0x6000, 128);
        assertEquals(5, m.count());
    }

    @Test
    void adjacentSameTypeMergeThenAlign() {
        // two usable halves that only form a whole page together
        MemoryMap m = sanitise(map(0x1800, 0x2800, 1, 0x800, 0x1800, 1));
        assertEquals(1, m.count());
        SanitiserKnownMapsTest.assertEntry(m, 0, 0x1000, 0x2000, 1);
    }

    @Test
    void zeroLengthWrappingAndTooSmallEntriesDropped() {
        MemoryMap m = sanitise(map(
                0x5000, 0x5000, 2, // zero length
                0xfffffffffffff000L, 0x1000, 1, // base + length wrapped past 2^64
                0x7000, 0x3000, 2, // end below start: a wrap too
                0x9100, 0x9f00, 1, // usable, no whole page inside
                0x10000, 0x20000, 1));
        assertEquals(1, m.count());
        SanitiserKnownMapsTest.assertEntry(m, 0, 0x10000, 0x20000, 1);
    }

    @Test
    void clippedAtMaxPhys() {
        MemoryMap m = sanitise(map(MapInvariants.MAX_PHYS - 0x2000, Long.MIN_VALUE + 5, 1,
                MapInvariants.MAX_PHYS, MapInvariants.MAX_PHYS + 0x1000, 1));
        assertEquals(1, m.count());
        SanitiserKnownMapsTest.assertEntry(m, 0, MapInvariants.MAX_PHYS - 0x2000, MapInvariants.MAX_PHYS, 1);
    }

    @Test
    void moreRangesThanCapacityAfterOverlapsIsRejected() {
        // one big usable range pierced by 255 reserved pages: 255 + 256 pieces > CAPACITY
        MemoryMap raw = new MemoryMap();
        raw.add(0, 0x10000000L, 1);
        for (int i = 0; i < MemoryMap.CAPACITY - 1; i++) {
            raw.add(0x2000L * i + 0x1000, 0x2000L * i + 0x2000, 2);
        }
        MemoryMap out = new MemoryMap();
        assertEquals(Err.BAD_MEMORY_MAP, MapSanitiser.sanitise(raw, new MemoryMap(), out));
    }

    @Test
    void carveOutsRoundOutwardAndOnlyRetypeUsable() {
        MemoryMap s = sanitise(map(0x0, 0x100000, 1, 0x100000, 0x101000, 2, 0x101000, 0x400000, 1));
        MemoryMap list = map(0x100800, 0x102001, MemoryMap.KERNEL_IMAGE, 0x3ff000, 0x3ff001, MemoryMap.BOOT_MODULE);
        MemoryMap out = new MemoryMap();
        assertEquals(Err.OK, CarveOuts.apply(s, list, new MemoryMap(), out));
        assertTrue(MapInvariants.isSanitised(out));
        SanitiserKnownMapsTest.assertEntry(out, 0, 0x0, 0x100000, 1);
        SanitiserKnownMapsTest.assertEntry(out, 1, 0x100000, 0x101000, 2); // reserved keeps its type
        SanitiserKnownMapsTest.assertEntry(out, 2, 0x101000, 0x103000, MemoryMap.KERNEL_IMAGE);
        SanitiserKnownMapsTest.assertEntry(out, 3, 0x103000, 0x3ff000, 1);
        SanitiserKnownMapsTest.assertEntry(out, 4, 0x3ff000, 0x400000, MemoryMap.BOOT_MODULE);
        // 0x100 + (0x3ff - 0x103) = 256 + 764 = 1020 frames
        assertEquals(1020, MapInvariants.usableFrames(out));
    }

    @Test
    void carveOutOutsidePhysicalMemoryIsInvalid() {
        MemoryMap s = sanitise(map(0x0, 0x100000, 1));
        MemoryMap out = new MemoryMap();
        assertEquals(Err.INVALID_ARGUMENT,
                CarveOuts.apply(s, map(0x2000, 0x1000, MemoryMap.BOOT_MODULE), new MemoryMap(), out));
        assertEquals(0, out.count());
    }
}
