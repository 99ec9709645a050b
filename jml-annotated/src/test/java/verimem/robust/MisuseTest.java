package verimem.robust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static verimem.robust.MisuseWorld.DATA;
import static verimem.robust.MisuseWorld.G1;
import static verimem.robust.MisuseWorld.HUGE_VA;
import static verimem.robust.MisuseWorld.K4;
import static verimem.robust.MisuseWorld.LAZY_VA;
import static verimem.robust.MisuseWorld.M2;
import static verimem.robust.MisuseWorld.PAGE_VA;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import verimem.kernel.arch.Err;
import verimem.kernel.arch.Layout;
import verimem.kernel.arch.Pte;
import verimem.kernel.heap.HeapMmioRegion;
import verimem.kernel.vmm.AddressSpace;
import verimem.kernel.vmm.TranslateResult;
import verimem.kernel.vmm.VmmFixture;

/**
 * Every misuse of the public API the issue names, and more: each gets its defined error code, and the whole state
 * (snapshot: PMM bitmap and count, ownership bitmaps, every page table, CR3; TLB agreeing with the tables; the
 * heap's, stacks' and pager's counters) is exactly as before the call. One fresh MisuseWorld per case.
 */
class MisuseTest {
    record Case(String name, long expected, boolean recursiveSlot, ToLongFunction<MisuseWorld> call) {
    }

    static final List<Case> CASES = new ArrayList<>();
    static final long NON_CANONICAL_VA = 0x0000_8000_0000_0000L;

    static void add(String name, long expected, ToLongFunction<MisuseWorld> call) {
        CASES.add(new Case(name, expected, false, call));
    }

