package verimem.aot.corpus;

/** Deliberately not final: its calls have a known target only because no class in the set overrides them. */
class Accumulator {
    private int sum;

    Accumulator(int start) {
        sum = start;
    }

    void add(int x) {
        sum = sum + twice(x);
    }

    private int twice(int x) {
        return x * 2;
    }

    final int get() {
        return sum;
    }
}
