package verimem.robust;

import java.util.ArrayList;
import java.util.List;

import verimem.kernel.arch.Err;
import verimem.kernel.memmap.CarveOuts;
import verimem.kernel.memmap.MapInvariants;
import verimem.kernel.memmap.MapSanitiser;
import verimem.kernel.memmap.MemoryMap;
import verimem.kernel.pmm.Pmm;

/**
 * What every Jazzer target runs after its own reader: sanitiser -> carve-outs -> PMM, each step's result compared
 * with {@link ReferenceMap}. An input ends in exactly one named outcome (a valid map or a clean rejection that the
 * reference agrees with); anything else throws {@link AssertionError}, which Jazzer reports as a finding.
 */
final class FuzzPipeline {
    /** The sanitiser under test; tests swap in a deliberately broken one to show the oracle catches it. */
    interface Sanitiser {
        long sanitise(MemoryMap raw, MemoryMap scratch, MemoryMap out);
    }

    static final Sanitiser REAL = MapSanitiser::sanitise;
    static final long KERNEL_START = 0x100000, KERNEL_END = 0x180000;
    /** Bitmap words up to which the PMM is built per input (2^12 words = 1 GiB of usable RAM, 32 KiB of JVM heap: larger
     * bitmaps cost tens of milliseconds per input, which would starve the fuzzer; the real maps above 1 GiB build
     * their PMM in MemoryMapFuzzTest and the PMM tests). */
    static final long PMM_MAX_WORDS = 1L << 12;
    /** Frames the PMM check takes from each PMM (then a 2 MiB block), every one checked against the reference. */
    static final int ALLOC_CHECKS = 64;

    /** The carved map and its reference, when the pipeline got that far (else null). */
    record Result(String outcome, MemoryMap carved, ReferenceMap reference) {
    }

