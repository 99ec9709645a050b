package verimem.kernel.vmm;

import verimem.kernel.arch.Bits;
import verimem.kernel.arch.Err;
import verimem.kernel.arch.Pte;

/**
 * VMM-side bitmap of the physical frames the kernel owns: page-table frames, heap frames, PMM metadata, the
 * kernel image. The PMM's API only says free / not free, and a frame the kernel took from it is "not free" exactly
 * like a frame a user process got, so the VMM keeps this second bit: one bit per 4 KiB frame below physLimit
 * (32 KiB per GiB of physical address space). A user mapping of a frame with this bit set is refused with
 * Err.KERNEL_FRAME. Frames at or above physLimit (device memory) are never kernel-owned.
 */
public final class FrameOwnership {
    /*@ spec_public @*/ private final long[] bits;
    /** Second bit per frame: a page table the VMM itself allocated (only those are ever reclaimed). */
    /*@ spec_public @*/ private final long[] vmmTables;
    /*@ spec_public @*/ private final long frames;

    //@ public invariant 0 <= frames && bits.length == (frames + 63) / 64 && vmmTables.length == bits.length;
    /** Stated because KeY does not know on its own that an element of a long[] is a long (its bit test splits on it). */
    /*@ public invariant (\forall int k; 0 <= k && k < bits.length;
      @   Long.MIN_VALUE <= bits[k] && bits[k] <= Long.MAX_VALUE
      @   && Long.MIN_VALUE <= vmmTables[k] && vmmTables[k] <= Long.MAX_VALUE);
      @*/

    /*@ public normal_behavior
      @   requires physLimit >= 0 && physLimit / 4096 / 64 < 2147483647L;
      @   ensures frames == physLimit / 4096 && \fresh(bits) && \fresh(vmmTables);
      @   assignable \nothing;
      @*/
    public FrameOwnership(long physLimit) {
        frames = physLimit / 4096;
        bits = new long[(int) ((frames + 63) / 64)];
        vmmTables = new long[(int) ((frames + 63) / 64)];
    }

    /** Exact value, so a contract that names isVmmTable(pa) means the same bit the code tested. */
    /*@ public normal_behavior
      @   ensures \result == (0 <= pa && pa / 4096 < frames
      @                       && (vmmTables[(int) (pa / 4096 / 64)] >> (int) (pa / 4096 % 64)) % 2 != 0);
      @*/
    public /*@ strictly_pure spec_java_math @*/ boolean isVmmTable(long pa) {
        if (pa < 0 || pa / 4096 >= frames) {
            return false;
        }
        long f = pa / 4096;
        return Bits.isSet(vmmTables[(int) (f / 64)], (int) (f % 64));
    }

    /** Records (set) or forgets (clear) that pa is a table frame the VMM allocated. */
    /*@ public normal_behavior
      @   ensures \result == Err.OK || \result == Err.NOT_MANAGED;
      @   ensures \result == Err.OK <==> (0 <= pa && pa / 4096 < frames);
      @   assignable vmmTables[*];
      @*/
    public long setVmmTable(long pa, boolean isTable) {
        // One helper per direction: each proof re-establishes the invariant after one kind of word update only
        // (the single method with both updates took 33-39 s CPU in KeY).
        if (isTable) {
            return setVmmBit(pa);
        }
        return clearVmmBit(pa);
    }

    /*@ private normal_behavior
      @   ensures \result == Err.OK || \result == Err.NOT_MANAGED;
      @   ensures \result == Err.OK <==> (0 <= pa && pa / 4096 < frames);
      @   assignable vmmTables[*];
      @*/
    private long setVmmBit(long pa) {
        if (!manages(pa)) {
            return Err.NOT_MANAGED;
        }
        int w = wordOf(pa);
        vmmTables[w] = withSet(vmmTables[w], bitOf(pa));
        return Err.OK;
    }

    /*@ private normal_behavior
      @   ensures \result == Err.OK || \result == Err.NOT_MANAGED;
      @   ensures \result == Err.OK <==> (0 <= pa && pa / 4096 < frames);
      @   assignable vmmTables[*];
      @*/
    private long clearVmmBit(long pa) {
        if (!manages(pa)) {
            return Err.NOT_MANAGED;
        }
        int w = wordOf(pa);
        vmmTables[w] = withCleared(vmmTables[w], bitOf(pa));
        return Err.OK;
    }

    /*
     * The word and bit of a managed frame, and one bit of a word set or cleared, as small helpers: their
     * arithmetic (divisions, int casts, the bit test's preconditions, the word staying a long) is proved once here,
     * so mark/unmark/setVmmBit/clearVmmBit only use the bounds and re-establish the invariant after one store
     * (inline, each of the four proofs redid all of it: 15-17 s CPU each in CI).
     */

    /** Whether frame pa has a bit here (the same condition as the callers' posts, in the same math). */
    /*@ private normal_behavior
      @   ensures \result == (0 <= pa && pa / 4096 < frames);
      @*/
    private /*@ strictly_pure @*/ boolean manages(long pa) {
        return pa >= 0 && pa / 4096 < frames;
    }

