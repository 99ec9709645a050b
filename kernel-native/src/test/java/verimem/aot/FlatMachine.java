package verimem.aot;

import verimem.kernel.arch.Machine;

/**
 * The JVM twin of runtime/vm_hosted.c for differential runs: a flat little-endian RAM, a CR3 register, no TLB,
 * console into a shared buffer. While CR3 is 0, virtual address == RAM offset. Once CR3 is set, every access
 * goes through a 4-level page walk over that RAM (see {@link #physical}), so page-table code (the VMM, whose
 * tables are reached through the direct map) runs the same way on both sides. An access outside the RAM, through
 * a non-present entry or at a non-canonical address throws {@link Fault}; the hosted C build panics with kind
 * "fault".
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
        long pa = cr3 == 0 ? va : physical(va);
        if (pa < 0 || pa > ram.length - size) {
            throw new Fault(va);
        }
        return (int) pa;
    }

    private static final long ADDRESS_BITS = 0x000F_FFFF_FFFF_F000L;

    /**
     * The page walk, the same rules as walk() in runtime/vm_hosted.c: present bit at every level, PS at the PDPT
     * (1 GiB) and PD (2 MiB) levels ends the walk, PS in a PML4 entry faults. Permissions and accessed/dirty bits
     * are not modelled (the kernel runs in supervisor mode and the VMM's own code checks its flags); an access is
     * translated at its first byte.
     */
    private long physical(long va) {
        if ((va >> 47) != 0 && (va >> 47) != -1) {
            throw new Fault(va);
        }
        long table = cr3 & ADDRESS_BITS;
        for (int level = 4; level >= 1; level--) {
            int shift = 12 + 9 * (level - 1);
            long entry = read64Physical(table + ((va >>> shift) & 511) * 8, va);
            if ((entry & 1) == 0 || (level == 4 && (entry & 0x80) != 0)) {
                throw new Fault(va);
            }
            if ((level == 3 || level == 2) && (entry & 0x80) != 0) {
                long size = 1L << shift;
                return (entry & ADDRESS_BITS & -size) + (va & (size - 1));
            }
            table = entry & ADDRESS_BITS;
        }
        return table + (va & 4095);
    }

    private long read64Physical(long pa, long va) {
        if (pa < 0 || pa > ram.length - 8) {
            throw new Fault(va);
        }
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (ram[(int) pa + i] & 0xffL);
        }
        return v;
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
