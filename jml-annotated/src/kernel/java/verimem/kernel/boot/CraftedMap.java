package verimem.kernel.boot;

import verimem.kernel.arch.Cpu;
import verimem.kernel.arch.Err;
import verimem.kernel.memmap.MemoryMap;
import verimem.kernel.memmap.Multiboot2;
import verimem.kernel.memmap.RegionTypes;

/**
 * Test hook (issue #9): `verimem.mmap=<base>:<len>:<type>,...` on the command line replaces the firmware's raw map
 * with a crafted one, so hostile maps (overlaps, zero-length, wrapping, unknown types, unaligned, no usable RAM)
 * go through the real sanitiser, carve-outs and bootstrap in QEMU. base and len are hex (optional 0x), type is
 * the decimal firmware type; base + len wraps like a firmware entry's would.
 *
 * Machine safety: BootMaps intersects the crafted usable ranges with the firmware's sanitised usable RAM, so the
 * kernel never hands out a frame that does not exist or that the firmware reserved. A firmware type that equals
 * one of the kernel's internal carve-out codes (0x10001..) becomes RESERVED here.
 */
public final class CraftedMap {
    /** Most hex digits of base or len (64 bits) and decimal digits of a type (32 bits). */
    public static final int HEX_DIGITS = 16;
    public static final int TYPE_DIGITS = 10;

    private static long parsed;
    private static long cursor;

    private CraftedMap() {
    }

    /**
     * Parses the word that starts with `prefix` into out (cleared first). Err.OK when the word was there and is
     * well formed, Err.NOT_MAPPED when the command line has no such word, Err.BAD_MEMORY_MAP when it is malformed
     * or has more entries than a MemoryMap holds.
     */
    static long parse(long cmdline, byte[] prefix, MemoryMap out) {
        out.clear();
        long p = CommandLine.wordStart(cmdline, prefix);
        if (p < 0) {
            return Err.NOT_MAPPED;
        }
        cursor = p + prefix.length;
        while (true) {
            if (!number(16, HEX_DIGITS) || Cpu.load8(cursor) != ':') {
                return Err.BAD_MEMORY_MAP;
            }
            long base = parsed;
            cursor = cursor + 1;
            if (!number(16, HEX_DIGITS) || Cpu.load8(cursor) != ':') {
                return Err.BAD_MEMORY_MAP;
            }
            long len = parsed;
            cursor = cursor + 1;
            if (!number(10, TYPE_DIGITS) || parsed > 4294967295L) {
                return Err.BAD_MEMORY_MAP;
            }
            int type = Multiboot2.typeCode(parsed);
            if (RegionTypes.isCarveOut(type)) {
                type = MemoryMap.RESERVED;
            }
            if (out.add(base, base + len, type) != Err.OK) {
                return Err.BAD_MEMORY_MAP;
            }
            int c = Cpu.load8(cursor);
            if (c == 0 || c == ' ') {
                return Err.OK;
            }
            if (c != ',') {
                return Err.BAD_MEMORY_MAP;
            }
            cursor = cursor + 1;
        }
    }

    /** Reads digits of `radix` at cursor into parsed (hex may start with 0x); false when none or too many. */
    private static boolean number(int radix, int maxDigits) {
        if (radix == 16 && Cpu.load8(cursor) == '0' && Cpu.load8(cursor + 1) == 'x') {
            cursor = cursor + 2;
        }
        long value = 0;
        int digits = 0;
        while (true) {
            int d = digit(Cpu.load8(cursor), radix);
            if (d < 0) {
                break;
            }
            if (digits == maxDigits) {
                return false;
            }
            value = value * radix + d;
            digits = digits + 1;
            cursor = cursor + 1;
        }
        parsed = value;
        return digits > 0;
    }

    private static int digit(int c, int radix) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (radix == 16 && c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return -1;
    }
}
