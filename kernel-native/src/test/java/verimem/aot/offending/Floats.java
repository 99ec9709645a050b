package verimem.aot.offending;

public final class Floats {
    public static long half(long x) {
        double d = x * 0.5;
        return (long) d;
    }
}
