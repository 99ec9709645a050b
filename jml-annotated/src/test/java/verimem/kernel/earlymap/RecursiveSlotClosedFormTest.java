package verimem.kernel.earlymap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import verimem.kernel.arch.VirtAddr;

/** tableOf's written-out form (the *_TABLES constants plus page numbers) is fromIndices of the class comment. */
class RecursiveSlotClosedFormTest {
    @Test
    void tableBasesAreFromIndices() {
        int s = RecursiveSlot.SLOT;
        assertEquals(VirtAddr.fromIndices(s, 0, 0, 0), RecursiveSlot.PT_TABLES);
        assertEquals(VirtAddr.fromIndices(s, s, 0, 0), RecursiveSlot.PD_TABLES);
        assertEquals(VirtAddr.fromIndices(s, s, s, 0), RecursiveSlot.PDPT_TABLES);
        assertEquals(VirtAddr.fromIndices(s, s, s, s), RecursiveSlot.PML4_TABLE);
        assertEquals(RecursiveSlot.pml4Table(), RecursiveSlot.PML4_TABLE);
    }

    @Property(tries = 3000)
    void tableOfIsFromIndicesOfTheIndices(@ForAll long va) {
        int s = RecursiveSlot.SLOT;
        int i4 = VirtAddr.index(va, 4), i3 = VirtAddr.index(va, 3), i2 = VirtAddr.index(va, 2);
        assertEquals(VirtAddr.fromIndices(s, s, s, s), RecursiveSlot.tableOf(va, 4));
        assertEquals(VirtAddr.fromIndices(s, s, s, i4), RecursiveSlot.tableOf(va, 3));
        assertEquals(VirtAddr.fromIndices(s, s, i4, i3), RecursiveSlot.tableOf(va, 2));
        assertEquals(VirtAddr.fromIndices(s, i4, i3, i2), RecursiveSlot.tableOf(va, 1));
        for (int level = 1; level <= 4; level++) {
            assertEquals(RecursiveSlot.tableOf(va, level) + 8L * VirtAddr.index(va, level),
                    RecursiveSlot.entryOf(va, level));
        }
    }
}
