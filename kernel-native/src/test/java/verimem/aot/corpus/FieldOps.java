package verimem.aot.corpus;

/** Static and instance fields of every type; compound assignments that javac compiles to the dup_x forms. */
public final class FieldOps {
    private static int counter;
    private static long total = 5L;
    private static byte smallByte;
    private static char smallChar;
    private static short smallShort;
    private static boolean flag;
    private static final int[] TABLE = new int[4];
    private static int initialisedInClinit;

    static {
        for (int i = 0; i < TABLE.length; i++) {
            TABLE[i] = i * i + 1;
        }
        initialisedInClinit = TABLE[3] * 10;
    }

    private int ifield;
    private long lfield;
    private byte bfield;
    private char cfield;
    private short sfield;
    private boolean zfield;

    private FieldOps(int start) {
        ifield = start;
        lfield = start * 3L;
    }

    /** Static state survives between calls, on both sides, in the same call order. */
    public static int bumpCounter(int by) {
        counter += by;
        return counter;
    }

    public static long addToTotal(long by) {
        total = total + by;
        return total;
    }

    /** Narrowing stores into byte/char/short/boolean statics and reading them back. */
    public static int narrowStatics(int v) {
        smallByte = (byte) v;
        smallChar = (char) v;
        smallShort = (short) v;
        flag = v > 0;
        return smallByte + smallChar + smallShort + (flag ? 1 : 0);
    }

    public static int tableEntry(int i) {
        return TABLE[i] + initialisedInClinit;
    }

    /** x = o.f++ on an int field: dup, getfield, dup_x1. */
    public static int postIncrementField(int start) {
        FieldOps o = new FieldOps(start);
        int old = o.ifield++;
        return old * 7 + o.ifield;
    }

    /** x = o.lf++ on a long field: dup, getfield, dup2_x1. */
    public static long postIncrementLongField(int start) {
        FieldOps o = new FieldOps(start);
        long old = o.lfield++;
        return old * 7 + o.lfield;
    }

    /** x = s++ on a static long: getstatic, dup2, ... putstatic. */
    public static long postIncrementStatic() {
        long old = total++;
        return old;
    }

    public static int narrowFields(int v) {
        FieldOps o = new FieldOps(0);
        o.bfield = (byte) v;
        o.cfield = (char) v;
        o.sfield = (short) v;
        o.zfield = v % 2 == 0;
        return o.bfield * 3 + o.cfield * 5 + o.sfield * 7 + (o.zfield ? 11 : 13);
    }
}
