package verimem.spec.trace;

import java.util.Collection;
import java.util.stream.Collectors;

/** TLA+ literals for the generated trace modules. TLC's integers are 32-bit: larger values are refused. */
final class TlaText {
    private TlaText() {
    }

    static String num(long v) {
        if (v > Integer.MAX_VALUE || v < -Integer.MAX_VALUE) {
            throw new IllegalArgumentException("value " + v + " does not fit TLC's integers");
        }
        return v < 0 ? "(" + v + ")" : Long.toString(v);
    }

    static String set(Collection<Long> values) {
        return values.stream().sorted().map(TlaText::num).collect(Collectors.joining(", ", "{", "}"));
    }
}
