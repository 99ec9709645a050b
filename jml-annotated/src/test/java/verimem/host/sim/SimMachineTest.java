package verimem.host.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The simulated MMU and TLB behave as the SDM says, including the stale-TLB cases kernel bugs cause. */
class SimMachineTest {
    static final long P = 1, W = 2, U = 4, PS = 128, G = 256, NX = Long.MIN_VALUE;
    SimMachine m;
    final long pml4 = 0x1000, pdpt = 0x2000, pd = 0x3000, pt = 0x4000;

    @BeforeEach
    void setUp() {
        m = new SimMachine(64L << 20);
        PhysicalMemory r = m.ram();
        // va 0x40_0000_0000 .. : PML4[0] -> PDPT, PDPT[1] -> PD, PD[0] -> PT, PT[5] -> frame 0x10_0000
        r.write64(pml4, pdpt | P | W | U);
        r.write64(pdpt + 8, pd | P | W | U);
        r.write64(pd, pt | P | W);
        r.write64(pt + 5 * 8, 0x100000 | P | W);
        m.loaderSetCr3(pml4);
    }

    long va(long pageInPt) {
        return (1L << 30) + pageInPt * 4096;
    }

    @Test
    void walksFourLevelsAndReadsWrites() {
        m.store64(va(5) + 16, 42);
        assertEquals(42, m.ram().read64(0x100000 + 16));
        assertEquals(42, m.load64(va(5) + 16));
    }

    @Test
    void notPresentFaultsWithErrorCode() {
        PageFault pf = assertThrows(PageFault.class, () -> m.load64(va(6)));
        assertEquals(va(6), pf.address());
        assertEquals(0, pf.errorCode() & PageFault.ERR_PRESENT);
        PageFault wf = assertThrows(PageFault.class, () -> m.store64(va(6), 1));
        assertEquals(PageFault.ERR_WRITE, wf.errorCode() & PageFault.ERR_WRITE);
    }

    @Test
    void effectivePermissionsCombineAllLevels() {
        // PD entry lacks U, so a user access faults although PML4/PDPT/PT... PT entry also lacks U here.
        m.ram().write64(pt + 5 * 8, 0x100000 | P | W | U);
        PageFault pf = assertThrows(PageFault.class, () -> m.userLoad64(va(5)));
        assertEquals(PageFault.ERR_PRESENT | PageFault.ERR_USER, pf.errorCode());
        m.ram().write64(pd, pt | P | W | U);
        m.invlpg(va(5));
        assertEquals(0, m.userLoad64(va(5)));
        // read-only at the PDPT level makes the page read-only even though the leaf is writable
        m.ram().write64(pdpt + 8, pd | P | U);
        m.invlpg(va(5));
        assertThrows(PageFault.class, () -> m.store64(va(5), 7));
    }

    @Test
    void noExecuteAtAnyLevelForbidsFetch() {
        m.fetch(va(5), false);
        m.ram().write64(pml4, pdpt | P | W | U | NX);
        m.invlpg(va(5));
        PageFault pf = assertThrows(PageFault.class, () -> m.fetch(va(5), false));
        assertTrue((pf.errorCode() & PageFault.ERR_FETCH) != 0);
    }

    @Test
    void staleTlbEntrySurvivesUntilInvlpg() {
        m.store64(va(5), 1);
        m.ram().write64(pt + 5 * 8, 0x200000 | P | W); // remap without a flush
        assertEquals(1, m.load64(va(5)), "the CPU still uses the cached translation");
        m.invlpg(va(5));
        assertEquals(0, m.load64(va(5)), "after invlpg the new frame is used");
        m.ram().write64(pt + 5 * 8, 0); // unmap without a flush: still reachable
        assertEquals(0, m.load64(va(5)));
        assertEquals(1, m.tlb().staleEntries(m.ram(), m.readCr3(), m.pcid()).size());
        m.invlpg(va(5));
        assertThrows(PageFault.class, () -> m.load64(va(5)));
    }

    @Test
    void cr3WriteFlushesNonGlobalOnly() {
        m.ram().write64(pt + 6 * 8, 0x300000 | P | W | G);
        m.load64(va(5));
        m.load64(va(6));
        m.ram().write64(pt + 5 * 8, 0);
        m.ram().write64(pt + 6 * 8, 0);
        m.writeCr3(pml4);
        assertThrows(PageFault.class, () -> m.load64(va(5)));
        assertEquals(0, m.load64(va(6)), "global entry survives a CR3 write");
        m.invlpg(va(6));
        assertThrows(PageFault.class, () -> m.load64(va(6)));
    }

    @Test
    void pcidTagsEntriesAndNoFlushBitKeepsThem() {
        m.load64(va(5));
        m.ram().write64(pt + 5 * 8, 0);
        m.writeCr3(pml4 | 1 | Long.MIN_VALUE); // switch to PCID 1, keep entries
        assertThrows(PageFault.class, () -> m.load64(va(5)), "PCID 1 has no cached entry");
        m.writeCr3(pml4 | Long.MIN_VALUE); // back to PCID 0 without flushing: stale entry still there
        assertEquals(0, m.load64(va(5)));
        m.writeCr3(pml4);
        assertThrows(PageFault.class, () -> m.load64(va(5)));
    }

    @Test
    void hugePagesTranslateAndMisalignedHugeFrameIsReservedBitFault() {
        m.ram().write64(pd + 8, 0x400000 | P | W | PS); // 2 MiB page at va 1 GiB + 2 MiB
        Translation t = m.walkNow((1L << 30) + (2L << 20) + 0x1234);
        assertNotNull(t);
        assertEquals(2L << 20, t.pageSize());
        assertEquals(0x400000 + 0x1234, t.physical((1L << 30) + (2L << 20) + 0x1234));
        m.ram().write64(pd + 16, 0x401000 | P | W | PS);
        PageFault pf = assertThrows(PageFault.class, () -> m.load64((1L << 30) + (4L << 20)));
        assertTrue((pf.errorCode() & PageFault.ERR_RESERVED) != 0);
        m.ram().write64(pdpt + 16, (1L << 30) | P | W | PS); // 1 GiB page at va 2 GiB
        assertEquals(1L << 30, m.walkNow((2L << 30) + 8).pageSize());
    }

    @Test
    void nonCanonicalIsGeneralProtection() {
        assertThrows(MachineError.class, () -> m.load64(0x0000_8000_0000_0000L));
        assertNull(null);
    }

    @Test
    void faultHandlerResolvesAndAccessIsRetried() {
        m.setFaultHandler((addr, err) -> {
            m.ram().write64(pt + 7 * 8, 0x500000 | P | W);
            return true;
        });
        m.store64(va(7), 99);
        assertEquals(99, m.ram().read64(0x500000));
        assertEquals(1, m.faults());
    }

    @Test
    void faultInsideHandlerIsDoubleFault() {
        m.setFaultHandler((addr, err) -> {
            m.load64(va(9));
            return true;
        });
        assertThrows(MachineError.class, () -> m.load64(va(8)));
    }

    @Test
    void physicalAccessBeyondRamIsMachineError() {
        m.ram().write64(pt + 5 * 8, (64L << 20) | P | W);
        m.invlpg(va(5));
        assertThrows(MachineError.class, () -> m.load64(va(5)));
    }
}
