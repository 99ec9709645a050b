package verimem.aot.offending;

public class Derived extends Base {
    @Override
    public int value() {
        return 2;
    }
}