    static {
        // ---- PMM ----
        add("pmm: double free of a frame", Err.NOT_ALLOCATED, w -> {
            long f = w.fx.pmm.allocFrame();
            assertEquals(Err.OK, w.fx.pmm.freeFrame(f));
            return w.fx.pmm.freeFrame(f);
        });
        add("pmm: free of a frame never allocated", Err.NOT_ALLOCATED, w -> w.fx.pmm.freeFrame(w.fx.ram - K4));
        add("pmm: free of a reserved frame (kernel image)", Err.NOT_MANAGED,
                w -> w.fx.pmm.freeFrame(VmmFixture.KERNEL_IMAGE_START));
        add("pmm: free of frame 0", Err.NOT_MANAGED, w -> w.fx.pmm.freeFrame(0));
        add("pmm: free of a frame above RAM", Err.NOT_MANAGED, w -> w.fx.pmm.freeFrame(w.fx.ram + K4));
        add("pmm: free of a negative address", Err.NOT_MANAGED, w -> w.fx.pmm.freeFrame(-K4));
        add("pmm: free of Long.MIN_VALUE", Err.NOT_MANAGED, w -> w.fx.pmm.freeFrame(Long.MIN_VALUE));
        add("pmm: free of a misaligned address", Err.MISALIGNED, w -> w.fx.pmm.freeFrame(w.pageFrame + 8));
        add("pmm: freeAligned order -1", Err.INVALID_ARGUMENT, w -> w.fx.pmm.freeAligned(w.hugeFrame, -1));
        add("pmm: freeAligned order 19", Err.INVALID_ARGUMENT, w -> w.fx.pmm.freeAligned(0, 19));
        add("pmm: freeAligned misaligned block", Err.MISALIGNED, w -> w.fx.pmm.freeAligned(w.hugeFrame + K4, 9));
        add("pmm: freeAligned of a block partly free", Err.NOT_ALLOCATED, w -> {
            long b = w.fx.pmm.allocAligned(3);
            assertEquals(Err.OK, w.fx.pmm.freeFrame(b + 3 * K4));
            long r = w.fx.pmm.freeAligned(b, 3);
            w.fx.pmm.freeAligned(b, 0); // tidy: b..b+7 minus one are allocated; free them one by one below
            for (int i = 1; i < 8; i++) {
                if (i != 3) {
                    w.fx.pmm.freeFrame(b + i * K4);
                }
            }
            return r;
        });
        add("pmm: freeAligned at the top of the address space", Err.NOT_MANAGED,
                w -> w.fx.pmm.freeAligned(Long.MAX_VALUE - K4 + 1, 0));
        add("pmm: allocAligned order -1", Err.INVALID_ARGUMENT, w -> w.fx.pmm.allocAligned(-1));
        add("pmm: allocAligned order 19", Err.INVALID_ARGUMENT, w -> w.fx.pmm.allocAligned(19));
        add("pmm: allocAligned larger than free memory (1 GiB of 16 MiB)", Err.NO_MEMORY,
                w -> w.fx.pmm.allocAligned(18));
        // release is the hand-off's: allocation has begun in this world, so every release is refused
        // (its argument checks before the first allocation are in PmmRegressionTest)
        add("pmm: late release of a range already free", Err.INVALID_STATE,
                w -> w.fx.pmm.release(w.fx.ram - 2 * K4, w.fx.ram));
        add("pmm: late release of a reversed range", Err.MISALIGNED, w -> w.fx.pmm.release(2 * K4, K4));
        add("pmm: late release of a handed-out frame", Err.INVALID_STATE,
                w -> w.fx.pmm.release(w.pageFrame, w.pageFrame + K4));
        add("pmm: late release of a handed-out 2 MiB block", Err.INVALID_STATE,
                w -> w.fx.pmm.release(w.hugeFrame, w.hugeFrame + 512 * K4));

        // ---- map ----
        add("map: non-canonical address", Err.NON_CANONICAL, w -> w.as.map(NON_CANONICAL_VA, w.fx.ram, DATA, K4));
        add("map: misaligned virtual address", Err.MISALIGNED, w -> w.as.map(0x3008, w.fx.ram, DATA, K4));
        add("map: misaligned physical address", Err.MISALIGNED, w -> w.as.map(0x3000, w.fx.ram + 8, DATA, K4));
        add("map: 2 MiB page at a 4 KiB-aligned address", Err.MISALIGNED,
                w -> w.as.map(0x60_1000, 0, DATA, M2));
        add("map: negative physical address", Err.MISALIGNED, w -> w.as.map(0x3000, -K4, DATA, K4));
        add("map: physical address beyond 2^52", Err.INVALID_ARGUMENT,
                w -> w.as.map(0x3000, Pte.PHYS_LIMIT, DATA, K4));
        add("map: page size 8 KiB", Err.INVALID_ARGUMENT, w -> w.as.map(0x2000, w.fx.ram, DATA, 8192));
        add("map: HUGE flag from the caller", Err.INVALID_ARGUMENT,
                w -> w.as.map(0x3000, w.fx.ram, DATA | Pte.HUGE, K4));
        add("map: frame bits smuggled in the flags", Err.INVALID_ARGUMENT,
                w -> w.as.map(0x3000, w.fx.ram, DATA | 0x5000, K4));
        add("map: page already mapped", Err.ALREADY_MAPPED, w -> w.as.map(PAGE_VA, w.fx.ram, DATA, K4));
        add("map: 4 KiB page inside a 2 MiB page", Err.PARENT_HUGE_PAGE,
                w -> w.as.map(HUGE_VA + 5 * K4, w.fx.ram, DATA, K4));
        add("map: 2 MiB page over an existing page table", Err.ALREADY_MAPPED,
                w -> w.as.map(0, w.hugeFrame, DATA, M2));
        add("map: user space maps a kernel-half address", Err.INVALID_ARGUMENT,
                w -> w.as.map(Layout.VMALLOC_BASE, w.fx.ram, DATA, K4));
        add("map: kernel space maps a lower-half address", Err.INVALID_ARGUMENT,
                w -> w.fx.vmm.kernelSpace().map(0x3000, w.fx.ram, Pte.WRITABLE | Pte.NO_EXECUTE, K4));
        add("map: USER flag in the kernel half", Err.INVALID_ARGUMENT,
                w -> w.fx.vmm.kernelSpace().map(Layout.VMALLOC_BASE + G1, w.fx.ram, Pte.USER, K4));
        CASES.add(new Case("map: the early mapper's recursive slot", Err.INVALID_ARGUMENT, true,
                w -> w.fx.vmm.kernelSpace().map(Layout.RECURSIVE_BASE, w.fx.ram, Pte.NO_EXECUTE, K4)));
        add("map: user mapping of the kernel image", Err.KERNEL_FRAME,
                w -> w.as.map(0x3000, VmmFixture.KERNEL_IMAGE_START, DATA, K4));
        add("map: user mapping of its own PML4", Err.KERNEL_FRAME, w -> w.as.map(0x3000, w.as.pml4(), DATA, K4));
        add("map: user mapping of another space's page table", Err.KERNEL_FRAME,
                w -> w.as.map(0x3000, w.other.pml4(), DATA, K4));
        add("map: user mapping of a kmalloc slab", Err.KERNEL_FRAME,
                w -> w.as.map(0x3000, w.object - Layout.DIRECT_MAP_BASE - (w.object - Layout.DIRECT_MAP_BASE) % K4,
                        DATA, K4));
        add("map: user mapping of a vmalloc page", Err.KERNEL_FRAME, w -> {
            TranslateResult tr = new TranslateResult();
            return w.as.map(0x3000, w.fx.vmm.kernelSpace().translate(w.area, tr), DATA, K4);
        });
        add("map: user 2 MiB page covering the kernel image", Err.KERNEL_FRAME, w -> w.as.map(0x60_0000, 0, DATA, M2));
        add("map: user page writable and executable (W^X)", Err.WRITE_EXECUTE,
                w -> w.as.map(0x3000, w.fx.ram, Pte.USER | Pte.WRITABLE, K4));
        add("map: kernel page writable and executable (kernel W^X)", Err.WRITE_EXECUTE,
                w -> w.fx.vmm.kernelSpace().map(Layout.VMALLOC_BASE + (1L << 36), w.fx.ram, Pte.WRITABLE, K4));
        add("map: in a destroyed space", Err.DESTROYED, w -> w.destroyed.map(0x3000, w.fx.ram, DATA, K4));
        add("map: in a space never created", Err.DESTROYED, w -> w.fresh.map(0x3000, w.fx.ram, DATA, K4));

        // ---- unmap / protect / translate ----
        add("unmap: page not mapped", Err.NOT_MAPPED, w -> w.as.unmap(0x7000));
        add("unmap: twice", Err.NOT_MAPPED, w -> {
            assertEquals(w.pageFrame, w.as.unmap(PAGE_VA));
            long r = w.as.unmap(PAGE_VA);
            assertEquals(Err.OK, w.as.map(PAGE_VA, w.pageFrame, DATA, K4));
            return r;
        });
        add("unmap: middle of a 2 MiB page", Err.MISALIGNED, w -> w.as.unmap(HUGE_VA + K4));
        add("unmap: non-canonical address", Err.NON_CANONICAL, w -> w.as.unmap(NON_CANONICAL_VA));
        add("unmap: kernel-half address from a user space", Err.INVALID_ARGUMENT, w -> w.as.unmap(w.area));
        add("unmap: in a destroyed space", Err.DESTROYED, w -> w.destroyed.unmap(PAGE_VA));
        add("protect: page not mapped", Err.NOT_MAPPED, w -> w.as.protect(0x7000, DATA));
        add("protect: reserved flag bits", Err.INVALID_ARGUMENT, w -> w.as.protect(PAGE_VA, DATA | 0x200));
        add("protect: USER flag in the kernel half", Err.INVALID_ARGUMENT,
                w -> w.fx.vmm.kernelSpace().protect(w.area, Pte.USER | Pte.NO_EXECUTE));
        add("protect: make a user page writable and executable (W^X)", Err.WRITE_EXECUTE,
                w -> w.as.protect(PAGE_VA, Pte.USER | Pte.WRITABLE));
        add("protect: make a vmalloc page writable and executable (kernel W^X)", Err.WRITE_EXECUTE,
                w -> w.fx.vmm.kernelSpace().protect(w.area, Pte.WRITABLE | Pte.GLOBAL));
        add("translate: non-canonical address", Err.NON_CANONICAL,
                w -> w.as.translate(NON_CANONICAL_VA, new TranslateResult()));
        add("translate: destroyed space", Err.DESTROYED, w -> w.destroyed.translate(PAGE_VA, new TranslateResult()));

        // ---- address spaces ----
        add("space: destroy the active space", Err.INVALID_ARGUMENT, w -> w.as.destroy(true));
        add("space: destroy the kernel space", Err.INVALID_ARGUMENT, w -> w.fx.vmm.kernelSpace().destroy(false));
        add("space: destroy twice", Err.DESTROYED, w -> w.destroyed.destroy(true));
        add("space: switch to a destroyed space", Err.DESTROYED, w -> w.destroyed.activate());
        add("space: switch to a space never created", Err.DESTROYED, w -> w.fresh.activate());
        add("space: create twice", Err.INVALID_ARGUMENT, w -> w.other.create());
        add("space: clone into itself", Err.INVALID_ARGUMENT, w -> w.as.cloneInto(w.as));
        add("space: clone into a live space", Err.INVALID_ARGUMENT, w -> w.as.cloneInto(w.other));
        add("space: clone from a destroyed space", Err.DESTROYED, w -> w.destroyed.cloneInto(w.fresh));
        add("space: adopt the boot space twice", Err.INVALID_ARGUMENT, w -> w.fx.vmm.adoptBootSpace());

        // ---- kernel heap, vmalloc, stacks, heap/MMIO region ----
        add("kfree: pointer kmalloc never returned (direct map of a free frame)", Err.NOT_MANAGED,
                w -> w.kmalloc.kfree(Layout.directMap(w.fx.ram - K4)));
        add("kfree: twice", Err.NOT_ALLOCATED, w -> {
            long p = w.kmalloc.kmalloc(100);
            assertEquals(Err.OK, w.kmalloc.kfree(p));
            return w.kmalloc.kfree(p);
        });
        add("kfree: pointer into the middle of an object", Err.NOT_MANAGED, w -> w.kmalloc.kfree(w.object + 8));
        add("kfree: pointer into the middle of a large block", Err.NOT_MANAGED,
                w -> w.kmalloc.kfree(w.largeObject + K4));
        add("kfree: user address", Err.NOT_MANAGED, w -> w.kmalloc.kfree(PAGE_VA));
        add("kfree: a vmalloc address", Err.NOT_MANAGED, w -> w.kmalloc.kfree(w.area));
        add("kmalloc: 0 bytes", Err.INVALID_ARGUMENT, w -> w.kmalloc.kmalloc(0));
        add("kmalloc: negative size", Err.INVALID_ARGUMENT, w -> w.kmalloc.kmalloc(-1));
        add("kmalloc: more than 1 GiB", Err.INVALID_ARGUMENT, w -> w.kmalloc.kmalloc((1L << 30) + 1));
        add("vfree: twice", Err.NOT_ALLOCATED, w -> {
            long v = w.vmalloc.vmalloc(K4);
            assertEquals(Err.OK, w.vmalloc.vfree(v));
            return w.vmalloc.vfree(v);
        });
        add("vfree: pointer into the middle of an area", Err.NOT_MANAGED, w -> w.vmalloc.vfree(w.area + K4));
        add("vfree: the guard page before an area", Err.NOT_MANAGED, w -> w.vmalloc.vfree(w.area - K4));
        add("vfree: outside the vmalloc region", Err.NOT_MANAGED, w -> w.vmalloc.vfree(w.object));
        add("vfree: Long.MAX_VALUE", Err.NOT_MANAGED, w -> w.vmalloc.vfree(Long.MAX_VALUE));
        add("vmalloc: 0 bytes", Err.INVALID_ARGUMENT, w -> w.vmalloc.vmalloc(0));
        add("stack: free twice", Err.NOT_ALLOCATED, w -> {
            long t = w.stacks.allocate();
            assertEquals(Err.OK, w.stacks.free(t));
            return w.stacks.free(t);
        });
        add("stack: free of an address that is no stack top", Err.NOT_MANAGED, w -> w.stacks.free(w.stackTop - 8));
        add("stack: free of a user address", Err.NOT_MANAGED, w -> w.stacks.free(PAGE_VA));
        add("stack: free of Long.MAX_VALUE", Err.NOT_MANAGED, w -> w.stacks.free(Long.MAX_VALUE));
        add("stack: free of a positive address that wraps onto a slot", Err.NOT_MANAGED,
                w -> w.stacks.free(wrapsOntoASlot(3 * K4)));
        add("heap region: grow by 0 pages", Err.INVALID_ARGUMENT, w -> new HeapMmioRegion(w.fx.vmm).growHeap(0));
        add("heap region: MMIO of a misaligned range", Err.INVALID_ARGUMENT,
                w -> new HeapMmioRegion(w.fx.vmm).mapMmio(0xFEE0_0008L, K4));

        // ---- demand paging ----
        add("lazy: overlapping region", Err.INVALID_ARGUMENT, w -> w.pager.addLazy(w.as, LAZY_VA + K4, K4, DATA));
        add("lazy: misaligned region", Err.MISALIGNED, w -> w.pager.addLazy(w.as, 0x90_0001, K4, DATA));
        add("lazy: region over a mapped page", Err.ALREADY_MAPPED, w -> w.pager.addLazy(w.as, PAGE_VA, K4, DATA));
        add("lazy: kernel-half region in a user space", Err.INVALID_ARGUMENT,
                w -> w.pager.addLazy(w.as, Layout.LAZY_BASE, K4, Pte.NO_EXECUTE));
        add("lazy: remove a region never added", Err.NOT_MAPPED, w -> w.pager.removeLazy(w.as, 0x90_0000));
        add("fault: outside every lazy region (refused = 0)", 0, w -> w.pager.handle(0x90_0000, 0) ? 1 : 0);
        add("fault: protection fault on a present page (refused = 0)", 0,
                w -> w.pager.handle(PAGE_VA, 1) ? 1 : 0);
    }

