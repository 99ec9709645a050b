package verimem.aot.differential;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import verimem.host.dmesg.DmesgFormatException;
import verimem.host.dmesg.DmesgParser;
import verimem.kernel.memmap.MemoryMap;

/**
 * Turns each real firmware map into harness calls on corpus/RealMapScenario: reset(), add(start, end, type) per
 * raw entry, bootstrap(). The maps are the dmesg excerpts of ../shared/memory-maps as the repository keeps them
 * (jml-annotated/src/test/resources/memory-maps, read the same way as the spec module's trace test), parsed by the
 * project's own host-side dmesg parser. A missing folder or map fails loudly: it must never skip silently.
 */
final class RealMapCalls {
    static final String SCENARIO = "verimem/aot/corpus/RealMapScenario";
    /** Relative to the kernel-native module (surefire's working directory). */
    static final Path MAPS = Path.of("../jml-annotated/src/test/resources/memory-maps");
    static final int EXPECTED_MAPS = 12;

    private RealMapCalls() {
    }

    static List<Path> maps() throws IOException {
        return maps(MAPS);
    }

    /** The .txt maps of dir in name order; a missing folder or fewer than EXPECTED_MAPS maps is an error. */
    static List<Path> maps(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("real memory maps not found at " + dir.toAbsolutePath()
                    + " (the copy of ../shared/memory-maps): the differential suite needs all of them");
        }
        List<Path> maps;
        try (Stream<Path> s = Files.list(dir)) {
            maps = s.filter(p -> p.getFileName().toString().endsWith(".txt")).sorted().collect(Collectors.toList());
        }
        if (maps.size() < EXPECTED_MAPS) {
            throw new IllegalStateException("expected " + EXPECTED_MAPS + " real maps in " + dir.toAbsolutePath()
                    + ", found " + maps.size());
        }
        return maps;
    }

    private static int target(List<Differential.Target> targets, String method) {
        for (int i = 0; i < targets.size(); i++) {
            Differential.Target t = targets.get(i);
            if (t.owner().name.equals(SCENARIO) && t.method().name.equals(method)) {
                return i;
            }
        }
        throw new IllegalStateException("no target " + SCENARIO + "." + method);
    }

    /** reset, add per entry, bootstrap, lastHandOff, for every map in name order. */
    static List<Differential.Call> calls(List<Differential.Target> targets, List<Path> maps)
            throws IOException, DmesgFormatException {
        int reset = target(targets, "reset");
        int add = target(targets, "add");
        int bootstrap = target(targets, "bootstrap");
        int verdict = target(targets, "lastHandOff");
        List<Differential.Call> out = new ArrayList<>();
        for (Path p : maps) {
            MemoryMap raw = DmesgParser.parse(p);
            if (raw.count() == 0) {
                throw new IllegalStateException("no e820 entries in " + p);
            }
            out.add(new Differential.Call(reset, new long[0]));
            for (int i = 0; i < raw.count(); i++) {
                out.add(new Differential.Call(add, new long[] {raw.start(i), raw.end(i), raw.type(i)}));
            }
            out.add(new Differential.Call(bootstrap, new long[0]));
            out.add(new Differential.Call(verdict, new long[0]));
        }
        return out;
    }

    /** The generated boundary/random calls minus those of RealMapScenario: its inputs are the real maps only. */
    static List<Differential.Call> withoutScenario(List<Differential.Target> targets, List<Differential.Call> calls) {
        List<Differential.Call> out = new ArrayList<>();
        for (Differential.Call c : calls) {
            if (!targets.get(c.target()).owner().name.equals(SCENARIO)) {
                out.add(c);
            }
        }
        return out;
    }
}
