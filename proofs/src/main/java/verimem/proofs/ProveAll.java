package verimem.proofs;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The proof stage: starts N worker JVMs (each with its own heap and its own user.home, so no KeY settings leak in
 * from a developer's ~/.key), waits for them within a wall-clock budget, merges their results, writes the reports and
 * applies the baseline gate. Exit code 0 = every baseline contract proved, 1 = a regression, 2 = usage/infrastructure.
 */
public final class ProveAll {
    private ProveAll() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new LinkedHashMap<>();
        opt.put("src", "jml-annotated/src/kernel/java");
        opt.put("out", "proofs/target/proof-run");
        opt.put("scripts", "proofs/scripts");
        opt.put("baseline", "proofs/baseline.txt");
        opt.put("reasons", "proofs/open-reasons.txt");
        opt.put("workers", "2");
        opt.put("heap", "1900m");
        // Options for the worker JVMs (space-separated). A prover worker is one busy thread: the throughput collector
        // with one GC thread costs less CPU than G1 (measured 2026-11-29, arch+prepmm contracts, one worker: 375 s
        // of process CPU instead of 398 s, same prover-thread CPU), and on 2 cores every CPU second is wall time.
        opt.put("jvm", "-XX:+UseParallelGC -XX:ParallelGCThreads=1");
        opt.put("steps", "20000");
        opt.put("timeout", "600");
        opt.put("cpu", "40");
        // Contracts not in the baseline are mostly open ones; each would otherwise burn the full CPU limit.
        opt.put("cpu-new", "20");
        opt.put("budget", "860");
        opt.put("include", ".");
        opt.put("trusted", "^verimem\\.kernel\\.arch\\.Cpu\\[");
        boolean update = false;
        boolean reportOnly = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--update-baseline")) {
                update = true;
            } else if (a.equals("--report-only")) {
                // Re-render reports and re-apply the gate from the results already in --out, proving nothing.
                reportOnly = true;
            } else if (a.startsWith("--") && opt.containsKey(a.substring(2)) && i + 1 < args.length) {
                opt.put(a.substring(2), args[++i]);
            } else {
                System.err.println("unknown argument " + a + "; options: --update-baseline " + opt.keySet());
                System.exit(2);
            }
        }
        int workers = Integer.parseInt(opt.get("workers"));
        int steps = Integer.parseInt(opt.get("steps"));
        long timeoutS = Long.parseLong(opt.get("timeout"));
        long cpuS = Long.parseLong(opt.get("cpu"));
        long budgetS = Long.parseLong(opt.get("budget"));
        Path out = Path.of(opt.get("out"));
        if (reportOnly) {
            List<ContractResult> results = collect(out, workers, false);
            finish(opt, out, results, 0, workers, steps, Long.parseLong(opt.get("cpu")), update);
            return;
        }
        deleteTree(out);
        Path claims = Files.createDirectories(out.resolve("claims"));
        // The workers read a snapshot, so editing the sources while a long run is going cannot mix two versions.
        Path src = out.resolve("src");
        copyTree(Path.of(opt.get("src")), src);
        System.out.println("=== KeY proof run: " + workers + " workers x -Xmx" + opt.get("heap") + "; per contract: step"
            + " limit " + steps + ", CPU limit " + cpuS + " s (" + opt.get("cpu-new") + " s if not in the baseline), wall"
            + " time-out " + timeoutS + " s; stage budget " + budgetS
            + " s" + (opt.get("jvm").isBlank() ? "" : "; worker JVM options: " + opt.get("jvm")));
        System.out.println("=== taclet options: " + KeySettings.choices().values());
        System.out.println("=== strategy: " + KeySettings.strategy());
        System.out.println("=== origin labels: " + (KeySettings.ORIGIN_LABELS ? "on" : "off"));

        long t0 = System.currentTimeMillis();
        List<Process> procs = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            Path home = Files.createDirectories(out.resolve("home-w" + w));
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + opt.get("heap"), "-Xss8m", "-Duser.home=" + home.toAbsolutePath()));
            for (String o : opt.get("jvm").trim().split("\\s+")) {
                if (!o.isEmpty()) {
                    cmd.add(o);
                }
            }
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Worker.class.getName(),
                src.toString(), claims.toString(), out.resolve("results-w" + w + ".tsv").toString(), "w" + w,
                Integer.toString(steps), Long.toString(timeoutS), Long.toString(cpuS), opt.get("scripts"),
                opt.get("include"), opt.get("trusted"), opt.get("baseline"), opt.get("cpu-new")));
            procs.add(new ProcessBuilder(cmd).inheritIO().start());
        }
        boolean overBudget = false;
        for (Process p : procs) {
            long left = budgetS * 1000 - (System.currentTimeMillis() - t0);
            if (!p.waitFor(Math.max(left, 1), TimeUnit.MILLISECONDS)) {
                overBudget = true;
            }
        }
        if (overBudget) {
            System.out.println("=== stage budget of " + budgetS + " s spent: stopping the workers");
            for (Process p : procs) {
                p.destroyForcibly().waitFor();
            }
        }
        long wall = System.currentTimeMillis() - t0;

        List<ContractResult> results = collect(out, workers, overBudget);
        finish(opt, out, results, wall, workers, steps, cpuS, update);
    }

    private static void finish(Map<String, String> opt, Path out, List<ContractResult> results, long wall,
                               int workers, int steps, long cpuS, boolean update) throws IOException {
        if (results.isEmpty()) {
            System.err.println("=== no contracts: the workers failed to load the sources (see above)");
            System.exit(2);
        }
        Map<String, String> reasons = readReasons(Path.of(opt.get("reasons")));
        Report.writeJson(out.resolve("summary.json"), results, wall);
        Report.writeCsv(out.resolve("summary.csv"), results);
        String md = Report.markdown(results, reasons, wall, workers, steps, cpuS);
        Files.writeString(out.resolve("status.md"), md);
        System.out.println();
        System.out.println(md);
        System.out.println("=== summaries: " + out.resolve("summary.json") + ", " + out.resolve("summary.csv")
            + ", " + out.resolve("status.md"));

        Path baselineFile = Path.of(opt.get("baseline"));
        Set<String> fullBaseline = Gate.readBaseline(baselineFile);
        // A subset run (--include) is gated on the baseline contracts it was asked to prove, not on all of them.
        java.util.regex.Pattern include = java.util.regex.Pattern.compile(opt.get("include"));
        java.util.function.Predicate<String> included = id -> include.matcher(id).find();
        Set<String> baseline = new java.util.TreeSet<>(fullBaseline);
        baseline.removeIf(included.negate());
        Set<String> regressions = Gate.regressions(baseline, results);
        Set<String> fresh = Gate.newlyProved(baseline, results);
        for (String id : fresh) {
            System.out.println("=== newly proved (not in the baseline yet): " + id);
        }
        if (update) {
            Set<String> updated = Gate.updatedBaseline(fullBaseline, included, results);
            Gate.writeBaseline(baselineFile, updated);
            System.out.println("=== baseline rewritten: " + updated.size() + " proved contracts in " + baselineFile
                + (regressions.isEmpty() ? "" : " (" + regressions.size() + " no longer proved, dropped)"));
            System.exit(0);
        }
        if (!regressions.isEmpty()) {
            for (String id : regressions) {
                System.out.println("=== REGRESSION: proved in the baseline, not proved now: " + id);
            }
            System.out.println("=== proof gate FAILED: " + regressions.size() + " baseline contract(s) not proved");
            System.exit(1);
        }
        System.out.println("=== proof gate passed: all " + baseline.size() + " baseline contracts proved");
        System.exit(0);
    }

    /** Results of all workers, plus a NOT_RUN entry for every listed contract no worker finished. */
    static List<ContractResult> collect(Path out, int workers, boolean overBudget) throws IOException {
        Map<String, ContractResult> byId = new HashMap<>();
        Map<String, String> listed = new LinkedHashMap<>();
        for (int w = 0; w < workers; w++) {
            Path r = out.resolve("results-w" + w + ".tsv");
            if (Files.exists(r)) {
                for (ContractResult c : ContractResult.parseAll(Files.readAllLines(r))) {
                    byId.put(c.id(), c);
                }
            }
            Path l = out.resolve("contracts-w" + w + ".txt");
            if (Files.exists(l)) {
                for (String line : Files.readAllLines(l)) {
                    String[] f = line.split("\t", -1);
                    listed.putIfAbsent(f[0], f.length > 1 ? f[1] : "");
                }
            }
        }
        for (Map.Entry<String, String> e : listed.entrySet()) {
            byId.computeIfAbsent(e.getKey(), id -> new ContractResult(id, e.getValue(), "NOT_RUN", 0, 0, 0, 0, "",
                overBudget ? "stage budget spent before this contract finished"
                    : "not attempted (outside --include, or its worker died)"));
        }
        List<ContractResult> all = new ArrayList<>(byId.values());
        all.sort(Comparator.comparing(ContractResult::id));
        return all;
    }

    /** Hand-written explanations of open contracts: "contract id TAB reason" per line. */
    static Map<String, String> readReasons(Path file) throws IOException {
        Map<String, String> m = new HashMap<>();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file)) {
                int tab = line.indexOf('\t');
                if (!line.startsWith("#") && tab > 0) {
                    m.put(line.substring(0, tab), line.substring(tab + 1).strip());
                }
            }
        }
        return m;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            walk.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }
}
