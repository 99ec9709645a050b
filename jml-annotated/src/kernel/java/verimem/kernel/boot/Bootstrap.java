package verimem.kernel.boot;

import verimem.kernel.arch.Cpu;
import verimem.kernel.arch.Err;
import verimem.kernel.arch.KernelPanic;
import verimem.kernel.arch.Layout;
import verimem.kernel.arch.Pte;
import verimem.kernel.earlymap.EarlyMapper;
import verimem.kernel.memmap.MapInvariants;
import verimem.kernel.memmap.MemoryMap;
import verimem.kernel.pmm.Pmm;
import verimem.kernel.prepmm.PrePmm;

/**
 * The physical bootstrap, from the sanitised and carved map to a running PMM:
 * 1. install the recursive slot (the early mapper's way to reach new tables);
 * 2. size the PMM metadata from the usable ranges ({@link Pmm#metadataBytes}) and take that many frames from
 *    the pre-PMM as one run;
 * 3. map them at {@link Layout#PMM_METADATA_BASE} + one guard page, leaving one unmapped guard page on either
 *    side, and zero them through that mapping (so the zeroing itself proves the mapping: a hole would fault);
 * 4. construct the PMM, every frame reserved;
 * 5. hand-off: the pre-PMM stops, and the PMM receives every usable frame the pre-PMM did not hand out.
 * A failure in steps 1-3 is rolled back completely (pages unmapped, tables and metadata frames returned), so a
 * failed bootstrap leaks nothing and can be retried; once step 4 starts nothing can fail except a bug, which
 * panics.
 */
public final class Bootstrap {
    /** Metadata is kernel data: writable, never executable. */
    public static final long METADATA_FLAGS = Pte.WRITABLE + Pte.NO_EXECUTE;
    /** First mapped metadata page: one guard page above the slot's base stays unmapped. */
    public static final long METADATA_START = Layout.PMM_METADATA_BASE + Layout.GUARD_GAP;

    /*@ spec_public @*/ private final MemoryMap map;
    /*@ spec_public @*/ private final PrePmm pre;
    /*@ spec_public @*/ private final EarlyMapper mapper;
    /*@ spec_public nullable @*/ private Pmm pmm;
    /*@ spec_public @*/ private long metadataPa;
    /*@ spec_public @*/ private long metadataPages;
    /*@ spec_public @*/ private boolean done;

    /** Reads CR3 as the loader left it; nothing is changed before {@link #run}. */
    /*@ public normal_behavior
      @   requires sanitised != null && \invariant_for(sanitised);
      @   ensures map == sanitised && pmm == null && !done;
      @*/
    public Bootstrap(MemoryMap sanitised) {
        // The fields are set after both constructors ran: their contracts do not say what else they leave alone.
        PrePmm frames = new PrePmm(sanitised);
        EarlyMapper early = new EarlyMapper(frames);
        map = sanitised;
        pre = frames;
        mapper = early;
        pmm = null;
        metadataPa = -1;
        metadataPages = 0;
        done = false;
    }

    /** Steps 1-5. Err.OK, or the failure of steps 1-3 with everything they did undone. */
    /*@ public normal_behavior
      @   ensures \result == Err.OK ==> (done && pmm != null);
      @   ensures \result != Err.OK ==> (pmm == null && pre.count == 0);
      @*/
    public long run() {
        if (done || pmm != null) {
            return Err.INVALID_ARGUMENT;
        }
        if (Pmm.checkFits(map) != Err.OK) {
            return Err.BAD_MEMORY_MAP; // usable memory beyond the PMM's bitmap limit: refused before any change
        }
        long r = mapper.installRecursiveSlot();
        if (r != Err.OK) {
            return r;
        }
        long bytes = Pmm.metadataBytes(map);
        long pages = (bytes + Pmm.FRAME - 1) / Pmm.FRAME;
        if (pages == 0 || pages > Layout.SLOT_SIZE / Pmm.FRAME - 2) {
            return Err.BAD_MEMORY_MAP;
        }
        long pa = pre.allocRun(pages, 1, PrePmm.PMM_METADATA);
        if (pa < 0) {
            return pa;
        }
        for (long i = 0; i < pages; i++) {
            r = mapper.map4k(METADATA_START + i * Pmm.FRAME, pa + i * Pmm.FRAME, METADATA_FLAGS);
            if (r != Err.OK) {
                unmapFirst(i);
                if (pre.free(pa) != Err.OK) {
                    throw new KernelPanic("bootstrap: metadata run vanished during rollback");
                }
                return r;
            }
        }
        metadataPa = pa;
        metadataPages = pages;
        long words = pages * Pmm.FRAME / 8;
        for (long w = 0; w < words; w++) {
            Cpu.store64(METADATA_START + w * 8, 0);
        }
        // In the kernel, the arrays of the PMM are placed in the region just mapped and zeroed: the AOT
        // compiler's allocation hook hands them out from [METADATA_START, METADATA_START + pages * FRAME). On the
        // JVM they are ordinary JVM arrays (arenaInit does nothing), so the region is mapped and zeroed but the
        // simulated RAM behind it does not hold the bitmap. The caller must point the hook elsewhere before its
        // next `new`: the metadata region is sized for the PMM alone.
        Cpu.arenaInit(METADATA_START, pages * Pmm.FRAME);
        pmm = new Pmm(map);
        pre.handOff();
        handOff();
        done = true;
        return Err.OK;
    }

