package verimem.aot.subset;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.objectweb.asm.Opcodes;

/**
 * The kernel subset of Java (../shared/DESIGN.md) as data: which bytecodes are accepted, why the others are not,
 * and which classes the compiler treats specially. The checker ({@link SubsetChecker}) applies these rules;
 * the code generator can then assume them.
 */
public final class KernelSubset {
    private KernelSubset() {
    }

    /** Every static method of this class is an intrinsic: emitted as inline C, its Java body never compiled. */
    public static final String CPU = "verimem/kernel/arch/Cpu";
    /** The host seam behind Cpu: an interface implemented on the JVM only, never compiled. */
    public static final String MACHINE = "verimem/kernel/arch/Machine";
    /** Only ever used as {@code throw new KernelPanic("literal")}, which compiles to a panic. */
    public static final String KERNEL_PANIC = "verimem/kernel/arch/KernelPanic";
    /** Bits.lowestSetBit is compiled (it is the verified reference) but calls to it become count-trailing-zeros. */
    public static final String BITS = "verimem/kernel/arch/Bits";

    /** Classes in the input that are not compiled to C functions (see the constants above). */
    public static final Set<String> NOT_COMPILED = Set.of(CPU, MACHINE, KERNEL_PANIC);

    private static final Map<Integer, String> REJECTED = new TreeMap<>();
    private static final Set<Integer> ACCEPTED = new TreeSet<>();

    static {
        for (int op = 0; op <= 201; op++) {
            ACCEPTED.add(op);
        }
        reject("floating point is outside the kernel subset",
                Opcodes.FCONST_0, Opcodes.FCONST_1, Opcodes.FCONST_2, Opcodes.DCONST_0, Opcodes.DCONST_1,
                Opcodes.FLOAD, Opcodes.DLOAD, Opcodes.FSTORE, Opcodes.DSTORE, Opcodes.FALOAD, Opcodes.DALOAD,
                Opcodes.FASTORE, Opcodes.DASTORE, Opcodes.FADD, Opcodes.DADD, Opcodes.FSUB, Opcodes.DSUB,
                Opcodes.FMUL, Opcodes.DMUL, Opcodes.FDIV, Opcodes.DDIV, Opcodes.FREM, Opcodes.DREM,
                Opcodes.FNEG, Opcodes.DNEG, Opcodes.I2F, Opcodes.I2D, Opcodes.L2F, Opcodes.L2D, Opcodes.F2I,
                Opcodes.F2L, Opcodes.F2D, Opcodes.D2I, Opcodes.D2L, Opcodes.D2F, Opcodes.FCMPL, Opcodes.FCMPG,
                Opcodes.DCMPL, Opcodes.DCMPG, Opcodes.FRETURN, Opcodes.DRETURN);
        reject("arrays of references are outside the kernel subset (primitive arrays only)",
                Opcodes.AALOAD, Opcodes.AASTORE, Opcodes.ANEWARRAY, Opcodes.MULTIANEWARRAY);
        reject("monitors (synchronized) are outside the kernel subset", Opcodes.MONITORENTER, Opcodes.MONITOREXIT);
        reject("invokedynamic (lambdas, method references, string concatenation) is outside the kernel subset",
                Opcodes.INVOKEDYNAMIC);
        reject("interface calls have no statically known target; outside the kernel subset",
                Opcodes.INVOKEINTERFACE);
        reject("type tests and casts are outside the kernel subset (no subtyping at run time)",
                Opcodes.CHECKCAST, Opcodes.INSTANCEOF);
        reject("jsr/ret subroutines are not produced by javac 17 and are not supported", Opcodes.JSR, Opcodes.RET);
        reject("nop and swap are never produced by javac for the subset; rejected so every accepted opcode is "
                + "covered by the differential suite", Opcodes.NOP, Opcodes.SWAP);
        reject("athrow is only accepted as `throw new KernelPanic(\"literal\")`", Opcodes.ATHROW);
        // ATHROW is checked as part of the KernelPanic pattern, so it stays accepted there (see SubsetChecker).
        ACCEPTED.add(Opcodes.ATHROW);
        REJECTED.remove(Opcodes.ATHROW);
    }

    private static void reject(String reason, int... ops) {
        for (int op : ops) {
            ACCEPTED.remove(op);
            REJECTED.put(op, reason);
        }
    }

    /** Opcodes (in ASM's normalised form: no iload_0, ldc_w, wide, goto_w) the compiler translates. */
    public static Set<Integer> acceptedOpcodes() {
        Set<Integer> s = new TreeSet<>(ACCEPTED);
        // ASM folds the short forms into their general opcode; list only what a tree can contain.
        for (int op = 26; op <= 45; op++) {
            s.remove(op); // xload_n
        }
        for (int op = 59; op <= 78; op++) {
            s.remove(op); // xstore_n
        }
        s.remove(19); // ldc_w
        s.remove(20); // ldc2_w
        s.remove(196); // wide
        s.remove(200); // goto_w
        s.remove(201); // jsr_w
        return Collections.unmodifiableSet(s);
    }

    /** Why an opcode is rejected, or null when it is accepted. */
    public static String rejection(int opcode) {
        return REJECTED.get(opcode);
    }

    public static String opcodeName(int opcode) {
        return OpcodeNames.NAMES[opcode];
    }

    /** A human reason for referencing a class outside the compiled set, by its package. */
    public static String foreignClassReason(String owner) {
        if (owner.startsWith("verimem/host/")) {
            return "kernel code must not reference host code (" + owner.replace('/', '.') + ")";
        }
        if (owner.startsWith("java/util/")) {
            return "java.util is outside the kernel subset (" + owner.replace('/', '.') + ")";
        }
        if (owner.equals("java/lang/String") || owner.equals("java/lang/StringBuilder")) {
            return "String operations other than a literal passed to Cpu.print are outside the kernel subset";
        }
        if (owner.equals("java/lang/Integer") || owner.equals("java/lang/Long") || owner.equals("java/lang/Short")
                || owner.equals("java/lang/Byte") || owner.equals("java/lang/Character")
                || owner.equals("java/lang/Boolean")) {
            return "boxing and wrapper classes are outside the kernel subset (" + owner.replace('/', '.') + ")";
        }
        if (owner.equals("java/lang/Thread") || owner.startsWith("java/util/concurrent")) {
            return "threads are outside the kernel subset";
        }
        if (owner.startsWith("java/lang/reflect") || owner.equals("java/lang/Class")) {
            return "reflection is outside the kernel subset";
        }
        return "reference to " + owner.replace('/', '.') + ", which is not a kernel-subset class being compiled";
    }
}
