package verimem.kernel.boot;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import verimem.host.sim.BootLoaderSim;
import verimem.host.sim.PageFault;
import verimem.host.sim.SimMachine;
import verimem.kernel.arch.Err;
import verimem.kernel.arch.KernelPanic;
import verimem.kernel.arch.Layout;
import verimem.kernel.memmap.MemoryMap;
import verimem.kernel.prepmm.PrePmm;

/**
 * "Kernel text is never writable" on the simulated machine (4-level MMU with CR0.WP = 1 and NX, a TLB): after
 * the direct map is built with the image's text and rodata read-only and KernelImage.remap() replaced the boot
 * stub's writable mapping at -2 GiB, the MMU refuses every write to text and rodata through both mappings and
 * every fetch from rodata and data; ImageProtectionSelfTest passes, taking exactly the two expected #PFs; and it
 * panics when text is left writable in either mapping or a rodata page is executable (the test of the test).
 * The simulated image: [1 MiB, 2 MiB) of TestMaps.qemu128m, text 64 KiB, rodata 32 KiB, the rest data and bss
 * (the boot stub's six tables sit at its end, as in .bss).
 */
class KernelImageProtectionTest {
    static final long START = TestMaps.KERNEL_START, TEXT_END = START + 0x10000, RODATA_END = START + 0x18000;
    static final long END = TestMaps.KERNEL_END, K4 = 4096, TEXT_WORD = 0x1BADB002E85250D6L;

    MemoryMap map;
    BootLoaderSim sim;
    SimMachine m;
    Bootstrap boot;
    KernelImage image;

    /** The kernel's order: recursive slot, direct map (read-only range unless writableAlias), image remap. */
    void bootUpToTheImage(boolean readOnlyAlias, boolean remap) {
        bootUpToTheImage(readOnlyAlias, remap, true);
    }

    /**
     * stubLargePage: the -2 GiB mapping as entry.S builds it, one writable executable 2 MiB page over physical
     * [0, 2 MiB) (va = KERNEL_BASE + pa); else the same with 4 KiB pages over the image only.
     */
    void bootUpToTheImage(boolean readOnlyAlias, boolean remap, boolean stubLargePage) {
        map = TestMaps.qemu128m().carved();
        sim = BootLoaderSim.handOver(map);
        m = sim.machine();
        long pd = sim.tableFrames()[4], pt = sim.tableFrames()[5];
        if (stubLargePage) {
            m.ram().write64(pd, 0 | 1 | 2 | 128);
        } else {
            for (int i = 0; i < 512; i++) {
                long pa = i * K4;
                m.ram().write64(pt + 8L * i, pa >= START && pa < END ? pa | 1 | 2 : 0);
            }
        }
        m.writeCr3(m.readCr3());
        for (long pa = START; pa < TEXT_END; pa += K4) {
            m.ram().write64(pa, TEXT_WORD ^ pa);
        }
        boot = new Bootstrap(map);
        assertEquals(Err.OK, boot.mapper().installRecursiveSlot());
        DirectMap direct = new DirectMap();
        if (readOnlyAlias) {
            direct.readOnly(START, RODATA_END);
        }
        assertEquals(Err.OK, direct.build(map, boot.mapper()));
        image = new KernelImage(START, TEXT_END, RODATA_END, END);
        if (remap) {
            assertEquals(Err.OK, image.remap(boot.prePmm()));
            assertEquals(1, image.remappedBlocks());
        }
    }

    static int writeFault(SimMachine m, long va) {
        return assertThrows(PageFault.class, () -> m.store64(va, 1), "write 0x" + Long.toHexString(va)).errorCode();
    }

