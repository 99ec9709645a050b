package verimem.kernel.boot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import verimem.kernel.memmap.MemoryMap;

/**
 * TEST-ONLY stand-in for the memmap branch's dmesg reader and sanitiser, until that lands on main: reads the
 * `[mem a-b] type` form (inclusive end) and the old `a - b (type)` form (exclusive end), skips gap lines, then
 * builds a sanitised, carved map the simple way (every elementary interval takes the highest type code covering
 * it, so any firmware type beats USABLE and every carve-out beats the firmware; USABLE is aligned inwards).
 * It is deliberately naive and slow-but-obvious: it only has to produce the input the bootstrap expects.
 *
 * Carve-outs used for every map: low 1 MiB, a 1 MiB kernel image at 1 MiB, and a boot-info block of 0x1234 bytes
 * right after the image (GRUB's habit), whose end is deliberately not page aligned.
 */
final class TestMaps {
    static final long MIB = 1L << 20;
    static final long KERNEL_START = MIB;
    static final long KERNEL_END = 2 * MIB;
    static final long BOOT_INFO_END = 2 * MIB + 0x1234;
    /** Frames the carve-outs cover, rounded out: 256 + 256 + 2. */
    static final long CARVED_FRAMES = 256 + 256 + 2;

    private static final Pattern NEW_FORM =
            Pattern.compile("\\[mem 0x([0-9a-fA-F]+)-0x([0-9a-fA-F]+)\\]\\s+(.+?)\\s*$");
    private static final Pattern OLD_FORM =
            Pattern.compile("([0-9a-fA-F]{8,16}) - ([0-9a-fA-F]{8,16}) \\((.+)\\)\\s*$");

    private TestMaps() {
    }

    record Entry(long start, long end, int type) {
    }

