package verimem.kernel.boot;

import verimem.kernel.arch.Cpu;
import verimem.kernel.arch.Err;
import verimem.kernel.arch.KernelPanic;
import verimem.kernel.arch.Layout;
import verimem.kernel.arch.Pte;
import verimem.kernel.heap.Kmalloc;
import verimem.kernel.heap.Vmalloc;
import verimem.kernel.pmm.Pmm;
import verimem.kernel.vmm.AddressSpace;
import verimem.kernel.vmm.TranslateResult;
import verimem.kernel.vmm.VaResult;
import verimem.kernel.vmm.Vmm;

/**
 * Kernel soak (`verimem.soak=N` on the command line): N pseudo-random operations mixing PMM single frames and
 * aligned blocks, map/unmap/protect/translate in one user space, kmalloc/kfree and vmalloc/vfree. The test keeps
 * its own model of what it holds (frames, blocks, mapped pages with their frame and writability, objects) and
 * checks every result against it; every CHECK_EVERY operations the PMM's free count must equal the start value
 * minus what the model holds (plus the VMM's and kmalloc's own table/slab frames), and every mapped page is read
 * through the MMU with the user space active. At the end everything is released and the free count, the VMM's
 * table count and both heaps must be exactly back where they started.
 */
public final class SoakSelfTest {
    public static final int HELD = 16;
    public static final int BLOCKS = 8;
    public static final int PAGES = 64;
    public static final int KOBJECTS = 32;
    public static final int VOBJECTS = 8;
    public static final long CHECK_EVERY = 4096;
    public static final long USER_BASE = 0x10000000L;
    public static final long USER_RW = Pte.USER + Pte.WRITABLE + Pte.NO_EXECUTE;
    public static final long USER_RO = Pte.USER + Pte.NO_EXECUTE;

    private final AddressSpace space;
    private final Kmalloc kmalloc;
    private final Vmalloc vmalloc;
    private final TranslateResult tr = new TranslateResult();
    private final long[] held = new long[HELD];
    private final long[] block = new long[BLOCKS];
    private final int[] blockOrder = new int[BLOCKS];
    private final long[] page = new long[PAGES];
    private final boolean[] pageWritable = new boolean[PAGES];
    private final long[] kptr = new long[KOBJECTS];
    private final long[] ksize = new long[KOBJECTS];
    private final long[] vptr = new long[VOBJECTS];
    private final long[] vpages = new long[VOBJECTS];
    /** Operations done per kind: 0 frame, 1 block, 2 map/unmap, 3 protect, 4 translate, 5 kmalloc, 6 vmalloc. */
    private final long[] done = new long[7];
    private long seed;
    private long checks;

    public SoakSelfTest(Vmm vmm) {
        space = new AddressSpace(vmm);
        kmalloc = new Kmalloc(vmm.pmm(), vmm.ownership(), 64);
        vmalloc = new Vmalloc(vmm, 16);
    }

    private static void check(boolean ok, int phase, long op) {
        if (!ok) {
            Cpu.print("soak: phase ");
            Cpu.printDec(phase);
            Cpu.print(" failed at operation ");
            Cpu.printDec(op);
            Cpu.print("\n");
            throw new KernelPanic("self-test failed: soak");
        }
    }

    /** xorshift64: deterministic, no allocation. Returns a non-negative value, so callers shift it with >>. */
    private long next() {
        seed = seed ^ (seed << 13);
        seed = seed ^ (seed >>> 7);
        seed = seed ^ (seed << 17);
        return seed >>> 1;
    }

    private static long tag(long pa) {
        return pa ^ 0x5A5A5A5A5A5A5A5AL;
    }

