package verimem.kernel.earlymap;

import verimem.kernel.arch.Cpu;
import verimem.kernel.arch.Err;
import verimem.kernel.arch.KernelPanic;
import verimem.kernel.arch.Pte;
import verimem.kernel.arch.VirtAddr;
import verimem.kernel.prepmm.PrePmm;

/**
 * The early mapper: maps 4 KiB and 2 MiB pages in the address space the loader left in CR3, taking page-table
 * frames from the pre-PMM. Used before the PMM exists (to map the PMM's own metadata) and dropped at hand-off.
 *
 * How a brand-new table frame is reached before it is mapped anywhere: through the RECURSIVE SLOT. The mapper
 * first points PML4[510] at the PML4 itself, writing that one entry through the loader's identity window (the
 * only time it uses the window). From then on every table of the address space, including one linked a moment
 * ago, has a fixed virtual address computed from the indices of the address it serves ({@link RecursiveSlot}).
 * Why this and not a temporary mapping window:
 * - no table is needed to make the window work: a temporary window needs its own PT mapped in advance and one
 *   remap + invlpg per table touched, a recursive slot needs nothing but the one PML4 entry;
 * - every level is reached by pure arithmetic (four 9-bit indices), with no state that could go stale;
 * - that arithmetic is small, closed-form and easy to prove with KeY and to check exhaustively in tests.
 * The price is one PML4 slot (512 GiB of virtual space) that Layout reserves anyway, and that the page tables
 * are writable through it, which only the kernel can reach (the entry is supervisor-only and no-execute).
 *
 * Order of each change, so that no walk ever sees garbage and no stale translation survives: a new table is
 * linked into its parent, the recursive address of the new table is invalidated (a previous table may have sat
 * at the same place, e.g. after a rollback), and the table is zeroed through that address before any walk goes
 * through it. Every entry written or cleared is followed by invlpg of the address it affects.
 *
 * Scope: kernel mappings made before the VMM exists. Tables it creates get PRESENT + WRITABLE (+ USER when the leaf
 * asks for USER); tables that already exist keep their flags, so effective permissions are the leaf's only when
 * the parents allow them (the VMM, not this mapper, handles user space).
 *
 * A mapping that runs out of frames halfway is rolled back: the tables it linked are unlinked and freed back to
 * the pre-PMM, so nothing leaks and no partial mapping remains.
 */
public final class EarlyMapper {
    /** The loader maps physical [0, 1 GiB) at the same virtual addresses (the identity window). */
    public static final long IDENTITY_WINDOW = 1073741824L;
    private static final long TABLE_FLAGS = Pte.PRESENT + Pte.WRITABLE;

    //@ public invariant pre != null && \invariant_for(pre);
    /* CR3's frame, as Pte.frame gives it: what makes the writes through the identity window 8-byte aligned. */
    //@ public invariant 0 <= pml4Pa && pml4Pa < Pte.PHYS_LIMIT && pml4Pa % 4096 == 0;
    /*@ spec_public @*/ private final PrePmm pre;
    /*@ spec_public @*/ private final long pml4Pa;
    /*@ spec_public @*/ private boolean installed;

    /*@ public normal_behavior
      @   requires frames != null && \invariant_for(frames);
      @   ensures pre == frames && !installed;
      @*/
    public EarlyMapper(PrePmm frames) {
        pre = frames;
        pml4Pa = Pte.frame(Cpu.readCr3());
        installed = false;
    }

    /*@ public normal_behavior
      @   ensures \result == pml4Pa;
      @   assignable \nothing;
      @*/
    public long pml4() {
        return pml4Pa;
    }

    /*@ public normal_behavior
      @   ensures \result == installed;
      @   assignable \nothing;
      @*/
    public boolean recursiveSlotInstalled() {
        return installed;
    }

    /**
     * Points PML4[510] at the PML4, writing through the identity window. Refused when the PML4 is outside the
     * window or slot 510 is already used for something else.
     */
    /*@ public normal_behavior
      @   ensures \result == Err.OK <==> installed;
      @   ensures \result == Err.OK || \result == Err.INVALID_ARGUMENT || \result == Err.ALREADY_MAPPED;
      @   assignable installed;
      @*/
    public long installRecursiveSlot() {
        long result = writeRecursiveSlot(pml4Pa);
        installed = result == Err.OK;
        return result;
    }

