package verimem.kernel.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import verimem.host.sim.SimMachine;
import verimem.kernel.arch.Cpu;
import verimem.kernel.arch.Err;
import verimem.kernel.arch.Layout;
import verimem.kernel.arch.Pte;
import verimem.kernel.arch.VirtAddr;
import verimem.kernel.memmap.MemoryMap;
import verimem.kernel.pmm.Pmm;

/**
 * Page-table entries that point beyond the direct map (physical address >= Layout.DIRECT_MAP_SIZE): the VMM
 * edits tables only through the direct map, so such a table cannot be read or written. Every operation refuses
 * it with INVALID_ARGUMENT and changes nothing: no frame allocated, no table created, the entry left as it was.
 */
class UnreachableTableTest {
    static final long K4 = VirtAddr.PAGE_SIZE;
    static final long RW_USER = Pte.WRITABLE | Pte.USER | Pte.NO_EXECUTE;
    /** First frame the direct map cannot reach. */
    static final long BEYOND = Layout.DIRECT_MAP_SIZE;

    VmmFixture fx;
    AddressSpace as;

    @BeforeEach
    void setUp() {
        fx = new VmmFixture();
        as = new AddressSpace(fx.vmm);
        assertEquals(Err.OK, as.create());
    }

    /** Points PML4 slot 0 of the user space at a PDPT beyond the direct map. */
    long plantUnreachablePdpt() {
        long entry = BEYOND | Pte.PRESENT | Pte.WRITABLE | Pte.USER;
        fx.machine.ram().write64(as.pml4(), entry);
        return entry;
    }

    @Test
    void mapRefusesAndAllocatesNothing() {
        long f = fx.pmm.allocFrame();
        long entry = plantUnreachablePdpt();
        long free0 = fx.pmm.freeFrames();
        long tables0 = fx.vmm.tableFrames();
        assertEquals(Err.INVALID_ARGUMENT, as.map(0x1000, f, RW_USER, K4));
        assertEquals(free0, fx.pmm.freeFrames(), "no page-table frame taken");
        assertEquals(tables0, fx.vmm.tableFrames());
        assertEquals(entry, fx.machine.ram().read64(as.pml4()), "PML4 entry unchanged");
    }

    @Test
    void translateUnmapProtectAndPageSizeRefuse() {
        long entry = plantUnreachablePdpt();
        long free0 = fx.pmm.freeFrames();
        TranslateResult tr = new TranslateResult();
        assertEquals(Err.INVALID_ARGUMENT, as.translate(0x1000, tr));
        assertEquals(TranslateResult.INVALID, tr.status);
        assertEquals(Err.INVALID_ARGUMENT, as.unmap(0x1000));
        assertEquals(Err.INVALID_ARGUMENT, as.protect(0x1000, RW_USER));
        assertEquals(Err.INVALID_ARGUMENT, as.pageSizeAt(0x1000));
        assertEquals(free0, fx.pmm.freeFrames());
        assertEquals(entry, fx.machine.ram().read64(as.pml4()));
    }

    @Test
    void adoptBootSpaceRefusesAPml4BeyondTheDirectMap() {
        SimMachine m = new SimMachine(16L << 20);
        m.loaderSetCr3(BEYOND);
        Cpu.install(m);
        MemoryMap mm = new MemoryMap();
        mm.add(VmmFixture.USABLE_START, 16L << 20, MemoryMap.USABLE);
        Pmm pmm = new Pmm(mm);
        assertEquals(Err.OK, pmm.release(VmmFixture.USABLE_START, 16L << 20));
        Vmm vmm = new Vmm(pmm, 16L << 20, 8);
        long free0 = pmm.freeFrames();
        assertEquals(Err.INVALID_ARGUMENT, vmm.adoptBootSpace());
        assertEquals(free0, pmm.freeFrames(), "no PDPT pre-created");
        assertEquals(0, vmm.tableFrames());
        assertEquals(null, vmm.kernelSpace(), "no kernel space adopted");
    }
}
