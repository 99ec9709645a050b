package verimem.proofs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Console report, JSON and CSV summaries, and the Markdown status table that proofs/README.md carries. */
public final class Report {
    private Report() {
    }

    /** Per package: [proved, trusted, total, millis, cpuMillis]. */
    static Map<String, long[]> byPackage(List<ContractResult> results) {
        Map<String, long[]> m = new TreeMap<>();
        for (ContractResult r : results) {
            long[] a = m.computeIfAbsent(r.pkg(), k -> new long[5]);
            if (r.proved()) {
                a[0]++;
            }
            if (ContractResult.TRUSTED.equals(r.status())) {
                a[1]++;
            }
            a[2]++;
            a[3] += r.millis();
            a[4] += r.cpuMillis();
        }
        return m;
    }

    /**
     * proved/total as a percentage with one decimal, rounded down: a goal like "90%" must not appear met when it is
     * not (340 of 379 is 89.7%, which "%.0f" printed as 90%).
     */
    static String percentDown(long proved, long total) {
        long tenths = total == 0 ? 0 : 1000 * proved / total;
        return tenths / 10 + "." + tenths % 10 + "%";
    }

    /** Short human name of a contract: Class::method(args) plus the spec case number when there are several. */
    static String shortName(String id) {
        int open = id.indexOf('[');
        int sep = id.indexOf("::", open);
        int close = id.lastIndexOf(']');
        if (open < 0 || sep < 0 || close < 0) {
            return id;
        }
        String cls = id.substring(id.lastIndexOf('.', open) + 1, open);
        String method = id.substring(sep + 2, close);
        String tail = id.substring(close + 1);
        String caseNo = tail.endsWith(".0") ? "" : " #" + tail.substring(tail.lastIndexOf('.') + 1);
        return cls + "::" + method + caseNo;
    }

    public static String markdown(List<ContractResult> results, Map<String, String> reasons, long wallMillis,
                                  int workers, int maxSteps, long cpuLimitS) {
        StringBuilder sb = new StringBuilder();
        long proved = 0;
        long trusted = 0;
        for (ContractResult r : results) {
            proved += r.proved() ? 1 : 0;
            trusted += ContractResult.TRUSTED.equals(r.status()) ? 1 : 0;
        }
        long provable = results.size() - trusted;
        String run = wallMillis > 0 ? String.format("wall time %d s with %d workers", wallMillis / 1000, workers)
            : "assembled from earlier runs' results (--report-only)";
        sb.append(String.format("**%d / %d contracts proved** (%s of the %d that are not trusted intrinsics), "
                + "%d trusted, %s (per contract: step limit %d, CPU limit %d s).%n%n",
            proved, results.size(), percentDown(proved, provable), provable, trusted, run,
            maxSteps, cpuLimitS));
        sb.append("| package | proved | trusted | total | proof wall time (s) | proof CPU time (s) |\n");
        sb.append("|---|---:|---:|---:|---:|---:|\n");
        for (Map.Entry<String, long[]> e : byPackage(results).entrySet()) {
            long[] a = e.getValue();
            sb.append(String.format("| %s | %d | %d | %d | %.0f | %.0f |%n", e.getKey(), a[0], a[1], a[2],
                a[3] / 1000.0, a[4] / 1000.0));
        }
        sb.append("\nOpen contracts (what stops each proof):\n\n");
        sb.append("| contract | status | rule apps | reason |\n|---|---|---:|---|\n");
        for (ContractResult r : results) {
            if (!r.proved() && !ContractResult.TRUSTED.equals(r.status())) {
                String why = reasons.getOrDefault(r.id(), "");
                sb.append(String.format("| %s | %s | %d | %s%s |%n", shortName(r.id()), r.status(), r.ruleApps(),
                    r.reason(), why.isEmpty() ? "" : "; " + why));
            }
        }
        sb.append("\nTrusted (declared, not proved): ");
        List<String> t = new ArrayList<>();
        for (ContractResult r : results) {
            if (ContractResult.TRUSTED.equals(r.status())) {
                t.add(shortName(r.id()));
            }
        }
        sb.append(String.join(", ", t)).append(".\n");
        return sb.toString();
    }

    public static void writeCsv(Path file, List<ContractResult> results) throws IOException {
        StringBuilder sb = new StringBuilder("contract,package,status,rule_apps,open_goals,millis,cpu_millis,how,reason\n");
        for (ContractResult r : results) {
            sb.append(csv(r.id())).append(',').append(csv(r.pkg())).append(',').append(r.status()).append(',')
                .append(r.ruleApps()).append(',').append(r.openGoals()).append(',').append(r.millis()).append(',')
                .append(r.cpuMillis()).append(',').append(csv(r.how())).append(',').append(csv(r.reason())).append('\n');
        }
        Files.writeString(file, sb);
    }

    public static void writeJson(Path file, List<ContractResult> results, long wallMillis) throws IOException {
        StringBuilder sb = new StringBuilder("{\n");
        sb.append("  \"wallMillis\": ").append(wallMillis).append(",\n");
        sb.append("  \"total\": ").append(results.size()).append(",\n");
        sb.append("  \"proved\": ").append(Gate.proved(results).size()).append(",\n");
        sb.append("  \"contracts\": [\n");
        for (int i = 0; i < results.size(); i++) {
            ContractResult r = results.get(i);
            sb.append("    {\"contract\": ").append(json(r.id())).append(", \"package\": ").append(json(r.pkg()))
                .append(", \"status\": ").append(json(r.status())).append(", \"ruleApps\": ").append(r.ruleApps())
                .append(", \"openGoals\": ").append(r.openGoals()).append(", \"millis\": ").append(r.millis())
                .append(", \"cpuMillis\": ").append(r.cpuMillis())
                .append(", \"how\": ").append(json(r.how())).append(", \"reason\": ").append(json(r.reason()))
                .append(i + 1 < results.size() ? "},\n" : "}\n");
        }
        sb.append("  ]\n}\n");
        Files.writeString(file, sb);
    }

    static String csv(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }

    static String json(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
