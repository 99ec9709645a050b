package verimem.kernel.arch;

/**
 * The only way kernel code reaches memory and the CPU. Every method here is an intrinsic: the AOT compiler
 * emits inline C for it (a volatile load or store, mov to/from CR3, invlpg, a serial write) and never compiles
 * these bodies. On the JVM the bodies forward to the simulated machine installed with {@link #install}.
 *
 * Memory is reached by virtual address only, exactly as the CPU does with paging on: a load or store of an
 * unmapped or forbidden address faults in the simulated MMU just as it would on hardware.
 */
public final class Cpu {
    // Null in the kernel (the intrinsics are inline C there) and before install() on the host: nullable, so that
    // callers of an intrinsic are not asked to prove a static non-null invariant that the kernel never has.
    private static /*@ nullable @*/ Machine machine;

    private Cpu() {
    }

    /**
     * Spec-only model of the CR3 register: readCr3 returns it, writeCr3 sets it. Without it two reads of CR3
     * (one in code, one in a contract) are unrelated values for KeY, and a contract cannot name the value read.
     */
    //@ public static ghost long cr3;

    /** Host only: connect the simulated machine. Not an intrinsic; the kernel never calls it. */
    public static void install(Machine m) {
        machine = m;
    }

    // load64/store64 reach machine memory, which the specs do not model as Java heap: for KeY they change no
    // heap location at all (\strictly_nothing), so a caller's proof carries no anonymised heap per access.
    /*@ public normal_behavior
      @   requires va % 8 == 0;
      @   assignable \strictly_nothing;
      @*/
    public static long load64(long va) {
        return machine.load64(va);
    }

    /*@ public normal_behavior
      @   requires va % 8 == 0;
      @   assignable \strictly_nothing;
      @*/
    public static void store64(long va, long value) {
        machine.store64(va, value);
    }

    /** Unsigned 32-bit load, returned in the low bits of a non-negative long. */
    /*@ public normal_behavior
      @   requires va % 4 == 0;
      @   ensures 0 <= \result && \result <= 4294967295L;
      @   assignable \nothing;
      @*/
    public static long load32(long va) {
        int v = machine.load32(va);
        long r = v;
        if (r < 0) {
            r = r + 4294967296L;
        }
        return r;
    }

    /*@ public normal_behavior
      @   ensures 0 <= \result && \result <= 255;
      @   assignable \nothing;
      @*/
    public static int load8(long va) {
        return machine.load8(va);
    }

    /*@ public normal_behavior
      @   ensures \result == cr3;
      @*/
    public /*@ strictly_pure @*/ static long readCr3() {
        return machine.readCr3();
    }

    /*@ public normal_behavior
      @   ensures cr3 == value;
      @   assignable cr3;
      @*/
    public static void writeCr3(long value) {
        machine.writeCr3(value);
    }

    /*@ public normal_behavior
      @   assignable \nothing;
      @*/
    public static void invlpg(long va) {
        machine.invlpg(va);
    }

    /** Console output; the argument must be a string literal (the AOT compiler enforces this). */
    /*@ public normal_behavior
      @   assignable \nothing;
      @*/
    public static void print(String literal) {
        machine.print(literal);
    }

    /*@ public normal_behavior
      @   assignable \nothing;
      @*/
    public static void printHex(long value) {
        machine.printHex(value);
    }

    /*@ public normal_behavior
      @   assignable \nothing;
      @*/
    public static void printDec(long value) {
        machine.printDec(value);
    }

    /**
     * Points the allocation hook behind `new` at [va, va + bytes): every later object and array comes from there
     * (bump allocation, zeroed). The kernel uses it to place the PMM's arrays in the mapped metadata region and,
     * later, its own arena in PMM frames. On the JVM objects live on the Java heap, so this does nothing.
     */
    /*@ public normal_behavior
      @   requires va % 8 == 0 && bytes >= 0;
      @   assignable \nothing;
      @*/
    public static void arenaInit(long va, long bytes) {
    }
}
