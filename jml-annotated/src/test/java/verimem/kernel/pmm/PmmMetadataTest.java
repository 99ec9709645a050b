package verimem.kernel.pmm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import verimem.kernel.memmap.MemoryMap;

/**
 * Metadata stays at about 1 bit per usable frame plus a small summary. The bound, term by term:
 * <ul>
 *   <li>bitmap: a segment of n frames takes at most n/64 + 2 words (a partial word at each end), so
 *       W <= frames/64 + 2 * usableEntries words;</li>
 *   <li>non-empty tree: W/64 + W/64^2 + ... <= W/63 + one rounding word per level (at most 6 levels);</li>
 *   <li>full-word summary: W/64 + 1 words;</li>
 *   <li>segment table: 28 bytes per map entry, lookup table at most 4 * 1024 bytes, array headers and the two
 *       objects 16 * 11 + 128 bytes, level offsets 28 bytes;</li>
 *   <li>never-released runs recorded at the seal: 16 bytes per run, at most Pmm.MAX_RESERVED_RUNS runs.</li>
 * </ul>
 */
class PmmMetadataTest {

    static long bound(MemoryMap map, long frames) {
        int usableEntries = 0;
        for (int i = 0; i < map.count(); i++) {
            if (map.type(i) == MemoryMap.USABLE) {
                usableEntries++;
            }
        }
        double w = frames / 64.0 + 2.0 * usableEntries;
        double pmmArrays = 8 * (w + (w / 63 + 6) + (w / 64 + 1)) + 28;
        return (long) Math.ceil(pmmArrays + 28.0 * map.count() + 4 * SegmentTable.MAX_CHUNKS + 16 * 11 + 128
                + 16.0 * Pmm.MAX_RESERVED_RUNS);
    }

    private static void check(String name, MemoryMap map, double maxBitsPerFrame) {
        Pmm pmm = new Pmm(map);
        long frames = pmm.managedFrames();
        long promised = Pmm.metadataBytes(map);
        assertTrue(pmm.metadataBytesInUse() <= promised, name + ": uses more than metadataBytes said");
        assertTrue(promised <= bound(map, frames), name + ": " + promised + " > bound " + bound(map, frames));
        double bits = 8.0 * promised / frames;
        System.out.printf("metadata %-6s frames=%d bytes=%d bytes/frame=%.4f bits/frame=%.3f%n",
                name, frames, promised, (double) promised / frames, bits);
        assertTrue(bits <= maxBitsPerFrame, name + ": " + bits + " bits per frame");
    }

    @Test
    void qemuMapsStayNearOneBitPerFrame() {
        // fixed costs (segment table, headers, the 512-byte reserved-run table) weigh more on a small machine
        check("128M", QemuMaps.mib128(), 1.30);
        check("3584M", QemuMaps.mib3584(), 1.045); // 1.039 before the run table, 1.041 with it
        check("8G", QemuMaps.gib8(), 1.04);
    }

    @Property(tries = 200)
    void randomMapsStayWithinTheBound(@ForAll long seed) {
        RandomMaps.Generated g = RandomMaps.generate(new Random(seed), 50_000);
        Pmm pmm = new Pmm(g.map);
        long promised = Pmm.metadataBytes(g.map);
        assertTrue(pmm.metadataBytesInUse() <= promised);
        assertTrue(promised <= bound(g.map, pmm.managedFrames()));
    }
}
