package verimem.kernel.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import verimem.host.sim.Access;
import verimem.host.sim.PageFault;
import verimem.kernel.arch.Err;
import verimem.kernel.arch.Layout;
import verimem.kernel.arch.Pte;
import verimem.kernel.arch.VirtAddr;

/** map / unmap / protect / translate on one user space and the kernel space, with the TLB watching. */
class PageTableTest {
    static final long K4 = VirtAddr.PAGE_SIZE, M2 = VirtAddr.LARGE_PAGE_SIZE, G1 = VirtAddr.HUGE_PAGE_SIZE;
    /** User data pages: writable, so never executable (W^X). */
    static final long RW_USER = Pte.WRITABLE | Pte.USER | Pte.NO_EXECUTE;
    VmmFixture fx;
    AddressSpace as;
    TranslateResult tr = new TranslateResult();

    @BeforeEach
    void setUp() {
        fx = new VmmFixture();
        as = new AddressSpace(fx.vmm);
        assertEquals(Err.OK, as.create());
        assertEquals(Err.OK, as.activate());
    }

    long frame() {
        long f = fx.pmm.allocFrame();
        assertTrue(f >= 0);
        return f;
    }

    @Test
    void mapTranslateAccessUnmapReclaimsTables() {
        long free0 = fx.pmm.freeFrames();
        long tables0 = fx.vmm.tableFrames();
        long va = 0x4000_0000_0000L + 5 * K4;
        long f = frame();
        assertEquals(Err.OK, as.map(va, f, RW_USER, K4));
        assertEquals(tables0 + 3, fx.vmm.tableFrames(), "PDPT, PD and PT created");
        assertEquals(f + 0x123, as.translate(va + 0x123, tr));
        assertEquals(TranslateResult.MAPPED, tr.status);
        assertEquals(f, tr.frame);
        assertEquals(0x123, tr.offset);
        assertEquals(K4, tr.pageSize);
        assertTrue(tr.writable && tr.user && tr.noExecute);
        fx.machine.userStore64(va + 8, 77);
        assertEquals(77, fx.machine.ram().read64(f + 8));
        assertEquals(f, as.unmap(va));
        assertEquals(tables0, fx.vmm.tableFrames(), "empty tables reclaimed");
        assertEquals(free0 - 1, fx.pmm.freeFrames(), "only the data frame is still out");
        assertThrows(PageFault.class, () -> fx.machine.userLoad64(va), "TLB invalidated by unmap");
        assertEquals(Err.NOT_MAPPED, as.translate(va, tr));
        assertEquals(TranslateResult.NOT_MAPPED, tr.status);
    }

    @Test
    void typedErrors() {
        long f = frame();
        assertEquals(Err.NON_CANONICAL, as.map(0x8000_0000_0000L, f, RW_USER, K4));
        assertEquals(Err.MISALIGNED, as.map(0x1000 + 8, f, RW_USER, K4));
        assertEquals(Err.MISALIGNED, as.map(0x1000, f + 8, RW_USER, K4));
        assertEquals(Err.MISALIGNED, as.map(0x1000, f, RW_USER, M2));
        assertEquals(Err.INVALID_ARGUMENT, as.map(0x1000, f, RW_USER, 8192));
        assertEquals(Err.INVALID_ARGUMENT, as.map(0x1000, f, RW_USER | Pte.HUGE, K4), "HUGE is not a caller flag");
        assertEquals(Err.INVALID_ARGUMENT, as.map(Layout.VMALLOC_BASE, f, Pte.WRITABLE, K4),
                "a user space does not map the kernel half");
        assertEquals(Err.OK, as.map(0x1000, f, RW_USER, K4));
        assertEquals(Err.ALREADY_MAPPED, as.map(0x1000, frame(), RW_USER, K4));
        long big = fx.pmm.allocAligned(9);
        assertEquals(Err.OK, as.map(0x4000_0000L, big, RW_USER, M2));
        assertEquals(Err.PARENT_HUGE_PAGE, as.map(0x4000_0000L + 3 * K4, frame(), RW_USER, K4));
        assertEquals(Err.ALREADY_MAPPED, as.map(0, big, RW_USER, M2), "a PT is in that PD slot");
        assertEquals(Err.MISALIGNED, as.unmap(0x4000_0000L + K4), "unmap inside a 2 MiB page");
        assertEquals(Err.NOT_MAPPED, as.unmap(0x7000_0000L));
        assertEquals(Err.NOT_MAPPED, as.protect(0x7000_0000L, Pte.WRITABLE | Pte.NO_EXECUTE));
    }

    @Test
    void userSpaceCannotMapKernelFrames() {
        assertEquals(Err.KERNEL_FRAME, as.map(0x1000, VmmFixture.KERNEL_IMAGE_START, RW_USER, K4), "kernel image");
        assertEquals(Err.KERNEL_FRAME, as.map(0x1000, as.pml4(), RW_USER, K4), "own PML4");
        assertEquals(Err.KERNEL_FRAME, as.map(0x1000, VmmFixture.BOOT_PML4, 0, K4), "boot PML4, even supervisor-only");
        long pdpt = Pte.frame(fx.machine.ram().read64(VmmFixture.BOOT_PML4 + Layout.VMALLOC_SLOT * 8L));
        assertEquals(Err.KERNEL_FRAME, as.map(0x1000, pdpt, RW_USER, K4), "shared kernel PDPT");
        assertEquals(Err.KERNEL_FRAME, as.map(0, 0, RW_USER, M2), "2 MiB page covering kernel frames");
    }

