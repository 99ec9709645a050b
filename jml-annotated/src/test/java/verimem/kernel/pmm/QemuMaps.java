package verimem.kernel.pmm;

import verimem.kernel.memmap.MemoryMap;

/** Memory maps shaped like QEMU's (pc machine) for -m 128M, 3584M (RAM above 4 GiB past the hole) and 8G. */
final class QemuMaps {
    private QemuMaps() {
    }

    private static MemoryMap low(long topOfLowRam) {
        MemoryMap m = new MemoryMap();
        m.add(0, 0x9fc00, MemoryMap.USABLE);
        m.add(0x9fc00, 0xa0000, MemoryMap.RESERVED);
        m.add(0xf0000, 0x100000, MemoryMap.RESERVED);
        m.add(0x100000, topOfLowRam - 0x20000, MemoryMap.USABLE);
        m.add(topOfLowRam - 0x20000, topOfLowRam, MemoryMap.RESERVED);
        m.add(0xfeffc000L, 0xff000000L, MemoryMap.RESERVED);
        m.add(0xfffc0000L, 0x100000000L, MemoryMap.RESERVED);
        return m;
    }

    static MemoryMap mib128() {
        return low(128L << 20);
    }

    static MemoryMap mib3584() {
        MemoryMap m = low(3L << 30);
        m.add(1L << 32, (1L << 32) + (512L << 20), MemoryMap.USABLE);
        return m;
    }

    static MemoryMap gib8() {
        MemoryMap m = low(3L << 30);
        m.add(1L << 32, (1L << 32) + (5L << 30), MemoryMap.USABLE);
        return m;
    }

    /** Usable frames of a map after rounding inwards (the maps above have no overlaps). */
    static long usableFrames(MemoryMap m) {
        long n = 0;
        for (int i = 0; i < m.count(); i++) {
            if (m.type(i) == MemoryMap.USABLE) {
                n += Math.max(0, m.end(i) / 4096 - (m.start(i) + 4095) / 4096);
            }
        }
        return n;
    }
}
