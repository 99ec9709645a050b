package verimem.kernel.heap;

import verimem.kernel.arch.Bits;
import verimem.kernel.arch.Err;
import verimem.kernel.arch.Layout;
import verimem.kernel.pmm.Pmm;
import verimem.kernel.vmm.FrameOwnership;
import verimem.kernel.vmm.VaResult;

/**
 * kmalloc/kfree: small objects from slabs, physically contiguous and reached through the direct map (so the
 * address is pa + DIRECT_MAP_BASE and never collides with vmalloc, see Layout). Addresses are negative:
 * test results with VaResult.isError, never with {@code < 0}.
 *
 * Size classes 16, 32, ..., 2048 bytes; a slab is one 4 KiB frame of one class. Requests above 2048 bytes get
 * 2^order whole frames (allocAligned). Metadata lives outside the objects, in a fixed table of slab descriptors
 * (frame, class or order, a 256-bit used-slot map, a use count): a kfree checks the pointer against it, so a foreign
 * pointer, a pointer inside an object, or a free of a slot that is not in use are refused and change nothing.
 * An empty slab goes back to the PMM at once. Heap frames are kernel-owned while they are in use.
 *
 * A double free of the last object of a slab, after the slab went back to the PMM, can no longer be told apart
 * from a foreign pointer: it is refused as NOT_MANAGED rather than NOT_ALLOCATED.
 */
public final class Kmalloc {
    public static final int CLASSES = 8;
    public static final int SMALLEST = 16;
    public static final long LARGEST_SMALL = 2048;
    public static final int LARGE = -1;
    public static final int UNUSED = -2;
    public static final long PAGE = 4096L;

    /*@ spec_public @*/ private final Pmm pmm;
    /*@ spec_public @*/ private final FrameOwnership owners;
    /*@ spec_public @*/ private final long[] frame;
    /** Size class 0..7, LARGE, or UNUSED (descriptor free). */
    /*@ spec_public @*/ private final int[] kind;
    /** Used objects (slabs) or the block order (LARGE). */
    /*@ spec_public @*/ private final int[] used;
    /*@ spec_public @*/ private final long[] slotMap;
    /*@ spec_public @*/ private long liveObjects;
    /*@ spec_public @*/ private long heapFrames;

    // One descriptor d is frame[d], kind[d], used[d] and the four words slotMap[4d .. 4d+3].
    /*@ public invariant kind.length == frame.length && used.length == frame.length
      @   && slotMap.length == 4 * frame.length && 1 <= frame.length && frame.length < 100000000;
      @*/
    /*@ public invariant (\forall int d; 0 <= d && d < kind.length;
      @   kind[d] == UNUSED || kind[d] == LARGE || (0 <= kind[d] && kind[d] < CLASSES));
      @*/

    /*@ public normal_behavior
      @   requires pmm != null && owners != null && maxSlabs >= 1 && maxSlabs < 100000000;
      @   ensures liveObjects == 0 && heapFrames == 0 && kind.length == maxSlabs;
      @   ensures (\forall int d; 0 <= d && d < maxSlabs; kind[d] == UNUSED);
      @*/
    public Kmalloc(Pmm pmm, FrameOwnership owners, int maxSlabs) {
        this.pmm = pmm;
        this.owners = owners;
        frame = new long[maxSlabs];
        kind = new int[maxSlabs];
        used = new int[maxSlabs];
        slotMap = new long[maxSlabs * 4];
        /*@ loop_invariant 0 <= i && i <= maxSlabs && (\forall int k; 0 <= k && k < i; kind[k] == UNUSED);
          @ decreases maxSlabs - i;
          @ assignable kind[*];
          @*/
        for (int i = 0; i < maxSlabs; i++) {
            kind[i] = UNUSED;
        }
    }

    /*@ public normal_behavior
      @   ensures \result == liveObjects;
      @   assignable \nothing;
      @*/
    public long liveObjects() {
        return liveObjects;
    }

    /** Frames the heap holds from the PMM right now. */
    /*@ public normal_behavior
      @   ensures \result == heapFrames;
      @   assignable \nothing;
      @*/
    public long heapFrames() {
        return heapFrames;
    }

    /** Object size of class c: 16, 32, ..., 2048 (no wrap-around for c below CLASSES, so Java math is exact). */
    /*@ public normal_behavior
      @   requires 0 <= c && c < CLASSES;
      @   ensures \result == (16L << c);
      @   ensures 16 <= \result && \result <= LARGEST_SMALL;
      @   assignable \strictly_nothing;
      @*/
    public /*@ strictly_pure spec_java_math @*/ static long classSize(int c) {
        return 16L << c;
    }

