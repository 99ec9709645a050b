package verimem.aot.differential;

/**
 * Loop steps a JVM call of the differential run may take. StepBudgetLoader inserts a call to {@link #tick} before
 * every backward jump of the code under test; a call that exhausts the budget ends with {@link Exhausted}, so
 * a loop that never ends stops by itself (the watchdog's time limit only reports it; its thread could not be
 * killed). Loaded by the differential class loader, next to the code it counts: the harness resets it by
 * reflection before every call. The heaviest correct call (corpus/VmmScenario) takes about 10^6 steps.
 */
public final class StepBudget {
    public static final long STEPS_PER_CALL = 1_000_000_000L;
    private static long steps = STEPS_PER_CALL;
    private static long remaining = STEPS_PER_CALL;

    private StepBudget() {
    }

    /** The budget runs out: an Error, so kernel code (which catches nothing) cannot swallow it. */
    public static final class Exhausted extends Error {
        private static final long serialVersionUID = 1L;

        Exhausted() {
            super("more than " + steps + " loop steps in one call");
        }
    }

    /** A fresh budget of the given number of steps for the next call. */
    public static void reset(long stepsPerCall) {
        steps = stepsPerCall;
        remaining = stepsPerCall;
    }

    public static void tick() {
        remaining--;
        if (remaining < 0) {
            throw new Exhausted();
        }
    }
}