    @Test
    void effectivePermissionsCombineLevelsAndProtectInvalidates() {
        long va = 0x10_0000;
        long f = frame();
        assertEquals(Err.OK, as.map(va, f, RW_USER, K4));
        fx.machine.userStore64(va, 1); // caches a writable user translation
        assertEquals(Err.OK, as.protect(va, Pte.USER | Pte.NO_EXECUTE));
        assertTrue(as.translate(va, tr) >= 0);
        assertFalse(tr.writable);
        assertTrue(tr.user && tr.noExecute);
        assertThrows(PageFault.class, () -> fx.machine.userStore64(va, 2), "stale writable entry was flushed");
        assertEquals(1, fx.machine.userLoad64(va));
        assertEquals(Err.OK, as.protect(va, Pte.WRITABLE | Pte.NO_EXECUTE));
        assertThrows(PageFault.class, () -> fx.machine.userLoad64(va), "no longer user");
        fx.machine.store64(va, 3);
        // a parent narrowed by hand: translate must report the combination, not the leaf alone
        long pml4e = fx.machine.ram().read64(as.pml4());
        fx.machine.ram().write64(as.pml4(), pml4e & ~Pte.WRITABLE);
        assertTrue(as.translate(va, tr) >= 0);
        assertFalse(tr.writable, "read-only at PML4 level makes the page read-only");
    }

    @Test
    void parentsGetUserBitAndHugePagesTranslate() {
        long big = fx.pmm.allocAligned(9);
        assertEquals(Err.OK, as.map(0x20_0000, big, Pte.USER, M2));
        assertEquals(big + 0x1234, as.translate(0x20_1234, tr));
        assertEquals(M2, tr.pageSize);
        assertTrue(tr.user && !tr.writable);
        assertEquals(0, fx.machine.userLoad64(0x20_1238));
        long dev = 8L << 30; // device memory above RAM: never kernel-owned, mapped with 1 GiB
        assertEquals(Err.OK, as.map(G1, dev, RW_USER | Pte.CACHE_DISABLE | Pte.WRITE_THROUGH, G1));
        assertEquals(dev + 5, as.translate(G1 + 5, tr));
        assertTrue(tr.cacheDisable && tr.writeThrough && tr.pageSize == G1);
        assertEquals(Err.OK, as.protect(G1, Pte.USER));
        assertEquals(dev, as.unmap(G1));
        assertEquals(big, as.unmap(0x20_0000));
    }

    @Test
    void kernelHalfMappingsAppearInEverySpace() {
        AddressSpace other = new AddressSpace(fx.vmm);
        assertEquals(Err.OK, other.create());
        AddressSpace k = fx.vmm.kernelSpace();
        long f = frame();
        long va = Layout.VMALLOC_BASE + 7 * K4;
        assertEquals(Err.INVALID_ARGUMENT, k.map(va, f, Pte.USER, K4), "no user pages in the kernel half");
        assertEquals(Err.INVALID_ARGUMENT, k.map(0x1000, f, Pte.WRITABLE, K4), "kernel space maps the upper half");
        long tables = fx.vmm.tableFrames();
        assertEquals(Err.OK, k.map(va, f, Pte.WRITABLE | Pte.NO_EXECUTE, K4));
        fx.machine.store64(va, 99);
        assertEquals(Err.OK, other.activate());
        assertEquals(99, fx.machine.load64(va), "visible in a space created before the mapping");
        assertEquals(f, other.translate(va, tr));
        assertEquals(f, k.unmap(va));
        assertEquals(tables, fx.vmm.tableFrames(), "PD and PT reclaimed, shared PDPT kept");
        assertThrows(PageFault.class, () -> fx.machine.load64(va), "invalidated in the current space");
        assertEquals(Err.OK, as.activate());
        assertThrows(PageFault.class, () -> fx.machine.load64(va), "and in the other space's PCID");
    }

    @Test
    void changesToANonCurrentSpaceFlushOnSwitch() {
        long va = 0x30_0000;
        long f = frame();
        assertEquals(Err.OK, as.map(va, f, RW_USER, K4));
        fx.machine.userStore64(va, 5);
        AddressSpace b = new AddressSpace(fx.vmm);
        assertEquals(Err.OK, b.create());
        assertEquals(Err.OK, b.activate());
        assertEquals(f, as.unmap(va)); // as is not current: its PCID still caches va
        assertEquals(Err.OK, as.activate());
        assertThrows(PageFault.class, () -> fx.machine.userLoad64(va));
        assertNotEquals(as.pcid(), b.pcid());
    }