    /**
     * The machine side of installRecursiveSlot: Err.OK when PML4[510] now points at the PML4 (written now or
     * found so). Static and touching no field, so the caller's proof keeps the pre-PMM's invariant for free: every
     * intrinsic call here adds a heap layer on which that invariant would otherwise have to be shown again.
     */
    /*@ private normal_behavior
      @   requires 0 <= pml4 && pml4 < Pte.PHYS_LIMIT && pml4 % 4096 == 0;
      @   ensures \result == Err.OK || \result == Err.INVALID_ARGUMENT || \result == Err.ALREADY_MAPPED;
      @   assignable \nothing;
      @*/
    private static long writeRecursiveSlot(long pml4) {
        if (pml4 > IDENTITY_WINDOW - VirtAddr.PAGE_SIZE) {
            return Err.INVALID_ARGUMENT;
        }
        long slotEntry = pml4 + 8L * RecursiveSlot.SLOT;
        long old = Cpu.load64(slotEntry);
        if (Pte.isPresent(old)) {
            return Pte.frame(old) == pml4 ? Err.OK : Err.ALREADY_MAPPED;
        }
        Cpu.store64(slotEntry, Pte.make(pml4, Pte.NO_EXECUTE + TABLE_FLAGS));
        Cpu.invlpg(RecursiveSlot.pml4Table());
        return Err.OK;
    }

    /** Err.OK or the reason; writable without NO_EXECUTE is refused with Err.WRITE_EXECUTE (W^X). */
    /*@ public normal_behavior
      @   ensures \result == Err.OK || \result < 0;
      @   assignable pre.count, pre.starts[*], pre.frames[*], pre.purposes[*], pre.failCountdown;
      @*/
    public long map4k(long va, long pa, long flags) {
        return map(va, pa, flags, 1);
    }

    /*@ public normal_behavior
      @   ensures \result == Err.OK || \result < 0;
      @   assignable pre.count, pre.starts[*], pre.frames[*], pre.purposes[*], pre.failCountdown;
      @*/
    public long map2m(long va, long pa, long flags) {
        return map(va, pa, flags, 2);
    }

    /**
     * Checks shared by map, unmap and translate; Err.OK when va may be handled by the early mapper at all. A helper
     * (reads one field, changes nothing), so translate needs no invariant to call it.
     */
    /*@ private normal_behavior
      @   ensures \result == Err.OK || \result == Err.INVALID_ARGUMENT || \result == Err.NON_CANONICAL;
      @   ensures \result == Err.OK ==> (installed && VirtAddr.isCanonical(va));
      @   assignable \nothing;
      @*/
    private /*@ helper @*/ long checkVirtual(long va) {
        if (!installed) {
            return Err.INVALID_ARGUMENT;
        }
        if (!VirtAddr.isCanonical(va)) {
            return Err.NON_CANONICAL;
        }
        if (RecursiveSlot.inSlot(va)) {
            return Err.INVALID_ARGUMENT;
        }
        return Err.OK;
    }

    /** flags: WRITABLE, USER, WRITE_THROUGH, CACHE_DISABLE, GLOBAL, NO_EXECUTE; never PRESENT or HUGE. */
    private static boolean validFlags(long flags) {
        long low = flags;
        if (low < 0) {
            low = low - Long.MIN_VALUE;
        }
        return low >= 0 && low < 512 && !Pte.has(low, Pte.BIT_PRESENT) && !Pte.has(low, Pte.BIT_HUGE)
                && !Pte.has(low, 5) && !Pte.has(low, 6);
    }

