package verimem.kernel.boot;

import verimem.kernel.arch.Cpu;
import verimem.kernel.arch.Err;
import verimem.kernel.arch.KernelPanic;
import verimem.kernel.arch.Layout;
import verimem.kernel.arch.Pte;
import verimem.kernel.vmm.AddressSpace;
import verimem.kernel.vmm.DemandPager;
import verimem.kernel.vmm.TranslateResult;
import verimem.kernel.vmm.Vmm;

/**
 * Demand paging for real: a lazy kernel region and a lazy region of a user space are touched page by page; each
 * first touch is a hardware #PF that the boot glue hands to the Java pager, which maps a zeroed frame, and the
 * store is retried. The test counts the faults the pager served (one per page, none on a second touch), reads the
 * values back, then removes the regions and checks that every frame went back.
 */
public final class DemandPagingSelfTest {
    public static final long KERNEL_PAGES = 16;
    public static final long USER_PAGES = 4;
    public static final long USER_LAZY = 0x10000000L;

    private final DemandPager pager;
    private final AddressSpace user;
    private final TranslateResult tr = new TranslateResult();

    public DemandPagingSelfTest(DemandPager pager, Vmm vmm) {
        this.pager = pager;
        this.user = new AddressSpace(vmm);
    }

    private static void check(boolean ok, int phase) {
        if (!ok) {
            Cpu.print("selftest demand paging: phase ");
            Cpu.printDec(phase);
            Cpu.print(" failed\n");
            throw new KernelPanic("self-test failed: demand paging");
        }
    }

    /** Touches every page of [va, va + pages * 4 KiB) twice; the pager must serve exactly one fault per page. */
    private void touch(long va, long pages, int phase) {
        long served = pager.servedFaults();
        for (long i = 0; i < pages; i++) {
            check(Cpu.load64(va + i * 4096 + 8) == 0, phase);
            Cpu.store64(va + i * 4096 + 8, i + 1);
        }
        check(pager.servedFaults() == served + pages, phase);
        for (long i = 0; i < pages; i++) {
            check(Cpu.load64(va + i * 4096 + 8) == i + 1, phase);
        }
        check(pager.servedFaults() == served + pages, phase);
    }

    /** With touchOutside, touches the page after the kernel region: the fault is refused and the kernel panics. */
    public void run(Vmm vmm, boolean touchOutside) {
        long base = vmm.pmm().freeFrames();
        AddressSpace kernel = vmm.kernelSpace();
        check(pager.addLazy(kernel, Layout.LAZY_BASE, KERNEL_PAGES * 4096, Pte.WRITABLE + Pte.NO_EXECUTE)
                == Err.OK, 1);
        check(kernel.translate(Layout.LAZY_BASE, tr) == Err.NOT_MAPPED, 1);
        touch(Layout.LAZY_BASE, KERNEL_PAGES, 2);
        if (touchOutside) {
            Cpu.print("selftest demand paging: touching the page after the lazy region (deliberate failure)\n");
            Cpu.load64(Layout.LAZY_BASE + KERNEL_PAGES * 4096);
            throw new KernelPanic("a touch outside the lazy region did not fault");
        }
        check(user.create() == Err.OK && user.activate() == Err.OK, 3);
        check(pager.addLazy(user, USER_LAZY, USER_PAGES * 4096, Pte.USER + Pte.WRITABLE + Pte.NO_EXECUTE) == Err.OK, 3);
        touch(USER_LAZY, USER_PAGES, 4);
        check(kernel.activate() == Err.OK, 5);
        check(pager.removeLazy(user, USER_LAZY) == Err.OK && user.destroy(true) == Err.OK, 5);
        check(pager.removeLazy(kernel, Layout.LAZY_BASE) == Err.OK, 5);
        check(kernel.translate(Layout.LAZY_BASE, tr) == Err.NOT_MAPPED, 5);
        check(vmm.pmm().freeFrames() == base, 6);
        Cpu.print("selftest demand paging: ");
        Cpu.printDec(KERNEL_PAGES + USER_PAGES);
        Cpu.print(" page faults taken by the CPU and served in Java (kernel and user region), values read back, ");
        Cpu.print("regions removed, free frames back to ");
        Cpu.printDec(base);
        Cpu.print(": ok\n");
    }
}
