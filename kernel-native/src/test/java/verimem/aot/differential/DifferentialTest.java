package verimem.aot.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.objectweb.asm.tree.ClassNode;
import verimem.aot.Compiler;
import verimem.aot.Gcc;
import verimem.aot.Inputs;
import verimem.aot.classfile.ClassSet;
import verimem.aot.codegen.Options;
import verimem.aot.subset.KernelSubset;

/**
 * The proof that the compiler is faithful: the corpus (src/test/java/verimem/aot/corpus) and every public static
 * method of the real kernel classes run on the JVM and as hosted generated C (built with ASan and UBSan, which
 * abort on undefined behaviour) on the same inputs; the outputs must be identical text. A deliberately wrong
 * translation of one opcode must make them differ (the test of the test).
 *
 * <p>A kernel method that loops forever on some input would otherwise hang the build, so the whole class has a
 * time limit.
 */
@Timeout(value = 600, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DifferentialTest {
    /** Every correct call takes milliseconds even at -O0; a mutant's runaway loop is cut off sooner. */
    private static final int MUTANT_CALL_LIMIT_SECONDS = 5;
    private static ClassSet classes;
    private static List<Differential.Target> targets;
    private static List<Differential.Call> calls;
    private static String expected;
    /** The JVM output of the generated calls alone: the mutants run only those (the real maps add time, not
     *  opcodes). */
    private static String expectedGenerated;
    private static List<Differential.Call> generatedCalls;
    private static List<Differential.Call> realMapCalls;
    private static int realMaps;
    /** One line per test: the suite's figures, then each mutant's verdict (written to summary.txt at the end). */
    private static final Map<String, String> SUMMARY = new java.util.TreeMap<>();

    /** calls, methods, opcode coverage and mutants caught in one file: target/aot-work/differential/summary.txt */
    @org.junit.jupiter.api.AfterAll
    static void writeSummary() throws Exception {
        if (!SUMMARY.isEmpty()) {
            Files.writeString(Gcc.workDir("differential").resolve("summary.txt"),
                    String.join("\n", SUMMARY.values()) + "\n");
        }
    }

    @BeforeAll
    static void runOnTheJvm() throws Exception {
        Gcc.assumePresent();
        classes = Inputs.kernelPlus("verimem/aot/corpus/");
        List<String> targetClasses = new ArrayList<>();
        for (ClassNode c : classes.all()) {
            if (!KernelSubset.NOT_COMPILED.contains(c.name)) {
                targetClasses.add(c.name); // every corpus class and every kernel class, as they land on main
            }
        }
        targets = Differential.targets(classes, targetClasses);
        // the real-map bootstrap scenarios run on the real maps only, after every generated call
        List<Path> maps = RealMapCalls.maps();
        realMaps = maps.size();
        realMapCalls = RealMapCalls.calls(targets, maps);
        generatedCalls = RealMapCalls.withoutScenario(targets, Differential.calls(targets));
        calls = new ArrayList<>(generatedCalls);
        calls.addAll(realMapCalls);
        List<Path> roots = List.of(Inputs.testRoot(), Inputs.kernelRoot());
        long t0 = System.nanoTime();
        expectedGenerated = Differential.runOnJvm(targets, generatedCalls, roots);
        System.out.printf("differential: %d generated calls on the JVM in %.1f s%n", generatedCalls.size(),
                seconds(t0));
        // a fresh class loader: the real-map calls touch only RealMapScenario's statics, so the C side, which runs
        // them after the generated calls in the same process, must print the same
        long t1 = System.nanoTime();
        String expectedReal = Differential.runOnJvm(targets, realMapCalls, roots);
        System.out.printf("differential: %d real-map calls (%d maps) on the JVM in %.1f s%n", realMapCalls.size(),
                realMaps, seconds(t1));
        expected = expectedGenerated + expectedReal;
        // every real map must get through the whole scenario with an exact hand-off partition (on the JVM; the
        // C side must then print the same lines)
        assertEquals(realMaps, expected.lines().filter(l -> l.startsWith("RealMapScenario.bootstrap() -> ")
                && !l.contains("PANIC")).count(), "a real-map bootstrap panicked on the JVM");
        assertEquals(realMaps, expected.lines().filter(l -> l.equals("RealMapScenario.lastHandOff() -> 0")).count(),
                "a real map's hand-off check failed on the JVM:\n" + expected.lines()
                        .filter(l -> l.startsWith("RealMapScenario.lastHandOff")).collect(Collectors.joining("\n")));
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    /** Compiles the class set with the given options and the harness, runs it on the calls, returns stdout. */
    private static String runGeneratedC(String name, Options options, List<String> cflags) throws Exception {
        return runGeneratedC(name, options, cflags, false, calls);
    }

    /**
     * As above. For a mutant, a call that no longer returns is one of the ways a wrong translation shows (the iadd
     * mutant turns Kmalloc.classOf's c + 1 into c - 1, a loop of 2^32 steps): the output so far plus a HUNG line
     * is returned, with a shorter per-call limit, instead of failing.
     */
    private static String runGeneratedC(String name, Options options, List<String> cflags, boolean mutant,
            List<Differential.Call> input) throws Exception {
        long t0 = System.nanoTime();
        Path dir = Gcc.workDir(name);
        Compiler.Output out = Compiler.compile(classes, options);
        Compiler.writeFiles(out, dir);
        Files.writeString(dir.resolve("harness_main.c"),
                Differential.cMain(targets, mutant ? MUTANT_CALL_LIMIT_SECONDS : Differential.CALL_LIMIT_SECONDS));
        List<String> args = new ArrayList<>(cflags);
        args.addAll(Gcc.WARNINGS);
        args.addAll(List.of("-o", "harness", "harness_main.c", "verimem_aot.c",
                Gcc.runtimeDir().resolve("vm_common.c").toString(), Gcc.runtimeDir().resolve("vm_hosted.c").toString()));
        Gcc.Result cc = Gcc.gcc(dir, args);
        assertEquals(0, cc.exit(), "gcc failed:\n" + cc.stderr());
        assertEquals("", cc.stderr(), "gcc printed warnings");
        double built = seconds(t0);
        long t1 = System.nanoTime();
        Gcc.Result run = Gcc.run(List.of(dir.resolve("harness").toString()), dir, Differential.cInput(input));
        System.out.printf("differential %s: compile+gcc %.1f s, run %.1f s%n", name, built, seconds(t1));
        if (run.exit() == Gcc.TIMED_OUT && mutant) {
            System.out.println("differential " + name + ": hung in " + lastLine(run.stdout()));
            return run.stdout() + "HUNG\n";
        }
        if (run.exit() == Gcc.TIMED_OUT) {
            fail("hosted C call " + lastLine(run.stdout()) + " did not return (per-call limit "
                    + Differential.CALL_LIMIT_SECONDS + " s, whole run " + Gcc.RUN_LIMIT_SECONDS + " s)\n"
                    + tail(run.stderr()));
        }
        assertEquals(0, run.exit(), "harness crashed in call " + lastLine(run.stdout()) + " (a sanitizer report?):\n"
                + tail(run.stderr()));
        return run.stdout();
    }

    /** The call the harness was in: it flushes "Class.method(args) -> " before every call. */
    private static String lastLine(String stdout) {
        String[] lines = stdout.split("\n", -1);
        String last = lines[lines.length - 1];
        return last.isEmpty() && lines.length > 1 ? lines[lines.length - 2] + " (completed; next not started)" : last;
    }

    private static String tail(String s) {
        return s.length() < 4000 ? s : s.substring(s.length() - 4000);
    }

    private static List<String> differences(String want, String got) {
        String[] a = want.split("\n", -1);
        String[] b = got.split("\n", -1);
        List<String> diffs = new ArrayList<>();
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            String x = i < a.length ? a[i] : "<missing>";
            String y = i < b.length ? b[i] : "<missing>";
            if (!x.equals(y)) {
                diffs.add("JVM: " + x + "\n  C: " + y);
            }
        }
        return diffs;
    }

    @Test
    void generatedCBehavesExactlyLikeTheJvm() throws Exception {
        String got = runGeneratedC("differential", Options.defaults(), Gcc.HOSTED_SANITIZED);
        Path dir = Gcc.workDir("differential");
        Files.writeString(dir.resolve("jvm.txt"), expected); // kept for inspection: diff jvm.txt c.txt
        Files.writeString(dir.resolve("c.txt"), got);
        Files.writeString(dir.resolve("calls.txt"), Differential.cInput(calls)); // ./harness < calls.txt
        List<String> diffs = differences(expected, got);
        assertTrue(diffs.isEmpty(), diffs.size() + " of " + calls.size() + " calls differ, first ones:\n"
                + String.join("\n", diffs.subList(0, Math.min(20, diffs.size()))));

        // Coverage: the opcodes of every method the calls reach, against what the compiler accepts.
        Compiler.Output out = Compiler.compile(classes, Options.defaults());
        Set<Integer> covered = new TreeSet<>();
        Set<String> reached = Differential.reachable(classes, targets);
        for (Map.Entry<String, Set<Integer>> e : out.opcodesByMethod().entrySet()) {
            if (reached.contains(e.getKey())) {
                covered.addAll(e.getValue());
            }
        }
        Set<Integer> accepted = KernelSubset.acceptedOpcodes();
        Set<String> missing = new TreeSet<>();
        for (int op : accepted) {
            if (!covered.contains(op)) {
                missing.add(KernelSubset.opcodeName(op));
            }
        }
        long panics = expected.lines().filter(l -> l.contains("-> PANIC") || l.contains(" PANIC ")).count();
        StringBuilder report = new StringBuilder();
        report.append("differential suite: ").append(calls.size()).append(" calls of ").append(targets.size())
                .append(" methods, ").append(panics).append(" of them panic; JVM and hosted C (ASan+UBSan) agree\n");
        report.append("real maps: ").append(realMaps).append(" maps of ").append(RealMapCalls.MAPS)
                .append(" bootstrapped (sanitise, carve-outs, pre-PMM, PMM, hand-off check, alloc/free) in ")
                .append(realMapCalls.size()).append(" of those calls; every hand-off check OK\n");
        report.append("opcode coverage: ").append(accepted.size() - missing.size()).append(" of ")
                .append(accepted.size()).append(" accepted opcodes; not covered: ").append(missing).append('\n');
        report.append("methods reached: ").append(reached.size()).append('\n');
        for (Differential.Target t : targets) {
            report.append("  target ").append(t.owner().name.replace('/', '.')).append('.').append(t.method().name)
                    .append(t.method().desc).append('\n');
        }
        Files.writeString(Gcc.workDir("differential").resolve("report.txt"), report);
        SUMMARY.put("0 suite", report.substring(0, report.indexOf("methods reached")) + "methods reached: "
                + reached.size());
        System.out.print(report);
        assertEquals(Set.of(), missing, "accepted opcodes the differential suite does not cover");
    }

    /** The test of the test: each deliberate mistranslation must change some output. */
    @ParameterizedTest
    @ValueSource(strings = {"lushr", "i2b", "iadd", "lcmp"})
    void aWrongTranslationOfOneOpcodeIsCaught(String opcode) throws Exception {
        // -O0: compiles in about half the time of -O1 and changes no semantics the mutant relies on
        String got = runGeneratedC("mutant-" + opcode, new Options(Set.of(), opcode), List.of("-O0"), true,
                generatedCalls);
        List<String> diffs = differences(expectedGenerated, got);
        String line = "mutation " + opcode + ": " + diffs.size() + " of " + generatedCalls.size() + " calls differ"
                + (diffs.isEmpty() ? "" : ", first: " + diffs.get(0).replace("\n", " |"));
        System.out.println(line);
        Files.writeString(Gcc.workDir("mutant-" + opcode).resolve("report.txt"), line + "\n");
        SUMMARY.put("1 " + opcode, (diffs.isEmpty() ? "NOT CAUGHT " : "caught: ") + line);
        assertTrue(diffs.size() > 0, "mistranslating " + opcode + " went unnoticed");
    }
}
