package verimem.kernel.boot;

import verimem.kernel.arch.Cpu;
import verimem.kernel.memmap.Multiboot2;

/**
 * The kernel command line the loader passes (multiboot2 tag 1, multiboot1 field cmdline), read through the early
 * identity window. The kernel only asks whether one whitespace-separated word is present: that is how
 * `./verimem boot --expect-panic CASE` asks for a deliberate failure (verimem.panic=CASE).
 */
public final class CommandLine {
    /** Longest command line looked at; the loaders' own limits are far below. */
    public static final long MAX_LENGTH = 4096;
    /** Boot info and command line are physical addresses below 4 GiB (32-bit fields, 32-bit loaders). */
    public static final long MAX_ADDRESS = 4294967296L;

    private CommandLine() {
    }

    /** Physical address of the NUL-terminated command line, or 0 when the loader passed none or it is malformed. */
    static long find(long magic, long info) {
        if (info < 0 || info > MAX_ADDRESS) {
            return 0;
        }
        if (magic == BootMaps.MB1_MAGIC) {
            if ((Cpu.load32(info) >> 2) % 2 == 0) {
                return 0;
            }
            return Cpu.load32(info + 16);
        }
        long total = Cpu.load32(info);
        if (total > Multiboot2.MAX_INFO_SIZE) {
            return 0;
        }
        long end = info + total;
        long tag = info + 8;
        while (tag + 8 <= end) { // no overflow: info + MAX_INFO_SIZE is far below Long.MAX_VALUE
            long type = Cpu.load32(tag);
            long size = Cpu.load32(tag + 4);
            if (type == 0 || size < 8) {
                return 0;
            }
            if (type == 1) {
                return tag + 8;
            }
            tag = tag + (size + 7) / 8 * 8;
        }
        return 0;
    }

    /** True when `word` appears in the string at cmdline as a whole word (bounded by blanks or the ends). */
    static boolean hasWord(long cmdline, byte[] word) {
        if (cmdline <= 0 || cmdline > MAX_ADDRESS) {
            return false;
        }
        boolean atWordStart = true;
        for (long p = cmdline; p < cmdline + MAX_LENGTH; p++) {
            int c = Cpu.load8(p);
            if (c == 0) {
                return false;
            }
            if (atWordStart && matchesAt(p, word)) {
                return true;
            }
            atWordStart = c == ' ';
        }
        return false;
    }

    private static boolean matchesAt(long p, byte[] word) {
        for (int i = 0; i < word.length; i++) {
            if (Cpu.load8(p + i) != word[i]) {
                return false;
            }
        }
        int after = Cpu.load8(p + word.length);
        return after == 0 || after == ' ';
    }

    /**
     * The decimal number after `prefix` in the first word that starts with it (for example `verimem.soak=1000`),
     * or -1 when no word starts with it, the digits are missing, a non-digit follows them, or there are more
     * than 12 digits (so the value never overflows).
     */
    static long numberAfter(long cmdline, byte[] prefix) {
        long p = wordStart(cmdline, prefix);
        return p < 0 ? -1 : digitsAt(p + prefix.length);
    }

    /** Address of the first word that starts with prefix, or -1. */
    static long wordStart(long cmdline, byte[] prefix) {
        if (cmdline <= 0 || cmdline > MAX_ADDRESS) {
            return -1;
        }
        boolean atWordStart = true;
        for (long p = cmdline; p < cmdline + MAX_LENGTH; p++) {
            int c = Cpu.load8(p);
            if (c == 0) {
                return -1;
            }
            if (atWordStart && startsWith(p, prefix)) {
                return p;
            }
            atWordStart = c == ' ';
        }
        return -1;
    }

    private static boolean startsWith(long p, byte[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if (Cpu.load8(p + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static long digitsAt(long p) {
        long value = 0;
        int digits = 0;
        while (digits <= 12) {
            int c = Cpu.load8(p + digits);
            if (c == 0 || c == ' ') {
                return digits == 0 ? -1 : value;
            }
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
            digits = digits + 1;
        }
        return -1;
    }
}
