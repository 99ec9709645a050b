package verimem.kernel.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import verimem.kernel.arch.Err;
import verimem.kernel.arch.Layout;
import verimem.kernel.arch.Pte;
import verimem.kernel.arch.VirtAddr;

/** A boot PML4 with the early mapper's recursive slot: the VMM keeps it per space and never maps through it. */
class RecursiveSlotTest {
    @Test
    void eachSpacePointsSlot510AtItselfAndMapsThereAreRefused() {
        VmmFixture fx = new VmmFixture(64L << 20, 8, true);
        assertTrue(fx.vmm.hasRecursiveSlot());
        for (long pa = VmmFixture.USABLE_START; pa < fx.ram; pa += 4096) {
            if (fx.pmm.isFree(pa)) {
                assertFalse(fx.vmm.ownership().isKernel(pa), "a free frame marked kernel-owned");
            }
        }
        AddressSpace as = new AddressSpace(fx.vmm);
        assertEquals(Err.OK, as.create());
        long e = fx.machine.ram().read64(as.pml4() + Layout.RECURSIVE_SLOT * 8L);
        assertEquals(as.pml4(), Pte.frame(e), "own PML4, not the boot one");
        assertTrue(e < 0 && (e & Pte.USER) == 0, "supervisor, no-execute");
        long f = fx.pmm.allocFrame();
        long va = VirtAddr.fromIndices(Layout.RECURSIVE_SLOT, 1, 2, 3);
        assertEquals(Err.INVALID_ARGUMENT, fx.vmm.kernelSpace().map(va, f, Pte.WRITABLE, 4096));
        assertEquals(Err.INVALID_ARGUMENT, fx.vmm.kernelSpace().unmap(va));
        assertEquals(Err.OK, as.activate());
        // the recursive slot works in the new space: PML4 entry 0 read through slot 510 four times
        assertEquals(Err.OK, as.map(0x1000, f, Pte.USER, 4096));
        long selfVa = VirtAddr.fromIndices(510, 510, 510, 510);
        assertEquals(fx.machine.ram().read64(as.pml4()), fx.machine.load64(selfVa));
    }
}
