package verimem.kernel.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** The KeY-friendly arithmetic forms agree with the bit operations they stand for. */
class ArithmeticHelpersTest {
    @Property(tries = 5000)
    void bitOpsMatchMasks(@ForAll long w, @ForAll @IntRange(min = 0, max = 63) int b) {
        assertEquals((w & (1L << b)) != 0, Bits.isSet(w, b));
        if ((w & (1L << b)) == 0) {
            assertEquals(w | (1L << b), Bits.withBitSet(w, b));
        } else {
            assertEquals(w & ~(1L << b), Bits.withBitCleared(w, b));
        }
    }

    @Property(tries = 5000)
    void lowestSetBitIsCtz(@ForAll long w) {
        if (w != 0) {
            assertEquals(Long.numberOfTrailingZeros(w), Bits.lowestSetBit(w));
        }
    }

    @Test
    void lowestSetBitEverySingleBit() {
        for (int b = 0; b < 64; b++) {
            assertEquals(b, Bits.lowestSetBit(1L << b));
            assertEquals(b, Bits.lowestSetBit(-1L << b));
        }
    }

    @Property(tries = 5000)
    void canonicalMatchesSignExtension(@ForAll long va) {
        assertEquals((va >> 47) == 0 || (va >> 47) == -1, VirtAddr.isCanonical(va));
    }

    @Test
    void canonicalBoundaries() {
        assertEquals(true, VirtAddr.isCanonical(0x0000_7FFF_FFFF_FFFFL));
        assertEquals(false, VirtAddr.isCanonical(0x0000_8000_0000_0000L));
        assertEquals(false, VirtAddr.isCanonical(0xFFFF_7FFF_FFFF_FFFFL));
        assertEquals(true, VirtAddr.isCanonical(0xFFFF_8000_0000_0000L));
        assertEquals(true, VirtAddr.isCanonical(-1L));
    }

    @Property(tries = 5000)
    void indexMatchesShiftAndMask(@ForAll long va, @ForAll @IntRange(min = 1, max = 4) int level) {
        assertEquals((int) ((va >>> (12 + 9 * (level - 1))) & 511), VirtAddr.index(va, level));
    }

    @Property(tries = 2000)
    void fromIndicesInvertsIndex(@ForAll @IntRange(min = 0, max = 511) int a, @ForAll @IntRange(max = 511) int b,
                                 @ForAll @IntRange(max = 511) int c, @ForAll @IntRange(max = 511) int d) {
        long va = VirtAddr.fromIndices(a, b, c, d);
        assertEquals(true, VirtAddr.isCanonical(va));
        assertEquals(a, VirtAddr.index(va, 4));
        assertEquals(b, VirtAddr.index(va, 3));
        assertEquals(c, VirtAddr.index(va, 2));
        assertEquals(d, VirtAddr.index(va, 1));
    }

    @Property(tries = 5000)
    void pteFieldsMatchMasks(@ForAll long pte) {
        assertEquals(pte & 0x000F_FFFF_FFFF_F000L, Pte.frame(pte));
        assertEquals(pte & 0x8000_0000_0000_0FFFL, Pte.flags(pte));
        assertEquals((pte & 1) != 0, Pte.isPresent(pte));
    }

    @Property(tries = 3000)
    void pteMakeRoundTrips(@ForAll @LongRange(min = 0, max = (1L << 40) - 1) long frameNo,
                           @ForAll @IntRange(min = 0, max = 4095) int low, @ForAll boolean nx) {
        long flags = low + (nx ? Long.MIN_VALUE : 0);
        long pte = Pte.make(frameNo * 4096, flags);
        assertEquals(frameNo * 4096, Pte.frame(pte));
        assertEquals(flags, Pte.flags(pte));
        assertEquals(nx, Pte.has(pte, Pte.BIT_NO_EXECUTE));
    }
}
