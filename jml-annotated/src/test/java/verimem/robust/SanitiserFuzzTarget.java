package verimem.robust;

import java.util.List;

import verimem.kernel.arch.Err;
import verimem.kernel.memmap.MemoryMap;
import verimem.kernel.memmap.Multiboot2;

/**
 * Jazzer target: the sanitiser, the sweep behind it and the carve-outs, on a raw map given directly.
 * Input: u32 boot-info start, u32 boot-info end, u32 module start, u32 module end (no module when both are 0), then
 * 20-byte records {u64 base, u64 length, u32 type} (see {@link FuzzBytes}); up to 300 records, so the 256-entry
 * table can overflow. Oracle: {@link FuzzPipeline} against {@link ReferenceMap}.
 *
 * `mvn verify` runs the seeds and the saved corpus ({@link MemoryMapJazzerTest}); ci/fuzz.sh fuzzes it for a fixed
 * time with the Jazzer command line, which calls fuzzerInitialize once and fuzzerTestOneInput per input.
 */
public final class SanitiserFuzzTarget {
    private SanitiserFuzzTarget() {
    }

    static final int HEADER = 16, MAX_RECORDS = 300;

    public static void fuzzerInitialize() {
        FuzzOutcomes.printAtExit("sanitiser");
    }

    public static void fuzzerTestOneInput(byte[] data) {
        FuzzOutcomes.count(run(FuzzPipeline.REAL, data));
    }

    static String run(FuzzPipeline.Sanitiser sanitiser, byte[] data) {
        byte[] header = java.util.Arrays.copyOf(data, HEADER); // a short input reads as zeros
        long bootInfoStart = FuzzBytes.u32(header, 0), bootInfoEnd = FuzzBytes.u32(header, 4);
        long moduleStart = FuzzBytes.u32(header, 8), moduleEnd = FuzzBytes.u32(header, 12);
        List<long[]> entries = FuzzBytes.decode(data, HEADER, MAX_RECORDS);
        MemoryMap raw = new MemoryMap();
        for (long[] e : entries) {
            if (raw.add(e[0], e[0] + e[1], Multiboot2.typeCode(e[2])) != Err.OK) {
                FuzzPipeline.check(entries.size() > MemoryMap.CAPACITY, "raw table full at " + raw.count());
                return "raw table full (more than 256 entries)";
            }
        }
        FuzzPipeline.checkParsed(raw, entries);
        MemoryMap modules = new MemoryMap();
        if (moduleStart != 0 || moduleEnd != 0) {
            modules.add(moduleStart, moduleEnd, MemoryMap.BOOT_MODULE);
        }
        return FuzzPipeline.run(sanitiser, raw, entries, bootInfoStart, bootInfoEnd, modules).outcome();
    }

    static byte[] encode(List<long[]> entries) {
        byte[] header = new byte[HEADER];
        Mb2Image.putU32(header, 0, 0x180000);
        Mb2Image.putU32(header, 4, 0x181000);
        byte[] body = FuzzBytes.encode(entries);
        byte[] out = java.util.Arrays.copyOf(header, HEADER + body.length);
        System.arraycopy(body, 0, out, HEADER, body.length);
        return out;
    }

    static List<byte[]> seedInputs() {
        return FuzzSeeds.all().values().stream().map(SanitiserFuzzTarget::encode).toList();
    }
}
