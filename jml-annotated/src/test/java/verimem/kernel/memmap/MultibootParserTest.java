package verimem.kernel.memmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import verimem.host.sim.PhysicalMemory;
import verimem.host.sim.SimMachine;
import verimem.kernel.arch.Cpu;
import verimem.kernel.arch.Err;

/**
 * The multiboot parsers read a structure written into simulated RAM, through Cpu and the simulated MMU. Only the
 * first 2 MiB are mapped (identity, one 2 MiB page), and the malformed structures are placed so that they END at
 * 2 MiB: a read beyond the declared total size hits an unmapped page and the test fails with a page fault.
 */
class MultibootParserTest {
    static final long P = 1, W = 2, PS = 128;
    static final long TOP = 0x200000; // end of the mapped window
    SimMachine m;
    PhysicalMemory ram;

    @BeforeEach
    void setUp() {
        m = new SimMachine(8L << 20);
        ram = m.ram();
        ram.write64(0x1000, 0x2000 | P | W); // PML4[0] -> PDPT
        ram.write64(0x2000, 0x3000 | P | W); // PDPT[0] -> PD
        ram.write64(0x3000, 0x0 | P | W | PS); // PD[0] -> 2 MiB page at 0
        m.loaderSetCr3(0x1000);
        Cpu.install(m);
    }

    @AfterEach
    void tearDown() {
        Cpu.install(null);
    }

    /** Builds a multiboot2 structure as little-endian u32 words; tags are padded to 8 bytes. */
    static final class Mb2 {
        final java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();

        Mb2 u32(long v) {
            for (int i = 0; i < 4; i++) {
                b.write((int) (v >> (8 * i)));
            }
            return this;
        }

        Mb2 u64(long v) {
            return u32(v).u32(v >> 32);
        }

        Mb2 pad() {
            while (b.size() % 8 != 0) {
                b.write(0);
            }
            return this;
        }

        Mb2 bytes(int n) {
            for (int i = 0; i < n; i++) {
                b.write('x');
            }
            return this;
        }

        Mb2 mmapTag(long[][] entries) {
            u32(6).u32(16 + 24L * entries.length).u32(24).u32(0);
            for (long[] e : entries) {
                u64(e[0]).u64(e[1]).u32(e[2]).u32(0);
            }
            return this;
        }

        Mb2 moduleTag(long start, long end) {
            return u32(3).u32(16 + 5).u32(start).u32(end).bytes(4).bytes(0).u32Byte0().pad();
        }

        private Mb2 u32Byte0() {
            b.write(0);
            return this;
        }

        Mb2 endTag() {
            return u32(0).u32(8);
        }

        /** total_size = everything written after the 8-byte header, plus the header. */
        byte[] finish() {
            byte[] body = b.toByteArray();
            byte[] all = new byte[body.length + 8];
            long total = all.length;
            for (int i = 0; i < 4; i++) {
                all[i] = (byte) (total >> (8 * i));
            }
            System.arraycopy(body, 0, all, 8, body.length);
            return all;
        }
    }

    void write(long pa, byte[] data) {
        for (int i = 0; i < data.length; i++) {
            ram.write8(pa + i, data[i] & 0xff);
        }
    }

    /** Places the structure so that it ends exactly at the end of the mapped window; returns its address. */
    long writeAtTop(byte[] data) {
        long pa = (TOP - data.length) / 8 * 8;
        write(pa, data);
        assertEquals(TOP, pa + data.length, "test structure must be a multiple of 8 bytes");
        return pa;
    }

    static final long[][] ENTRIES = {
        {0x0, 0x9fc00, 1},
        {0x100000, 0x7ef0000, 1},
        {0xfffc0000L, 0x40000, 2},
        {0xfffffffffffff000L, 0x2000, 1}, // wraps past 2^64: kept raw, the sanitiser drops it
        {0x100000000L, 0x1000, 0xf0000000L}, // u32 type above 2^31 - 1
    };

