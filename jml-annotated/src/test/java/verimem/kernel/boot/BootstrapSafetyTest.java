package verimem.kernel.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import verimem.host.sim.Access;
import verimem.host.sim.BootLoaderSim;
import verimem.host.sim.PageFault;
import verimem.host.sim.SimMachine;
import verimem.host.sim.Translation;
import verimem.kernel.arch.Cpu;
import verimem.kernel.arch.Err;
import verimem.kernel.arch.Layout;
import verimem.kernel.arch.Machine;
import verimem.kernel.memmap.MemoryMap;
import verimem.kernel.pmm.Pmm;

/** The bootstrap never writes where nothing is mapped, and a failure anywhere in it leaves nothing behind. */
class BootstrapSafetyTest {

    /**
     * Sits between the kernel code and the simulated machine and, before each store, asks a fresh page walk
     * (ignoring the TLB) whether the address is mapped writable, and whether the TLB would send the store to the
     * same physical address: a store to an unmapped page or through a stale translation is recorded.
     */
    static final class StoreAudit implements Machine {
        final SimMachine m;
        final List<String> bad = new ArrayList<>();
        long stores;

        StoreAudit(SimMachine m) {
            this.m = m;
        }

        @Override
        public void store64(long va, long value) {
            stores++;
            Translation fresh = m.walkNow(va);
            if (fresh == null || !fresh.writable()) {
                bad.add(String.format("store to unmapped/read-only 0x%x", va));
            } else if (m.translate(va, Access.WRITE, false) != fresh.physical(va)) {
                bad.add(String.format("store through a stale translation at 0x%x", va));
            }
            m.store64(va, value);
        }

        @Override
        public long load64(long va) {
            return m.load64(va);
        }

        @Override
        public int load32(long va) {
            return m.load32(va);
        }

        @Override
        public int load8(long va) {
            return m.load8(va);
        }

        @Override
        public long readCr3() {
            return m.readCr3();
        }

        @Override
        public void writeCr3(long value) {
            m.writeCr3(value);
        }

        @Override
        public void invlpg(long va) {
            m.invlpg(va);
        }

        @Override
        public void print(String literal) {
            m.print(literal);
        }

        @Override
        public void printHex(long value) {
            m.printHex(value);
        }

        @Override
        public void printDec(long value) {
            m.printDec(value);
        }
    }

    @Test
    void bootstrapNeverWritesToAnUnmappedAddress() {
        MemoryMap map = TestMaps.qemu3584m().carved();
        BootLoaderSim sim = BootLoaderSim.handOver(map);
        StoreAudit audit = new StoreAudit(sim.machine());
        Cpu.install(audit);
        Bootstrap boot = new Bootstrap(map);
        assertEquals(Err.OK, boot.run());
        assertTrue(audit.bad.isEmpty(), () -> String.join("\n", audit.bad));
        // the audit saw the zeroing of every metadata word and of every new table, so it really watched
        long pages = (Pmm.metadataBytes(map) + 4095) / 4096;
        assertTrue(audit.stores >= pages * 512 + 3 * 512, "stores seen: " + audit.stores);
        assertEquals(0, sim.machine().faults());
        BootstrapMapsTest.assertMetadataMappedWithGuards(sim.machine(), boot);
    }

    @Test
    void theGuardPagesReallyFault() {
        MemoryMap map = TestMaps.qemu128m().carved();
        BootLoaderSim sim = BootLoaderSim.handOver(map);
        Bootstrap boot = new Bootstrap(map);
        assertEquals(Err.OK, boot.run());
        long end = Bootstrap.METADATA_START + boot.metadataPages() * 4096;
        Cpu.store64(end - 8, 7);
        assertEquals(7, Cpu.load64(end - 8));
        assertThrows(PageFault.class, () -> Cpu.store64(end, 0));
        assertThrows(PageFault.class, () -> Cpu.store64(Bootstrap.METADATA_START - 8, 0));
        assertThrows(PageFault.class, () -> Cpu.store64(Layout.PMM_METADATA_BASE, 0));
    }

