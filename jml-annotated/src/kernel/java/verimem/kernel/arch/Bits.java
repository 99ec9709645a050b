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

    /**
     * Number of set bits among the low m bits of w (m = 64: all of them). The PMM's invariant counts each bitmap
     * word's free frames with onesAt(bitmap, w, 64), which is ones(bitmap[w], 64) read through the array (see there):
     * behind a method the 64-term count stays one opaque term in every proof
     * that only carries the invariant along (written out, KeY unrolled it in each of them and spent its CPU limit
     * on the 64-term sums). The bound is a parameter so that this method's own proof never meets a literal range
     * (KeY unrolls a count over 0..64 term by term and then splits on every term).
     */
    /*@ public normal_behavior
      @   requires 0 <= m && m <= 64;
      @   ensures 0 <= \result && \result <= m;
      @   ensures \result == (\num_of int b; 0 <= b && b < m; (w >> b) % 2 != 0);
      @   measured_by m;
      @   accessible \nothing;
      @*/
    public static /*@ strictly_pure spec_java_math @*/ int ones(long w, int m) {
        /* Recursive, not a loop: the proof of the accessible clause runs the body twice (once per heap), and one
           recursive call per run (its contract gives the count of the lower m - 1 bits) is far cheaper than two
           loop-invariant proofs. Only ghost code calls it; outside the contract's range it answers 0 (the
           differential suite calls every method with arbitrary arguments, so the recursion must stay shallow). */
        if (m <= 0 || m > 64) {
            return 0;
        }
        int below = ones(w, m - 1);
        if ((w >> (m - 1)) % 2 != 0) {
            return below + 1;
        }
        return below;
    }

    /**
     * ones(a[i], m), read through the array: the PMM's invariant counts bitmap word w as onesAt(bitmap, w, 64).
     * With the word as a long parameter, KeY's dependency step (the count is unchanged when the word is) must show
     * the word in the long range, which KeY 2.12.3 has no rule for when the word is an array element; here the
     * parameters are a reference and ints, whose ranges the caller's int quantifier gives.
     */
    /*@ public normal_behavior
      @   requires a != null && 0 <= i && i < a.length && 0 <= m && m <= 64;
      @   ensures 0 <= \result && \result <= m;
      @   ensures \result == (\num_of int b; 0 <= b && b < m; (a[i] >> b) % 2 != 0);
      @   measured_by m;
      @   accessible a[i];
      @*/
    public static /*@ strictly_pure spec_java_math @*/ int onesAt(long[] a, int i, int m) {
        /* Recursive for the same reason as ones; outside the contract's range it answers 0. */
        if (a == null || i < 0 || i >= a.length || m <= 0 || m > 64) {
            return 0;
        }
        int below = onesAt(a, i, m - 1);
        if ((a[i] >> (m - 1)) % 2 != 0) {
            return below + 1;
        }
        return below;
    }

    /**
     * A lemma (empty body): onesAt counts the element as ones does, so the word lemmas about ones apply to it. The
     * element comes in again as w (a caller's local holding a[i]): KeY knows a long parameter's range, which the
     * precondition of ones needs, but not an array element's.
     */
    /*@ public normal_behavior
      @   requires a != null && 0 <= i && i < a.length && 0 <= m && m <= 64 && a[i] == w;
      @   ensures onesAt(a, i, m) == ones(w, m);
      @   assignable \strictly_nothing;
      @*/
    public static /*@ strictly_pure @*/ void onesAtIsOnes(long[] a, int i, int m, long w) {
    }

    /**
     * A lemma (empty body): no element of an all-zero array (a fresh bitmap) has a set bit among its low m bits, so
     * every word of a new PMM counts no free frame.
     */
    /*@ public normal_behavior
      @   requires a != null && 0 <= m && m <= 64 && (\forall int k; 0 <= k && k < a.length; a[k] == 0);
      @   ensures (\forall int i; 0 <= i && i < a.length; onesAt(a, i, m) == 0);
      @   assignable \strictly_nothing;
      @*/
    public static /*@ strictly_pure @*/ void zerosHaveNoOnes(long[] a, int m) {
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
     * Index of the lowest set bit (count trailing zeros): halve w while it is even. The bits below n being clear,
     * w == v &lt;&lt; n exactly. The bound n &lt; 63 keeps the old result 63 for w == 0 (outside the contract; the
     * C build's count-trailing-zeros returns the same).
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
        /*@ loop_invariant 0 <= n && n <= 63 && Long.MIN_VALUE <= v && v <= Long.MAX_VALUE && w == (v << n);
          @ loop_invariant (\forall int i; 0 <= i && i < n; (w >> i) % 2 == 0);
          @ decreases 63 - n;
          @ assignable \strictly_nothing;
          @*/
        while (n < 63 && v % 2 == 0) {
            exactShift(w, v, n);
            extendClear(w, n);
            powStep(n);
            v = v / 2;
            n = n + 1;
        }
        exactShift(w, v, n);
        return n;
    }

    /** A lemma (empty body): w == v &lt;&lt; n exactly, so w &gt;&gt; n is v. */
    /*@ private normal_behavior
      @   requires 0 <= n && n <= 63 && w == (v << n);
      @   ensures (w >> n) == v;
      @   assignable \strictly_nothing;
      @*/
    private static /*@ strictly_pure @*/ void exactShift(long w, long v, int n) {
    }

    /** A lemma (empty body): bits 0..n-1 and bit n of w clear, so bits 0..n are. */
    /*@ private normal_behavior
      @   requires 0 <= n && n < 63 && (w >> n) % 2 == 0;
      @   requires (\forall int i; 0 <= i && i < n; (w >> i) % 2 == 0);
      @   ensures (\forall int i; 0 <= i && i < n + 1; (w >> i) % 2 == 0);
      @   assignable \strictly_nothing;
      @*/
    private static /*@ strictly_pure @*/ void extendClear(long w, int n) {
    }

    /** A lemma (empty body): 2^(n+1) == 2 * 2^n; KeY's auto mode never splits a power by itself. */
    /*@ private normal_behavior
      @   requires 0 <= n && n < 63;
      @   ensures (1L << (n + 1)) == 2 * (1L << n);
      @   assignable \strictly_nothing;
      @*/
    private static /*@ strictly_pure @*/ void powStep(int n) {
    }

    /*
     * Lemmas for the PMM's per-word free count (ones): clearing a set bit b (w - 2^b) or setting a clear one
     * (w + 2^b) changes bit b and no other bit. Bodies are empty or call other lemmas: each contract is proved on
     * its own and called where the fact is needed; the C build compiles an empty body to nothing, and
     * clearedBitsAgree to a 64-deep recursion of such calls. The counts: onesCleared/onesSet (exact words, b &lt;= 62: noBorrow and
     * noCarry turn the Java words w -+ (1L &lt;&lt; b) into exact ones). Missing: the wrapped case b = 63
     * (proofs/attempts/pmm-bit-lemmas.md).
     */

    /** A lemma (empty body): 2^(k+d) == 2^k * 2^d, in unbounded arithmetic. */
    /*@ public normal_behavior
      @   requires 0 <= k && 0 <= d && k + d <= 63;
      @   ensures (1L << (k + d)) == (1L << k) * (1L << d);
      @   assignable \strictly_nothing;
      @*/
    public static /*@ strictly_pure spec_bigint_math @*/ void powSplit(int k, int d) {
    }

    /** A lemma (empty body): clearing set bit b clears it. */
    /*@ public normal_behavior
      @   requires 0 <= b && b <= 63 && (w >> b) % 2 != 0;
      @   ensures ((w - (1L << b)) >> b) % 2 == 0;
      @   assignable \strictly_nothing;
      @*/
    public static /*@ strictly_pure @*/ void clearClears(long w, int b) {
    }

    /** A lemma (empty body): setting clear bit b sets it. */
    /*@ public normal_behavior
      @   requires 0 <= b && b <= 63 && (w >> b) % 2 == 0;
      @   ensures ((w + (1L << b)) >> b) % 2 != 0;
      @   assignable \strictly_nothing;
      @*/
    public static /*@ strictly_pure @*/ void setSets(long w, int b) {
    }

    /**
     * A lemma (empty body): words x and y whose low m bits differ only in bit b, set in x and clear in y, count one
     * more set bit in x. Proved by a script that cuts in the two counts as written in ones' contract and applies
     * KeY's taclet bsum_equal_except_one_index at index b (no induction over m). The bound m is a parameter: KeY
     * unrolls a count over a literal range 0..64 term by term (and a script's symbolic execution never stops doing so).
     */
    /*@ public normal_behavior
      @   requires 0 <= b && b < m && m <= 64 && (x >> b) % 2 != 0 && (y >> b) % 2 == 0;
      @   requires (\forall int k; 0 <= k && k < m && k != b; ((x >> k) % 2 != 0) == ((y >> k) % 2 != 0));
      @   ensures ones(x, m) == \bigint_math(ones(y, m) + 1);
      @   assignable \strictly_nothing;
      @*/
    public static /*@ strictly_pure spec_java_math @*/ void onesOneMore(long x, long y, int b, int m) {
    }

    /**
     * A lemma (empty body): for 0 &lt;= k &lt;= 63, bit k of a long tested in Java arithmetic (the form of ones'
     * contract) is bit k tested in unbounded arithmetic (the form of the per-bit lemmas).
     */
    /*@ public normal_behavior
      @   requires 0 <= k && k <= 63;
      @   ensures \java_math((x >> k) % 2 != 0) == ((x >> k) % 2 != 0);
      @   assignable \strictly_nothing;
      @*/
    public static /*@ strictly_pure @*/ void javaBit(long x, int k) {
    }

    /** A lemma: clearing set bit b keeps bit k &gt; b (w &gt;&gt; k itself is unchanged). */
    /*@ public normal_behavior
      @   requires 0 <= b && b < k && k <= 63 && (w >> b) % 2 != 0;
      @   ensures ((w - (1L << b)) >> k) == (w >> k);
      @   ensures (((w - (1L << b)) >> k) % 2 != 0) == ((w >> k) % 2 != 0);
      @   assignable \strictly_nothing;
      @*/
    public static /*@ strictly_pure @*/ void clearKeepsAbove(long w, int b, int k) {
        remainderHoldsBit(w, b, k);
        subKeepsQuotient(w, b, k);
    }

    /** A lemma: set bit b and b &lt; k, so the remainder of w by 2^k is at least 2^b. */
    /*@ public normal_behavior
      @   requires 0 <= b && b < k && k <= 63 && (w >> b) % 2 != 0;
      @   ensures w - ((w >> k) << k) >= (1L << b);
      @   assignable \strictly_nothing;
      @*/
    public static /*@ strictly_pure @*/ void remainderHoldsBit(long w, int b, int k) {
        quotientOfSmallRemainder(w, b, k);
        powSplit(1, k - b - 1);
    }

    /**
     * A lemma: if the remainder of w by 2^k is below 2^b (b &lt; k), then w &gt;&gt; b is (w &gt;&gt; k) * 2^(k-b), an
     * even number. Proved by a script: KeY's div_unique1 instantiated with the two quotients (auto mode does not
     * cancel the factor 2^b by itself).
     */
    /*@ public normal_behavior
      @   requires 0 <= b && b < k && k <= 63;
      @   ensures w - ((w >> k) << k) < (1L << b) ==> (w >> b) == (w >> k) * (1L << (k - b));
      @   assignable \strictly_nothing;
      @*/
    public static /*@ strictly_pure @*/ void quotientOfSmallRemainder(long w, int b, int k) {
        powSplit(b, k - b);
    }

    /**
     * A lemma: the remainder of w by 2^k being at least 2^b, subtracting 2^b keeps the quotient. Proved by a
     * script with div_unique1, as quotientOfSmallRemainder.
     */
    /*@ public normal_behavior
      @   requires 0 <= b && b < k && k <= 63;
      @   requires w - ((w >> k) << k) >= (1L << b);
      @   ensures ((w - (1L << b)) >> k) == (w >> k);
      @   assignable \strictly_nothing;
      @*/
    public static /*@ strictly_pure @*/ void subKeepsQuotient(long w, int b, int k) {
        powSplit(b, k - b);
    }

    /**
     * A lemma: w within 2^b above Long.MIN_VALUE has w &gt;&gt; b == -2^(63-b), an even number. Proved by a script
     * with div_unique1.
     */
    /*@ public normal_behavior
      @   requires 0 <= b && b <= 62;
      @   ensures w - Long.MIN_VALUE < (1L << b) ==> (w >> b) == -(1L << (63 - b));
      @   assignable \strictly_nothing;
      @*/
    public static /*@ strictly_pure @*/ void quotientNearMin(long w, int b) {
        powSplit(b, 63 - b);
    }

    /** A lemma: bit b (b &lt;= 62) of w set, so the Java word w - (1L &lt;&lt; b) is the exact difference. */
    /*@ public normal_behavior
      @   requires 0 <= b && b <= 62 && (w >> b) % 2 != 0;
      @   ensures w - (1L << b) >= Long.MIN_VALUE;
      @   ensures \java_math(w - (1L << b)) == w - (1L << b);
      @   assignable \strictly_nothing;
      @*/
    public static /*@ strictly_pure @*/ void noBorrow(long w, int b) {
        quotientNearMin(w, b);
        powSplit(1, 62 - b);
    }

    /**
     * A lemma: w within 2^b below 2^63 has w &gt;&gt; b == 2^(63-b) - 1, an odd number. Proved by a script with
     * div_unique1.
     */
    /*@ public normal_behavior
      @   requires 0 <= b && b <= 62;
      @   ensures w + (1L << b) > Long.MAX_VALUE ==> (w >> b) == (1L << (63 - b)) - 1;
      @   assignable \strictly_nothing;
      @*/
    public static /*@ strictly_pure @*/ void quotientNearMax(long w, int b) {
        powSplit(b, 63 - b);
    }

    /** A lemma: bit b (b &lt;= 62) of w clear, so the Java word w + (1L &lt;&lt; b) is the exact sum. */
    /*@ public normal_behavior
      @   requires 0 <= b && b <= 62 && (w >> b) % 2 == 0;
      @   ensures w + (1L << b) <= Long.MAX_VALUE;
      @   ensures \java_math(w + (1L << b)) == w + (1L << b);
      @   assignable \strictly_nothing;
      @*/
    public static /*@ strictly_pure @*/ void noCarry(long w, int b) {
        quotientNearMax(w, b);
        powSplit(1, 62 - b);
    }

    /**
     * A lemma: c = w - 2^b (exact: a long c exists only for b &lt;= 62, see noBorrow) agrees with w in bit k != b,
     * tested in Java arithmetic as ones' contract does.
     */
    /*@ public normal_behavior
      @   requires 0 <= b && b <= 63 && (w >> b) % 2 != 0 && c == w - (1L << b);
      @   requires 0 <= k && k <= 63 && k != b;
      @   ensures \java_math((c >> k) % 2 != 0) == \java_math((w >> k) % 2 != 0);
      @   assignable \strictly_nothing;
      @*/
    public static /*@ strictly_pure @*/ void clearedBitAgrees(long w, long c, int b, int k) {
        if (k < b) {
            subKeepsBelow(w, b, k);
        } else {
            clearKeepsAbove(w, b, k);
        }
        javaBit(w, k);
        javaBit(c, k);
    }

    /**
     * A lemma: clearedBitAgrees for every k &lt; n, as the quantified premise onesOneMore needs (recursive: a
     * method contract applies only to a call, never to a quantified k).
     */
    /*@ public normal_behavior
      @   requires 0 <= b && b <= 63 && (w >> b) % 2 != 0 && c == w - (1L << b);
      @   requires 0 <= n && n <= 64;
      @   ensures (\forall int k; 0 <= k && k < n && k != b;
      @                \java_math((c >> k) % 2 != 0) == \java_math((w >> k) % 2 != 0));
      @   measured_by n;
      @   assignable \strictly_nothing;
      @*/
    public static /*@ strictly_pure @*/ void clearedBitsAgree(long w, long c, int b, int n) {
        // n <= 64: the differential suite calls every method with arbitrary arguments; keep the recursion shallow.
        if (n > 0 && n <= 64) {
            clearedBitsAgree(w, c, b, n - 1);
            if (n - 1 != b) {
                clearedBitAgrees(w, c, b, n - 1);
            }
        }
    }

    /**
     * A lemma: clearing set bit b (b &lt; m; c = w - 2^b exactly, i.e. b &lt;= 62, see noBorrow) takes one from the
     * count of the low m bits (for Pmm's words: m = 64).
     */
    /*@ public normal_behavior
      @   requires 0 <= b && b < m && m <= 64 && (w >> b) % 2 != 0 && c == w - (1L << b);
      @   ensures ones(w, m) == ones(c, m) + 1;
      @   assignable \strictly_nothing;
      @*/
    public static /*@ strictly_pure @*/ void onesCleared(long w, long c, int b, int m) {
        clearedBitsAgree(w, c, b, m);
        clearClears(w, b);
        javaBit(w, b);
        javaBit(c, b);
        onesOneMore(w, c, b, m);
    }

    /** A lemma: setting clear bit b (b &lt; m; s = w + 2^b exactly, see noCarry) adds one to the count. */
    /*@ public normal_behavior
      @   requires 0 <= b && b < m && m <= 64 && (w >> b) % 2 == 0 && s == w + (1L << b);
      @   ensures ones(s, m) == ones(w, m) + 1;
      @   assignable \strictly_nothing;
      @*/
    public static /*@ strictly_pure @*/ void onesSet(long w, long s, int b, int m) {
        setSets(w, b);
        onesCleared(s, w, b, m);
    }

    /*
     * Bit k < b survives adding or subtracting 2^b whatever bit b is: with these, setting bit 63 (which Java computes
     * as w - 2^63) and clearing it (w + 2^63) keep the bits below: the wrapped case b = 63 the exact-word lemmas miss.
     * setBitOf/clearBitOf then say it for the word Java stores, any b in 0..63 (noCarry/noBorrow for b <= 62): bit b
     * flipped, bit k != b as in w. For the PMM's summary writers (Pmm.setFullBit, markNonEmpty, ...); see
     * proofs/open-reasons.txt, Pmm.allocFrame.
     */

    /** A lemma: adding 2^b to w keeps bit k &lt; b, whatever bit b is (2^b is 2^k times an even number). */
    /*@ public normal_behavior
      @   requires 0 <= k && k < b && b <= 63;
      @   ensures (((w + (1L << b)) >> k) % 2 != 0) == ((w >> k) % 2 != 0);
      @   assignable \strictly_nothing;
      @*/
    public static /*@ strictly_pure @*/ void addKeepsBelow(long w, int b, int k) {
        powSplit(k, b - k);
        powSplit(1, b - k - 1);
    }

    /** A lemma: subtracting 2^b from w keeps bit k &lt; b, whatever bit b is. */
    /*@ public normal_behavior
      @   requires 0 <= k && k < b && b <= 63;
      @   ensures (((w - (1L << b)) >> k) % 2 != 0) == ((w >> k) % 2 != 0);
      @   assignable \strictly_nothing;
      @*/
    public static /*@ strictly_pure @*/ void subKeepsBelow(long w, int b, int k) {
        powSplit(k, b - k);
        powSplit(1, b - k - 1);
    }

    /** A lemma: x, w with clear bit b set as Java computes it, has bit b set and bit k of w for k != b. */
    /*@ public normal_behavior
      @   requires 0 <= b && b <= 63 && 0 <= k && k <= 63 && (w >> b) % 2 == 0 && x == \java_math(w + (1L << b));
      @   ensures k == b ? (x >> k) % 2 != 0 : ((x >> k) % 2 != 0) == ((w >> k) % 2 != 0);
      @   assignable \strictly_nothing;
      @*/
    public static /*@ strictly_pure @*/ void setBitOf(long x, long w, int b, int k) {
        if (b < 63) {
            noCarry(w, b);
            setSets(w, b);
            if (k < b) {
                addKeepsBelow(w, b, k);
            } else if (k > b) {
                clearKeepsAbove(x, b, k);
            }
        } else if (k < 63) {
            subKeepsBelow(w, 63, k);
        }
    }

    /** A lemma: x, w with set bit b cleared as Java computes it, has bit b clear and bit k of w for k != b. */
    /*@ public normal_behavior
      @   requires 0 <= b && b <= 63 && 0 <= k && k <= 63 && (w >> b) % 2 != 0 && x == \java_math(w - (1L << b));
      @   ensures k == b ? (x >> k) % 2 == 0 : ((x >> k) % 2 != 0) == ((w >> k) % 2 != 0);
      @   assignable \strictly_nothing;
      @*/
    public static /*@ strictly_pure @*/ void clearBitOf(long x, long w, int b, int k) {
        if (b < 63) {
            noBorrow(w, b);
            if (k < b) {
                subKeepsBelow(w, b, k);
            } else if (k > b) {
                clearKeepsAbove(w, b, k);
            } else {
                clearClears(w, b);
            }
        } else if (k < 63) {
            addKeepsBelow(w, 63, k);
        }
    }
}
