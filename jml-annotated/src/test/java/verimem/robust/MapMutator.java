package verimem.robust;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Hostile variants of a memory map, two ways. Entry level: the cases firmware really produces (byte-aligned
 * splits, sub-page entries, maps starting at 0x100 or without page 0, two-entry maps, entries above 1 TiB,
 * overlaps, unsorted, zero-length and wrapping entries, unknown types, more entries than the table holds, no usable
 * memory, ranges reaching 2^52 and 2^64). Byte level, on the encoded multiboot2 structure: corrupted sizes,
 * truncation, bit flips.
 */
final class MapMutator {
    static final long TIB = 1L << 40, MAX_PHYS = 1L << 52;
    static final long[] TYPES = {0, 1, 2, 3, 4, 5, 7, 12, 20, 128, 0xFFFF_FFFFL, 0x8000_0000L};

    private final Random rnd;

    MapMutator(Random rnd) {
        this.rnd = rnd;
    }

    /** One to three entry-level mutations of a copy of seed. */
    List<long[]> mutateEntries(List<long[]> seed, boolean allowHugeRanges) {
        List<long[]> m = new ArrayList<>();
        for (long[] e : seed) {
            m.add(e.clone());
        }
        int n = 1 + rnd.nextInt(3);
        for (int i = 0; i < n; i++) {
            mutateOnce(m, allowHugeRanges);
        }
        return m;
    }

    private long[] pick(List<long[]> m) {
        return m.get(rnd.nextInt(m.size()));
    }

    private void mutateOnce(List<long[]> m, boolean allowHugeRanges) {
        if (m.isEmpty()) {
            m.add(new long[] {0x100000, 0x100000, 1});
            return;
        }
        switch (rnd.nextInt(allowHugeRanges ? 17 : 16)) {
            case 0 -> { // byte-aligned split of an entry into two touching entries
                long[] e = pick(m);
                if (e[1] > 2) {
                    long cut = 1 + (long) (rnd.nextDouble() * (e[1] - 1));
                    m.add(new long[] {e[0] + cut, e[1] - cut, e[2]});
                    e[1] = cut;
                }
            }
            case 1 -> pick(m)[1] = 1 + rnd.nextInt(4095); // sub-page entry
            case 2 -> { // start at 0x100, no page 0
                long[] e = m.get(0);
                e[0] = 0x100;
            }
            case 3 -> { // two-entry map
                while (m.size() > 2) {
                    m.remove(m.size() - 1);
                }
            }
            case 4 -> m.add(new long[] {TIB * (1 + rnd.nextInt(1000)), (1L << 30) * (1 + rnd.nextInt(64)), 1});
            case 5 -> { // overlap: a copy of an entry, shifted, with another type
                long[] e = pick(m);
                m.add(new long[] {e[0] + rnd.nextInt(1 << 20), e[1], TYPES[rnd.nextInt(TYPES.length)]});
            }
            case 6 -> { // unsorted
                java.util.Collections.shuffle(m, rnd);
            }
            case 7 -> pick(m)[1] = 0; // zero length
            case 8 -> { // wrapping entry: base + length passes 2^64
                long[] e = pick(m);
                e[0] = -(1L << (12 + rnd.nextInt(40)));
                e[1] = 1L << (20 + rnd.nextInt(43));
            }
            case 9 -> pick(m)[2] = TYPES[rnd.nextInt(TYPES.length)]; // unknown or other type
            case 10 -> { // more entries than a fixed table holds
                int extra = 200 + rnd.nextInt(200);
                long base = 1L << 33;
                for (int i = 0; i < extra; i++) {
                    m.add(new long[] {base + i * 8192L, 4096, 1 + (i % 2)});
                }
            }
            case 11 -> { // no usable memory
                for (long[] e : m) {
                    if (e[2] == 1) {
                        e[2] = 2;
                    }
                }
            }
            case 12 -> { // unaligned start of a usable entry
                long[] e = pick(m);
                e[0] = e[0] + 1 + rnd.nextInt(4095);
            }
            case 13 -> { // an entry just below the 52-bit physical limit, not reaching it
                m.add(new long[] {MAX_PHYS - (1L << (30 + rnd.nextInt(5))), 1L << 30, TYPES[rnd.nextInt(3)]});
            }
            case 14 -> { // a non-usable entry reaching or passing 2^52 / 2^64
                m.add(new long[] {MAX_PHYS - (1L << 32), rnd.nextBoolean() ? 1L << 33 : -1L, 2});
            }
            case 15 -> m.remove(rnd.nextInt(m.size()));
            default -> { // a usable range reaching 2^52 or 2^64: the PMM bug the fuzzer found (Pmm2pow52Test)
                long base = MAX_PHYS - (1L << (33 + rnd.nextInt(18)));
                m.add(new long[] {base, rnd.nextBoolean() ? 1L << 51 : -1L - base, 1});
            }
        }
    }

