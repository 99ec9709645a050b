package verimem.kernel.heap;

import verimem.kernel.arch.Err;

/**
 * Reserves and releases ranges of kernel virtual space inside [base, base + size). The free space is a sorted
 * table of disjoint, non-adjacent free ranges (kept as offsets from base, so all arithmetic is on non-negative
 * numbers even in the upper half). Reservation is first fit with alignment; release coalesces with both
 * neighbours. A release of space that is (partly) free already is a double release: NOT_ALLOCATED, nothing changes.
 * Results are kernel (negative) addresses: test them with VaResult.isError. The table has a fixed capacity (no allocator below this one); a split that would overflow it is NO_MEMORY.
 */
public final class VirtualRegionAllocator {
    public static final long PAGE = 4096L;

    //@ public invariant 0 <= count && count <= starts.length && starts.length == ends.length;
    /*@ spec_public @*/ private final long base;
    /*@ spec_public @*/ private final long size;
    /*@ spec_public @*/ private final long[] starts;
    /*@ spec_public @*/ private final long[] ends;
    /*@ spec_public @*/ private int count;
    /*@ spec_public @*/ private long freeBytes;

    /*@ public normal_behavior
      @   requires size > 0 && size % PAGE == 0 && capacity >= 1;
      @   ensures count == 1 && freeBytes == size;
      @*/
    public VirtualRegionAllocator(long base, long size, int capacity) {
        this.base = base;
        this.size = size;
        starts = new long[capacity];
        ends = new long[capacity];
        starts[0] = 0;
        ends[0] = size;
        count = 1;
        freeBytes = size;
    }

    /*@ public normal_behavior
      @   ensures \result == freeBytes;
      @   assignable \nothing;
      @*/
    public long freeBytes() {
        return freeBytes;
    }

    /*@ public normal_behavior
      @   ensures \result == count;
      @   assignable \nothing;
      @*/
    public int rangeCount() {
        return count;
    }

    /*@ public normal_behavior
      @   ensures \result == (base <= va && va - base < size);
      @   assignable \nothing;
      @*/
    public /*@ pure @*/ boolean contains(long va) {
        return base <= va && va - base < size;
    }

    /**
     * A range of `bytes` (page multiple) whose start is a multiple of align (a power of two, at least a page,
     * dividing base), or NO_VIRTUAL_SPACE, INVALID_ARGUMENT, NO_MEMORY (table full).
     */
    /*@ public normal_behavior
      @   ensures \result == Err.NO_VIRTUAL_SPACE || \result == Err.INVALID_ARGUMENT || \result == Err.NO_MEMORY
      @        || (contains(\result) && (\result - base) % align == 0);
      @*/
    public long reserve(long bytes, long align) {
        if (bytes <= 0 || bytes % PAGE != 0 || align < PAGE || align % PAGE != 0 || base % align != 0
                || bytes > size) {
            return Err.INVALID_ARGUMENT;
        }
        for (int i = 0; i < count; i++) {
            long a = ((starts[i] + align - 1) / align) * align;
            if (a < ends[i] && ends[i] - a >= bytes) {
                boolean keepLeft = a > starts[i];
                boolean keepRight = a + bytes < ends[i];
                if (keepLeft && keepRight) {
                    if (count == starts.length) {
                        return Err.NO_MEMORY;
                    }
                    insertAt(i + 1, a + bytes, ends[i]);
                    ends[i] = a;
                } else if (keepLeft) {
                    ends[i] = a;
                } else if (keepRight) {
                    starts[i] = a + bytes;
                } else {
                    removeAt(i);
                }
                freeBytes = freeBytes - bytes;
                return base + a;
            }
        }
        return Err.NO_VIRTUAL_SPACE;
    }

    /** Gives [va, va + bytes) back; coalesces with free neighbours. */
    /*@ public normal_behavior
      @   ensures \result == Err.OK || \result == Err.NOT_MANAGED || \result == Err.NOT_ALLOCATED
      @        || \result == Err.MISALIGNED || \result == Err.NO_MEMORY;
      @   ensures \result == Err.OK ==> freeBytes == \old(freeBytes) + bytes;
      @   ensures \result != Err.OK ==> freeBytes == \old(freeBytes);
      @*/
    public long release(long va, long bytes) {
        if (!contains(va) || bytes <= 0 || bytes > size - (va - base)) {
            return Err.NOT_MANAGED;
        }
        long s = va - base;
        if (s % PAGE != 0 || bytes % PAGE != 0) {
            return Err.MISALIGNED;
        }
        long e = s + bytes;
        int i = 0;
        while (i < count && starts[i] < e) {
            if (ends[i] > s) {
                return Err.NOT_ALLOCATED;
            }
            i = i + 1;
        }
        // ranges 0..i-1 end at or before s; range i (if any) starts at or after e
        boolean joinLeft = i > 0 && ends[i - 1] == s;
        boolean joinRight = i < count && starts[i] == e;
        if (joinLeft && joinRight) {
            ends[i - 1] = ends[i];
            removeAt(i);
        } else if (joinLeft) {
            ends[i - 1] = e;
        } else if (joinRight) {
            starts[i] = s;
        } else {
            if (count == starts.length) {
                return Err.NO_MEMORY;
            }
            insertAt(i, s, e);
        }
        freeBytes = freeBytes + bytes;
        return Err.OK;
    }

    private void insertAt(int i, long s, long e) {
        for (int j = count; j > i; j--) {
            starts[j] = starts[j - 1];
            ends[j] = ends[j - 1];
        }
        starts[i] = s;
        ends[i] = e;
        count = count + 1;
    }

    private void removeAt(int i) {
        for (int j = i; j + 1 < count; j++) {
            starts[j] = starts[j + 1];
            ends[j] = ends[j + 1];
        }
        count = count - 1;
    }
}
