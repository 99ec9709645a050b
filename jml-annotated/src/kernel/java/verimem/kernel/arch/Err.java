package verimem.kernel.arch;

/**
 * Error values shared by the whole memory manager. Every operation that can fail returns a {@code long}: a
 * non-negative result (a physical or virtual address, a count, {@link #OK}) or one of these negative codes.
 * Physical addresses handed out are always non-negative, so no valid frame can be mistaken for a failure: in
 * particular physical address 0 is never "out of memory" (the PowerNex defect in ../shared/DESIGN.md).
 */
public final class Err {
    private Err() {
    }

    public static final long OK = 0;
    /** No frame (or no virtual space) left. */
    public static final long NO_MEMORY = -1;
    /** Free of a frame or block that is not currently allocated (double free). */
    public static final long NOT_ALLOCATED = -2;
    /** Address outside everything this allocator manages (foreign frame or pointer). */
    public static final long NOT_MANAGED = -3;
    /** Address not aligned as the operation requires. */
    public static final long MISALIGNED = -4;
    /** Virtual address is not canonical (bits 63..47 differ). */
    public static final long NON_CANONICAL = -5;
    /** Page already mapped. */
    public static final long ALREADY_MAPPED = -6;
    /** Page not mapped. */
    public static final long NOT_MAPPED = -7;
    /** A parent entry on the walk is a huge page. */
    public static final long PARENT_HUGE_PAGE = -8;
    /** Argument out of its documented range. */
    public static final long INVALID_ARGUMENT = -9;
    /** The frame belongs to the kernel and may not be mapped into user space. */
    public static final long KERNEL_FRAME = -10;
    /** Operation on a destroyed object (address space, region). */
    public static final long DESTROYED = -11;
    /** Memory map cannot be used (malformed, too many entries, no usable memory). */
    public static final long BAD_MEMORY_MAP = -12;
    /** Out of virtual address space in a region. */
    public static final long NO_VIRTUAL_SPACE = -13;
    /** A user mapping that would be both writable and executable (the W^X policy refuses it). */
    public static final long WRITE_EXECUTE = -14;
    /**
     * Free of a managed frame the allocator never handed out and never received: a frame the pre-PMM kept (boot
     * page tables, PMM metadata). Accepting it would let that frame be handed out while its owner still uses it.
     */
    public static final long NOT_OWNED = -15;
    /** Operation not allowed in the object's current phase (e.g. a PMM hand-off release after allocation began). */
    public static final long INVALID_STATE = -16;

    /*@ public normal_behavior
      @   ensures \result == (code < 0);
      @*/
    public /*@ pure @*/ static boolean isError(long code) {
        return code < 0;
    }
}
