package verimem.kernel.vmm;

/**
 * Upper-half virtual addresses are negative longs, so a function returning "a kernel address or an Err code"
 * cannot test for failure with {@code < 0}. Err codes are small: -1 .. -4095 (the same convention as Linux's
 * IS_ERR_VALUE), while every canonical upper-half address is at most -2^47; the two ranges are disjoint.
 */
public final class VaResult {
    private VaResult() {
    }

    public static final long MAX_ERRNO = 4095;

    /*@ public normal_behavior
      @   ensures \result == (r < 0 && r >= -MAX_ERRNO);
      @   assignable \nothing;
      @*/
    public /*@ pure @*/ static boolean isError(long r) {
        return r < 0 && r >= -MAX_ERRNO;
    }
}
