package verimem.spec.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import verimem.host.dmesg.DmesgParser;
import verimem.host.sim.BootLoaderSim;
import verimem.kernel.arch.Err;
import verimem.kernel.boot.Bootstrap;
import verimem.kernel.memmap.CarveOuts;
import verimem.kernel.memmap.MapSanitiser;
import verimem.kernel.memmap.MemoryMap;
import verimem.kernel.pmm.Pmm;
import verimem.kernel.prepmm.PrePmm;
import verimem.spec.Tlc;

/**
 * Trace validation of verimem.kernel.pmm.Pmm against FrameAllocator: random maps and call mixes (property-based),
 * the PMM the real bootstrap leaves on real firmware maps, and two copies of the PMM with one behaviour flipped,
 * which TLC must reject at the call that breaks the spec.
 */
class PmmTraceValidationTest {
    static final Path MAPS = Path.of("../jml-annotated/src/test/resources/memory-maps");

    /** Runs TLC on the recorded trace; returns the result and (when rejected) the step no action explained. */
    static Tlc.Result check(String name, PmmRecorder rec, String comment) {
        return Tlc.checkTrace("trace-" + name, "FrameAllocatorTrace",
                Map.of("PmmTraceData.tla", rec.module(comment)));
    }

    // ---------------------------------------------------------------- property-based traces

    @Property(tries = 4, shrinking = ShrinkingMode.OFF)
    void randomRunsAreExplainedByTheSpec(@ForAll long seed) {
        Random rnd = new Random(seed);
        RandomMap g = RandomMap.generate(rnd, 1500);
        Pmm pmm = new Pmm(g.map);
        PmmRecorder rec = new PmmRecorder(PmmCalls.of(pmm), g.managed, g.managed);
        for (long[] r : g.managed.runs()) {
            if (rnd.nextInt(4) != 0) {
                rec.release(r[0] * Pmm.FRAME, r[1] * Pmm.FRAME);   // hand-off, range by range, some left reserved
            }
        }
        RandomCalls.run(rnd, rec, g.managed, 200 + rnd.nextInt(200), 6);
        Tlc.Result v = check("random-" + Long.toHexString(seed), rec, "random map, seed " + seed);
        assertEquals(0, v.exitCode(), () -> "seed " + seed + ": trace rejected at call " + v.stuckAt() + "\n"
                + v.tail());
    }

    // ---------------------------------------------------------------- real firmware maps through the real boot path

    /** Real maps up to 1 GiB: TLC's cost per step grows with the number of frames, hence fewer calls on 1 GiB. */
    @ParameterizedTest(name = "{0}, {1} calls")
    @Execution(ExecutionMode.SAME_THREAD) // the simulated machine is installed as the one CPU: one boot at a time
    @CsvSource({"018-old-ibm-128m-unaligned-acpi.txt, 300", "043-qemu-ovmf-uefi-128m-buildroot.txt, 300",
            "004-qemu-kvm-256m-bochs-i386.txt, 200", "045-firecracker-1g-two-entries-639k.txt, 60"})
    void pmmLeftByTheBootstrapOnRealMapsIsExplainedByTheSpec(String mapName, int calls) throws Exception {
        MemoryMap carved = RealMaps.carved(DmesgParser.parse(MAPS.resolve(mapName)));
        BootLoaderSim.handOver(carved);
        Bootstrap boot = new Bootstrap(carved);
        assertEquals(Err.OK, boot.run(), "bootstrap failed on " + mapName);
        FrameSet managed = RealMaps.usableFrames(carved);
        FrameSet reserved = preAllocated(boot.prePmm());
        PmmRecorder rec = new PmmRecorder(PmmCalls.of(boot.pmm()), managed, reserved);
        RandomCalls.run(new Random(mapName.hashCode()), rec, managed, calls, 4);
        Tlc.Result v = check(mapName.substring(0, 3), rec, mapName + ": " + managed.size() + " frames");
        assertEquals(0, v.exitCode(), () -> mapName + ": trace rejected at call " + v.stuckAt() + "\n" + v.tail());
        System.out.printf("[trace] %s: %d managed frames, %d calls, accepted in %.1f s%n", mapName, managed.size(),
                rec.calls(), v.millis() / 1000.0);
    }

    /**
     * The boot link can fail: if the pre-PMM's allocation table had one page-table frame fewer than the PMM keeps
     * reserved (a leak at the hand-off), Bootstrap's HandOffExact, assumed by the trace spec, is false.
     */
    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    void aHandOffThatLeaksAFrameIsRejected() throws Exception {
        MemoryMap carved = RealMaps.carved(DmesgParser.parse(MAPS.resolve("018-old-ibm-128m-unaligned-acpi.txt")));
        BootLoaderSim.handOver(carved);
        Bootstrap boot = new Bootstrap(carved);
        assertEquals(Err.OK, boot.run());
        FrameSet managed = RealMaps.usableFrames(carved);
        FrameSet allButFirst = new FrameSet();
        List<long[]> runs = preAllocated(boot.prePmm()).runs();
        allButFirst.addRun(runs.get(0)[0] + 1, runs.get(0)[1]);   // the first pre-PMM frame "forgotten"
        for (long[] r : runs.subList(1, runs.size())) {
            allButFirst.addRun(r[0], r[1]);
        }
        PmmRecorder rec = new PmmRecorder(PmmCalls.of(boot.pmm()), managed, allButFirst);
        rec.allocFrame();
        Tlc.Result v = check("boot-leak", rec, "hand-off leaking one pre-PMM frame");
        assertEquals(Tlc.VIOLATION_ASSUMPTION, v.exitCode(), v::tail);
        assertTrue(v.output().contains("Assumption") && v.output().contains("of module FrameAllocatorTrace is false"),
                v::tail);
    }

