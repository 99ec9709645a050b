package verimem.aot.offending;

public final class VirtualCall {
    public static int call(Base b) {
        return b.value();
    }
}
