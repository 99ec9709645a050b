package verimem.aot.corpus;

import verimem.kernel.memmap.MemoryMap;

/** Drives the real verimem.kernel.memmap.MemoryMap: fill, overflow, read back, clear. */
public final class MemoryMapScenario {
    private MemoryMapScenario() {
    }

    /** Adds n pseudo-random entries (n may exceed the capacity), returns a checksum of results and contents. */
    public static long fill(int n, long seed) {
        MemoryMap m = new MemoryMap();
        long x = seed;
        long check = 0;
        int count = n % 300;
        for (int i = 0; i < count; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
            long start = (x >> 12) * 4096;
            long r = m.add(start, start + 4096L * (i + 1), (int) (x % 13));
            check = check * 31 + r;
        }
        for (int i = 0; i < m.count(); i++) {
            check = check * 31 + m.start(i) + m.end(i) * 7 + m.type(i);
        }
        m.clear();
        return check + m.count();
    }

    /** Reading entry i of a map with 3 entries: out-of-range i panics with a bounds check in C. */
    public static long readEntry(int i) {
        MemoryMap m = new MemoryMap();
        m.add(0, 4096, MemoryMap.USABLE);
        m.add(4096, 8192, MemoryMap.RESERVED);
        m.add(1048576, 2097152, MemoryMap.USABLE);
        return m.start(i) + m.end(i) + m.type(i);
    }
}
