package verimem.kernel.boot;

import verimem.kernel.arch.Cpu;
import verimem.kernel.arch.Err;
import verimem.kernel.arch.KernelPanic;
import verimem.kernel.arch.Layout;
import verimem.kernel.arch.Pte;
import verimem.kernel.pmm.Pmm;
import verimem.kernel.vmm.AddressSpace;
import verimem.kernel.vmm.TranslateResult;
import verimem.kernel.vmm.Vmm;

/**
 * Self-test of the VMM on the real MMU: two user spaces map the same virtual page to different frames, the
 * kernel switches CR3 between them and reads what the hardware translation gives; protect, a 2 MiB page, the
 * refusals (already mapped, kernel frame, non-canonical, user write+execute); clone copies contents; destroy returns every table
 * and frame, so the PMM's free count and the VMM's table count end where they started.
 */
public final class VmmSelfTest {
    public static final long USER_PAGE = 0x400000L;
    public static final long USER_LARGE = 0x40000000L;
    /** Writable user pages are never executable (the VMM refuses W+X for user space). */
    public static final long USER_RW = Pte.USER + Pte.WRITABLE + Pte.NO_EXECUTE;

    private final AddressSpace a;
    private final AddressSpace b;
    private final AddressSpace c;
    private final TranslateResult tr = new TranslateResult();

    public VmmSelfTest(Vmm vmm) {
        a = new AddressSpace(vmm);
        b = new AddressSpace(vmm);
        c = new AddressSpace(vmm);
    }

    private static void check(boolean ok, int phase) {
        if (!ok) {
            Cpu.print("selftest vmm: phase ");
            Cpu.printDec(phase);
            Cpu.print(" failed\n");
            throw new KernelPanic("self-test failed: vmm");
        }
    }

    private static long frame(Pmm pmm) {
        long f = pmm.allocFrame();
        check(f >= 0, 0);
        for (int i = 0; i < 512; i++) {
            Cpu.store64(Layout.directMap(f) + 8L * i, 0);
        }
        return f;
    }

    /** kernelPa: a frame of the kernel image, which no user space may map. */
    public void run(Vmm vmm, long kernelPa) {
        Pmm pmm = vmm.pmm();
        long base = pmm.freeFrames();
        long tables = vmm.tableFrames();
        check(a.create() == Err.OK && b.create() == Err.OK, 1);
        long fa = frame(pmm);
        long fb = frame(pmm);
        check(a.map(USER_PAGE, fa, USER_RW, 4096) == Err.OK && b.map(USER_PAGE, fb, USER_RW, 4096) == Err.OK, 2);
        check(a.translate(USER_PAGE + 8, tr) == fa + 8 && tr.writable && tr.user, 2);
        check(b.translate(USER_PAGE, tr) == fb, 2);
        check(a.map(USER_PAGE, fb, USER_RW, 4096) == Err.ALREADY_MAPPED, 3);
        check(a.map(USER_PAGE + 4096, kernelPa, USER_RW, 4096) == Err.KERNEL_FRAME, 3);
        check(a.map(0x0000800000000000L, fa, USER_RW, 4096) == Err.NON_CANONICAL, 3);
        check(a.map(USER_PAGE + 4096, fb, Pte.USER + Pte.WRITABLE, 4096) == Err.WRITE_EXECUTE, 3);
        // CR3 switches: the same virtual address reaches a different frame in each space
        check(a.activate() == Err.OK && a.isCurrent(), 4);
        Cpu.store64(USER_PAGE + 16, 0xAAAA);
        check(b.activate() == Err.OK && b.isCurrent(), 4);
        check(Cpu.load64(USER_PAGE + 16) == 0, 4);
        Cpu.store64(USER_PAGE + 16, 0xBBBB);
        check(a.activate() == Err.OK && Cpu.load64(USER_PAGE + 16) == 0xAAAA, 4);
        check(Cpu.load64(Layout.directMap(fa) + 16) == 0xAAAA && Cpu.load64(Layout.directMap(fb) + 16) == 0xBBBB, 4);
        // protect on the current space: the change must reach the hardware (checked by translate) at once
        check(a.protect(USER_PAGE, Pte.USER) == Err.OK, 5);
        check(a.translate(USER_PAGE, tr) == fa && !tr.writable, 5);
        check(a.protect(USER_PAGE, USER_RW) == Err.OK, 5);
        Cpu.store64(USER_PAGE + 24, 0xCCCC);
        // a 2 MiB page, then unmap: translate and the frame come back
        long big = pmm.allocAligned(9);
        check(big >= 0 && a.map(USER_LARGE, big, USER_RW, 2097152L) == Err.OK, 6);
        Cpu.store64(USER_LARGE + 2097152L - 8, 0x2222);
        check(Cpu.load64(Layout.directMap(big) + 2097152L - 8) == 0x2222, 6);
        check(a.translate(USER_LARGE + 4096, tr) == big + 4096 && tr.pageSize == 2097152L, 6);
        check(a.unmap(USER_LARGE) == big && a.translate(USER_LARGE, tr) == Err.NOT_MAPPED, 6);
        check(pmm.freeAligned(big, 9) == Err.OK, 6);
        // clone copies: same contents, a different frame
        check(a.cloneInto(c) == Err.OK, 7);
        long fc = c.translate(USER_PAGE, tr);
        check(fc >= 0 && fc != fa && Cpu.load64(Layout.directMap(fc) + 24) == 0xCCCC, 7);
        check(c.activate() == Err.OK && Cpu.load64(USER_PAGE + 16) == 0xAAAA, 7);
        // destroy everything from the kernel space: all tables and frames return
        check(vmm.kernelSpace().activate() == Err.OK, 8);
        check(a.destroy(true) == Err.OK && b.destroy(true) == Err.OK && c.destroy(true) == Err.OK, 8);
        check(a.map(USER_PAGE, fa, USER_RW, 4096) == Err.DESTROYED, 8);
        check(pmm.freeFrames() == base && vmm.tableFrames() == tables, 9);
        Cpu.print("selftest vmm: 3 address spaces, CR3 switches read back through the MMU, protect, 2 MiB page, ");
        Cpu.print("clone, destroy; refusals ok; free frames back to ");
        Cpu.printDec(base);
        Cpu.print(", VMM tables back to ");
        Cpu.printDec(tables);
        Cpu.print(": ok\n");
    }
}
