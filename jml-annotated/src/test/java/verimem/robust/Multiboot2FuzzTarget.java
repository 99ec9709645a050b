package verimem.robust;

import java.util.ArrayList;
import java.util.List;

import verimem.host.sim.PhysicalMemory;
import verimem.host.sim.SimMachine;
import verimem.kernel.arch.Cpu;
import verimem.kernel.arch.Err;
import verimem.kernel.memmap.MemoryMap;
import verimem.kernel.memmap.Multiboot2;

/**
 * Jazzer target: Multiboot2.parse on the input bytes as a boot-information structure in simulated memory, then the
 * pipeline. The bytes are placed so that exactly [info, info + max(total_size, input length)) ends at the top of
 * the only mapped 2 MiB page (at least the 8-byte header is mapped, as a loader guarantees): a read past the
 * structure is a page fault, i.e. a finding. When the parser accepts,
 * the oracle's own tag walk ({@link #referenceWalk}) must read the same entries and modules from the same bytes.
 */
public final class Multiboot2FuzzTarget {
    static final long WINDOW = 2L << 20;

    private Multiboot2FuzzTarget() {
    }

    public static void fuzzerInitialize() {
        FuzzOutcomes.printAtExit("multiboot2");
    }

    public static void fuzzerTestOneInput(byte[] data) {
        FuzzOutcomes.count(run(FuzzPipeline.REAL, data));
    }

    /** A fresh machine whose only mapping is [0, 2 MiB) identity (RAM is sparse: unwritten memory reads 0). */
    static SimMachine machine() {
        SimMachine m = new SimMachine(8L << 20);
        PhysicalMemory ram = m.ram();
        ram.write64(0x1000, 0x2000 | 3);
        ram.write64(0x2000, 0x3000 | 3);
        ram.write64(0x3000, 0x0 | 3 | 128);
        m.loaderSetCr3(0x1000);
        Cpu.install(m);
        return m;
    }

    static void write(PhysicalMemory ram, long at, byte[] bytes) {
        for (int i = 0; i < bytes.length; i += 8) {
            long w = 0;
            for (int j = Math.min(7, bytes.length - 1 - i); j >= 0; j--) {
                w = (w << 8) | (bytes[i + j] & 0xFF);
            }
            ram.write64(at + i, w);
        }
    }

    static String run(FuzzPipeline.Sanitiser sanitiser, byte[] input) {
        byte[] image = input.length > Multiboot2.MAX_INFO_SIZE ? java.util.Arrays.copyOf(input,
                (int) Multiboot2.MAX_INFO_SIZE) : input;
        long declared = u32(java.util.Arrays.copyOf(image, Math.max(4, image.length)), 0); // a short input: then zeros
        long span = Math.max(8, Math.max(image.length, Math.min(declared, Multiboot2.MAX_INFO_SIZE)));
        long info = (WINDOW - span) / 8 * 8;
        write(machine().ram(), info, image);
        MemoryMap raw = new MemoryMap(), modules = new MemoryMap();
        long total = Multiboot2.parse(info, raw, modules);
        if (total == Err.BAD_MEMORY_MAP) {
            return "parse BAD_MEMORY_MAP";
        }
        FuzzPipeline.check(total == declared && 16 <= total && total <= Multiboot2.MAX_INFO_SIZE,
                "parse returned " + total + " for total_size " + declared);
        List<long[]> entries = new ArrayList<>(), mods = new ArrayList<>();
        referenceWalk(image, total, entries, mods);
        FuzzPipeline.checkParsed(raw, entries);
        FuzzPipeline.check(modules.count() == mods.size(), "parser kept " + modules.count() + " modules of " + mods.size());
        for (int i = 0; i < mods.size(); i++) {
            FuzzPipeline.check(modules.start(i) == mods.get(i)[0] && modules.end(i) == mods.get(i)[1]
                    && modules.type(i) == MemoryMap.BOOT_MODULE, "module " + i + " differs from the input");
        }
        return FuzzPipeline.run(sanitiser, raw, entries, info, info + total, modules).outcome();
    }

    /** A u32 of the structure as memory holds it: the input's bytes, then zeros (byte by byte, so a word may straddle). */
    static long u32(byte[] b, long off) {
        long v = 0;
        for (int i = 3; i >= 0; i--) {
            long at = off + i;
            v = (v << 8) | (at < b.length ? b[(int) at] & 0xFF : 0);
        }
        return v;
    }

    static long u64(byte[] b, long off) {
        return u32(b, off) | (u32(b, off + 4) << 32);
    }

    /**
     * The tag walk of the Multiboot2 specification (3.6), written for the oracle: tags 8-byte aligned after the
     * 8-byte header until the end tag; the memory-map tag's entries (entry_size apart, fields at 0, 8, 16) and the
     * modules' start and end. Only called on structures the kernel accepted.
     */
    static void referenceWalk(byte[] b, long total, List<long[]> entries, List<long[]> modules) {
        long off = 8;
        while (off + 8 <= total) {
            long type = u32(b, off), size = u32(b, off + 4);
            if (type == 0 || size < 8) {
                return;
            }
            if (type == 6) {
                long entrySize = u32(b, off + 8);
                for (long k = 16; entrySize > 0 && k + entrySize <= size; k += entrySize) {
                    entries.add(new long[] {u64(b, off + k), u64(b, off + k + 8), u32(b, off + k + 16)});
                }
            } else if (type == 3) {
                modules.add(new long[] {u32(b, off + 8), u32(b, off + 12)});
            }
            off += (size + 7) / 8 * 8;
        }
    }

    static List<byte[]> seedInputs() {
        List<byte[]> seeds = new ArrayList<>();
        for (List<long[]> e : FuzzSeeds.all().values()) {
            seeds.add(Mb2Image.build(e, List.of()));
        }
        // GRUB with modules: two modules after the kernel, one overlapping usable RAM in the middle of a page
        seeds.add(Mb2Image.build(FuzzSeeds.edgeCases().get("two entries (firecracker)"),
                List.of(new long[] {0x200000, 0x2345ab}, new long[] {0x400800, 0x401000})));
        return seeds;
    }
}
