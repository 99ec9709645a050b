package verimem.kernel.memmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import verimem.host.dmesg.SharedMaps;
import verimem.kernel.arch.Err;

/** Sanitising and carving the shared maps, with the expected results worked out by hand from the files. */
class SanitiserKnownMapsTest {
    static MemoryMap sanitised(String file) {
        MemoryMap out = new MemoryMap();
        assertEquals(Err.OK, MapSanitiser.sanitise(SharedMaps.raw(file), new MemoryMap(), out));
        assertTrue(MapInvariants.isSanitised(out));
        return out;
    }

    /** Default carve-outs of ./verimem map: low 1 MiB, kernel [1 MiB, 3 MiB), boot info [3 MiB, 3 MiB + 16 KiB). */
    static MemoryMap carved(MemoryMap sanitised) {
        MemoryMap list = new MemoryMap();
        assertEquals(Err.OK, CarveOuts.standard(list, 0x100000, 0x300000, 0x300000, 0x304000, new MemoryMap()));
        MemoryMap out = new MemoryMap();
        assertEquals(Err.OK, CarveOuts.apply(sanitised, list, new MemoryMap(), out));
        assertTrue(MapInvariants.isSanitised(out));
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "001-hp-pavilion-dm1-amd-e450.txt", "004-qemu-kvm-256m-bochs-i386.txt",
        "006-qemu-i440fx-256m-new-format-linux7.txt", "008-qemu-kvm-64g-rhel9-2numa.txt",
        "011-optane-pmem-server-640g-type7-starts-0x100.txt", "013-old-2.6.16-x86_64-ami-12g.txt",
        "018-old-ibm-128m-unaligned-acpi.txt", "026-hyperv-gen2-uefi-1.5g-ryzen-host.txt",
        "032-aws-ec2-r5d-xlarge-nitro-32g.txt", "043-qemu-ovmf-uefi-128m-buildroot.txt",
        "045-firecracker-1g-two-entries-639k.txt", "049-amd-ryzen-ami-uefi-32g-uma-holes-above-4g.txt"})
    void everySharedMapSanitisesAndCarvesToTheInvariant(String file) {
        MemoryMap s = sanitised(file);
        MemoryMap c = carved(s);
        // nothing below 3 MiB + 16 KiB stays usable after the default carve-outs
        for (int i = 0; i < c.count(); i++) {
            if (c.type(i) == MemoryMap.USABLE) {
                assertTrue(c.start(i) >= 0x304000, file + ": usable frame inside a carve-out at " + c.start(i));
            }
        }
        assertTrue(MapInvariants.usableFrames(c) < MapInvariants.usableFrames(s));
    }

    @Test
    void map018UnalignedAcpiBoundaries() {
        MemoryMap m = sanitised("018-old-ibm-128m-unaligned-acpi.txt");
        assertEquals(10, m.count());
        // usable [0, 0x9fc00) shrinks to whole pages
        assertEntry(m, 0, 0, 0x9f000, MemoryMap.USABLE);
        // usable [1 MiB, 0x7ee2ec0) ends at the page below the unaligned ACPI start
        assertEntry(m, 3, 0x100000, 0x7ee2000, MemoryMap.USABLE);
        // non-usable ranges keep their exact bytes: that is what firmware claims
        assertEntry(m, 4, 0x7ee2ec0L, 0x7ee6ec0L, MemoryMap.ACPI_RECLAIMABLE);
        assertEntry(m, 5, 0x7ee6ec0L, 0x7eeef00L, MemoryMap.ACPI_NVS);
        // 159 frames below 0x9f000 + (0x7ee2 - 0x100) = 32226 frames from 1 MiB: 32385
        assertEquals(32385, MapInvariants.usableFrames(m));
        // carved: minus 159 (low 1 MiB) minus 512 (kernel 2 MiB) minus 4 (boot info 16 KiB) = 31710
        assertEquals(31710, MapInvariants.usableFrames(carved(m)));
    }

    @Test
    void map011StartsAt0x100() {
        MemoryMap m = sanitised("011-optane-pmem-server-640g-type7-starts-0x100.txt");
        assertEntry(m, 0, 0x1000, 0xa0000, MemoryMap.USABLE); // 0x100 rounds up to the next page
        assertEntry(m, 1, 0xa0000, 0x100000, MemoryMap.RESERVED);
        assertEntry(m, 28, 0x1080000000L, 0x4f80000000L, MemoryMap.PERSISTENT);
        assertEquals(32, m.count());
    }

    @Test
    void map045TwoEntries() {
        MemoryMap m = sanitised("045-firecracker-1g-two-entries-639k.txt");
        assertEquals(2, m.count());
        assertEntry(m, 0, 0, 0x9f000, MemoryMap.USABLE);
        assertEntry(m, 1, 0x100000, 0x40000000L, MemoryMap.USABLE);
        // 0x9f = 159 frames + (0x40000 - 0x100) = 261888 frames: 262047
        assertEquals(262047, MapInvariants.usableFrames(m));
        // 262047 - 159 - 512 - 4 = 261372
        MemoryMap c = carved(m);
        assertEquals(261372, MapInvariants.usableFrames(c));
        assertEntry(c, 0, 0, 0x9f000, MemoryMap.LOW_MEMORY);
        assertEntry(c, 1, 0x100000, 0x300000, MemoryMap.KERNEL_IMAGE);
        assertEntry(c, 2, 0x300000, 0x304000, MemoryMap.BOOT_INFO);
        assertEntry(c, 3, 0x304000, 0x40000000L, MemoryMap.USABLE);
    }

    @Test
    void map006GapLinesIgnored() {
        MemoryMap m = sanitised("006-qemu-i440fx-256m-new-format-linux7.txt");
        assertEquals(7, m.count());
        assertEntry(m, 2, 0xf0000, 0x100000, MemoryMap.RESERVED);
        assertEntry(m, 3, 0x100000, 0xffe0000, MemoryMap.USABLE);
        // 0x9f = 159 + (0xffe0 - 0x100) = 65248: 65407
        assertEquals(65407, MapInvariants.usableFrames(m));
    }

    @Test
    void map049TerabyteHoleStaysAHole() {
        MemoryMap m = sanitised("049-amd-ryzen-ami-uefi-32g-uma-holes-above-4g.txt");
        assertEquals(21, m.count());
        assertEntry(m, 19, 0x85eec0000L, 0x880200000L, MemoryMap.RESERVED);
        assertEntry(m, 20, 0xfd00000000L, 0x10000000000L, MemoryMap.RESERVED);
        // the undescribed gap 0x85de80000-0x85eebffff is a hole as well
        assertEntry(m, 18, 0x858000000L, 0x85de80000L, MemoryMap.USABLE);
    }

    @Test
    void handCountedFrames004_008_013() {
        // 004: 0x9f = 159 + (0xfffe - 0x100) = 65278 -> 65437
        assertEquals(65437, MapInvariants.usableFrames(sanitised("004-qemu-kvm-256m-bochs-i386.txt")));
        // 008: 159 + (0xbff80 - 0x100) = 786048 + (0x1040000 - 0x100000) = 15990784 -> 16776991
        assertEquals(16776991, MapInvariants.usableFrames(sanitised("008-qemu-kvm-64g-rhel9-2numa.txt")));
        // 013: 159 + (0xfaff0 - 0x100) = 1027824 + (0x300000 - 0x100000) = 2097152 -> 3125135
        assertEquals(3125135, MapInvariants.usableFrames(sanitised("013-old-2.6.16-x86_64-ami-12g.txt")));
    }

    static void assertEntry(MemoryMap m, int i, long start, long end, int type) {
        assertEquals(start, m.start(i), "start of entry " + i);
        assertEquals(end, m.end(i), "end of entry " + i);
        assertEquals(type, m.type(i), "type of entry " + i);
    }
}
