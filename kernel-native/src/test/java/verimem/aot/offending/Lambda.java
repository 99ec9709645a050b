package verimem.aot.offending;

import java.util.function.IntUnaryOperator;

public final class Lambda {
    public static int apply(int x) {
        IntUnaryOperator f = v -> v + 1;
        return f.applyAsInt(x);
    }
}
