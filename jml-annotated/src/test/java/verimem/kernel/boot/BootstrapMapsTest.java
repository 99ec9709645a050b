package verimem.kernel.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import verimem.host.sim.BootLoaderSim;
import verimem.host.sim.SimMachine;
import verimem.host.sim.Translation;
import verimem.kernel.arch.Err;
import verimem.kernel.memmap.MemoryMap;
import verimem.kernel.pmm.Pmm;
import verimem.kernel.prepmm.PrePmm;

/**
 * The bootstrap on every real map in ../shared/memory-maps and on QEMU-like maps: the hand-off partition must hold
 * EXACTLY, with every expected figure computed here from the map (usable frames, metadata pages from the PMM's
 * published sizing, page tables from the layout), never read back from the code under test.
 */
class BootstrapMapsTest {
    static Stream<Arguments> maps() {
        List<String> names = TestMaps.sharedMapNames();
        assertTrue(names.size() >= 12, "shared maps missing: " + names);
        Stream<Arguments> real = names.stream().map(n -> Arguments.of(n, TestMaps.shared(n)));
        Stream<Arguments> qemu = Stream.of(
                Arguments.of("qemu -m 128M", TestMaps.qemu128m()),
                Arguments.of("qemu -m 3584M", TestMaps.qemu3584m()),
                Arguments.of("qemu -m 8G (AMD)", TestMaps.qemu8g()));
        return Stream.concat(real, qemu);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("maps")
    void handOffPartitionIsExact(String name, TestMaps.Prepared prepared) {
        MemoryMap map = prepared.carved();
        BootLoaderSim sim = BootLoaderSim.handOver(map);
        Bootstrap boot = new Bootstrap(map);
        assertEquals(Err.OK, boot.run());
        HandOffCheck check = new HandOffCheck();
        assertEquals(Err.OK, boot.checkAndReport(check), () -> "violation at 0x"
                + Long.toHexString(check.firstViolation()));

        long usable = TestMaps.usableFrames(map);
        long meta = (Pmm.metadataBytes(map) + 4095) / 4096;
        long tables = TestMaps.expectedMetadataTables(meta);
        long free = usable - meta - tables;
        assertEquals(usable, check.usableFrames());
        assertEquals(meta, check.metadataFrames());
        assertEquals(tables, check.pageTableFrames());
        assertEquals(0, check.earlyDataFrames());
        assertEquals(free, check.freeFrames());
        assertEquals(free, boot.pmm().freeFrames());
        assertEquals(usable, boot.pmm().managedFrames());
        assertEquals(TestMaps.carvedFrames(prepared), check.carveOutFrames());
        assertTrue(sim.machine().console().contains("PMM manages " + free + " frames of " + usable + " usable"),
                sim.machine().console());

        assertAllocationsSound(map, boot.prePmm(), boot.pmm());
        assertMetadataMappedWithGuards(sim.machine(), boot);
        assertTrue(sim.machine().tlb().staleEntries(sim.machine().ram(), sim.machine().readCr3(), 0).isEmpty());
        System.out.printf("partition %-58s usable %9d = free %9d + page tables %d + metadata %5d; carved out %d%n",
                name, usable, free, tables, meta, check.carveOutFrames());
    }

    /** Every pre-PMM allocation lies in one usable range, overlaps no other, and none of its frames is free. */
    static void assertAllocationsSound(MemoryMap map, PrePmm pre, Pmm pmm) {
        int n = pre.allocationCount();
        for (int k = 0; k < n; k++) {
            long s = pre.allocationStart(k), bytes = pre.allocationFrames(k) * 4096;
            assertTrue(TestMaps.insideUsable(map, s, bytes), "allocation outside usable memory");
            for (long pa = s; pa < s + bytes; pa += 4096) {
                assertFalse(pmm.isFree(pa), "pre-PMM frame also free in the PMM");
            }
            for (int j = k + 1; j < n; j++) {
                long s2 = pre.allocationStart(j), e2 = s2 + pre.allocationFrames(j) * 4096;
                assertTrue(e2 <= s || s + bytes <= s2, "two pre-PMM allocations overlap");
            }
        }
    }

    /** Metadata pages map exactly the metadata run, writable; the pages on either side are not mapped. */
    static void assertMetadataMappedWithGuards(SimMachine m, Bootstrap boot) {
        long pages = boot.metadataPages();
        for (long i = 0; i < pages; i++) {
            Translation t = m.walkNow(Bootstrap.METADATA_START + i * 4096);
            assertNotNull(t, "metadata page " + i + " not mapped");
            assertEquals(boot.metadataPhysical() + i * 4096, t.pagePa());
            assertTrue(t.writable() && t.noExecute() && !t.user());
        }
        assertNull(m.walkNow(Bootstrap.METADATA_START - 4096), "guard page below metadata is mapped");
        assertNull(m.walkNow(Bootstrap.METADATA_START + pages * 4096), "guard page above metadata is mapped");
    }

    @Test
    void consoleLineNamesTheFigures() {
        MemoryMap map = TestMaps.qemu128m().carved();
        BootLoaderSim sim = BootLoaderSim.handOver(map);
        Bootstrap boot = new Bootstrap(map);
        assertEquals(Err.OK, boot.run());
        assertEquals(Err.OK, boot.checkAndReport(new HandOffCheck()));
        long usable = (0x7fe0000L - 0x202000L) / 4096;
        long meta = (Pmm.metadataBytes(map) + 4095) / 4096;
        // by hand: usable [0x202000, 0x7fe0000) after the boot info; ceil(32222 / 64) = 504 bitmap words =
        // 4032 bytes, plus 20 bytes per map entry: more than one page from 4 entries on, so 2 pages
        assertEquals(32222, usable);
        assertEquals(2, meta);
        // carved out: usable low memory [0, 0x9f000) = 159 frames, the kernel 256, the boot info rounded out 2
        // one PDPT + PD + PT in the empty metadata slot
        assertEquals("PMM manages " + (usable - 2 - 3) + " frames of " + usable
                + " usable (page tables 3, metadata 2, carved out " + (159 + 256 + 2) + ")\n", sim.machine().console());
    }
}
