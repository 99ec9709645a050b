package verimem.robust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import verimem.host.sim.PageFault;
import verimem.kernel.arch.Err;
import verimem.kernel.arch.Layout;
import verimem.kernel.arch.Pte;
import verimem.kernel.heap.HeapMmioRegion;
import verimem.kernel.heap.Vmalloc;
import verimem.kernel.vmm.KernelStacks;
import verimem.kernel.vmm.AddressSpace;
import verimem.kernel.vmm.DemandPager;
import verimem.kernel.vmm.PageFlags;
import verimem.kernel.vmm.TranslateResult;
import verimem.kernel.vmm.VmmFixture;

/**
 * W^X in both halves: map, protect and the demand pager refuse a page that is both writable and executable with
 * Err.WRITE_EXECUTE, in user spaces and in the kernel space, before they change anything (full state snapshot
 * compared); the kernel's own mappers (vmalloc, kernel stacks, heap growth, MMIO) only ever make NX pages.
 */
class WriteExecuteTest {
    static final long K4 = 4096, M2 = 2L << 20, G1 = 1L << 30;
    static final long WX_USER = Pte.USER | Pte.WRITABLE;

    VmmFixture fx;
    AddressSpace as;

    @BeforeEach
    void setUp() {
        fx = new VmmFixture();
        as = new AddressSpace(fx.vmm);
        assertEquals(Err.OK, as.create());
        assertEquals(Err.OK, as.activate());
    }

    Snapshot snap() {
        return Snapshot.of(fx, List.of(as));
    }

    @Test
    void thePolicyPredicate() {
        assertTrue(PageFlags.isUserWriteExecute(WX_USER));
        assertTrue(PageFlags.isUserWriteExecute(WX_USER | Pte.GLOBAL | Pte.CACHE_DISABLE));
        assertFalse(PageFlags.isUserWriteExecute(WX_USER | Pte.NO_EXECUTE), "writable data");
        assertFalse(PageFlags.isUserWriteExecute(Pte.USER), "read-only code");
        assertFalse(PageFlags.isUserWriteExecute(Pte.WRITABLE), "supervisor: not a user mapping");
        assertTrue(PageFlags.isWriteExecute(Pte.WRITABLE), "supervisor W+X");
        assertTrue(PageFlags.isWriteExecute(WX_USER | Pte.GLOBAL));
        assertFalse(PageFlags.isWriteExecute(Pte.WRITABLE | Pte.NO_EXECUTE), "kernel data");
        assertFalse(PageFlags.isWriteExecute(Pte.PRESENT | Pte.GLOBAL), "kernel text: read-only, executable");
        assertFalse(PageFlags.isWriteExecute(0), "read-only");
    }

    static final long KVA = Layout.VMALLOC_BASE + (1L << 36); // far from anything vmalloc hands out
    static final long KWX = Pte.WRITABLE;

    @Test
    void kernelSpaceMapRefusesWritableExecutablePagesOfEverySizeAndChangesNothing() {
        AddressSpace k = fx.vmm.kernelSpace();
        long f4 = fx.pmm.allocFrame();
        long f2 = fx.pmm.allocAligned(9);
        Snapshot before = snap();
        assertEquals(Err.WRITE_EXECUTE, k.map(KVA, f4, KWX, K4));
        assertEquals(Err.WRITE_EXECUTE, k.map(KVA, f4, KWX | Pte.PRESENT | Pte.GLOBAL, K4));
        assertEquals(Err.WRITE_EXECUTE, k.map(KVA + M2, f2, KWX, M2));
        assertEquals(Err.WRITE_EXECUTE, k.map(KVA + G1, 8L << 30, KWX | Pte.CACHE_DISABLE, G1), "device memory");
        assertEquals(Err.WRITE_EXECUTE, k.map(Layout.KERNEL_BASE + M2, f2, KWX, M2), "the kernel image slot");
        assertEquals(Err.WRITE_EXECUTE, k.map(Layout.DIRECT_MAP_BASE + (32L << 30), 32L << 30, KWX, G1),
                "the direct-map slot");
        before.assertSame(snap(), "refused kernel W+X map");
        TranslateResult tr = new TranslateResult();
        assertEquals(Err.NOT_MAPPED, k.translate(KVA, tr));
        // the legal kernel kinds: data (W, NX), text (read-only, executable), rodata (read-only, NX)
        assertEquals(Err.OK, k.map(KVA, f4, Pte.WRITABLE | Pte.NO_EXECUTE, K4));
        assertEquals(Err.OK, k.map(KVA + K4, fx.pmm.allocFrame(), Pte.GLOBAL, K4));
        assertEquals(Err.OK, k.map(KVA + 2 * K4, fx.pmm.allocFrame(), Pte.NO_EXECUTE, K4));
    }

