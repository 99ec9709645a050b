package verimem.aot.corpus;

import verimem.kernel.arch.KernelPanic;

/** throw new KernelPanic("literal") on some inputs; the message must come out identically. */
public final class Panics {
    private Panics() {
    }

    public static int checked(int a) {
        if (a < 0) {
            throw new KernelPanic("negative input");
        }
        if (a > 1000000) {
            throw new KernelPanic("input too large");
        }
        return a * 2;
    }

    public static long nested(long a) {
        return helper(a) + 1;
    }

    private static long helper(long a) {
        if (a == Long.MIN_VALUE) {
            throw new KernelPanic("Long.MIN_VALUE has no magnitude");
        }
        return a < 0 ? -a : a;
    }
}
