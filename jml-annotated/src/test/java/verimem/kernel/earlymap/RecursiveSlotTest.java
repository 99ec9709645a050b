package verimem.kernel.earlymap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import verimem.kernel.arch.Layout;
import verimem.kernel.arch.VirtAddr;

/** The recursive-slot arithmetic against an independent bit-level formula (masks and shifts are fine in tests). */
class RecursiveSlotTest {
    static long expectedTable(long va, int level) {
        long r = 510;
        long base = 0xFFFF000000000000L | (r << 39);
        long idx4 = (va >>> 39) & 511, idx3 = (va >>> 30) & 511, idx2 = (va >>> 21) & 511;
        switch (level) {
            case 4: return base | (r << 30) | (r << 21) | (r << 12);
            case 3: return base | (r << 30) | (r << 21) | (idx4 << 12);
            case 2: return base | (r << 30) | (idx4 << 21) | (idx3 << 12);
            default: return base | (idx4 << 30) | (idx3 << 21) | (idx2 << 12);
        }
    }

    @Property(tries = 2000)
    void tablesAndEntriesMatchTheBitFormula(@ForAll long raw, @ForAll @IntRange(min = 1, max = 4) int level) {
        long va = (raw << 16) >> 16; // canonical
        assertEquals(expectedTable(va, level), RecursiveSlot.tableOf(va, level));
        long idx = (va >>> (12 + 9 * (level - 1))) & 511;
        assertEquals(expectedTable(va, level) + 8 * idx, RecursiveSlot.entryOf(va, level));
        assertTrue(VirtAddr.isCanonical(RecursiveSlot.tableOf(va, level)));
        assertTrue(RecursiveSlot.inSlot(RecursiveSlot.tableOf(va, level)));
        assertEquals(((va >>> 39) & 511) == 510, RecursiveSlot.inSlot(va));
    }

    @Property(tries = 200)
    void slotBoundaries(@ForAll @IntRange(min = 0, max = 511) int slot) {
        long va = VirtAddr.fromIndices(slot, 0, 0, 0);
        assertEquals(slot == 510, RecursiveSlot.inSlot(va));
        assertEquals(slot == 510, RecursiveSlot.inSlot(va + Layout.SLOT_SIZE - 1));
    }

    @Example
    void pml4IsTheFixedPoint() {
        assertEquals(0xFFFFFF7FBFDFE000L, RecursiveSlot.pml4Table());
        assertEquals(Layout.RECURSIVE_BASE, VirtAddr.fromIndices(510, 0, 0, 0));
        assertFalse(RecursiveSlot.inSlot(Layout.KERNEL_BASE));
        assertFalse(RecursiveSlot.inSlot(0x0000800000000000L));
    }
}
