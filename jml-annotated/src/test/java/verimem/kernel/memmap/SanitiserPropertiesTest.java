package verimem.kernel.memmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import verimem.kernel.arch.Err;
import verimem.kernel.memmap.SanitiserModel.Range;

/**
 * Random raw maps (overlapping, unsorted, zero-length, wrapping, unknown types, beyond 2^52) against the reference
 * model, and the sanitised-map invariants. Addresses come from a small grid around page boundaries so that
 * overlaps and touching ends are common, plus a few extreme values.
 */
class SanitiserPropertiesTest {

    @Provide
    Arbitrary<Range> rawRange() {
        Arbitrary<Long> grid = Arbitraries.longs().between(0, 64).map(k -> k * 0x800L)
                .flatMap(b -> Arbitraries.of(0L, 0L, 0L, 0x100L, 0xfffL, 0xec0L).map(d -> b + d));
        Arbitrary<Long> extreme = Arbitraries.of(MapInvariants.MAX_PHYS - 0x1000, MapInvariants.MAX_PHYS,
                -0x1000L, Long.MIN_VALUE, Long.MAX_VALUE, 0x10000000000L);
        Arbitrary<Long> start = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(12, grid), net.jqwik.api.Tuple.of(1, extreme));
        Arbitrary<Long> length = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(12, grid), net.jqwik.api.Tuple.of(1, extreme));
        Arbitrary<Integer> type = Arbitraries.of(1, 1, 1, 2, 3, 4, 5, 7, 12, 20, 128, 0, -17);
        return Combinators.combine(start, length, type).as((s, l, t) -> new Range(s, s + l, t));
    }

    static MemoryMap toMap(List<Range> ranges) {
        MemoryMap m = new MemoryMap();
        for (Range r : ranges) {
            assertEquals(Err.OK, m.add(r.start(), r.end(), r.type()));
        }
        return m;
    }

    @Property(tries = 400)
    void sanitiserAgreesWithModel(@ForAll @Size(max = 40) List<@net.jqwik.api.From("rawRange") Range> raw) {
        MemoryMap out = new MemoryMap();
        MemoryMap scratch = new MemoryMap();
        MemoryMap in = toMap(raw);
        assertEquals(Err.OK, MapSanitiser.sanitise(in, scratch, out));
        assertTrue(MapInvariants.isSanitised(out));
        List<Range> expected = SanitiserModel.sanitise(raw);
        assertEquals(expected, SanitiserModel.of(out));
        assertEquals(SanitiserModel.usablePages(expected), MapInvariants.usableFrames(out));
        assertEquals(SanitiserModel.of(toMap(raw)), SanitiserModel.of(in), "the raw map is not modified");
    }

    @Property(tries = 300)
    void sanitisingIsIdempotent(@ForAll @Size(max = 30) List<@net.jqwik.api.From("rawRange") Range> raw) {
        MemoryMap once = new MemoryMap();
        assertEquals(Err.OK, MapSanitiser.sanitise(toMap(raw), new MemoryMap(), once));
        MemoryMap twice = new MemoryMap();
        assertEquals(Err.OK, MapSanitiser.sanitise(once, new MemoryMap(), twice));
        assertEquals(SanitiserModel.of(once), SanitiserModel.of(twice));
    }

    @Property(tries = 300)
    void carvingAgreesWithModelAndFreesNoCarvedFrame(
            @ForAll @Size(max = 30) List<@net.jqwik.api.From("rawRange") Range> raw,
            @ForAll @Size(max = 6) List<@net.jqwik.api.From("carveOut") Range> carves) {
        MemoryMap sanitised = new MemoryMap();
        assertEquals(Err.OK, MapSanitiser.sanitise(toMap(raw), new MemoryMap(), sanitised));
        MemoryMap out = new MemoryMap();
        assertEquals(Err.OK, CarveOuts.apply(sanitised, toMap(carves), new MemoryMap(), out));
        assertTrue(MapInvariants.isSanitised(out));
        List<Range> expected = SanitiserModel.carve(SanitiserModel.of(sanitised), carves);
        assertEquals(expected, SanitiserModel.of(out));
        for (int i = 0; i < out.count(); i++) {
            if (out.type(i) != MemoryMap.USABLE) {
                continue;
            }
            for (Range c : carves) {
                boolean disjoint = c.end() <= c.start()
                        || out.end(i) <= Math.floorDiv(c.start(), 4096) * 4096 || c.end() <= out.start(i);
                assertTrue(disjoint, "usable " + out.start(i) + ".." + out.end(i) + " overlaps carve-out " + c);
            }
        }
        assertTrue(MapInvariants.usableFrames(out) <= MapInvariants.usableFrames(sanitised));
    }

    @Provide
    Arbitrary<Range> carveOut() {
        Arbitrary<Long> at = Arbitraries.longs().between(0, 0x22000);
        Arbitrary<Long> len = Arbitraries.longs().between(0, 0x6000);
        Arbitrary<Integer> type = Arbitraries.of(MemoryMap.LOW_MEMORY, MemoryMap.KERNEL_IMAGE, MemoryMap.BOOT_INFO,
                MemoryMap.BOOT_MODULE);
        return Combinators.combine(at, len, type).as((s, l, t) -> new Range(s, s + l, t));
    }

    @Property(tries = 30)
    void tooManyPiecesIsRejectedNeverTruncated(@ForAll("pierced") List<Range> raw) {
        MemoryMap out = new MemoryMap();
        long rc = MapSanitiser.sanitise(toMap(raw), new MemoryMap(), out);
        List<Range> expected = SanitiserModel.sanitise(raw);
        if (expected.size() > MemoryMap.CAPACITY) {
            assertEquals(Err.BAD_MEMORY_MAP, rc);
        } else {
            assertEquals(Err.OK, rc);
            assertEquals(expected, SanitiserModel.of(out));
        }
    }

    /** A usable range pierced by 120..255 random reserved pages: often more pieces than the capacity. */
    @Provide
    Arbitrary<List<Range>> pierced() {
        return Arbitraries.integers().between(120, MemoryMap.CAPACITY - 1).flatMap(n ->
                Arbitraries.longs().between(0, 4000).list().ofSize(n).map(pages -> {
                    List<Range> raw = new ArrayList<>();
                    raw.add(new Range(0, 4096L * 4001, 1));
                    for (long p : pages) {
                        raw.add(new Range(p * 4096, p * 4096 + 4096, 2));
                    }
                    return raw;
                }));
    }
}
