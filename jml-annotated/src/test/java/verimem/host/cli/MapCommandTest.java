package verimem.host.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import verimem.host.dmesg.SharedMaps;

class MapCommandTest {
    static final String FIRECRACKER = "045-firecracker-1g-two-entries-639k.txt";

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = MapCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static long usableFramesLine(String out) {
        Matcher m = Pattern.compile("(?m)^usable-frames: (\\d+)$").matcher(out);
        assertTrue(m.find(), "no 'usable-frames: N' line in:\n" + out);
        return Long.parseLong(m.group(1));
    }

    @Test
    void printsUsableFramesOnALineOfItsOwn() {
        Run r = run(SharedMaps.path(FIRECRACKER).toString());
        assertEquals(0, r.code(), r.err());
        // 262047 usable frames after sanitising (159 + 261888), minus 159 + 512 + 4 for the default carve-outs
        assertEquals(261372, usableFramesLine(r.out()));
        assertTrue(r.out().contains("sanitised-usable-frames: 262047\n"));
        assertTrue(r.out().contains("carve:kernel-image"));
    }

    @Test
    void kernelAndBootInfoOverridable() {
        Run r = run(SharedMaps.path(FIRECRACKER).toString(), "--kernel", "0x200000-0x400000", "--bootinfo",
                "0x800000-0x800010");
        assertEquals(0, r.code(), r.err());
        // 262047 - 159 (low) - 512 (2 MiB kernel) - 1 (boot info rounds out to one page); [1 MiB, 2 MiB) stays usable
        assertEquals(261375, usableFramesLine(r.out()));
    }

    @Test
    void bootstrapFiguresAccountForEveryUsableFrame() {
        Run r = run(SharedMaps.path("026-hyperv-gen2-uefi-1.5g-ryzen-host.txt").toString());
        assertEquals(0, r.code(), r.err());
        long usable = usableFramesLine(r.out());
        long free = field(r.out(), "pmm-free-frames");
        long tables = field(r.out(), "pre-pmm-page-table-frames");
        long meta = field(r.out(), "pre-pmm-metadata-frames");
        assertTrue(tables > 0 && meta > 0);
        assertEquals(usable, free + tables + meta, "every usable frame is free in the PMM or taken by the pre-PMM");
        assertTrue(r.out().contains("hand-off check passed"));
    }

    @Test
    void bootstrapThatCannotRunExitsThree() {
        // the simulated loader maps at most a 2 MiB kernel image; a 4 MiB one is refused and reported
        Run r = run(SharedMaps.path(FIRECRACKER).toString(), "--kernel", "0x200000-0x600000");
        assertEquals(3, r.code());
        assertTrue(r.err().contains("kernel image"), r.err());
        // the map part is still printed: 262047 - 159 (low) - 1024 (4 MiB kernel) - 4 (boot info after it)
        assertEquals(262047 - 159 - 1024 - 4, usableFramesLine(r.out()));
    }

    static long field(String out, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + ": (\\d+)$").matcher(out);
        assertTrue(m.find(), "no '" + name + ": N' line in:\n" + out);
        return Long.parseLong(m.group(1));
    }

    @Test
    @SuppressWarnings("unchecked")
    void jsonParsesAndAgreesWithText() {
        String file = SharedMaps.path("018-old-ibm-128m-unaligned-acpi.txt").toString();
        Run text = run(file);
        Run json = run(file, "--json");
        assertEquals(0, json.code(), json.err());
        Map<String, Object> doc = (Map<String, Object>) MiniJson.parse(json.out());
        assertEquals(usableFramesLine(text.out()), doc.get("usableFrames"));
        assertEquals(31710L, doc.get("usableFrames"));
        assertEquals(32385L, doc.get("sanitisedUsableFrames"));
        Map<String, Object> boot = (Map<String, Object>) doc.get("bootstrap");
        assertEquals(Boolean.TRUE, boot.get("ok"));
        assertEquals(Boolean.TRUE, boot.get("handOffCheckPassed"));
        assertEquals(31710L, (Long) boot.get("pmmFreeFrames") + (Long) boot.get("prePmmPageTableFrames")
                + (Long) boot.get("prePmmMetadataFrames"));
        List<Object> raw = (List<Object>) doc.get("raw");
        assertEquals(10, raw.size());
        Map<String, Object> acpi = (Map<String, Object>) ((List<Object>) doc.get("sanitised")).get(4);
        assertEquals("0x7ee2ec0", acpi.get("start"));
        assertEquals("acpi-reclaimable", acpi.get("type"));
    }

    @Test
    void svgIsWellFormedXmlWithASegmentPerRegionAndHole(@TempDir Path dir) throws Exception {
        Path svg = dir.resolve("map.svg");
        Run r = run(SharedMaps.path("049-amd-ryzen-ami-uefi-32g-uma-holes-above-4g.txt").toString(), "--svg",
                svg.toString());
        assertEquals(0, r.code(), r.err());
        Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile());
        assertEquals("svg", d.getDocumentElement().getNodeName());
        String text = Files.readString(svg);
        assertTrue(text.contains("hole [0xa0000000, 0xf0000000)"), "the 3.5 GiB gap is drawn as a hole");
        assertTrue(text.contains("hole [0x880200000, 0xfd00000000)"), "the gap below the 1 TiB hole is drawn");
        assertTrue(text.contains("carve:kernel-image [0x100000, 0x300000)"), "carve-outs are drawn");
        assertTrue(text.contains("carve:low-memory"));
    }

    @Test
    void malformedLineExitsNonZeroNamingTheLine(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.txt");
        Files.writeString(bad, "[    0.000000] BIOS-e820: [mem 0x0-0x9fbff] usable\n"
                + "[    0.000000] some other kernel line\n"
                + "[    0.000000] BIOS-e820: [mem 0x00100000-0x7fffffff usable\n");
        Run r = run(bad.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("line 3"), r.err());
        assertTrue(r.err().contains("[mem 0x00100000-0x7fffffff usable"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void missingFileNoEntriesAndBadOptionsFailCleanly(@TempDir Path dir) throws Exception {
        assertEquals(1, run(dir.resolve("nope.txt").toString()).code());
        Path empty = dir.resolve("empty.txt");
        Files.writeString(empty, "nothing here\n");
        Run r = run(empty.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("no 'BIOS-e820:' lines"));
        assertEquals(2, run().code());
        assertEquals(2, run(empty.toString(), "--kernel", "5-2").code());
        assertEquals(2, run(empty.toString(), "--frobnicate").code());
    }
}