    @Test
    void kernelSpaceProtectAndLazyRegionsFollowTheSamePolicy() {
        AddressSpace k = fx.vmm.kernelSpace();
        long data = fx.pmm.allocFrame();
        long text = fx.pmm.allocFrame();
        assertEquals(Err.OK, k.map(KVA, data, Pte.WRITABLE | Pte.NO_EXECUTE, K4));
        assertEquals(Err.OK, k.map(KVA + K4, text, 0, K4));
        DemandPager pager = new DemandPager(fx.vmm, 4);
        Snapshot before = snap();
        assertEquals(Err.WRITE_EXECUTE, k.protect(KVA, KWX), "kernel data made executable");
        assertEquals(Err.WRITE_EXECUTE, k.protect(KVA + K4, KWX), "kernel text made writable");
        assertEquals(Err.WRITE_EXECUTE, k.protect(KVA + 2 * K4, KWX), "checked before the walk");
        assertEquals(Err.WRITE_EXECUTE, pager.addLazy(k, Layout.LAZY_BASE, 4 * K4, KWX));
        before.assertSame(snap(), "refused kernel W+X protect / lazy region");
        TranslateResult tr = new TranslateResult();
        assertTrue(k.translate(KVA + K4, tr) >= 0);
        assertTrue(!tr.writable && !tr.noExecute, "text unchanged");
        assertEquals(Err.OK, pager.addLazy(k, Layout.LAZY_BASE, 4 * K4, Pte.WRITABLE | Pte.NO_EXECUTE));
    }

    @Test
    void theKernelsOwnMappersNeverAskForWritableExecutablePages() {
        Vmalloc vmalloc = new Vmalloc(fx.vmm, 8);
        KernelStacks stacks = new KernelStacks(fx.vmm, 2, 4);
        HeapMmioRegion heap = new HeapMmioRegion(fx.vmm);
        long v = vmalloc.vmalloc(3 * K4);
        long top = stacks.allocate();
        long grown = heap.growHeap(2);
        long mmio = heap.mapMmio(0xFEE0_0000L, K4);
        assertTrue(v > 0 || v < -4095, "vmalloc " + v);
        assertTrue(top > 0 || top < -4095, "stack " + top);
        assertTrue(grown > 0 || grown < -4095, "heap " + grown);
        assertTrue(mmio > 0 || mmio < -4095, "mmio " + mmio);
        AddressSpace k = fx.vmm.kernelSpace();
        long[] pages = {v, v + K4, v + 2 * K4, top - K4, top - 2 * K4, grown, grown + K4, mmio};
        for (long va : pages) {
            TranslateResult tr = new TranslateResult();
            assertTrue(k.translate(va, tr) >= 0, "mapped: 0x" + Long.toHexString(va));
            assertTrue(tr.writable && tr.noExecute, "writable data, not executable: 0x" + Long.toHexString(va));
        }
    }

