package verimem.robust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import verimem.host.dmesg.SharedMaps;
import verimem.host.sim.BootLoaderSim;
import verimem.host.sim.PhysicalMemory;
import verimem.host.sim.SimMachine;
import verimem.host.sim.SimulatedBoot;
import verimem.kernel.arch.Cpu;
import verimem.kernel.arch.Err;
import verimem.kernel.arch.KernelPanic;
import verimem.kernel.memmap.CarveOuts;
import verimem.kernel.memmap.MapInvariants;
import verimem.kernel.memmap.MapSanitiser;
import verimem.kernel.memmap.MemoryMap;
import verimem.kernel.memmap.Multiboot1;
import verimem.kernel.memmap.Multiboot2;
import verimem.kernel.pmm.Pmm;
import verimem.kernel.pmm.SegmentTable;

/**
 * Mutation fuzzing of the boot path that reads the firmware map: multiboot2 parser -> sanitiser -> carve-outs ->
 * PMM (built and released as the hand-off does), for a bounded time (default 15 s; -Dverimem.fuzz.seconds=N,
 * -Dverimem.fuzz.seed=S). Seeds: the twelve real maps of ../shared/memory-maps plus hand-made hostile maps.
 *
 * The structure is written into simulated RAM so that exactly [info, info + total_size) is mapped: a read outside
 * it is a page fault, i.e. a test failure. Every input must end in one of the defined outcomes (counted):
 *   parse BAD_MEMORY_MAP | sanitise BAD_MEMORY_MAP | carve BAD_MEMORY_MAP | a map that passes every check below.
 * Checks on a kept map: the sanitised and carved maps satisfy MapInvariants; no usable byte lies in a non-usable
 * raw entry, outside the raw usable entries, or in a carve-out (low 1 MiB, kernel, boot info, modules); the PMM
 * manages exactly the carved usable frames, and every frame it hands out (up to 512 of them, plus aligned blocks)
 * lies in a carved usable range; freeing them restores the free count; one in BOOT_EVERY of those maps also boots
 * (if it has at most 1 GiB of usable RAM) through the real bootstrap and its hand-off check. Any exception is a failure.
 */
class MemoryMapFuzzTest {
    static final long WINDOW = 2L << 20; // identity-mapped by one 2 MiB page
    static final long KERNEL_START = 0x100000, KERNEL_END = 0x180000;
    /** The PMM stage builds JVM arrays; beyond 16 MiB of bitmap it is skipped (and counted). */
    static final long PMM_STAGE_MAX_WORDS = 1L << 21;

    /** One in this many maps that built a PMM is also booted (the bootstrap costs far more than the pipeline). */
    static final int BOOT_EVERY = 16;
    /** ... and only maps of at most 1 GiB of usable RAM: the hand-off check visits every frame. */
    static final long BOOT_MAX_FRAMES = 1L << 18;

    final Map<String, Integer> outcomes = new TreeMap<>();
    long pmmOk;
    SimMachine m;

    @AfterEach
    void tearDown() {
        Cpu.install(null);
    }

    static List<long[]> entriesOf(MemoryMap map) {
        List<long[]> out = new ArrayList<>();
        for (int i = 0; i < map.count(); i++) {
            out.add(new long[] {map.start(i), map.end(i) - map.start(i), map.type(i)});
        }
        return out;
    }

    static List<List<long[]>> seeds() {
        List<List<long[]>> seeds = new ArrayList<>();
        // the twelve files of ../shared/memory-maps, copied byte for byte into the test resources; sorted by name
        // so that a seed number means the same input on every file system
        String[] names = new java.io.File(SharedMaps.path("001-hp-pavilion-dm1-amd-e450.txt").getParent().toString())
                .list();
        java.util.Arrays.sort(names);
        for (String name : names) {
            seeds.add(entriesOf(SharedMaps.raw(name)));
        }
        seeds.add(List.of(new long[] {0, 0x9fc00, 1}, new long[] {0x100000, 0x3ff00000, 1})); // firecracker-like
        seeds.add(List.of(new long[] {0x100, 0x9f00, 1}, new long[] {0x100000, 0x7ff0000, 1})); // starts at 0x100
        seeds.add(List.of(new long[] {0, 0x100000000L, 2})); // no usable memory
        seeds.add(List.of(new long[] {0x100000, 0x1000, 1}, new long[] {0x100800, 0x800, 1})); // sub-page pieces
        return seeds;
    }

