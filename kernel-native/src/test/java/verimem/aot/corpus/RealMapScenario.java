package verimem.aot.corpus;

import verimem.kernel.arch.Err;
import verimem.kernel.boot.HandOffCheck;
import verimem.kernel.memmap.CarveOuts;
import verimem.kernel.memmap.MapSanitiser;
import verimem.kernel.memmap.MemoryMap;
import verimem.kernel.pmm.Pmm;
import verimem.kernel.prepmm.PrePmm;

/**
 * The physical bootstrap on a real firmware map (../shared/memory-maps), fed entry by entry by the harness:
 * {@link #reset}, one {@link #add} per raw e820 entry, then {@link #bootstrap}. The static raw map carries the
 * entries from call to call (calls run in order in one process on either side).
 *
 * What runs, on the real kernel classes: sanitise, the standard carve-outs (the bootstrap tests' layout: kernel
 * image at 1-2 MiB, boot info of 0x1234 bytes after it), the PMM's fit check and sizing, the pre-PMM taking the
 * metadata run and the page-table frames, PMM construction, pre-PMM hand-off and the release of every usable
 * frame the pre-PMM did not hand out, the frame-by-frame {@link HandOffCheck}, then a fixed alloc/free sequence.
 * What does NOT run: the early mapper and the zeroing of the metadata through it (Bootstrap.run). The hosted RAM
 * is 4 MiB and the metadata of the large maps (up to 640 GiB) is tens of MiB; and Cpu.arenaInit on the hosted
 * target would point `new` at a simulated virtual address. The page-table frames are therefore taken from the
 * pre-PMM as the early mapper would (one PDPT, one PD per GiB and one PT per 2 MiB of metadata), not built.
 */
public final class RealMapScenario {
    static final long MIB = 1048576L;
    static final long GIB = 1073741824L;
    /** Above this many usable frames (4 TiB) the scenario refuses: the host side's arrays must stay small. */
    static final long MAX_USABLE_FRAMES = 1L << 30;
    private static final MemoryMap RAW = new MemoryMap();
    /** The hand-off check's verdict of the last bootstrap (-1 when none ran since reset). */
    private static long lastHandOff = -1;

    private RealMapScenario() {
    }

    public static void reset() {
        RAW.clear();
        lastHandOff = -1;
    }

    /** Err.OK when the last bootstrap's hand-off partition held; the test asserts it for every real map. */
    public static long lastHandOff() {
        return lastHandOff;
    }

    /** One raw entry, as the dmesg line gives it (end exclusive). Err.OK or the map's capacity error. */
    public static long add(long start, long end, int type) {
        return RAW.add(start, end, type);
    }

    private static long usableFrames(MemoryMap m) {
        long n = 0;
        for (int i = 0; i < m.count(); i++) {
            if (m.type(i) == MemoryMap.USABLE) {
                n += (m.end(i) / Pmm.FRAME) - ((m.start(i) + Pmm.FRAME - 1) / Pmm.FRAME);
            }
        }
        return n;
    }

    /** Releases the gaps between pre-PMM allocations of every usable range (the hand-off's release walk). */
    private static long releaseUnheld(MemoryMap map, PrePmm pre, Pmm pmm) {
        long check = 0;
        for (int i = 0; i < map.count(); i++) {
            if (map.type(i) == MemoryMap.USABLE) {
                long end = map.end(i) / Pmm.FRAME * Pmm.FRAME;
                long cursor = (map.start(i) + Pmm.FRAME - 1) / Pmm.FRAME * Pmm.FRAME;
                while (cursor < end) {
                    long next = pre.nextAllocationFrom(cursor, end);
                    if (next > cursor) {
                        check = check * 31 + pmm.release(cursor, next);
                    }
                    cursor = next < end ? pre.allocationEndAt(next) : end;
                    if (cursor < 0) {
                        return check * 31 + cursor;
                    }
                }
            }
        }
        return check;
    }

    /** The scenario on the entries added since reset: a checksum of every result and the final state. */
    public static long bootstrap() {
        MemoryMap scratch = new MemoryMap();
        MemoryMap sanitised = new MemoryMap();
        long r = MapSanitiser.sanitise(RAW, scratch, sanitised);
        long check = BootScenarios.fold(r, sanitised);
        if (r != Err.OK) {
            return check;
        }
        MemoryMap carveList = new MemoryMap();
        MemoryMap modules = new MemoryMap();
        check = check * 31 + CarveOuts.standard(carveList, MIB, 2 * MIB, 2 * MIB, 2 * MIB + 0x1234, modules);
        MemoryMap map = new MemoryMap();
        r = CarveOuts.apply(sanitised, carveList, scratch, map);
        check = BootScenarios.fold(check * 31 + r, map);
        long usable = usableFrames(map);
        check = check * 31 + usable;
        if (r != Err.OK || usable > MAX_USABLE_FRAMES || Pmm.checkFits(map) != Err.OK) {
            return check * 31 + Pmm.checkFits(map);
        }
        long pages = (Pmm.metadataBytes(map) + Pmm.FRAME - 1) / Pmm.FRAME;
        check = check * 31 + pages;
        PrePmm pre = new PrePmm(map);
        check = check * 31 + pre.allocRun(pages, 1, PrePmm.PMM_METADATA);
        long tables = 1 + (pages * Pmm.FRAME + GIB - 1) / GIB + (pages * Pmm.FRAME + 2 * MIB - 1) / (2 * MIB);
        for (long t = 0; t < tables; t++) {
            check = check * 31 + pre.allocFrame(PrePmm.PAGE_TABLE);
        }
        Pmm pmm = new Pmm(map);
        pre.handOff();
        check = check * 31 + releaseUnheld(map, pre, pmm);
        HandOffCheck hand = new HandOffCheck();
        lastHandOff = hand.run(map, pre, pmm);
        check = check * 31 + lastHandOff;
        check = check * 31 + hand.usableFrames();
        check = check * 31 + hand.freeFrames();
        check = check * 31 + hand.pageTableFrames();
        check = check * 31 + hand.metadataFrames();
        check = check * 31 + hand.carveOutFrames();
        check = check * 31 + hand.firstViolation();
        check = check * 31 + pmm.managedFrames();
        return allocFree(check, pmm);
    }

    /** A fixed sequence: 64 frames, every other one freed, aligned runs of order 0-9, then everything back. */
    private static long allocFree(long check, Pmm pmm) {
        long[] held = new long[64];
        for (int k = 0; k < 64; k++) {
            held[k] = pmm.allocFrame();
            check = check * 31 + held[k];
        }
        for (int k = 0; k < 64; k = k + 2) {
            check = check * 31 + pmm.freeFrame(held[k]);
        }
        for (int order = 0; order < 10; order++) {
            long pa = pmm.allocAligned(order);
            check = check * 31 + pa;
            if (pa >= 0) {
                check = check * 31 + pmm.freeAligned(pa, order);
            }
        }
        for (int k = 1; k < 64; k = k + 2) {
            check = check * 31 + pmm.freeFrame(held[k]);
        }
        return check * 31 + pmm.freeFrames();
    }
}
