package verimem.kernel.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import verimem.host.sim.BootLoaderSim;
import verimem.host.sim.SimMachine;
import verimem.kernel.arch.Err;
import verimem.kernel.memmap.MapInvariants;
import verimem.kernel.memmap.MemoryMap;

/** A legal map whose usable memory exceeds the PMM's int-indexed bitmap is refused before anything changes. */
class BootstrapLimitsTest {

    @Test
    void usableMemoryUpToThePhysicalLimitIsRefusedBeforeAnyStore() {
        MemoryMap raw = new MemoryMap();
        raw.add(0, 0x9fc00, MemoryMap.USABLE);
        raw.add(0x100000, 0x8000000, MemoryMap.USABLE);
        raw.add(1L << 32, MapInvariants.MAX_PHYS, MemoryMap.USABLE); // 4 PiB: legal, but over 512 TiB
        MemoryMap map = TestMaps.prepare(raw).carved();
        assertTrue(MapInvariants.isSanitised(map));
        BootLoaderSim sim = BootLoaderSim.handOver(map);
        SimMachine m = sim.machine();
        long storesBefore = m.stores();
        long cr3 = m.readCr3();
        Bootstrap boot = new Bootstrap(map);
        assertEquals(Err.BAD_MEMORY_MAP, boot.run());
        assertNull(boot.pmm());
        assertEquals(0, boot.metadataPages());
        assertEquals(storesBefore, m.stores(), "a refused bootstrap must not have written anything");
        assertEquals(cr3, m.readCr3());
        assertEquals("", m.console());
    }
}
