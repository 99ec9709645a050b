package verimem.kernel.vmm;

import verimem.kernel.arch.Cpu;
import verimem.kernel.arch.Err;
import verimem.kernel.arch.KernelPanic;
import verimem.kernel.arch.Layout;
import verimem.kernel.arch.Pte;
import verimem.kernel.arch.VirtAddr;
import verimem.kernel.pmm.Pmm;

/**
 * The virtual memory manager's shared state: the PMM it takes table frames from, the kernel-frame ownership
 * bitmap, the PCID allocator, the kernel address space (the boot PML4, whose upper half every space shares) and
 * the space whose CR3 is loaded.
 *
 * The shared kernel half: adoptBootSpace() gives every upper PML4 slot (256..511) a PDPT, so kernel mappings made later
 * land in a table that every address space already points to. Kernel-half PDPTs are never freed.
 *
 * TLB bookkeeping that spans spaces: a kernel-half entry that is removed or downgraded is invlpg'ed in the
 * current PCID, and kernelEpoch is bumped so any other space flushes its PCID on its next switch.
 */
public final class Vmm {
    public static final int KERNEL_FIRST_SLOT = 256;

    /*@ spec_public @*/ private final Pmm pmm;
    /*@ spec_public @*/ private final FrameOwnership owners;
    /*@ spec_public @*/ private final PcidAllocator pcids;
    // Both are null until adoptBootSpace() succeeds: nullable, or JML's non-null default would make every proof
    // assume they are set and adoptBootSpace's precondition (kernelSpace == null) unsatisfiable.
    /*@ spec_public nullable @*/ private AddressSpace kernelSpace;
    /*@ spec_public nullable @*/ private AddressSpace current;
    /*@ spec_public @*/ private long kernelEpoch;
    /*@ spec_public @*/ private long tableFrames;
    /*@ spec_public @*/ private long lastSpaceId;
    /** The kernel space's PML4 (0 until adoptBootSpace succeeds): kept here so hasRecursiveSlot needs only this object. */
    /*@ spec_public @*/ private long kernelPml4;

    //@ public invariant 0 <= kernelPml4 && kernelPml4 % 4096 == 0 && kernelPml4 < Layout.DIRECT_MAP_SIZE;
    /* The ownership bitmaps are none of the PMM's arrays: writing one leaves the other's state as it was. */
    /*@ public invariant owners.bits != pmm.bitmap && owners.bits != pmm.nonEmpty && owners.bits != pmm.full
      @   && owners.bits != pmm.reservedStart && owners.bits != pmm.reservedEnd
      @   && owners.vmmTables != pmm.bitmap && owners.vmmTables != pmm.nonEmpty && owners.vmmTables != pmm.full
      @   && owners.vmmTables != pmm.reservedStart && owners.vmmTables != pmm.reservedEnd;
      @*/

    /*@ public normal_behavior
      @   requires pmm != null && physLimit >= 0 && physLimit / 4096 / 64 < 2147483647L;
      @   requires 2 <= pcidLimit && pcidLimit <= PcidAllocator.MAX_PCIDS;
      @   ensures kernelSpace == null && kernelEpoch == 0;
      @*/
    public Vmm(Pmm pmm, long physLimit, int pcidLimit) {
        this.pmm = pmm;
        this.owners = new FrameOwnership(physLimit);
        this.pcids = new PcidAllocator(pcidLimit);
    }

