package verimem.aot.subset;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.FieldInsnNode;
import org.objectweb.asm.tree.FieldNode;
import org.objectweb.asm.tree.IntInsnNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.LineNumberNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TryCatchBlockNode;
import org.objectweb.asm.tree.TypeInsnNode;
import verimem.aot.classfile.ClassSet;

/**
 * Rejects everything outside the kernel subset, with class, method, bytecode offset, line and a human reason.
 * The code generator relies on a clean report: it never has to guess what an unexpected construct means.
 */
public final class SubsetChecker {
    /** Cpu methods that are intrinsics; Cpu.install is the host's way to plug in the simulated machine. */
    public static final Set<String> CPU_INTRINSICS = Set.of("load64", "store64", "load32", "load8", "readCr3",
            "writeCr3", "invlpg", "print", "printHex", "printDec", "arenaInit");

    private final ClassSet classes;

    public SubsetChecker(ClassSet classes) {
        this.classes = classes;
    }

    public List<Violation> check() {
        List<Violation> out = new ArrayList<>();
        for (ClassNode c : classes.all()) {
            if (!KernelSubset.NOT_COMPILED.contains(c.name)) {
                checkClass(c, out);
            }
        }
        return out;
    }

    private void checkClass(ClassNode c, List<Violation> out) {
        if ((c.access & Opcodes.ACC_INTERFACE) != 0) {
            out.add(new Violation(c.name, null, -1, -1,
                    "interfaces are outside the kernel subset (only the host seam Machine may be one)"));
            return;
        }
        if ((c.access & Opcodes.ACC_ABSTRACT) != 0) {
            out.add(new Violation(c.name, null, -1, -1, "abstract classes have no statically known call targets"));
        }
        if (!c.superName.equals("java/lang/Object") && !compiled(c.superName)) {
            out.add(new Violation(c.name, null, -1, -1, "superclass " + c.superName.replace('/', '.')
                    + " is not a kernel-subset class (" + KernelSubset.foreignClassReason(c.superName) + ")"));
        }
        if (!c.interfaces.isEmpty()) {
            out.add(new Violation(c.name, null, -1, -1, "implementing interfaces is outside the kernel subset ("
                    + String.join(", ", c.interfaces).replace('/', '.') + ")"));
        }
        for (FieldNode f : c.fields) {
            String bad = badType(Type.getType(f.desc));
            if (bad != null) {
                out.add(new Violation(c.name, "field " + f.name, -1, -1, bad));
            }
        }
        for (MethodNode m : c.methods) {
            checkMethod(c, m, out);
        }
    }

    private void checkMethod(ClassNode c, MethodNode m, List<Violation> out) {
        String where = m.name + m.desc;
        if ((m.access & Opcodes.ACC_NATIVE) != 0) {
            out.add(new Violation(c.name, where, -1, -1, "native methods are outside the kernel subset"));
        }
        if ((m.access & Opcodes.ACC_ABSTRACT) != 0) {
            out.add(new Violation(c.name, where, -1, -1, "abstract methods have no statically known target"));
            return;
        }
        if ((m.access & Opcodes.ACC_SYNCHRONIZED) != 0) {
            out.add(new Violation(c.name, where, -1, -1, "synchronized methods (monitors) are outside the subset"));
        }
        Type mt = Type.getMethodType(m.desc);
        for (Type t : mt.getArgumentTypes()) {
            String bad = badType(t);
            if (bad != null) {
                out.add(new Violation(c.name, where, -1, -1, "parameter: " + bad));
            }
        }
        String badRet = mt.getReturnType().getSort() == Type.VOID ? null : badType(mt.getReturnType());
        if (badRet != null) {
            out.add(new Violation(c.name, where, -1, -1, "return type: " + badRet));
        }
        for (TryCatchBlockNode tcb : m.tryCatchBlocks) {
            int idx = m.instructions.indexOf(tcb.handler);
            out.add(at(c, m, nextReal(m, idx), "try/catch is outside the kernel subset (handler for "
                    + (tcb.type == null ? "any exception / finally" : tcb.type.replace('/', '.')) + ")"));
        }
        Set<AbstractInsnNode> panicPattern = new HashSet<>();
        AbstractInsnNode[] insns = m.instructions.toArray();
        for (int i = 0; i < insns.length; i++) {
            AbstractInsnNode n = insns[i];
            int op = n.getOpcode();
            if (op < 0 || panicPattern.contains(n)) {
                continue;
            }
            String reason = KernelSubset.rejection(op);
            if (op == Opcodes.ATHROW) {
                reason = "athrow is only accepted as `throw new KernelPanic(\"literal\")`";
            }
            if (reason == null) {
                reason = checkInsn(n, panicPattern);
            }
            if (reason != null) {
                out.add(at(c, m, i, KernelSubset.opcodeName(op) + ": " + reason));
            }
        }
    }

