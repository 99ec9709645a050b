package verimem.kernel.heap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import verimem.kernel.arch.Err;
import verimem.kernel.arch.Layout;

class VirtualRegionAllocatorTest {
    static final long P = 4096;
    static final long BASE = Layout.VMALLOC_BASE;

    @Test
    void aFarAwayPositiveAddressIsNotInsideAKernelRegion() {
        VirtualRegionAllocator a = new VirtualRegionAllocator(BASE, 64 * P, 8);
        // Long.MAX_VALUE - BASE wraps negative in 64 bits: a contains() written as va - base < size said true.
        assertEquals(false, a.contains(Long.MAX_VALUE));
        assertEquals(false, a.contains(BASE + 64 * P));
        assertEquals(true, a.contains(BASE + 64 * P - 1));
        assertEquals(Err.NOT_MANAGED, a.release(Long.MAX_VALUE - P + 1, P));
        assertEquals(64 * P, a.freeBytes(), "refused release changed nothing");
    }

    @Test
    void alignmentCoalescingAndErrors() {
        VirtualRegionAllocator a = new VirtualRegionAllocator(BASE, 64 * P, 8);
        long x = a.reserve(P, P);
        assertEquals(BASE, x);
        long y = a.reserve(4 * P, 16 * P);
        assertEquals(BASE + 16 * P, y, "aligned to 64 KiB");
        assertEquals(2, a.rangeCount(), "[1,16) and [20,64) free");
        assertEquals(Err.NOT_ALLOCATED, a.release(BASE + 2 * P, P), "never reserved: double release");
        assertEquals(Err.NOT_MANAGED, a.release(BASE - P, P));
        assertEquals(Err.MISALIGNED, a.release(BASE + 100, P));
        assertEquals(Err.OK, a.release(x, P));
        assertEquals(Err.NOT_ALLOCATED, a.release(x, P), "double release refused");
        assertEquals(Err.OK, a.release(y, 4 * P));
        assertEquals(1, a.rangeCount(), "everything coalesced");
        assertEquals(64 * P, a.freeBytes());
        assertEquals(Err.INVALID_ARGUMENT, a.reserve(65 * P, P), "larger than the region");
        assertEquals(BASE, a.reserve(64 * P, P));
        assertEquals(Err.NO_VIRTUAL_SPACE, a.reserve(P, P));
    }

    /** Random reserve/release against a page bitmap model: no overlap, full coalescing at the end. */
    @Property(tries = 50)
    void randomAgainstModel(@ForAll long seed) {
        Random r = new Random(seed);
        int pages = 256;
        VirtualRegionAllocator a = new VirtualRegionAllocator(BASE, pages * P, 300);
        BitSet used = new BitSet();
        List<long[]> live = new ArrayList<>();
        for (int step = 0; step < 300; step++) {
            if (r.nextInt(3) > 0 || live.isEmpty()) {
                long n = 1 + r.nextInt(8);
                long align = P << r.nextInt(4);
                long va = a.reserve(n * P, align);
                if (va == Err.NO_VIRTUAL_SPACE) {
                    continue;
                }
                assertTrue(va >= BASE, "step " + step);
                assertEquals(0, (va - BASE) % align);
                int first = (int) ((va - BASE) / P);
                for (int p = first; p < first + n; p++) {
                    assertTrue(!used.get(p), "overlap at page " + p);
                    used.set(p);
                }
                live.add(new long[] {va, n});
            } else {
                long[] l = live.remove(r.nextInt(live.size()));
                assertEquals(Err.OK, a.release(l[0], l[1] * P));
                int first = (int) ((l[0] - BASE) / P);
                used.clear(first, (int) (first + l[1]));
            }
            assertEquals((pages - used.cardinality()) * P, a.freeBytes());
        }
        for (long[] l : live) {
            assertEquals(Err.OK, a.release(l[0], l[1] * P));
        }
        assertEquals(1, a.rangeCount());
        assertEquals(pages * P, a.freeBytes());
    }
}
