package verimem.aot.offending;

public final class UsesJavaUtil {
    public static void clear(long[] a) {
        java.util.Arrays.fill(a, 0L);
    }
}
