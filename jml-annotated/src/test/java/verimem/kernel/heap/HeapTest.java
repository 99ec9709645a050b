package verimem.kernel.heap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import verimem.host.sim.PageFault;
import verimem.kernel.arch.Err;
import verimem.kernel.arch.Layout;
import verimem.kernel.arch.Pte;
import verimem.kernel.vmm.AddressSpace;
import verimem.kernel.vmm.VaResult;
import verimem.kernel.vmm.VmmFixture;

/** kmalloc / vmalloc / heap-up MMIO-down on the simulated machine, with fault injection at every allocation. */
class HeapTest {
    static final long P = 4096;
    VmmFixture fx;

    @BeforeEach
    void setUp() {
        fx = new VmmFixture();
    }

    @Test
    void kmallocObjectsAreDisjointUsableAndReturnedToThePmm() {
        long free0 = fx.pmm.freeFrames();
        Kmalloc k = new Kmalloc(fx.pmm, fx.vmm.ownership(), 256);
        Random r = new Random(7);
        List<long[]> live = new ArrayList<>();
        Set<Long> bytes = new HashSet<>();
        for (int i = 0; i < 400; i++) {
            long size = 1 + r.nextInt(r.nextBoolean() ? 100 : 3000);
            long p = k.kmalloc(size);
            assertTrue(Layout.inDirectMap(p), "direct-mapped");
            long cls = size <= 2048 ? Kmalloc.classSize(Kmalloc.classOf(size)) : size;
            for (long b = p; b < p + size; b += 8) {
                assertTrue(bytes.add(b - b % 8), "overlap");
            }
            fx.machine.store64(p, i);
            fx.machine.store64(p + ((size - 1) / 8) * 8, i);
            assertTrue(fx.vmm.ownership().isKernel(p - Layout.DIRECT_MAP_BASE - (p - Layout.DIRECT_MAP_BASE) % P));
            live.add(new long[] {p, size, i, cls});
        }
        for (long[] l : live) {
            assertEquals(l[2], fx.machine.load64(l[0]), "object contents intact");
        }
        AddressSpace user = new AddressSpace(fx.vmm);
        assertEquals(Err.OK, user.create());
        long heapFrame = (live.get(0)[0] - Layout.DIRECT_MAP_BASE) / P * P;
        assertEquals(Err.KERNEL_FRAME, user.map(0x1000, heapFrame, Pte.USER, P), "heap frame is kernel-owned");
        long inside = live.get(0)[0] + 8;
        assertEquals(Err.NOT_MANAGED, k.kfree(inside), "pointer inside an object");
        assertEquals(Err.NOT_MANAGED, k.kfree(0x1000), "foreign pointer");
        for (long[] l : live) {
            assertEquals(Err.OK, k.kfree(l[0]));
        }
        assertEquals(0, k.liveObjects());
        assertEquals(0, k.heapFrames());
        assertEquals(free0 - 1, fx.pmm.freeFrames(), "all heap frames back (1 frame: the user PML4)");
    }

    @Test
    void kfreeDetectsDoubleFree() {
        Kmalloc k = new Kmalloc(fx.pmm, fx.vmm.ownership(), 16);
        long a = k.kmalloc(32);
        long b = k.kmalloc(32);
        assertEquals(Err.OK, k.kfree(a));
        assertEquals(Err.NOT_ALLOCATED, k.kfree(a), "slot already free, slab still live");
        assertEquals(1, k.liveObjects());
        long big = k.kmalloc(10000);
        assertEquals(Err.NOT_MANAGED, k.kfree(big + P), "inside a large block");
        assertEquals(Err.OK, k.kfree(big));
        assertEquals(Err.NOT_MANAGED, k.kfree(big), "double free of a returned block: refused");
        assertEquals(Err.OK, k.kfree(b));
        assertNotEquals(Err.OK, k.kfree(b));
    }

    @Test
    void kmallocGrowthFailureChangesNothing() {
        Kmalloc k = new Kmalloc(fx.pmm, fx.vmm.ownership(), 64);
        for (int round = 0; round < 40; round++) {
            long size = round % 2 == 0 ? 2048 : 9000; // every call needs a new slab or a large block
            long free0 = fx.pmm.freeFrames();
            long live0 = k.liveObjects();
            fx.pmm.failAfter(1);
            assertEquals(Err.NO_MEMORY, k.kmalloc(size));
            fx.pmm.failAfter(0);
            assertEquals(free0, fx.pmm.freeFrames());
            assertEquals(live0, k.liveObjects());
            assertFalse(VaResult.isError(k.kmalloc(size)), "succeeds once the PMM does");
            if (size == 2048) {
                assertFalse(VaResult.isError(k.kmalloc(size)), "fills the 2-object slab");
            }
        }
    }

