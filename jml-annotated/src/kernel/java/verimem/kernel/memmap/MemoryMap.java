package verimem.kernel.memmap;

import verimem.kernel.arch.Err;

/**
 * A physical memory map: a fixed-capacity table of [start, end) ranges with a type. Used for the raw firmware
 * map, the sanitised map and the carved map alike. Fixed capacity because there is no allocator yet when the map
 * is read; overflowing it is a clean {@link Err#BAD_MEMORY_MAP}, never a silent truncation.
 *
 * Ends are exclusive so that an empty range is start == end and adjacent ranges share a boundary value.
 */
public final class MemoryMap {
    /** Linux keeps 128 entries in the zero page and up to 3*MAX_NUMNODES+128 after; 256 covers every real map. */
    public static final int CAPACITY = 256;

    /** Types as the firmware (E820 / multiboot2) reports them. */
    public static final int USABLE = 1;
    public static final int RESERVED = 2;
    public static final int ACPI_RECLAIMABLE = 3;
    public static final int ACPI_NVS = 4;
    public static final int BAD = 5;
    public static final int PERSISTENT = 7;
    public static final int PRAM = 12;

    /** Carve-out types the kernel adds on top of the firmware map; above every firmware code. */
    public static final int LOW_MEMORY = 0x10001;
    public static final int KERNEL_IMAGE = 0x10002;
    public static final int BOOT_INFO = 0x10003;
    public static final int BOOT_MODULE = 0x10004;

    //@ public invariant 0 <= count && count <= CAPACITY;
    //@ public invariant starts.length == CAPACITY && ends.length == CAPACITY && types.length == CAPACITY;
    // Two distinct arrays: writing an end never overwrites a start.
    //@ public invariant starts != ends;
    // The invariant reads only these four fields (array lengths are not heap locations): callers that write
    // other objects keep \invariant_for(map) without unfolding it.
    //@ accessible \inv: starts, ends, types, count;
    // The getters below assign \strictly_nothing (not even fresh objects): a caller's heap is then the same term
    // before and after the call, so facts about the map need no re-instantiation after each read.
    /*@ spec_public @*/ private final long[] starts;
    /*@ spec_public @*/ private final long[] ends;
    /*@ spec_public @*/ private final int[] types;
    /*@ spec_public @*/ private int count;

    /*
     * Maps never share arrays: each constructor allocates its own (fresh) ones. Methods that read one map while
     * writing another state this as a precondition, "separate(a, b)" written out as
     *   a.starts != b.starts && a.starts != b.ends && a.ends != b.starts && a.ends != b.ends && a.types != b.types
     * (types is an int[], so it can never be a long[] of the other map); the fresh arrays let callers show it.
     */
    /*@ public normal_behavior
      @   ensures count == 0;
      @   ensures \fresh(starts) && \fresh(ends) && \fresh(types);
      @*/
    public MemoryMap() {
        starts = new long[CAPACITY];
        ends = new long[CAPACITY];
        types = new int[CAPACITY];
        count = 0;
    }

    /*@ public normal_behavior
      @   ensures \result == count;
      @   assignable \strictly_nothing;
      @*/
    public int count() {
        return count;
    }

    /*@ public normal_behavior
      @   requires 0 <= i && i < count;
      @   ensures \result == starts[i];
      @   assignable \strictly_nothing;
      @*/
    public long start(int i) {
        return starts[i];
    }

    /*@ public normal_behavior
      @   requires 0 <= i && i < count;
      @   ensures \result == ends[i];
      @   assignable \strictly_nothing;
      @*/
    public long end(int i) {
        return ends[i];
    }

    /*@ public normal_behavior
      @   requires 0 <= i && i < count;
      @   ensures \result == types[i];
      @   assignable \strictly_nothing;
      @*/
    public int type(int i) {
        return types[i];
    }

    /** Appends an entry; refuses when the table is full. Does not sort, merge or validate: the sanitiser does. */
    /*@ public normal_behavior
      @   requires count < CAPACITY;
      @   ensures count == \old(count) + 1 && \result == Err.OK;
      @   ensures starts[\old(count)] == start && ends[\old(count)] == end && types[\old(count)] == type;
      @   assignable count, starts[count], ends[count], types[count];
      @ also public normal_behavior
      @   requires count == CAPACITY;
      @   ensures \result == Err.BAD_MEMORY_MAP;
      @   assignable \nothing;
      @*/
    public long add(long start, long end, int type) {
        if (count == CAPACITY) {
            return Err.BAD_MEMORY_MAP;
        }
        starts[count] = start;
        ends[count] = end;
        types[count] = type;
        count = count + 1;
        return Err.OK;
    }

    /**
     * The same as add, with one spec case instead of two (room left / table full). Callers that add inside a loop
     * use it: with add's two cases KeY splits on this map's invariant at every call and the loop's frame proof
     * does not finish within the CPU limit.
     */
    /*@ public normal_behavior
      @   ensures \result == Err.OK || \result == Err.BAD_MEMORY_MAP;
      @   ensures (\result == Err.OK) == (\old(count) < CAPACITY);
      @   ensures \result == Err.OK ==> count == \old(count) + 1 && starts[\old(count)] == start
      @                                 && ends[\old(count)] == end && types[\old(count)] == type;
      @   ensures \result != Err.OK ==> count == \old(count);
      @   assignable count, starts[count], ends[count], types[count];
      @*/
    public long append(long start, long end, int type) {
        return add(start, end, type);
    }

    /*@ public normal_behavior
      @   ensures count == 0;
      @   assignable count;
      @*/
    public void clear() {
        count = 0;
    }
}
