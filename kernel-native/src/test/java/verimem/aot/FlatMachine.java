package verimem.aot;

import verimem.kernel.arch.Machine;

/**
 * The JVM twin of runtime/vm_hosted.c for differential runs: a flat little-endian RAM mapped at virtual address
 * 0, a CR3 register, no TLB, console into a shared buffer. An access outside the RAM throws {@link Fault}, the
 * hosted C build panics with kind "fault".
 */
public final class FlatMachine implements Machine {
    /** Out-of-range simulated memory access. */
    public static final class Fault extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Fault(long va) {
            super("hosted RAM access out of range: va 0x" + Long.toHexString(va));
        }
    }

    private final byte[] ram;
    private final StringBuilder console;
    private long cr3;

    public FlatMachine(int ramBytes, StringBuilder console) {
        this.ram = new byte[ramBytes];
        this.console = console;
    }

    private int at(long va, int size) {
        if (va < 0 || va > ram.length - size) {
            throw new Fault(va);
        }
        return (int) va;
    }

    private long read(long va, int size) {
        int p = at(va, size);
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = (v << 8) | (ram[p + i] & 0xffL);
        }
        return v;
    }

    @Override
    public long load64(long va) {
        return read(va, 8);
    }

    @Override
    public void store64(long va, long value) {
        int p = at(va, 8);
        for (int i = 0; i < 8; i++) {
            ram[p + i] = (byte) (value >>> (8 * i));
        }
    }

    @Override
    public int load32(long va) {
        return (int) read(va, 4);
    }

    @Override
    public int load8(long va) {
        return (int) read(va, 1);
    }

    @Override
    public long readCr3() {
        return cr3;
    }

    @Override
    public void writeCr3(long value) {
        cr3 = value;
    }

    @Override
    public void invlpg(long va) {
        // identity-mapped RAM has no TLB
    }

    @Override
    public void print(String literal) {
        console.append(literal);
    }

    @Override
    public void printHex(long value) {
        console.append("0x").append(Long.toHexString(value));
    }

    @Override
    public void printDec(long value) {
        console.append(value);
    }
}