    /*@ private normal_behavior
      @   requires leafLevel == 1 || leafLevel == 2;
      @   ensures \result == Err.OK || \result < 0;
      @   assignable pre.count, pre.starts[*], pre.frames[*], pre.purposes[*], pre.failCountdown;
      @*/
    private long map(long va, long pa, long flags, int leafLevel) {
        long check = checkVirtual(va);
        if (check != Err.OK) {
            return check;
        }
        long size = leafLevel == 1 ? VirtAddr.PAGE_SIZE : VirtAddr.LARGE_PAGE_SIZE;
        if (va % size != 0 || pa % size != 0) {
            return Err.MISALIGNED;
        }
        if (pa < 0 || pa >= Pte.PHYS_LIMIT || !validFlags(flags)) {
            return Err.INVALID_ARGUMENT;
        }
        if (Pte.has(flags, Pte.BIT_WRITABLE) && flags >= 0) {
            return Err.WRITE_EXECUTE; // W^X, as the VMM's map: the direct map and PMM metadata are data (NX)
        }
        long existing = probe(va, leafLevel);
        if (existing != Err.OK) {
            return existing;
        }
        int created = 0;
        for (int level = 4; level > leafLevel; level--) {
            long entryVa = RecursiveSlot.entryOf(va, level);
            if (!Pte.isPresent(Cpu.load64(entryVa))) {
                long table = pre.allocFrame(PrePmm.PAGE_TABLE);
                if (table < 0) {
                    rollback(va, level + 1, created);
                    return table;
                }
                long parentFlags = TABLE_FLAGS;
                if (Pte.has(flags, Pte.BIT_USER)) {
                    parentFlags = parentFlags + Pte.USER;
                }
                Cpu.store64(entryVa, Pte.make(table, parentFlags));
                long tableVa = RecursiveSlot.tableOf(va, level - 1);
                Cpu.invlpg(tableVa);
                for (int i = 0; i < VirtAddr.ENTRIES; i++) {
                    Cpu.store64(tableVa + 8L * i, 0);
                }
                created = created + 1;
            }
        }
        long leafFlags = flags + Pte.PRESENT;
        if (leafLevel == 2) {
            leafFlags = leafFlags + Pte.HUGE;
        }
        Cpu.store64(RecursiveSlot.entryOf(va, leafLevel), Pte.make(pa, leafFlags));
        Cpu.invlpg(va);
        return Err.OK;
    }

    /**
     * Read-only walk before anything changes: Err.OK when the walk down to leafLevel hits only missing or table
     * entries and the leaf is free; otherwise the reason, so a refused mapping never allocates.
     */
    private long probe(long va, int leafLevel) {
        for (int level = 4; level >= leafLevel; level--) {
            long e = Cpu.load64(RecursiveSlot.entryOf(va, level));
            if (!Pte.isPresent(e)) {
                return Err.OK;
            }
            if (level == leafLevel) {
                return Err.ALREADY_MAPPED;
            }
            if (Pte.has(e, Pte.BIT_HUGE)) {
                return Err.PARENT_HUGE_PAGE;
            }
        }
        return Err.OK;
    }

    /**
     * Undoes the tables a failed map linked: they form a chain whose deepest link is the entry at level
     * lowestLevel; unlink deepest first (each parent is still reachable through the slot), invalidate the
     * table's recursive address, give the frame back.
     */
    private void rollback(long va, int lowestLevel, int created) {
        for (int level = lowestLevel; level < lowestLevel + created; level++) {
            long entryVa = RecursiveSlot.entryOf(va, level);
            long table = Pte.frame(Cpu.load64(entryVa));
            Cpu.store64(entryVa, 0);
            Cpu.invlpg(RecursiveSlot.tableOf(va, level - 1));
            if (pre.free(table) != Err.OK) {
                throw new KernelPanic("early mapper: rollback could not return a page table");
            }
        }
    }

    /**
     * Physical address va translates to in the current tables (4 KiB, 2 MiB or 1 GiB leaves), or
     * Err.NOT_MAPPED / Err.NON_CANONICAL / Err.INVALID_ARGUMENT (before the slot is installed). A helper: it
     * reads one field and assigns nothing, so its proof need not show the pre-PMM's invariant again after the loads.
     */
    /*@ public normal_behavior
      @   ensures \result >= 0 || \result == Err.NOT_MAPPED || \result == Err.NON_CANONICAL
      @        || \result == Err.INVALID_ARGUMENT;
      @   assignable \nothing;
      @*/
    public /*@ helper @*/ long translate(long va) {
        long check = checkVirtual(va);
        if (check != Err.OK) {
            return check;
        }
        return walk(va);
    }

