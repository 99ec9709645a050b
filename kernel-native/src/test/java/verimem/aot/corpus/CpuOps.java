package verimem.aot.corpus;

import verimem.kernel.arch.Bits;
import verimem.kernel.arch.Cpu;

/** Cpu intrinsics against the simulated RAM, console output, and the count-trailing-zeros mapping of Bits. */
public final class CpuOps {
    private CpuOps() {
    }

    /** Stores a word, reads it back whole, as its low 32 bits and as its lowest byte. */
    public static long memory(int slot, long value) {
        long va = (slot % 64 + 64) % 64 * 8L;
        Cpu.store64(va, value);
        long whole = Cpu.load64(va);
        long low = Cpu.load32(va);
        int lowByte = Cpu.load8(va);
        return whole ^ low ^ lowByte;
    }

    public static long cr3(long value) {
        Cpu.writeCr3(value);
        Cpu.invlpg(value);
        return Cpu.readCr3();
    }

    public static void console(long value) {
        Cpu.print("value=");
        Cpu.printDec(value);
        Cpu.print(" hex=");
        Cpu.printHex(value);
        Cpu.print(";");
    }

    /** Calls Bits.lowestSetBit: the C build uses __builtin_ctzll, the JVM the verified arithmetic body. */
    public static int lowestSetBit(long w) {
        return Bits.lowestSetBit(w);
    }
}
