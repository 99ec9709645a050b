package verimem.kernel.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** VirtAddr's per-level index methods (one spec case each, for KeY) are index(va, level) and the 9-bit mask. */
class VirtAddrLevelIndexTest {
    private static void check(long va) {
        assertEquals(VirtAddr.index(va, 4), VirtAddr.pml4Index(va));
        assertEquals(VirtAddr.index(va, 3), VirtAddr.pdptIndex(va));
        assertEquals(VirtAddr.index(va, 2), VirtAddr.pdIndex(va));
        assertEquals((int) ((va >>> 39) & 511), VirtAddr.pml4Index(va));
        assertEquals((int) ((va >>> 30) & 511), VirtAddr.pdptIndex(va));
        assertEquals((int) ((va >>> 21) & 511), VirtAddr.pdIndex(va));
    }

    @Property(tries = 5000)
    void perLevelIndexIsIndex(@ForAll long va) {
        check(va);
    }

    @Test
    void boundaries() {
        long[] edges = {0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, VirtAddr.LOWER_HALF_END - 1, VirtAddr.UPPER_HALF_START,
            0xFFFFFF7FBFDFE000L, 0x0000_0080_0000_0000L, 0x0000_007F_FFFF_FFFFL};
        for (long va : edges) {
            check(va);
        }
    }
}