    @Test
    void hostileMapsEndInAValidMapOrACleanRejection() {
        long seconds = Long.getLong("verimem.fuzz.seconds", 15);
        long seed = Long.getLong("verimem.fuzz.seed", 9);
        Random rnd = new Random(seed);
        MapMutator mut = new MapMutator(rnd);
        List<List<long[]>> seeds = seeds();
        setUpMachine();
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        long inputs = 0;
        for (List<long[]> s : seeds) { // every seed unmutated first: the real maps must boot
            assertTrue(runOne(Mb2Image.build(s, List.of()), "seed " + inputs++).startsWith("pmm ok"));
        }
        while (System.nanoTime() < deadline) {
            List<long[]> entries = mut.mutateEntries(seeds.get(rnd.nextInt(seeds.size())), true);
            List<long[]> modules = rnd.nextInt(4) == 0
                    ? List.of(new long[] {0x200000 + rnd.nextInt(64) * 4096L, 0x300000 + rnd.nextInt(1 << 20)})
                    : List.of();
            byte[] image = Mb2Image.build(entries, modules);
            if (rnd.nextInt(3) == 0) {
                image = mut.mutateBytes(image);
            }
            runOne(image, "input " + inputs + " (seed " + seed + ")");
            inputs++;
            if (inputs % 2000 == 0) {
                System.out.println("memory-map fuzz: " + inputs + " inputs " + outcomes);
            }
        }
        System.out.println("memory-map fuzz: " + inputs + " inputs in " + seconds + " s (seed " + seed + "), outcomes "
                + outcomes);
        // the real maps alone reach "pmm ok" and a boot; the mutations must also reach a rejection
        assertTrue(outcomes.getOrDefault("pmm ok", 0) > 0 && outcomes.getOrDefault("parse BAD_MEMORY_MAP", 0) > 0,
                "the fuzzer reaches both a kept map and a rejection " + outcomes);
    }

    /**
     * The same pipeline behind the multiboot1 reader (what `qemu -kernel` hands over): the entry array is placed
     * so that it ends exactly at the top of the mapped window, and the u32 size fields, mmap_length, mmap_addr and
     * flags are mutated as well as the entries. Default 4 s (-Dverimem.fuzz.mb1.seconds).
     */
    @Test
    void hostileMultiboot1MapsEndInAValidMapOrACleanRejection() {
        long seconds = Long.getLong("verimem.fuzz.mb1.seconds", 4);
        long seed = Long.getLong("verimem.fuzz.seed", 9);
        Random rnd = new Random(seed + 1);
        MapMutator mut = new MapMutator(rnd);
        List<List<long[]>> seeds = seeds();
        setUpMachine();
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        long inputs = 0;
        for (List<long[]> s : seeds) {
            assertTrue(runMb1(Mb1Image.entries(s), 0, 0, "mb1 seed " + inputs++).startsWith("pmm ok"));
        }
        while (System.nanoTime() < deadline) {
            byte[] entries = Mb1Image.entries(mut.mutateEntries(seeds.get(rnd.nextInt(seeds.size())), true));
            int how = rnd.nextInt(4);
            long lengthDelta = how == 1 ? rnd.nextInt(48) - 24 : 0;
            long flagsFlip = how == 2 ? 1L << 6 : 0;
            if (how == 3 && entries.length >= 24) {
                long[] sizes = {0, 16, 19, 20, 21, 24, 0xFFFF_FFFFL, 65536};
                Mb2Image.putU32(entries, rnd.nextInt(entries.length / 24) * 24, sizes[rnd.nextInt(sizes.length)]);
            }
            runMb1(entries, lengthDelta, flagsFlip, "mb1 input " + inputs + " (seed " + seed + ")");
            inputs++;
        }
        System.out.println("memory-map fuzz (multiboot1): " + inputs + " inputs in " + seconds + " s (seed " + seed
                + "), outcomes " + outcomes);
        assertTrue(outcomes.getOrDefault("pmm ok", 0) > 0 && outcomes.getOrDefault("parse BAD_MEMORY_MAP", 0) > 0,
                "the fuzzer reaches both outcomes " + outcomes);
    }

