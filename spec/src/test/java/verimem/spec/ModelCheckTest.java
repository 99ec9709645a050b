package verimem.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SANY on every module of src/tla, then TLC on every model configuration: the designs must pass, each flawed
 * design must be refuted with the exit code of its kind of violation and the named invariant.
 */
class ModelCheckTest {
    /** What a run must find besides an invariant name. */
    static final String TEMPORAL = "<temporal property>", DEADLOCK = "<deadlock>";

    /** One TLC run: module, config, expected exit code, what must be found (invariant name, TEMPORAL, DEADLOCK, null). */
    static Stream<Arguments> runs() {
        return Stream.of(
                Arguments.of("MCFrameAllocator", "MCFrameAllocator", Tlc.OK, null),
                Arguments.of("MCFrameAllocator", "MCFrameAllocator_ZeroIsFailure", Tlc.VIOLATION_SAFETY,
                        "ResultUnambiguous"),
                Arguments.of("MCFrameAllocator", "MCFrameAllocator_LateRelease", Tlc.VIOLATION_SAFETY,
                        "HeldNeverFree"),
                Arguments.of("MCBootstrap", "MCBootstrap", Tlc.OK, null),
                Arguments.of("MCBootstrap", "MCBootstrap_NotEnoughMemory", Tlc.OK, null),
                Arguments.of("MCBootstrap", "MCBootstrap_NoFairness", Tlc.VIOLATION_LIVENESS, TEMPORAL),
                Arguments.of("MCBootstrap", "MCBootstrap_NoRollBack", Tlc.VIOLATION_DEADLOCK, DEADLOCK),
                Arguments.of("MCBootstrap", "MCBootstrap_ZeroWhileMapping", Tlc.VIOLATION_SAFETY, "WritesMapped"),
                Arguments.of("MCBootstrap", "MCBootstrap_HandOffAll", Tlc.VIOLATION_SAFETY, "NoTwoOwners"),
                Arguments.of("MCBootstrap", "MCBootstrap_HandOffRoundedOut", Tlc.VIOLATION_SAFETY,
                        "NothingReservedHandedOut"),
                Arguments.of("MCPageTable", "MCPageTable", Tlc.OK, null),
                Arguments.of("MCPageTable", "MCPageTable_NoFlushOnUnmap", Tlc.VIOLATION_SAFETY, "TranslationAgrees"),
                Arguments.of("MCPageTable", "MCPageTable_NoFlushOnProtect", Tlc.VIOLATION_SAFETY,
                        "TranslationAgrees"),
                Arguments.of("MCPageTable", "MCPageTable_NoReclaim", Tlc.VIOLATION_SAFETY, "NoEmptyTables"),
                Arguments.of("MCFreeList", "MCFreeList", Tlc.OK, null),
                Arguments.of("MCFreeList", "MCFreeList_BaseByOne", Tlc.VIOLATION_SAFETY, "NoFrameTwice"),
                Arguments.of("MCFreeList", "MCFreeList_NoUnlink", Tlc.VIOLATION_SAFETY, "RunsDisjoint"),
                Arguments.of("MCVirtualLayout", "MCVirtualLayout", Tlc.OK, null),
                Arguments.of("MCVirtualLayout", "MCVirtualLayout_VmallocInDirectMap", Tlc.VIOLATION_SAFETY,
                        "NoKmallocVmallocAlias"),
                Arguments.of("MCVirtualLayout", "MCVirtualLayout_NoGuard", Tlc.VIOLATION_SAFETY, "HeapMmioApart"));
    }

    @Test
    void everyModuleParses() throws IOException {
        List<String> modules;
        try (Stream<Path> s = Files.list(Tlc.MODELS)) {
            modules = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tla"))
                    .map(n -> n.substring(0, n.length() - 4)).sorted().collect(Collectors.toList());
        }
        assertTrue(modules.size() >= 2, "models missing: " + modules);
        // FrameAllocatorTrace EXTENDS the PmmTraceData the trace tests generate from a recorded run (absent from a
        // fresh clone): an empty trace stands in, so the trace spec is parsed and level-checked here too
        Path dir = Tlc.prepare("sany", Map.of("PmmTraceData.tla", "---- MODULE PmmTraceData ----\nEXTENDS Integers\n"
                + "TraceManaged == {}\nTraceReserved == {}\nTraceInitFree == {}\nTraceFinalFree == {}\n"
                + "TraceMaxOrder == 18\nTraceMaxCountdown == 0\nTrace == <<>>\n====\n"));
        for (String m : modules) {
            Tlc.Result r = Tlc.sany(dir, m);
            assertEquals(0, r.exitCode(), () -> "SANY rejected " + m + ":\n" + r.output());
            assertTrue(r.output().contains("Semantic processing of module " + m), r.output());
        }
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("runs")
    void modelCheck(String module, String cfg, int expectedExit, String expectedInvariant) {
        Path dir = Tlc.prepare(cfg, Map.of());
        Tlc.Result r = Tlc.tlc(dir, module, cfg, 1);
        Tlc.record(cfg, r);
        assertEquals(expectedExit, r.exitCode(), () -> cfg + ": " + r.summary() + "\n" + tail(r.output()));
        if (expectedExit == Tlc.OK) {
            assertEquals(null, r.violatedInvariant());
            assertTrue(r.distinct() > 0 && r.output().contains("No error has been found"), r.output());
        } else if (TEMPORAL.equals(expectedInvariant)) {
            assertTrue(r.temporalViolated() && r.output().contains("constitutes a counter-example"), r::tail);
        } else if (DEADLOCK.equals(expectedInvariant)) {
            assertTrue(r.deadlock() && r.output().contains("The behavior up to this point is"), r::tail);
        } else {
            assertEquals(expectedInvariant, r.violatedInvariant(), () -> cfg + ": " + r.summary());
            assertTrue(r.output().contains("The behavior up to this point is"), "no counterexample printed");
        }
    }

    static String tail(String s) {
        return s.length() < 4000 ? s : s.substring(s.length() - 4000);
    }
}
