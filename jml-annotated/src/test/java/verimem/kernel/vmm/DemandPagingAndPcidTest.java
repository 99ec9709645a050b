package verimem.kernel.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import verimem.host.sim.PageFault;
import verimem.kernel.arch.Err;
import verimem.kernel.arch.Layout;
import verimem.kernel.arch.Pte;

/** The #PF entry point driven by the simulated MMU's faults; PCID recycling with generation rollover. */
class DemandPagingAndPcidTest {
    static final long P = 4096;
    VmmFixture fx;
    DemandPager pager;
    AddressSpace as;

    @BeforeEach
    void setUp() {
        fx = new VmmFixture(64L << 20, 4);
        pager = new DemandPager(fx.vmm, 8);
        DemandPager.install(pager);
        fx.machine.setFaultHandler(DemandPager::handlePageFault);
        as = new AddressSpace(fx.vmm);
        assertEquals(Err.OK, as.create());
        assertEquals(Err.OK, as.activate());
    }

    @AfterEach
    void tearDown() {
        DemandPager.install(null);
    }

    @Test
    void firstTouchMapsAZeroedFrame() {
        long base = 0x40_0000;
        assertEquals(Err.OK, pager.addLazy(as, base, 16 * P, Pte.WRITABLE | Pte.USER | Pte.NO_EXECUTE));
        long free0 = fx.pmm.freeFrames();
        assertEquals(0, fx.machine.userLoad64(base + 5 * P + 8), "zero on first touch");
        fx.machine.userStore64(base + 5 * P + 8, 42);
        assertEquals(42, fx.machine.userLoad64(base + 5 * P + 8));
        assertEquals(1, pager.servedFaults());
        assertEquals(free0 - 4, fx.pmm.freeFrames(), "one data frame + PDPT, PD, PT");
        fx.machine.userStore64(base + 15 * P, 1);
        assertEquals(2, pager.servedFaults());
        assertEquals(Err.OK, pager.removeLazy(as, base));
        assertEquals(free0, fx.pmm.freeFrames(), "frames and tables returned");
        assertThrows(PageFault.class, () -> fx.machine.userLoad64(base + 5 * P));
    }

    @Test
    void faultsOutsideLazyRegionsAreRefusedWithAReport() {
        assertEquals(Err.OK, pager.addLazy(as, 0x40_0000, 4 * P, Pte.USER));
        PageFault pf = assertThrows(PageFault.class, () -> fx.machine.userLoad64(0x40_0000 + 4 * P));
        assertEquals(0x40_0000 + 4 * P, pf.address());
        assertTrue(fx.machine.console().contains("#PF outside every lazy region at 0x404000"), fx.machine.console());
        fx.machine.userLoad64(0x40_0000); // read-only lazy page faulted in
        assertThrows(PageFault.class, () -> fx.machine.userStore64(0x40_0000, 1));
        assertTrue(fx.machine.console().contains("#PF protection violation"));
        assertEquals(2, pager.refusedFaults());
        assertEquals(Err.INVALID_ARGUMENT, pager.addLazy(as, 0x40_0000 + P, P, Pte.USER), "overlap");
        assertEquals(Err.MISALIGNED, pager.addLazy(as, 0x50_0001, P, Pte.USER));
        assertEquals(Err.INVALID_ARGUMENT, pager.addLazy(as, Layout.LAZY_BASE, P, 0), "user space, kernel half");
    }

    @Test
    void kernelLazyRegionServesEverySpace() {
        AddressSpace k = fx.vmm.kernelSpace();
        assertEquals(Err.OK, pager.addLazy(k, Layout.LAZY_BASE, 8 * P, Pte.WRITABLE | Pte.NO_EXECUTE));
        fx.machine.store64(Layout.LAZY_BASE + P, 9);
        AddressSpace other = new AddressSpace(fx.vmm);
        assertEquals(Err.OK, other.create());
        assertEquals(Err.OK, other.activate());
        assertEquals(9, fx.machine.load64(Layout.LAZY_BASE + P));
        fx.machine.store64(Layout.LAZY_BASE + 2 * P, 3);
        assertEquals(2, pager.servedFaults());
    }

    @Test
    void outOfFramesDuringAFaultIsRefusedAndLeaksNothing() {
        assertEquals(Err.OK, pager.addLazy(as, 0x40_0000, 4 * P, Pte.WRITABLE | Pte.USER | Pte.NO_EXECUTE));
        for (int k = 1; k <= 4; k++) {
            long free0 = fx.pmm.freeFrames();
            long tables0 = fx.vmm.tableFrames();
            fx.pmm.failAfter(k);
            assertThrows(PageFault.class, () -> fx.machine.userLoad64(0x40_0000), "k=" + k);
            fx.pmm.failAfter(0);
            assertEquals(free0, fx.pmm.freeFrames(), "k=" + k);
            assertEquals(tables0, fx.vmm.tableFrames(), "k=" + k);
        }
        assertEquals(0, fx.machine.userLoad64(0x40_0000), "k=5 would succeed: 4 allocations needed");
    }

    /** 3 usable PCIDs, 6 spaces mapping the same address to different frames: recycling must never show stale data. */
    @Test
    void pcidRolloverFlushesRecycledIds() {
        List<AddressSpace> spaces = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            AddressSpace s = new AddressSpace(fx.vmm);
            assertEquals(Err.OK, s.create());
            long f = fx.pmm.allocFrame();
            fx.machine.ram().write64(f, 1000 + i);
            assertEquals(Err.OK, s.map(0x1000, f, Pte.USER, P));
            spaces.add(s);
        }
        for (int round = 0; round < 5; round++) {
            for (int i = 0; i < 6; i++) {
                AddressSpace s = spaces.get((i * (round + 1)) % 6);
                assertEquals(Err.OK, s.activate());
                assertTrue(s.pcid() >= 1 && s.pcid() <= 3);
                assertEquals(fx.machine.pcid(), s.pcid());
                assertEquals(1000 + spaces.indexOf(s), fx.machine.userLoad64(0x1000), "round " + round);
            }
        }
        assertTrue(fx.vmm.pcids().rollovers() > 0);
    }

    @Test
    void cloneRollsBackForEveryK() {
        for (int i = 0; i < 6; i++) {
            assertEquals(Err.OK, as.map(0x1000_0000L * i + i * P, fx.pmm.allocFrame(), Pte.USER | Pte.WRITABLE | Pte.NO_EXECUTE, P));
        }
        assertEquals(Err.OK, as.map(0x7000_0000_0000L, fx.pmm.allocAligned(9), Pte.USER, 2L << 20));
        int k = 1;
        while (true) {
            long free0 = fx.pmm.freeFrames();
            long tables0 = fx.vmm.tableFrames();
            AddressSpace c = new AddressSpace(fx.vmm);
            fx.pmm.failAfter(k);
            long r = as.cloneInto(c);
            fx.pmm.failAfter(0);
            if (r == Err.OK) {
                break;
            }
            assertEquals(Err.NO_MEMORY, r, "k=" + k);
            assertEquals(AddressSpace.NEW, c.state());
            assertEquals(free0, fx.pmm.freeFrames(), "k=" + k);
            assertEquals(tables0, fx.vmm.tableFrames(), "k=" + k);
            k++;
        }
        // PML4 + PDPT + 2 PDs + 6 PTs + 6 frames for the 4 KiB pages; PDPT + PD + a 2 MiB block: 19 allocations
        assertEquals(20, k, "the first k that succeeds is 20");
    }
}