    static final long MB1_INFO = 0x10000;

    /** Writes the info block and the entry array (ending at the window top) and runs the pipeline. */
    String runMb1(byte[] entries, long lengthDelta, long flagsFlip, String what) {
        PhysicalMemory ram = m.ram();
        long length = Math.max(0, entries.length + lengthDelta);
        long mapped = Math.min(Math.max(length, entries.length), Multiboot1.MAX_MMAP_LENGTH);
        long addr = (WINDOW - mapped) / 4 * 4;
        for (long a = addr - 8; a < WINDOW; a++) {
            ram.write8(a, 0);
        }
        for (int i = 0; i < entries.length && addr + i < WINDOW; i++) {
            ram.write8(addr + i, entries[i] & 0xFF);
        }
        for (long a = MB1_INFO; a < MB1_INFO + 64; a += 8) {
            ram.write64(a, 0);
        }
        ram.write32(MB1_INFO, (int) ((1L << Multiboot1.FLAG_MMAP) ^ flagsFlip));
        ram.write32(MB1_INFO + 44, (int) length);
        ram.write32(MB1_INFO + 48, (int) addr);
        return classify(() -> {
            MemoryMap raw = new MemoryMap();
            if (Multiboot1.parse(MB1_INFO, 0, raw) != Err.OK) {
                return "parse BAD_MEMORY_MAP";
            }
            return fromRawMap(raw, new MemoryMap(), addr, addr + length, what);
        }, what);
    }

    void setUpMachine() {
        m = Multiboot2FuzzTarget.machine(); // the same loader-like machine as the Jazzer target: one 2 MiB identity window
    }

    /** Places the structure so that it ends at the top of the mapped window, runs the pipeline, counts the outcome. */
    String runOne(byte[] image, String what) {
        long declared = image.length >= 4 ? Mb2Image.getU32(image, 0) : 0;
        long span = Math.max(image.length, Math.min(declared, Multiboot2.MAX_INFO_SIZE));
        long info = (WINDOW - span) / 8 * 8;
        PhysicalMemory ram = m.ram();
        for (long a = info - 8; a < WINDOW; a += 8) { // info is 8-aligned; zeroing word by word
            ram.write64(a, 0);
        }
        for (int i = 0; i < image.length; i += 8) {
            long w = 0;
            for (int j = Math.min(7, image.length - 1 - i); j >= 0; j--) {
                w = (w << 8) | (image[i + j] & 0xFF);
            }
            ram.write64(info + i, w);
        }
        return classify(() -> pipeline(info, what), what);
    }

    /** Runs one input; a KernelPanic with a message is a defined outcome, any other exception is a failure. */
    String classify(java.util.function.Supplier<String> run, String what) {
        String outcome;
        try {
            outcome = run.get();
        } catch (KernelPanic p) {
            assertTrue(p.getMessage() != null && !p.getMessage().isEmpty(), what + ": panic without message");
            outcome = "panic: " + p.getMessage();
        } catch (AssertionError e) {
            throw e;
        } catch (RuntimeException e) {
            throw new AssertionError(what + ": undefined outcome " + e, e);
        }
        outcomes.merge(outcome, 1, Integer::sum);
        return outcome;
    }

    String pipeline(long info, String what) {
        MemoryMap raw = new MemoryMap();
        MemoryMap modules = new MemoryMap();
        long total = Multiboot2.parse(info, raw, modules);
        if (total == Err.BAD_MEMORY_MAP) {
            return "parse BAD_MEMORY_MAP";
        }
        assertTrue(16 <= total && total <= Multiboot2.MAX_INFO_SIZE, what + ": parse result " + total);
        return fromRawMap(raw, modules, info, info + total, what);
    }

