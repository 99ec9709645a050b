package verimem.kernel.boot;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import verimem.host.dmesg.SharedMaps;
import verimem.kernel.arch.Err;
import verimem.kernel.memmap.CarveOuts;
import verimem.kernel.memmap.MapSanitiser;
import verimem.kernel.memmap.MemoryMap;

/**
 * Maps for the bootstrap tests, all going through the real memmap code: the dmesg parser for the shared maps,
 * {@link MapSanitiser} and {@link CarveOuts} for every map. Carve-outs: the low 1 MiB, a 1 MiB kernel image at
 * 1 MiB and a boot-info block of 0x1234 bytes right after it (GRUB's habit; its end is deliberately unaligned).
 */
final class TestMaps {
    static final long MIB = 1L << 20;
    static final long G = 1L << 30;
    static final long KERNEL_START = MIB;
    static final long KERNEL_END = 2 * MIB;
    static final long BOOT_INFO_END = 2 * MIB + 0x1234;

    private TestMaps() {
    }

    /** The map before (sanitised) and after (carved) the carve-outs. */
    record Prepared(MemoryMap sanitised, MemoryMap carved) {
    }

    static Prepared prepare(MemoryMap raw) {
        MemoryMap scratch = new MemoryMap();
        MemoryMap sanitised = new MemoryMap();
        if (MapSanitiser.sanitise(raw, scratch, sanitised) != Err.OK) {
            throw new IllegalArgumentException("sanitiser refused the map");
        }
        MemoryMap list = new MemoryMap();
        if (CarveOuts.standard(list, KERNEL_START, KERNEL_END, KERNEL_END, BOOT_INFO_END, new MemoryMap()) != Err.OK) {
            throw new IllegalStateException("carve-out list");
        }
        MemoryMap carved = new MemoryMap();
        if (CarveOuts.apply(sanitised, list, scratch, carved) != Err.OK) {
            throw new IllegalArgumentException("carve-outs refused");
        }
        return new Prepared(sanitised, carved);
    }

    static List<String> sharedMapNames() {
        try {
            Path dir = Path.of(TestMaps.class.getResource("/memory-maps").toURI());
            try (Stream<Path> s = Files.list(dir)) {
                return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".txt")).sorted()
                        .collect(Collectors.toList());
            }
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Prepared shared(String name) {
        return prepare(SharedMaps.raw(name));
    }

    // ---- QEMU-like maps (pc / i440fx with SeaBIOS), from the facts in ../shared/DESIGN.md ----

    private static MemoryMap raw(long[][] entries) {
        MemoryMap m = new MemoryMap();
        for (long[] e : entries) {
            m.add(e[0], e[1], (int) e[2]);
        }
        return m;
    }

    static final long U = MemoryMap.USABLE, R = MemoryMap.RESERVED;

    /** -m 128M: all RAM below 4 GiB; SeaBIOS keeps the last 128 KiB of RAM, plus the EBDA and the BIOS area. */
    static Prepared qemu128m() {
        return prepare(raw(new long[][] {
            {0, 0x9fc00, U}, {0x9fc00, 0xa0000, R}, {0xf0000, 0x100000, R}, {0x100000, 0x7fe0000, U},
            {0x7fe0000, 0x8000000, R}, {0xfeffc000L, 0xff000000L, R}, {0xfffc0000L, 0x100000000L, R}}));
    }

    /** `mib` MiB of RAM, more than 3 GiB: low RAM stops at 3 GiB (hole 3-4 GiB), the rest lies above 4 GiB. */
    static Prepared qemuHighMem(long mib, boolean amdHole) {
        long ram = mib * MIB;
        MemoryMap m = raw(new long[][] {
            {0, 0x9fc00, U}, {0x9fc00, 0xa0000, R}, {0xf0000, 0x100000, R}, {0x100000, 3 * G - 0x20000, U},
            {3 * G - 0x20000, 3 * G, R}, {0xfeffc000L, 0xff000000L, R}, {0xfffc0000L, 0x100000000L, R},
            {4 * G, 4 * G + (ram - 3 * G), U}});
        if (amdHole) {
            m.add(1012 * G, 1024 * G, (int) R);
        }
        return prepare(m);
    }

    static Prepared qemu3584m() {
        return qemuHighMem(3584, false);
    }

    /** -m 8G with an AMD-vendor CPU: also the reserved HyperTransport range at 1012 GiB. */
    static Prepared qemu8g() {
        return qemuHighMem(8192, true);
    }

    // ---- independent figures, computed by the test from the maps, never by the code under test ----

    static long usableFrames(MemoryMap map) {
        long n = 0;
        for (int i = 0; i < map.count(); i++) {
            if (map.type(i) == MemoryMap.USABLE) {
                n += (map.end(i) - map.start(i)) / 4096;
            }
        }
        return n;
    }

    /** Carve-outs only re-type usable memory, so the frames they took are exactly the usable frames that went. */
    static long carvedFrames(Prepared p) {
        return usableFrames(p.sanitised()) - usableFrames(p.carved());
    }

    static boolean insideUsable(MemoryMap map, long pa, long bytes) {
        for (int i = 0; i < map.count(); i++) {
            if (map.type(i) == MemoryMap.USABLE && map.start(i) <= pa && pa + bytes <= map.end(i)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Page tables the early mapper must create to map `pages` pages from METADATA_START, given that the loader's
     * tables have nothing in the PMM metadata slot: one PDPT, one PD per 1 GiB touched, one PT per 2 MiB touched.
     */
    static long expectedMetadataTables(long pages) {
        long first = Bootstrap.METADATA_START;
        long last = first + (pages - 1) * 4096;
        long pds = Math.floorDiv(last, G) - Math.floorDiv(first, G) + 1;
        long pts = Math.floorDiv(last, 2 * MIB) - Math.floorDiv(first, 2 * MIB) + 1;
        return 1 + pds + pts;
    }
}
