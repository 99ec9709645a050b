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
    /*@ spec_public @*/ private final long[] starts;
    /*@ spec_public @*/ private final long[] ends;
    /*@ spec_public @*/ private final int[] types;
    /*@ spec_public @*/ private int count;

    /*@ public normal_behavior
      @   ensures count == 0;
      @*/
    public MemoryMap() {
        starts = new long[CAPACITY];
        ends = new long[CAPACITY];
        types = new int[CAPACITY];
        count = 0;
    }

    /*@ public normal_behavior
      @   ensures \result == count;
      @   assignable \nothing;
      @*/
    public int count() {
        return count;
    }

    /*@ public normal_behavior
      @   requires 0 <= i && i < count;
      @   ensures \result == starts[i];
      @   assignable \nothing;
      @*/
    public long start(int i) {
        return starts[i];
    }

    /*@ public normal_behavior
      @   requires 0 <= i && i < count;
      @   ensures \result == ends[i];
      @   assignable \nothing;
      @*/
    public long end(int i) {
        return ends[i];
    }

    /*@ public normal_behavior
      @   requires 0 <= i && i < count;
      @   ensures \result == types[i];
      @   assignable \nothing;
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

    /*@ public normal_behavior
      @   ensures count == 0;
      @   assignable count;
      @*/
    public void clear() {
        count = 0;
    }
}
