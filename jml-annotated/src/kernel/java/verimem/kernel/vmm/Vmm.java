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
    /*@ spec_public @*/ private AddressSpace kernelSpace;
    /*@ spec_public @*/ private AddressSpace current;
    /*@ spec_public @*/ private long kernelEpoch;
    /*@ spec_public @*/ private long tableFrames;
    /*@ spec_public @*/ private long lastSpaceId;

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
      @   requires kernelSpace == null;
      @   ensures \result == Err.OK || \result == Err.NO_MEMORY || \result == Err.INVALID_ARGUMENT;
      @   ensures \result == Err.OK ==> kernelSpace != null;
      @*/
    public long adoptBootSpace() {
        if (kernelSpace != null) {
            return Err.INVALID_ARGUMENT;
        }
        long pml4 = Pte.frame(Cpu.readCr3());
        boolean[] created = new boolean[VirtAddr.ENTRIES];
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
        kernelSpace = new AddressSpace(this, pml4);
        current = kernelSpace;
        return Err.OK;
    }

    /** Removes the PDPTs adoptBootSpace() created (they are still empty: nothing ran in between). */
    private void undoPrecreated(long pml4, boolean[] created) {
        for (int slot = KERNEL_FIRST_SLOT; slot < VirtAddr.ENTRIES; slot++) {
            if (created[slot]) {
                long f = Pte.frame(Tables.read(pml4, slot));
                Tables.write(pml4, slot, 0);
                freeTable(f);
            }
        }
    }

    private void markTables(long table, int level) {
        owners.mark(table);
        if (level == 1) {
            return;
        }
        for (int i = 0; i < VirtAddr.ENTRIES; i++) {
            long e = Tables.read(table, i);
            boolean selfReference = level == 4 && Pte.frame(e) == table;
            if (Pte.isPresent(e) && !selfReference && (level == 4 || !Pte.has(e, Pte.BIT_HUGE))) {
                markTables(Pte.frame(e), level - 1);
            }
        }
    }

    /** True when the kernel PML4's slot 510 points at itself (the early mapper's recursive slot). */
    /*@ public normal_behavior
      @   requires kernelSpace != null && \invariant_for(kernelSpace);
      @   assignable \nothing;
      @*/
    public boolean hasRecursiveSlot() {
        long master = kernelSpace.pml4();
        long e = Tables.read(master, Layout.RECURSIVE_SLOT);
        return Pte.isPresent(e) && Pte.frame(e) == master;
    }

    /*@ public normal_behavior
      @   ensures \result == kernelSpace;
      @   assignable \nothing;
      @*/
    public AddressSpace kernelSpace() {
        return kernelSpace;
    }

    /*@ public normal_behavior
      @   ensures \result == current;
      @   assignable \nothing;
      @*/
    public AddressSpace current() {
        return current;
    }

    /*@ public normal_behavior
      @   ensures \result == pmm;
      @   assignable \nothing;
      @*/
    public Pmm pmm() {
        return pmm;
    }

    /*@ public normal_behavior
      @   ensures \result == owners;
      @   assignable \nothing;
      @*/
    public FrameOwnership ownership() {
        return owners;
    }

    /*@ public normal_behavior
      @   ensures \result == pcids;
      @   assignable \nothing;
      @*/
    public PcidAllocator pcids() {
        return pcids;
    }

    /*@ public normal_behavior
      @   ensures \result == kernelEpoch;
      @   assignable \nothing;
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

    /** A zeroed, kernel-owned table frame, or Err.NO_MEMORY. */
    long allocTable() {
        long f = pmm.allocFrame();
        if (f < 0) {
            return Err.NO_MEMORY;
        }
        Tables.zero(f);
        owners.mark(f);
        owners.setVmmTable(f, true);
        tableFrames = tableFrames + 1;
        return f;
    }

    /** Only tables this VMM allocated go back to the PMM; boot-built ones stay where they are, even when empty. */
    boolean isReclaimable(long f) {
        return owners.isVmmTable(f);
    }

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

    /** A serial number for a new space: never reused, unlike a PML4 frame. */
    long nextSpaceId() {
        lastSpaceId = lastSpaceId + 1;
        return lastSpaceId;
    }

    void setCurrent(AddressSpace s) {
        current = s;
    }

    /** A kernel-half entry was removed or downgraded; the current space has just invlpg'ed it. */
    void kernelChanged() {
        kernelEpoch = kernelEpoch + 1;
        if (current != null) {
            current.sawKernelEpoch(kernelEpoch);
        }
    }
}
