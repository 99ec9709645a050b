package verimem.kernel.arch;

/**
 * The host seam behind {@link Cpu}. On the JVM a simulated machine implements it; in the kernel the AOT
 * compiler replaces every {@link Cpu} call with inline C, so this interface is never compiled into the kernel.
 */
public interface Machine {
    long load64(long va);

    void store64(long va, long value);

    int load32(long va);

    int load8(long va);

    long readCr3();

    void writeCr3(long value);

    void invlpg(long va);

    void print(String literal);

    void printHex(long value);

    void printDec(long value);
}