    /**
     * Adopts the PML4 in CR3 (built by the bootstrap, with the direct map) as the kernel space, marks every table
     * frame reachable from it kernel-owned, and pre-creates a PDPT for every empty upper slot. On NO_MEMORY the
     * PDPTs created so far are removed again, the PML4 is as before and no frame has been marked kernel-owned.
     */
    /*@ public normal_behavior
      @   requires kernelSpace == null && \invariant_for(pmm) && \invariant_for(owners);
      @   ensures \result == Err.OK || \result == Err.NO_MEMORY || \result == Err.INVALID_ARGUMENT;
      @   ensures \result == Err.OK ==> kernelSpace != null && current == kernelSpace && kernelSpace.pml4 == kernelPml4;
      @   ensures \result != Err.OK ==> kernelSpace == null;
      @   ensures \invariant_for(pmm) && \invariant_for(owners);
      @   assignable kernelSpace, current, kernelPml4, lastSpaceId, tableFrames, owners.bits[*], owners.vmmTables[*],
      @              pmm.bitmap[*], pmm.nonEmpty[*], pmm.full[*], pmm.free, pmm.hint, pmm.hintBase, pmm.hintSegment, pmm.failCountdown,
      @              pmm.wordFree, pmm.sealed, pmm.reservedStart[*], pmm.reservedEnd[*], pmm.reservedRuns;
      @*/
    public long adoptBootSpace() {
        if (kernelSpace != null) {
            return Err.INVALID_ARGUMENT;
        }
        long pml4 = Pte.frame(Cpu.readCr3());
        if (pml4 >= Layout.DIRECT_MAP_SIZE) {
            return Err.INVALID_ARGUMENT; // a PML4 the direct map cannot reach cannot be edited
        }
        boolean[] created = new boolean[VirtAddr.ENTRIES];
        /*@ loop_invariant KERNEL_FIRST_SLOT <= slot && slot <= VirtAddr.ENTRIES && created.length == VirtAddr.ENTRIES
          @   && \invariant_for(pmm) && \invariant_for(owners) && kernelSpace == null;
          @ decreasing VirtAddr.ENTRIES - slot;
          @ assignable created[*], tableFrames, owners.bits[*], owners.vmmTables[*], pmm.bitmap[*], pmm.nonEmpty[*],
          @            pmm.full[*], pmm.free, pmm.hint, pmm.hintBase, pmm.hintSegment, pmm.failCountdown, pmm.wordFree, pmm.sealed,
          @            pmm.reservedStart[*], pmm.reservedEnd[*], pmm.reservedRuns;
          @*/
        for (int slot = KERNEL_FIRST_SLOT; slot < VirtAddr.ENTRIES; slot++) {
            if (!Pte.isPresent(Tables.read(pml4, slot))) {
                long f = allocTable();
                if (f < 0) {
                    undoPrecreated(pml4, created);
                    return Err.NO_MEMORY;
                }
                Tables.write(pml4, slot, f + Pte.PRESENT + Pte.WRITABLE);
                created[slot] = true;
            }
        }
        // Marked only now, so a NO_MEMORY above leaves the ownership bitmap as it was (the PDPTs just created are
        // already marked by allocTable; marking them again is idempotent).
        markTables(pml4, 4);
        kernelPml4 = pml4;
        kernelSpace = new AddressSpace(this, pml4);
        current = kernelSpace;
        return Err.OK;
    }

    /** Removes the PDPTs adoptBootSpace() created (they are still empty: nothing ran in between). */
    /*@ private normal_behavior
      @   requires 0 <= pml4 && pml4 % 4096 == 0 && pml4 < Layout.DIRECT_MAP_SIZE && created.length == VirtAddr.ENTRIES;
      @   requires \invariant_for(pmm) && \invariant_for(owners);
      @   ensures \invariant_for(pmm) && \invariant_for(owners);
      @   assignable tableFrames, owners.bits[*], owners.vmmTables[*], pmm.bitmap[*], pmm.nonEmpty[*], pmm.full[*],
      @              pmm.free, pmm.hint, pmm.hintBase, pmm.hintSegment, pmm.wordFree;
      @*/
    private void undoPrecreated(long pml4, boolean[] created) {
        /*@ loop_invariant KERNEL_FIRST_SLOT <= slot && slot <= VirtAddr.ENTRIES
          @   && \invariant_for(pmm) && \invariant_for(owners);
          @ decreasing VirtAddr.ENTRIES - slot;
          @ assignable tableFrames, owners.bits[*], owners.vmmTables[*], pmm.bitmap[*], pmm.nonEmpty[*], pmm.full[*],
          @            pmm.free, pmm.hint, pmm.hintBase, pmm.hintSegment, pmm.wordFree;
          @*/
        for (int slot = KERNEL_FIRST_SLOT; slot < VirtAddr.ENTRIES; slot++) {
            if (created[slot]) {
                long f = Pte.frame(Tables.read(pml4, slot));
                Tables.write(pml4, slot, 0);
                freeTable(f);
            }
        }
    }

