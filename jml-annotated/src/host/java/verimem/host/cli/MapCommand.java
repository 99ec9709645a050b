package verimem.host.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import verimem.host.dmesg.DmesgFormatException;
import verimem.host.dmesg.DmesgParser;
import verimem.host.dmesg.TypeNames;
import verimem.host.sim.SimulatedBoot;
import verimem.host.svg.MapSvg;
import verimem.kernel.arch.Err;
import verimem.kernel.memmap.CarveOuts;
import verimem.kernel.memmap.MapInvariants;
import verimem.kernel.memmap.MapSanitiser;
import verimem.kernel.memmap.MemoryMap;

/**
 * {@code ./verimem map FILE [--json] [--svg OUT] [--kernel START-END] [--bootinfo START-END]}: reads the e820 map
 * out of a dmesg excerpt and shows what the kernel code makes of it: the raw map, the sanitised map, the
 * carve-outs, the final map and the number of usable 4 KiB frames (a line "usable-frames: N" of its own).
 *
 * The kernel image defaults to [1 MiB, 3 MiB) and the boot info to the 16 KiB right after it (where GRUB puts the
 * multiboot2 structure); dmesg does not say where either really was. Then the bootstrap (pre-PMM, early mapper,
 * PMM, hand-off check) runs for the final map on a simulated machine, and its figures are printed.
 * Exit codes: 0 ok, 1 bad input, 2 usage, 3 the simulated bootstrap failed or could not run.
 */
public final class MapCommand {
    static final long MIB = 1048576L;
    static final long DEFAULT_KERNEL_START = MIB;
    static final long DEFAULT_KERNEL_END = 3 * MIB;
    static final long DEFAULT_BOOTINFO_SIZE = 16384L;

    private MapCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Everything the command computes, so the text and JSON writers print the same facts. */
    record Result(MemoryMap raw, MemoryMap sanitised, MemoryMap carveOuts, MemoryMap fin, long sanitisedFrames,
                  long usableFrames, Bootstrap bootstrap) {
    }

    /** What the simulated bootstrap did with the final map; figures is null when it could not be run at all. */
    record Bootstrap(SimulatedBoot.Figures figures, String note) {
        boolean ok() {
            return figures != null && figures.ok();
        }

        String summary() {
            return figures != null ? figures.summary() : note;
        }
    }