    @Test
    void theMmuRefusesWritesToTextAndRodataAndFetchesFromDataThroughBothMappings() {
        bootUpToTheImage(true, true);
        for (long pa = START; pa < END; pa += K4) {
            long img = Layout.KERNEL_BASE + pa, alias = Layout.directMap(pa);
            String at = " at 0x" + Long.toHexString(pa);
            assertDoesNotThrow(() -> m.load64(img), "read" + at);
            assertDoesNotThrow(() -> m.load64(alias), "read through the direct map" + at);
            assertThrows(PageFault.class, () -> m.fetch(alias, false), "direct map is NX" + at);
            if (pa < RODATA_END) {
                assertEquals(PageFault.ERR_PRESENT | PageFault.ERR_WRITE, writeFault(m, img), "write" + at);
                assertEquals(PageFault.ERR_PRESENT | PageFault.ERR_WRITE, writeFault(m, alias), "alias write" + at);
            } else {
                m.store64(img, m.load64(img));
                m.store64(alias, m.load64(alias));
            }
            if (pa < TEXT_END) {
                assertDoesNotThrow(() -> m.fetch(img, false), "text executes" + at);
                assertEquals(TEXT_WORD ^ pa, m.load64(img), "text unchanged" + at);
            } else {
                assertThrows(PageFault.class, () -> m.fetch(img, false), "rodata/data NX" + at);
            }
        }
        assertThrows(PageFault.class, () -> m.load64(Layout.KERNEL_BASE), "below the image: not mapped any more");
        assertThrows(PageFault.class, () -> m.load64(Layout.KERNEL_BASE + END), "past the image: not mapped");
    }

    @Test
    void theSelfTestPassesTakingExactlyTheTwoExpectedFaults() {
        bootUpToTheImage(true, true);
        assertEquals(Err.OK, boot.run());
        long scratch = boot.pmm().allocFrame();
        m.setFaultHandler((cr2, err) -> KernelMain.pageFault(cr2, err));
        long faultsBefore = m.faults();
        ImageProtectionSelfTest t = new ImageProtectionSelfTest(image);
        t.run(scratch);
        assertEquals(2, t.faults());
        assertEquals(2, m.faults() - faultsBefore, "the machine saw the two probe writes fault, nothing else");
        assertEquals((END - START) / K4, t.pagesChecked());
        assertTrue(m.console().contains("write to kernel text faulted through both mappings (2 x #PF err=0x3)"));
        for (long pa = START; pa < TEXT_END; pa += K4) {
            assertEquals(TEXT_WORD ^ pa, m.ram().read64(pa), "text unchanged");
        }
        assertThrows(PageFault.class, () -> m.store64(Layout.KERNEL_BASE + START, 0), "leaf restored read-only");
        assertFalse(KernelMain.pageFault(Layout.KERNEL_BASE + START, 3), "probe disarmed: a later fault is not ours");
    }

    /** The self-test on a machine where something is wrong: its panic and the number of the failed check. */
    String failure(Runnable breakIt) {
        assertEquals(Err.OK, boot.run());
        breakIt.run();
        long scratch = boot.pmm().allocFrame();
        m.setFaultHandler((cr2, err) -> KernelMain.pageFault(cr2, err));
        KernelPanic p = assertThrows(KernelPanic.class, () -> new ImageProtectionSelfTest(image).run(scratch));
        assertEquals("self-test failed: kernel image protection", p.getMessage());
        String c = m.console();
        return c.substring(c.lastIndexOf("selftest image: check ")).trim();
    }

    @Test
    void theSelfTestNoticesTextLeftWritableAtMinus2GiB() {
        bootUpToTheImage(true, false); // the boot stub's mapping: a writable, executable 2 MiB page
        assertEquals("selftest image: check 7 failed", failure(() -> { }), "text not in 4 KiB pages");
        bootUpToTheImage(true, false, false); // the same in 4 KiB pages: now the probe write itself must tell
        assertEquals("selftest image: check 9 failed", failure(() -> { }), "the write did not fault");
        assertEquals(0x5741585A5741585AL, m.ram().read64(START), "and it really overwrote kernel text");
    }

    @Test
    void theSelfTestNoticesAWritableDirectMapAlias() {
        bootUpToTheImage(false, true);
        assertEquals("selftest image: check 9 failed", failure(() -> { }));
    }