    /** Marks the table at `table` (a level-`level` table) and every table below it kernel-owned. */
    /*@ private normal_behavior
      @   requires 0 <= table && table % 4096 == 0 && table < Layout.DIRECT_MAP_SIZE && 1 <= level && level <= 4;
      @   requires \invariant_for(owners);
      @   ensures \invariant_for(owners);
      @   assignable owners.bits[*];
      @   measured_by level;
      @*/
    private /*@ helper @*/ void markTables(long table, int level) {
        owners.mark(table);
        if (level == 1) {
            return;
        }
        /*@ loop_invariant 0 <= i && i <= VirtAddr.ENTRIES && \invariant_for(owners);
          @ decreasing VirtAddr.ENTRIES - i;
          @ assignable owners.bits[*];
          @*/
        for (int i = 0; i < VirtAddr.ENTRIES; i++) {
            long e = Tables.read(table, i);
            boolean selfReference = level == 4 && Pte.frame(e) == table;
            // A table the direct map cannot reach was not built by the bootstrap (it maps all RAM): not walked.
            if (Pte.isPresent(e) && !selfReference && (level == 4 || !Pte.has(e, Pte.BIT_HUGE))
                    && Pte.frame(e) < Layout.DIRECT_MAP_SIZE) {
                markTables(Pte.frame(e), level - 1);
            }
        }
    }

    /** True when the kernel PML4's slot 510 points at itself (the early mapper's recursive slot). */
    /*@ public normal_behavior
      @   ensures kernelSpace == null ==> !\result;
      @   assignable \strictly_nothing;
      @*/
    public boolean hasRecursiveSlot() {
        return recursiveSlotPresent();
    }

    /**
     * hasRecursiveSlot for a caller that knows only the kernel PML4's range (AddressSpace.checkHalf): a helper, so
     * its callers need not carry the whole Vmm invariant, whose array disequalities split every goal of theirs.
     */
    /*@ normal_behavior
      @   requires 0 <= kernelPml4 && kernelPml4 % 4096 == 0 && kernelPml4 < Layout.DIRECT_MAP_SIZE;
      @   ensures kernelSpace == null ==> !\result;
      @   assignable \strictly_nothing;
      @*/
    /*@ helper @*/ boolean recursiveSlotPresent() {
        if (kernelSpace == null) {
            return false;
        }
        long e = Tables.read(kernelPml4, Layout.RECURSIVE_SLOT);
        return Pte.isPresent(e) && Pte.frame(e) == kernelPml4;
    }

    /** The kernel space's PML4, whose upper half every space shares (0 before adoptBootSpace). */
    /*@ public normal_behavior
      @   ensures \result == kernelPml4;
      @   assignable \nothing;
      @*/
    public long kernelPml4() {
        return kernelPml4;
    }

    /*@ public normal_behavior
      @   ensures \result == kernelSpace;
      @   assignable \nothing;
      @*/
    public /*@ nullable @*/ AddressSpace kernelSpace() {
        return kernelSpace;
    }

    /*@ public normal_behavior
      @   ensures \result == current;
      @   assignable \nothing;
      @*/
    public /*@ nullable @*/ AddressSpace current() {
        return current;
    }

    /*@ public normal_behavior
      @   ensures \result == pmm;
      @   assignable \strictly_nothing;
      @*/
    public Pmm pmm() {
        return pmm;
    }

    /*@ public normal_behavior
      @   ensures \result == owners;
      @   assignable \strictly_nothing;
      @*/
    public FrameOwnership ownership() {
        return owners;
    }

    // pcids() and kernelEpoch() assign \strictly_nothing (not even fresh objects): a caller's heap is then the same
    // term before and after the call, so AddressSpace.activate's proof needs no frame reasoning per read.
    /*@ public normal_behavior
      @   ensures \result == pcids;
      @   assignable \strictly_nothing;
      @*/
    public PcidAllocator pcids() {
        return pcids;
    }

    /*@ public normal_behavior
      @   ensures \result == kernelEpoch;
      @   assignable \strictly_nothing;
      @*/
    public long kernelEpoch() {
        return kernelEpoch;
    }

    /** Page-table frames the VMM holds from the PMM right now (for leak checks). */
    /*@ public normal_behavior
      @   ensures \result == tableFrames;
      @   assignable \nothing;
      @*/
    public long tableFrames() {
        return tableFrames;
    }

    // ---- package-private services for AddressSpace ----

    /*
     * Effects of the table helpers, as callers see them: the PMM's allocation state (the fields Pmm.allocFrame and
     * Pmm.freeFrame may assign), the two ownership bitmaps and the table count; nothing of any address space. The
     * page-table contents themselves live in simulated physical memory (Cpu.load64/store64), not in the Java heap.
     */

