package verimem.kernel.earlymap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import verimem.host.sim.BootLoaderSim;
import verimem.host.sim.SimMachine;
import verimem.host.sim.Translation;
import verimem.kernel.arch.Cpu;
import verimem.kernel.arch.Err;
import verimem.kernel.arch.Layout;
import verimem.kernel.arch.Pte;
import verimem.kernel.arch.VirtAddr;
import verimem.kernel.memmap.MemoryMap;
import verimem.kernel.prepmm.PrePmm;

class EarlyMapperTest {
    static final long W = Pte.WRITABLE, NX = Pte.NO_EXECUTE, RW = W + NX; // data: the mapper refuses W without NX
    /** A fresh PML4 slot (nothing mapped there by the loader), so a 4 KiB map needs 3 new tables. */
    static final long FRESH = VirtAddr.fromIndices(300, 5, 6, 7);
    BootLoaderSim sim;
    SimMachine m;
    PrePmm pre;
    EarlyMapper mapper;

    static MemoryMap map() {
        MemoryMap mm = new MemoryMap();
        mm.add(0, 0x100000, MemoryMap.LOW_MEMORY);
        mm.add(0x100000, 0x200000, MemoryMap.KERNEL_IMAGE);
        mm.add(0x200000, 0x8000000, MemoryMap.USABLE);
        return mm;
    }

    @BeforeEach
    void setUp() {
        sim = BootLoaderSim.handOver(map());
        m = sim.machine();
        pre = new PrePmm(map());
        mapper = new EarlyMapper(pre);
        assertEquals(sim.pml4(), mapper.pml4());
        assertEquals(Err.OK, mapper.installRecursiveSlot());
    }

    void assertNoStaleTlb() {
        assertTrue(m.tlb().staleEntries(m.ram(), m.readCr3(), 0).isEmpty(),
                () -> String.join("\n", m.tlb().staleEntries(m.ram(), m.readCr3(), 0)));
    }

    /** Walks the tables by reading simulated RAM directly: the reference for what the mapper wrote. */
    long physicalTable(long va, int level) {
        long table = sim.pml4();
        for (int l = 4; l > level; l--) {
            long e = m.ram().read64(table + 8L * VirtAddr.index(va, l));
            assertTrue((e & 1) != 0);
            table = e & 0x000F_FFFF_FFFF_F000L;
        }
        return table;
    }

    @Test
    void recursiveSlotShowsEveryTableAtItsComputedAddress() {
        assertTrue(mapper.recursiveSlotInstalled());
        Translation t = m.walkNow(RecursiveSlot.pml4Table());
        assertNotNull(t);
        assertEquals(sim.pml4(), t.pagePa());
        assertFalse(t.user());
        assertTrue(t.noExecute());
        // the loader's kernel mapping: each level's table is reached through the slot
        for (int level = 4; level >= 1; level--) {
            Translation tt = m.walkNow(RecursiveSlot.tableOf(Layout.KERNEL_BASE, level));
            assertNotNull(tt, "level " + level);
            assertEquals(physicalTable(Layout.KERNEL_BASE, level), tt.pagePa(), "level " + level);
        }
        // and reading an entry through the slot gives what RAM holds
        long entry = Cpu.load64(RecursiveSlot.entryOf(Layout.KERNEL_BASE, 1));
        assertEquals(sim.kernelStart(), Pte.frame(entry));
    }

    @Test
    void installingTwiceIsHarmlessButAForeignSlotIsRefused() {
        assertEquals(Err.OK, mapper.installRecursiveSlot());
        SimMachine fresh = BootLoaderSim.handOver(map()).machine();
        fresh.ram().write64(fresh.readCr3() + 8 * 510, 0x5000 | 3);
        EarlyMapper other = new EarlyMapper(new PrePmm(map()));
        assertEquals(Err.ALREADY_MAPPED, other.installRecursiveSlot());
        assertFalse(other.recursiveSlotInstalled());
        assertEquals(Err.INVALID_ARGUMENT, other.map4k(FRESH, 0x300000, RW));
    }

    @Test
    void aPml4OutsideTheIdentityWindowIsRefused() {
        m.loaderSetCr3(0x40000000L); // 1 GiB: just past the window
        EarlyMapper far = new EarlyMapper(new PrePmm(map()));
        assertEquals(Err.INVALID_ARGUMENT, far.installRecursiveSlot());
        assertFalse(far.recursiveSlotInstalled());
    }

    @Test
    void writableExecutablePagesAreRefusedBeforeAnyTableIsTaken() {
        long held = pre.framesHeld(PrePmm.PAGE_TABLE);
        assertEquals(Err.WRITE_EXECUTE, mapper.map4k(FRESH, 0x345000, W));
        assertEquals(Err.WRITE_EXECUTE, mapper.map4k(FRESH, 0x345000, W + Pte.GLOBAL));
        assertEquals(Err.WRITE_EXECUTE, mapper.map2m(VirtAddr.fromIndices(300, 5, 8, 0), 0x400000, W));
        assertEquals(held, pre.framesHeld(PrePmm.PAGE_TABLE), "nothing allocated");
        assertNull(m.walkNow(FRESH));
        assertEquals(Err.OK, mapper.map4k(FRESH, 0x345000, 0), "read-only executable (text) is fine");
        assertEquals(Err.OK, mapper.map4k(FRESH + 4096, 0x346000, NX), "read-only data too");
    }

