import java.nio.file.Path;

import verimem.host.dmesg.DmesgParser;
import verimem.kernel.memmap.MemoryMap;

/**
 * Prints a dmesg memory map as the C benchmark driver reads it: "start end type" per entry, decimal Java longs,
 * end exclusive, parsed by the project's own DmesgParser (so the benchmark sees exactly what ./verimem map sees).
 */
public final class MapToText {
    public static void main(String[] args) throws Exception {
        MemoryMap m = DmesgParser.parse(Path.of(args[0]));
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < m.count(); i++) {
            b.append(m.start(i)).append(' ').append(m.end(i)).append(' ').append(m.type(i)).append('\n');
        }
        System.out.print(b);
    }
}