    /** Sanitise, carve, PMM (and sometimes boot) a parsed raw map; bootInfo is carved out like GRUB's block. */
    String fromRawMap(MemoryMap raw, MemoryMap modules, long bootInfoStart, long bootInfoEnd, String what) {
        MemoryMap scratch = new MemoryMap();
        MemoryMap clean = new MemoryMap();
        long r = MapSanitiser.sanitise(raw, scratch, clean);
        if (r == Err.BAD_MEMORY_MAP) {
            return "sanitise BAD_MEMORY_MAP";
        }
        assertEquals(Err.OK, r, what);
        assertTrue(MapInvariants.isSanitised(clean), what + ": sanitised map breaks the invariants");
        checkUsableAgainstRaw(raw, clean, what);
        MemoryMap carveList = new MemoryMap();
        if (CarveOuts.standard(carveList, KERNEL_START, KERNEL_END, bootInfoStart, bootInfoEnd, modules) != Err.OK) {
            return "carve BAD_MEMORY_MAP";
        }
        MemoryMap carved = new MemoryMap();
        r = CarveOuts.apply(clean, carveList, scratch, carved);
        if (r != Err.OK) {
            assertTrue(r == Err.BAD_MEMORY_MAP || r == Err.INVALID_ARGUMENT, what + ": carve result " + r);
            return "carve " + (r == Err.BAD_MEMORY_MAP ? "BAD_MEMORY_MAP" : "INVALID_ARGUMENT");
        }
        assertTrue(MapInvariants.isSanitised(carved), what + ": carved map breaks the invariants");
        checkUsableAgainstRaw(raw, carved, what);
        for (int i = 0; i < carved.count(); i++) {
            if (carved.type(i) == MemoryMap.USABLE) {
                for (int c = 0; c < carveList.count(); c++) {
                    assertTrue(carved.end(i) <= CarveOuts.pageDown(carveList.start(c))
                                    || CarveOuts.pageUp(Math.min(carveList.end(c), MapInvariants.MAX_PHYS))
                                    <= carved.start(i),
                            what + ": usable range overlaps carve-out " + c);
                }
            }
        }
        long words = SegmentTable.wordsFor(carved);
        if (words > SegmentTable.MAX_WORDS) {
            assertEquals(Err.BAD_MEMORY_MAP, Pmm.checkFits(carved), what + ": beyond the bitmap limit");
            try {
                new Pmm(carved);
                fail(what + ": a PMM beyond the bitmap limit was built");
            } catch (KernelPanic p) {
                assertTrue(p.getMessage().startsWith("pmm: "), p.getMessage());
            }
            return "PMM BAD_MEMORY_MAP (usable memory beyond 512 TiB)";
        }
        assertEquals(Err.OK, Pmm.checkFits(carved), what);
        if (words > PMM_STAGE_MAX_WORDS) {
            return "map ok, PMM build skipped: bitmap > 16 MiB of JVM heap";
        }
        checkPmm(carved, what);
        if (++pmmOk % BOOT_EVERY != 0 || MapInvariants.usableFrames(carved) > BOOT_MAX_FRAMES) {
            return "pmm ok";
        }
        return boot(carved, what);
    }

    /**
     * Every BOOT_EVERY-th map that built a PMM also goes through the real bootstrap on its own simulated machine
     * (pre-PMM, early mapper, PMM metadata, hand-off) and the hand-off check: every usable frame in exactly one
     * state. A bootstrap error must be one of its defined codes.
     */
    String boot(MemoryMap carved, String what) {
        // the simulated boot loader needs the image loaded in usable RAM, in one piece of at least 7 frames
        int k = 0;
        while (k < carved.count() && carved.type(k) != MemoryMap.KERNEL_IMAGE) {
            k++;
        }
        if (k == carved.count() || carved.end(k) - carved.start(k) < (BootLoaderSim.TABLE_FRAMES + 1) * 4096L) {
            return "pmm ok, boot n/a (kernel image not loadable in this map)";
        }
        try {
            SimulatedBoot.Figures f = SimulatedBoot.run(carved);
            if (f.result() != Err.OK) {
                assertTrue(f.result() == Err.NO_MEMORY || f.result() == Err.BAD_MEMORY_MAP, what + ": boot "
                        + f.result());
                return "pmm ok, boot refused " + (f.result() == Err.NO_MEMORY ? "NO_MEMORY" : "BAD_MEMORY_MAP");
            }
            assertEquals(Err.OK, f.checkResult(), what + ": hand-off check " + f.summary());
            assertEquals(MapInvariants.usableFrames(carved), f.usableFrames(), what);
            return "pmm ok, boot ok (hand-off check passed)";
        } finally {
            Cpu.install(m);
        }
    }

