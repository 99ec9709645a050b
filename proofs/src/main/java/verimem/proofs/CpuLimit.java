package verimem.proofs;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;

import de.uka.ilkd.key.proof.Goal;
import de.uka.ilkd.key.proof.Proof;
import de.uka.ilkd.key.prover.StopCondition;
import de.uka.ilkd.key.prover.impl.AppliedRuleStopCondition;
import de.uka.ilkd.key.prover.impl.SingleRuleApplicationInfo;

/**
 * KeY's own stop condition (step limit and wall-clock time-out) plus a limit on the CPU time of the proof search. On a
 * shared machine the wall clock says more about the neighbours than about the proof; a CPU budget makes "proved
 * within the limit" mean the same thing on a busy and on an idle machine.
 *
 * Counted: the CPU time of the threads that apply rules (KeY calls this condition before and after every rule
 * application, from the thread doing the work), so the JVM's garbage collector and JIT compiler threads do not
 * count. Process CPU time ran 1.4 to 1.8 times the prover's own, mostly JIT warm-up in the first contracts of a
 * worker, which made a contract's figure depend on where in the run it came.
 */
final class CpuLimit implements StopCondition {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private final StopCondition keyDefault = new AppliedRuleStopCondition();
    private final long cpuLimitMillis;
    /** Per prover thread: its CPU time when first seen, and the latest reading (nanoseconds). */
    private final Map<Long, long[]> seen = new HashMap<>();
    private boolean hit;

    CpuLimit(long cpuLimitMillis) {
        this.cpuLimitMillis = cpuLimitMillis;
    }

    boolean hit() {
        return hit;
    }

    /** CPU time the rule-applying threads spent on this proof so far. */
    synchronized long spentMillis() {
        long nanos = 0;
        for (long[] t : seen.values()) {
            nanos += t[1] - t[0];
        }
        return nanos / 1_000_000L;
    }

    private synchronized boolean spent() {
        long now = THREADS.getCurrentThreadCpuTime();
        seen.computeIfAbsent(Thread.currentThread().getId(), id -> new long[] {now, now})[1] = now;
        if (spentMillis() >= cpuLimitMillis) {
            hit = true;
        }
        return hit;
    }

    @Override
    public int getMaximalWork(int maxApplications, long timeout, Proof proof) {
        return keyDefault.getMaximalWork(maxApplications, timeout, proof);
    }

    @Override
    public boolean isGoalAllowed(int maxApplications, long timeout, Proof proof, long startTime, int countApplied,
                                 Goal goal) {
        return !spent() && keyDefault.isGoalAllowed(maxApplications, timeout, proof, startTime, countApplied, goal);
    }

    @Override
    public String getGoalNotAllowedMessage(int maxApplications, long timeout, Proof proof, long startTime,
                                           int countApplied, Goal goal) {
        return hit ? "CPU limit " + cpuLimitMillis / 1000 + " s reached"
            : keyDefault.getGoalNotAllowedMessage(maxApplications, timeout, proof, startTime, countApplied, goal);
    }

    @Override
    public boolean shouldStop(int maxApplications, long timeout, Proof proof, long startTime, int countApplied,
                              SingleRuleApplicationInfo info) {
        return spent() || keyDefault.shouldStop(maxApplications, timeout, proof, startTime, countApplied, info);
    }

    @Override
    public String getStopMessage(int maxApplications, long timeout, Proof proof, long startTime, int countApplied,
                                 SingleRuleApplicationInfo info) {
        return hit ? "CPU limit " + cpuLimitMillis / 1000 + " s reached"
            : keyDefault.getStopMessage(maxApplications, timeout, proof, startTime, countApplied, info);
    }
}
