package verimem.kernel.vmm;

import verimem.kernel.arch.Pte;

/**
 * The leaf flags a caller may ask for: WRITABLE, USER, NO_EXECUTE, GLOBAL, WRITE_THROUGH, CACHE_DISABLE (PRESENT
 * is implied and may be given). HUGE, ACCESSED, DIRTY and the frame bits are the VMM's business, so a flags word
 * holding them is refused: a caller cannot map a table as a leaf or smuggle a frame into the flags.
 */
public final class PageFlags {
    private PageFlags() {
    }

    /** Sum of the allowed low flag bits (bits 0..4 and 8). */
    public static final long ALLOWED_LOW = Pte.PRESENT + Pte.WRITABLE + Pte.USER + Pte.WRITE_THROUGH
            + Pte.CACHE_DISABLE + Pte.GLOBAL;

    /**
     * True when flags holds only allowed bits: bit 63 (NX) and bits 0..4, 8 of the low 12 bits. With NX taken off
     * and the value below 4096, bits 5..11 are low / 32, and of them only bit 8 (GLOBAL, 8 = 2^(8-5)) is allowed.
     */
    /*@ public normal_behavior
      @   ensures \result == ((0 <= flags && flags < 4096 && (flags / 32 == 0 || flags / 32 == 8))
      @                     || (flags < Long.MIN_VALUE + 4096
      @                         && ((flags - Long.MIN_VALUE) / 32 == 0 || (flags - Long.MIN_VALUE) / 32 == 8)));
      @   ensures \result ==> ((0 <= flags && flags < 4096)
      @                      || (Long.MIN_VALUE <= flags && flags < Long.MIN_VALUE + 4096));
      @   assignable \strictly_nothing;
      @*/
    public /*@ pure @*/ static boolean isValid(long flags) {
        long low = flags;
        if (low < 0) {
            low = low - Long.MIN_VALUE;
        }
        if (low >= 4096) {
            return false;
        }
        long high = low / 32;
        return high == 0 || high == 8;
    }

    /** flags with PRESENT added if it was clear (flags valid). */
    /*@ public normal_behavior
      @   requires (0 <= flags && flags < 4096) || (Long.MIN_VALUE <= flags && flags < Long.MIN_VALUE + 4096);
      @   ensures Pte.isPresent(\result);
      @   assignable \nothing;
      @*/
    public static long withPresent(long flags) {
        if (Pte.isPresent(flags)) {
            return flags;
        }
        return flags + Pte.PRESENT;
    }

    /*@ public normal_behavior
      @   ensures \result == ((flags >> Pte.BIT_USER) % 2 != 0);
      @   assignable \strictly_nothing;
      @*/
    public /*@ spec_java_math @*/ static boolean isUser(long flags) {
        return Pte.has(flags, Pte.BIT_USER);
    }

    /**
     * The user part of the W^X policy (see isWriteExecute): USER and WRITABLE set, NO_EXECUTE clear. Kept as its
     * own predicate because the isolation invariants are stated about user-accessible leaves.
     */
    /*@ public normal_behavior
      @   ensures \result == ((flags >> Pte.BIT_USER) % 2 != 0 && (flags >> Pte.BIT_WRITABLE) % 2 != 0 && flags >= 0);
      @   assignable \strictly_nothing;
      @*/
    public /*@ strictly_pure spec_java_math @*/ static boolean isUserWriteExecute(long flags) {
        return isUser(flags) && Pte.has(flags, Pte.BIT_WRITABLE) && flags >= 0;
    }

    /**
     * The W^X policy, both halves: nobody may write what the CPU can execute, so a flags word with WRITABLE set and
     * NO_EXECUTE (bit 63, i.e. the sign) clear is refused with Err.WRITE_EXECUTE by map, protect and the demand
     * pager, in user spaces and in the kernel space alike. Kernel text is mapped read-only and executable, data
     * writable and NX; a writable executable page would let one stray write become code.
     */
    /*@ public normal_behavior
      @   ensures \result == ((flags >> Pte.BIT_WRITABLE) % 2 != 0 && flags >= 0);
      @   assignable \strictly_nothing;
      @*/
    public /*@ strictly_pure spec_java_math @*/ static boolean isWriteExecute(long flags) {
        return Pte.has(flags, Pte.BIT_WRITABLE) && flags >= 0;
    }
}
