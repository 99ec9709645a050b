package verimem.robust;

import java.io.ByteArrayOutputStream;
import java.util.List;

/** The entry array of a multiboot1 memory map: per entry u32 size (20), u64 base_addr, u64 length, u32 type. */
final class Mb1Image {
    private Mb1Image() {
    }

    static byte[] entries(List<long[]> entries) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (long[] e : entries) {
            Mb2Image.u32(b, 20);
            Mb2Image.u64(b, e[0]);
            Mb2Image.u64(b, e[1]);
            Mb2Image.u32(b, e[2]);
        }
        return b.toByteArray();
    }
}
