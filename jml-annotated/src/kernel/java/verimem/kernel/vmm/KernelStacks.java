package verimem.kernel.vmm;

import verimem.kernel.arch.Err;
import verimem.kernel.arch.Layout;
import verimem.kernel.arch.Pte;
import verimem.kernel.arch.VirtAddr;

/**
 * Kernel stacks in Layout's stack slot, each with an unmapped guard page below it. Slot i spans
 * [STACK_BASE + i * stride, + stride) with stride = (pages + 1) pages: its first page is the guard, the rest is
 * the stack. Stacks grow down, so an overflow runs into the guard and faults; the page above a stack's top is the
 * next slot's guard, so an underflow faults too. Frames are kernel-owned; a failure halfway frees what was done.
 */
public final class KernelStacks {
    /*@ spec_public @*/ private final Vmm vmm;
    /*@ spec_public @*/ private final long pages;
    /*@ spec_public @*/ private final boolean[] used;

    //@ public invariant vmm != null && 1 <= pages && pages <= 64 && 1 <= used.length && used.length <= 65536;

    /*@ public normal_behavior
      @   requires vmm != null && pages >= 1 && pages <= 64 && capacity >= 1 && capacity <= 65536;
      @*/
    public KernelStacks(Vmm vmm, long pages, int capacity) {
        this.vmm = vmm;
        this.pages = pages;
        this.used = new boolean[capacity];
    }

    /*@ public normal_behavior
      @   requires 0 <= i && i < used.length;
      @   ensures \result == Layout.STACK_BASE + i * (pages + 1) * VirtAddr.PAGE_SIZE;
      @   assignable \nothing;
      @*/
    public long slotBase(int i) {
        return Layout.STACK_BASE + i * (pages + 1) * VirtAddr.PAGE_SIZE;
    }

    /** The top (initial stack pointer, exclusive end) of a fresh stack, or NO_MEMORY / NO_VIRTUAL_SPACE. */
    /*@ public normal_behavior
      @   ensures VaResult.isError(\result) ==> (\result == Err.NO_MEMORY || \result == Err.NO_VIRTUAL_SPACE);
      @*/
    public long allocate() {
        int slot = -1;
        /*@ loop_invariant 0 <= i && i <= used.length && -1 <= slot && slot < used.length;
          @ decreasing used.length - i;
          @ assignable \strictly_nothing;
          @*/
        for (int i = 0; i < used.length && slot < 0; i++) {
            if (!used[i]) {
                slot = i;
            }
        }
        if (slot < 0) {
            return Err.NO_VIRTUAL_SPACE;
        }
        long bottom = slotBase(slot) + VirtAddr.PAGE_SIZE;
        AddressSpace k = vmm.kernelSpace();
        for (long p = 0; p < pages; p++) {
            long f = vmm.pmm().allocFrame();
            long r = Err.NO_MEMORY;
            if (f >= 0) {
                r = k.map(bottom + p * VirtAddr.PAGE_SIZE, f, Pte.WRITABLE + Pte.NO_EXECUTE, VirtAddr.PAGE_SIZE);
                if (r != Err.OK) {
                    vmm.pmm().freeFrame(f);
                }
            }
            if (f < 0 || r != Err.OK) {
                unmapPages(bottom, p);
                return Err.NO_MEMORY;
            }
            vmm.ownership().mark(f);
        }
        used[slot] = true;
        return bottom + pages * VirtAddr.PAGE_SIZE;
    }

    private void unmapPages(long bottom, long n) {
        AddressSpace k = vmm.kernelSpace();
        for (long p = 0; p < n; p++) {
            long f = k.unmap(bottom + p * VirtAddr.PAGE_SIZE);
            if (f >= 0) {
                vmm.ownership().unmark(f);
                vmm.pmm().freeFrame(f);
            }
        }
    }

    /** Frees the stack whose top allocate() returned; anything else is NOT_MANAGED, a second free NOT_ALLOCATED. */
    /*@ public normal_behavior
      @   ensures \result == Err.OK || \result == Err.NOT_MANAGED || \result == Err.NOT_ALLOCATED;
      @   ensures (top < Layout.STACK_BASE + (pages + 1) * VirtAddr.PAGE_SIZE
      @            || top > Layout.STACK_BASE + (pages + 1) * VirtAddr.PAGE_SIZE * used.length)
      @           ==> \result == Err.NOT_MANAGED;
      @*/
    public long free(long top) {
        long stride = (pages + 1) * VirtAddr.PAGE_SIZE;
        // Bounded on both sides BEFORE subtracting: for a large positive top, top - STACK_BASE overflows to a
        // negative multiple of the stride, which used to become a negative slot index.
        if (top < Layout.STACK_BASE + stride || top > Layout.STACK_BASE + stride * used.length) {
            return Err.NOT_MANAGED;
        }
        long rel = top - Layout.STACK_BASE;
        if (rel % stride != 0 || rel / stride > used.length) {
            return Err.NOT_MANAGED;
        }
        int slot = (int) (rel / stride) - 1;
        if (!used[slot]) {
            return Err.NOT_ALLOCATED;
        }
        unmapPages(slotBase(slot) + VirtAddr.PAGE_SIZE, pages);
        used[slot] = false;
        return Err.OK;
    }
}
