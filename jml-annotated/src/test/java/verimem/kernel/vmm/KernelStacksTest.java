package verimem.kernel.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

import verimem.host.sim.PageFault;
import verimem.kernel.arch.Err;

class KernelStacksTest {
    static final long P = 4096;

    @Test
    void stacksAreGuardedBelowAndAbove() {
        VmmFixture fx = new VmmFixture();
        long free0 = fx.pmm.freeFrames();
        long tables0 = fx.vmm.tableFrames();
        KernelStacks ks = new KernelStacks(fx.vmm, 4, 8);
        long top0 = ks.allocate();
        long top1 = ks.allocate();
        assertFalse(VaResult.isError(top0));
        assertEquals(5 * P, top1 - top0, "4 stack pages + 1 guard per slot");
        fx.machine.store64(top0 - 8, 1);
        fx.machine.store64(top0 - 4 * P, 2);
        assertThrows(PageFault.class, () -> fx.machine.store64(top0 - 4 * P - 8, 3), "overflow hits the guard");
        assertThrows(PageFault.class, () -> fx.machine.store64(top0, 3), "the next slot's guard");
        assertEquals(Err.NOT_MANAGED, ks.free(top0 - 8));
        assertEquals(Err.OK, ks.free(top0));
        assertEquals(Err.NOT_ALLOCATED, ks.free(top0));
        assertThrows(PageFault.class, () -> fx.machine.load64(top0 - 8), "unmapped and invalidated");
        assertEquals(Err.OK, ks.free(top1));
        assertEquals(free0, fx.pmm.freeFrames());
        assertEquals(tables0, fx.vmm.tableFrames());
    }

    @Test
    void rollbackForEveryK() {
        VmmFixture fx = new VmmFixture();
        KernelStacks ks = new KernelStacks(fx.vmm, 4, 8);
        int k = 1;
        while (true) {
            long free0 = fx.pmm.freeFrames();
            fx.pmm.failAfter(k);
            long r = ks.allocate();
            fx.pmm.failAfter(0);
            if (!VaResult.isError(r)) {
                break;
            }
            assertEquals(Err.NO_MEMORY, r);
            assertEquals(free0, fx.pmm.freeFrames(), "k=" + k);
            k++;
        }
        assertEquals(7, k, "PD + PT + 4 frames = 6 allocations");
    }
}
