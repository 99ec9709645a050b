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
    /** One TLC run: module, config, expected exit code, expected violated invariant (null: none). */
    static Stream<Arguments> runs() {
        return Stream.of(
                Arguments.of("MCFrameAllocator", "MCFrameAllocator", Tlc.OK, null),
                Arguments.of("MCFrameAllocator", "MCFrameAllocator_ZeroIsFailure", Tlc.VIOLATION_SAFETY,
                        "ResultUnambiguous"),
                Arguments.of("MCFrameAllocator", "MCFrameAllocator_LateRelease", Tlc.VIOLATION_SAFETY,
                        "HeldNeverFree"),
                Arguments.of("MCBootstrap", "MCBootstrap", Tlc.OK, null),
                Arguments.of("MCBootstrap", "MCBootstrap_NotEnoughMemory", Tlc.OK, null),
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
                    .map(n -> n.substring(0, n.length() - 4))
                    // The trace spec EXTENDS a module the trace tests generate from a recorded run, so it can only
                    // be parsed next to that data: PmmTraceValidationTest's TLC runs parse it there.
                    .filter(n -> !n.equals("FrameAllocatorTrace"))
                    .sorted().collect(Collectors.toList());
        }
        assertTrue(modules.size() >= 2, "models missing: " + modules);
        Path dir = Tlc.prepare("sany", Map.of());
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
        Tlc.Result r = Tlc.tlc(dir, module, cfg, 2);
        Tlc.record(cfg, r);
        assertEquals(expectedExit, r.exitCode(), () -> cfg + ": " + r.summary() + "\n" + tail(r.output()));
        assertEquals(expectedInvariant, r.violatedInvariant(), () -> cfg + ": " + r.summary());
        if (expectedExit == Tlc.OK) {
            assertTrue(r.distinct() > 0 && r.output().contains("No error has been found"), r.output());
        } else {
            assertTrue(r.output().contains("The behavior up to this point is"), "no counterexample printed");
        }
    }

    static String tail(String s) {
        return s.length() < 4000 ? s : s.substring(s.length() - 4000);
    }
}