    /** The smallest class holding `bytes` (1..2048). */
    /*@ public normal_behavior
      @   requires 1 <= bytes && bytes <= LARGEST_SMALL;
      @   ensures 0 <= \result && \result < CLASSES && classSize(\result) >= bytes;
      @   assignable \nothing;
      @*/
    public static int classOf(long bytes) {
        int c = 0;
        // Bounded by CLASSES so that a caller outside the contract gets the largest class instead of a
        // loop that never ends (classSize wraps once 4 + c reaches 64).
        /*@ loop_invariant 0 <= c && c <= CLASSES - 1;
          @ decreases CLASSES - 1 - c;
          @ assignable \nothing;
          @*/
        while (c < CLASSES - 1 && classSize(c) < bytes) {
            c = c + 1;
        }
        return c;
    }

    /** The direct-mapped address of at least `bytes` bytes, or INVALID_ARGUMENT / NO_MEMORY. */
    /*@ public normal_behavior
      @   ensures VaResult.isError(\result) ==> (\result == Err.INVALID_ARGUMENT || \result == Err.NO_MEMORY);
      @   ensures VaResult.isError(\result) ==> liveObjects == \old(liveObjects) && heapFrames == \old(heapFrames);
      @   ensures !VaResult.isError(\result) ==> Layout.inDirectMap(\result);
      @*/
    public long kmalloc(long bytes) {
        if (bytes <= 0 || bytes > Pmm.FRAME * (1L << Pmm.MAX_ORDER)) {
            return Err.INVALID_ARGUMENT;
        }
        if (bytes > LARGEST_SMALL) {
            return allocLarge(bytes);
        }
        int c = classOf(bytes);
        int slots = (int) (PAGE / classSize(c));
        for (int d = 0; d < kind.length; d++) {
            if (kind[d] == c && used[d] < slots) {
                return takeSlot(d, c, slots);
            }
        }
        int d = freeDescriptor();
        if (d < 0) {
            return Err.NO_MEMORY;
        }
        long f = pmm.allocFrame();
        if (f < 0) {
            return Err.NO_MEMORY;
        }
        owners.mark(f);
        heapFrames = heapFrames + 1;
        frame[d] = f;
        kind[d] = c;
        used[d] = 0;
        for (int w = 0; w < 4; w++) {
            slotMap[d * 4 + w] = 0;
        }
        return takeSlot(d, c, slots);
    }

    private long takeSlot(int d, int c, int slots) {
        for (int s = 0; s < slots; s++) {
            int w = d * 4 + s / 64;
            if (!Bits.isSet(slotMap[w], s % 64)) {
                slotMap[w] = Bits.withBitSet(slotMap[w], s % 64);
                used[d] = used[d] + 1;
                liveObjects = liveObjects + 1;
                return Layout.directMap(frame[d] + s * classSize(c));
            }
        }
        return Err.NO_MEMORY;
    }

    private long allocLarge(long bytes) {
        long pages = (bytes + PAGE - 1) / PAGE;
        int order = 0;
        while ((1L << order) < pages) {
            order = order + 1;
        }
        int d = freeDescriptor();
        if (d < 0) {
            return Err.NO_MEMORY;
        }
        long f = pmm.allocAligned(order);
        if (f < 0) {
            return Err.NO_MEMORY;
        }
        long n = 1L << order;
        for (long i = 0; i < n; i++) {
            owners.mark(f + i * PAGE);
        }
        heapFrames = heapFrames + n;
        frame[d] = f;
        kind[d] = LARGE;
        used[d] = order;
        liveObjects = liveObjects + 1;
        return Layout.directMap(f);
    }

    private int freeDescriptor() {
        for (int d = 0; d < kind.length; d++) {
            if (kind[d] == UNUSED) {
                return d;
            }
        }
        return -1;
    }

    /** Slot number of byte offset off in a slab of class c: below 256 (4096 / 16). */
    /*@ private normal_behavior
      @   requires 0 <= off && off < PAGE && 0 <= c && c < CLASSES;
      @   ensures \result == off / classSize(c) && 0 <= \result && \result < 256;
      @   assignable \strictly_nothing;
      @*/
    private static /*@ strictly_pure @*/ int slotIndex(long off, int c) {
        return (int) (off / classSize(c));
    }

