import java.nio.file.Files;
import java.nio.file.Path;

import verimem.host.dmesg.DmesgParser;
import verimem.kernel.memmap.MemoryMap;

/**
 * Writes each dmesg memory map as the C benchmark driver reads it: "start end type" per entry, decimal Java
 * longs, end exclusive, parsed by the project's own DmesgParser (the benchmark sees what ./verimem map sees).
 * usage: MapToText OUTDIR FILE.txt... (writes OUTDIR/FILE.map)
 */
public final class MapToText {
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        for (int a = 1; a < args.length; a++) {
            Path in = Path.of(args[a]);
            MemoryMap m = DmesgParser.parse(in);
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < m.count(); i++) {
                b.append(m.start(i)).append(' ').append(m.end(i)).append(' ').append(m.type(i)).append('\n');
            }
            String name = in.getFileName().toString().replaceFirst("\\.txt$", "") + ".map";
            Files.writeString(out.resolve(name), b.toString());
        }
    }
}