    @Test
    void map4kMapsAndTranslates() {
        assertEquals(Err.OK, mapper.map4k(FRESH, 0x345000, W + NX));
        Translation t = m.walkNow(FRESH);
        assertNotNull(t);
        assertEquals(0x345000, t.pagePa());
        assertEquals(4096, t.pageSize());
        assertTrue(t.writable() && t.noExecute() && !t.user());
        assertEquals(0x345123, mapper.translate(FRESH + 0x123));
        assertEquals(3, pre.framesHeld(PrePmm.PAGE_TABLE));
        // the new tables were zeroed: the neighbour page is not mapped
        assertNull(m.walkNow(FRESH + 4096));
        assertEquals(Err.NOT_MAPPED, mapper.translate(FRESH + 4096));
        Cpu.store64(FRESH + 8, 99);
        assertEquals(99, m.ram().read64(0x345008));
        // a second page in the same PT needs no new table
        assertEquals(Err.OK, mapper.map4k(FRESH + 4096, 0x346000, RW));
        assertEquals(3, pre.framesHeld(PrePmm.PAGE_TABLE));
        assertNoStaleTlb();
    }

    @Test
    void translateSeesTheLoadersHugePages() {
        assertEquals(0x3456789, mapper.translate(0x3456789));
        assertEquals(sim.kernelStart() + 0x10, mapper.translate(Layout.KERNEL_BASE + 0x10));
    }

    @Test
    void map2mMapsALargePage() {
        long va = VirtAddr.fromIndices(301, 0, 3, 0);
        assertEquals(Err.OK, mapper.map2m(va, 0x400000, RW));
        Translation t = m.walkNow(va + 0x1234);
        assertEquals(0x400000, t.pagePa());
        assertEquals(VirtAddr.LARGE_PAGE_SIZE, t.pageSize());
        assertEquals(0x401234, mapper.translate(va + 0x1234));
        assertEquals(2, pre.framesHeld(PrePmm.PAGE_TABLE));
        assertEquals(Err.PARENT_HUGE_PAGE, mapper.map4k(va + 4096, 0x500000, RW));
        assertEquals(Err.MISALIGNED, mapper.map2m(va + 4096, 0x400000, RW));
        assertEquals(Err.MISALIGNED, mapper.map2m(va, 0x401000, RW));
        assertEquals(Err.ALREADY_MAPPED, mapper.map2m(va, 0x600000, RW));
        assertEquals(Err.OK, mapper.unmap(va));
        assertNull(m.walkNow(va));
        assertEquals(0, pre.framesHeld(PrePmm.PAGE_TABLE));
        assertNoStaleTlb();
    }

    @Test
    void badRequestsAreRefusedWithoutAllocating() {
        assertEquals(Err.OK, mapper.map4k(FRESH, 0x345000, RW));
        int before = pre.allocationCount();
        assertEquals(Err.ALREADY_MAPPED, mapper.map4k(FRESH, 0x999000, RW));
        assertEquals(Err.NON_CANONICAL, mapper.map4k(0x0000800000000000L, 0x345000, RW));
        assertEquals(Err.NON_CANONICAL, mapper.map4k(0x7FFF_0000_0000_0000L, 0x345000, RW));
        assertEquals(Err.MISALIGNED, mapper.map4k(FRESH + 8, 0x345000, RW));
        assertEquals(Err.MISALIGNED, mapper.map4k(FRESH + 4096, 0x345008, RW));
        assertEquals(Err.INVALID_ARGUMENT, mapper.map4k(Layout.RECURSIVE_BASE + 4096, 0x345000, RW));
        assertEquals(Err.INVALID_ARGUMENT, mapper.map4k(FRESH + 4096, -4096, RW));
        assertEquals(Err.INVALID_ARGUMENT, mapper.map4k(FRESH + 4096, Pte.PHYS_LIMIT, RW));
        assertEquals(Err.INVALID_ARGUMENT, mapper.map4k(FRESH + 4096, 0x345000, Pte.PRESENT));
        assertEquals(Err.INVALID_ARGUMENT, mapper.map4k(FRESH + 4096, 0x345000, Pte.HUGE));
        assertEquals(Err.INVALID_ARGUMENT, mapper.map4k(FRESH + 4096, 0x345000, 0x1000));
        // inside the loader's 2 MiB identity pages
        assertEquals(Err.PARENT_HUGE_PAGE, mapper.map4k(0x201000, 0x345000, RW));
        assertEquals(Err.ALREADY_MAPPED, mapper.map2m(0x200000, 0x400000, RW));
        assertEquals(before, pre.allocationCount());
        assertEquals(Err.NOT_MAPPED, mapper.unmap(FRESH + 4096));
        assertEquals(Err.MISALIGNED, mapper.unmap(FRESH + 8));
        assertNoStaleTlb();
    }

