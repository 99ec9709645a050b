package verimem.proofs;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import de.uka.ilkd.key.control.DefaultUserInterfaceControl;
import de.uka.ilkd.key.control.KeYEnvironment;
import de.uka.ilkd.key.java.Position;
import de.uka.ilkd.key.java.abstraction.KeYJavaType;
import de.uka.ilkd.key.logic.op.IObserverFunction;
import de.uka.ilkd.key.macros.scripts.ProofScriptEngine;
import de.uka.ilkd.key.parser.Location;
import de.uka.ilkd.key.pp.LogicPrinter;
import de.uka.ilkd.key.proof.Goal;
import de.uka.ilkd.key.proof.Node;
import de.uka.ilkd.key.proof.Proof;
import de.uka.ilkd.key.proof.Statistics;
import de.uka.ilkd.key.proof.init.JavaProfile;
import de.uka.ilkd.key.proof.mgt.SpecificationRepository;
import de.uka.ilkd.key.speclang.Contract;
import de.uka.ilkd.key.strategy.StrategyProperties;
import de.uka.ilkd.key.util.KeYTypeUtil;

/**
 * One proof worker JVM. Loads the kernel sources into KeY once, lists every contract in a fixed order, and proves the
 * contracts it claims. Claiming is an atomic file creation in a shared folder, so several workers share the list
 * without any other coordination and a slow contract does not hold up the others.
 *
 * Arguments: src claimsDir resultsFile workerName maxSteps timeoutSeconds cpuLimitSeconds scriptsDir includeRegex
 * trustedRegex baselineFile cpuNewSeconds. Baselined contracts are claimed first, so that when the stage budget runs out
 * it is the contracts nobody relies on that are left NOT_RUN; contracts outside the baseline get the shorter CPU limit
 * cpuNewSeconds, so that the open ones cannot eat the stage budget.
 */
