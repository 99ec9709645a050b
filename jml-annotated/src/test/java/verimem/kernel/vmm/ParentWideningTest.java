package verimem.kernel.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import verimem.host.sim.PageFault;
import verimem.kernel.arch.Err;
import verimem.kernel.arch.Layout;
import verimem.kernel.arch.Pte;
import verimem.kernel.arch.VirtAddr;

/**
 * A boot-built parent that is read-only: mapping a writable leaf below it widens the parent, and the narrower
 * translations already cached for sibling pages must go (the simulated TLB faults on a stale read-only entry).
 */
class ParentWideningTest {
    @Test
    void wideningABootParentFlushesSiblings() {
        VmmFixture fx = new VmmFixture();
        long bootPdpt = 0x3000; // outside the PMM, like every boot table
        fx.machine.ram().write64(VmmFixture.BOOT_PML4 + Layout.KERNEL_SLOT * 8L, bootPdpt | Pte.PRESENT);
        AddressSpace k = fx.vmm.kernelSpace();
        long a = VirtAddr.fromIndices(Layout.KERNEL_SLOT, 3, 0, 1);
        long b = VirtAddr.fromIndices(Layout.KERNEL_SLOT, 3, 0, 2);
        long fa = fx.pmm.allocFrame();
        long fb = fx.pmm.allocFrame();
        // a's leaf is writable but the boot PML4 entry is not: effectively read-only
        fx.machine.ram().write64(VmmFixture.BOOT_PML4 + Layout.KERNEL_SLOT * 8L, bootPdpt | Pte.PRESENT);
        assertEquals(Err.OK, k.map(a, fa, Pte.WRITABLE | Pte.NO_EXECUTE, 4096));
        // map widened the parent already; narrow it again by hand to set the scene, then cache a read-only entry
        long pml4e = fx.machine.ram().read64(VmmFixture.BOOT_PML4 + Layout.KERNEL_SLOT * 8L);
        fx.machine.ram().write64(VmmFixture.BOOT_PML4 + Layout.KERNEL_SLOT * 8L, pml4e & ~Pte.WRITABLE);
        fx.machine.writeCr3(fx.machine.readCr3());
        TranslateResult tr = new TranslateResult();
        assertTrue(k.translate(a, tr) >= 0);
        assertFalse(tr.writable, "effective permission says read-only");
        fx.machine.load64(a);
        assertThrows(PageFault.class, () -> fx.machine.store64(a, 1));
        fx.machine.load64(a); // cached again, read-only
        assertEquals(Err.OK, k.map(b, fb, Pte.WRITABLE | Pte.NO_EXECUTE, 4096));
        assertTrue(k.translate(a, tr) >= 0);
        assertTrue(tr.writable, "parent widened for b, so a is writable too");
        fx.machine.store64(a, 5); // would fault on the stale read-only TLB entry without the flush
        fx.machine.store64(b, 6);
        assertEquals(5, fx.machine.ram().read64(fa));
    }

    @Test
    void bootBuiltTablesAreNeverReclaimed() {
        VmmFixture fx = new VmmFixture();
        long pdpt = 0x3000, pd = 0x4000, pt = 0x5000; // boot tables, outside the PMM
        long P = Pte.PRESENT, W = Pte.WRITABLE;
        fx.machine.ram().write64(VmmFixture.BOOT_PML4 + Layout.KERNEL_SLOT * 8L, pdpt | P | W);
        fx.machine.ram().write64(pdpt + 510 * 8L, pd | P | W);
        fx.machine.ram().write64(pd, pt | P | W);
        fx.machine.ram().write64(pt + 7 * 8L, VmmFixture.KERNEL_IMAGE_START | P | W);
        long va = VirtAddr.fromIndices(Layout.KERNEL_SLOT, 510, 0, 7);
        long tables0 = fx.vmm.tableFrames();
        assertEquals(VmmFixture.KERNEL_IMAGE_START, fx.vmm.kernelSpace().unmap(va));
        assertEquals(pt | P | W, fx.machine.ram().read64(pd), "empty boot PT stays linked");
        assertEquals(tables0, fx.vmm.tableFrames());
        assertEquals(Err.NOT_MAPPED, fx.vmm.kernelSpace().translate(va, new TranslateResult()));
        assertEquals(Err.OK, fx.vmm.kernelSpace().map(va, VmmFixture.KERNEL_IMAGE_START, W | Pte.NO_EXECUTE, 4096), "reused");
    }
}
