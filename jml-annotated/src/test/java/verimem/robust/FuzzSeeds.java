package verimem.robust;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import verimem.host.dmesg.SharedMaps;
import verimem.kernel.memmap.MemoryMap;

/**
 * The seed maps of the Jazzer targets, as {base, length, type} entry lists: the twelve real firmware maps of
 * ../shared/memory-maps (copied into the test resources) and the firmware edge cases issue 9 lists. Each target
 * encodes them in its own input format.
 */
final class FuzzSeeds {
    static final long MIB = 1L << 20, GIB = 1L << 30, TIB = 1L << 40;

    private FuzzSeeds() {
    }

    /** Name -> entries; real maps first (sorted by file name), then the edge cases. */
    static Map<String, List<long[]>> all() {
        Map<String, List<long[]>> seeds = new LinkedHashMap<>();
        String[] names = SharedMaps.path("001-hp-pavilion-dm1-amd-e450.txt").getParent().toFile().list();
        Arrays.sort(names);
        for (String name : names) {
            MemoryMap m = SharedMaps.raw(name);
            List<long[]> entries = new ArrayList<>();
            for (int i = 0; i < m.count(); i++) {
                entries.add(new long[] {m.start(i), m.end(i) - m.start(i), m.type(i) & 0xFFFF_FFFFL});
            }
            seeds.put(name, entries);
        }
        seeds.putAll(edgeCases());
        return seeds;
    }

    static Map<String, List<long[]>> edgeCases() {
        Map<String, List<long[]>> s = new LinkedHashMap<>();
        s.put("sub-page entries and byte-aligned splits", List.of(e(0, 0x9fc00, 1), e(0x9fc00, 0x400, 2),
                e(0x100000, 0x1234567, 1), e(0x1334567, 0x800, 1), e(0x1334d67, 0x6ccb299, 1), e(0x8000000, 0x7ff, 3),
                e(0x80007ff, 0x801, 1), e(0x8001000, 0x3fff000, 1)));
        s.put("starts at 0x100", List.of(e(0x100, 0x9f00, 1), e(0xf0000, 0x10000, 2), e(0x100000, 0x7f00000, 1)));
        s.put("no page 0", List.of(e(0x1000, 0x9e000, 1), e(0x100000, 0x3f00000, 1), e(0xfffc0000L, 0x40000, 2)));
        s.put("two entries (firecracker)", List.of(e(0, 0x9fc00, 1), e(0x100000, 0x3ff00000, 1)));
        s.put("entries above 1 TiB", List.of(e(0, 0x9fc00, 1), e(0x100000, 0x7f00000, 1), e(TIB, 16 * MIB, 1),
                e(0xfd00000000L, 0x300000000L, 2), e(1012 * GIB, GIB, 2)));
        s.put("overlapping", List.of(e(0x100000, 0x8000000, 1), e(0x4000000, 0x100000, 2), e(0x7f00000, 0x200000, 3),
                e(0x2000000, 0x10, 4)));
        List<long[]> unsorted = new ArrayList<>(List.of(e(0, 0x9fc00, 1), e(0x9fc00, 0x400, 2), e(0xf0000, 0x10000, 2),
                e(0x100000, 0x7ee0000, 1), e(0x7fe0000, 0x20000, 2), e(0xfffc0000L, 0x40000, 2)));
        Collections.shuffle(unsorted, new Random(9));
        s.put("unsorted", unsorted);
        s.put("zero-length", List.of(e(0, 0x9fc00, 1), e(0x9fc00, 0, 2), e(0x100000, 0x7f00000, 1), e(0x8000000, 0, 1)));
        s.put("wrapping", List.of(e(0, 0x9fc00, 1), e(0x100000, 0x7f00000, 1), e(-0x1000L, 0x2000, 2),
                e(0xfffff000L, -0x800L, 2)));
        s.put("unknown types 7 12 20 128", List.of(e(0x100000, 0x7f00000, 1), e(0x1000000, 0x100000, 7),
                e(0x2000000, 0x100000, 12), e(0x3000000, 0x100000, 20), e(0x4000000, 0x100000, 128)));
        List<long[]> many = new ArrayList<>(List.of(e(0, 0x9fc00, 1), e(0x100000, 0x7f00000, 1)));
        for (int i = 0; i < 300; i++) {
            many.add(e(0x200000000L + i * 0x2000L, 0x1000, 1 + i % 2));
        }
        s.put("more entries than the table holds", many);
        s.put("no usable memory", List.of(e(0, 0x9fc00, 2), e(0x100000, 0x7f00000, 2), e(0xfffc0000L, 0x40000, 4)));
        s.put("usable up to 2^52", List.of(e(0x100000, 0x7f00000, 1), e((1L << 52) - GIB, GIB, 1)));
        return s;
    }

    static long[] e(long base, long length, long type) {
        return new long[] {base, length, type};
    }

    /** Every entry cut to [0, limit): what a target that boots a machine of at most that size keeps of a map. */
    static List<long[]> clippedBelow(List<long[]> entries, long limit) {
        List<long[]> out = new ArrayList<>();
        for (long[] x : entries) {
            long end = x[0] + x[1];
            if (x[1] != 0 && Long.compareUnsigned(end, x[0]) > 0 && Long.compareUnsigned(x[0], limit) < 0) {
                out.add(e(x[0], (Long.compareUnsigned(end, limit) < 0 ? end : limit) - x[0], x[2]));
            }
        }
        return out;
    }
}
