package verimem.kernel.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

import verimem.host.sim.BootLoaderSim;
import verimem.kernel.arch.Cpu;
import verimem.kernel.arch.Err;
import verimem.kernel.memmap.MemoryMap;
import verimem.kernel.pmm.Pmm;

/**
 * Random sanitised maps and a random failing allocation: the bootstrap either succeeds with the exact partition
 * (figures computed here from the map) or fails with NO_MEMORY and leaves nothing behind, after which a retry
 * on the same machine succeeds with the exact partition.
 */
class BootstrapPropertiesTest {
    /** One segment after the carve-outs: a usable or firmware range of `frames` frames, or a hole. */
    record Segment(int kind, int frames) {
    }

    static final int[] FIRMWARE = {MemoryMap.RESERVED, MemoryMap.ACPI_RECLAIMABLE, MemoryMap.ACPI_NVS,
        MemoryMap.BAD, MemoryMap.PERSISTENT};

    @Provide
    Arbitrary<List<Segment>> layouts() {
        Arbitrary<Segment> seg = Combinators.combine(
                Arbitraries.integers().between(0, 7),
                Arbitraries.oneOf(Arbitraries.integers().between(1, 64), Arbitraries.integers().between(1, 70000)))
                .as(Segment::new);
        return seg.list().ofMinSize(1).ofMaxSize(40);
    }

    /** Builds a sanitised, carved map: carve-outs at the bottom, then the segments in address order. */
    static MemoryMap build(List<Segment> segments, int kernelFrames, int bootInfoBytes) {
        MemoryMap m = new MemoryMap();
        m.add(0, 0x100000, MemoryMap.LOW_MEMORY);
        long kEnd = 0x100000 + kernelFrames * 4096L;
        m.add(0x100000, kEnd, MemoryMap.KERNEL_IMAGE);
        m.add(kEnd, kEnd + bootInfoBytes, MemoryMap.BOOT_INFO);
        long cursor = (kEnd + bootInfoBytes + 4095) / 4096 * 4096;
        // always some usable memory right after the boot info, as on every real machine
        m.add(cursor, cursor + 64 * 4096, MemoryMap.USABLE);
        cursor += 64 * 4096;
        int lastType = MemoryMap.USABLE;
        for (Segment s : segments) {
            long end = cursor + s.frames() * 4096L;
            if (s.kind() <= 3) {
                if (lastType == MemoryMap.USABLE) {
                    m.add(cursor, cursor + 4096, MemoryMap.RESERVED); // keep usable ranges separate
                    cursor += 4096;
                    end += 4096;
                }
                m.add(cursor, end, MemoryMap.USABLE);
                lastType = MemoryMap.USABLE;
            } else if (s.kind() <= 6) {
                m.add(cursor, end, FIRMWARE[s.kind() - 2]);
                lastType = FIRMWARE[s.kind() - 2];
            } else {
                lastType = 0; // a hole: no entry at all
            }
            cursor = end;
        }
        return m;
    }

    @Property(tries = 60)
    void succeedsExactlyOrFailsCleanly(@ForAll("layouts") List<Segment> segments,
                                       @ForAll @IntRange(min = 7, max = 512) int kernelFrames,
                                       @ForAll @IntRange(min = 1, max = 20000) int bootInfoBytes,
                                       @ForAll @IntRange(min = 0, max = 8) int failAfter) {
        MemoryMap map = build(segments, kernelFrames, bootInfoBytes);
        BootLoaderSim sim = BootLoaderSim.handOver(map);
        BootstrapSafetyTest.StoreAudit audit = new BootstrapSafetyTest.StoreAudit(sim.machine());
        Cpu.install(audit); // every store of the run, its rollback and the retry is checked against a fresh walk
        Bootstrap boot = new Bootstrap(map);
        boot.prePmm().failAfter(failAfter);
        long r = boot.run();
        Statistics.collect(r == Err.OK ? "succeeded" : "failed cleanly");
        Statistics.coverage(c -> {
            c.check("failed cleanly").count(n -> n > 0);
            c.check("succeeded").count(n -> n > 0);
        });
        if (r != Err.OK) {
            assertEquals(Err.NO_MEMORY, r);
            assertTrue(failAfter > 0);
            BootstrapSafetyTest.assertCleanAfterFailure(sim, boot);
            boot.prePmm().failAfter(0);
            assertEquals(Err.OK, boot.run(), "retry");
        }
        long usable = TestMaps.usableFrames(map);
        long meta = (Pmm.metadataBytes(map) + 4095) / 4096;
        long tables = TestMaps.expectedMetadataTables(meta);
        long carved = 256 + kernelFrames + ((0x100000 + kernelFrames * 4096L + bootInfoBytes + 4095) / 4096
                - (0x100000 + kernelFrames * 4096L) / 4096);
        HandOffCheck check = new HandOffCheck();
        assertEquals(Err.OK, check.run(map, boot.prePmm(), boot.pmm()));
        assertEquals(usable, check.usableFrames());
        assertEquals(meta, check.metadataFrames());
        assertEquals(tables, check.pageTableFrames());
        assertEquals(usable - meta - tables, check.freeFrames());
        assertEquals(usable - meta - tables, boot.pmm().freeFrames());
        assertEquals(carved, check.carveOutFrames());
        BootstrapMapsTest.assertAllocationsSound(map, boot.prePmm(), boot.pmm());
        BootstrapMapsTest.assertMetadataMappedWithGuards(sim.machine(), boot);
        assertTrue(audit.bad.isEmpty(), () -> String.join("\n", audit.bad));
        assertTrue(audit.stores > 0);
    }

    /** The check itself is not a rubber stamp: a frame taken behind its back, or given twice, is reported. */
    @Property(tries = 20)
    void theCheckCatchesABrokenPartition(@ForAll("layouts") List<Segment> segments) {
        MemoryMap map = build(segments, 16, 100);
        BootLoaderSim.handOver(map);
        Bootstrap boot = new Bootstrap(map);
        assertEquals(Err.OK, boot.run());
        long stolen = boot.pmm().allocFrame(); // allocated from the PMM but owned by nobody the check knows
        assertTrue(stolen >= 0);
        HandOffCheck check = new HandOffCheck();
        assertEquals(Err.INVALID_ARGUMENT, check.run(map, boot.prePmm(), boot.pmm()));
        assertEquals(1, check.violations());
        assertEquals(stolen, check.firstViolation());
        assertEquals(Err.OK, boot.pmm().freeFrame(stolen));
        assertEquals(Err.OK, check.run(map, boot.prePmm(), boot.pmm()));
        // a metadata frame released into the PMM as well: free AND owned. Release is refused once allocation has
        // begun, so this happens on a second boot of the same map, inside its hand-off window.
        long metaPa = boot.metadataPhysical();
        assertEquals(Err.INVALID_STATE, boot.pmm().release(metaPa, metaPa + 4096));
        BootLoaderSim.handOver(map);
        Bootstrap again = new Bootstrap(map);
        assertEquals(Err.OK, again.run());
        assertEquals(metaPa, again.metadataPhysical());
        assertEquals(Err.OK, again.pmm().release(metaPa, metaPa + 4096));
        assertEquals(Err.INVALID_ARGUMENT, check.run(map, again.prePmm(), again.pmm()));
        assertEquals(metaPa, check.firstViolation());
    }

}
