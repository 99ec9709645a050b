package verimem.aot.offending;

import verimem.kernel.arch.Cpu;

public final class HostOnlyCpu {
    public static void plugIn() {
        Cpu.install(null);
    }
}
