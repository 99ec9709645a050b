package verimem.kernel.boot;

import verimem.kernel.arch.Cpu;
import verimem.kernel.arch.Err;
import verimem.kernel.arch.KernelPanic;
import verimem.kernel.arch.Layout;
import verimem.kernel.heap.Kmalloc;
import verimem.kernel.pmm.Pmm;
import verimem.kernel.vmm.AddressSpace;
import verimem.kernel.vmm.Vmm;

/**
 * Misuse of the memory-manager API in the booted kernel (issue #9, part 3): each wrong call must return its
 * defined error code and leave the PMM's free count exactly as it was just before the call. One line per case
 * (`misuse: <case> -> <code>, free frames unchanged: ok`); a wrong code or a changed count panics.
 * PhysSelfTest and VmmSelfTest refuse some of these too, inside longer scenarios; here each case stands alone,
 * with the count compared around the single wrong call.
 */
public final class MisuseSelfTest {
    public static final long USER_PAGE = 0x500000L;
    public static final long USER_HUGE = 0x40000000L;

    private final AddressSpace space;
    private final AddressSpace doomed;
    private final Kmalloc kmalloc;
    private long cases;

    public MisuseSelfTest(Vmm vmm) {
        space = new AddressSpace(vmm);
        doomed = new AddressSpace(vmm);
        kmalloc = new Kmalloc(vmm.pmm(), vmm.ownership(), 8);
    }

    private static void check(boolean ok, int phase) {
        if (!ok) {
            Cpu.print("misuse: setup phase ");
            Cpu.printDec(phase);
            Cpu.print(" failed\n");
            throw new KernelPanic("self-test failed: misuse");
        }
    }

    /** Ends the case's line: the code the call returned must be `want`, and the free count unchanged. */
    private void verdict(Pmm pmm, long got, long want, long freeBefore) {
        Cpu.print(" -> ");
        Cpu.printDec(got);
        if (got != want || pmm.freeFrames() != freeBefore) {
            Cpu.print(", wanted ");
            Cpu.printDec(want);
            Cpu.print(", free frames ");
            Cpu.printDec(freeBefore);
            Cpu.print(" -> ");
            Cpu.printDec(pmm.freeFrames());
            Cpu.print("\n");
            throw new KernelPanic("self-test failed: misuse");
        }
        Cpu.print(", free frames unchanged: ok\n");
        cases = cases + 1;
    }

    /** kernelPa: a frame of the kernel image (the PMM never manages it). */
    public void run(Vmm vmm, long kernelPa) {
        Pmm pmm = vmm.pmm();
        long base = pmm.freeFrames();
        long tables = vmm.tableFrames();
        check(space.create() == Err.OK && doomed.create() == Err.OK, 1);

        long f = pmm.allocFrame();
        check(f > 0 && pmm.freeFrame(f) == Err.OK, 2);
        long free = pmm.freeFrames();
        Cpu.print("misuse: pmm double free");
        verdict(pmm, pmm.freeFrame(f), Err.NOT_ALLOCATED, free);
        Cpu.print("misuse: pmm free of a foreign frame (kernel image)");
        verdict(pmm, pmm.freeFrame(kernelPa), Err.NOT_MANAGED, free);
        Cpu.print("misuse: pmm free of a misaligned address");
        verdict(pmm, pmm.freeFrame(f + 8), Err.MISALIGNED, free);

        Cpu.print("misuse: unmap of an unmapped page");
        verdict(pmm, space.unmap(USER_PAGE), Err.NOT_MAPPED, free);
        long big = pmm.allocAligned(9);
        check(big > 0 && space.map(USER_HUGE, big, VmmSelfTest.USER_RW, 2097152L) == Err.OK, 3);
        f = pmm.allocFrame();
        check(f > 0, 3);
        free = pmm.freeFrames();
        Cpu.print("misuse: map of a 4 KiB page inside a 2 MiB page");
        verdict(pmm, space.map(USER_HUGE + 4096, f, VmmSelfTest.USER_RW, 4096), Err.PARENT_HUGE_PAGE, free);
        Cpu.print("misuse: map of a non-canonical address");
        verdict(pmm, space.map(0x0000800000000000L, f, VmmSelfTest.USER_RW, 4096), Err.NON_CANONICAL, free);
        Cpu.print("misuse: map of a misaligned virtual address");
        verdict(pmm, space.map(USER_PAGE + 8, f, VmmSelfTest.USER_RW, 4096), Err.MISALIGNED, free);
        Cpu.print("misuse: map of a misaligned frame");
        verdict(pmm, space.map(USER_PAGE, f + 8, VmmSelfTest.USER_RW, 4096), Err.MISALIGNED, free);
        Cpu.print("misuse: 2 MiB map at a 4 KiB-aligned address");
        verdict(pmm, space.map(USER_HUGE + 2097152L + 4096, big, VmmSelfTest.USER_RW, 2097152L), Err.MISALIGNED, free);
        check(space.unmap(USER_HUGE) == big && pmm.freeAligned(big, 9) == Err.OK && pmm.freeFrame(f) == Err.OK, 4);

        long p = kmalloc.kmalloc(64);
        check(p > 0 || p < -4096, 5);
        free = pmm.freeFrames();
        Cpu.print("misuse: kfree of a never-returned slot in a live slab");
        verdict(pmm, kmalloc.kfree(p + 64), Err.NOT_ALLOCATED, free);
        Cpu.print("misuse: kfree of an interior pointer");
        verdict(pmm, kmalloc.kfree(p + 8), Err.NOT_MANAGED, free);
        Cpu.print("misuse: kfree of a direct-map page kmalloc does not own");
        verdict(pmm, kmalloc.kfree(Layout.directMap(kernelPa)), Err.NOT_MANAGED, free);
        Cpu.print("misuse: kfree of an address outside the direct map");
        verdict(pmm, kmalloc.kfree(USER_PAGE), Err.NOT_MANAGED, free);
        check(kmalloc.liveObjects() == 1 && kmalloc.kfree(p) == Err.OK, 6);
        Cpu.print("misuse: kfree twice");
        verdict(pmm, kmalloc.kfree(p), Err.NOT_MANAGED, pmm.freeFrames());

        check(doomed.destroy(true) == Err.OK, 7);
        free = pmm.freeFrames();
        Cpu.print("misuse: switch to a destroyed address space");
        verdict(pmm, doomed.activate(), Err.DESTROYED, free);
        check(vmm.kernelSpace().isCurrent(), 7);
        Cpu.print("misuse: destroy twice");
        verdict(pmm, doomed.destroy(true), Err.DESTROYED, free);

        check(space.destroy(true) == Err.OK, 8);
        check(pmm.freeFrames() == base && vmm.tableFrames() == tables, 8);
        Cpu.print("selftest misuse: ");
        Cpu.printDec(cases);
        Cpu.print(" wrong calls refused with their error code, free frames back to ");
        Cpu.printDec(base);
        Cpu.print(": ok\n");
    }
}