    /** Index of frame pa's word in bits and vmmTables. */
    /*@ private normal_behavior
      @   requires 0 <= pa && pa / 4096 < frames;
      @   ensures 0 <= \result && \result < bits.length;
      @*/
    private /*@ strictly_pure @*/ int wordOf(long pa) {
        long f = pa / 4096;
        return (int) (f / 64);
    }

    /** Index of frame pa's bit within its word. */
    /*@ private normal_behavior
      @   requires 0 <= pa;
      @   ensures 0 <= \result && \result <= 63;
      @*/
    private static /*@ strictly_pure spec_java_math @*/ int bitOf(long pa) {
        long f = pa / 4096;
        return (int) (f % 64);
    }

    /** Word w with bit b set (w itself if the bit is set already). */
    /*@ private normal_behavior
      @   requires 0 <= b && b <= 63;
      @   ensures Long.MIN_VALUE <= \result && \result <= Long.MAX_VALUE;
      @*/
    private static /*@ strictly_pure spec_java_math @*/ long withSet(long w, int b) {
        if (Bits.isSet(w, b)) {
            return w;
        }
        return Bits.withBitSet(w, b);
    }

    /** Word w with bit b cleared (w itself if the bit is clear already). */
    /*@ private normal_behavior
      @   requires 0 <= b && b <= 63;
      @   ensures Long.MIN_VALUE <= \result && \result <= Long.MAX_VALUE;
      @*/
    private static /*@ strictly_pure spec_java_math @*/ long withCleared(long w, int b) {
        if (Bits.isSet(w, b)) {
            return Bits.withBitCleared(w, b);
        }
        return w;
    }

    /*@ public normal_behavior
      @   ensures \result == frames;
      @   assignable \nothing;
      @*/
    public long frameCount() {
        return frames;
    }

    // \strictly_nothing: anyKernel's loop reads it without an anonymised heap per frame.
    /*@ public normal_behavior
      @   ensures pa < 0 || pa / 4096 >= frames ==> !\result;
      @   assignable \strictly_nothing;
      @*/
    public boolean isKernel(long pa) {
        if (!manages(pa)) {
            return false;
        }
        return Bits.isSet(bits[wordOf(pa)], bitOf(pa));
    }

    /** Marks one frame kernel-owned; a frame already marked is left as is (idempotent). */
    /*@ public normal_behavior
      @   ensures \result == Err.OK || \result == Err.NOT_MANAGED;
      @   ensures \result == Err.OK <==> (0 <= pa && pa / 4096 < frames);
      @   assignable bits[*];
      @*/
    public long mark(long pa) {
        if (!manages(pa)) {
            return Err.NOT_MANAGED;
        }
        int w = wordOf(pa);
        bits[w] = withSet(bits[w], bitOf(pa));
        return Err.OK;
    }

    /*@ public normal_behavior
      @   ensures \result == Err.OK || \result == Err.NOT_MANAGED;
      @   ensures \result == Err.OK <==> (0 <= pa && pa / 4096 < frames);
      @   assignable bits[*];
      @*/
    public long unmark(long pa) {
        if (!manages(pa)) {
            return Err.NOT_MANAGED;
        }
        int w = wordOf(pa);
        bits[w] = withCleared(bits[w], bitOf(pa));
        return Err.OK;
    }

    /** Marks [startPa, endPa) (4 KiB aligned): the boot hands over the kernel image and the PMM metadata. */
    /*@ public normal_behavior
      @   ensures \result == Err.OK || \result == Err.MISALIGNED || \result == Err.NOT_MANAGED;
      @   ensures \result == Err.OK <==> (0 <= startPa && startPa % 4096 == 0 && endPa % 4096 == 0
      @                                  && startPa <= endPa && endPa / 4096 <= frames);
      @   assignable bits[*];
      @*/
    public long markRange(long startPa, long endPa) {
        if (startPa < 0 || startPa % 4096 != 0 || endPa % 4096 != 0 || endPa < startPa) {
            return Err.MISALIGNED;
        }
        if (endPa / 4096 > frames) {
            return Err.NOT_MANAGED;
        }
        /*@ loop_invariant startPa <= pa && pa <= endPa && pa % 4096 == 0 && \invariant_for(this);
          @ decreasing endPa - pa;
          @ assignable bits[*];
          @*/
        for (long pa = startPa; pa < endPa; pa = pa + 4096) {
            mark(pa);
        }
        return Err.OK;
    }

    /** True if any 4 KiB frame of [pa, pa + size) is kernel-owned (the range below 2^52, as a PTE needs). */
    /*@ public normal_behavior
      @   requires 0 <= pa && 0 <= size && size <= Pte.PHYS_LIMIT && pa <= Pte.PHYS_LIMIT - size;
      @   ensures pa / 4096 >= frames ==> !\result;
      @   assignable \nothing;
      @*/
    public boolean anyKernel(long pa, long size) {
        /*@ loop_invariant pa <= p && p < pa + size + 4096;
          @ decreasing pa + size + 4096 - p;
          @ assignable \strictly_nothing;
          @*/
        for (long p = pa; p < pa + size; p = p + 4096) {
            if (isKernel(p)) {
                return true;
            }
        }
        return false;
    }
}
