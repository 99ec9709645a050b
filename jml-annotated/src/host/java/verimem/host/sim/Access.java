package verimem.host.sim;

/** Kind of memory access: decides which permission bits the MMU checks and what the fault error code says. */
public enum Access {
    READ, WRITE, FETCH;
}
