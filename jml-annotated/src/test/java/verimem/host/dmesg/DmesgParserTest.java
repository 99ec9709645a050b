package verimem.host.dmesg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import verimem.kernel.memmap.MemoryMap;

class DmesgParserTest {

    /** Entry counts counted by eye in the files: one per "BIOS-e820: [mem" or old-style line, gap lines excluded. */
    @ParameterizedTest
    @CsvSource({
        "001-hp-pavilion-dm1-amd-e450.txt, 16",
        "004-qemu-kvm-256m-bochs-i386.txt, 7",
        "006-qemu-i440fx-256m-new-format-linux7.txt, 7",
        "008-qemu-kvm-64g-rhel9-2numa.txt, 8",
        "011-optane-pmem-server-640g-type7-starts-0x100.txt, 32",
        "013-old-2.6.16-x86_64-ami-12g.txt, 8",
        "018-old-ibm-128m-unaligned-acpi.txt, 10",
        "026-hyperv-gen2-uefi-1.5g-ryzen-host.txt, 12",
        "032-aws-ec2-r5d-xlarge-nitro-32g.txt, 9",
        "043-qemu-ovmf-uefi-128m-buildroot.txt, 13",
        "045-firecracker-1g-two-entries-639k.txt, 2",
        "049-amd-ryzen-ami-uefi-32g-uma-holes-above-4g.txt, 21",
    })
    void everySharedMapParsesWithTheCountedEntries(String file, int entries) {
        assertEquals(entries, SharedMaps.raw(file).count());
    }

    @Test
    void newFormatInclusiveEndsAndInclusiveTop() {
        MemoryMap m = SharedMaps.raw("001-hp-pavilion-dm1-amd-e450.txt");
        assertEntry(m, 0, 0, 0x9f800, MemoryMap.USABLE);
        assertEntry(m, 5, 0xdfabf000L, 0xdfbbf000L, MemoryMap.ACPI_NVS);
        assertEntry(m, 6, 0xdfbbf000L, 0xdfbf5000L, MemoryMap.ACPI_RECLAIMABLE);
        assertEntry(m, 15, 0x107000000L, 0x11f000000L, MemoryMap.RESERVED);
    }

    @Test
    void oldFormatHasExclusiveEnds() {
        MemoryMap m = SharedMaps.raw("018-old-ibm-128m-unaligned-acpi.txt");
        assertEntry(m, 0, 0, 0x9fc00, MemoryMap.USABLE);
        assertEntry(m, 4, 0x7ee2ec0L, 0x7ee6ec0L, MemoryMap.ACPI_RECLAIMABLE);
        assertEntry(m, 5, 0x7ee6ec0L, 0x7eeef00L, MemoryMap.ACPI_NVS);
        assertEntry(m, 9, 0xfff80000L, 0x100000000L, MemoryMap.RESERVED);
    }

    @Test
    void systemRamNamesAndGapLinesAreNotEntries() {
        MemoryMap m = SharedMaps.raw("006-qemu-i440fx-256m-new-format-linux7.txt");
        assertEntry(m, 0, 0, 0x9fc00, MemoryMap.USABLE);
        assertEntry(m, 1, 0x9fc00, 0xa0000, MemoryMap.RESERVED);
        assertEntry(m, 2, 0xf0000, 0x100000, MemoryMap.RESERVED); // the gap line before it is skipped
        assertEntry(m, 6, 0xfd00000000L, 0x10000000000L, MemoryMap.RESERVED);
    }

    @Test
    void persistentType7AndSyslogAndDatePrefixes() {
        MemoryMap m = SharedMaps.raw("011-optane-pmem-server-640g-type7-starts-0x100.txt");
        assertEntry(m, 0, 0x100, 0xa0000, MemoryMap.USABLE);
        assertEntry(m, 28, 0x1080000000L, 0x4f80000000L, MemoryMap.PERSISTENT);
        assertEquals(12, SharedMaps.raw("026-hyperv-gen2-uefi-1.5g-ryzen-host.txt").count());
        assertEntry(SharedMaps.raw("008-qemu-kvm-64g-rhel9-2numa.txt"), 7, 0x100000000L, 0x1040000000L,
                MemoryMap.USABLE);
    }

    @Test
    void numberedAndSpecialTypes() throws Exception {
        MemoryMap m = DmesgParser.parse(String.join("\n",
                "[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x0000000000000fff] type 12",
                "[    0.000000] BIOS-e820: [mem 0x0000000000001000-0x0000000000001fff] type 20",
                "[    0.000000] BIOS-e820: [mem 0x0000000000002000-0x0000000000002fff] persistent (type 128)",
                "[    0.000000] BIOS-e820: [mem 0x0000000000003000-0x0000000000003fff] unusable",
                "[    0.000000] BIOS-e820: [mem 0x0000000000004000-0x0000000000004fff] soft reserved",
                "[    0.000000] e820: update [mem 0x00000000-0x00000fff] usable ==> reserved",
                "# BIOS-e820: [mem 0x0-0x1] this comment is ignored",
                ""));
        assertEquals(5, m.count());
        assertEquals(12, m.type(0));
        assertEquals(20, m.type(1));
        assertEquals(128, m.type(2));
        assertEquals(MemoryMap.BAD, m.type(3));
        assertEquals(DmesgParser.SOFT_RESERVED, m.type(4));
    }

    @Test
    void malformedLineNamesLineNumberAndContent() {
        String text = "# header\n[    0.000000] BIOS-e820: [mem 0x0-0x9fbff] usable\n"
                + "[    0.000000] BIOS-e820: [mem 0x100000-] usable\n";
        DmesgFormatException e = assertThrows(DmesgFormatException.class, () -> DmesgParser.parse(text));
        assertEquals(3, e.lineNumber());
        assertTrue(e.getMessage().startsWith("line 3: "), e.getMessage());
        assertTrue(e.getMessage().contains("[mem 0x100000-] usable"), e.getMessage());
    }

    @Test
    void unknownTypeNameIsAnError() {
        DmesgFormatException e = assertThrows(DmesgFormatException.class,
                () -> DmesgParser.parse("BIOS-e820: [mem 0x0-0xfff] banana"));
        assertEquals(1, e.lineNumber());
        assertTrue(e.getMessage().contains("banana"));
    }

    @Test
    void oversizedHexIsAnError() {
        assertThrows(DmesgFormatException.class,
                () -> DmesgParser.parse("BIOS-e820: [mem 0x10000000000000000-0x20000000000000000] usable"));
    }

    @Test
    void moreEntriesThanCapacityIsAnError() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i <= MemoryMap.CAPACITY; i++) {
            b.append(String.format("BIOS-e820: [mem 0x%x-0x%x] usable%n", i * 0x2000L, i * 0x2000L + 0xfff));
        }
        DmesgFormatException e = assertThrows(DmesgFormatException.class, () -> DmesgParser.parse(b.toString()));
        assertEquals(MemoryMap.CAPACITY + 1, e.lineNumber());
    }

    @Test
    void topOfAddressSpaceInclusiveEndWrapsToZero() throws Exception {
        MemoryMap m = DmesgParser.parse("BIOS-e820: [mem 0xfffffffffffff000-0xffffffffffffffff] reserved");
        assertEquals(1, m.count());
        assertEquals(0xfffffffffffff000L, m.start(0));
        assertEquals(0, m.end(0));
    }

    static void assertEntry(MemoryMap m, int i, long start, long end, int type) {
        assertEquals(start, m.start(i), "start of entry " + i);
        assertEquals(end, m.end(i), "end of entry " + i);
        assertEquals(type, m.type(i), "type of entry " + i);
    }
}
