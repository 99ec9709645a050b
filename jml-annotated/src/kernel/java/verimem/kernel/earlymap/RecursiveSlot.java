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

    /*@ public normal_behavior
      @   ensures \result == VirtAddr.fromIndices(SLOT, SLOT, SLOT, SLOT);
      @*/
    public /*@ pure @*/ static long pml4Table() {
        return VirtAddr.fromIndices(SLOT, SLOT, SLOT, SLOT);
    }

    /**
     * Virtual address of the table (4 = PML4 .. 1 = PT) that holds va's entry at that level. One spec case per
     * level (as VirtAddr.index does): each is proved on its own branch, and a caller with a known level gets the
     * exact address without a case split over the others.
     */
    /*@ public normal_behavior
      @   requires 1 <= level && level <= 4;
      @   ensures VirtAddr.isCanonical(\result) && \result % 4096 == 0;
      @ also public normal_behavior
      @   requires level == 4;
      @   ensures \result == VirtAddr.fromIndices(SLOT, SLOT, SLOT, SLOT);
      @ also public normal_behavior
      @   requires level == 3;
      @   ensures \result == VirtAddr.fromIndices(SLOT, SLOT, SLOT, VirtAddr.index(va, 4));
      @ also public normal_behavior
      @   requires level == 2;
      @   ensures \result == VirtAddr.fromIndices(SLOT, SLOT, VirtAddr.index(va, 4), VirtAddr.index(va, 3));
      @ also public normal_behavior
      @   requires level == 1;
      @   ensures \result == VirtAddr.fromIndices(SLOT, VirtAddr.index(va, 4), VirtAddr.index(va, 3),
      @                                           VirtAddr.index(va, 2));
      @*/
    public /*@ pure @*/ static long tableOf(long va, int level) {
        if (level == 4) {
            return VirtAddr.fromIndices(SLOT, SLOT, SLOT, SLOT);
        }
        if (level == 3) {
            return VirtAddr.fromIndices(SLOT, SLOT, SLOT, VirtAddr.index(va, 4));
        }
        if (level == 2) {
            return VirtAddr.fromIndices(SLOT, SLOT, VirtAddr.index(va, 4), VirtAddr.index(va, 3));
        }
        return VirtAddr.fromIndices(SLOT, VirtAddr.index(va, 4), VirtAddr.index(va, 3), VirtAddr.index(va, 2));
    }

    /** Virtual address of va's entry at a level: its table plus 8 bytes per index. */
    /*@ public normal_behavior
      @   requires 1 <= level && level <= 4;
      @   ensures \result == tableOf(va, level) + 8L * VirtAddr.index(va, level);
      @ also public normal_behavior
      @   requires 1 <= level && level <= 4;
      @   ensures \result % 8 == 0;
      @*/
    public /*@ pure @*/ static long entryOf(long va, int level) {
        return tableOf(va, level) + 8L * VirtAddr.index(va, level);
    }

    /** True when va lies in the recursive slot itself, where the early mapper must never map anything. */
    /*@ public normal_behavior
      @   ensures \result == (VirtAddr.index(va, 4) == SLOT && VirtAddr.isCanonical(va));
      @*/
    public /*@ pure @*/ static boolean inSlot(long va) {
        return VirtAddr.isCanonical(va) && VirtAddr.index(va, 4) == SLOT;
    }
}