    /** The reason an accepted opcode is still used outside the subset here, or null. */
    private String checkInsn(AbstractInsnNode n, Set<AbstractInsnNode> panicPattern) {
        switch (n.getType()) {
            case AbstractInsnNode.LDC_INSN:
                return checkLdc((LdcInsnNode) n);
            case AbstractInsnNode.TYPE_INSN:
                return checkNew((TypeInsnNode) n, panicPattern);
            case AbstractInsnNode.INT_INSN:
                int t = ((IntInsnNode) n).operand;
                if (n.getOpcode() == Opcodes.NEWARRAY && (t == Opcodes.T_FLOAT || t == Opcodes.T_DOUBLE)) {
                    return "floating point is outside the kernel subset";
                }
                return null;
            case AbstractInsnNode.FIELD_INSN:
                return checkField((FieldInsnNode) n);
            case AbstractInsnNode.METHOD_INSN:
                return checkCall((MethodInsnNode) n);
            default:
                return null;
        }
    }

    private String checkLdc(LdcInsnNode n) {
        Object v = n.cst;
        if (v instanceof Integer || v instanceof Long) {
            return null;
        }
        if (v instanceof Float || v instanceof Double) {
            return "floating point is outside the kernel subset";
        }
        if (v instanceof String) {
            AbstractInsnNode next = nextReal(n);
            if (next instanceof MethodInsnNode call && call.getOpcode() == Opcodes.INVOKESTATIC
                    && call.owner.equals(KernelSubset.CPU) && call.name.equals("print")) {
                return null;
            }
            return "a String literal may only be passed straight to Cpu.print or to new KernelPanic(...)";
        }
        if (v instanceof Type) {
            return "class literals (reflection) are outside the kernel subset";
        }
        return "constant " + v.getClass().getSimpleName() + " is outside the kernel subset";
    }

    /** new: a compiled class, or exactly `new KernelPanic; dup; ldc "literal"; invokespecial <init>; athrow`. */
    private String checkNew(TypeInsnNode n, Set<AbstractInsnNode> panicPattern) {
        if (n.desc.equals(KernelSubset.KERNEL_PANIC)) {
            AbstractInsnNode dup = nextReal(n);
            AbstractInsnNode ldc = nextReal(dup);
            AbstractInsnNode init = nextReal(ldc);
            AbstractInsnNode thr = nextReal(init);
            boolean ok = dup != null && dup.getOpcode() == Opcodes.DUP
                    && ldc instanceof LdcInsnNode l && l.cst instanceof String
                    && init instanceof MethodInsnNode mi && mi.getOpcode() == Opcodes.INVOKESPECIAL
                    && mi.owner.equals(KernelSubset.KERNEL_PANIC) && mi.desc.equals("(Ljava/lang/String;)V")
                    && thr != null && thr.getOpcode() == Opcodes.ATHROW;
            if (!ok) {
                return "KernelPanic may only be used as `throw new KernelPanic(\"literal\")`";
            }
            panicPattern.add(dup);
            panicPattern.add(ldc);
            panicPattern.add(init);
            panicPattern.add(thr);
            return null;
        }
        if (!compiled(n.desc)) {
            return KernelSubset.foreignClassReason(n.desc);
        }
        return null;
    }

    private String checkField(FieldInsnNode n) {
        if (!compiled(n.owner)) {
            return KernelSubset.foreignClassReason(n.owner);
        }
        ClassSet.FieldRef f = classes.resolveField(n.owner, n.name);
        if (f == null) {
            return "field " + n.name + " not found in " + n.owner.replace('/', '.');
        }
        boolean isStatic = (f.field().access & Opcodes.ACC_STATIC) != 0;
        boolean staticInsn = n.getOpcode() == Opcodes.GETSTATIC || n.getOpcode() == Opcodes.PUTSTATIC;
        return isStatic == staticInsn ? null : "static/instance mismatch on field " + n.name;
    }

