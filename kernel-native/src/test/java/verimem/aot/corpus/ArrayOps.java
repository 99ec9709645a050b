package verimem.aot.corpus;

/** Primitive arrays of every element type: newarray, x[a]load/x[a]store, arraylength, bounds and size panics. */
public final class ArrayOps {
    private ArrayOps() {
    }

    /** Stores v at index i of an array of length n (n taken mod 40, so it can be negative: a size panic). */
    public static int ints(int n, int i, int v) {
        int[] a = new int[n % 40];
        a[i] = v;
        return a[i] + a.length;
    }

    public static long longs(int n, int i, long v) {
        long[] a = new long[n % 40];
        a[i] = v;
        return a[i] + a.length;
    }

    /** Byte stores truncate, byte loads sign-extend. */
    public static int bytes(int i, int v) {
        byte[] a = new byte[16];
        a[i] = (byte) v;
        return a[i];
    }

    /** Char stores truncate, char loads zero-extend. */
    public static int chars(int i, int v) {
        char[] a = new char[16];
        a[i] = (char) v;
        return a[i];
    }

    public static int shorts(int i, int v) {
        short[] a = new short[16];
        a[i] = (short) v;
        return a[i];
    }

    public static boolean booleans(int i, boolean v) {
        boolean[] a = new boolean[16];
        a[i] = v;
        return a[i];
    }

    /** x = a[i]++ on an int array: dup2, iaload, dup_x2. */
    public static int postIncrementInt(int i) {
        int[] a = new int[8];
        a[3] = 41;
        int old = a[i]++;
        return old * 1000 + a[3];
    }

    /** x = a[i]++ on a long array: dup2, laload, dup2_x2. */
    public static long postIncrementLong(int i) {
        long[] a = new long[8];
        a[5] = Long.MAX_VALUE;
        long old = a[i]++;
        return old + a[5];
    }

    /** A histogram: array indices computed from data, plus a sum over all elements. */
    public static int histogram(int seed) {
        int[] h = new int[10];
        int x = seed;
        for (int k = 0; k < 100; k++) {
            x = x * 1103515245 + 12345;
            int bucket = ((x >> 16) % 10 + 10) % 10;
            h[bucket]++;
        }
        int s = 0;
        for (int k = 0; k < h.length; k++) {
            s = s * 31 + h[k];
        }
        return s;
    }
}