    /** Every usable byte of out lies in a raw usable entry and in no raw entry of another type. */
    static void checkUsableAgainstRaw(MemoryMap raw, MemoryMap out, String what) {
        for (int i = 0; i < out.count(); i++) {
            if (out.type(i) != MemoryMap.USABLE) {
                continue;
            }
            long s = out.start(i);
            long e = out.end(i);
            List<Long> points = new ArrayList<>(List.of(s, e - 1));
            for (int j = 0; j < raw.count(); j++) {
                long rs = raw.start(j);
                long re = MapSanitiser.clippedEnd(raw.end(j));
                if (!MapSanitiser.isKept(raw.start(j), raw.end(j))) {
                    continue;
                }
                if (raw.type(j) != MemoryMap.USABLE && rs < e && s < re) {
                    fail(what + ": usable [0x" + Long.toHexString(s) + ", 0x" + Long.toHexString(e)
                            + ") overlaps raw entry of type " + raw.type(j));
                }
                for (long p : new long[] {rs, rs - 1, re, re - 1}) {
                    if (s <= p && p < e) {
                        points.add(p);
                    }
                }
            }
            for (long p : points) {
                boolean covered = false;
                for (int j = 0; j < raw.count() && !covered; j++) {
                    covered = raw.type(j) == MemoryMap.USABLE && MapSanitiser.isKept(raw.start(j), raw.end(j))
                            && raw.start(j) <= p && p < MapSanitiser.clippedEnd(raw.end(j));
                }
                assertTrue(covered, what + ": usable byte 0x" + Long.toHexString(p) + " not usable in the raw map");
            }
        }
    }

    static boolean inUsable(MemoryMap carved, long pa, long bytes) {
        for (int i = 0; i < carved.count(); i++) {
            if (carved.type(i) == MemoryMap.USABLE && carved.start(i) <= pa && pa + bytes <= carved.end(i)) {
                return true;
            }
        }
        return false;
    }

    static void checkPmm(MemoryMap carved, String what) {
        Pmm pmm = new Pmm(carved);
        long usable = MapInvariants.usableFrames(carved);
        assertEquals(usable, pmm.managedFrames(), what + ": managed frames");
        for (int i = 0; i < carved.count(); i++) {
            if (carved.type(i) == MemoryMap.USABLE) {
                assertEquals(Err.OK, pmm.release(carved.start(i), carved.end(i)), what + ": hand-off");
                assertEquals(Err.INVALID_ARGUMENT, pmm.release(carved.start(i), carved.end(i)), what + ": twice");
                assertTrue(!pmm.manages(carved.start(i) - 4096) || inUsable(carved, carved.start(i) - 4096, 4096),
                        what + ": manages the frame before a usable range");
                assertTrue(!pmm.manages(carved.end(i)) || inUsable(carved, carved.end(i), 4096),
                        what + ": manages the frame after a usable range");
            }
        }
        assertEquals(usable, pmm.freeFrames(), what + ": free after hand-off");
        List<Long> got = new ArrayList<>();
        for (int k = 0; k < 512; k++) {
            long f = pmm.allocFrame();
            if (f == Err.NO_MEMORY) {
                assertEquals(0, pmm.freeFrames(), what + ": NO_MEMORY with free frames");
                break;
            }
            assertTrue(f >= 0 && inUsable(carved, f, 4096), what + ": frame 0x" + Long.toHexString(f)
                    + " handed out from outside the usable ranges");
            got.add(f);
        }
        long block = pmm.allocAligned(9);
        if (block >= 0) {
            assertTrue(block % (2L << 20) == 0 && inUsable(carved, block, 2L << 20), what + ": 2 MiB block");
            assertEquals(Err.OK, pmm.freeAligned(block, 9));
        } else {
            assertEquals(Err.NO_MEMORY, block, what);
        }
        for (long f : got) {
            assertEquals(Err.OK, pmm.freeFrame(f), what);
        }
        assertEquals(usable, pmm.freeFrames(), what + ": free count restored");
    }
}
