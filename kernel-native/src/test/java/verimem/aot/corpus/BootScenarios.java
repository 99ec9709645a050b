package verimem.aot.corpus;

import verimem.kernel.arch.Cpu;
import verimem.kernel.memmap.CarveOuts;
import verimem.kernel.memmap.MapInvariants;
import verimem.kernel.memmap.MapSanitiser;
import verimem.kernel.memmap.MemoryMap;
import verimem.kernel.memmap.Multiboot2;
import verimem.kernel.pmm.Pmm;

/**
 * Whole scenarios over the real kernel classes (memmap sanitiser, carve-outs, invariants, multiboot2 parser,
 * PMM), driven by a seed, each folded into a checksum of every result and the final state. Written in the kernel
 * subset so the same bytecode runs on the JVM and as generated C.
 */
public final class BootScenarios {
    private BootScenarios() {
    }

    private static long next(long x) {
        return x * 6364136223846793005L + 1442695040888963407L;
    }

    /** Folds a map's entries into a checksum (RealMapScenario uses it too). */
    static long fold(long check, MemoryMap m) {
        long c = check * 31 + m.count();
        for (int i = 0; i < m.count(); i++) {
            c = c * 31 + m.start(i);
            c = c * 31 + m.end(i);
            c = c * 31 + m.type(i);
        }
        return c;
    }

    /** n seeded raw entries (some overlapping, some empty or reversed) below 64 MiB, then a sanitised map. */
    private static long randomRaw(MemoryMap raw, int n, long seed) {
        long x = seed;
        int count = (n % 24 + 24) % 24;
        for (int i = 0; i < count; i++) {
            x = next(x);
            long start = ((x >> 24) % 16384 + 16384) % 16384 * 4096 + (x >> 60) * 512;
            x = next(x);
            long length = ((x >> 30) % 4096) * 4096;
            int type = (int) ((x >> 8) % 6 + 6) % 6;
            raw.add(start, start + length, type == 0 ? MemoryMap.USABLE : type);
        }
        return x;
    }

    /** Raw map -> sanitise -> standard carve-outs -> apply -> invariants and usable frames. */
    public static long memmap(int n, long seed) {
        MemoryMap raw = new MemoryMap();
        MemoryMap scratch = new MemoryMap();
        MemoryMap sanitised = new MemoryMap();
        MemoryMap carve = new MemoryMap();
        MemoryMap modules = new MemoryMap();
        MemoryMap out = new MemoryMap();
        randomRaw(raw, n, seed);
        long r = MapSanitiser.sanitise(raw, scratch, sanitised);
        long check = fold(r, sanitised);
        if (r != 0) {
            return check;
        }
        modules.add(0x800000, 0x812345, MemoryMap.BOOT_MODULE);
        check = check * 31 + CarveOuts.standard(carve, 0x100000, 0x2f0000, 0x2f0000, 0x2f1000, modules);
        long a = CarveOuts.apply(sanitised, carve, scratch, out);
        check = fold(check * 31 + a, out);
        if (a == 0) {
            check = check * 31 + (MapInvariants.isSanitised(out) ? 1 : 0);
            check = check * 31 + MapInvariants.usableFrames(out);
        }
        return check;
    }

    /** A PMM over a seeded sanitised map: release the usable ranges, then seeded alloc/free operations. */
    public static long pmm(int ops, long seed) {
        MemoryMap raw = new MemoryMap();
        MemoryMap scratch = new MemoryMap();
        MemoryMap usable = new MemoryMap();
        long x = randomRaw(raw, 23, seed);
        long check = MapSanitiser.sanitise(raw, scratch, usable);
        if (check != 0) {
            return check;
        }
        check = Pmm.metadataBytes(usable);
        Pmm pmm = new Pmm(usable);
        for (int i = 0; i < usable.count(); i++) {
            if (usable.type(i) == MemoryMap.USABLE) {
                long s = (usable.start(i) + 4095) / 4096 * 4096;
                long e = usable.end(i) / 4096 * 4096;
                if (s < e) {
                    check = check * 31 + pmm.release(s, e);
                }
            }
        }
        long[] held = new long[64];
        int heldCount = 0;
        int count = (ops % 400 + 400) % 400;
        for (int k = 0; k < count; k++) {
            x = next(x);
            int choice = (int) ((x >> 40) % 5 + 5) % 5;
            long r;
            if (choice <= 1 && heldCount < 64) {
                r = pmm.allocFrame();
                if (r >= 0) {
                    held[heldCount] = r;
                    heldCount++;
                }
            } else if (choice == 2 && heldCount > 0) {
                heldCount--;
                r = pmm.freeFrame(held[heldCount]);
            } else if (choice == 3) {
                int order = (int) ((x >> 20) % 4 + 4) % 4;
                r = pmm.allocAligned(order);
                if (r >= 0) {
                    check = check * 31 + pmm.freeAligned(r, order);
                }
            } else {
                r = pmm.freeFrame((x >> 30) % 8192 * 4096); // often not allocated: an error code
            }
            check = check * 31 + r;
            check = check * 31 + pmm.freeFrames();
        }
        return check * 31 + pmm.managedFrames();
    }

    private static void store32Pair(long va, long low, long high) {
        Cpu.store64(va, low + high * 4294967296L);
    }

    /** A multiboot2 info structure written into memory, then parsed by the real parser. */
    public static long multiboot2(int entries, long seed) {
        long info = 4096;
        int n = (entries % 12 + 12) % 12;
        long mmapTagSize = 16 + 24L * n;
        long total = 8 + mmapTagSize + 8;
        long x = seed;
        store32Pair(info, total, 0);
        long tag = info + 8;
        store32Pair(tag, Multiboot2.TAG_MMAP, mmapTagSize);
        store32Pair(tag + 8, 24, 0);
        for (int k = 0; k < n; k++) {
            long e = tag + 16 + 24L * k;
            x = next(x);
            Cpu.store64(e, (x >> 16) % 1048576 * 4096);
            x = next(x);
            Cpu.store64(e + 8, (x >> 40) * 4096);
            store32Pair(e + 16, (x >> 8) % 7 + 1 + (k == 3 ? 4000000000L : 0), 0);
        }
        store32Pair(tag + mmapTagSize, Multiboot2.TAG_END, 8);
        MemoryMap mmap = new MemoryMap();
        MemoryMap modules = new MemoryMap();
        long r = Multiboot2.parse(info, mmap, modules);
        return fold(fold(r, mmap), modules);
    }
}
