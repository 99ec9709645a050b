package verimem.host.sim;

/** A condition real hardware would answer with a machine check or a triple fault: always a test failure. */
public final class MachineError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MachineError(String message) {
        super(message);
    }
}
