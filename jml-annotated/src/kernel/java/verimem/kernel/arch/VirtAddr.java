package verimem.kernel.arch;

/**
 * x86-64 virtual address arithmetic for 4-level paging (48-bit addresses).
 *
 * Canonical means bits 63..47 all equal bit 47. As a signed long that is exactly -2^47 <= va < 2^47, which is
 * why the check below is a range test and not a mask: it is the form KeY proves and the form a reader can check.
 */
public final class VirtAddr {
    private VirtAddr() {
    }

    public static final long PAGE_SIZE = 4096L;
    public static final long LARGE_PAGE_SIZE = 2L * 1024 * 1024;
    public static final long HUGE_PAGE_SIZE = 1024L * 1024 * 1024;
    /** 2^47: the first non-canonical address of the lower half. */
    public static final long LOWER_HALF_END = 140737488355328L;
    /** -2^47 = 0xFFFF800000000000: the first canonical address of the upper half. */
    public static final long UPPER_HALF_START = -140737488355328L;
    public static final int ENTRIES = 512;

    /*@ public normal_behavior
      @   ensures \result == (UPPER_HALF_START <= va && va < LOWER_HALF_END);
      @*/
    public /*@ strictly_pure @*/ static boolean isCanonical(long va) {
        return UPPER_HALF_START <= va && va < LOWER_HALF_END;
    }

    /** Bit position of the lowest index bit at a level: 12 (PT), 21 (PD), 30 (PDPT), 39 (PML4). */
    /*@ public normal_behavior
      @   requires 1 <= level && level <= 4;
      @   ensures \result == 12 + 9 * (level - 1);
      @*/
    public /*@ strictly_pure @*/ static int shiftOf(int level) {
        return 12 + 9 * (level - 1);
    }

    /**
     * The 9-bit table index of va at a level (4 = PML4 .. 1 = PT): bits shift .. shift+8 of va. With q = va >>
     * shift ({@code >>} is floor division by 2^shift), q >> 9 is floor(q / 512), so q - (q >> 9) * 512 is q mod
     * 512 in [0, 512) for upper-half (negative) addresses too: no {@code %}, so no sign cases for KeY and fewer
     * instructions. The exact value is stated once per level (a spec case each): with the level fixed the shift
     * is a literal, a division by a known power of two, which KeY proves without 2^b reasoning; and the code
     * stays one shift, small enough for gcc to inline into the page-table walks.
     */
    /*@ public normal_behavior
      @   requires 1 <= level && level <= 4;
      @   ensures 0 <= \result && \result < 512;
      @ also public normal_behavior
      @   requires level == 1;
      @   ensures \result == (va >> 12) - ((va >> 12) >> 9) * 512;
      @ also public normal_behavior
      @   requires level == 2;
      @   ensures \result == (va >> 21) - ((va >> 21) >> 9) * 512;
      @ also public normal_behavior
      @   requires level == 3;
      @   ensures \result == (va >> 30) - ((va >> 30) >> 9) * 512;
      @ also public normal_behavior
      @   requires level == 4;
      @   ensures \result == (va >> 39) - ((va >> 39) >> 9) * 512;
      @*/
    public /*@ strictly_pure spec_java_math @*/ static int index(long va, int level) {
        long q = va >> shiftOf(level);
        return (int) (q - (q >> 9) * 512);
    }

    /**
     * index(va, 4) .. index(va, 1) for a caller with a fixed level: ONE spec case each, which names the
     * value (index's term) without its arithmetic, plus the range. A caller that needs only the range or only the
     * link to index(va, level) then never meets index's per-level cases and their Java-semantics shifts (KeY
     * rewrites every shift in a contract it applies into quotients, whether the proof needs them or not).
     */
    /*@ public normal_behavior
      @   ensures \result == index(va, 4);
      @   ensures 0 <= \result && \result < 512;
      @*/
    public /*@ strictly_pure @*/ static int pml4Index(long va) {
        return index(va, 4);
    }

    /*@ public normal_behavior
      @   ensures \result == index(va, 3);
      @   ensures 0 <= \result && \result < 512;
      @*/
    public /*@ strictly_pure @*/ static int pdptIndex(long va) {
        return index(va, 3);
    }

    /*@ public normal_behavior
      @   ensures \result == index(va, 2);
      @   ensures 0 <= \result && \result < 512;
      @*/
    public /*@ strictly_pure @*/ static int pdIndex(long va) {
        return index(va, 2);
    }

    /*@ public normal_behavior
      @   ensures \result == index(va, 1);
      @   ensures 0 <= \result && \result < 512;
      @*/
    public /*@ strictly_pure @*/ static int ptIndex(long va) {
        return index(va, 1);
    }

    /*@ public normal_behavior
      @   requires size > 0;
      @   ensures \result == (va % size == 0);
      @*/
    public static boolean isAligned(long va, long size) {
        return va % size == 0;
    }

    /**
     * The canonical address whose four indices are the given ones (offset 0): sign-extends bit 47, so index
     * pml4 >= 256 gives an upper-half (negative) address. Used for recursive-slot and layout arithmetic.
     */
    /*@ public normal_behavior
      @   requires 0 <= pml4 && pml4 < 512 && 0 <= pdpt && pdpt < 512;
      @   requires 0 <= pd && pd < 512 && 0 <= pt && pt < 512;
      @   ensures \result == pml4 * 549755813888L + pdpt * 1073741824L + pd * 2097152L + pt * 4096L
      @                     - (pml4 >= 256 ? 281474976710656L : 0L);
      @   ensures isCanonical(\result);
      @   ensures \result % 4096 == 0;
      @*/
    public /*@ strictly_pure @*/ static long fromIndices(int pml4, int pdpt, int pd, int pt) {
        long va = pml4 * 549755813888L + pdpt * 1073741824L + pd * 2097152L + pt * 4096L;
        if (pml4 >= 256) {
            va = va - 281474976710656L;
        }
        return va;
    }
}
