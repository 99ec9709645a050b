package verimem.aot.corpus;

/** Objects: new, constructors, instance calls (private, final, known target), null and reference comparisons. */
public final class ObjectOps {
    private ObjectOps() {
    }

    /** A small linked stack built from objects; exercises new, getfield/putfield, ifnull/ifnonnull. */
    public static long stackSum(int n) {
        Node top = null;
        int count = n % 50;
        for (int i = 0; i < count; i++) {
            top = new Node(i * 3L, top);
        }
        long s = 0;
        for (Node x = top; x != null; x = x.next()) {
            s = s * 3 + x.value();
        }
        return s;
    }

    /** if_acmpeq / if_acmpne, aconst_null and areturn. */
    public static int identity(int k) {
        Node a = new Node(1, null);
        Node b = k > 0 ? a : new Node(1, null);
        Node c = pick(k, a);
        int r = 0;
        if (a == b) {
            r += 1;
        }
        if (a != c) {
            r += 2;
        }
        if (c == null) {
            r += 4;
        }
        return r;
    }

    private static Node pick(int k, Node a) {
        if (k % 2 == 0) {
            return null;
        }
        return a;
    }

    /** A call on a null reference panics (a NullPointerException on the JVM). */
    public static long callOnNull(int k) {
        Node n = pick(k, new Node(5, null));
        return n.value();
    }

    /** Instance call with a statically known target on a non-final class (no subclass overrides it). */
    public static int accumulate(int a, int b) {
        Accumulator acc = new Accumulator(a);
        acc.add(b);
        acc.add(b);
        return acc.get();
    }
}