    /**
     * The pre-PMM fails its k-th allocation, for every k up to one past what a bootstrap needs: every run either
     * succeeds with the exact partition or fails cleanly (no allocation left, nothing mapped in the metadata slot,
     * no stale TLB entry), and a retry on the same machine then succeeds.
     */
    @Test
    void failingEveryAllocationInTurnLeaksNothing() {
        MemoryMap map = TestMaps.qemu8g().carved();
        long meta = (Pmm.metadataBytes(map) + 4095) / 4096;
        long needed = 1 + TestMaps.expectedMetadataTables(meta);
        int failures = 0;
        for (long k = 1; k <= needed + 1; k++) {
            BootLoaderSim sim = BootLoaderSim.handOver(map);
            Bootstrap boot = new Bootstrap(map);
            boot.prePmm().failAfter(k);
            long r = boot.run();
            if (k <= needed) {
                assertEquals(Err.NO_MEMORY, r, "k=" + k);
                failures++;
                assertCleanAfterFailure(sim, boot);
                boot.prePmm().failAfter(0);
                assertEquals(Err.OK, boot.run(), "retry after k=" + k);
            } else {
                assertEquals(Err.OK, r);
            }
            HandOffCheck check = new HandOffCheck();
            assertEquals(Err.OK, check.run(map, boot.prePmm(), boot.pmm()));
            assertEquals(TestMaps.usableFrames(map) - meta - (needed - 1), check.freeFrames());
        }
        assertEquals(needed, failures);
    }

    @Test
    void tooLittleMemoryForTheMetadataIsACleanError() {
        // usable memory only in one-frame pieces: the metadata needs a contiguous run of more than one frame
        MemoryMap map = new MemoryMap();
        map.add(0, 0x100000, MemoryMap.LOW_MEMORY);
        map.add(0x100000, 0x108000, MemoryMap.KERNEL_IMAGE);
        long pa = 0x200000;
        for (int i = 0; i < 200; i++) {
            map.add(pa, pa + 4096, MemoryMap.USABLE);
            map.add(pa + 4096, pa + 8192, MemoryMap.RESERVED);
            pa += 8192;
        }
        // 200 bitmap words * 8 + 402 entries * 20 bytes > 4096: a run of 3 frames, which no usable range holds
        assertTrue(Pmm.metadataBytes(map) > 4096);
        BootLoaderSim sim = BootLoaderSim.handOver(map);
        Bootstrap boot = new Bootstrap(map);
        assertEquals(Err.NO_MEMORY, boot.run());
        assertCleanAfterFailure(sim, boot);
    }

    @Test
    void aForeignEntryInTheRecursiveSlotStopsTheBootstrap() {
        MemoryMap map = TestMaps.qemu128m().carved();
        BootLoaderSim sim = BootLoaderSim.handOver(map);
        sim.machine().ram().write64(sim.pml4() + 8L * Layout.RECURSIVE_SLOT, 0x7000 | 3);
        Bootstrap boot = new Bootstrap(map);
        assertEquals(Err.ALREADY_MAPPED, boot.run());
        assertEquals(0, boot.prePmm().allocationCount());
        assertNull(boot.pmm());
    }

    static void assertCleanAfterFailure(BootLoaderSim sim, Bootstrap boot) {
        SimMachine m = sim.machine();
        assertEquals(0, boot.prePmm().allocationCount(), "pre-PMM allocations leaked");
        assertNull(boot.pmm());
        assertNull(m.walkNow(Bootstrap.METADATA_START));
        assertEquals(0, m.ram().read64(sim.pml4() + 8L * Layout.PMM_METADATA_SLOT),
                "a page table is still linked into the metadata slot");
        assertTrue(m.tlb().staleEntries(m.ram(), m.readCr3(), 0).isEmpty());
        // the loader's own mappings are untouched
        Translation kernel = m.walkNow(Layout.KERNEL_BASE);
        assertNotNull(kernel);
        assertEquals(sim.kernelStart(), kernel.pagePa());
        assertNotNull(m.walkNow(0x200000));
    }
}