    public void run(Vmm vmm, long ops) {
        Pmm pmm = vmm.pmm();
        long base = pmm.freeFrames();
        long tables = vmm.tableFrames();
        seed = 0x9E3779B97F4A7C15L ^ ops;
        for (int i = 0; i < PAGES; i++) {
            page[i] = -1;
        }
        check(space.create() == Err.OK, 1, 0);
        long op = 0;
        while (op < ops) {
            long r = next();
            int kind = (int) (r % 8);
            int slot = (int) ((r >> 8) % 64);
            if (kind == 0) {
                frameOp(pmm, slot % HELD, op);
            } else if (kind == 1) {
                blockOp(pmm, slot % BLOCKS, (int) ((r >> 16) % 5), op);
            } else if (kind == 2 || kind == 3) {
                mapOp(pmm, slot, (r >> 16) % 2 == 0, op);
            } else if (kind == 4) {
                protectOp(slot, op);
            } else if (kind == 5) {
                translateOp(slot, op);
            } else if (kind == 6) {
                kmallocOp(slot % KOBJECTS, 16L << ((r >> 16) % 9), op);
            } else {
                vmallocOp(vmm, slot % VOBJECTS, 1 + (r >> 16) % 4, op);
            }
            op = op + 1;
            if (op % CHECK_EVERY == 0 || op == ops) {
                checkAccounting(vmm, base, tables, op);
            }
        }
        releaseAll(vmm, op);
        check(vmm.kernelSpace().activate() == Err.OK && space.destroy(false) == Err.OK, 9, op);
        check(kmalloc.liveObjects() == 0 && kmalloc.heapFrames() == 0 && vmalloc.liveAllocations() == 0, 10, op);
        check(pmm.freeFrames() == base && vmm.tableFrames() == tables, 10, op);
        Cpu.print("soak: ");
        Cpu.printDec(op);
        Cpu.print(" ops (frame ");
        Cpu.printDec(done[0]);
        Cpu.print(", aligned ");
        Cpu.printDec(done[1]);
        Cpu.print(", map/unmap ");
        Cpu.printDec(done[2]);
        Cpu.print(", protect ");
        Cpu.printDec(done[3]);
        Cpu.print(", translate ");
        Cpu.printDec(done[4]);
        Cpu.print(", kmalloc/kfree ");
        Cpu.printDec(done[5]);
        Cpu.print(", vmalloc/vfree ");
        Cpu.printDec(done[6]);
        Cpu.print("), ");
        Cpu.printDec(checks);
        Cpu.print(" accounting checks, free frames back to ");
        Cpu.printDec(base);
        Cpu.print(", VMM tables back to ");
        Cpu.printDec(tables);
        Cpu.print(": ok\n");
    }

    private void frameOp(Pmm pmm, int i, long op) {
        if (held[i] == 0) {
            long f = pmm.allocFrame();
            check(f > 0 && f % Pmm.FRAME == 0 && !pmm.isFree(f), 2, op);
            Cpu.store64(Layout.directMap(f), tag(f));
            held[i] = f;
        } else {
            check(Cpu.load64(Layout.directMap(held[i])) == tag(held[i]), 2, op);
            check(pmm.freeFrame(held[i]) == Err.OK && pmm.freeFrame(held[i]) == Err.NOT_ALLOCATED, 2, op);
            held[i] = 0;
        }
        done[0] = done[0] + 1;
    }

    private void blockOp(Pmm pmm, int i, int order, long op) {
        if (block[i] == 0) {
            long b = pmm.allocAligned(order);
            check(b > 0 && b % (Pmm.FRAME << order) == 0, 3, op);
            block[i] = b;
            blockOrder[i] = order;
        } else {
            check(pmm.freeAligned(block[i], blockOrder[i]) == Err.OK, 3, op);
            block[i] = 0;
        }
        done[1] = done[1] + 1;
    }

    private void mapOp(Pmm pmm, int i, boolean writable, long op) {
        long va = USER_BASE + Pmm.FRAME * i;
        if (page[i] < 0) {
            long f = pmm.allocFrame();
            check(f > 0, 4, op);
            Cpu.store64(Layout.directMap(f), tag(f));
            check(space.map(va, f, writable ? USER_RW : USER_RO, Pmm.FRAME) == Err.OK, 4, op);
            check(space.map(va, f, USER_RO, Pmm.FRAME) == Err.ALREADY_MAPPED, 4, op);
            page[i] = f;
            pageWritable[i] = writable;
        } else {
            check(space.unmap(va) == page[i] && space.unmap(va) == Err.NOT_MAPPED, 4, op);
            check(pmm.freeFrame(page[i]) == Err.OK, 4, op);
            page[i] = -1;
        }
        done[2] = done[2] + 1;
    }

    private void protectOp(int i, long op) {
        long va = USER_BASE + Pmm.FRAME * i;
        if (page[i] < 0) {
            check(space.protect(va, USER_RO) == Err.NOT_MAPPED, 5, op);
        } else {
            boolean w = !pageWritable[i];
            check(space.protect(va, w ? USER_RW : USER_RO) == Err.OK, 5, op);
            pageWritable[i] = w;
        }
        done[3] = done[3] + 1;
    }

