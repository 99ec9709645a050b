package verimem.kernel.arch;

/**
 * Thrown for an unrecoverable kernel error. In the kernel, {@code throw new KernelPanic("literal")} compiles to a
 * panic that prints the message on the serial console and exits QEMU with a failure code; on the JVM tests catch
 * it. Recoverable errors are never thrown: they are returned as {@link Err} codes.
 */
public final class KernelPanic extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public KernelPanic(String literal) {
        super(literal);
    }
}
