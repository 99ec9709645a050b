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

    /** Largest region: start + align - 1 (both at most the size) cannot wrap around. */
    public static final long MAX_SIZE = 4611686018427387904L;

    //@ public invariant 0 <= count && count <= starts.length && starts.length == ends.length && starts != ends;
    // The region's end base + size fits in a long, so contains() can compare against it without wrap-around.
    //@ public invariant 0 < size && size <= MAX_SIZE && Long.MIN_VALUE <= base && base + size <= Long.MAX_VALUE;
    //@ public invariant 0 <= freeBytes && freeBytes <= size;
    // Every free range is a non-empty part of the region.
    /*@ public invariant (\forall int k; 0 <= k && k < count;
      @                     0 <= starts[k] && starts[k] < ends[k] && ends[k] <= size);
      @*/
    /*@ spec_public @*/ private final long base;
    /*@ spec_public @*/ private final long size;
    /*@ spec_public @*/ private final long[] starts;
    /*@ spec_public @*/ private final long[] ends;
    /*@ spec_public @*/ private int count;
    /*@ spec_public @*/ private long freeBytes;

    /*@ public normal_behavior
      @   requires size > 0 && size <= MAX_SIZE && size % PAGE == 0 && capacity >= 1 && base + size <= Long.MAX_VALUE;
      @   ensures count == 1 && freeBytes == size;
      @   assignable \nothing;
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
      @   ensures \result == (base <= va && va < base + size);
      @   assignable \nothing;
      @*/
    public /*@ pure @*/ boolean contains(long va) {
        // Not va - base < size: for a high va and a negative (kernel) base that difference wraps negative.
        return base <= va && va < base + size;
    }

    /**
     * A range of `bytes` (page multiple) whose start is a multiple of align (a power of two, at least a page,
     * dividing base, at most the region size), or NO_VIRTUAL_SPACE, INVALID_ARGUMENT, NO_MEMORY (table full).
     */
    /*@ public normal_behavior
      @   ensures \result == Err.NO_VIRTUAL_SPACE || \result == Err.INVALID_ARGUMENT || \result == Err.NO_MEMORY
      @        || (contains(\result) && (\result - base) % align == 0);
      @*/
    public long reserve(long bytes, long align) {
        if (!validRequest(base, size, bytes, align)) {
            return Err.INVALID_ARGUMENT;
        }
        if (bytes > freeBytes) {
            return Err.NO_VIRTUAL_SPACE; // fast refusal; also keeps freeBytes - bytes non-negative below
        }
        /*@ loop_invariant 0 <= i && i <= count;
          @ decreases count - i;
          @ assignable \nothing;
          @*/
        for (int i = 0; i < count; i++) {
            long a = alignUp(starts[i], align);
            if (a < ends[i] && ends[i] - a >= bytes) {
                if (take(i, a, bytes) != Err.OK) {
                    return Err.NO_MEMORY;
                }
                return base + a;
            }
        }
        return Err.NO_VIRTUAL_SPACE;
    }

    /**
     * The argument checks of reserve. The contract names only the bounds reserve's proof uses, not the % checks
     * (an exact contract would make KeY expand each % into quotients on every branch of reserve).
     */
    /*@ private normal_behavior
      @   ensures \result ==> 0 < bytes && bytes <= size && PAGE <= align && align <= size;
      @   assignable \strictly_nothing;
      @*/
    private static /*@ helper @*/ boolean validRequest(long base, long size, long bytes, long align) {
        return bytes > 0 && bytes % PAGE == 0 && align >= PAGE && align % PAGE == 0 && base % align == 0
                && bytes <= size && align <= size;
    }

    /** The smallest multiple of align at or above x (the only multiple in [x, x + align), so exact). */
    /*@ private normal_behavior
      @   requires 0 <= x && x <= MAX_SIZE && 1 <= align && align <= MAX_SIZE;
      @   ensures x <= \result && \result < x + align && \result % align == 0;
      @   assignable \nothing;
      @*/
    private static long alignUp(long x, long align) {
        return ((x + align - 1) / align) * align;
    }

    /** Takes [a, a + bytes) out of free range i, which holds it: shrinks, splits or removes that range. */
    /*@ private normal_behavior
      @   requires 0 <= i && i < count && starts[i] <= a && 0 < bytes && bytes <= ends[i] - a && bytes <= freeBytes;
      @   ensures \result == Err.OK || \result == Err.NO_MEMORY;
      @   ensures \result == Err.OK ==> freeBytes == \old(freeBytes) - bytes;
      @   ensures \result != Err.OK ==> freeBytes == \old(freeBytes);
      @   assignable count, starts[*], ends[*], freeBytes;
      @*/
    private long take(int i, long a, long bytes) {
        boolean keepLeft = a > starts[i];
        boolean keepRight = a + bytes < ends[i];
        if (keepLeft && keepRight) {
            if (count == starts.length) {
                return Err.NO_MEMORY;
            }
            splitRange(i, a, a + bytes);
        } else if (keepLeft) {
            setEnd(i, a);
        } else if (keepRight) {
            setStart(i, a + bytes);
        } else {
            removeRange(i);
        }
        adjustFree(-bytes);
        return Err.OK;
    }

    /** Gives [va, va + bytes) back; coalesces with free neighbours. */
    /*@ public normal_behavior
      @   ensures \result == Err.OK || \result == Err.NOT_MANAGED || \result == Err.NOT_ALLOCATED
      @        || \result == Err.MISALIGNED || \result == Err.NO_MEMORY;
      @   ensures \result == Err.OK ==> freeBytes == \old(freeBytes) + bytes;
      @   ensures \result != Err.OK ==> freeBytes == \old(freeBytes);
      @*/
    public long release(long va, long bytes) {
        // contains(va) spelled out: a call would give KeY a new heap, so the invariant would be re-proved for give.
        if (va < base || va >= base + size || bytes <= 0 || bytes > size - (va - base)) {
            return Err.NOT_MANAGED;
        }
        return releaseAt(va - base, bytes);
    }

    /** release of [s, s + bytes) as offsets from base, after the region check (its own proof, small contexts). */
    /*@ private normal_behavior
      @   requires 0 <= s && s < size && 0 < bytes && bytes <= size - s;
      @   ensures \result == Err.OK || \result == Err.NOT_ALLOCATED || \result == Err.MISALIGNED || \result == Err.NO_MEMORY;
      @   ensures \result == Err.OK ==> freeBytes == \old(freeBytes) + bytes;
      @   ensures \result != Err.OK ==> freeBytes == \old(freeBytes);
      @*/
    private long releaseAt(long s, long bytes) {
        if (!pageMultiples(s, bytes)) {
            return Err.MISALIGNED;
        }
        if (bytes > size - freeBytes) {
            return Err.NOT_ALLOCATED; // more than is reserved in all: must overlap free space
        }
        int i = slotFor(s, s + bytes);
        if (i < 0) {
            return Err.NOT_ALLOCATED;
        }
        return give(i, s, s + bytes);
    }

    /**
     * Whether s and bytes are page multiples. No postcondition: release's contract does not depend on the check,
     * and one naming the % would make KeY expand it into quotients on every branch of release.
     */
    /*@ private normal_behavior
      @   ensures true;
      @   assignable \strictly_nothing;
      @*/
    private static /*@ helper @*/ boolean pageMultiples(long s, long bytes) {
        return s % PAGE == 0 && bytes % PAGE == 0;
    }

    /** Where [s, e) goes in the sorted table: after every range ending at or before s; -1 if one overlaps it. */
    /*@ private normal_behavior
      @   requires starts != null && ends != null && starts.length == ends.length;
      @   requires 0 <= count && count <= starts.length && 0 <= s && s < e;
      @   ensures -1 <= \result && \result <= count;
      @   ensures \result > 0 ==> ends[\result - 1] <= s;
      @   ensures 0 <= \result && \result < count ==> starts[\result] >= e;
      @   assignable \strictly_nothing;
      @*/
    private /*@ helper @*/ int slotFor(long s, long e) {
        int i = 0;
        /*@ loop_invariant 0 <= i && i <= count && (i > 0 ==> ends[i - 1] <= s);
          @ decreases count - i;
          @ assignable \strictly_nothing;
          @*/
        while (i < count && starts[i] < e) {
            if (ends[i] > s) {
                return -1;
            }
            i = i + 1;
        }
        return i;
    }

    /** Frees [s, e) at slot i (see slotFor), joined with a neighbour range it touches. */
    /*@ private normal_behavior
      @   requires 0 <= s && s < e && e <= size && e - s <= size - freeBytes && 0 <= i && i <= count;
      @   requires i > 0 ==> ends[i - 1] <= s;
      @   requires i < count ==> starts[i] >= e;
      @   ensures \result == Err.OK || \result == Err.NO_MEMORY;
      @   ensures \result == Err.OK ==> freeBytes == \old(freeBytes) + (e - s);
      @   ensures \result != Err.OK ==> freeBytes == \old(freeBytes);
      @   assignable count, starts[*], ends[*], freeBytes;
      @*/
    private long give(int i, long s, long e) {
        if (!placeRange(i, s, e)) {
            return Err.NO_MEMORY;
        }
        addFree(s, e);
        return Err.OK;
    }

    /** adjustFree for the freed range [s, e): the subtraction is done here, so give has no Java arithmetic. */
    /*@ private normal_behavior
      @   requires 0 <= s && s < e && e <= size && freeBytes + (e - s) <= size;
      @   ensures freeBytes == \old(freeBytes) + (e - s);
      @   assignable freeBytes;
      @*/
    private void addFree(long s, long e) {
        adjustFree(e - s);
    }

    /** The table edit of give: joins [s, e) to a touching neighbour or inserts it; false (nothing changed) if full. */
    /*@ private normal_behavior
      @   requires 0 <= s && s < e && e <= size && 0 <= i && i <= count;
      @   requires i > 0 ==> ends[i - 1] <= s;
      @   requires i < count ==> starts[i] >= e;
      @   ensures !\result ==> count == \old(count);
      @   assignable count, starts[*], ends[*];
      @*/
    private boolean placeRange(int i, long s, long e) {
        boolean joinLeft = i > 0 && ends[i - 1] == s;
        boolean joinRight = i < count && starts[i] == e;
        if (joinLeft && joinRight) {
            mergeWithNext(i - 1);
        } else if (joinLeft) {
            setEnd(i - 1, e);
        } else if (joinRight) {
            setStart(i, s);
        } else {
            if (count == starts.length) {
                return false;
            }
            insertRange(i, s, e);
        }
        return true;
    }

    /** Adds delta to the free byte count (negative: bytes were taken), which stays within [0, size]. */
    /*@ private normal_behavior
      @   requires 0 <= freeBytes + delta && freeBytes + delta <= size;
      @   ensures freeBytes == \old(freeBytes) + delta;
      @   assignable freeBytes;
      @*/
    private void adjustFree(long delta) {
        freeBytes = freeBytes + delta;
    }

    // adjustFree and the table edits below are not helpers: each keeps the class invariant (every free range a non-empty part
    // of the region) and proves that in a small context of its own. Their preconditions name only what take and
    // give know without unfolding the quantified invariant (a neighbour's bound, not the region's), so those two
    // reason about these contracts instead of re-instantiating the invariant over shifted entries; and since take
    // and give write no field themselves, their own invariant re-proof is the last callee's postcondition.

    /** Moves the start of free range i to v: inside the range (shrinking it) or down to at least 0 (growing it). */
    /*@ private normal_behavior
      @   requires 0 <= i && i < count;
      @   requires (starts[i] <= v && v < ends[i]) || (0 <= v && v <= starts[i]);
      @   ensures starts[i] == v;
      @   assignable starts[i];
      @*/
    private void setStart(int i, long v) {
        starts[i] = v;
    }

    /** Moves the end of free range i to v: inside the range (shrinking it) or up to at most size (growing it). */
    /*@ private normal_behavior
      @   requires 0 <= i && i < count;
      @   requires (starts[i] < v && v <= ends[i]) || (ends[i] <= v && v <= size);
      @   ensures ends[i] == v;
      @   assignable ends[i];
      @*/
    private void setEnd(int i, long v) {
        ends[i] = v;
    }

    /** Cuts [a, b) out of the middle of free range i: it becomes [start, a) and [b, end). */
    /*@ private normal_behavior
      @   requires 0 <= i && i < count && count < starts.length && starts[i] < a && a < b && b < ends[i];
      @   ensures count == \old(count) + 1;
      @   assignable count, starts[*], ends[*];
      @*/
    private void splitRange(int i, long a, long b) {
        long oldEnd = ends[i];
        setEnd(i, a);
        insertRange(i + 1, b, oldEnd);
    }

    /** Joins free range j with the next one (the gap between them was given back): [start j, end j+1). */
    /*@ private normal_behavior
      @   requires 0 <= j && j + 1 < count && ends[j] <= starts[j + 1];
      @   ensures count == \old(count) - 1;
      @   assignable count, starts[*], ends[*];
      @*/
    private void mergeWithNext(int j) {
        ends[j] = ends[j + 1];
        removeAt(j + 1);
    }

    /** Inserts the non-empty range [s, e) inside the region as free range i (later ranges move up one slot). */
    /*@ private normal_behavior
      @   requires 0 <= i && i <= count && count < starts.length && 0 <= s && s < e && e <= size;
      @   ensures count == \old(count) + 1;
      @   assignable count, starts[*], ends[*];
      @*/
    private void insertRange(int i, long s, long e) {
        // Append, then swap the new range down into slot i. Each step is an invariant-keeping method of its own,
        // so no proof has to chain a shifted index with the quantified invariant (as shifting the tail up in one loop would need).
        appendRange(s, e);
        /*@ loop_invariant i <= j && j < count && count == \old(count) + 1 && \invariant_for(this);
          @ decreases j;
          @ assignable starts[*], ends[*];
          @*/
        for (int j = count - 1; j > i; j--) {
            swapWithPrevious(j);
        }
    }

    /** Puts the non-empty range [s, e) inside the region into the first unused slot. */
    /*@ private normal_behavior
      @   requires count < starts.length && 0 <= s && s < e && e <= size;
      @   ensures count == \old(count) + 1 && starts[count - 1] == s && ends[count - 1] == e;
      @   assignable count, starts[count], ends[count];
      @*/
    private void appendRange(long s, long e) {
        starts[count] = s;
        ends[count] = e;
        count = count + 1;
    }

    /** Exchanges free ranges j - 1 and j. */
    /*@ private normal_behavior
      @   requires 0 < j && j < count;
      @   ensures starts[j] == \old(starts[j - 1]) && ends[j] == \old(ends[j - 1]);
      @   ensures starts[j - 1] == \old(starts[j]) && ends[j - 1] == \old(ends[j]);
      @   assignable starts[j - 1], starts[j], ends[j - 1], ends[j];
      @*/
    private void swapWithPrevious(int j) {
        long s = starts[j];
        long e = ends[j];
        starts[j] = starts[j - 1];
        ends[j] = ends[j - 1];
        starts[j - 1] = s;
        ends[j - 1] = e;
    }

    /** removeAt, keeping the invariant (the remaining ranges are old ones). */
    /*@ private normal_behavior
      @   requires 0 <= i && i < count;
      @   ensures count == \old(count) - 1;
      @   assignable count, starts[*], ends[*];
      @*/
    private void removeRange(int i) {
        removeAt(i);
    }

    /** Closes slot i by moving entries i+1..count-1 one down. */
    /*@ private normal_behavior
      @   requires starts != null && ends != null && starts != ends && starts.length == ends.length;
      @   requires 0 <= i && i < count && count <= starts.length;
      @   ensures count == \old(count) - 1;
      @   ensures (\forall int k; 0 <= k && k < i; starts[k] == \old(starts[k]) && ends[k] == \old(ends[k]));
      @   ensures (\forall int k; i <= k && k < count;
      @              starts[k] == \old(starts[k + 1]) && ends[k] == \old(ends[k + 1]));
      @   assignable count, starts[*], ends[*];
      @*/
    private /*@ helper @*/ void removeAt(int i) {
        /*@ loop_invariant i <= j && j < count;
          @ loop_invariant (\forall int k; 0 <= k && k < i; starts[k] == \old(starts[k]) && ends[k] == \old(ends[k]));
          @ loop_invariant (\forall int k; i <= k && k < j;
          @                   starts[k] == \old(starts[k + 1]) && ends[k] == \old(ends[k + 1]));
          @ loop_invariant (\forall int k; j <= k && k < count; starts[k] == \old(starts[k]) && ends[k] == \old(ends[k]));
          @ decreases count - j;
          @ assignable starts[*], ends[*];
          @*/
        for (int j = i; j + 1 < count; j++) {
            starts[j] = starts[j + 1];
            ends[j] = ends[j + 1];
        }
        count = count - 1;
    }
}
