package verimem.aot.offending;

public final class Monitor {
    private static final Monitor LOCK = new Monitor();
    private static int n;

    public static void bump() {
        synchronized (LOCK) {
            n++;
        }
    }
}