    static List<Entry> parseDmesg(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Entry> out = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("#") || !line.contains("e820")) {
                continue;
            }
            Matcher m = NEW_FORM.matcher(line);
            if (m.find()) {
                out.add(new Entry(Long.parseUnsignedLong(m.group(1), 16),
                        Long.parseUnsignedLong(m.group(2), 16) + 1, typeOf(m.group(3))));
                continue;
            }
            m = OLD_FORM.matcher(line);
            if (m.find()) {
                out.add(new Entry(Long.parseUnsignedLong(m.group(1), 16), Long.parseUnsignedLong(m.group(2), 16),
                        typeOf(m.group(3))));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no e820 entries in " + file);
        }
        return out;
    }

    static int typeOf(String name) {
        String n = name.trim();
        if (n.equals("usable") || n.equals("System RAM")) {
            return MemoryMap.USABLE;
        }
        if (n.equals("reserved") || n.equals("device reserved")) {
            return MemoryMap.RESERVED;
        }
        if (n.equals("ACPI data")) {
            return MemoryMap.ACPI_RECLAIMABLE;
        }
        if (n.equals("ACPI NVS")) {
            return MemoryMap.ACPI_NVS;
        }
        if (n.equals("unusable")) {
            return MemoryMap.BAD;
        }
        if (n.contains("type 7")) {
            return MemoryMap.PERSISTENT;
        }
        if (n.contains("type 12")) {
            return MemoryMap.PRAM;
        }
        throw new IllegalArgumentException("unknown e820 type: " + name);
    }

    /** The firmware entries plus the standard carve-outs, sanitised into a MemoryMap. */
    static MemoryMap sanitiseAndCarve(List<Entry> firmware) {
        List<Entry> all = new ArrayList<>(firmware);
        all.add(new Entry(0, MIB, MemoryMap.LOW_MEMORY));
        all.add(new Entry(KERNEL_START, KERNEL_END, MemoryMap.KERNEL_IMAGE));
        all.add(new Entry(KERNEL_END, BOOT_INFO_END, MemoryMap.BOOT_INFO));
        TreeSet<Long> cuts = new TreeSet<>();
        for (Entry e : all) {
            cuts.add(e.start);
            cuts.add(e.end);
        }
        List<Entry> pieces = new ArrayList<>();
        Long prev = null;
        for (long c : cuts) {
            if (prev != null) {
                int type = 0;
                for (Entry e : all) {
                    if (e.start <= prev && c <= e.end) {
                        type = Math.max(type, e.type);
                    }
                }
                if (type != 0) {
                    Entry last = pieces.isEmpty() ? null : pieces.get(pieces.size() - 1);
                    if (last != null && last.type == type && last.end == prev) {
                        pieces.set(pieces.size() - 1, new Entry(last.start, c, type));
                    } else {
                        pieces.add(new Entry(prev, c, type));
                    }
                }
            }
            prev = c;
        }
        MemoryMap map = new MemoryMap();
        for (Entry p : pieces) {
            long s = p.start, e = p.end;
            if (p.type == MemoryMap.USABLE) {
                s = (s + 4095) / 4096 * 4096;
                e = e / 4096 * 4096;
                if (e <= s) {
                    continue;
                }
            }
            if (map.add(s, e, p.type) != 0) {
                throw new IllegalStateException("map too long");
            }
        }
        return map;
    }

    static MemoryMap fromFile(Path file) {
        return sanitiseAndCarve(parseDmesg(file));
    }

    // ---- QEMU-like maps (pc / i440fx with SeaBIOS), from the facts in ../shared/DESIGN.md ----

    private static final long G = 1L << 30;

    /** -m 128M: all RAM below 4 GiB; SeaBIOS keeps the last 128 KiB of RAM and the BIOS ROM shadow. */
    static MemoryMap qemu128m() {
        return sanitiseAndCarve(List.of(
                new Entry(0, 0x9fc00, MemoryMap.USABLE),
                new Entry(0x9fc00, 0xa0000, MemoryMap.RESERVED),
                new Entry(0xf0000, 0x100000, MemoryMap.RESERVED),
                new Entry(0x100000, 0x7fe0000, MemoryMap.USABLE),
                new Entry(0x7fe0000, 0x8000000, MemoryMap.RESERVED),
                new Entry(0xfeffc000L, 0xff000000L, MemoryMap.RESERVED),
                new Entry(0xfffc0000L, 0x100000000L, MemoryMap.RESERVED)));
    }

    /** RAM of `mib` MiB above 3 GiB: low RAM stops at 3 GiB (the PCI hole 3-4 GiB), the rest sits above 4 GiB. */
    static MemoryMap qemuHighMem(long mib, boolean amdHole) {
        long ram = mib * MIB;
        List<Entry> e = new ArrayList<>(List.of(
                new Entry(0, 0x9fc00, MemoryMap.USABLE),
                new Entry(0x9fc00, 0xa0000, MemoryMap.RESERVED),
                new Entry(0xf0000, 0x100000, MemoryMap.RESERVED),
                new Entry(0x100000, 3 * G - 0x20000, MemoryMap.USABLE),
                new Entry(3 * G - 0x20000, 3 * G, MemoryMap.RESERVED),
                new Entry(0xfeffc000L, 0xff000000L, MemoryMap.RESERVED),
                new Entry(0xfffc0000L, 0x100000000L, MemoryMap.RESERVED),
                new Entry(4 * G, 4 * G + (ram - 3 * G), MemoryMap.USABLE)));
        if (amdHole) {
            e.add(new Entry(1012 * G, 1024 * G, MemoryMap.RESERVED));
        }
        return sanitiseAndCarve(e);
    }

    static MemoryMap qemu3584m() {
        return qemuHighMem(3584, false);
    }

    /** -m 8G with an AMD-vendor CPU: also the reserved HyperTransport range at 1012 GiB. */
    static MemoryMap qemu8g() {
        return qemuHighMem(8192, true);
    }

    // ---- independent figures, computed from the map by the test, never by the code under test ----

    static long usableFrames(MemoryMap map) {
        long n = 0;
        for (int i = 0; i < map.count(); i++) {
            if (map.type(i) == MemoryMap.USABLE) {
                n += (map.end(i) - map.start(i)) / 4096;
            }
        }
        return n;
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
