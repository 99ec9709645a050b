package verimem.kernel.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import verimem.host.sim.SimulatedBoot;
import verimem.kernel.pmm.Pmm;

/** The entry point `./verimem map` calls reports the same figures the test derives from the map. */
class SimulatedBootTest {
    @Test
    void figuresForTheHyperVMap() {
        TestMaps.Prepared p = TestMaps.shared("026-hyperv-gen2-uefi-1.5g-ryzen-host.txt");
        SimulatedBoot.Figures f = SimulatedBoot.run(p.carved());
        assertTrue(f.ok(), f.summary());
        long usable = TestMaps.usableFrames(p.carved());
        long meta = (Pmm.metadataBytes(p.carved()) + 4095) / 4096;
        assertEquals(usable, f.usableFrames());
        assertEquals(meta, f.metadataFrames());
        assertEquals(TestMaps.expectedMetadataTables(meta), f.pageTableFrames());
        assertEquals(usable - meta - f.pageTableFrames(), f.freeFrames());
        assertEquals(TestMaps.carvedFrames(p), f.carveOutFrames());
        assertTrue(f.summary().startsWith("PMM manages " + f.freeFrames() + " frames of " + usable + " usable"));
        assertTrue(f.console().startsWith("PMM manages " + f.freeFrames() + " frames of " + usable + " usable"));
    }
}
