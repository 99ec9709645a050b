package verimem.robust;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import verimem.host.sim.BootLoaderSim;
import verimem.kernel.arch.Err;
import verimem.kernel.boot.Bootstrap;
import verimem.kernel.boot.HandOffCheck;
import verimem.kernel.memmap.MemoryMap;
import verimem.kernel.memmap.Multiboot2;
import verimem.kernel.pmm.Pmm;
import verimem.kernel.prepmm.PrePmm;

/**
 * Jazzer target: the whole physical bootstrap on the host simulator, memory map -> sanitiser -> carve-outs ->
 * PrePmm -> EarlyMapper (recursive slot, metadata mapping) -> Pmm -> hand-off -> HandOffCheck. Input: 20-byte
 * records {u64 base, u64 length, u32 type} ({@link FuzzBytes}), at most 64. The kernel image is at [1 MiB, 1.5 MiB)
 * and the boot info right after it, as GRUB lays them out.
 *
 * Oracle, besides the pipeline's: the bootstrap either succeeds or refuses with NO_MEMORY / BAD_MEMORY_MAP (no
 * exception, no panic); after success the kernel's HandOffCheck passes, every pre-PMM allocation lies in usable RAM
 * of the reference map, free + pre-PMM frames = usable frames exactly, and draining the PMM hands out every free
 * frame once, each inside the reference's usable RAM and held by no pre-PMM allocation, then NO_MEMORY.
 */
public final class BootstrapFuzzTarget {
    static final int MAX_RECORDS = 64;
    /**
     * The drain visits every frame: maps above 64 MiB of usable RAM stop after the PMM check (counted). A 64 MiB
     * boot costs a few milliseconds, which keeps the fuzzer at a useful rate.
     */
    static final long BOOT_MAX_FRAMES = 1L << 14;

    private BootstrapFuzzTarget() {
    }

    public static void fuzzerInitialize() {
        FuzzOutcomes.printAtExit("bootstrap");
    }

    public static void fuzzerTestOneInput(byte[] data) {
        FuzzOutcomes.count(run(FuzzPipeline.REAL, data));
    }

    static String run(FuzzPipeline.Sanitiser sanitiser, byte[] data) {
        List<long[]> entries = FuzzBytes.decode(data, 0, MAX_RECORDS);
        MemoryMap raw = new MemoryMap();
        for (long[] e : entries) {
            raw.add(e[0], e[0] + e[1], Multiboot2.typeCode(e[2]));
        }
        FuzzPipeline.checkParsed(raw, entries);
        Multiboot2FuzzTarget.machine(); // the pipeline runs no simulated code, but leave no other target's machine
        FuzzPipeline.Result p = FuzzPipeline.run(sanitiser, raw, entries, FuzzPipeline.KERNEL_END,
                FuzzPipeline.KERNEL_END + 0x1000, new MemoryMap());
        if (p.carved() == null || !p.outcome().startsWith("pmm ok")) {
            return p.outcome();
        }
        return boot(p.carved(), p.reference());
    }

    static String boot(MemoryMap carved, ReferenceMap ref) {
        long usable = ref.usableFrames();
        if (usable > BOOT_MAX_FRAMES) {
            return "pmm ok, boot skipped (more than 64 MiB usable)";
        }
        long image = 0;
        for (long[] r : ref.runs) {
            if (r[2] == MemoryMap.KERNEL_IMAGE) {
                image = r[1] - r[0];
                break;
            }
        }
        if (image < (BootLoaderSim.TABLE_FRAMES + 1) * Pmm.FRAME) {
            return "pmm ok, boot n/a (kernel image not in usable RAM)";
        }
        BootLoaderSim.handOver(carved);
        Bootstrap boot = new Bootstrap(carved);
        long r = boot.run();
        if (r != Err.OK) {
            FuzzPipeline.check(r == Err.NO_MEMORY || r == Err.BAD_MEMORY_MAP, "bootstrap returned " + r);
            return r == Err.NO_MEMORY ? "boot refused NO_MEMORY" : "boot refused BAD_MEMORY_MAP";
        }
        HandOffCheck handOff = new HandOffCheck();
        FuzzPipeline.check(handOff.run(carved, boot.prePmm(), boot.pmm()) == Err.OK,
                "hand-off check failed at " + FuzzBytes.hex(handOff.firstViolation()));
        PrePmm pre = boot.prePmm();
        Pmm pmm = boot.pmm();
        long held = 0;
        for (int k = 0; k < pre.allocationCount(); k++) {
            long start = pre.allocationStart(k), frames = pre.allocationFrames(k);
            FuzzPipeline.check(ref.usable(start, frames * Pmm.FRAME), "pre-PMM allocation " + FuzzBytes.hex(start)
                    + " (" + frames + " frames) outside usable RAM");
            held += frames;
        }
        FuzzPipeline.check(pmm.managedFrames() == usable, "PMM manages " + pmm.managedFrames() + " of " + usable);
        FuzzPipeline.check(pmm.freeFrames() + held == usable, "partition: " + pmm.freeFrames() + " free + " + held
                + " pre-PMM frames != " + usable + " usable");
        long free = pmm.freeFrames();
        long[] got = new long[(int) free];
        for (int i = 0; i < free; i++) {
            long f = pmm.allocFrame();
            FuzzPipeline.check(f >= 0 && ref.usable(f, Pmm.FRAME) && pre.purposeOf(f) == PrePmm.NONE,
                    "frame " + FuzzBytes.hex(f) + " handed out from a reserved range or a pre-PMM allocation");
            got[i] = f;
        }
        FuzzPipeline.check(pmm.allocFrame() == Err.NO_MEMORY, "PMM hands out more frames than it had free");
        Arrays.sort(got);
        for (int i = 1; i < got.length; i++) {
            FuzzPipeline.check(got[i] != got[i - 1], "frame " + FuzzBytes.hex(got[i]) + " handed out twice");
        }
        return "boot ok (hand-off exact, " + (free == 0 ? "no" : "every") + " free frame drained)";
    }

    static List<byte[]> seedInputs() {
        List<byte[]> seeds = new ArrayList<>();
        for (List<long[]> e : FuzzSeeds.all().values()) {
            List<long[]> small = FuzzSeeds.clippedBelow(e, 64L << 20); // what a 64 MiB machine of this firmware reports
            seeds.add(FuzzBytes.encode(small.subList(0, Math.min(small.size(), MAX_RECORDS))));
        }
        return seeds;
    }
}
