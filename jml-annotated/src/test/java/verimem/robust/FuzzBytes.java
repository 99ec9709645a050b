package verimem.robust;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The byte form of a raw firmware map that the Jazzer targets read: a flat array of 20-byte records, little
 * endian, {u64 base, u64 length, u32 type} (the multiboot1 entry without its size word). Trailing bytes that do not
 * fill a record are ignored, so every byte string is some map and the fuzzer never wastes inputs on a format error.
 */
final class FuzzBytes {
    static final int RECORD = 20;

    private FuzzBytes() {
    }

    /** entries: {base, length, type}; the type is written as its low 32 bits. */
    static byte[] encode(List<long[]> entries) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (long[] e : entries) {
            Mb2Image.u64(b, e[0]);
            Mb2Image.u64(b, e[1]);
            Mb2Image.u32(b, e[2]);
        }
        return b.toByteArray();
    }

    /** The records of data from offset on, at most max of them: {base, length, type as an unsigned u32}. */
    static List<long[]> decode(byte[] data, int offset, int max) {
        List<long[]> out = new ArrayList<>();
        for (int at = offset; at + RECORD <= data.length && out.size() < max; at += RECORD) {
            out.add(new long[] {u64(data, at), u64(data, at + 8), u32(data, at + 16)});
        }
        return out;
    }

    static long u32(byte[] a, int off) {
        return Mb2Image.getU32(a, off);
    }

    static long u64(byte[] a, int off) {
        return u32(a, off) | (u32(a, off + 4) << 32);
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    static String show(List<long[]> entries) {
        StringBuilder s = new StringBuilder("[");
        for (long[] e : entries) {
            s.append(s.length() > 1 ? ", " : "").append(hex(e[0])).append('+').append(hex(e[1])).append(':').append(e[2]);
        }
        return s.append(']').toString();
    }
}
