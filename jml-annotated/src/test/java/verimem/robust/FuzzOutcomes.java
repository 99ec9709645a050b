package verimem.robust;

import java.util.Map;
import java.util.TreeMap;

/**
 * Counts the outcome of every input a target runs, and prints the histogram when the JVM exits (the Jazzer
 * command line calls fuzzerInitialize once; its own summary line gives executions and coverage).
 */
final class FuzzOutcomes {
    private static final Map<String, Long> COUNTS = new TreeMap<>();
    private static boolean hooked;

    private FuzzOutcomes() {
    }

    static synchronized String count(String outcome) {
        COUNTS.merge(outcome, 1L, Long::sum);
        return outcome;
    }

    static synchronized void printAtExit(String target) {
        if (hooked) {
            return;
        }
        hooked = true;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            synchronized (FuzzOutcomes.class) {
                System.err.println("[verimem fuzz] " + target + " outcomes " + COUNTS);
            }
        }));
    }
}