    @Test
    void parsesMemoryMapModulesAndSize() {
        byte[] info = new Mb2().u32(1).u32(13).bytes(5).pad() // a cmdline tag with an odd size
                .mmapTag(ENTRIES).moduleTag(0x400000, 0x401234).moduleTag(0x500000, 0x500000).endTag().finish();
        long va = 0x10000;
        write(va, info);
        MemoryMap mmap = new MemoryMap();
        MemoryMap modules = new MemoryMap();
        assertEquals(info.length, Multiboot2.parse(va, mmap, modules));
        assertEquals(5, mmap.count());
        assertEquals(0x100000, mmap.start(1));
        assertEquals(0x7ff0000, mmap.end(1));
        assertEquals(2, mmap.type(2));
        assertEquals(0xfffffffffffff000L, mmap.start(3));
        assertEquals(0x1000, mmap.end(3)); // the 64-bit sum, wrapped
        assertEquals(MemoryMap.RESERVED, mmap.type(4));
        assertEquals(2, modules.count());
        assertEquals(0x400000, modules.start(0));
        assertEquals(0x401234, modules.end(0));
        assertEquals(MemoryMap.BOOT_MODULE, modules.type(0));

        // end to end: sanitise, carve out low memory, a kernel, the boot info itself and the modules
        MemoryMap sanitised = new MemoryMap();
        assertEquals(Err.OK, MapSanitiser.sanitise(mmap, new MemoryMap(), sanitised));
        // the wrapping entry is gone, and the two reserved ranges touching at 4 GiB merge into one
        assertEquals(3, sanitised.count());
        assertEquals(0x100001000L, sanitised.end(2));
        MemoryMap list = new MemoryMap();
        assertEquals(Err.OK, CarveOuts.standard(list, 0x200000, 0x300000, va, va + info.length, modules));
        MemoryMap fin = new MemoryMap();
        assertEquals(Err.OK, CarveOuts.apply(sanitised, list, new MemoryMap(), fin));
        // usable: [0x100000, 0x7ff0000) = 0x7ef0 frames; minus kernel 0x100 and module 2 frames; the low 1 MiB and
        // the boot info (inside it) and the empty module take nothing from it: 0x7ef0 - 0x100 - 2 = 32238
        assertEquals(32238, MapInvariants.usableFrames(fin));
    }

    long parseAtTop(byte[] info) {
        long va = writeAtTop(info);
        return Multiboot2.parse(va, new MemoryMap(), new MemoryMap());
    }

    @Test
    void wellFormedStructureAtTheTopOfMappedMemoryParses() {
        assertTrue(parseAtTop(new Mb2().mmapTag(ENTRIES).endTag().finish()) > 0);
    }

    @Test
    void tagSizeBeyondTotalIsRejectedWithoutReadingPastIt() {
        byte[] info = new Mb2().mmapTag(ENTRIES).u32(4).u32(4096).finish(); // tag claims 4 KiB, 8 bytes remain
        assertEquals(Err.BAD_MEMORY_MAP, parseAtTop(info));
    }

    @Test
    void missingEndTagIsRejected() {
        assertEquals(Err.BAD_MEMORY_MAP, parseAtTop(new Mb2().mmapTag(ENTRIES).finish()));
    }

    @Test
    void tagSmallerThanItsHeaderIsRejected() {
        assertEquals(Err.BAD_MEMORY_MAP, parseAtTop(new Mb2().mmapTag(ENTRIES).u32(9).u32(4).endTag().finish()));
    }

    @Test
    void endTagWithWrongSizeIsRejected() {
        assertEquals(Err.BAD_MEMORY_MAP, parseAtTop(new Mb2().mmapTag(ENTRIES).u32(0).u32(16).u64(0).finish()));
    }

    @Test
    void misalignedInfoIsRejected() {
        write(0x10004, new Mb2().mmapTag(ENTRIES).endTag().finish());
        assertEquals(Err.BAD_MEMORY_MAP, Multiboot2.parse(0x10004, new MemoryMap(), new MemoryMap()));
    }

    @Test
    void totalSizeTooSmallOrTooLargeIsRejected() {
        write(0x10000, new Mb2().u32(8).u32(0).finish()); // total_size 8 < 16
        assertEquals(Err.BAD_MEMORY_MAP, Multiboot2.parse(0x10000, new MemoryMap(), new MemoryMap()));
        ram.write32(0x10000, (int) (Multiboot2.MAX_INFO_SIZE + 8));
        assertEquals(Err.BAD_MEMORY_MAP, Multiboot2.parse(0x10000, new MemoryMap(), new MemoryMap()));
    }

    @Test
    void mmapEntrySizeTooSmallOrUnalignedIsRejected() {
        byte[] small = new Mb2().u32(6).u32(16 + 40).u32(20).u32(0).bytes(40).endTag().finish();
        assertEquals(Err.BAD_MEMORY_MAP, parseAtTop(small));
        byte[] odd = new Mb2().u32(6).u32(16 + 28).u32(28).u32(0).bytes(28).pad().endTag().finish();
        assertEquals(Err.BAD_MEMORY_MAP, parseAtTop(odd));
        byte[] ragged = new Mb2().u32(6).u32(16 + 24 + 8).u32(24).u32(0).bytes(32).endTag().finish();
        assertEquals(Err.BAD_MEMORY_MAP, parseAtTop(ragged));
    }

    @Test
    void firmwareTypesThatCollideWithOurCarveOutCodesBecomeReserved() {
        long[][] entries = {
            {0x100000, 0x100000, MemoryMap.KERNEL_IMAGE},
            {0x200000, 0x100000, MemoryMap.LOW_MEMORY},
            {0x300000, 0x100000, 0x10005}, // just past our codes: kept as an unknown type
        };
        long va = writeAtTop(new Mb2().mmapTag(entries).endTag().finish());
        MemoryMap mmap = new MemoryMap();
        assertTrue(Multiboot2.parse(va, mmap, new MemoryMap()) > 0);
        assertEquals(MemoryMap.RESERVED, mmap.type(0));
        assertEquals(MemoryMap.RESERVED, mmap.type(1));
        assertEquals(0x10005, mmap.type(2));
    }

