package verimem.kernel.heap;

import verimem.kernel.arch.Err;
import verimem.kernel.arch.Layout;
import verimem.kernel.arch.Pte;
import verimem.kernel.vmm.AddressSpace;
import verimem.kernel.vmm.VaResult;
import verimem.kernel.vmm.Vmm;

/**
 * vmalloc/vfree: virtually contiguous kernel memory in the vmalloc region (Layout slots 402..433), backed by
 * single frames that need not be contiguous. Every allocation reserves one unmapped guard page before and after
 * its pages, so an overrun faults instead of corrupting a neighbour. Frames are kernel-owned while allocated and
 * go back to the PMM on vfree. A failure halfway (no frame, no table frame) unmaps and frees what was done.
 */
public final class Vmalloc {
    public static final long PAGE = 4096L;

    /*@ spec_public @*/ private final Vmm vmm;
    /*@ spec_public @*/ private final VirtualRegionAllocator region;
    /*@ spec_public @*/ private final long[] allocVa;
    /*@ spec_public @*/ private final long[] allocPages;
    /*@ spec_public @*/ private long liveAllocations;

    /*@ public normal_behavior
      @   requires vmm != null && maxAllocations >= 1 && maxAllocations < Integer.MAX_VALUE;
      @*/
    public Vmalloc(Vmm vmm, int maxAllocations) {
        this(vmm, maxAllocations, Layout.VMALLOC_BASE, Layout.VMALLOC_SIZE);
    }

    /** Over a smaller part of the vmalloc region (tests exhaust it). */
    /*@ public normal_behavior
      @   requires vmm != null && maxAllocations >= 1 && maxAllocations < Integer.MAX_VALUE;
      @   requires size > 0 && size <= VirtualRegionAllocator.MAX_SIZE && size % PAGE == 0 && base + size <= Long.MAX_VALUE;
      @*/
    public Vmalloc(Vmm vmm, int maxAllocations, long base, long size) {
        this.vmm = vmm;
        this.region = new VirtualRegionAllocator(base, size, maxAllocations + 1);
        allocVa = new long[maxAllocations];
        allocPages = new long[maxAllocations];
    }

    /*@ public normal_behavior
      @   ensures \result == liveAllocations;
      @   assignable \nothing;
      @*/
    public long liveAllocations() {
        return liveAllocations;
    }

    /*@ public normal_behavior
      @   ensures \result == region;
      @   assignable \nothing;
      @*/
    public VirtualRegionAllocator region() {
        return region;
    }

    /** Address of `bytes` of fresh, writable, non-executable kernel memory, or an Err code. */
    /*@ public normal_behavior
      @   ensures VaResult.isError(\result) ==> (\result == Err.INVALID_ARGUMENT || \result == Err.NO_MEMORY
      @                           || \result == Err.NO_VIRTUAL_SPACE);
      @   ensures VaResult.isError(\result) ==> liveAllocations == \old(liveAllocations);
      @*/
    public long vmalloc(long bytes) {
        if (bytes <= 0 || bytes > Layout.VMALLOC_SIZE / 2) {
            return Err.INVALID_ARGUMENT;
        }
        int slot = freeSlot();
        if (slot < 0) {
            return Err.NO_MEMORY;
        }
        long pages = (bytes + PAGE - 1) / PAGE;
        long range = region.reserve((pages + 2) * PAGE, PAGE);
        if (VaResult.isError(range)) {
            return range;
        }
        long va = range + PAGE;
        AddressSpace k = vmm.kernelSpace();
        for (long i = 0; i < pages; i++) {
            long f = vmm.pmm().allocFrame();
            long r = Err.NO_MEMORY;
            if (f >= 0) {
                r = k.map(va + i * PAGE, f, Pte.WRITABLE + Pte.NO_EXECUTE, PAGE);
                if (r != Err.OK) {
                    vmm.pmm().freeFrame(f);
                }
            }
            if (f < 0 || r != Err.OK) {
                unmapAndFree(va, i);
                region.release(range, (pages + 2) * PAGE);
                return Err.NO_MEMORY;
            }
            vmm.ownership().mark(f);
        }
        allocVa[slot] = va;
        allocPages[slot] = pages;
        liveAllocations = liveAllocations + 1;
        return va;
    }

    /** A slot of the allocation table not in use (allocPages 0), or -1. */
    /*@ private normal_behavior
      @   ensures -1 <= \result && \result < allocPages.length;
      @   ensures \result >= 0 ==> allocPages[\result] == 0;
      @   assignable \strictly_nothing;
      @*/
    private /*@ strictly_pure @*/ int freeSlot() {
        /*@ loop_invariant 0 <= i && i <= allocPages.length;
          @ decreases allocPages.length - i;
          @ assignable \strictly_nothing;
          @*/
        for (int i = 0; i < allocPages.length; i++) {
            if (allocPages[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    private void unmapAndFree(long va, long pages) {
        AddressSpace k = vmm.kernelSpace();
        for (long i = 0; i < pages; i++) {
            long f = k.unmap(va + i * PAGE);
            if (f >= 0) {
                vmm.ownership().unmark(f);
                vmm.pmm().freeFrame(f);
            }
        }
    }

    /**
     * Frees an allocation by its start address. A start address that is not allocated (a double free) is
     * NOT_ALLOCATED, an address outside the region or inside an allocation (a foreign pointer) NOT_MANAGED.
     */
    /*@ public normal_behavior
      @   ensures \result == Err.OK || \result == Err.NOT_ALLOCATED || \result == Err.NOT_MANAGED;
      @   ensures \result == Err.OK ==> liveAllocations == \old(liveAllocations) - 1;
      @   ensures \result != Err.OK ==> liveAllocations == \old(liveAllocations);
      @*/
    public long vfree(long va) {
        if (!region.contains(va)) {
            return Err.NOT_MANAGED;
        }
        for (int i = 0; i < allocPages.length; i++) {
            if (allocPages[i] != 0 && allocVa[i] == va) {
                long pages = allocPages[i];
                unmapAndFree(va, pages);
                region.release(va - PAGE, (pages + 2) * PAGE);
                allocPages[i] = 0;
                allocVa[i] = 0;
                liveAllocations = liveAllocations - 1;
                return Err.OK;
            }
        }
        for (int i = 0; i < allocPages.length; i++) {
            if (allocPages[i] != 0 && allocVa[i] - PAGE <= va && va - allocVa[i] < (allocPages[i] + 1) * PAGE) {
                return Err.NOT_MANAGED;
            }
        }
        return Err.NOT_ALLOCATED;
    }
}
