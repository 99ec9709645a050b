package verimem.robust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import verimem.host.sim.PageFault;
import verimem.kernel.arch.Err;
import verimem.kernel.arch.Layout;
import verimem.kernel.arch.Pte;
import verimem.kernel.heap.HeapMmioRegion;
import verimem.kernel.heap.Kmalloc;
import verimem.kernel.heap.Vmalloc;
import verimem.kernel.vmm.AddressSpace;
import verimem.kernel.vmm.DemandPager;
import verimem.kernel.vmm.KernelStacks;
import verimem.kernel.vmm.VaResult;
import verimem.kernel.vmm.VmmFixture;

/**
 * Fails the k-th PMM allocation (Pmm.failAfter) for k = 1, 2, ... during one operation, until the operation
 * succeeds. For every failing k: the operation returns its out-of-memory error (or the fault is refused), and the
 * full state snapshot (PMM bitmap and count, ownership bitmaps, every page table's contents, CR3) equals the one
 * taken before, the TLB agrees with the tables, and the owner's own counters are unchanged. The final success is
 * then undone where the API allows it, and the state must again equal the snapshot: nothing leaked on success
 * either. Every failing k is one injection point; the total is printed for the reliability table.
 */
class FaultInjectionTest {
    static final long K4 = 4096, M2 = 2L << 20, RW_NX = Pte.WRITABLE | Pte.NO_EXECUTE;
    static final Map<String, Integer> POINTS = new TreeMap<>();

    /** One operation under test on a prepared fixture. */
    abstract static class Op {
        final List<AddressSpace> spaces = new ArrayList<>();

        abstract long run();

        /** The value a failed run must return (for the pager: 0 for "refused"). */
        long expectedFailure() {
            return Err.NO_MEMORY;
        }

        boolean failed(long r) {
            return VaResult.isError(r);
        }

        /** Counters the owner keeps, which a failure must not move. */
        String counters() {
            return "";
        }

        /** Undoes a successful run; false when the API has no inverse. */
        boolean undo(long r) {
            return false;
        }
    }

    @AfterEach
    void noPager() {
        DemandPager.install(null);
    }

    @AfterAll
    static void report() {
        int total = POINTS.values().stream().mapToInt(Integer::intValue).sum();
        System.out.println("fault injection: " + total + " injection points " + POINTS);
    }

