package verimem.aot.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real maps are found, and their absence is a loud failure rather than a silent skip. No gcc needed. */
class RealMapCallsTest {
    @Test
    void allTwelveSharedMapsAreFound() throws Exception {
        List<Path> maps = RealMapCalls.maps();
        assertEquals(12, maps.size(), maps.toString());
        assertTrue(maps.get(0).getFileName().toString().startsWith("001-"), maps.toString());
    }

    @Test
    void aMissingFolderFailsNamingIt(@TempDir Path tmp) {
        Path missing = tmp.resolve("memory-maps");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> RealMapCalls.maps(missing));
        assertTrue(e.getMessage().contains("not found at " + missing.toAbsolutePath()), e.getMessage());
    }

    @Test
    void tooFewMapsFail(@TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("001-only.txt"), "BIOS-e820: [mem 0x0-0xfff] usable\n");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> RealMapCalls.maps(tmp));
        assertTrue(e.getMessage().contains("found 1"), e.getMessage());
    }
}