    /** One byte-level corruption of an encoded structure (the array may be returned shorter). */
    byte[] mutateBytes(byte[] in) {
        byte[] b = in.clone();
        int tagsStart = 8;
        switch (rnd.nextInt(7)) {
            case 0 -> b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8)); // bit flip anywhere
            case 1 -> Mb2Image.putU32(b, 0, rnd.nextInt(b.length + 64)); // total_size wrong
            case 2 -> { // a tag size field corrupted (walks the tag chain to a random tag)
                int off = tagsStart;
                int hops = rnd.nextInt(4);
                for (int i = 0; i < hops && off + 8 <= b.length; i++) {
                    long size = Mb2Image.getU32(b, off + 4);
                    if (size < 8 || off + size > b.length) {
                        break;
                    }
                    off += (int) ((size + 7) / 8 * 8);
                }
                if (off + 8 <= b.length) {
                    long[] sizes = {0, 7, 8, 9, 15, 16, 17, 0xFFFF_FFFFL, 0x8000_0000L, b.length, b.length - off + 8};
                    Mb2Image.putU32(b, off + 4, sizes[rnd.nextInt(sizes.length)]);
                }
            }
            case 3 -> { // truncated: structure and total_size cut at a random point
                int len = 8 + rnd.nextInt(Math.max(1, b.length - 8));
                b = java.util.Arrays.copyOf(b, len);
                Mb2Image.putU32(b, 0, len);
            }
            case 4 -> { // entry_size of the memory-map tag corrupted
                int off = find(b, 6);
                if (off >= 0) {
                    long[] sizes = {0, 8, 16, 20, 23, 25, 32, 48, 0xFFFF_FFFFL};
                    Mb2Image.putU32(b, off + 8, sizes[rnd.nextInt(sizes.length)]);
                }
            }
            case 5 -> { // end tag removed or duplicated memory-map tag type
                int off = find(b, rnd.nextBoolean() ? 0 : 1);
                if (off >= 0) {
                    Mb2Image.putU32(b, off, rnd.nextBoolean() ? 6 : 0x7fff);
                }
            }
            default -> { // random 4-byte word overwritten with an edge value
                int off = (rnd.nextInt(Math.max(1, b.length / 4))) * 4;
                long[] vals = {0, 1, 0xFFFF_FFFFL, 0x8000_0000L, 0x1000, 24};
                if (off + 4 <= b.length) {
                    Mb2Image.putU32(b, off, vals[rnd.nextInt(vals.length)]);
                }
            }
        }
        return b;
    }

    /** Offset of the first tag of a type in a well-formed prefix, or -1. */
    static int find(byte[] b, long type) {
        int off = 8;
        while (off + 8 <= b.length) {
            long t = Mb2Image.getU32(b, off);
            long size = Mb2Image.getU32(b, off + 4);
            if (t == type) {
                return off;
            }
            if (size < 8 || off + size > b.length) {
                return -1;
            }
            off += (int) ((size + 7) / 8 * 8);
        }
        return -1;
    }
}