    @Test
    void theSelfTestNoticesAnExecutableRodataPage() {
        bootUpToTheImage(true, true);
        assertEquals("selftest image: check 3 failed", failure(() -> {
            long leaf = leafOf(Layout.KERNEL_BASE + TEXT_END);
            m.ram().write64(leaf, m.ram().read64(leaf) & Long.MAX_VALUE); // NX cleared
            m.writeCr3(m.readCr3());
        }));
    }

    @Test
    void theSelfTestNoticesAWritableDataAliasMissing() {
        bootUpToTheImage(true, true);
        assertEquals("selftest image: check 6 failed", failure(() -> {
            long leaf = leafOf(Layout.directMap(RODATA_END));
            m.ram().write64(leaf, m.ram().read64(leaf) & ~2L); // data made read-only in the direct map
            m.writeCr3(m.readCr3());
        }));
    }

    /** Physical address of va's 4 KiB leaf entry, by a walk of the simulated RAM. */
    long leafOf(long va) {
        long table = m.readCr3() & 0x000F_FFFF_FFFF_F000L;
        for (int shift = 39; shift >= 21; shift -= 9) {
            table = m.ram().read64(table + ((va >>> shift) & 511) * 8) & 0x000F_FFFF_FFFF_F000L;
        }
        return table + ((va >>> 12) & 511) * 8;
    }

    @Test
    void badBoundsAndARepeatAreRefusedWithoutTakingAFrame() {
        bootUpToTheImage(true, true);
        PrePmm pre = boot.prePmm();
        int n = pre.allocationCount();
        long pt = leafOf(Layout.KERNEL_BASE + START) & ~4095L; // the PT remap linked
        assertEquals(Err.INVALID_ARGUMENT, image.remap(pre), "twice");
        long[][] bad = {
            {START + 8, TEXT_END, RODATA_END, END},        // start not page aligned
            {START, TEXT_END + 8, RODATA_END, END},        // text end not aligned
            {START, RODATA_END, TEXT_END, END},            // rodata before text
            {START, START, RODATA_END, END},               // no text
            {START, TEXT_END, RODATA_END, RODATA_END - 1}, // end inside rodata
            {START, TEXT_END, RODATA_END, START + (16L << 20) + K4}, // more than 8 blocks
            {1L << 30, (1L << 30) + K4, (1L << 30) + K4, (1L << 30) + 2 * K4}, // above 1 GiB
            {-K4, 0, 0, K4},
        };
        for (long[] b : bad) {
            KernelImage k = new KernelImage(b[0], b[1], b[2], b[3]);
            assertFalse(k.valid());
            assertEquals(Err.INVALID_ARGUMENT, k.remap(pre));
        }
        assertEquals(n, pre.allocationCount(), "no frame taken");
        assertEquals(pt, leafOf(Layout.KERNEL_BASE + START) & ~4095L, "the PD entry is unchanged");
    }

    @Test
    void runningOutOfFramesChangesNothing() {
        bootUpToTheImage(true, false, false);
        PrePmm pre = boot.prePmm();
        int n = pre.allocationCount();
        long pt = leafOf(Layout.KERNEL_BASE + START) & ~4095L; // the boot stub's PT
        // an image over two blocks: the second PT allocation fails, the first PT goes back
        KernelImage two = new KernelImage(START, TEXT_END, RODATA_END, 3L << 20);
        assertTrue(two.valid());
        pre.failAfter(2);
        assertEquals(Err.NO_MEMORY, two.remap(pre));
        assertEquals(n, pre.allocationCount(), "the first PT was given back");
        assertEquals(pt, leafOf(Layout.KERNEL_BASE + START) & ~4095L, "the PD entry still points at the old PT");
        assertEquals(0, two.remappedBlocks());
        pre.failAfter(1);
        assertEquals(Err.NO_MEMORY, image.remap(pre));
        assertEquals(n, pre.allocationCount());
        pre.failAfter(0);
        assertEquals(Err.OK, image.remap(pre), "retry");
        assertEquals(n + 1, pre.allocationCount());
    }
}
