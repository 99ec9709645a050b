package verimem.aot.offending;

public final class TryCatch {
    public static int safeDiv(int a, int b) {
        try {
            return a / b;
        } catch (ArithmeticException e) {
            return 0;
        }
    }
}
