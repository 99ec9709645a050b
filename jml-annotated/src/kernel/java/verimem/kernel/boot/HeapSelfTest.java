package verimem.kernel.boot;

import verimem.kernel.arch.Cpu;
import verimem.kernel.arch.Err;
import verimem.kernel.arch.KernelPanic;
import verimem.kernel.arch.Layout;
import verimem.kernel.heap.Kmalloc;
import verimem.kernel.heap.Vmalloc;
import verimem.kernel.pmm.Pmm;
import verimem.kernel.vmm.TranslateResult;
import verimem.kernel.vmm.VaResult;
import verimem.kernel.vmm.Vmm;

/**
 * Self-test of kmalloc and vmalloc in the booted kernel: every size class plus a multi-page block, each object
 * written at both ends and read back after all are allocated (overlap shows as a clobbered value); kmalloc
 * addresses in the direct map, vmalloc addresses in the vmalloc region and backed page by page; double frees
 * refused; after freeing, the PMM's free count is back where it started.
 */
public final class HeapSelfTest {
    public static final int OBJECTS = 24;

    private final Kmalloc kmalloc;
    private final Vmalloc vmalloc;
    private final long[] ptr = new long[OBJECTS];
    private final long[] size = new long[OBJECTS];
    private final TranslateResult tr = new TranslateResult();

    public HeapSelfTest(Vmm vmm) {
        kmalloc = new Kmalloc(vmm.pmm(), vmm.ownership(), 64);
        vmalloc = new Vmalloc(vmm, 16);
    }

    private static void check(boolean ok, int phase) {
        if (!ok) {
            Cpu.print("selftest heap: phase ");
            Cpu.printDec(phase);
            Cpu.print(" failed\n");
            throw new KernelPanic("self-test failed: heap");
        }
    }

    public void run(Vmm vmm) {
        Pmm pmm = vmm.pmm();
        long base = pmm.freeFrames();
        for (int i = 0; i < OBJECTS; i++) {
            size[i] = i % 3 == 2 ? 12288 : (16L << (i % 8));
            long p = i % 3 == 1 ? vmalloc.vmalloc(size[i]) : kmalloc.kmalloc(size[i]);
            check(!VaResult.isError(p), 1);
            check(i % 3 == 1 ? Layout.inVmalloc(p) : Layout.inDirectMap(p), 1);
            ptr[i] = p;
            Cpu.store64(p, p);
            Cpu.store64(p + size[i] - 8, -1 - p);
        }
        for (int i = 0; i < OBJECTS; i++) {
            check(Cpu.load64(ptr[i]) == ptr[i] && Cpu.load64(ptr[i] + size[i] - 8) == (-1 - ptr[i]), 2);
            if (i % 3 == 1) {
                for (long off = 0; off < size[i]; off = off + 4096) {
                    check(vmm.kernelSpace().translate(ptr[i] + off, tr) >= 0, 2);
                }
            }
        }
        check(pmm.freeFrames() < base, 3);
        for (int i = 0; i < OBJECTS; i++) {
            if (i % 3 == 1) {
                check(vmalloc.vfree(ptr[i]) == Err.OK && vmalloc.vfree(ptr[i]) == Err.NOT_ALLOCATED, 4);
                check(vmm.kernelSpace().translate(ptr[i], tr) == Err.NOT_MAPPED, 4);
            } else {
                check(kmalloc.kfree(ptr[i]) == Err.OK, 4);
                check(kmalloc.kfree(ptr[i]) != Err.OK, 4);
            }
        }
        check(kmalloc.liveObjects() == 0 && vmalloc.liveAllocations() == 0, 5);
        check(pmm.freeFrames() == base, 5);
        Cpu.print("selftest heap: ");
        Cpu.printDec(OBJECTS);
        Cpu.print(" kmalloc/vmalloc objects (16 B .. 12 KiB) written, read back, freed, double frees refused; ");
        Cpu.print("free frames back to ");
        Cpu.printDec(base);
        Cpu.print(": ok\n");
    }
}
