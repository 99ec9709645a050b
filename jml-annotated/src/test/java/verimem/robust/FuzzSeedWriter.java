package verimem.robust;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Writes each Jazzer target's seed inputs (the real maps and the edge cases in that target's byte format) as files
 * into DIR/TargetClass/, for the Jazzer command line that ci/fuzz.sh runs. The JUnit regression run gets the same
 * seeds through @MethodSource, so the two never disagree.
 */
public final class FuzzSeedWriter {
    private FuzzSeedWriter() {
    }

    static Map<String, Supplier<List<byte[]>>> targets() {
        Map<String, Supplier<List<byte[]>>> t = new LinkedHashMap<>();
        t.put("SanitiserFuzzTarget", SanitiserFuzzTarget::seedInputs);
        t.put("Multiboot2FuzzTarget", Multiboot2FuzzTarget::seedInputs);
        t.put("Multiboot1FuzzTarget", Multiboot1FuzzTarget::seedInputs);
        t.put("BootstrapFuzzTarget", BootstrapFuzzTarget::seedInputs);
        return t;
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        for (Map.Entry<String, Supplier<List<byte[]>>> t : targets().entrySet()) {
            Path d = dir.resolve(t.getKey());
            Files.createDirectories(d);
            List<byte[]> seeds = t.getValue().get();
            for (int i = 0; i < seeds.size(); i++) {
                Files.write(d.resolve(String.format("seed-%03d", i)), seeds.get(i));
            }
            System.out.println("[verimem fuzz] " + seeds.size() + " seeds for " + t.getKey() + " in " + d);
        }
    }
}
