package verimem.aot;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs gcc and the programs it builds. Tests skip (with a message) only when gcc is absent. */
public final class Gcc {
    public static final List<String> WARNINGS = List.of("-Wall", "-Wextra", "-Werror");
    /** ../shared/DESIGN.md: the flags the kernel is built with. */
    public static final List<String> FREESTANDING = List.of("-O2", "-ffreestanding", "-fno-pic", "-fno-pie",
            "-mcmodel=kernel", "-mno-red-zone", "-mgeneral-regs-only", "-fno-stack-protector",
            "-fno-asynchronous-unwind-tables", "-DVM_FREESTANDING");
    public static final List<String> HOSTED_SANITIZED = List.of("-O1", "-g", "-fsanitize=address,undefined",
            "-fno-sanitize-recover=all", "-fno-omit-frame-pointer");

    private Gcc() {
    }

    public static void assumePresent() {
        boolean present;
        try {
            present = run(List.of("gcc", "--version"), null, null).exit == 0;
        } catch (IOException e) {
            present = false;
        }
        assumeTrue(present, "gcc not found on PATH: skipping the tests that compile generated C");
    }

    public static Path runtimeDir() {
        return Path.of(System.getProperty("verimem.aot.runtime", "runtime")).toAbsolutePath();
    }

    public static Path workDir(String name) throws IOException {
        Path base = Path.of(System.getProperty("verimem.aot.work", "target/aot-work"));
        Path dir = base.resolve(name).toAbsolutePath();
        Files.createDirectories(dir);
        return dir;
    }

    /** Wall-clock limit of one gcc or program run. */
    public static final int RUN_LIMIT_SECONDS = 300;
    /** Result.exit of a run killed at RUN_LIMIT_SECONDS (the timeout(1) convention). */
    public static final int TIMED_OUT = 124;

    public record Result(int exit, String stdout, String stderr) {
    }

    /** gcc with the runtime directory on the include path; returns the result (never throws on exit code). */
    public static Result gcc(Path dir, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("gcc", "-I", runtimeDir().toString(), "-I", dir.toString()));
        cmd.addAll(args);
        return run(cmd, dir, null);
    }

    public static Result run(List<String> cmd, Path dir, String stdin) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        Path out = Files.createTempFile("verimem-aot", ".out");
        Path err = Files.createTempFile("verimem-aot", ".err");
        pb.redirectOutput(out.toFile());
        pb.redirectError(err.toFile());
        if (stdin != null) {
            Path in = Files.createTempFile("verimem-aot", ".in");
            Files.writeString(in, stdin);
            pb.redirectInput(in.toFile());
        }
        Process p = pb.start();
        boolean timedOut = false;
        try {
            if (!p.waitFor(RUN_LIMIT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                timedOut = true;
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + cmd, e);
        }
        // A run that timed out keeps what it wrote: the caller names the step it was stuck in.
        Result r = new Result(timedOut ? TIMED_OUT : p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
        return r;
    }
}
