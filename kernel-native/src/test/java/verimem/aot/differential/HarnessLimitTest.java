package verimem.aot.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import verimem.aot.Compiler;
import verimem.aot.Gcc;
import verimem.aot.Inputs;
import verimem.aot.classfile.ClassSet;
import verimem.aot.codegen.Options;

/**
 * The differential harness never hangs: a call that does not return is stopped on either side after the per-call
 * limit, and the failure names the method and its arguments (here with a 1 s limit on verimem.aot.hang.Spin). On
 * the JVM the loop itself ends when its step budget runs out.
 */
@Timeout(120)
class HarnessLimitTest {
    private static final int LIMIT = 1;
    /** A smaller step budget than the suite's 10^9, so the runaway loop ends within a second or so. */
    private static final long STEPS = 200_000_000L;

    private static List<Differential.Target> targets(ClassSet set) {
        return Differential.targets(set, List.of("verimem/aot/hang/Spin"));
    }

    private static int index(List<Differential.Target> ts, String name) {
        for (int i = 0; i < ts.size(); i++) {
            if (ts.get(i).method().name.equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException(name);
    }

    @Test
    void aJvmCallThatNeverReturnsFailsNamingTheCall() throws Exception {
        ClassSet set = Inputs.kernelPlus("verimem/aot/hang/");
        List<Differential.Target> ts = targets(set);
        List<Differential.Call> calls = List.of(new Differential.Call(index(ts, "returns"), new long[] {41}),
                new Differential.Call(index(ts, "forever"), new long[] {6}));
        long t0 = System.nanoTime();
        AssertionError e = assertThrows(AssertionError.class,
                () -> Differential.runOnJvm(ts, calls, List.of(Inputs.testRoot(), Inputs.kernelRoot()), LIMIT, STEPS));
        assertTrue(e.getMessage().contains("Spin.forever(6)"), e.getMessage());
        assertTrue(System.nanoTime() - t0 < 30_000_000_000L, "the limit did not stop the call");
        // The runaway thread ends by itself once its StepBudget runs out, instead of spinning on a core.
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (callThreadAlive() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(!callThreadAlive(), "the runaway JVM call is still running a minute later");
    }

    @Test
    void theStepBudgetEndsALoopThatNeverReturnsNamingTheCall() throws Exception {
        ClassSet set = Inputs.kernelPlus("verimem/aot/hang/");
        List<Differential.Target> ts = targets(set);
        List<Differential.Call> calls = List.of(new Differential.Call(index(ts, "forever"), new long[] {-3}));
        AssertionError e = assertThrows(AssertionError.class,
                () -> Differential.runOnJvm(ts, calls, List.of(Inputs.testRoot(), Inputs.kernelRoot()), 300, STEPS));
        assertTrue(e.getMessage().contains("Spin.forever(-3)") && e.getMessage().contains("loop steps"),
                e.getMessage());
    }

    private static boolean callThreadAlive() {
        for (Thread th : Thread.getAllStackTraces().keySet()) {
            if (th.getName().equals("differential-jvm-call") && th.isAlive()) {
                return true;
            }
        }
        return false;
    }

    @Test
    void aHostedCCallThatNeverReturnsEndsTheRunNamingTheCall() throws Exception {
        Gcc.assumePresent();
        ClassSet set = Inputs.kernelPlus("verimem/aot/hang/");
        List<Differential.Target> ts = targets(set);
        List<Differential.Call> calls = List.of(new Differential.Call(index(ts, "returns"), new long[] {41}),
                new Differential.Call(index(ts, "forever"), new long[] {6}),
                new Differential.Call(index(ts, "returns"), new long[] {1}));
        Path dir = Gcc.workDir("harness-limit");
        Compiler.writeFiles(Compiler.compile(set, Options.defaults()), dir);
        Files.writeString(dir.resolve("harness_main.c"), Differential.cMain(ts, LIMIT));
        List<String> args = new ArrayList<>(List.of("-O1"));
        args.addAll(Gcc.WARNINGS);
        args.addAll(List.of("-o", "harness", "harness_main.c", "verimem_aot.c",
                Gcc.runtimeDir().resolve("vm_common.c").toString(), Gcc.runtimeDir().resolve("vm_hosted.c").toString()));
        Gcc.Result cc = Gcc.gcc(dir, args);
        assertEquals(0, cc.exit(), cc.stderr());
        Gcc.Result run = Gcc.run(List.of(dir.resolve("harness").toString()), dir, Differential.cInput(calls));
        assertEquals(Gcc.TIMED_OUT, run.exit(), "the per-call limit did not end the run:\n" + run.stderr());
        assertEquals("Spin.returns(41) -> 42\nSpin.forever(6) -> ", run.stdout(),
                "the stuck call is the last, unterminated line; nothing after it ran");
        assertTrue(run.stderr().contains("did not return within the per-call limit"), run.stderr());
    }
}
