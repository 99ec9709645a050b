package verimem.kernel.boot;

import verimem.kernel.arch.Cpu;
import verimem.kernel.arch.KernelPanic;
import verimem.kernel.arch.Layout;
import verimem.kernel.arch.Pte;
import verimem.kernel.arch.VirtAddr;
import verimem.kernel.vmm.Tables;

/**
 * "Kernel text is never writable", checked by the CPU itself and on the live tables:
 * 1. (after 2 in the code) every page of the image is walked from CR3 through both of its mappings (Layout.KERNEL_BASE + pa and the
 *    direct map); the effective permissions (writable only if every level allows it, executable only if no level
 *    sets NX) must be: text read-only and executable at -2 GiB, rodata read-only and NX, data and bss writable and
 *    NX; in the direct map text and rodata read-only, everything NX;
 * 2. (first) a supervisor write to the first text page through each mapping must raise #PF with error code 3 (present,
 *    write, supervisor): only CR0.WP = 1 makes the CPU refuse a supervisor write to a read-only page. The probe's
 *    recovery, in the #PF hook, points the faulting leaf at a scratch frame (writable, NX) and lets the write
 *    retry there; the test then puts the text frame back read-only and checks that the text word is unchanged
 *    and the value landed in the scratch frame. The text page itself is never made writable.
 * The first text page holds only the multiboot headers and the 32-bit entry (link.ld aligns .text after them),
 * so nothing runs from it while its -2 GiB leaf points at the scratch frame.
 * Any failure prints "selftest image: check N failed" and panics; the checks by number:
 *   1 kernel text at -2 GiB is not read-only and executable
 *   2 kernel text in the direct map is not read-only and NX
 *   3 kernel rodata at -2 GiB is not read-only and NX
 *   4 kernel rodata in the direct map is not read-only and NX
 *   5 kernel data at -2 GiB is not writable and NX
 *   6 kernel data in the direct map is not writable and NX
 *   7 kernel text page is not mapped with a 4 KiB leaf
 *   8 probe value equals the text word
 *   9 write to kernel text did not fault
 *   10 write to kernel text: unexpected #PF
 *   11 kernel text changed by the probe
 *   12 probe write did not retry after the fault
 *   13 text leaf not restored
 */
public final class ImageProtectionSelfTest {
    /** The error code a supervisor write to a present read-only page raises (P | W). */
    public static final long WRITE_PROTECT_ERROR = 3;
    private static final long PROBE_VALUE = 0x5741585A5741585AL;
    private static final long WRITABLE = 1;
    private static final long EXECUTABLE = 2;
    private static final long NOT_MAPPED = -1;

    /** The probe the #PF hook asks first; null when no probe is running. */
    private static ImageProtectionSelfTest armed;

    private final KernelImage image;
    private long target;
    private long scratch;
    private long leafTable;
    private int leafIndex;
    private long savedEntry;
    private long faultAddress;
    private long faultError;
    private long faults;
    private long pagesChecked;

    public ImageProtectionSelfTest(KernelImage image) {
        this.image = image;
    }

    /** The #PF hook's first stop: true when this was the probe's expected fault and the write may retry. */
    public static boolean onPageFault(long cr2, long err) {
        ImageProtectionSelfTest p = armed;
        if (p == null || cr2 != p.target) {
            return false;
        }
        armed = null; // one fault per probe: a second one is not ours and must panic
        p.faults = p.faults + 1;
        p.faultAddress = cr2;
        p.faultError = err;
        Tables.write(p.leafTable, p.leafIndex, Pte.make(p.scratch, KernelImage.DATA));
        Cpu.invlpg(cr2);
        return true;
    }

