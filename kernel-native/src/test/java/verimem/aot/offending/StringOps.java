package verimem.aot.offending;

public final class StringOps {
    public static int length() {
        String s = "hello";
        return s.length();
    }
}
