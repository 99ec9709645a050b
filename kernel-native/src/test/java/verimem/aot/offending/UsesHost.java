package verimem.aot.offending;

import verimem.host.sim.SimMachine;

public final class UsesHost {
    public static boolean present(SimMachine m) {
        return m != null;
    }
}