    @Test
    void remappingAfterUnmapNeverUsesAStaleTranslation() {
        m.ram().write64(0x345000, 111);
        m.ram().write64(0x346000, 222);
        assertEquals(Err.OK, mapper.map4k(FRESH, 0x345000, RW));
        assertEquals(111, Cpu.load64(FRESH)); // now cached in the TLB
        assertEquals(Err.OK, mapper.unmap(FRESH));
        assertNull(m.walkNow(FRESH));
        assertEquals(0, pre.framesHeld(PrePmm.PAGE_TABLE), "empty tables must be given back");
        assertEquals(0, m.ram().read64(sim.pml4() + 8 * 300));
        assertNoStaleTlb();
        assertEquals(Err.OK, mapper.map4k(FRESH, 0x346000, RW));
        assertEquals(222, Cpu.load64(FRESH));
        assertNoStaleTlb();
    }

    @Test
    void aTableFrameReusedAtAnotherPlaceIsSeenFresh() {
        // tables for FRESH are created, read through the slot (cached), freed; the same frames then serve another
        // slot: the zeroing and the walks must go to the new place, not through cached recursive translations
        assertEquals(Err.OK, mapper.map4k(FRESH, 0x345000, RW));
        Cpu.load64(RecursiveSlot.entryOf(FRESH, 1));
        assertEquals(Err.OK, mapper.unmap(FRESH));
        long other = VirtAddr.fromIndices(300, 5, 6, 9);
        assertEquals(Err.OK, mapper.map4k(other, 0x347000, RW));
        assertNull(m.walkNow(FRESH), "the old page must not reappear");
        assertEquals(0x347000, m.walkNow(other).pagePa());
        assertNoStaleTlb();
    }

    @Test
    void runningOutOfFramesHalfwayRollsBackCompletely() {
        for (long k = 1; k <= 4; k++) {
            setUp();
            long framesBefore = pre.framesHeld(PrePmm.NONE);
            pre.failAfter(k);
            long r = mapper.map4k(FRESH, 0x345000, RW);
            if (k <= 3) {
                assertEquals(Err.NO_MEMORY, r, "k=" + k);
                assertEquals(framesBefore, pre.framesHeld(PrePmm.NONE), "leaked a table at k=" + k);
                assertEquals(0, pre.allocationCount());
                assertNull(m.walkNow(FRESH));
                assertEquals(0, m.ram().read64(sim.pml4() + 8 * 300), "half-built chain left linked, k=" + k);
                assertNoStaleTlb();
                pre.failAfter(0);
                assertEquals(Err.OK, mapper.map4k(FRESH, 0x345000, RW));
            } else {
                assertEquals(Err.OK, r);
            }
            assertEquals(0x345000, m.walkNow(FRESH).pagePa());
            assertEquals(3, pre.framesHeld(PrePmm.PAGE_TABLE));
            assertNoStaleTlb();
        }
    }

    @Test
    void rollbackBelowAnExistingTableKeepsTheExistingOne() {
        assertEquals(Err.OK, mapper.map4k(FRESH, 0x345000, RW));
        long other = VirtAddr.fromIndices(300, 5, 100, 0); // same PDPT, new PD entry -> needs one PT
        pre.failAfter(1);
        assertEquals(Err.NO_MEMORY, mapper.map4k(other, 0x346000, RW));
        assertEquals(3, pre.framesHeld(PrePmm.PAGE_TABLE));
        assertEquals(0x345000, m.walkNow(FRESH).pagePa());
        assertNull(m.walkNow(other));
        assertNoStaleTlb();
    }

    @Test
    void afterHandOffNoNewTableCanBeTaken() {
        pre.handOff();
        assertEquals(Err.DESTROYED, mapper.map4k(FRESH, 0x345000, RW));
        assertNull(m.walkNow(FRESH));
        assertNoStaleTlb();
    }

    @Test
    void randomMapsAndUnmapsAgreeWithAPlainModel() {
        Random rnd = new Random(42);
        java.util.Map<Long, Long> model = new java.util.HashMap<>();
        for (int step = 0; step < 400; step++) {
            long va = VirtAddr.fromIndices(300 + rnd.nextInt(2), rnd.nextInt(3), rnd.nextInt(3), rnd.nextInt(4));
            if (rnd.nextBoolean()) {
                long pa = 0x1000000L + rnd.nextInt(1000) * 4096L;
                long r = mapper.map4k(va, pa, RW);
                if (model.containsKey(va)) {
                    assertEquals(Err.ALREADY_MAPPED, r);
                } else {
                    assertEquals(Err.OK, r);
                    model.put(va, pa);
                }
            } else {
                long r = mapper.unmap(va);
                assertEquals(model.remove(va) != null ? Err.OK : Err.NOT_MAPPED, r);
            }
            for (var e : model.entrySet()) {
                assertEquals(e.getValue(), mapper.translate(e.getKey()));
            }
        }
        assertNoStaleTlb();
        for (long va : model.keySet().toArray(new Long[0])) {
            assertEquals(Err.OK, mapper.unmap(va));
        }
        assertEquals(0, pre.allocationCount(), "every table given back once everything is unmapped");
    }
}
