package verimem.kernel.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import verimem.host.dmesg.SharedMaps;
import verimem.host.sim.SimulatedBoot;
import verimem.kernel.arch.Err;
import verimem.kernel.memmap.CarveOuts;
import verimem.kernel.memmap.MapSanitiser;
import verimem.kernel.memmap.MemoryMap;
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

    /** The CLI's defaults: a 2 MiB kernel at 1 MiB and 16 KiB of boot info right after it. */
    @Test
    void worksWithTheMapCommandDefaults() {
        MemoryMap raw = SharedMaps.raw("045-firecracker-1g-two-entries-639k.txt");
        MemoryMap scratch = new MemoryMap(), sanitised = new MemoryMap(), list = new MemoryMap();
        MemoryMap carved = new MemoryMap();
        assertEquals(Err.OK, MapSanitiser.sanitise(raw, scratch, sanitised));
        assertEquals(Err.OK, CarveOuts.standard(list, 1 << 20, 3 << 20, 3 << 20, (3 << 20) + 16384, new MemoryMap()));
        assertEquals(Err.OK, CarveOuts.apply(sanitised, list, scratch, carved));
        SimulatedBoot.Figures f = SimulatedBoot.run(carved);
        assertTrue(f.ok(), f.summary());
        // firecracker 1 GiB: usable [0x100000, 0x40000000) minus kernel and boot info = [0x304000, 0x40000000)
        long usable = (0x40000000L - 0x304000L) / 4096;
        assertEquals(usable, f.usableFrames());
        assertEquals(159 + 512 + 4, f.carveOutFrames());
        assertEquals(usable - f.metadataFrames() - f.pageTableFrames(), f.freeFrames());
    }
}