    /**
     * A zeroed, kernel-owned table frame, or Err.NO_MEMORY. A frame the direct map or the ownership bitmap cannot
     * cover is of no use as a table: it goes back to the PMM and the answer is NO_MEMORY.
     */
    /*@ normal_behavior
      @   requires \invariant_for(pmm) && \invariant_for(owners);
      @   ensures \result == Err.NO_MEMORY
      @        || (0 <= \result && \result % 4096 == 0 && \result < Layout.DIRECT_MAP_SIZE && \result / 4096 < owners.frames);
      @   ensures \result >= 0 ==> tableFrames == (long) (\old(tableFrames) + 1);
      @   ensures \result < 0 ==> tableFrames == \old(tableFrames);
      @   ensures \invariant_for(pmm) && \invariant_for(owners);
      @   assignable tableFrames, owners.bits[*], owners.vmmTables[*], pmm.bitmap[*], pmm.nonEmpty[*], pmm.full[*], pmm.free, pmm.hint, pmm.hintBase, pmm.hintSegment, pmm.failCountdown,
      @              pmm.wordFree, pmm.sealed, pmm.reservedStart[*], pmm.reservedEnd[*], pmm.reservedRuns;
      @*/
    long allocTable() {
        long f = pmm.allocFrame();
        if (f < 0) {
            return Err.NO_MEMORY;
        }
        if (f >= Layout.DIRECT_MAP_SIZE || f / 4096 >= owners.frameCount()) {
            pmm.freeFrame(f);
            return Err.NO_MEMORY;
        }
        Tables.zero(f);
        owners.mark(f);
        owners.setVmmTable(f, true);
        tableFrames = tableFrames + 1;
        return f;
    }

    /**
     * Only tables this VMM allocated go back to the PMM; boot-built ones stay where they are, even when empty.
     * A helper (it reads, and needs, only the ownership bitmap): the Vmm invariant's array disequalities split
     * every goal of its proof otherwise.
     */
    /*@ normal_behavior
      @   requires owners != null && \invariant_for(owners);
      @   ensures \result == (0 <= f && f / 4096 < owners.frames
      @                       && (owners.vmmTables[(int) (f / 4096 / 64)] >> (int) (f / 4096 % 64)) % 2 != 0);
      @   assignable \strictly_nothing;
      @*/
    /*@ helper spec_java_math @*/ boolean isReclaimable(long f) {
        return owners.isVmmTable(f);
    }

    /**
     * Gives a table frame this VMM allocated back to the PMM. Both panics mean the VMM's bookkeeping is broken (a
     * table freed twice, or a table frame the PMM does not consider handed out).
     */
    /*@ normal_behavior
      @   requires \invariant_for(pmm) && \invariant_for(owners);
      @   ensures tableFrames == (long) (\old(tableFrames) - 1);
      @   ensures \invariant_for(pmm) && \invariant_for(owners);
      @   assignable tableFrames, owners.bits[*], owners.vmmTables[*], pmm.bitmap[*], pmm.nonEmpty[*], pmm.full[*],
      @              pmm.free, pmm.hint, pmm.hintBase, pmm.hintSegment, pmm.wordFree;
      @*/
    void freeTable(long f) {
        if (!owners.isVmmTable(f)) {
            throw new KernelPanic("vmm: freeing a page table the VMM did not allocate");
        }
        owners.setVmmTable(f, false);
        owners.unmark(f);
        if (pmm.freeFrame(f) != Err.OK) {
            throw new KernelPanic("vmm: a page-table frame was not allocated in the PMM");
        }
        tableFrames = tableFrames - 1;
    }

    /** A serial number for a new space: never reused, unlike a PML4 frame. Helper: it touches no invariant field. */
    /*@ normal_behavior
      @   ensures \result == lastSpaceId && lastSpaceId == (long) (\old(lastSpaceId) + 1);
      @   assignable lastSpaceId;
      @*/
    /*@ helper @*/ long nextSpaceId() {
        lastSpaceId = lastSpaceId + 1;
        return lastSpaceId;
    }

    /*@ normal_behavior
      @   ensures current == s;
      @   assignable current;
      @*/
    /*@ helper @*/ void setCurrent(/*@ nullable @*/ AddressSpace s) {
        current = s;
    }

    /** A kernel-half entry was removed or downgraded; the current space has just invlpg'ed it. */
    /*@ normal_behavior
      @   ensures kernelEpoch == (long) (\old(kernelEpoch) + 1);
      @   ensures current != null ==> current.kernelEpochSeen == kernelEpoch;
      @   assignable kernelEpoch, current.kernelEpochSeen;
      @*/
    void kernelChanged() {
        kernelEpoch = kernelEpoch + 1;
        if (current != null) {
            current.sawKernelEpoch(kernelEpoch);
        }
    }
}
