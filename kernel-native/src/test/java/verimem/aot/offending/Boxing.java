package verimem.aot.offending;

public final class Boxing {
    public static int hash(long x) {
        Long boxed = x;
        return boxed.hashCode();
    }
}
