package verimem.kernel.boot;

import verimem.kernel.arch.Cpu;
import verimem.kernel.arch.Err;
import verimem.kernel.arch.KernelPanic;
import verimem.kernel.arch.Layout;
import verimem.kernel.pmm.Pmm;

/**
 * Self-test of the PMM in the booted kernel, on real RAM: single frames (each written through the direct map
 * with its own pattern and read back after all are allocated, so two allocations of one frame show up as a
 * clobbered pattern), double and foreign frees refused, a frame the PMM never received (its own metadata)
 * refused, release refused once allocation has begun, aligned contiguous blocks, exhaustion (every free frame
 * taken as aligned blocks until NO_MEMORY, then all given back), and exact accounting: the
 * free count is back to where it started after every phase.
 */
public final class PhysSelfTest {
    private final long[] frames;

    public PhysSelfTest(int capacity) {
        frames = new long[capacity];
    }

    private static void check(boolean ok, int phase) {
        if (!ok) {
            Cpu.print("selftest pmm: phase ");
            Cpu.printDec(phase);
            Cpu.print(" failed\n");
            throw new KernelPanic("self-test failed: pmm");
        }
    }

    private static long pattern(long pa) {
        return pa * 31 + 0x5EED;
    }

    /**
     * Exhaustion: takes every free frame, largest aligned blocks first (order 18 down to 0, so it stays cheap on
     * big machines), chaining each block to the previous one through its first two words (next, order) so no array
     * is needed; then one more frame must be refused with NO_MEMORY; then walks the chain freeing each block.
     * Returns the number of frames taken, which must be every free frame.
     */
    private static long exhaust(Pmm pmm, long base) {
        long head = -1;
        long taken = 0;
        for (int order = Pmm.MAX_ORDER; order >= 0; order = order - 1) {
            long pa = pmm.allocAligned(order);
            while (pa >= 0) {
                check(pa % (Pmm.FRAME << order) == 0, 7);
                Cpu.store64(Layout.directMap(pa), head);
                Cpu.store64(Layout.directMap(pa) + 8, order);
                head = pa;
                taken = taken + (1L << order);
                pa = pmm.allocAligned(order);
            }
            check(pa == Err.NO_MEMORY, 7);
        }
        check(taken == base && pmm.freeFrames() == 0 && pmm.allocFrame() == Err.NO_MEMORY, 7);
        while (head >= 0) {
            long next = Cpu.load64(Layout.directMap(head));
            int order = (int) Cpu.load64(Layout.directMap(head) + 8);
            check(pmm.freeAligned(head, order) == Err.OK, 8);
            head = next;
        }
        check(pmm.freeFrames() == base, 8);
        return taken;
    }

    /**
     * Runs every phase; panics on the first failure. kernelPa is a frame of the kernel image (not managed);
     * metadataPa a frame of the PMM's metadata (managed, kept by the pre-PMM, never released to the PMM).
     */
    public void run(Pmm pmm, long kernelPa, long metadataPa) {
        long base = pmm.freeFrames();
        int n = frames.length;
        if (base < n + 1024) {
            n = (int) (base / 2);
        }
        for (int i = 0; i < n; i++) {
            long pa = pmm.allocFrame();
            check(pa >= 0 && pa % Pmm.FRAME == 0 && pmm.manages(pa) && !pmm.isFree(pa), 1);
            Cpu.store64(Layout.directMap(pa), pattern(pa));
            Cpu.store64(Layout.directMap(pa) + Pmm.FRAME - 8, (-1 - pattern(pa)));
            frames[i] = pa;
        }
        check(pmm.freeFrames() == base - n, 2);
        for (int i = 0; i < n; i++) {
            long pa = frames[i];
            check(Cpu.load64(Layout.directMap(pa)) == pattern(pa), 3);
            check(Cpu.load64(Layout.directMap(pa) + Pmm.FRAME - 8) == (-1 - pattern(pa)), 3);
        }
        check(pmm.freeFrame(frames[0]) == Err.OK, 4);
        check(pmm.freeFrame(frames[0]) == Err.NOT_ALLOCATED, 4);
        check(pmm.freeFrame(kernelPa) == Err.NOT_MANAGED, 4);
        check(pmm.freeFrame(metadataPa) == Err.NOT_OWNED && !pmm.isFree(metadataPa), 4);
        check(pmm.release(metadataPa, metadataPa + Pmm.FRAME) == Err.INVALID_STATE, 4);
        check(pmm.freeFrames() == base - n + 1, 4);
        for (int i = n - 1; i >= 1; i = i - 2) {
            check(pmm.freeFrame(frames[i]) == Err.OK, 5);
        }
        for (int i = n - 2; i >= 1; i = i - 2) {
            check(pmm.freeFrame(frames[i]) == Err.OK, 5);
        }
        check(pmm.freeFrames() == base, 5);
        for (int order = 0; order <= 9; order = order + 3) {
            long block = pmm.allocAligned(order);
            long bytes = Pmm.FRAME << order;
            check(block >= 0 && block % bytes == 0 && pmm.freeFrames() == base - (1L << order), 6);
            Cpu.store64(Layout.directMap(block + bytes - 8), order);
            check(Cpu.load64(Layout.directMap(block + bytes - 8)) == order, 6);
            check(pmm.freeAligned(block, order) == Err.OK, 6);
            check(pmm.freeFrames() == base, 6);
        }
        long exhausted = exhaust(pmm, base);
        Cpu.print("selftest pmm: ");
        Cpu.printDec(n);
        Cpu.print(" frames allocated, pattern-checked through the direct map and freed; ");
        Cpu.printDec(exhausted);
        Cpu.print(" frames (all) taken as aligned blocks until NO_MEMORY and freed; double/foreign free ");
        Cpu.print("refused; metadata frame free refused (not owned), late release refused; ");
        Cpu.print("aligned blocks of order 0..9; free frames back to ");
        Cpu.printDec(base);
        Cpu.print(": ok\n");
    }
}