    private void translateOp(int i, long op) {
        long va = USER_BASE + Pmm.FRAME * i + 8 * i;
        long pa = space.translate(va, tr);
        if (page[i] < 0) {
            check(pa == Err.NOT_MAPPED, 6, op);
        } else {
            check(pa == page[i] + 8 * i && tr.writable == pageWritable[i] && tr.user && tr.noExecute, 6, op);
            check(Cpu.load64(Layout.directMap(page[i])) == tag(page[i]), 6, op);
        }
        done[4] = done[4] + 1;
    }

    private void kmallocOp(int i, long bytes, long op) {
        if (kptr[i] == 0) {
            long p = kmalloc.kmalloc(bytes);
            check(!VaResult.isError(p) && Layout.inDirectMap(p), 7, op);
            Cpu.store64(p, p);
            Cpu.store64(p + bytes - 8, -1 - p);
            kptr[i] = p;
            ksize[i] = bytes;
        } else {
            long p = kptr[i];
            check(Cpu.load64(p) == p && Cpu.load64(p + ksize[i] - 8) == -1 - p, 7, op);
            check(kmalloc.kfree(p) == Err.OK, 7, op);
            kptr[i] = 0;
        }
        done[5] = done[5] + 1;
    }

    private void vmallocOp(Vmm vmm, int i, long pages, long op) {
        if (vptr[i] == 0) {
            long p = vmalloc.vmalloc(pages * Pmm.FRAME);
            check(!VaResult.isError(p) && Layout.inVmalloc(p), 8, op);
            Cpu.store64(p + pages * Pmm.FRAME - 8, p);
            vptr[i] = p;
            vpages[i] = pages;
        } else {
            long p = vptr[i];
            check(Cpu.load64(p + vpages[i] * Pmm.FRAME - 8) == p, 8, op);
            check(vmalloc.vfree(p) == Err.OK && vmm.kernelSpace().translate(p, tr) == Err.NOT_MAPPED, 8, op);
            vptr[i] = 0;
        }
        done[6] = done[6] + 1;
    }

    /**
     * Free count = start - what the model holds - tables the VMM added - kmalloc's slab/large frames; then every
     * mapped page is read through the MMU with the user space active (the hardware walk agrees with the model).
     */
    private void checkAccounting(Vmm vmm, long base, long tables, long op) {
        long heldFrames = 0;
        for (int i = 0; i < HELD; i++) {
            heldFrames = heldFrames + (held[i] != 0 ? 1 : 0);
        }
        for (int i = 0; i < BLOCKS; i++) {
            heldFrames = heldFrames + (block[i] != 0 ? 1L << blockOrder[i] : 0);
        }
        for (int i = 0; i < PAGES; i++) {
            heldFrames = heldFrames + (page[i] >= 0 ? 1 : 0);
        }
        for (int i = 0; i < VOBJECTS; i++) {
            heldFrames = heldFrames + (vptr[i] != 0 ? vpages[i] : 0);
        }
        long expected = base - heldFrames - (vmm.tableFrames() - tables) - kmalloc.heapFrames();
        check(vmm.pmm().freeFrames() == expected, 11, op);
        check(space.activate() == Err.OK, 11, op);
        for (int i = 0; i < PAGES; i++) {
            if (page[i] >= 0) {
                check(Cpu.load64(USER_BASE + Pmm.FRAME * i) == tag(page[i]), 11, op);
            }
        }
        check(vmm.kernelSpace().activate() == Err.OK, 11, op);
        checks = checks + 1;
    }

    private void releaseAll(Vmm vmm, long op) {
        Pmm pmm = vmm.pmm();
        for (int i = 0; i < HELD; i++) {
            if (held[i] != 0) {
                frameOp(pmm, i, op);
            }
        }
        for (int i = 0; i < BLOCKS; i++) {
            if (block[i] != 0) {
                blockOp(pmm, i, 0, op);
            }
        }
        for (int i = 0; i < PAGES; i++) {
            if (page[i] >= 0) {
                mapOp(pmm, i, false, op);
            }
        }
        for (int i = 0; i < KOBJECTS; i++) {
            if (kptr[i] != 0) {
                kmallocOp(i, 0, op);
            }
        }
        for (int i = 0; i < VOBJECTS; i++) {
            if (vptr[i] != 0) {
                vmallocOp(vmm, i, 0, op);
            }
        }
    }
}