    static final class UsageException extends Exception {
        UsageException(String m) {
            super(m);
        }
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        String file = null;
        boolean json = false;
        String svg = null;
        long[] kernel = {DEFAULT_KERNEL_START, DEFAULT_KERNEL_END};
        long[] bootInfo = null;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--json" -> json = true;
                    case "--svg" -> svg = value(args, ++i, a);
                    case "--kernel" -> kernel = range(value(args, ++i, a), a);
                    case "--bootinfo" -> bootInfo = range(value(args, ++i, a), a);
                    default -> {
                        if (a.startsWith("--") || file != null) {
                            throw new UsageException("unexpected argument '" + a + "'");
                        }
                        file = a;
                    }
                }
            }
            if (file == null) {
                throw new UsageException("missing FILE");
            }
        } catch (UsageException e) {
            err.println("verimem map: " + e.getMessage());
            err.println("usage: ./verimem map FILE [--json] [--svg OUT.svg] [--kernel START-END]"
                    + " [--bootinfo START-END]");
            return 2;
        }
        if (bootInfo == null) {
            bootInfo = new long[] {kernel[1], kernel[1] + DEFAULT_BOOTINFO_SIZE};
        }
        MemoryMap raw;
        try {
            raw = DmesgParser.parse(Path.of(file));
        } catch (NoSuchFileException e) {
            err.println("verimem map: " + file + ": no such file");
            return 1;
        } catch (IOException e) {
            err.println("verimem map: " + file + ": " + e.getMessage());
            return 1;
        } catch (DmesgFormatException e) {
            err.println("verimem map: " + file + ": " + e.getMessage());
            return 1;
        }
        if (raw.count() == 0) {
            err.println("verimem map: " + file + ": no 'BIOS-e820:' lines found");
            return 1;
        }
        Result r;
        try {
            r = compute(raw, kernel, bootInfo);
        } catch (IllegalArgumentException e) {
            err.println("verimem map: " + file + ": " + e.getMessage());
            return 1;
        }
        if (json) {
            out.print(json(r));
        } else {
            out.print(text(r));
        }
        if (!r.bootstrap().ok()) {
            err.println("verimem map: " + file + ": bootstrap on the simulated machine failed: "
                    + r.bootstrap().summary());
            return 3;
        }
        if (svg != null) {
            try {
                Files.writeString(Path.of(svg), MapSvg.render(r.fin(), "physical address space: " + file),
                        StandardCharsets.UTF_8);
            } catch (IOException e) {
                err.println("verimem map: cannot write " + svg + ": " + e.getMessage());
                return 1;
            }
        }
        return 0;
    }

    static Result compute(MemoryMap raw, long[] kernel, long[] bootInfo) {
        MemoryMap scratch = new MemoryMap();
        MemoryMap sanitised = new MemoryMap();
        if (MapSanitiser.sanitise(raw, scratch, sanitised) != Err.OK) {
            throw new IllegalArgumentException("memory map rejected: more than " + MemoryMap.CAPACITY
                    + " ranges after resolving overlaps");
        }
        MemoryMap carveOuts = new MemoryMap();
        CarveOuts.standard(carveOuts, kernel[0], kernel[1], bootInfo[0], bootInfo[1], new MemoryMap());
        MemoryMap fin = new MemoryMap();
        long rc = CarveOuts.apply(sanitised, carveOuts, scratch, fin);
        if (rc == Err.INVALID_ARGUMENT) {
            throw new IllegalArgumentException("carve-out outside physical memory");
        }
        if (rc != Err.OK) {
            throw new IllegalArgumentException("memory map rejected: more than " + MemoryMap.CAPACITY
                    + " ranges after carving");
        }
        return new Result(raw, sanitised, carveOuts, fin, MapInvariants.usableFrames(sanitised),
                MapInvariants.usableFrames(fin), bootstrap(fin));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Pre-PMM and PMM (issue #2 part 7: "what the pre-PMM takes, and the frames the PMM would manage"), from
    // branch `boot`: the real bootstrap (pre-PMM, early mapper, PMM, hand-off check) runs on a simulated machine
    // for the final map. A map it cannot be run for (e.g. a --kernel range the loader simulation refuses) is
    // reported, not guessed.
    // ---------------------------------------------------------------------------------------------------------
    static Bootstrap bootstrap(MemoryMap carved) {
        try {
            return new Bootstrap(SimulatedBoot.run(carved), null);
        } catch (IllegalArgumentException e) {
            return new Bootstrap(null, "not run: " + e.getMessage());
        }
    }

    static String text(Result r) {
        StringBuilder b = new StringBuilder();
        section(b, "raw map", r.raw(), false);
        section(b, "sanitised map", r.sanitised(), true);
        section(b, "carve-outs (rounded outward to 4 KiB when applied)", r.carveOuts(), true);
        section(b, "final map (sanitised minus carve-outs)", r.fin(), true);
        b.append("bootstrap: ").append(r.bootstrap().summary()).append('\n');
        SimulatedBoot.Figures f = r.bootstrap().figures();
        if (f != null && f.ok()) {
            b.append("pre-pmm-page-table-frames: ").append(f.pageTableFrames()).append('\n');
            b.append("pre-pmm-metadata-frames: ").append(f.metadataFrames()).append('\n');
            b.append("pmm-free-frames: ").append(f.freeFrames()).append('\n');
        }
        b.append("sanitised-usable-frames: ").append(r.sanitisedFrames()).append('\n');
        b.append("usable-frames: ").append(r.usableFrames()).append('\n');
        return b.toString();
    }

    private static void section(StringBuilder b, String title, MemoryMap m, boolean sizes) {
        b.append(title).append(" (").append(m.count()).append(" entries):\n");
        for (int i = 0; i < m.count(); i++) {
            b.append(String.format(Locale.ROOT, "  [0x%016x-0x%016x) %-20s", m.start(i), m.end(i),
                    TypeNames.name(m.type(i))));
            if (sizes && m.end(i) > m.start(i)) {
                b.append(String.format(Locale.ROOT, " %d bytes", m.end(i) - m.start(i)));
            }
            b.append('\n');
        }
    }

    static String json(Result r) {
        StringBuilder b = new StringBuilder("{\n");
        jsonMap(b, "raw", r.raw());
        b.append(",\n");
        jsonMap(b, "sanitised", r.sanitised());
        b.append(",\n");
        jsonMap(b, "carveOuts", r.carveOuts());
        b.append(",\n");
        jsonMap(b, "final", r.fin());
        SimulatedBoot.Figures f = r.bootstrap().figures();
        b.append(",\n  \"bootstrap\": {\"ok\": ").append(r.bootstrap().ok())
                .append(", \"summary\": ").append(quote(r.bootstrap().summary()));
        if (f != null) {
            b.append(", \"prePmmPageTableFrames\": ").append(f.pageTableFrames())
                    .append(", \"prePmmMetadataFrames\": ").append(f.metadataFrames())
                    .append(", \"pmmFreeFrames\": ").append(f.freeFrames())
                    .append(", \"handOffCheckPassed\": ").append(f.checkResult() == Err.OK);
        }
        b.append("}");
        b.append(",\n  \"sanitisedUsableFrames\": ").append(r.sanitisedFrames());
        b.append(",\n  \"usableFrames\": ").append(r.usableFrames()).append("\n}\n");
        return b.toString();
    }

    private static void jsonMap(StringBuilder b, String name, MemoryMap m) {
        b.append("  ").append(quote(name)).append(": [");
        for (int i = 0; i < m.count(); i++) {
            b.append(i == 0 ? "\n" : ",\n");
            b.append(String.format(Locale.ROOT, "    {\"start\": \"0x%x\", \"end\": \"0x%x\", \"type\": %s}",
                    m.start(i), m.end(i), quote(TypeNames.name(m.type(i)))));
        }
        b.append(m.count() == 0 ? "]" : "\n  ]");
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    private static String value(String[] args, int i, String option) throws UsageException {
        if (i >= args.length) {
            throw new UsageException(option + " needs a value");
        }
        return args[i];
    }

    /** START-END, each hex (0x...) or decimal, END exclusive. */
    static long[] range(String s, String option) throws UsageException {
        String[] parts = s.split("-");
        if (parts.length != 2) {
            throw new UsageException(option + ": expected START-END, got '" + s + "'");
        }
        long a = number(parts[0], option);
        long e = number(parts[1], option);
        if (a < 0 || e < a || e > MapInvariants.MAX_PHYS) {
            throw new UsageException(option + ": need 0 <= START <= END <= 2^52, got '" + s + "'");
        }
        return new long[] {a, e};
    }

    private static long number(String s, String option) throws UsageException {
        try {
            String t = s.strip().toLowerCase(Locale.ROOT);
            return t.startsWith("0x") ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new UsageException(option + ": not a number: '" + s + "'");
        }
    }

}