    private String checkCall(MethodInsnNode n) {
        if (n.owner.equals(KernelSubset.CPU)) {
            if (n.getOpcode() != Opcodes.INVOKESTATIC || !CPU_INTRINSICS.contains(n.name)) {
                return "Cpu." + n.name + " is not a kernel intrinsic (host only)";
            }
            return null;
        }
        if (n.owner.equals("java/lang/Object") && n.name.equals("<init>") && n.getOpcode() == Opcodes.INVOKESPECIAL) {
            return null; // constructor chaining to Object: nothing to do
        }
        if (!compiled(n.owner)) {
            return KernelSubset.foreignClassReason(n.owner);
        }
        ClassSet.MethodRef target = classes.resolveMethod(n.owner, n.name, n.desc);
        if (target == null) {
            return "method " + n.name + n.desc + " not found in " + n.owner.replace('/', '.');
        }
        boolean isStatic = (target.method().access & Opcodes.ACC_STATIC) != 0;
        if (isStatic != (n.getOpcode() == Opcodes.INVOKESTATIC)) {
            return "static/instance mismatch calling " + n.name;
        }
        if (n.getOpcode() == Opcodes.INVOKEVIRTUAL && !hasKnownTarget(n, target)) {
            return "virtual call to " + n.owner.replace('/', '.') + "." + n.name
                    + " has no statically known target (a subclass overrides it); make the method or class final";
        }
        return null;
    }

    /** A virtual call has a known target when nothing in the closed class set can override it. */
    public boolean hasKnownTarget(MethodInsnNode n, ClassSet.MethodRef target) {
        int acc = target.method().access;
        if ((acc & (Opcodes.ACC_FINAL | Opcodes.ACC_PRIVATE)) != 0 || (target.owner().access & Opcodes.ACC_FINAL) != 0) {
            return true;
        }
        for (ClassNode sub : classes.subclassesOf(n.owner)) {
            for (MethodNode sm : sub.methods) {
                if (sm.name.equals(n.name) && sm.desc.equals(n.desc)) {
                    return false;
                }
            }
        }
        return true;
    }

    private boolean compiled(String owner) {
        return classes.contains(owner) && !KernelSubset.NOT_COMPILED.contains(owner);
    }

    /** Null when a field/parameter type is in the subset, else why not. */
    private String badType(Type t) {
        switch (t.getSort()) {
            case Type.BOOLEAN: case Type.BYTE: case Type.CHAR: case Type.SHORT: case Type.INT: case Type.LONG:
                return null;
            case Type.FLOAT: case Type.DOUBLE:
                return "floating point is outside the kernel subset";
            case Type.ARRAY:
                if (t.getDimensions() == 1 && t.getElementType().getSort() != Type.OBJECT) {
                    return badType(t.getElementType());
                }
                return "only one-dimensional primitive arrays are in the kernel subset (" + t.getClassName() + ")";
            case Type.OBJECT:
                if (t.getInternalName().equals("java/lang/String")) {
                    return "String values are outside the kernel subset (literals may only go to Cpu.print)";
                }
                return compiled(t.getInternalName()) ? null : KernelSubset.foreignClassReason(t.getInternalName());
            default:
                return "type " + t + " is outside the kernel subset";
        }
    }

    private Violation at(ClassNode c, MethodNode m, int index, String reason) {
        int offset = index < 0 ? -1 : classes.offsetOf(c, m, index);
        return new Violation(c.name, m.name + m.desc, offset, lineOf(m, index), reason);
    }

    static int lineOf(MethodNode m, int index) {
        int line = -1;
        AbstractInsnNode[] insns = m.instructions.toArray();
        for (int i = 0; i <= index && i < insns.length; i++) {
            if (insns[i] instanceof LineNumberNode ln) {
                line = ln.line;
            }
        }
        return line;
    }

    private static int nextReal(MethodNode m, int index) {
        AbstractInsnNode[] insns = m.instructions.toArray();
        for (int i = Math.max(index, 0); i < insns.length; i++) {
            if (insns[i].getOpcode() >= 0) {
                return i;
            }
        }
        return index;
    }

    static AbstractInsnNode nextReal(AbstractInsnNode n) {
        if (n == null) {
            return null;
        }
        AbstractInsnNode x = n.getNext();
        while (x != null && x.getOpcode() < 0) {
            x = x.getNext();
        }
        return x;
    }
}
