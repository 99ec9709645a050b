package verimem.robust;

import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * Writes a multiboot2 boot-information structure as GRUB lays it out (little endian, tags 8-byte aligned): a
 * command-line tag, optional module tags, the memory-map tag with 24-byte entries, the end tag. The fuzzer then
 * mutates the bytes; this class only produces well-formed structures.
 */
final class Mb2Image {
    private Mb2Image() {
    }

    /** entries: {base, length, type}; modules: {start, end}. */
    static byte[] build(List<long[]> entries, List<long[]> modules) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        u32(b, 0);
        u32(b, 0);
        u32(b, 1); // boot command line
        u32(b, 8 + 7);
        b.writeBytes("fuzz=1\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        pad(b);
        for (long[] m : modules) {
            u32(b, 3);
            u32(b, 16 + 4);
            u32(b, m[0]);
            u32(b, m[1]);
            b.writeBytes(new byte[] {'m', 'o', 'd', 0});
            pad(b);
        }
        u32(b, 6);
        u32(b, 16 + 24L * entries.size());
        u32(b, 24);
        u32(b, 0);
        for (long[] e : entries) {
            u64(b, e[0]);
            u64(b, e[1]);
            u32(b, e[2]);
            u32(b, 0);
        }
        u32(b, 0);
        u32(b, 8);
        byte[] out = b.toByteArray();
        putU32(out, 0, out.length);
        return out;
    }

    static void u32(ByteArrayOutputStream b, long v) {
        for (int i = 0; i < 4; i++) {
            b.write((int) (v >>> (8 * i)));
        }
    }

    static void u64(ByteArrayOutputStream b, long v) {
        u32(b, v);
        u32(b, v >>> 32);
    }

    static void pad(ByteArrayOutputStream b) {
        while (b.size() % 8 != 0) {
            b.write(0);
        }
    }

    static void putU32(byte[] a, int off, long v) {
        for (int i = 0; i < 4; i++) {
            a[off + i] = (byte) (v >>> (8 * i));
        }
    }

    static long getU32(byte[] a, int off) {
        long v = 0;
        for (int i = 3; i >= 0; i--) {
            v = (v << 8) | (a[off + i] & 0xFF);
        }
        return v;
    }
}
