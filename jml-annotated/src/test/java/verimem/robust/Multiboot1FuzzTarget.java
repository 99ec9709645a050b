package verimem.robust;

import java.util.ArrayList;
import java.util.List;

import verimem.host.sim.PhysicalMemory;
import verimem.kernel.arch.Err;
import verimem.kernel.memmap.MemoryMap;
import verimem.kernel.memmap.Multiboot1;

/**
 * Jazzer target: Multiboot1.parse (what `qemu -kernel` hands over), then the pipeline. Input: u32 flags, u32
 * mmap_length, u8 skew, then the entry array as the loader writes it (u32 size, u64 base, u64 length, u32 type per
 * entry). The array is placed so that max(mmap_length, its length) ends at the top of the only mapped page, shifted
 * down by skew % 4 bytes (a misaligned mmap_addr); a read past it is a page fault, i.e. a finding. When the parser
 * accepts, the oracle's own walk of the size fields must read the same entries.
 */
public final class Multiboot1FuzzTarget {
    static final int HEADER = 9;
    static final long INFO = 0x10000;

    private Multiboot1FuzzTarget() {
    }

    public static void fuzzerInitialize() {
        FuzzOutcomes.printAtExit("multiboot1");
    }

    public static void fuzzerTestOneInput(byte[] data) {
        FuzzOutcomes.count(run(FuzzPipeline.REAL, data));
    }

    static String run(FuzzPipeline.Sanitiser sanitiser, byte[] data) {
        byte[] header = java.util.Arrays.copyOf(data, HEADER);
        long flags = FuzzBytes.u32(header, 0), length = FuzzBytes.u32(header, 4);
        int skew = (header[8] & 0xFF) % 4;
        byte[] array = java.util.Arrays.copyOfRange(data, Math.min(HEADER, data.length),
                Math.min(data.length, HEADER + (int) Multiboot1.MAX_MMAP_LENGTH));
        long mapped = Math.max(Math.min(length, Multiboot1.MAX_MMAP_LENGTH), array.length);
        long addr = (Multiboot2FuzzTarget.WINDOW - mapped) / 4 * 4 - skew;
        PhysicalMemory ram = Multiboot2FuzzTarget.machine().ram();
        for (int i = 0; i < array.length; i++) {
            ram.write8(addr + i, array[i] & 0xFF);
        }
        ram.write32(INFO, (int) flags);
        ram.write32(INFO + 44, (int) length);
        ram.write32(INFO + 48, (int) addr);
        MemoryMap raw = new MemoryMap();
        long r = Multiboot1.parse(INFO, 0, raw);
        if (r != Err.OK) {
            FuzzPipeline.check(r == Err.BAD_MEMORY_MAP, "parse returned " + r);
            return "parse BAD_MEMORY_MAP";
        }
        FuzzPipeline.check((flags & (1 << 6)) != 0 && addr % 4 == 0 && length <= Multiboot1.MAX_MMAP_LENGTH,
                "parser accepted flags " + FuzzBytes.hex(flags) + ", mmap_addr " + FuzzBytes.hex(addr) + ", length " + length);
        List<long[]> entries = referenceWalk(array, length);
        FuzzPipeline.checkParsed(raw, entries);
        return FuzzPipeline.run(sanitiser, raw, entries, addr, addr + length, new MemoryMap()).outcome();
    }

    /** Multiboot 1 (3.3): each entry's size word counts the bytes after it; entries until mmap_length is used up. */
    static List<long[]> referenceWalk(byte[] a, long length) {
        List<long[]> out = new ArrayList<>();
        long off = 0;
        while (off + 24 <= length) {
            long size = Multiboot2FuzzTarget.u32(a, off);
            out.add(new long[] {Multiboot2FuzzTarget.u64(a, off + 4), Multiboot2FuzzTarget.u64(a, off + 12),
                    Multiboot2FuzzTarget.u32(a, off + 20)});
            off += size + 4;
        }
        return out;
    }

    static byte[] encode(List<long[]> entries) {
        byte[] array = Mb1Image.entries(entries);
        byte[] out = new byte[HEADER + array.length];
        Mb2Image.putU32(out, 0, 1 << 6);
        Mb2Image.putU32(out, 4, array.length);
        System.arraycopy(array, 0, out, HEADER, array.length);
        return out;
    }

    static List<byte[]> seedInputs() {
        return FuzzSeeds.all().values().stream().map(Multiboot1FuzzTarget::encode).toList();
    }
}
