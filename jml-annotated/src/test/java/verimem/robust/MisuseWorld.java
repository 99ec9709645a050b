package verimem.robust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import verimem.kernel.arch.Err;
import verimem.kernel.arch.Pte;
import verimem.kernel.heap.Kmalloc;
import verimem.kernel.heap.Vmalloc;
import verimem.kernel.vmm.AddressSpace;
import verimem.kernel.vmm.DemandPager;
import verimem.kernel.vmm.KernelStacks;
import verimem.kernel.vmm.VmmFixture;

/**
 * A small machine with one of everything live, for the misuse tests: a current user space `as` with a 4 KiB page
 * at PAGE_VA and a 2 MiB page at HUGE_VA, a second live space `other`, a destroyed space, a kmalloc object, a
 * vmalloc area, a kernel stack and a lazy region. Misuse cases run against it and must leave it unchanged.
 */
final class MisuseWorld {
    static final long K4 = 4096, M2 = 2L << 20, G1 = 1L << 30;
    static final long PAGE_VA = 0x1000, HUGE_VA = 0x4000_0000L, LAZY_VA = 0x80_0000L;
    static final long DATA = Pte.USER | Pte.WRITABLE | Pte.NO_EXECUTE;

    final VmmFixture fx;
    final AddressSpace as;
    final AddressSpace other;
    final AddressSpace destroyed;
    final AddressSpace fresh;
    final long pageFrame;
    final long hugeFrame;
    final Kmalloc kmalloc;
    final long object;
    final long largeObject;
    final Vmalloc vmalloc;
    final long area;
    final KernelStacks stacks;
    final long stackTop;
    final DemandPager pager;

    MisuseWorld(boolean recursiveSlot) {
        fx = new VmmFixture(16L << 20, 8, recursiveSlot);
        as = live();
        other = live();
        destroyed = live();
        assertEquals(Err.OK, destroyed.destroy(true));
        fresh = new AddressSpace(fx.vmm);
        pageFrame = fx.pmm.allocFrame();
        hugeFrame = fx.pmm.allocAligned(9);
        assertEquals(Err.OK, as.map(PAGE_VA, pageFrame, DATA, K4));
        assertEquals(Err.OK, as.map(HUGE_VA, hugeFrame, DATA, M2));
        assertEquals(Err.OK, as.activate());
        kmalloc = new Kmalloc(fx.pmm, fx.vmm.ownership(), 16);
        object = kmalloc.kmalloc(100);
        largeObject = kmalloc.kmalloc(3 * K4);
        vmalloc = new Vmalloc(fx.vmm, 8);
        area = vmalloc.vmalloc(3 * K4);
        stacks = new KernelStacks(fx.vmm, 2, 4);
        stackTop = stacks.allocate();
        pager = new DemandPager(fx.vmm, 4);
        assertEquals(Err.OK, pager.addLazy(as, LAZY_VA, 4 * K4, DATA));
        assertTrue(object < 0 && largeObject < 0 && area < 0 && stackTop < 0, "kernel addresses are negative");
    }

    private AddressSpace live() {
        AddressSpace s = new AddressSpace(fx.vmm);
        assertEquals(Err.OK, s.create());
        return s;
    }

    Snapshot snapshot() {
        return Snapshot.of(fx, List.of(as, other));
    }

    /** Counters the heap, stacks and pager keep: a refused call must not move them. */
    String counters() {
        return "kmalloc live=" + kmalloc.liveObjects() + " frames=" + kmalloc.heapFrames() + "; vmalloc live="
                + vmalloc.liveAllocations() + " freeVa=" + vmalloc.region().freeBytes() + "; pager served="
                + pager.servedFaults() + "; spaces " + as.state() + other.state() + destroyed.state() + fresh.state();
    }
}
