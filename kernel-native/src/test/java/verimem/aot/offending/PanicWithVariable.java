package verimem.aot.offending;

import verimem.kernel.arch.KernelPanic;

public final class PanicWithVariable {
    public static void fail(boolean twice) {
        KernelPanic p = new KernelPanic("stored first");
        if (twice) {
            throw p;
        }
    }
}
