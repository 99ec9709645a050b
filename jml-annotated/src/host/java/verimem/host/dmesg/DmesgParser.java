package verimem.host.dmesg;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import verimem.kernel.arch.Err;
import verimem.kernel.memmap.MemoryMap;

/**
 * Reads the firmware memory map that Linux prints at boot ("BIOS-e820:" lines) out of a dmesg excerpt into a raw
 * {@link MemoryMap} with exclusive ends. Whatever precedes the marker (timestamps "[    0.000000]",
 * "[Tue Nov  4 21:29:37 2025]", syslog prefixes "Jun 11 20:15:39 host kernel:") is ignored, as are lines without
 * the marker and '#' comment lines. Accepted forms after the marker:
 * <pre>
 *   [mem 0xSTART-0xEND] TYPE         (Linux 3.x..6.x and 2025+; END inclusive)
 *   [gap 0xSTART-0xEND]              (2025+: a hole between entries; not an entry)
 *   START - END (TYPE)               (Linux 2.x; hex without 0x, END exclusive)
 * </pre>
 * TYPE: usable / System RAM, reserved / device reserved, ACPI data, ACPI NVS, unusable, soft reserved,
 * persistent (type N), type N. A marker line in none of these forms is an error naming the line.
 */
public final class DmesgParser {
    static final String MARKER = "BIOS-e820:";
    /** E820_TYPE_SOFT_RESERVED in Linux. */
    public static final int SOFT_RESERVED = 0xefffffff;

    private static final Pattern MEM = Pattern.compile(
            "\\[mem\\s+0x([0-9a-fA-F]{1,16})-0x([0-9a-fA-F]{1,16})\\]\\s+(\\S.*?)\\s*");
    private static final Pattern GAP = Pattern.compile(
            "\\[gap\\s+0x([0-9a-fA-F]{1,16})-0x([0-9a-fA-F]{1,16})\\]\\s*");
    private static final Pattern OLD = Pattern.compile(
            "([0-9a-fA-F]{1,16})\\s+-\\s+([0-9a-fA-F]{1,16})\\s+\\((.+)\\)\\s*");
    private static final Pattern NUMBERED = Pattern.compile("(?:[a-z ]*\\()?type\\s+(\\d{1,10})\\)?");

    private DmesgParser() {
    }

    public static MemoryMap parse(Path file) throws IOException, DmesgFormatException {
        return parse(Files.readString(file, StandardCharsets.UTF_8));
    }

    public static MemoryMap parse(String text) throws DmesgFormatException {
        MemoryMap map = new MemoryMap();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int lineNumber = i + 1;
            if (line.stripLeading().startsWith("#")) {
                continue;
            }
            int at = line.indexOf(MARKER);
            if (at < 0) {
                continue;
            }
            String rest = line.substring(at + MARKER.length()).strip();
            parseEntry(rest, line, lineNumber, map);
        }
        return map;
    }

    private static void parseEntry(String rest, String line, int lineNumber, MemoryMap map)
            throws DmesgFormatException {
        if (GAP.matcher(rest).matches()) {
            return;
        }
        long start;
        long endExclusive;
        String typeName;
        Matcher m = MEM.matcher(rest);
        Matcher old = OLD.matcher(rest);
        if (m.matches()) {
            start = Long.parseUnsignedLong(m.group(1), 16);
            // inclusive end; 0xffffffffffffffff + 1 wraps to 0, which the sanitiser treats as a wrapping entry
            endExclusive = Long.parseUnsignedLong(m.group(2), 16) + 1;
            typeName = m.group(3);
        } else if (old.matches()) {
            start = Long.parseUnsignedLong(old.group(1), 16);
            endExclusive = Long.parseUnsignedLong(old.group(2), 16);
            typeName = old.group(3);
        } else {
            throw new DmesgFormatException(lineNumber, line,
                    "malformed e820 line (expected '[mem 0xSTART-0xEND] type', '[gap 0xSTART-0xEND]' or"
                            + " 'START - END (type)')");
        }
        int type = typeCode(typeName.strip(), line, lineNumber);
        if (map.add(start, endExclusive, type) == Err.BAD_MEMORY_MAP) {
            throw new DmesgFormatException(lineNumber, line,
                    "more than " + MemoryMap.CAPACITY + " e820 entries");
        }
    }

    static int typeCode(String name, String line, int lineNumber) throws DmesgFormatException {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "usable":
            case "system ram":
                return MemoryMap.USABLE;
            case "reserved":
            case "device reserved":
                return MemoryMap.RESERVED;
            case "acpi data":
                return MemoryMap.ACPI_RECLAIMABLE;
            case "acpi nvs":
                return MemoryMap.ACPI_NVS;
            case "unusable":
                return MemoryMap.BAD;
            case "soft reserved":
                return SOFT_RESERVED;
            default:
                break;
        }
        Matcher m = NUMBERED.matcher(name.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long code = Long.parseLong(m.group(1));
            if (code <= 0xffffffffL) {
                return (int) code;
            }
        }
        throw new DmesgFormatException(lineNumber, line, "unknown e820 type '" + name + "'");
    }
}
