package verimem.host.dmesg;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import verimem.kernel.memmap.MemoryMap;

/**
 * The dmesg excerpts of ../shared/memory-maps, copied into test resources so the tests run on a fresh checkout.
 */
public final class SharedMaps {
    private SharedMaps() {
    }

    public static Path path(String name) {
        try {
            return Path.of(SharedMaps.class.getResource("/memory-maps/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("test resource memory-maps/" + name + " missing", e);
        }
    }

    public static MemoryMap raw(String name) {
        try {
            return DmesgParser.parse(path(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (DmesgFormatException e) {
            throw new AssertionError(e);
        }
    }
}