    /** Frees an object kmalloc returned; see the class comment for what is refused. */
    /*@ public normal_behavior
      @   requires \invariant_for(pmm) && \invariant_for(owners);
      @   requires owners.bits != pmm.bitmap && owners.bits != pmm.nonEmpty && owners.bits != pmm.full
      @        && owners.vmmTables != pmm.bitmap && owners.vmmTables != pmm.nonEmpty && owners.vmmTables != pmm.full;
      @   requires (\forall int d; 0 <= d && d < frame.length; Long.MIN_VALUE <= frame[d] && frame[d] <= Long.MAX_VALUE
      @        && Integer.MIN_VALUE <= used[d] && used[d] <= Integer.MAX_VALUE);
      @   ensures \result == Err.OK || \result == Err.NOT_ALLOCATED || \result == Err.NOT_MANAGED;
      @   ensures \result == Err.OK ==> liveObjects == \old(liveObjects) - 1;
      @   ensures \result != Err.OK ==> liveObjects == \old(liveObjects) && heapFrames == \old(heapFrames);
      @*/
    public long kfree(long ptr) {
        if (!Layout.inDirectMap(ptr)) {
            return Err.NOT_MANAGED;
        }
        long pa = ptr - Layout.DIRECT_MAP_BASE;
        int d = descriptorOf(pa);
        if (d < 0) {
            return Err.NOT_MANAGED;
        }
        if (kind[d] == LARGE) {
            if (pa != frame[d]) {
                return Err.NOT_MANAGED;
            }
            long first = frame[d];
            int order = used[d];
            long n = 1L << order;
            // The PMM before the ownership bits: the PMM's invariant does not read them, but a proof would have to
            // unfold it to see that if the PMM were called after FrameOwnership.unmark.
            pmm.freeAligned(first, order);
            /*@ loop_invariant 0 <= i && (i <= n || i == 0) && \invariant_for(owners);
              @ decreases n - i;
              @ assignable owners.bits[*];
              @*/
            for (long i = 0; i < n; i++) {
                owners.unmark(first + i * PAGE);
            }
            heapFrames = heapFrames - n;
            kind[d] = UNUSED;
            liveObjects = liveObjects - 1;
            return Err.OK;
        }
        long off = pa - frame[d];
        long size = classSize(kind[d]);
        if (off % size != 0) {
            return Err.NOT_MANAGED;
        }
        int s = slotIndex(off, kind[d]);
        int w = d * 4 + s / 64;
        long bit = Bits.bit(s % 64);
        // Inline bit test and clear (Bits.isSet/withBitCleared): a long[] element passed to a method needs its long
        // range shown, which no invariant states for the slot map.
        if ((slotMap[w] >> (s % 64)) % 2 == 0) {
            return Err.NOT_ALLOCATED;
        }
        slotMap[w] = slotMap[w] - bit;
        used[d] = used[d] - 1;
        liveObjects = liveObjects - 1;
        if (used[d] == 0) {
            long f = frame[d];
            pmm.freeFrame(f);
            owners.unmark(f);
            heapFrames = heapFrames - 1;
            kind[d] = UNUSED;
        }
        return Err.OK;
    }

    /**
     * The first descriptor that pa falls in: a large block (from its first frame up to its 2^order frames) or a
     * slab frame; -1 if none.
     */
    /*@ private normal_behavior
      @   requires 0 <= pa;
      @   requires (\forall int d; 0 <= d && d < frame.length; Long.MIN_VALUE <= frame[d] && frame[d] <= Long.MAX_VALUE);
      @   ensures -1 <= \result && \result < kind.length;
      @   ensures \result >= 0 ==> (kind[\result] == LARGE && frame[\result] <= pa)
      @        || (0 <= kind[\result] && kind[\result] < CLASSES && 0 <= pa - frame[\result] && pa - frame[\result] < PAGE);
      @   assignable \strictly_nothing;
      @*/
    private /*@ strictly_pure @*/ int descriptorOf(long pa) {
        /*@ loop_invariant 0 <= d && d <= kind.length;
          @ decreases kind.length - d;
          @ assignable \strictly_nothing;
          @*/
        for (int d = 0; d < kind.length; d++) {
            if (kind[d] == LARGE && frame[d] <= pa && pa - frame[d] < PAGE * (1L << used[d])) {
                return d;
            }
            if (kind[d] >= 0 && frame[d] <= pa && 0 <= pa - frame[d] && pa - frame[d] < PAGE) {
                return d;
            }
        }
        return -1;
    }
}