    /** Undoes the first n metadata mappings; the early mapper frees the tables that become empty. */
    private void unmapFirst(long n) {
        for (long i = 0; i < n; i++) {
            if (mapper.unmap(METADATA_START + i * Pmm.FRAME) != Err.OK) {
                throw new KernelPanic("bootstrap: could not undo a metadata mapping");
            }
        }
    }

    /**
     * Releases into the PMM every usable frame that no pre-PMM allocation holds: each usable range is walked from
     * its start, releasing the gap up to the next allocation and jumping past that allocation.
     */
    private void handOff() {
        int n = map.count();
        for (int i = 0; i < n; i++) {
            if (map.type(i) == MemoryMap.USABLE) {
                long end = map.end(i) / Pmm.FRAME * Pmm.FRAME;
                long cursor = (map.start(i) + Pmm.FRAME - 1) / Pmm.FRAME * Pmm.FRAME;
                while (cursor < end) {
                    long next = pre.nextAllocationFrom(cursor, end);
                    if (next > cursor && pmm.release(cursor, next) != Err.OK) {
                        throw new KernelPanic("hand-off: PMM refused a usable range");
                    }
                    if (next < end) {
                        long after = pre.allocationEndAt(next);
                        if (after < 0) {
                            throw new KernelPanic("hand-off: allocation table inconsistent");
                        }
                        cursor = after;
                    } else {
                        cursor = end;
                    }
                }
            }
        }
    }

    /** Runs the hand-off check and prints "PMM manages N frames of M usable" on the console. */
    /*@ public normal_behavior
      @   requires done && pmm != null && check != null && \invariant_for(check);
      @   requires \invariant_for(map) && \invariant_for(pre);
      @   requires (\forall int k; 0 <= k && k < map.count;
      @              0 <= map.starts[k] && map.starts[k] <= MapInvariants.MAX_PHYS
      @              && 0 <= map.ends[k] && map.ends[k] <= MapInvariants.MAX_PHYS);
      @   requires pmm.segs != null && pmm.bitmap != null && \invariant_for(pmm.segs)
      @            && pmm.segs.words == pmm.bitmap.length;
      @   ensures \result == Err.OK <==> check.tally.violations == 0;
      @*/
    public long checkAndReport(HandOffCheck check) {
        long r = check.run(map, pre, pmm);
        report(check, r == Err.OK);
        return r;
    }

    /**
     * The console line of {@link #checkAndReport}: the counts of the check, and the first violation unless ok.
     * Its own method so that the proof of checkAndReport does not execute the console calls.
     */
    /*@ public normal_behavior
      @   requires check != null && \invariant_for(check);
      @   assignable \nothing;
      @*/
    public static void report(HandOffCheck check, boolean ok) {
        // Every count is read before the first print: each Cpu call gives KeY a new heap, and a getter read after it
        // would need \invariant_for(check) shown again in that heap.
        long free = check.freeFrames();
        long usable = check.usableFrames();
        long pageTables = check.pageTableFrames();
        long metadata = check.metadataFrames();
        long carvedOut = check.carveOutFrames();
        long firstViolation = check.firstViolation();
        Cpu.print("PMM manages ");
        Cpu.printDec(free);
        Cpu.print(" frames of ");
        Cpu.printDec(usable);
        Cpu.print(" usable (page tables ");
        Cpu.printDec(pageTables);
        Cpu.print(", metadata ");
        Cpu.printDec(metadata);
        Cpu.print(", carved out ");
        Cpu.printDec(carvedOut);
        if (ok) {
            Cpu.print(")\n");
        } else {
            Cpu.print(") HAND-OFF CHECK FAILED at ");
            Cpu.printHex(firstViolation);
            Cpu.print("\n");
        }
    }

    /*@ public normal_behavior
      @   ensures \result == pre;
      @   assignable \nothing;
      @*/
    public PrePmm prePmm() {
        return pre;
    }

    /*@ public normal_behavior
      @   ensures \result == mapper;
      @   assignable \nothing;
      @*/
    public EarlyMapper mapper() {
        return mapper;
    }

    /** The PMM after a successful run, else null. */
    /*@ public normal_behavior
      @   ensures \result == pmm;
      @   assignable \nothing;
      @*/
    public /*@ nullable @*/ Pmm pmm() {
        return pmm;
    }

    /*@ public normal_behavior
      @   ensures \result == metadataPa;
      @   assignable \nothing;
      @*/
    public long metadataPhysical() {
        return metadataPa;
    }

    /*@ public normal_behavior
      @   ensures \result == metadataPages;
      @   assignable \nothing;
      @*/
    public long metadataPages() {
        return metadataPages;
    }
}
