package verimem.kernel.heap;

import verimem.kernel.arch.Err;
import verimem.kernel.arch.Layout;
import verimem.kernel.arch.Pte;
import verimem.kernel.vmm.AddressSpace;
import verimem.kernel.vmm.VaResult;
import verimem.kernel.vmm.Vmm;

/**
 * Layout's heap + MMIO region: the kernel heap grows up from the bottom, MMIO mappings grow down from the top,
 * and neither mark may pass the other minus Layout.GUARD_GAP, so they can never overlap: meeting is a clean
 * NO_VIRTUAL_SPACE with nothing changed. Marks are offsets from the base (non-negative arithmetic).
 * Heap growth maps fresh zeroed frames (kernel-owned); MMIO maps the given device range uncached.
 * Failure halfway through a growth (no frame, no table frame) unmaps and frees what it did.
 */
public final class HeapMmioRegion {
    public static final long PAGE = 4096L;

    /*@ spec_public @*/ private final Vmm vmm;
    /*@ spec_public @*/ private final long base;
    /*@ spec_public @*/ private final long size;
    /*@ spec_public @*/ private long heapTop;
    /*@ spec_public @*/ private long mmioBottom;

    //@ public invariant 0 <= heapTop && heapTop <= mmioBottom && mmioBottom <= size;
    // Every address of the region, base + offset with offset in [0, size], fits in a long (no wrap-around).
    //@ public invariant Long.MIN_VALUE <= base && base + size <= Long.MAX_VALUE;
    // No address of the region is an Err code (so growHeap/mapMmio results are told apart by VaResult.isError).
    //@ public invariant base + size < -VaResult.MAX_ERRNO || 0 <= base;

    /*@ public normal_behavior
      @   requires vmm != null && size > 2 * Layout.GUARD_GAP && size % PAGE == 0;
      @   requires base + size <= Long.MAX_VALUE && (base + size < -VaResult.MAX_ERRNO || 0 <= base);
      @   ensures heapTop == 0 && mmioBottom == size;
      @*/
    public HeapMmioRegion(Vmm vmm, long base, long size) {
        this.vmm = vmm;
        this.base = base;
        this.size = size;
        this.heapTop = 0;
        this.mmioBottom = size;
    }

    /*@ public normal_behavior
      @   requires vmm != null;
      @*/
    public HeapMmioRegion(Vmm vmm) {
        this(vmm, Layout.HEAP_MMIO_BASE, Layout.HEAP_MMIO_SIZE);
    }

    /*@ public normal_behavior
      @   ensures \result == base + heapTop;
      @   assignable \nothing;
      @*/
    public long heapEnd() {
        return base + heapTop;
    }

    /*@ public normal_behavior
      @   ensures \result == base + mmioBottom;
      @   assignable \nothing;
      @*/
    public long mmioStart() {
        return base + mmioBottom;
    }

    /** Grows the heap by `pages` mapped pages; returns the start of the new part or an Err code. */
    /*@ public normal_behavior
      @   ensures VaResult.isError(\result) ==> heapTop == \old(heapTop) && mmioBottom == \old(mmioBottom);
      @   ensures VaResult.isError(\result) ==> (\result == Err.INVALID_ARGUMENT
      @        || \result == Err.NO_VIRTUAL_SPACE || \result == Err.NO_MEMORY);
      @*/
    public long growHeap(long pages) {
        if (pages <= 0 || pages > size / PAGE) {
            return Err.INVALID_ARGUMENT;
        }
        if (mmioBottom - heapTop < Layout.GUARD_GAP || pages * PAGE > mmioBottom - heapTop - Layout.GUARD_GAP) {
            return Err.NO_VIRTUAL_SPACE;
        }
        long start = base + heapTop;
        AddressSpace k = vmm.kernelSpace();
        for (long i = 0; i < pages; i++) {
            long f = vmm.pmm().allocFrame();
            long r = Err.NO_MEMORY;
            if (f >= 0) {
                r = k.map(start + i * PAGE, f, Pte.WRITABLE + Pte.NO_EXECUTE, PAGE);
                if (r != Err.OK) {
                    vmm.pmm().freeFrame(f);
                }
            }
            if (f < 0 || r != Err.OK) {
                for (long j = 0; j < i; j++) {
                    long g = k.unmap(start + j * PAGE);
                    vmm.ownership().unmark(g);
                    vmm.pmm().freeFrame(g);
                }
                return Err.NO_MEMORY;
            }
            vmm.ownership().mark(f);
        }
        heapTop = heapTop + pages * PAGE;
        return start;
    }

