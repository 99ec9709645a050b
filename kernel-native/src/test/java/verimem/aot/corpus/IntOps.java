package verimem.aot.corpus;

/** Kernel-subset int arithmetic: every int opcode, run on the JVM and as generated C on the same inputs. */
public final class IntOps {
    private IntOps() {
    }

    public static int add(int a, int b) {
        return a + b;
    }

    public static int sub(int a, int b) {
        return a - b;
    }

    public static int mul(int a, int b) {
        return a * b;
    }

    public static int div(int a, int b) {
        return a / b;
    }

    public static int rem(int a, int b) {
        return a % b;
    }

    public static int neg(int a) {
        return -a;
    }

    public static int shl(int a, int n) {
        return a << n;
    }

    public static int shr(int a, int n) {
        return a >> n;
    }

    public static int ushr(int a, int n) {
        return a >>> n;
    }

    public static int and(int a, int b) {
        return a & b;
    }

    public static int or(int a, int b) {
        return a | b;
    }

    public static int xor(int a, int b) {
        return a ^ b;
    }

    /** iinc with a small and a wide increment. */
    public static int increments(int a) {
        int x = a;
        x += 7;
        x -= 100000;
        x++;
        return x;
    }

    public static byte toByte(int a) {
        return (byte) a;
    }

    public static char toChar(int a) {
        return (char) a;
    }

    public static short toShort(int a) {
        return (short) a;
    }

    public static long toLong(int a) {
        return a;
    }

    /** Every if<cond> and if_icmp<cond>, folded into one number so each branch direction shows. */
    public static int compareAll(int a, int b) {
        int r = 0;
        if (a == 0) {
            r += 1;
        }
        if (a != 0) {
            r += 2;
        }
        if (a < 0) {
            r += 4;
        }
        if (a >= 0) {
            r += 8;
        }
        if (a > 0) {
            r += 16;
        }
        if (a <= 0) {
            r += 32;
        }
        if (a == b) {
            r += 64;
        }
        if (a != b) {
            r += 128;
        }
        if (a < b) {
            r += 256;
        }
        if (a >= b) {
            r += 512;
        }
        if (a > b) {
            r += 1024;
        }
        if (a <= b) {
            r += 2048;
        }
        return r;
    }

    public static boolean lessThan(int a, int b) {
        return a < b;
    }

    /** Dense switch: tableswitch. */
    public static int dense(int k) {
        switch (k) {
            case -1:
                return 100;
            case 0:
                return 200;
            case 1:
                return 300;
            case 2:
                return 400;
            case 3:
                return 500;
            default:
                return -1;
        }
    }

    /** Sparse switch: lookupswitch, including the extreme keys. */
    public static int sparse(int k) {
        switch (k) {
            case Integer.MIN_VALUE:
                return 1;
            case -1000:
                return 2;
            case 7:
                return 3;
            case 65536:
                return 4;
            case Integer.MAX_VALUE:
                return 5;
            default:
                return 0;
        }
    }

    /** Constants of every push form: iconst, bipush, sipush, ldc. */
    public static int constants(int a) {
        return a * 5 + 100 - 30000 + 123456789 - 1 + Integer.MIN_VALUE;
    }

    /** A loop with a backward branch: sum of i*i for i < n (n capped to keep it short). */
    public static int sumSquares(int n) {
        int limit = n % 1000;
        int s = 0;
        for (int i = 0; i < limit; i++) {
            s += i * i;
        }
        return s;
    }

    /** Euclid on absolute values, divisions by the loop variable. */
    public static int gcd(int a, int b) {
        int x = a < 0 ? -a : a;
        int y = b < 0 ? -b : b;
        while (y != 0) {
            int t = x % y;
            x = y;
            y = t;
        }
        return x;
    }

    /** Discarded int result: pop. */
    public static int discard(int a) {
        add(a, a);
        return a;
    }
}