    /** Runs both parts; scratchFrame: a free frame the caller owns (its contents are overwritten). */
    public void run(long scratchFrame) {
        scratch = scratchFrame;
        probe(Layout.KERNEL_BASE + image.start());
        probe(Layout.directMap(image.start()));
        for (long pa = image.start(); pa < image.end(); pa = pa + KernelImage.PAGE) {
            long img = effective(Layout.KERNEL_BASE + pa);
            long direct = effective(Layout.directMap(pa));
            if (pa < image.textEnd()) {
                check(img == EXECUTABLE, 1);
                check(direct == 0, 2);
            } else if (pa < image.rodataEnd()) {
                check(img == 0, 3);
                check(direct == 0, 4);
            } else {
                check(img == WRITABLE, 5);
                check(direct == WRITABLE, 6);
            }
            pagesChecked = pagesChecked + 1;
        }
        Cpu.print("selftest image: ");
        Cpu.printDec(pagesChecked);
        Cpu.print(" pages x 2 mappings (text r-x, rodata r--, data rw- NX; direct map text/rodata r--), write to ");
        Cpu.print("kernel text faulted through both mappings (");
        Cpu.printDec(faults);
        Cpu.print(" x #PF err=");
        Cpu.printHex(faultError);
        Cpu.print("), text unchanged: ok\n");
    }

    /** One write to read-only text at va: must fault once, land in the scratch frame, leave the text as it was. */
    private void probe(long va) {
        check(findLeaf(va), 7);
        long textWord = Cpu.load64(va);
        check(textWord != PROBE_VALUE, 8);
        Cpu.store64(Layout.directMap(scratch), 0);
        long faultsBefore = faults;
        savedEntry = Tables.read(leafTable, leafIndex);
        target = va;
        faultAddress = 0;
        armed = this;
        // The #PF hook reads armed/target and writes faults behind the compiled code's back: invlpg is also a
        // compiler barrier ("memory" clobber), so the stores above happen before the write and the reads below
        // after it (a volatile store alone does not order plain ones). The extra TLB flush is harmless.
        Cpu.invlpg(va);
        Cpu.store64(va, PROBE_VALUE); // must #PF: text is read-only and CR0.WP = 1
        Cpu.invlpg(va);
        armed = null;
        Tables.write(leafTable, leafIndex, savedEntry);
        Cpu.invlpg(va);
        check(faults == faultsBefore + 1, 9);
        check(faultAddress == va && faultError == WRITE_PROTECT_ERROR, 10);
        check(Cpu.load64(va) == textWord, 11);
        check(Cpu.load64(Layout.directMap(scratch)) == PROBE_VALUE, 12);
        check(effective(va) == (va < 0 && va >= Layout.KERNEL_BASE ? EXECUTABLE : 0), 13);
    }

    /** Effective permissions of va: WRITABLE + EXECUTABLE bits, or NOT_MAPPED. */
    private static long effective(long va) {
        long table = Pte.frame(Cpu.readCr3());
        boolean writable = true;
        boolean noExecute = false;
        for (int level = 4; level >= 1; level--) {
            long e = Tables.read(table, VirtAddr.index(va, level));
            if (!Pte.isPresent(e)) {
                return NOT_MAPPED;
            }
            writable = writable && Pte.has(e, Pte.BIT_WRITABLE);
            noExecute = noExecute || e < 0;
            if (level == 1 || (level < 4 && Pte.has(e, Pte.BIT_HUGE))) {
                return (writable ? WRITABLE : 0) + (noExecute ? 0 : EXECUTABLE);
            }
            table = Pte.frame(e);
        }
        return NOT_MAPPED;
    }

    /** Sets leafTable/leafIndex to va's 4 KiB leaf; false when va is unmapped or in a larger page. */
    private boolean findLeaf(long va) {
        long table = Pte.frame(Cpu.readCr3());
        for (int level = 4; level > 1; level--) {
            long e = Tables.read(table, VirtAddr.index(va, level));
            if (!Pte.isPresent(e) || (level < 4 && Pte.has(e, Pte.BIT_HUGE))) {
                return false;
            }
            table = Pte.frame(e);
        }
        leafTable = table;
        leafIndex = VirtAddr.index(va, 1);
        return Pte.isPresent(Tables.read(table, leafIndex));
    }

    /** Failed checks are numbered (the console names the number): see the class comment. */
    private static void check(boolean ok, int number) {
        if (!ok) {
            Cpu.print("selftest image: check ");
            Cpu.printDec(number);
            Cpu.print(" failed\n");
            throw new KernelPanic("self-test failed: kernel image protection");
        }
    }

    public long pagesChecked() {
        return pagesChecked;
    }

    public long faults() {
        return faults;
    }
}
