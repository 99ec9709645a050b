package verimem.aot.corpus;

import verimem.kernel.arch.Cpu;
import verimem.kernel.arch.Layout;
import verimem.kernel.memmap.MemoryMap;
import verimem.kernel.pmm.Pmm;
import verimem.kernel.vmm.AddressSpace;
import verimem.kernel.vmm.TranslateResult;
import verimem.kernel.vmm.Vmm;

/**
 * The real VMM over the simulated RAM with paging on: the harness machines (FlatMachine on the JVM, walk() in
 * runtime/vm_hosted.c) translate every access through the page tables once CR3 is set, so the VMM's table
 * reads and writes (through the direct map), its user mappings and CR3 switches run the same bytecode on both
 * sides. The boot state is built by hand as the bootstrap leaves it (jml-annotated VmmFixture): a PML4 whose
 * direct-map slot holds a PDPT mapping physical [0, 1 GiB) with one 1 GiB page. Seeded map / unmap / protect /
 * translate / store-and-read-back operations on a user space, each result folded into a checksum.
 */
public final class VmmScenario {
    static final long RAM = 4L << 20;
    static final long BOOT_PML4 = 0x10000;
    static final long BOOT_PDPT = 0x11000;
    static final long USABLE_START = 0x100000;
    static final long USABLE_END = 0x300000;
    static final long P = 1, W = 2, U = 4, PS = 128;
    static final long NX = Long.MIN_VALUE;

    private VmmScenario() {
    }

    private static long next(long x) {
        return x * 6364136223846793005L + 1442695040888963407L;
    }

    private static long fold(long check, TranslateResult t) {
        long c = check * 31 + t.status;
        c = c * 31 + t.frame;
        c = c * 31 + t.offset;
        c = c * 31 + t.pageSize;
        return c * 31 + (t.writable ? 1 : 0) + (t.user ? 2 : 0) + (t.noExecute ? 4 : 0) + (t.global ? 8 : 0);
    }

    /** The bootstrap's hand-off, written while paging is still off (va == pa). */
    private static void bootTables() {
        for (int i = 0; i < 512; i++) {
            Cpu.store64(BOOT_PML4 + i * 8L, 0);
            Cpu.store64(BOOT_PDPT + i * 8L, 0);
        }
        Cpu.store64(BOOT_PML4 + Layout.DIRECT_MAP_SLOT * 8L, BOOT_PDPT + P + W);
        Cpu.store64(BOOT_PDPT, P + W + PS + NX);
        Cpu.writeCr3(BOOT_PML4);
    }

    /** A user page address from a small set, so operations meet each other's mappings. */
    private static long userVa(long x) {
        long slot = (x >> 33) % 24;
        long va = 0x400000L + (slot < 0 ? -slot : slot) * 4096;
        return (x >> 50) % 4 == 0 ? va + 0x8000000000L : va; // sometimes under another PML4 entry
    }

    /** Narrow parameter types keep the harness's call count small (each call builds a VMM: ~150k accesses). */
    public static long run(byte ops, short seed) {
        bootTables();
        MemoryMap usable = new MemoryMap();
        usable.add(USABLE_START, USABLE_END, MemoryMap.USABLE);
        Pmm pmm = new Pmm(usable);
        long check = pmm.release(USABLE_START, USABLE_END);
        Vmm vmm = new Vmm(pmm, RAM, 8);
        check = check * 31 + vmm.adoptBootSpace();
        check = check * 31 + pmm.freeFrames();
        AddressSpace space = new AddressSpace(vmm);
        check = check * 31 + space.create();
        check = check * 31 + space.activate();
        // a 2 MiB page over frames the PMM does not hand out here: translated and read through the walk
        check = check * 31 + space.map(0x40000000L, 0x200000, U, 2097152);
        check = check * 31 + Cpu.load64(0x40000000L + 0x1ff008);
        TranslateResult t = new TranslateResult();
        long x = seed * 2862933555777941757L;
        int count = (ops % 64 + 64) % 64;
        for (int k = 0; k < count; k++) {
            x = next(x);
            long va = userVa(x);
            int choice = (int) ((x >> 8) % 6 + 6) % 6;
            long r;
            if (choice <= 1) {
                long pa = pmm.allocFrame();
                r = pa < 0 ? pa : space.map(va, pa, choice == 0 ? U + W + NX : U, 4096); // W^X: writable ones NX
                if (pa >= 0 && r != 0) {
                    check = check * 31 + pmm.freeFrame(pa);
                }
            } else if (choice == 2) {
                r = space.unmap(va);
            } else if (choice == 3) {
                long flags = (x >> 20) % 3 == 0 ? U : (x >> 20) % 3 == 1 ? U + W + NX : U + W; // U + W: refused
                r = space.protect(va, flags);
            } else if (choice == 4) {
                r = space.translate(va + (x >> 40) % 4096 / 8 * 8, t);
                check = fold(check, t);
            } else {
                r = space.translate(va, t);
                if (t.status == TranslateResult.MAPPED) {
                    Cpu.store64(va + 8, x); // through the user mapping ...
                    r = Cpu.load64(Layout.directMap(t.frame + 8)); // ... read back through the direct map
                }
            }
            check = check * 31 + r;
            check = check * 31 + pmm.freeFrames();
        }
        check = check * 31 + vmm.tableFrames();
        check = check * 31 + vmm.kernelSpace().activate();
        check = check * 31 + space.destroy(true);
        return check * 31 + pmm.freeFrames();
    }
}