public final class Worker {
    private Worker() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 12) {
            System.err.println("usage: Worker src claimsDir resultsFile name maxSteps timeoutS cpuS scriptsDir include"
                + " trusted baseline cpuNewS");
            System.exit(2);
        }
        File src = new File(args[0]);
        Path claims = Path.of(args[1]);
        Path results = Path.of(args[2]);
        String name = args[3];
        int maxSteps = Integer.parseInt(args[4]);
        long timeoutMs = Long.parseLong(args[5]) * 1000L;
        long cpuLimitMs = Long.parseLong(args[6]) * 1000L;
        Path scripts = Path.of(args[7]);
        Pattern include = Pattern.compile(args[8]);
        Pattern trusted = Pattern.compile(args[9]);
        Set<String> baseline = Gate.readBaseline(Path.of(args[10]));
        long cpuNewLimitMs = Long.parseLong(args[11]) * 1000L;

        exitWithParent();
        long t0 = System.currentTimeMillis();
        KeySettings.installChoices();
        KeYEnvironment<DefaultUserInterfaceControl> env =
            KeYEnvironment.load(JavaProfile.getDefaultInstance(), src, null, null, null, true);
        List<Contract> contracts = contracts(env);
        System.out.printf("[%s] loaded %s in %.1f s (%.1f s CPU): %d contracts%n", name, src,
            (System.currentTimeMillis() - t0) / 1000.0, cpuMillis() / 1000.0, contracts.size());
        System.out.flush();
        List<String> listing = new ArrayList<>();
        for (Contract c : contracts) {
            listing.add(c.getName() + "\t" + pkg(c));
        }
        Files.write(results.resolveSibling("contracts-" + name + ".txt"), listing);
        if (maxSteps == 0) {
            for (Contract c : contracts) {
                System.out.println("contract\t" + c.getName());
            }
            env.dispose();
            System.exit(0);
        }

        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(results, StandardCharsets.UTF_8,
            StandardOpenOption.CREATE, StandardOpenOption.APPEND))) {
            List<Integer> order = new ArrayList<>();
            for (int pass = 0; pass < 2; pass++) {
                for (int i = 0; i < contracts.size(); i++) {
                    if (baseline.contains(contracts.get(i).getName()) == (pass == 0)) {
                        order.add(i);
                    }
                }
            }
            for (int i : order) {
                Contract c = contracts.get(i);
                String id = c.getName();
                if (!include.matcher(id).find() || !claim(claims, i)) {
                    continue;
                }
                ContractResult r;
                if (trusted.matcher(id).find()) {
                    r = new ContractResult(id, pkg(c), ContractResult.TRUSTED, 0, 0, 0, 0, "declared",
                        "intrinsic: body is host glue, the AOT compiler emits inline C");
                } else {
                    r = prove(env, c, maxSteps, timeoutMs, cpuLimitMs, cpuNewLimitMs, baseline.contains(id), scripts);
                }
                out.println(r.toLine());
                out.flush();
                System.out.printf("[%s] %3d/%d %-7s %6d rules %6.1f s (CPU %5.1f s)  %s%s%n", name, i + 1,
                    contracts.size(), r.status(), r.ruleApps(), r.millis() / 1000.0, r.cpuMillis() / 1000.0, id,
                    r.reason().isEmpty() ? "" : "  (" + r.reason() + ")");
                System.out.flush();
            }
        }
        env.dispose();
        System.out.printf("[%s] done: %.1f s CPU in this worker%n", name, cpuMillis() / 1000.0);
        System.exit(0);
    }

    /** CPU time of this JVM so far (prover thread plus GC). */
    static long cpuMillis() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime() / 1_000_000L;
        }
        return 0;
    }

    /** A worker whose orchestrator died (killed, budget spent) must not go on burning the machine. */
    private static void exitWithParent() {
        ProcessHandle parent = ProcessHandle.current().parent().orElse(null);
        if (parent == null) {
            return;
        }
        Thread t = new Thread(() -> {
            while (parent.isAlive()) {
                try {
                    Thread.sleep(2000);
                } catch (InterruptedException e) {
                    return;
                }
            }
            System.err.println("proof worker: orchestrator gone, exiting");
            Runtime.getRuntime().halt(3);
        }, "parent-watch");
        t.setDaemon(true);
        t.start();
    }

    /** Every contract on a class of the kernel (library classes excluded), sorted by name. */
    static List<Contract> contracts(KeYEnvironment<?> env) {
        SpecificationRepository repo = env.getSpecificationRepository();
        TreeMap<String, Contract> byName = new TreeMap<>();
        for (KeYJavaType kjt : env.getJavaInfo().getAllKeYJavaTypes()) {
            if (KeYTypeUtil.isLibraryClass(kjt) || !kjt.getFullName().startsWith("verimem.")) {
                continue;
            }
            for (IObserverFunction target : repo.getContractTargets(kjt)) {
                // Methods a kernel class inherits from the JDK model (KernelPanic's Throwable methods) are not ours.
                // The class invariant's observer is declared on Object, but its dependency contract (JML
                // `accessible \inv: ...`) is the kernel class's own: callers rely on it, so it is proved too.
                boolean inv = target == env.getJavaInfo().getInv();
                if (!inv && !target.getContainerType().getFullName().startsWith("verimem.")) {
                    continue;
                }
                for (Contract c : repo.getContracts(kjt, target)) {
                    byName.putIfAbsent(c.getName(), c);
                }
            }
        }
        return new ArrayList<>(byName.values());
    }

    static String pkg(Contract c) {
        String full = c.getKJT().getFullName();
        int dot = full.lastIndexOf('.');
        return dot < 0 ? "" : full.substring(0, dot);
    }

    private static boolean claim(Path claims, int index) throws IOException {
        try {
            Files.createFile(claims.resolve(Integer.toString(index)));
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        }
    }

    /** Script file name for a contract: the contract name with everything but [A-Za-z0-9.] turned into '_'. */
    static String scriptName(String id) {
        return id.replaceAll("[^A-Za-z0-9.]+", "_") + ".script";
    }

    private static final Pattern STRATEGY_LINE =
        Pattern.compile("^\\s*strategy\\s+([A-Z_]+)\\s*=\\s*([A-Za-z_]+)\\s*;\\s*$", Pattern.MULTILINE);

    /** Every value KeY names as a constant of StrategyProperties (the option values a script may set). */
    private static final Set<String> STRATEGY_VALUES = strategyValues();

    private static Set<String> strategyValues() {
        Set<String> values = new HashSet<>();
        for (java.lang.reflect.Field f : StrategyProperties.class.getFields()) {
            if (f.getType() == String.class && java.lang.reflect.Modifier.isStatic(f.getModifiers())
                && !f.getName().endsWith("_KEY")) {
                try {
                    values.add((String) f.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return values;
    }

    /**
     * A script line `strategy KEY = VALUE;` sets one strategy property for this contract (KeY's own `set key=...`
     * command fails on a proof whose strategy was set programmatically). Returns the script without those lines.
     */
    static String applyStrategyLines(String text, StrategyProperties sp) {
        Matcher m = STRATEGY_LINE.matcher(text);
        while (m.find()) {
            // StrategyProperties accepts any key and any value; a misspelt one would silently change nothing.
            if (!sp.containsKey(m.group(1))) {
                throw new IllegalArgumentException("unknown KeY strategy key in script line: " + m.group(0).strip()
                    + " (known: " + new TreeSet<>(sp.stringPropertyNames()) + ")");
            }
            if (!STRATEGY_VALUES.contains(m.group(2))) {
                throw new IllegalArgumentException("unknown KeY strategy value in script line: " + m.group(0).strip());
            }
            sp.setProperty(m.group(1), m.group(2));
        }
        return STRATEGY_LINE.matcher(text).replaceAll("");
    }

    private static final Pattern SWITCH_LINE =
        Pattern.compile("^\\s*switch\\s+([A-Z_]+)\\s*=\\s*([A-Za-z_]+)\\s*;\\s*$", Pattern.MULTILINE);

    /**
     * Runs a proof script in which a line `switch KEY = VALUE;` changes one strategy property from that line on
     * (KeY's own `set key=... value=...` throws a NullPointerException in KeY 2.12.3: its SetCommand builds the new
     * strategy for a proof field it never sets). Lets a script do its structural steps under a cheap strategy and
     * finish the few goals left under a stronger one.
     */
    static void runScript(KeYEnvironment<DefaultUserInterfaceControl> env, Proof proof, String text, String file, StrategyProperties sp)
        throws Exception {
        Matcher m = SWITCH_LINE.matcher(text);
        int from = 0;
        while (!proof.closed()) {
            boolean found = m.find();
            String part = text.substring(from, found ? m.start() : text.length());
            if (!part.strip().isEmpty()) {
                int line = 1 + (int) text.substring(0, from).chars().filter(ch -> ch == '\n').count();
                new ProofScriptEngine(part, Location.fromFileName(file, Position.newOneBased(line, 1)))
                    .execute(env.getUi(), proof);
            }
            if (!found) {
                return;
            }
            applySwitch(m, sp);
            useStrategy(proof, sp);
            from = m.end();
        }
    }

    /** Checks every `switch KEY = VALUE;` line of a script as a strategy line is checked (unknown key or value). */
    static void checkSwitchLines(String text) {
        Matcher m = SWITCH_LINE.matcher(text);
        while (m.find()) {
            applySwitch(m, KeySettings.strategy());
        }
    }

    /** Makes sp the proof's strategy: its settings record the properties, and a strategy is built from them. */
    private static void useStrategy(Proof proof, StrategyProperties sp) {
        proof.getSettings().getStrategySettings().setActiveStrategyProperties(sp);
        proof.setActiveStrategy(proof.getServices().getProfile().getDefaultStrategyFactory().create(proof, sp));
    }

    /** A matched `switch KEY = VALUE;` line, set and checked exactly as the strategy line it stands for. */
    private static void applySwitch(Matcher m, StrategyProperties sp) {
        applyStrategyLines("strategy " + m.group(1) + " = " + m.group(2) + ";", sp);
    }

    /** The most applied rules of a proof (where its rule applications go), for making a proof cheaper. */
    private static void printRuleHistogram(Proof proof, String name) {
        Map<String, Integer> counts = new HashMap<>();
        ArrayDeque<Node> todo = new ArrayDeque<>();
        todo.push(proof.root());
        while (!todo.isEmpty()) {
            Node n = todo.pop();
            if (n.getAppliedRuleApp() != null) {
                counts.merge(n.getAppliedRuleApp().rule().name().toString(), 1, Integer::sum);
            }
            for (int i = 0; i < n.childrenCount(); i++) {
                todo.push(n.child(i));
            }
        }
        StringBuilder sb = new StringBuilder("---- rules of " + name + ":");
        counts.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(30)
            .forEach(e -> sb.append(' ').append(e.getKey()).append('=').append(e.getValue()));
        System.out.println(sb);
    }

    /** One line per open goal: the branch labels from the root down (which case of the proof is left). */
    private static void printOpenBranches(Proof proof) {
        for (Goal g : proof.openGoals()) {
            StringBuilder path = new StringBuilder();
            for (Node n = g.node(); n != null; n = n.parent()) {
                String label = n.getNodeInfo().getBranchLabel();
                if (label != null) {
                    path.insert(0, " / " + label);
                }
            }
            System.out.println("---- open branch:" + path);
        }
    }

    /** A script line `limit cpu = N;` (seconds): this contract's CPU limit once it is in the baseline. */
    private static final Pattern LIMIT_LINE =
        Pattern.compile("^\\s*limit\\s+cpu\\s*=\\s*(\\d+)\\s*;\\s*$", Pattern.MULTILINE);
    /** No script may raise its limit beyond this: the whole run has a wall budget. */
    static final long MAX_SCRIPT_CPU_LIMIT_MS = 90_000L;

    /**
     * The CPU limit for one contract: cpuNewMs if it is not in the baseline (so that open contracts stay cheap);
     * otherwise cpuMs, or the script's `limit cpu = N;` if it has one (for a proof known to need more than the
     * common limit, with its reason written in the script), capped at MAX_SCRIPT_CPU_LIMIT_MS.
     */
    static long cpuLimitFor(String scriptText, long cpuMs, long cpuNewMs, boolean baselined) {
        if (!baselined) {
            return cpuNewMs;
        }
        Matcher m = scriptText == null ? null : LIMIT_LINE.matcher(scriptText);
        if (m == null || !m.find()) {
            return cpuMs;
        }
        long ms = Long.parseLong(m.group(1)) * 1000L;
        if (ms > MAX_SCRIPT_CPU_LIMIT_MS) {
            throw new IllegalArgumentException("script CPU limit above " + MAX_SCRIPT_CPU_LIMIT_MS / 1000 + " s: "
                + m.group(0).strip());
        }
        return ms;
    }

    private static ContractResult prove(KeYEnvironment<DefaultUserInterfaceControl> env, Contract c, int maxSteps,
                                        long timeoutMs, long cpuMs, long cpuNewMs, boolean baselined, Path scripts) {
        long t0 = System.currentTimeMillis();
        Path script = scripts.resolve(scriptName(c.getName()));
        String scriptText = null;
        long cpuLimitMs = cpuLimitFor(null, cpuMs, cpuNewMs, baselined); // until the script is read
        Proof proof = null;
        String how = "auto";
        CpuLimit cpuLimit = new CpuLimit(cpuLimitMs);
        try {
            scriptText = Files.exists(script) ? Files.readString(script) : null;
            cpuLimitMs = cpuLimitFor(scriptText, cpuMs, cpuNewMs, baselined);
            cpuLimit = new CpuLimit(cpuLimitMs);
            proof = env.createProof(c.createProofObl(env.getInitConfig(), c));
            StrategyProperties sp = KeySettings.strategy();
            if (scriptText != null) {
                scriptText = LIMIT_LINE.matcher(applyStrategyLines(scriptText, sp)).replaceAll("");
            }
            proof.getSettings().getStrategySettings().setMaxSteps(maxSteps);
            proof.getSettings().getStrategySettings().setTimeout(timeoutMs);
            proof.getSettings().getStrategySettings().setCustomApplyStrategyStopCondition(cpuLimit);
            useStrategy(proof, sp);
            if (scriptText != null) {
                how = "script " + script.getFileName();
            }
            // A script of strategy lines plus `auto;` is plain auto mode under those settings.
            if (scriptText != null && !scriptText.strip().equals("auto;")) {
                runScript(env, proof, scriptText, script.toString(), sp);
            } else {
                env.getProofControl().startAndWaitForAutoMode(proof);
            }
            if (!proof.closed() && !cpuLimit.hit() && PowLemma.applyToOpenGoals(proof) > 0) {
                how = how + " + powPositive";
                env.getProofControl().startAndWaitForAutoMode(proof);
            }
            Statistics st = proof.getStatistics();
            long ms = System.currentTimeMillis() - t0;
            int open = proof.openGoals().size();
            if (!proof.closed() && System.getenv("VERIMEM_SHOW_OPEN") != null) {
                System.out.println("---- first open goal of " + c.getName() + ":\n" + LogicPrinter.quickPrintSequent(
                    proof.openGoals().head().sequent(), proof.getServices()));
            }
            if (!proof.closed() && System.getenv("VERIMEM_SHOW_BRANCHES") != null) {
                printOpenBranches(proof);
            }
            if (System.getenv("VERIMEM_SHOW_RULES") != null) {
                printRuleHistogram(proof, c.getName());
            }
            if (proof.closed()) {
                return new ContractResult(c.getName(), pkg(c), ContractResult.PROVED, st.totalRuleApps, 0, ms,
                    cpuLimit.spentMillis(), how, "");
            }
            String reason = cpuLimit.hit() ? "CPU limit " + cpuLimitMs / 1000 + " s"
                : st.totalRuleApps >= maxSteps ? "step limit " + maxSteps
                : ms >= timeoutMs ? "time-out " + timeoutMs / 1000 + " s"
                : "auto mode stopped";
            return new ContractResult(c.getName(), pkg(c), ContractResult.OPEN, st.totalRuleApps, open, ms,
                cpuLimit.spentMillis(), how,
                reason + ", " + open + " open goal(s)");
        } catch (Throwable e) {
            return new ContractResult(c.getName(), pkg(c), ContractResult.ERROR, 0, 0,
                System.currentTimeMillis() - t0, cpuLimit.spentMillis(), how, e.getClass().getSimpleName() + ": " + e.getMessage());
        } finally {
            if (proof != null) {
                proof.dispose();
            }
        }
    }
}
