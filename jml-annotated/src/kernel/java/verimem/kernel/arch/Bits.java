package verimem.kernel.arch;

/**
 * Bit operations written as arithmetic, because KeY 2.12.3 cannot reason about {@code &} masks, {@code >>>} or
 * {@code ~} (../shared/DESIGN.md). These bodies are the verified reference; the AOT compiler maps
 * {@link #lowestSetBit} to a count-trailing-zeros builtin, and the differential suite checks the two agree.
 *
 * Why the arithmetic is exact for negative words too: Java's {@code >>} is floor division by 2^b and Java's
 * {@code %} keeps the sign of the dividend, so {@code (w >> b) % 2} is 0 exactly when bit b of w is clear.
 */
public final class Bits {
    private Bits() {
    }

    /*@ public normal_behavior
      @   requires 0 <= b && b <= 63;
      @   ensures \result == ((w >> b) % 2 != 0);
      @*/
    public static /*@ strictly_pure spec_java_math @*/ boolean isSet(long w, int b) {
        return (w >> b) % 2 != 0;
    }

    /** 2^b as a long; 2^63 is Long.MIN_VALUE, which is exactly the bit pattern of bit 63. */
    /*@ public normal_behavior
      @   requires 0 <= b && b <= 63;
      @   ensures \result == (1L << b);
      @*/
    public static /*@ strictly_pure spec_java_math @*/ long bit(int b) {
        return 1L << b;
    }

    /** Word w with bit b set; the caller knows the bit was clear, so adding 2^b never carries. */
    /*@ public normal_behavior
      @   requires 0 <= b && b <= 63;
      @   requires (w >> b) % 2 == 0;
      @   ensures \result == w + (1L << b);
      @*/
    public static /*@ strictly_pure spec_java_math @*/ long withBitSet(long w, int b) {
        return w + (1L << b);
    }

    /** Word w with bit b cleared; the caller knows the bit was set, so subtracting 2^b never borrows. */
    /*@ public normal_behavior
      @   requires 0 <= b && b <= 63;
      @   requires (w >> b) % 2 != 0;
      @   ensures \result == w - (1L << b);
      @*/
    public static /*@ strictly_pure spec_java_math @*/ long withBitCleared(long w, int b) {
        return w - (1L << b);
    }

    /**
     * Index of the lowest set bit (count trailing zeros). A binary search on divisibility: the low k bits of w
     * are all zero exactly when w % 2^k == 0, whatever the sign of w.
     */
    /*@ public normal_behavior
      @   requires w != 0;
      @   ensures 0 <= \result && \result <= 63;
      @   ensures (w >> \result) % 2 != 0;
      @   ensures (\forall int i; 0 <= i && i < \result; (w >> i) % 2 == 0);
      @   assignable \strictly_nothing;
      @*/
    public static /*@ pure @*/ int lowestSetBit(long w) {
        int n = 0;
        long v = w;
        if (v % 4294967296L == 0) {
            n = n + 32;
            v = v >> 32;
        }
        if (v % 65536L == 0) {
            n = n + 16;
            v = v >> 16;
        }
        if (v % 256L == 0) {
            n = n + 8;
            v = v >> 8;
        }
        if (v % 16L == 0) {
            n = n + 4;
            v = v >> 4;
        }
        if (v % 4L == 0) {
            n = n + 2;
            v = v >> 2;
        }
        if (v % 2L == 0) {
            n = n + 1;
        }
        return n;
    }
}
