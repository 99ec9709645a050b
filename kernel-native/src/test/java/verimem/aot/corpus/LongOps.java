package verimem.aot.corpus;

/** Kernel-subset long arithmetic: every long opcode, run on the JVM and as generated C on the same inputs. */
public final class LongOps {
    private LongOps() {
    }

    public static long add(long a, long b) {
        return a + b;
    }

    public static long sub(long a, long b) {
        return a - b;
    }

    public static long mul(long a, long b) {
        return a * b;
    }

    public static long div(long a, long b) {
        return a / b;
    }

    public static long rem(long a, long b) {
        return a % b;
    }

    public static long neg(long a) {
        return -a;
    }

    public static long shl(long a, int n) {
        return a << n;
    }

    public static long shr(long a, int n) {
        return a >> n;
    }

    public static long ushr(long a, int n) {
        return a >>> n;
    }

    public static long and(long a, long b) {
        return a & b;
    }

    public static long or(long a, long b) {
        return a | b;
    }

    public static long xor(long a, long b) {
        return a ^ b;
    }

    public static int toInt(long a) {
        return (int) a;
    }

    public static int compare(long a, long b) {
        int r = 0;
        if (a < b) {
            r += 1;
        }
        if (a == b) {
            r += 2;
        }
        if (a > b) {
            r += 4;
        }
        if (a <= b) {
            r += 8;
        }
        if (a >= b) {
            r += 16;
        }
        if (a != b) {
            r += 32;
        }
        return r;
    }

    /** lconst_0/1 and ldc of long constants including the extremes. */
    public static long constants(long a) {
        return a + 0L + 1L + Long.MAX_VALUE + Long.MIN_VALUE + 0x123456789abcdefL;
    }

    /** Mixed int/long: i2l of a product, l2i of a sum. */
    public static long mixed(int a, long b) {
        long wide = (long) a * a;
        int narrow = (int) (b + a);
        return wide - narrow;
    }

    /** Discarded long result: pop2. */
    public static long discard(long a) {
        add(a, a);
        return a;
    }
}