    @Test
    void vmallocIsGuardedAndFreesEverything() {
        long free0 = fx.pmm.freeFrames();
        long tables0 = fx.vmm.tableFrames();
        Vmalloc v = new Vmalloc(fx.vmm, 32);
        long a = v.vmalloc(3 * P + 1);
        long b = v.vmalloc(P);
        assertTrue(Layout.inVmalloc(a) && Layout.inVmalloc(b));
        for (long off = 0; off < 4 * P; off += 512) {
            fx.machine.store64(a + off, off);
        }
        assertEquals(3 * P, fx.machine.load64(a + 3 * P));
        assertThrows(PageFault.class, () -> fx.machine.load64(a - 8), "guard page before");
        assertThrows(PageFault.class, () -> fx.machine.load64(a + 4 * P), "guard page after");
        assertEquals(Err.NOT_MANAGED, v.vfree(a + P), "inside an allocation");
        assertEquals(Err.NOT_MANAGED, v.vfree(0x1000), "foreign pointer");
        assertEquals(Err.OK, v.vfree(a));
        assertThrows(PageFault.class, () -> fx.machine.load64(a), "unmapped and invalidated");
        assertEquals(Err.NOT_ALLOCATED, v.vfree(a), "double free");
        assertEquals(Err.OK, v.vfree(b));
        assertEquals(free0, fx.pmm.freeFrames());
        assertEquals(tables0, fx.vmm.tableFrames());
        assertEquals(Layout.VMALLOC_SIZE, v.region().freeBytes());
    }

    @Test
    void vmallocRollsBackForEveryK() {
        Vmalloc v = new Vmalloc(fx.vmm, 8);
        int k = 1;
        while (true) {
            long free0 = fx.pmm.freeFrames();
            long tables0 = fx.vmm.tableFrames();
            long region0 = v.region().freeBytes();
            fx.pmm.failAfter(k);
            long r = v.vmalloc(5 * P);
            fx.pmm.failAfter(0);
            if (!VaResult.isError(r)) {
                assertTrue(k > 5, "5 frames + 2 tables cannot all succeed before k=6");
                break;
            }
            assertEquals(Err.NO_MEMORY, r, "k=" + k);
            assertEquals(free0, fx.pmm.freeFrames(), "k=" + k);
            assertEquals(tables0, fx.vmm.tableFrames(), "k=" + k);
            assertEquals(region0, v.region().freeBytes());
            assertEquals(0, v.liveAllocations());
            k++;
        }
        assertEquals(8, k, "PD + PT + 5 frames = 7 allocations");
    }

    @Test
    void heapUpMmioDownMeetWithACleanError() {
        long size = 64 * P;
        HeapMmioRegion h = new HeapMmioRegion(fx.vmm, Layout.HEAP_MMIO_BASE, size);
        long heap = h.growHeap(10);
        assertEquals(Layout.HEAP_MMIO_BASE, heap);
        fx.machine.store64(heap + 9 * P, 5);
        long dev = 16L << 30;
        long mmio = h.mapMmio(dev, 20 * P);
        assertEquals(Layout.HEAP_MMIO_BASE + 44 * P, mmio);
        TranslateHelper.assertUncached(fx, mmio, dev);
        // 34 pages left between the marks; the guard gap keeps one of them
        assertEquals(Err.NO_VIRTUAL_SPACE, h.growHeap(34));
        assertEquals(Err.NO_VIRTUAL_SPACE, h.mapMmio(dev, 34 * P));
        long free0 = fx.pmm.freeFrames();
        long tables0 = fx.vmm.tableFrames();
        for (int k = 1; k <= 3; k++) {
            fx.pmm.failAfter(k);
            assertEquals(Err.NO_MEMORY, h.growHeap(33));
            fx.pmm.failAfter(0);
            assertEquals(free0, fx.pmm.freeFrames());
            assertEquals(tables0, fx.vmm.tableFrames());
            assertEquals(Layout.HEAP_MMIO_BASE + 10 * P, h.heapEnd());
        }
        assertFalse(VaResult.isError(h.growHeap(33)));
        assertEquals(Err.NO_VIRTUAL_SPACE, h.growHeap(1));
        assertEquals(Err.NO_VIRTUAL_SPACE, h.mapMmio(dev, P));
        assertTrue(h.heapEnd() + verimem.kernel.arch.Layout.GUARD_GAP <= h.mmioStart(), "never overlap");
    }
}