    @Test
    void mapRefusesWritableExecutableUserPagesOfEverySizeAndChangesNothing() {
        long f4 = fx.pmm.allocFrame();
        long f2 = fx.pmm.allocAligned(9);
        Snapshot before = snap();
        assertEquals(Err.WRITE_EXECUTE, as.map(0x40_0000, f4, WX_USER, K4));
        assertEquals(Err.WRITE_EXECUTE, as.map(0x40_0000, f4, WX_USER | Pte.PRESENT, K4));
        assertEquals(Err.WRITE_EXECUTE, as.map(0x60_0000, f2, WX_USER, M2));
        assertEquals(Err.WRITE_EXECUTE, as.map(G1, 8L << 30, WX_USER, G1), "device memory too");
        assertEquals(Err.WRITE_EXECUTE, as.identityMap(f4, WX_USER, K4));
        before.assertSame(snap(), "refused W+X map");
        TranslateResult tr = new TranslateResult();
        assertEquals(Err.NOT_MAPPED, as.translate(0x40_0000, tr));
        assertThrows(PageFault.class, () -> fx.machine.fetch(0x40_0000, true));
    }

    @Test
    void writableDataAndExecutableCodeAreStillAllowedAndEnforcedByTheMmu() {
        long data = fx.pmm.allocFrame();
        long code = fx.pmm.allocFrame();
        assertEquals(Err.OK, as.map(0x40_0000, data, WX_USER | Pte.NO_EXECUTE, K4));
        assertEquals(Err.OK, as.map(0x40_1000, code, Pte.USER, K4));
        fx.machine.userStore64(0x40_0000, 1);
        assertThrows(PageFault.class, () -> fx.machine.fetch(0x40_0000, true), "data is not executable");
        fx.machine.fetch(0x40_1000, true);
        assertThrows(PageFault.class, () -> fx.machine.userStore64(0x40_1000, 1), "code is not writable");
    }

    @Test
    void protectCannotTurnAPageWritableAndExecutable() {
        long code = fx.pmm.allocFrame();
        long data = fx.pmm.allocFrame();
        assertEquals(Err.OK, as.map(0x40_1000, code, Pte.USER, K4));
        assertEquals(Err.OK, as.map(0x40_2000, data, WX_USER | Pte.NO_EXECUTE, K4));
        fx.machine.fetch(0x40_1000, true); // cache the executable translation
        fx.machine.userStore64(0x40_2000, 5); // and the writable one
        Snapshot before = snap();
        assertEquals(Err.WRITE_EXECUTE, as.protect(0x40_1000, WX_USER), "code made writable");
        assertEquals(Err.WRITE_EXECUTE, as.protect(0x40_2000, WX_USER), "data made executable");
        assertEquals(Err.WRITE_EXECUTE, as.protect(0x40_3000, WX_USER), "checked before the walk");
        before.assertSame(snap(), "refused W+X protect");
        Snapshot.assertTlbConsistent(fx.machine, "after refused protect");
        assertThrows(PageFault.class, () -> fx.machine.userStore64(0x40_1000, 1));
        assertThrows(PageFault.class, () -> fx.machine.fetch(0x40_2000, true));
        // the legal flip, W -> X, goes through and the MMU sees it at once
        assertEquals(Err.OK, as.protect(0x40_2000, Pte.USER));
        fx.machine.fetch(0x40_2000, true);
        assertThrows(PageFault.class, () -> fx.machine.userStore64(0x40_2000, 1));
    }

    @Test
    void lazyRegionsFollowTheSamePolicy() {
        DemandPager pager = new DemandPager(fx.vmm, 4);
        Snapshot before = snap();
        assertEquals(Err.WRITE_EXECUTE, pager.addLazy(as, 0x80_0000, 4 * K4, WX_USER));
        before.assertSame(snap(), "refused lazy region");
        assertEquals(Err.OK, pager.addLazy(as, 0x80_0000, 4 * K4, WX_USER | Pte.NO_EXECUTE));
    }

    @Test
    void aCloneNeverHoldsAWritableExecutableUserPage() {
        long code = fx.pmm.allocFrame();
        assertEquals(Err.OK, as.map(0x40_1000, code, Pte.USER, K4));
        AddressSpace c = new AddressSpace(fx.vmm);
        assertEquals(Err.OK, as.cloneInto(c));
        TranslateResult tr = new TranslateResult();
        assertTrue(c.translate(0x40_1000, tr) >= 0);
        assertTrue(tr.user && !tr.noExecute && !tr.writable);
        assertEquals(Err.WRITE_EXECUTE, c.protect(0x40_1000, WX_USER));
    }
}