    private FuzzPipeline() {
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    /** The kernel's raw map must hold exactly the entries the oracle read from the same bytes. */
    static void checkParsed(MemoryMap raw, List<long[]> expected) {
        check(raw.count() == expected.size(), "parser kept " + raw.count() + " entries, the input has " + expected.size());
        for (int i = 0; i < expected.size(); i++) {
            long[] e = expected.get(i);
            check(raw.start(i) == e[0] && raw.end(i) == e[0] + e[1] && raw.type(i) == ReferenceMap.narrow(e[2]),
                    "parser entry " + i + " differs from the input");
        }
    }

    /**
     * raw: the kernel's raw map (already checked against rawEntries); modules {start, end}. Runs sanitise, carve and
     * the PMM check.
     */
    static Result run(Sanitiser sanitiser, MemoryMap raw, List<long[]> rawEntries, long bootInfoStart,
                      long bootInfoEnd, MemoryMap modules) {
        ReferenceMap ref = ReferenceMap.sanitised(rawEntries);
        MemoryMap scratch = new MemoryMap(), clean = new MemoryMap();
        long r = sanitiser.sanitise(raw, scratch, clean);
        if (r == Err.BAD_MEMORY_MAP) {
            check(ref.runs.size() > MemoryMap.CAPACITY, "sanitiser refused a map of " + ref.runs.size() + " runs");
            return new Result("sanitise BAD_MEMORY_MAP (more than 256 runs)", null, null);
        }
        check(r == Err.OK, "sanitiser returned " + r);
        check(ref.runs.size() <= MemoryMap.CAPACITY, "sanitiser kept a map of " + ref.runs.size() + " runs");
        sameMap(clean, ref, "sanitised");

        MemoryMap list = new MemoryMap();
        r = CarveOuts.standard(list, KERNEL_START, KERNEL_END, bootInfoStart, bootInfoEnd, modules);
        if (r != Err.OK) {
            check(r == Err.BAD_MEMORY_MAP && modules.count() > MemoryMap.CAPACITY - 3,
                    "carve-out list refused with " + modules.count() + " modules: " + r);
            return new Result("carve list BAD_MEMORY_MAP (too many modules)", null, null);
        }
        List<long[]> carveOuts = new ArrayList<>();
        carveOuts.add(new long[] {0, CarveOuts.LOW_MEMORY_END, MemoryMap.LOW_MEMORY});
        carveOuts.add(new long[] {KERNEL_START, KERNEL_END, MemoryMap.KERNEL_IMAGE});
        carveOuts.add(new long[] {bootInfoStart, bootInfoEnd, MemoryMap.BOOT_INFO});
        for (int i = 0; i < modules.count(); i++) {
            carveOuts.add(new long[] {modules.start(i), modules.end(i), MemoryMap.BOOT_MODULE});
        }
        boolean validCarves = true;
        for (long[] c : carveOuts) {
            validCarves &= 0 <= c[0] && c[0] <= c[1] && c[1] <= ReferenceMap.MAX_PHYS;
        }
        MemoryMap carved = new MemoryMap();
        r = CarveOuts.apply(clean, list, scratch, carved);
        if (!validCarves) {
            check(r == Err.INVALID_ARGUMENT, "carving with an invalid carve-out returned " + r);
            return new Result("carve INVALID_ARGUMENT (bad carve-out range)", null, null);
        }
        ReferenceMap refCarved = ref.carved(carveOuts);
        if (r == Err.BAD_MEMORY_MAP) {
            check(refCarved.runs.size() > MemoryMap.CAPACITY, "carving refused " + refCarved.runs.size() + " runs");
            return new Result("carve BAD_MEMORY_MAP (more than 256 runs)", null, null);
        }
        check(r == Err.OK, "carving returned " + r);
        sameMap(carved, refCarved, "carved");
        return new Result(checkPmm(carved, refCarved), carved, refCarved);
    }

    /** Entry by entry equal to the reference; the kernel's own invariant predicate must agree. */
    static void sameMap(MemoryMap got, ReferenceMap want, String what) {
        int n = Math.min(got.count(), want.runs.size());
        for (int i = 0; i < n; i++) {
            long[] w = want.runs.get(i);
            check(got.start(i) == w[0] && got.end(i) == w[1] && got.type(i) == w[2],
                    what + " entry " + i + " is [" + FuzzBytes.hex(got.start(i)) + ", " + FuzzBytes.hex(got.end(i))
                            + ") type " + got.type(i) + ", the reference has [" + FuzzBytes.hex(w[0]) + ", "
                            + FuzzBytes.hex(w[1]) + ") type " + w[2]);
        }
        check(got.count() == want.runs.size(), what + " map has " + got.count() + " entries, the reference "
                + want.runs.size());
        check(MapInvariants.isSanitised(got), what + " map fails MapInvariants although it equals the reference");
    }

    /** Bitmap words the PMM needs: per usable run, its frames counted from a 64-frame boundary (SegmentTable's rule). */
    static long bitmapWords(ReferenceMap m) {
        long words = 0;
        for (long[] r : m.runs) {
            if (r[2] == ReferenceMap.USABLE) {
                long first = r[0] / Pmm.FRAME, last = r[1] / Pmm.FRAME;
                words += (last - first / 64 * 64 + 63) / 64;
            }
        }
        return words;
    }

    static String checkPmm(MemoryMap carved, ReferenceMap ref) {
        long words = bitmapWords(ref);
        if (words > Integer.MAX_VALUE) {
            check(Pmm.checkFits(carved) == Err.BAD_MEMORY_MAP, "checkFits accepted " + words + " bitmap words");
            return "PMM BAD_MEMORY_MAP (usable memory beyond the bitmap limit)";
        }
        check(Pmm.checkFits(carved) == Err.OK, "checkFits refused " + words + " bitmap words");
        if (words > PMM_MAX_WORDS) {
            return "map ok, PMM not built (more than 1 GiB usable, bitmap not built per input)";
        }
        Pmm pmm = new Pmm(carved);
        long usable = ref.usableFrames();
        check(pmm.managedFrames() == usable, "PMM manages " + pmm.managedFrames() + " frames, the map has " + usable);
        for (long[] run : ref.runs) {
            if (run[2] == ReferenceMap.USABLE) {
                check(pmm.release(run[0], run[1]) == Err.OK, "hand-off of a usable run refused");
                check(!pmm.manages(run[0] - Pmm.FRAME) || ref.usable(run[0] - Pmm.FRAME, Pmm.FRAME),
                        "PMM manages the frame below usable run " + FuzzBytes.hex(run[0]));
                check(!pmm.manages(run[1]) || ref.usable(run[1], Pmm.FRAME),
                        "PMM manages the frame above usable run " + FuzzBytes.hex(run[1]));
            }
        }
        check(pmm.freeFrames() == usable, "free after hand-off " + pmm.freeFrames() + " of " + usable);
        long[] got = new long[ALLOC_CHECKS];
        int n = 0;
        while (n < ALLOC_CHECKS) {
            long f = pmm.allocFrame();
            if (f == Err.NO_MEMORY) {
                check(pmm.freeFrames() == 0, "NO_MEMORY with " + pmm.freeFrames() + " frames free");
                break;
            }
            check(f >= 0 && ref.usable(f, Pmm.FRAME), "frame " + FuzzBytes.hex(f) + " handed out from outside usable RAM");
            got[n++] = f;
        }
        long block = pmm.allocAligned(9);
        if (block >= 0) {
            check(block % (2L << 20) == 0 && ref.usable(block, 2L << 20), "2 MiB block " + FuzzBytes.hex(block)
                    + " handed out from outside usable RAM");
            check(pmm.freeAligned(block, 9) == Err.OK, "2 MiB block not taken back");
        } else {
            check(block == Err.NO_MEMORY, "allocAligned returned " + block);
        }
        for (int i = 0; i < n; i++) {
            check(pmm.freeFrame(got[i]) == Err.OK, "frame " + FuzzBytes.hex(got[i]) + " not taken back");
        }
        check(pmm.freeFrames() == usable, "free count not restored");
        return usable == 0 ? "pmm ok, no usable memory" : "pmm ok";
    }
}