    /** Maps [pa, pa + bytes) of device memory uncached below the MMIO mark; returns its address or an Err. */
    /*@ public normal_behavior
      @   requires vmm.kernelSpace != null && vmm.kernelSpace.vmm == vmm && \invariant_for(vmm.kernelSpace);
      @   requires \invariant_for(vmm) && \invariant_for(vmm.pmm) && \invariant_for(vmm.owners);
      @   ensures VaResult.isError(\result) ==> heapTop == \old(heapTop) && mmioBottom == \old(mmioBottom);
      @*/
    public long mapMmio(long pa, long bytes) {
        if (bytes <= 0 || bytes % PAGE != 0 || pa < 0 || pa % PAGE != 0 || bytes > size) {
            return Err.INVALID_ARGUMENT;
        }
        if (mmioBottom - heapTop < Layout.GUARD_GAP || bytes > mmioBottom - heapTop - Layout.GUARD_GAP) {
            return Err.NO_VIRTUAL_SPACE;
        }
        long start = base + mmioBottom - bytes;
        AddressSpace k = vmm.kernelSpace();
        long flags = Pte.WRITABLE + Pte.CACHE_DISABLE + Pte.WRITE_THROUGH + Pte.NO_EXECUTE;
        /*@ loop_invariant 0 <= off && \invariant_for(k) && \invariant_for(k.vmm)
          @   && \invariant_for(k.vmm.pmm) && \invariant_for(k.vmm.owners);
          @ decreases bytes - off;
          @ assignable k.path[*], k.tlbDirty, k.vmm.kernelEpoch, k.vmm.current.kernelEpochSeen, k.vmm.tableFrames,
          @   k.vmm.owners.bits[*], k.vmm.owners.vmmTables[*], k.vmm.pmm.bitmap[*], k.vmm.pmm.nonEmpty[*], k.vmm.pmm.full[*],
          @   k.vmm.pmm.free, k.vmm.pmm.hint, k.vmm.pmm.hintBase, k.vmm.pmm.hintSegment, k.vmm.pmm.failCountdown, k.vmm.pmm.wordFree, k.vmm.pmm.sealed,
          @   k.vmm.pmm.reservedStart[*], k.vmm.pmm.reservedEnd[*], k.vmm.pmm.reservedRuns;
          @*/
        for (long off = 0; off < bytes; off = off + PAGE) {
            long r = k.map(start + off, pa + off, flags, PAGE);
            if (r != Err.OK) {
                /*@ loop_invariant 0 <= j && \invariant_for(k) && \invariant_for(k.vmm)
                  @   && \invariant_for(k.vmm.pmm) && \invariant_for(k.vmm.owners);
                  @ decreases off - j;
                  @ assignable k.path[*], k.tlbDirty, k.vmm.kernelEpoch, k.vmm.current.kernelEpochSeen, k.vmm.tableFrames,
                  @   k.vmm.owners.bits[*], k.vmm.owners.vmmTables[*], k.vmm.pmm.bitmap[*], k.vmm.pmm.nonEmpty[*], k.vmm.pmm.full[*],
                  @   k.vmm.pmm.free, k.vmm.pmm.hint, k.vmm.pmm.hintBase, k.vmm.pmm.hintSegment, k.vmm.pmm.failCountdown, k.vmm.pmm.wordFree, k.vmm.pmm.sealed,
                  @   k.vmm.pmm.reservedStart[*], k.vmm.pmm.reservedEnd[*], k.vmm.pmm.reservedRuns;
                  @*/
                for (long j = 0; j < off; j = j + PAGE) {
                    k.unmap(start + j);
                }
                return r;
            }
        }
        mmioBottom = mmioBottom - bytes;
        return start;
    }
}
