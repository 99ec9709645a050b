package verimem.kernel.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import verimem.host.sim.SimMachine;
import verimem.kernel.arch.Cpu;
import verimem.kernel.arch.Err;
import verimem.kernel.arch.Layout;
import verimem.kernel.memmap.MemoryMap;
import verimem.kernel.pmm.Pmm;

/**
 * A page fault that arrives before the VMM has adopted the boot space: there is no space to serve it from, so the
 * pager refuses it with a report and allocates nothing (no frame leaves the PMM).
 */
class PagerBeforeAdoptionTest {
    @Test
    void faultWithoutAnyAddressSpaceIsRefused() {
        long ram = 16L << 20;
        SimMachine m = new SimMachine(ram);
        Cpu.install(m);
        MemoryMap mm = new MemoryMap();
        mm.add(VmmFixture.USABLE_START, ram, MemoryMap.USABLE);
        Pmm pmm = new Pmm(mm);
        assertEquals(Err.OK, pmm.release(VmmFixture.USABLE_START, ram));
        Vmm vmm = new Vmm(pmm, ram, 8);
        DemandPager pager = new DemandPager(vmm, 4);
        long free0 = pmm.freeFrames();
        assertFalse(pager.handle(0x40_0000, 0), "user-half fault, no current space");
        assertFalse(pager.handle(Layout.LAZY_BASE, 0), "kernel-half fault, no kernel space");
        assertEquals(2, pager.refusedFaults());
        assertEquals(0, pager.servedFaults());
        assertEquals(free0, pmm.freeFrames());
        assertTrue(m.console().contains("#PF outside every lazy region at 0x400000"), m.console());
    }
}