    @Test
    void destroyFreesEverythingAndSwitchToDestroyedFails() {
        long free0 = fx.pmm.freeFrames();
        long tables0 = fx.vmm.tableFrames();
        AddressSpace b = new AddressSpace(fx.vmm);
        assertEquals(Err.OK, b.create());
        for (int i = 0; i < 20; i++) {
            assertEquals(Err.OK, b.map(0x1000_0000L * i + K4 * i, frame(), RW_USER, K4));
        }
        assertEquals(Err.OK, b.map(0x7f00_0000_0000L, fx.pmm.allocAligned(9), RW_USER, M2));
        assertEquals(Err.OK, b.activate());
        assertEquals(Err.INVALID_ARGUMENT, b.destroy(true), "current space");
        assertEquals(Err.OK, as.activate());
        assertEquals(Err.OK, b.destroy(true));
        assertEquals(free0, fx.pmm.freeFrames());
        assertEquals(tables0, fx.vmm.tableFrames());
        assertEquals(Err.DESTROYED, b.activate());
        assertEquals(Err.DESTROYED, b.map(0x1000, frame(), RW_USER, K4));
        assertEquals(Err.DESTROYED, b.destroy(true));
        assertEquals(Err.INVALID_ARGUMENT, fx.vmm.kernelSpace().destroy(false));
    }

    @Test
    void cloneCopiesFramesAndContents() {
        long f = frame();
        assertEquals(Err.OK, as.map(0x5000, f, RW_USER, K4));
        fx.machine.userStore64(0x5008, 1234);
        AddressSpace c = new AddressSpace(fx.vmm);
        assertEquals(Err.OK, as.cloneInto(c));
        long cf = c.translate(0x5008, tr);
        assertTrue(cf >= 0);
        assertNotEquals(f + 8, cf, "own frame");
        assertTrue(tr.writable && tr.user);
        assertEquals(Err.OK, c.activate());
        assertEquals(1234, fx.machine.userLoad64(0x5008));
        fx.machine.userStore64(0x5008, 1);
        assertEquals(Err.OK, as.activate());
        assertEquals(1234, fx.machine.userLoad64(0x5008), "copy, not share");
        assertEquals(Err.INVALID_ARGUMENT, as.cloneInto(c), "target must be NEW");
    }

    @Test
    void outOfFramesHalfwayThroughMapLeavesNothing() {
        long va = 0x6000_0000_0000L;
        for (int k = 1; k <= 4; k++) {
            long free0 = fx.pmm.freeFrames();
            long tables0 = fx.vmm.tableFrames();
            fx.pmm.failAfter(k);
            long r = as.map(va, 0x800_0000_0000L, RW_USER, K4);
            fx.pmm.failAfter(0);
            if (k <= 3) {
                assertEquals(Err.NO_MEMORY, r, "k=" + k);
                assertEquals(free0, fx.pmm.freeFrames(), "k=" + k);
                assertEquals(tables0, fx.vmm.tableFrames());
                assertEquals(0, fx.machine.ram().read64(as.pml4() + VirtAddr.index(va, 4) * 8L), "no partial link");
                assertEquals(Err.NOT_MAPPED, as.translate(va, tr));
            } else {
                assertEquals(Err.OK, r);
            }
        }
    }

    @Test
    void fetchHonoursNoExecute() {
        long f = frame();
        assertEquals(Err.OK, as.map(0x9000, f, RW_USER | Pte.NO_EXECUTE, K4));
        assertThrows(PageFault.class, () -> fx.machine.fetch(0x9000, true));
        assertEquals(Err.OK, as.protect(0x9000, Pte.USER));
        fx.machine.fetch(0x9000, true);
        assertEquals(f, fx.machine.translate(0x9000, Access.READ, true));
    }

    @Test
    void translateReportsEntriesTheCpuWouldReject() {
        // PS in a PML4 entry (reserved) and a 2 MiB leaf whose frame is not 2 MiB aligned, both written by hand
        long pdpt = frame();
        fx.machine.ram().write64(as.pml4() + 3 * 8L, pdpt | Pte.PRESENT | Pte.HUGE);
        assertEquals(Err.INVALID_ARGUMENT, as.translate(3 * Layout.SLOT_SIZE, tr));
        assertEquals(TranslateResult.INVALID, tr.status);
        assertEquals(Err.INVALID_ARGUMENT, as.unmap(3 * Layout.SLOT_SIZE), "unmap refuses to act on it");
        long pd = frame();
        fx.machine.ram().write64(as.pml4() + 4 * 8L, pdpt | Pte.PRESENT | Pte.WRITABLE | Pte.USER);
        fx.machine.ram().write64(pdpt, pd | Pte.PRESENT | Pte.WRITABLE | Pte.USER);
        fx.machine.ram().write64(pd, 0x1000 | Pte.PRESENT | Pte.HUGE);
        assertEquals(Err.INVALID_ARGUMENT, as.translate(4 * Layout.SLOT_SIZE + 5, tr));
        assertEquals(TranslateResult.INVALID, tr.status);
        assertEquals(Err.NON_CANONICAL, as.translate(0x8000_0000_0000L, tr));
        assertEquals(TranslateResult.NON_CANONICAL, tr.status);
    }
}
