package verimem.kernel.arch;

/**
 * The x86-64 page-table entry format, as arithmetic (see {@link Bits} for why not masks).
 *
 * An entry is frame + flags: the frame address occupies bits 12..51, the low flags bits 0..11, and no-execute
 * is bit 63. Flags are passed around as one long in the same layout, so {@code make(frame, flags)} is a plain
 * sum: the parts occupy disjoint bits, so nothing carries.
 */
public final class Pte {
    private Pte() {
    }

    public static final long PRESENT = 1L;
    public static final long WRITABLE = 2L;
    public static final long USER = 4L;
    public static final long WRITE_THROUGH = 8L;
    public static final long CACHE_DISABLE = 16L;
    public static final long ACCESSED = 32L;
    public static final long DIRTY = 64L;
    /** Page size: a 2 MiB leaf in a PD entry, a 1 GiB leaf in a PDPT entry. */
    public static final long HUGE = 128L;
    public static final long GLOBAL = 256L;
    /** Bit 63. */
    public static final long NO_EXECUTE = Long.MIN_VALUE;

    public static final int BIT_PRESENT = 0;
    public static final int BIT_WRITABLE = 1;
    public static final int BIT_USER = 2;
    public static final int BIT_WRITE_THROUGH = 3;
    public static final int BIT_CACHE_DISABLE = 4;
    public static final int BIT_HUGE = 7;
    public static final int BIT_GLOBAL = 8;
    public static final int BIT_NO_EXECUTE = 63;

    /** 2^52: physical addresses are below this (MAXPHYADDR 52). */
    public static final long PHYS_LIMIT = 4503599627370496L;

    /*@ public normal_behavior
      @   requires 0 <= bit && bit <= 63;
      @   ensures \result == ((pte >> bit) % 2 != 0);
      @*/
    public /*@ strictly_pure spec_java_math @*/ static boolean has(long pte, int bit) {
        return Bits.isSet(pte, bit);
    }

    /*@ public normal_behavior
      @   ensures \result == ((pte % 2) != 0);
      @*/
    public /*@ strictly_pure @*/ static boolean isPresent(long pte) {
        return pte % 2 != 0;
    }

    /** Physical address in bits 12..51 of the entry. */
    /*@ public normal_behavior
      @   ensures 0 <= \result && \result < PHYS_LIMIT && \result % 4096 == 0;
      @*/
    public /*@ strictly_pure @*/ static long frame(long pte) {
        return exactFrame(pte);
    }

    /**
     * frame(pte) with its exact value as the contract, for a spec that compares the frame of a value (the
     * caller's code and spec both name exactFrame, so KeY links them through this contract). frame keeps the
     * range-only contract: with the exact one, findLeaf and the EarlyMapper constructor took 1300-1400 more rules.
     */
    /*@ public normal_behavior
      @   ensures \result == ((pte < 0 ? pte - Long.MIN_VALUE : pte) % PHYS_LIMIT) / 4096 * 4096;
      @*/
    public /*@ strictly_pure @*/ static long exactFrame(long pte) {
        long low = pte;
        if (low < 0) {
            low = low - Long.MIN_VALUE;
        }
        return ((low % PHYS_LIMIT) / 4096) * 4096;
    }

    /** Flags part of an entry: bits 0..11 plus bit 63 (bits 52..62 are ignored by this design). */
    /*@ public normal_behavior
      @   ensures \result == (pte < 0 ? Long.MIN_VALUE + (pte - Long.MIN_VALUE) % 4096 : pte % 4096);
      @*/
    public static long flags(long pte) {
        long nx = 0;
        long low = pte;
        if (low < 0) {
            nx = Long.MIN_VALUE;
            low = low - Long.MIN_VALUE;
        }
        return nx + low % 4096;
    }

    /*@ public normal_behavior
      @   requires 0 <= frame && frame < PHYS_LIMIT && frame % 4096 == 0;
      @   requires (0 <= flags && flags < 4096) || (Long.MIN_VALUE <= flags && flags < Long.MIN_VALUE + 4096);
      @   ensures \result == frame + flags;
      @   ensures Pte.frame(\result) == frame;
      @*/
    public /*@ pure @*/ static long make(long frame, long flags) {
        return frame + flags;
    }
}
