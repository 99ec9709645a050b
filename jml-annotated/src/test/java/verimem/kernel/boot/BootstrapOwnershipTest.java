package verimem.kernel.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import verimem.host.sim.BootLoaderSim;
import verimem.kernel.arch.Err;
import verimem.kernel.memmap.MemoryMap;
import verimem.kernel.pmm.Pmm;
import verimem.kernel.prepmm.PrePmm;

/**
 * After a real simulated boot, every frame the pre-PMM kept (boot page tables, PMM metadata) is refused by the
 * PMM's free paths with Err.NOT_OWNED and the PMM's whole state stays as it was, during the hand-off window and
 * after allocation has begun; release is refused once allocation has begun.
 */
class BootstrapOwnershipTest {

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> maps() {
        return BootstrapMapsTest.maps();
    }

    /** The PMM state a refused free must leave alone: the free count and the free bit of every usable frame. */
    record PmmState(long free, BitSet freeBits) {
        static PmmState of(MemoryMap map, Pmm pmm) {
            BitSet bits = new BitSet();
            int i = 0;
            for (int e = 0; e < map.count(); e++) {
                if (map.type(e) == MemoryMap.USABLE) {
                    for (long f = (map.start(e) + 4095) / 4096; f < map.end(e) / 4096; f++) {
                        bits.set(i++, pmm.isFree(f * 4096));
                    }
                }
            }
            return new PmmState(pmm.freeFrames(), bits);
        }
    }

    /** Every frame of every pre-PMM allocation, read from the pre-PMM's own table (not from the PMM). */
    static List<Long> preOwnedFrames(PrePmm pre) {
        List<Long> frames = new ArrayList<>();
        for (int k = 0; k < pre.allocationCount(); k++) {
            for (long i = 0; i < pre.allocationFrames(k); i++) {
                frames.add(pre.allocationStart(k) + i * Pmm.FRAME);
            }
        }
        return frames;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("maps")
    void preOwnedFramesCannotBeFreedIntoThePmm(String name, TestMaps.Prepared prepared) {
        MemoryMap map = prepared.carved();
        BootLoaderSim.handOver(map);
        Bootstrap boot = new Bootstrap(map);
        assertEquals(Err.OK, boot.run());
        Pmm pmm = boot.pmm();
        List<Long> owned = preOwnedFrames(boot.prePmm());
        assertTrue(owned.contains(boot.metadataPhysical()), "the metadata is among the pre-PMM's frames");
        assertTrue(owned.size() >= 2, "page tables and metadata");

        PmmState start = PmmState.of(map, pmm);
        refuseAll(pmm, owned, start, map);                    // hand-off window, before any allocation

        long mine = pmm.allocFrame();                          // allocation begins: the PMM seals
        assertTrue(mine >= 0);
        assertTrue(pmm.reservedRunCount() >= 1 && pmm.reservedRunCount() <= owned.size());
        PmmState sealed = PmmState.of(map, pmm);
        refuseAll(pmm, owned, sealed, map);
        for (long pa : owned) {
            assertEquals(Err.INVALID_STATE, pmm.release(pa, pa + Pmm.FRAME), "late release of 0x" + Long.toHexString(pa));
        }
        assertEquals(Err.INVALID_STATE, pmm.release(mine, mine + Pmm.FRAME), "late release of a handed-out frame");
        assertEquals(sealed, PmmState.of(map, pmm));
        assertEquals(Err.OK, pmm.freeFrame(mine));
        assertEquals(start, PmmState.of(map, pmm));
    }

    private static void refuseAll(Pmm pmm, List<Long> owned, PmmState expected, MemoryMap map) {
        for (long pa : owned) {
            assertTrue(pmm.manages(pa), "pre-PMM frame inside a usable range");
            assertFalse(pmm.isFree(pa));
            assertEquals(Err.NOT_OWNED, pmm.freeFrame(pa), "freeFrame 0x" + Long.toHexString(pa));
            assertEquals(Err.NOT_OWNED, pmm.freeAligned(pa, 0), "freeAligned 0x" + Long.toHexString(pa));
            assertEquals(expected.free(), pmm.freeFrames());
            assertFalse(pmm.isFree(pa));
        }
        assertEquals(expected, PmmState.of(map, pmm), "full PMM state after the refused frees");
    }
}
