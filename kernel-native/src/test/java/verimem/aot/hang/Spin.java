package verimem.aot.hang;

/**
 * Kernel-subset methods for HarnessLimitTest only (not part of the corpus): one returns, one never returns for a
 * non-zero argument, like Kmalloc.classOf once did for a huge size.
 */
public final class Spin {
    private Spin() {
    }

    public static int returns(int n) {
        return n + 1;
    }

    public static int forever(int n) {
        int x = n;
        while (x != 0) {
            x = x | 1;
        }
        return x;
    }
}