    /**
     * translate's walk down the current tables through the recursive slot. Static and touching no field (as
     * writeRecursiveSlot), so translate's proof need not show the pre-PMM's invariant again after each load.
     */
    /*@ private normal_behavior
      @   ensures \result >= 0 || \result == Err.NOT_MAPPED;
      @   assignable \nothing;
      @*/
    private static long walk(long va) {
        /*@ loop_invariant 0 <= level && level <= 4;
          @ decreasing level;
          @ assignable \nothing;
          @*/
        for (int level = 4; level >= 1; level--) {
            long e = Cpu.load64(RecursiveSlot.entryOf(va, level));
            if (!Pte.isPresent(e)) {
                return Err.NOT_MAPPED;
            }
            if (level == 1 || (level < 4 && Pte.has(e, Pte.BIT_HUGE))) {
                return Pte.frame(e) + offsetIn(va, level);
            }
        }
        return Err.NOT_MAPPED;
    }

    /**
     * va's offset in its page when the leaf is at level (1: 4 KiB, 2: 2 MiB, 3: 1 GiB): va minus va rounded down
     * to the page size. {@code >>} rounds towards minus infinity, so upper-half addresses give the same offset.
     */
    /*@ private normal_behavior
      @   requires 1 <= level && level <= 3;
      @   ensures 0 <= \result && \result < VirtAddr.HUGE_PAGE_SIZE;
      @   assignable \strictly_nothing;
      @*/
    private static long offsetIn(long va, int level) {
        if (level == 1) {
            return va - (va >> 12) * 4096;
        }
        if (level == 2) {
            return va - (va >> 21) * 2097152;
        }
        return va - (va >> 30) * 1073741824;
    }

    /**
     * Removes the 4 KiB or 2 MiB leaf that starts at va, then frees every table on the way up that became
     * empty and was handed out by the pre-PMM (the loader's own tables stay). Returns Err.OK or the reason.
     */
    /*@ public normal_behavior
      @   ensures \result == Err.OK || \result < 0;
      @   assignable pre.count, pre.starts[*], pre.frames[*], pre.purposes[*];
      @*/
    public long unmap(long va) {
        long check = checkVirtual(va);
        if (check != Err.OK) {
            return check;
        }
        int leafLevel = 0;
        /*@ loop_invariant 0 <= level && level <= 4
          @   && (leafLevel == 0 ? 1 <= level : (1 <= leafLevel && leafLevel <= 3));
          @ decreasing level;
          @ assignable \nothing;
          @*/
        for (int level = 4; level >= 1 && leafLevel == 0; level--) {
            long e = Cpu.load64(RecursiveSlot.entryOf(va, level));
            if (!Pte.isPresent(e)) {
                return Err.NOT_MAPPED;
            }
            if (level == 1 || (level < 4 && Pte.has(e, Pte.BIT_HUGE))) {
                leafLevel = level;
            }
        }
        if (leafLevel == 3) {
            return Err.PARENT_HUGE_PAGE;
        }
        long size = leafLevel == 1 ? VirtAddr.PAGE_SIZE : VirtAddr.LARGE_PAGE_SIZE;
        if (va % size != 0) {
            return Err.MISALIGNED;
        }
        Cpu.store64(RecursiveSlot.entryOf(va, leafLevel), 0);
        Cpu.invlpg(va);
        /*@ loop_invariant leafLevel <= up && up <= 4;
          @ decreasing 4 - up;
          @ assignable pre.count, pre.starts[*], pre.frames[*], pre.purposes[*];
          @*/
        for (int up = leafLevel; up < 4; up++) {
            long tableVa = RecursiveSlot.tableOf(va, up);
            long entryVa = RecursiveSlot.entryOf(va, up + 1);
            long table = Pte.frame(Cpu.load64(entryVa));
            if (!isEmpty(tableVa) || pre.isHandedOff() || pre.purposeOf(table) != PrePmm.PAGE_TABLE) {
                return Err.OK;
            }
            Cpu.store64(entryVa, 0);
            Cpu.invlpg(tableVa);
            if (pre.free(table) != Err.OK) {
                throw new KernelPanic("early mapper: could not return an empty page table");
            }
        }
        return Err.OK;
    }

    /*@ private normal_behavior
      @   requires tableVa % 4096 == 0;
      @   assignable \nothing;
      @*/
    private static boolean isEmpty(long tableVa) {
        /*@ loop_invariant 0 <= i && i <= VirtAddr.ENTRIES;
          @ decreasing VirtAddr.ENTRIES - i;
          @ assignable \nothing;
          @*/
        for (int i = 0; i < VirtAddr.ENTRIES; i++) {
            if (Cpu.load64(tableVa + 8L * i) != 0) {
                return false;
            }
        }
        return true;
    }
}
