package verimem.aot.offending;

public final class ThrowsOther {
    public static int check(int x) {
        if (x < 0) {
            throw new IllegalStateException("negative");
        }
        return x;
    }
}