    /** Frames the pre-PMM handed out (page tables, PMM metadata), from its allocation table. */
    static FrameSet preAllocated(PrePmm pre) {
        List<long[]> runs = new ArrayList<>();
        for (int k = 0; k < pre.allocationCount(); k++) {
            long s = pre.allocationStart(k) / Pmm.FRAME;
            runs.add(new long[] {s, s + pre.allocationFrames(k)});
        }
        Collections.sort(runs, (a, b) -> Long.compare(a[0], b[0]));
        FrameSet set = new FrameSet();
        for (long[] r : runs) {
            set.addRun(r[0], r[1]);
        }
        return set;
    }

    // ---------------------------------------------------------------- injected bugs must be rejected

    /** A small fixed map: 40 frames with a hole, a fixed scenario that reaches every kind of call. */
    static PmmRecorder scenario(java.util.function.Function<Pmm, PmmCalls> variant, List<Long> results) {
        MemoryMap map = new MemoryMap();
        map.add(0x100000, 0x114000, MemoryMap.USABLE);         // frames 256..275
        map.add(0x116000 - 0x800, 0x12a000 + 0x10, MemoryMap.USABLE); // unaligned: rounds in to 278..297
        FrameSet managed = new FrameSet();
        managed.addRun(256, 276);
        managed.addRun(278, 298);
        Pmm pmm = new Pmm(map);
        PmmRecorder rec = new PmmRecorder(variant.apply(pmm), managed, managed);
        rec.release(256 * Pmm.FRAME, 276 * Pmm.FRAME);
        rec.release(278 * Pmm.FRAME, 298 * Pmm.FRAME);
        long a = rec.allocFrame();
        long b = rec.allocFrame();
        results.add(a);
        results.add(b);
        rec.freeFrame(a);
        rec.freeFrame(a);                                       // double free: must be refused
        rec.allocAligned(2);
        rec.freeFrame(b);
        return rec;
    }

    @Test
    void theUnchangedPmmPassesTheScenario() {
        PmmRecorder rec = scenario(PmmCalls::of, new ArrayList<>());
        Tlc.Result v = check("scenario-ok", rec, "fixed scenario, real Pmm");
        assertEquals(0, v.exitCode(), v::tail);
    }

    /** Bug 1: allocFrame forgets to clear the frame's bit (the frame stays free, the count unchanged). */
    @Test
    void allocThatDoesNotMarkTheFrameIsRejected() {
        PmmRecorder rec = scenario(pmm -> new Flipped(pmm) {
            @Override
            public long allocFrame() {
                long pa = pmm.allocFrame();
                if (pa >= 0) {
                    pmm.freeFrame(pa);   // the store of the cleared bit, undone
                }
                return pa;
            }
        }, new ArrayList<>());
        Tlc.Result v = check("bug-alloc-no-mark", rec, "injected bug: alloc does not mark");
        assertEquals(Tlc.VIOLATION_DEADLOCK, v.exitCode(), v::tail);
        assertEquals(3, v.stuckAt(), "rejected at the first allocation (call 3)");
    }

    /** Bug 2: freeFrame without the double-free check (a second free of the same frame reports OK). */
    @Test
    void freeWithoutDoubleFreeCheckIsRejected() {
        PmmRecorder rec = scenario(pmm -> new Flipped(pmm) {
            @Override
            public long freeFrame(long pa) {
                long r = pmm.freeFrame(pa);
                return r == Err.NOT_ALLOCATED ? Err.OK : r;   // `if (Bits.isSet(old, b)) return NOT_ALLOCATED` gone
            }
        }, new ArrayList<>());
        Tlc.Result v = check("bug-no-double-free-check", rec, "injected bug: no double-free check");
        assertEquals(Tlc.VIOLATION_DEADLOCK, v.exitCode(), v::tail);
        assertEquals(6, v.stuckAt(), "rejected at the double free (call 6)");
    }

    /** Bug 3: allocAligned returns the block one frame too far (base advanced by one frame). */
    @Test
    void alignedAllocOffByOneFrameIsRejected() {
        PmmRecorder rec = scenario(pmm -> new Flipped(pmm) {
            @Override
            public long allocAligned(int order) {
                long pa = pmm.allocAligned(order);
                return pa >= 0 ? pa + Pmm.FRAME : pa;
            }
        }, new ArrayList<>());
        Tlc.Result v = check("bug-aligned-off-by-one", rec, "injected bug: aligned block off by one");
        assertEquals(Tlc.VIOLATION_DEADLOCK, v.exitCode(), v::tail);
        assertEquals(7, v.stuckAt(), "rejected at the aligned allocation (call 7)");
    }

    /** The real PMM with every call forwarded; a bug test overrides one method. */
    static class Flipped extends PmmCalls.Forwarding {
        Flipped(Pmm real) {
            super(real);
        }
    }
}
