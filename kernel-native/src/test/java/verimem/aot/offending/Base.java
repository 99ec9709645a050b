package verimem.aot.offending;

/** Non-final, with a method a subclass overrides: calls to it have no statically known target. */
public class Base {
    public int value() {
        return 1;
    }
}
