package verimem.aot.offending;

import verimem.kernel.arch.Machine;

public final class InterfaceCall {
    public static long read(Machine m) {
        return m.load64(0);
    }
}