    @Test
    void largerEntrySizeIsHonoured() {
        // entry_size 32: a future version with 8 more bytes per entry
        Mb2 b = new Mb2().u32(6).u32(16 + 64).u32(32).u32(1);
        b.u64(0x100000).u64(0x100000).u32(1).u32(0).u64(0);
        b.u64(0x300000).u64(0x1000).u32(2).u32(0).u64(0);
        long va = writeAtTop(b.endTag().finish());
        MemoryMap mmap = new MemoryMap();
        assertTrue(Multiboot2.parse(va, mmap, new MemoryMap()) > 0);
        assertEquals(2, mmap.count());
        assertEquals(0x301000, mmap.end(1));
    }

    @Test
    void noOrDuplicateMmapTagIsRejected() {
        assertEquals(Err.BAD_MEMORY_MAP, parseAtTop(new Mb2().moduleTag(0x1000, 0x2000).endTag().finish()));
        assertEquals(Err.BAD_MEMORY_MAP, parseAtTop(new Mb2().mmapTag(ENTRIES).mmapTag(ENTRIES).endTag().finish()));
    }

    @Test
    void moduleEndingBeforeItStartsIsRejected() {
        assertEquals(Err.BAD_MEMORY_MAP,
                parseAtTop(new Mb2().mmapTag(ENTRIES).moduleTag(0x5000, 0x4000).endTag().finish()));
    }

    @Test
    void moreEntriesThanCapacityIsRejected() {
        long[][] many = new long[MemoryMap.CAPACITY + 1][];
        for (int i = 0; i < many.length; i++) {
            many[i] = new long[] {0x2000L * i, 0x1000, 1};
        }
        assertEquals(Err.BAD_MEMORY_MAP, parseAtTop(new Mb2().mmapTag(many).endTag().finish()));
    }

    // ---- multiboot1 -------------------------------------------------------------------------------------------

    /** Writes a multiboot1 info at 0x8000 with its mmap at mmapAddr; each entry is {size, base, length, type}. */
    void mb1(long flags, long mmapAddr, long[][] entries) {
        ram.write32(0x8000, (int) flags);
        long off = 0;
        for (long[] e : entries) {
            long at = mmapAddr + off;
            ram.write32(at, (int) e[0]);
            ram.write32(at + 4, (int) e[1]);
            ram.write32(at + 8, (int) (e[1] >> 32));
            ram.write32(at + 12, (int) e[2]);
            ram.write32(at + 16, (int) (e[2] >> 32));
            ram.write32(at + 20, (int) e[3]);
            off += e[0] + 4;
        }
        ram.write32(0x8000 + 44, (int) off);
        ram.write32(0x8000 + 48, (int) mmapAddr);
    }

    @Test
    void multiboot1MemoryMap() {
        mb1(1 << 6, 0x9000, new long[][] {{20, 0, 0x9fc00, 1}, {20, 0x100000, 0x7ee0000, 1},
            {28, 0x100000000L, 0x40000000L, 1}}); // a larger size field: the next entry follows size + 4
        MemoryMap mmap = new MemoryMap();
        assertEquals(Err.OK, Multiboot1.parse(0x8000, 0, mmap));
        assertEquals(3, mmap.count());
        assertEquals(0x9fc00, mmap.end(0));
        assertEquals(0x100000000L, mmap.start(2));
        assertEquals(0x140000000L, mmap.end(2));
    }

    @Test
    void multiboot1WithoutMapFlagOrWithBadSizeIsRejected() {
        mb1(0x3, 0x9000, new long[][] {{20, 0, 0x9fc00, 1}});
        assertEquals(Err.BAD_MEMORY_MAP, Multiboot1.parse(0x8000, 0, new MemoryMap()));
        mb1(1 << 6, 0x9000, new long[][] {{16, 0, 0x9fc00, 1}});
        assertEquals(Err.BAD_MEMORY_MAP, Multiboot1.parse(0x8000, 0, new MemoryMap()));
        // mmap_length that ends inside an entry
        mb1(1 << 6, 0x9000, new long[][] {{20, 0, 0x9fc00, 1}});
        ram.write32(0x8000 + 44, 30);
        assertEquals(Err.BAD_MEMORY_MAP, Multiboot1.parse(0x8000, 0, new MemoryMap()));
    }

    @Test
    void multiboot1EntryOverrunningTheMapLengthIsRejectedWithoutReadingIt() {
        // the map sits at the very top of mapped memory; a size field of 0x1000 would read far past it
        long at = TOP - 24;
        mb1(1 << 6, at, new long[][] {{20, 0, 0x9fc00, 1}});
        ram.write32(at, 0x1000);
        assertEquals(Err.BAD_MEMORY_MAP, Multiboot1.parse(0x8000, 0, new MemoryMap()));
    }
}