    @TestFactory
    Stream<DynamicTest> everyAllocationFailsInTurn() {
        Map<String, Function<VmmFixture, Op>> ops = new TreeMap<>();
        ops.put("user map 4K into an empty space", fx -> userMap(fx, 0x7f12_3456_7000L, K4));
        ops.put("user map 2M", fx -> userMap(fx, 0x4000_0000L, M2));
        ops.put("kernel map 4K in an empty PDPT", FaultInjectionTest::kernelMap);
        ops.put("address space create", FaultInjectionTest::create);
        ops.put("clone of a space with 4K, 2M pages over 3 PML4 slots", FaultInjectionTest::cloneOp);
        ops.put("vmalloc 5 pages", FaultInjectionTest::vmalloc);
        ops.put("kernel stack of 4 pages", FaultInjectionTest::stack);
        ops.put("kmalloc new slab", fx -> kmalloc(fx, 64));
        ops.put("kmalloc large (4 pages)", fx -> kmalloc(fx, 3 * K4 + 1));
        ops.put("heap growth by 3 pages", FaultInjectionTest::growHeap);
        ops.put("MMIO mapping", FaultInjectionTest::mmio);
        ops.put("demand-paging fault", FaultInjectionTest::demandFault);
        return ops.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> inject(e.getKey(), e.getValue())));
    }

    /**
     * The VMM's own bootstrap step: adoptBootSpace pre-creates a PDPT for each of the 255 empty kernel slots. Fail
     * each of those allocations in turn on a fresh boot machine: NO_MEMORY, no kernel space, the boot PML4 as it
     * was, every frame back in the PMM (bitmap compared), nothing marked kernel-owned; a retry succeeds (sampled).
     */
    @org.junit.jupiter.api.Test
    void adoptingTheBootSpaceRollsBackAtEveryK() {
        long ram = 8L << 20;
        int failures = 0;
        for (long k = 1; ; k++) {
            verimem.host.sim.SimMachine m = new verimem.host.sim.SimMachine(ram);
            long pml4 = 0x1000;
            long directPdpt = 0x2000;
            m.ram().write64(pml4 + Layout.DIRECT_MAP_SLOT * 8L, directPdpt | 3);
            m.ram().write64(directPdpt, 0x83 | Pte.NO_EXECUTE); // 1 GiB direct-map page at physical 0
            m.loaderSetCr3(pml4);
            verimem.kernel.arch.Cpu.install(m);
            verimem.kernel.memmap.MemoryMap usable = new verimem.kernel.memmap.MemoryMap();
            usable.add(0x10_0000, ram, verimem.kernel.memmap.MemoryMap.USABLE);
            verimem.kernel.pmm.Pmm pmm = new verimem.kernel.pmm.Pmm(usable);
            assertEquals(Err.OK, pmm.release(0x10_0000, ram));
            verimem.kernel.vmm.Vmm vmm = new verimem.kernel.vmm.Vmm(pmm, ram, 8);
            long[] pml4Before = new long[512];
            java.util.BitSet freeBefore = new java.util.BitSet();
            for (int i = 0; i < 512; i++) {
                pml4Before[i] = m.ram().read64(pml4 + i * 8L);
            }
            for (long pa = 0; pa < ram; pa += K4) {
                freeBefore.set((int) (pa / K4), pmm.isFree(pa));
            }
            pmm.failAfter(k);
            long r = vmm.adoptBootSpace();
            pmm.failAfter(0);
            if (r == Err.OK) {
                assertEquals(256, k, "255 PDPTs, then success");
                break;
            }
            failures++;
            String what = "adoptBootSpace, allocation " + k + " fails";
            assertEquals(Err.NO_MEMORY, r, what);
            assertEquals(null, vmm.kernelSpace(), what);
            assertEquals(0, vmm.tableFrames(), what);
            for (int i = 0; i < 512; i++) {
                assertEquals(pml4Before[i], m.ram().read64(pml4 + i * 8L), what + ": PML4 entry " + i);
            }
            for (long pa = 0; pa < ram; pa += K4) {
                assertEquals(freeBefore.get((int) (pa / K4)), pmm.isFree(pa), what + ": frame " + pa);
                assertTrue(!vmm.ownership().isKernel(pa) && !vmm.ownership().isVmmTable(pa), what + ": owner " + pa);
            }
            if (k % 64 == 1) { // a retry on the same machine succeeds (sampled: each costs a full adoption)
                assertEquals(Err.OK, vmm.adoptBootSpace(), what + ": retry");
            }
        }
        POINTS.put("adoptBootSpace (255 kernel-half PDPTs)", failures);
    }

    static void inject(String name, Function<VmmFixture, Op> make) {
        VmmFixture fx = new VmmFixture(32L << 20, 8);
        Op op = make.apply(fx);
        int failures = 0;
        for (long k = 1; ; k++) {
            Snapshot before = Snapshot.of(fx, op.spaces);
            String counters = op.counters();
            fx.pmm.failAfter(k);
            long r = op.run();
            fx.pmm.failAfter(0);
            String what = name + ", allocation " + k + " fails";
            if (!op.failed(r)) {
                assertTrue(k > 1, name + ": the operation allocates nothing, so nothing was injected");
                if (op.undo(r)) {
                    before.assertSame(Snapshot.of(fx, op.spaces), name + ": success undone");
                }
                break;
            }
            failures++;
            assertEquals(op.expectedFailure(), r, what);
            before.assertSame(Snapshot.of(fx, op.spaces), what);
            Snapshot.assertTlbConsistent(fx.machine, what);
            assertEquals(counters, op.counters(), what + ": owner's counters");
            assertTrue(k < 10_000, name + ": never succeeds");
        }
        POINTS.put(name, failures);
    }

    static AddressSpace liveSpace(VmmFixture fx) {
        AddressSpace as = new AddressSpace(fx.vmm);
        assertEquals(Err.OK, as.create());
        assertEquals(Err.OK, as.activate());
        return as;
    }

    static Op userMap(VmmFixture fx, long va, long size) {
        AddressSpace as = liveSpace(fx);
        long pa = size == K4 ? fx.pmm.allocFrame() : fx.pmm.allocAligned(9);
        fx.machine.translate(Layout.directMap(pa), verimem.host.sim.Access.READ, false); // a warm TLB
        return new Op() {
            { spaces.add(as); }

            long run() {
                return as.map(va, pa, Pte.USER | RW_NX, size);
            }

            boolean undo(long r) {
                return as.unmap(va) == pa;
            }
        };
    }

    static Op kernelMap(VmmFixture fx) {
        long va = Layout.VMALLOC_BASE + 7 * (1L << 30) + 5 * K4;
        long pa = fx.pmm.allocFrame();
        return new Op() {
            long run() {
                return fx.vmm.kernelSpace().map(va, pa, RW_NX, K4);
            }

            boolean undo(long r) {
                return fx.vmm.kernelSpace().unmap(va) == pa;
            }
        };
    }

    static Op create(VmmFixture fx) {
        AddressSpace fresh = new AddressSpace(fx.vmm);
        return new Op() {
            long run() {
                return fresh.create();
            }

            String counters() {
                return "state=" + fresh.state();
            }

            boolean undo(long r) {
                return fresh.destroy(false) == Err.OK;
            }
        };
    }

    static Op cloneOp(VmmFixture fx) {
        AddressSpace src = liveSpace(fx);
        long[] vas = {0x1000, 0x2000, 0x20_0000, 0x80_0000_0000L + 0x1000, 0x100_0000_0000L + 0x3000};
        for (long va : vas) {
            assertEquals(Err.OK, src.map(va, fx.pmm.allocFrame(), Pte.USER | RW_NX, K4));
        }
        assertEquals(Err.OK, src.map(0x4000_0000L, fx.pmm.allocAligned(9), Pte.USER, M2));
        fx.machine.userStore64(0x1000, 0x5eed);
        return new Op() {
            AddressSpace dst;

            { spaces.add(src); }

            long run() {
                dst = new AddressSpace(fx.vmm);
                long r = src.cloneInto(dst);
                if (r != Err.OK) {
                    assertEquals(AddressSpace.NEW, dst.state(), "a failed clone leaves dst NEW");
                }
                return r;
            }

            boolean undo(long r) {
                assertEquals(Err.OK, dst.activate());
                assertEquals(0x5eed, fx.machine.userLoad64(0x1000), "the clone holds a copy");
                assertEquals(Err.OK, src.activate());
                return dst.destroy(true) == Err.OK;
            }
        };
    }

    static Op vmalloc(VmmFixture fx) {
        Vmalloc v = new Vmalloc(fx.vmm, 8);
        return new Op() {
            long run() {
                return v.vmalloc(5 * K4);
            }

            String counters() {
                return "live=" + v.liveAllocations() + " freeVa=" + v.region().freeBytes() + " ranges="
                        + v.region().rangeCount();
            }

            boolean undo(long r) {
                return v.vfree(r) == Err.OK;
            }
        };
    }

    static Op stack(VmmFixture fx) {
        KernelStacks stacks = new KernelStacks(fx.vmm, 4, 8);
        return new Op() {
            long run() {
                return stacks.allocate();
            }

            boolean undo(long r) {
                return stacks.free(r) == Err.OK;
            }
        };
    }

    static Op kmalloc(VmmFixture fx, long bytes) {
        Kmalloc km = new Kmalloc(fx.pmm, fx.vmm.ownership(), 16);
        return new Op() {
            long run() {
                return km.kmalloc(bytes);
            }

            String counters() {
                return "live=" + km.liveObjects() + " frames=" + km.heapFrames();
            }

            boolean undo(long r) {
                return km.kfree(r) == Err.OK;
            }
        };
    }

    static Op growHeap(VmmFixture fx) {
        HeapMmioRegion h = new HeapMmioRegion(fx.vmm);
        return new Op() {
            long run() {
                return h.growHeap(3);
            }

            String counters() {
                return "heapEnd=" + h.heapEnd() + " mmioStart=" + h.mmioStart();
            }
        };
    }

    static Op mmio(VmmFixture fx) {
        HeapMmioRegion h = new HeapMmioRegion(fx.vmm);
        return new Op() {
            long run() {
                return h.mapMmio(0xFEE0_0000L, 2 * K4);
            }

            String counters() {
                return "heapEnd=" + h.heapEnd() + " mmioStart=" + h.mmioStart();
            }
        };
    }

    /** The pager's fault path: a refused fault leaves the page unmapped and the state as it was. */
    static Op demandFault(VmmFixture fx) {
        AddressSpace as = liveSpace(fx);
        DemandPager pager = new DemandPager(fx.vmm, 4);
        DemandPager.install(pager);
        fx.machine.setFaultHandler(DemandPager::handlePageFault);
        long va = 0x55_0000_0000L + 0x3000;
        assertEquals(Err.OK, pager.addLazy(as, va - 0x3000, 16 * K4, Pte.USER | RW_NX));
        return new Op() {
            { spaces.add(as); }

            long run() {
                long served = pager.servedFaults();
                long refused = pager.refusedFaults();
                try {
                    fx.machine.userStore64(va, 7);
                } catch (PageFault pf) {
                    assertEquals(refused + 1, pager.refusedFaults());
                    assertEquals(null, fx.machine.walkNow(va), "still unmapped");
                    return Err.NO_MEMORY;
                }
                assertEquals(served + 1, pager.servedFaults());
                return Err.OK;
            }

            boolean undo(long r) {
                assertEquals(7, fx.machine.userLoad64(va));
                return pager.removeLazy(as, va - 0x3000) == Err.OK;
            }
        };
    }
}
