package verimem.kernel.earlymap;

import verimem.kernel.arch.Layout;
import verimem.kernel.arch.VirtAddr;

/**
 * Where page-table entries appear once PML4[510] points at the PML4 itself. A walk through slot 510 uses one
 * level up as if it were one level down, so each table of the current address space shows up as an ordinary
 * 4 KiB page:
 *
 * | table holding the entry for va at level | virtual address of that table           |
 * |-----------------------------------------|-----------------------------------------|
 * | 4 (PML4)                                | fromIndices(510, 510, 510, 510)         |
 * | 3 (PDPT)                                | fromIndices(510, 510, 510, i4)          |
 * | 2 (PD)                                  | fromIndices(510, 510, i4, i3)           |
 * | 1 (PT)                                  | fromIndices(510, i4, i3, i2)            |
 *
 * where i4..i1 are va's indices. Pure arithmetic on four 9-bit numbers: no table, no state, nothing to map.
 */
public final class RecursiveSlot {
    private RecursiveSlot() {
    }

    public static final int SLOT = Layout.RECURSIVE_SLOT;
    /** fromIndices(SLOT, 0, 0, 0) = 0xFFFFFF0000000000: where the page tables (level 1) appear. */
    public static final long PT_TABLES = -1099511627776L;
    /** fromIndices(SLOT, SLOT, 0, 0) = 0xFFFFFF7F80000000: where the page directories (level 2) appear. */
    public static final long PD_TABLES = -551903297536L;
    /** fromIndices(SLOT, SLOT, SLOT, 0) = 0xFFFFFF7FBFC00000: where the PDPTs (level 3) appear. */
    public static final long PDPT_TABLES = -550833750016L;
    /** fromIndices(SLOT, SLOT, SLOT, SLOT) = 0xFFFFFF7FBFDFE000: where the PML4 (level 4) appears. */
    public static final long PML4_TABLE = -550831661056L;

    /*@ public normal_behavior
      @   ensures \result == VirtAddr.fromIndices(SLOT, SLOT, SLOT, SLOT);
      @*/
    public /*@ pure @*/ static long pml4Table() {
        return VirtAddr.fromIndices(SLOT, SLOT, SLOT, SLOT);
    }

    /**
     * Virtual address of the table (4 = PML4 .. 1 = PT) that holds va's entry at that level. One spec case per
     * level (as VirtAddr.index does): each is proved on its own branch, and a caller with a known level gets the
     * exact address without a case split over the others. Each is fromIndices of the class comment written out:
     * the table base (the *_TABLES constants, fromIndices with zero indices; checked in RecursiveSlotClosedFormTest)
     * plus the page number of each index, so that neither KeY nor the C code goes through fromIndices' sign case
     * once per call. The code takes the indices from VirtAddr's per-level methods (one spec case each, "= index(va,
     * k)" plus the range): the exact cases then match the spec term by term, and the first case (canonical, stated
     * as the range isCanonical tests, and page-aligned) needs only the ranges, never index's shift arithmetic.
     */
    /*@ public normal_behavior
      @   requires 1 <= level && level <= 4;
      @   ensures VirtAddr.UPPER_HALF_START <= \result && \result < VirtAddr.LOWER_HALF_END && \result % 4096 == 0;
      @ also public normal_behavior
      @   requires level == 4;
      @   ensures \result == VirtAddr.fromIndices(SLOT, SLOT, SLOT, SLOT);
      @ also public normal_behavior
      @   requires level == 3;
      @   ensures \result == PDPT_TABLES + 4096L * VirtAddr.index(va, 4);
      @ also public normal_behavior
      @   requires level == 2;
      @   ensures \result == PD_TABLES + 2097152L * VirtAddr.index(va, 4) + 4096L * VirtAddr.index(va, 3);
      @ also public normal_behavior
      @   requires level == 1;
      @   ensures \result == PT_TABLES + 1073741824L * VirtAddr.index(va, 4) + 2097152L * VirtAddr.index(va, 3)
      @                     + 4096L * VirtAddr.index(va, 2);
      @*/
    public /*@ strictly_pure @*/ static long tableOf(long va, int level) {
        if (level == 4) {
            return PML4_TABLE;
        }
        if (level == 3) {
            return PDPT_TABLES + 4096L * VirtAddr.pml4Index(va);
        }
        if (level == 2) {
            return PD_TABLES + 2097152L * VirtAddr.pml4Index(va) + 4096L * VirtAddr.pdptIndex(va);
        }
        return PT_TABLES + 1073741824L * VirtAddr.pml4Index(va) + 2097152L * VirtAddr.pdptIndex(va)
                + 4096L * VirtAddr.pdIndex(va);
    }

    /**
     * Virtual address of va's entry at a level: its table plus 8 bytes per index. One branch per level with the
     * per-level index method, so that the proof links each branch to the spec's tableOf and index terms directly.
     */
    /*@ public normal_behavior
      @   requires 1 <= level && level <= 4;
      @   ensures \result == tableOf(va, level) + 8L * VirtAddr.index(va, level);
      @ also public normal_behavior
      @   requires 1 <= level && level <= 4;
      @   ensures \result % 8 == 0;
      @*/
    public /*@ strictly_pure @*/ static long entryOf(long va, int level) {
        if (level == 4) {
            return PML4_TABLE + 8L * VirtAddr.pml4Index(va);
        }
        if (level == 3) {
            return tableOf(va, 3) + 8L * VirtAddr.pdptIndex(va);
        }
        if (level == 2) {
            return tableOf(va, 2) + 8L * VirtAddr.pdIndex(va);
        }
        return tableOf(va, 1) + 8L * VirtAddr.ptIndex(va);
    }

    /** True when va lies in the recursive slot itself, where the early mapper must never map anything. */
    /*@ public normal_behavior
      @   ensures \result == (VirtAddr.index(va, 4) == SLOT && VirtAddr.isCanonical(va));
      @*/
    public /*@ pure @*/ static boolean inSlot(long va) {
        return VirtAddr.isCanonical(va) && VirtAddr.index(va, 4) == SLOT;
    }
}
