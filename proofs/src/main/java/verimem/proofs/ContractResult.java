package verimem.proofs;

import java.util.ArrayList;
import java.util.List;

/**
 * Outcome of one contract: wall time and the worker process's CPU time (the machine may be shared, so wall time
 * alone says little about cost). Workers append one tab-separated line per contract; the orchestrator reads them back.
 * Status: PROVED (closed proof), OPEN (auto mode / script stopped with open goals), TRUSTED (declared, not proved:
 * the Cpu intrinsics, whose bodies are host glue), ERROR (KeY threw while building or running the proof).
 */
public record ContractResult(String id, String pkg, String status, int ruleApps, int openGoals, long millis,
                             long cpuMillis, String how, String reason) {

    public static final String PROVED = "PROVED";
    public static final String OPEN = "OPEN";
    public static final String TRUSTED = "TRUSTED";
    public static final String ERROR = "ERROR";

    public boolean proved() {
        return PROVED.equals(status);
    }

    public String toLine() {
        return String.join("\t", clean(id), clean(pkg), status, Integer.toString(ruleApps),
            Integer.toString(openGoals), Long.toString(millis), Long.toString(cpuMillis), clean(how), clean(reason));
    }

    public static ContractResult fromLine(String line) {
        String[] f = line.split("\t", -1);
        if (f.length != 9) {
            throw new IllegalArgumentException("bad result line (" + f.length + " fields): " + line);
        }
        return new ContractResult(f[0], f[1], f[2], Integer.parseInt(f[3]), Integer.parseInt(f[4]),
            Long.parseLong(f[5]), Long.parseLong(f[6]), f[7], f[8]);
    }

    public static List<ContractResult> parseAll(List<String> lines) {
        List<ContractResult> out = new ArrayList<>();
        for (String l : lines) {
            if (!l.isBlank()) {
                out.add(fromLine(l));
            }
        }
        return out;
    }

    private static String clean(String s) {
        return s == null ? "" : s.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
    }
}
