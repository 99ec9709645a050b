package verimem.kernel.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import verimem.host.dmesg.SharedMaps;
import verimem.host.sim.BootLoaderSim;
import verimem.kernel.arch.Err;
import verimem.kernel.arch.Layout;
import verimem.kernel.arch.Pte;
import verimem.kernel.arch.VirtAddr;
import verimem.kernel.boot.Bootstrap;
import verimem.kernel.memmap.CarveOuts;
import verimem.kernel.memmap.MapSanitiser;
import verimem.kernel.memmap.MemoryMap;
import verimem.kernel.pmm.Pmm;

/**
 * The VMM over what main's Bootstrap really leaves behind (boot stub tables, early-mapper tables, recursive slot,
 * PMM metadata mapping), on the firecracker 1 GiB map. Bootstrap does not build the direct map yet (branch boot),
 * so this test adds it by hand with one 1 GiB page before the VMM takes over.
 */
class BootHandOffTest {
    @Test
    void vmmAdoptsTheBootSpaceAndProtectsKernelFrames() {
        MemoryMap raw = SharedMaps.raw("045-firecracker-1g-two-entries-639k.txt");
        MemoryMap scratch = new MemoryMap(), sanitised = new MemoryMap(), list = new MemoryMap();
        MemoryMap carved = new MemoryMap();
        long kStart = 1 << 20, kEnd = 3 << 20;
        assertEquals(Err.OK, MapSanitiser.sanitise(raw, scratch, sanitised));
        assertEquals(Err.OK, CarveOuts.standard(list, kStart, kEnd, kEnd, kEnd + 16384, new MemoryMap()));
        assertEquals(Err.OK, CarveOuts.apply(sanitised, list, scratch, carved));
        BootLoaderSim loader = BootLoaderSim.handOver(carved);
        Bootstrap boot = new Bootstrap(carved);
        assertEquals(Err.OK, boot.run());
        Pmm pmm = boot.pmm();

        // stand-in for the direct map the boot branch will build
        long directPdpt = pmm.allocFrame();
        for (int i = 0; i < 512; i++) {
            loader.machine().ram().write64(directPdpt + 8L * i, 0);
        }
        loader.machine().ram().write64(directPdpt, 0 | Pte.PRESENT | Pte.WRITABLE | Pte.HUGE | Pte.NO_EXECUTE);
        long pml4 = loader.pml4();
        loader.machine().ram().write64(pml4 + 8L * Layout.DIRECT_MAP_SLOT, directPdpt | Pte.PRESENT | Pte.WRITABLE);

        Vmm vmm = new Vmm(pmm, 1L << 30, 64);
        assertEquals(Err.OK, vmm.adoptBootSpace());
        assertTrue(vmm.hasRecursiveSlot(), "the early mapper's recursive slot is kept");
        long metaEnd = boot.metadataPhysical() + boot.metadataPages() * 4096;
        assertEquals(Err.OK, vmm.ownership().markRange(kStart, kEnd));
        assertEquals(Err.OK, vmm.ownership().markRange(boot.metadataPhysical(), metaEnd));
        for (long t : loader.tableFrames()) {
            assertTrue(vmm.ownership().isKernel(t), "boot stub table 0x" + Long.toHexString(t));
        }
        assertTrue(vmm.ownership().isKernel(directPdpt));

        AddressSpace user = new AddressSpace(vmm);
        assertEquals(Err.OK, user.create());
        assertEquals(Err.KERNEL_FRAME, user.map(0x1000, boot.metadataPhysical(), Pte.USER, 4096), "PMM metadata");
        assertEquals(Err.KERNEL_FRAME, user.map(0x1000, kStart + 0x5000, Pte.USER, 4096), "kernel image");
        // the metadata mapping the early mapper made survives the take-over, guard page included
        long metaPt = vmm.kernelSpace().translate(Bootstrap.METADATA_START, new TranslateResult());
        assertEquals(boot.metadataPhysical(), metaPt);
        TranslateResult tr = new TranslateResult();
        assertEquals(Err.NOT_MAPPED, vmm.kernelSpace().translate(Bootstrap.METADATA_START - 4096, tr), "guard");
        long f = pmm.allocFrame();
        assertEquals(Err.OK, user.map(0x1000, f, Pte.USER | Pte.WRITABLE | Pte.NO_EXECUTE, 4096));
        assertEquals(Err.OK, user.activate());
        loader.machine().userStore64(0x1008, 77);
        assertEquals(77, loader.machine().load64(Layout.directMap(f) + 8), "direct map and user map agree");
        long kva = VirtAddr.fromIndices(Layout.VMALLOC_SLOT, 0, 0, 0);
        long g = pmm.allocFrame();
        assertEquals(Err.OK, vmm.kernelSpace().map(kva, g, Pte.WRITABLE | Pte.NO_EXECUTE, 4096));
        loader.machine().store64(kva, 5);
        assertEquals(5, loader.machine().load64(Layout.directMap(g)));
    }
}
