package verimem.aot.offending;

import verimem.kernel.arch.Cpu;

public final class StringConcat {
    public static void show(int x) {
        Cpu.print("x=" + x);
    }
}
