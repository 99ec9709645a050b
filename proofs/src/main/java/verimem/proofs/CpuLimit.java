package verimem.proofs;

import de.uka.ilkd.key.proof.Goal;
import de.uka.ilkd.key.proof.Proof;
import de.uka.ilkd.key.prover.StopCondition;
import de.uka.ilkd.key.prover.impl.AppliedRuleStopCondition;
import de.uka.ilkd.key.prover.impl.SingleRuleApplicationInfo;

/**
 * KeY's own stop condition (step limit and wall-clock time-out) plus a limit on the worker's CPU time. On a shared
 * machine the wall clock says more about the neighbours than about the proof; a CPU budget makes "proved within the
 * limit" mean the same thing on a busy and on an idle machine.
 */
final class CpuLimit implements StopCondition {
    private final StopCondition keyDefault = new AppliedRuleStopCondition();
    private final long cpuStart = Worker.cpuMillis();
    private final long cpuLimitMillis;
    private boolean hit;

    CpuLimit(long cpuLimitMillis) {
        this.cpuLimitMillis = cpuLimitMillis;
    }

    boolean hit() {
        return hit;
    }

    private boolean spent() {
        if (Worker.cpuMillis() - cpuStart >= cpuLimitMillis) {
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