    /**
     * A positive address whose distance from STACK_BASE, computed in 64 bits, wraps to a negative multiple of the
     * stride: an unchecked subtraction then yields a negative slot index.
     */
    static long wrapsOntoASlot(long stride) {
        for (long x = 0; ; x++) {
            long top = Long.MAX_VALUE - x;
            if ((top - Layout.STACK_BASE) % stride == 0) {
                return top;
            }
        }
    }

    @AfterAll
    static void report() {
        System.out.println("misuse: " + CASES.size() + " cases, each a defined error and an unchanged state");
    }

    /**
     * Garbage arguments: edge values and random longs to every call that takes an address or a size a caller
     * might get wrong (free, aligned free, release, kfree, vfree, stack free, unmap, protect, map, removeLazy,
     * translate; kmalloc, vmalloc and heap growth with sizes out of range). Each call must return an error code (never succeed, never throw) and change nothing. Arguments that
     * name something live are skipped: freeing those is legal.
     */
    @Test
    void garbageArgumentsAreRefusedWithoutSideEffects() {
        MisuseWorld w = new MisuseWorld(false);
        java.util.Random rnd = new java.util.Random(Long.getLong("verimem.misuse.seed", 3));
        List<Long> args = new ArrayList<>(List.of(0L, 1L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 4096L, -4096L,
                Long.MAX_VALUE - 4095, Long.MIN_VALUE + 4096, NON_CANONICAL_VA, -NON_CANONICAL_VA - 4096,
                Layout.DIRECT_MAP_BASE, Layout.VMALLOC_BASE, Layout.STACK_BASE, Layout.LAZY_BASE,
                Layout.RECURSIVE_BASE, Layout.PMM_METADATA_BASE, w.fx.ram, w.object + 16, w.area - 4096,
                w.stackTop - 4096, w.stackTop + 4096));
        for (int i = 0; i < 600; i++) {
            long base = args.get(rnd.nextInt(args.size()));
            args.add(rnd.nextBoolean() ? rnd.nextLong() : base + (rnd.nextInt(64) - 32) * (rnd.nextBoolean() ? 8 : 4096));
        }
        Snapshot before = w.snapshot();
        String counters = w.counters();
        int calls = 0;
        for (long x : args) {
            boolean frameLive = x >= 0 && x % 4096 == 0 && w.fx.pmm.manages(x) && !w.fx.pmm.isFree(x);
            if (!frameLive) {
                assertTrue(w.fx.pmm.freeFrame(x) < 0, "freeFrame 0x" + Long.toHexString(x));
                assertTrue(w.fx.pmm.freeAligned(x, 9) < 0,
                        "freeAligned 0x" + Long.toHexString(x));
                calls += 2;
            }
            if (!frameLive && x % 4096 == 0 && x <= Long.MAX_VALUE - 4096) {
                assertTrue(w.fx.pmm.release(x, x + 4096) < 0, "release 0x" + Long.toHexString(x));
                calls++;
            }
            if (x <= 0 || x > (1L << 30)) {
                assertEquals(Err.INVALID_ARGUMENT, w.kmalloc.kmalloc(x), "kmalloc " + x);
                calls++;
            }
            if (x <= 0 || x > Layout.VMALLOC_SIZE / 2) {
                assertEquals(Err.INVALID_ARGUMENT, w.vmalloc.vmalloc(x), "vmalloc " + x);
                calls++;
            }
            if (x <= 0 || x > (1L << 40)) {
                long r = new HeapMmioRegion(w.fx.vmm).growHeap(x);
                assertTrue(r == Err.INVALID_ARGUMENT || r == Err.NO_VIRTUAL_SPACE, "growHeap " + x);
                calls++;
            }
            TranslateResult tr = new TranslateResult();
            long t = w.as.translate(x, tr);
            assertEquals(t >= 0, tr.status == TranslateResult.MAPPED, "translate status 0x" + Long.toHexString(x));
            calls++;
            if (x != w.object && x != w.largeObject) {
                assertTrue(w.kmalloc.kfree(x) < 0, "kfree 0x" + Long.toHexString(x));
                calls++;
            }
            if (x != w.area) {
                assertTrue(w.vmalloc.vfree(x) < 0, "vfree 0x" + Long.toHexString(x));
                calls++;
            }
            if (x != w.stackTop) {
                assertTrue(w.stacks.free(x) < 0, "stack free 0x" + Long.toHexString(x));
                calls++;
            }
            if (x != PAGE_VA && x != HUGE_VA) {
                assertTrue(w.as.unmap(x) < 0, "unmap 0x" + Long.toHexString(x));
                assertTrue(w.as.protect(x, DATA) < 0, "protect 0x" + Long.toHexString(x));
                calls += 2;
            }
            assertTrue(w.as.map(x, x, DATA, K4) < 0 || unmapAgain(w, x), "map 0x" + Long.toHexString(x));
            assertTrue(w.pager.removeLazy(w.as, x) < 0 || x == LAZY_VA, "removeLazy");
            calls += 2;
            before.assertSame(w.snapshot(), "garbage argument 0x" + Long.toHexString(x));
            assertEquals(counters, w.counters());
        }
        Snapshot.assertTlbConsistent(w.fx.machine, "after garbage");
        System.out.println("misuse: " + calls + " calls with " + args.size() + " garbage arguments, all refused");
    }

    /** map(x, x) may legally succeed for an ordinary user page of a free frame; undo it for the snapshot. */
    static boolean unmapAgain(MisuseWorld w, long x) {
        return w.as.unmap(x) == x;
    }

    @TestFactory
    Stream<DynamicTest> everyMisuseGetsItsErrorAndChangesNothing() {
        return CASES.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            MisuseWorld w = new MisuseWorld(c.recursiveSlot());
            Snapshot before = w.snapshot();
            String counters = w.counters();
            assertEquals(c.expected(), c.call().applyAsLong(w), c.name());
            before.assertSame(w.snapshot(), c.name());
            Snapshot.assertTlbConsistent(w.fx.machine, c.name());
            assertEquals(counters, w.counters(), c.name() + ": counters");
            assertEquals(AddressSpace.LIVE, w.as.state());
        }));
    }
}
