package verimem.aot.codegen;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.FieldInsnNode;
import org.objectweb.asm.tree.IincInsnNode;
import org.objectweb.asm.tree.IntInsnNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.LineNumberNode;
import org.objectweb.asm.tree.LookupSwitchInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TableSwitchInsnNode;
import org.objectweb.asm.tree.TypeInsnNode;
import org.objectweb.asm.tree.VarInsnNode;
import verimem.aot.classfile.ClassSet;
import verimem.aot.subset.KernelSubset;

/**
 * Translates one method's bytecode into one C function: the per-opcode translation lives in {@link #translate}.
 *
 * The operand stack becomes C variables, one per (depth, kind): si0 is an int at depth 0, sj1 a long at depth
 * 1, sa2 a reference, ss0 a string literal. JVM locals become li3, lj4, la0 (kind + slot). Because javac keeps
 * the stack shape identical on every path into an instruction, a merge point needs no moves. A first pass
 * computes the stack shape before each instruction; the second emits C. gcc -O2 removes the copies.
 *
 * All arithmetic goes through vm.h (wrap-around via unsigned types, masked shifts, division checks), so no
 * signed + - * is ever emitted.
 */
final class MethodTranslator {
    private final ClassSet classes;
    private final ClassNode owner;
    private final MethodNode method;
    private final Options options;
    private final boolean elideBounds;
    private final String sourceFile;
    private final AbstractInsnNode[] insns;

    private final Map<String, String> declared = new TreeMap<>(); // C variable -> C type
    private final Map<LabelNode, String> labelNames = new HashMap<>();
    private final java.util.Set<LabelNode> jumpTargets = new java.util.HashSet<>();
    private final java.util.Set<Integer> opcodesUsed = new java.util.TreeSet<>();
    private List<String> out;
    private StringBuilder stack; // kinds, bottom first
    private int line = -1;
    /** Instance method whose local 0 is never stored to: it holds {@code this} throughout. */
    private final boolean thisIsFixed;
    /** Stack variables that hold {@code this} at the current instruction (forgotten at every jump target). */
    private final java.util.Set<String> holdsThis = new java.util.HashSet<>();

    MethodTranslator(ClassSet classes, ClassNode owner, MethodNode method, Options options) {
        this.classes = classes;
        this.owner = owner;
        this.method = method;
        this.options = options;
        this.elideBounds = options.elideBoundsIn().contains(owner.name.replace('/', '.') + "." + method.name);
        this.sourceFile = owner.sourceFile == null ? "?" : owner.sourceFile;
        this.insns = method.instructions.toArray();
        boolean fixed = (method.access & Opcodes.ACC_STATIC) == 0;
        for (AbstractInsnNode i : insns) {
            if (i instanceof VarInsnNode v && v.getOpcode() == Opcodes.ASTORE && v.var == 0) {
                fixed = false;
            }
        }
        this.thisIsFixed = fixed;
        int n = 0;
        for (AbstractInsnNode i : insns) {
            if (i instanceof LabelNode l) {
                labelNames.put(l, "L" + n++);
            }
        }
    }

    java.util.Set<Integer> opcodesUsed() {
        return opcodesUsed;
    }

    /** The C signature: the return type, name and parameters named after their JVM local slots. */
    String signature() {
        Type mt = Type.getMethodType(method.desc);
        StringBuilder s = new StringBuilder(Names.cValueType(mt.getReturnType())).append(' ')
                .append(Names.cMethod(owner, method)).append('(');
        List<String> params = paramDecls();
        s.append(params.isEmpty() ? "void" : String.join(", ", params));
        return s.append(')').toString();
    }

    private List<String> paramDecls() {
        List<String> params = new ArrayList<>();
        int slot = 0;
        if ((method.access & Opcodes.ACC_STATIC) == 0) {
            params.add("void *la0");
            slot = 1;
        }
        for (Type t : Type.getArgumentTypes(method.desc)) {
            params.add(Names.cValueType(t) + " l" + Names.kind(t) + slot);
            slot += t.getSize();
        }
        return params;
    }

    /** The whole C function. */
    String translate() {
        String[] inStack = analyse();
        out = new ArrayList<>();
        holdsThis.clear();
        for (int i = 0; i < insns.length; i++) {
            AbstractInsnNode n = insns[i];
            if (n instanceof LineNumberNode ln) {
                line = ln.line;
                out.add("    /* " + sourceFile + ":" + ln.line + " */");
                continue;
            }
            if (n instanceof LabelNode l) {
                if (jumpTargets.contains(l)) {
                    out.add(labelNames.get(l) + ":;");
                    holdsThis.clear(); // another path may arrive here with other values
                }
                continue;
            }
            if (n.getOpcode() < 0 || inStack[i] == null) {
                continue; // frames; or unreachable (the rest of a throw-KernelPanic pattern)
            }
            stack = new StringBuilder(inStack[i]);
            opcodesUsed.add(n.getOpcode());
            int fused = fusedLongCompare(i);
            if (fused >= 0) {
                i = fused; // the if<cond> was emitted together with its lcmp
                continue;
            }
            translate(n, true);
        }
        StringBuilder f = new StringBuilder();
        f.append("/* ").append(owner.name.replace('/', '.')).append('.').append(method.name).append(method.desc)
                .append(" */\n");
        f.append(signature()).append(" {\n");
        if (elideBounds) {
            f.append("    /* bounds checks elided (--elide-bounds): KeY proved every index in range */\n");
        }
        java.util.Set<String> params = new java.util.HashSet<>();
        for (String p : paramDecls()) {
            String name = p.substring(Math.max(p.lastIndexOf(' '), p.lastIndexOf('*')) + 1);
            params.add(name);
            f.append("    (void)").append(name).append(";\n");
        }
        for (Map.Entry<String, String> v : declared.entrySet()) {
            if (!params.contains(v.getKey())) {
                String type = v.getValue();
                f.append("    ").append(type).append(type.endsWith("*") ? "" : " ").append(v.getKey())
                        .append(" = ").append(type.endsWith("*") ? "NULL" : "0").append(";\n");
            }
        }
        for (String v : declared.keySet()) {
            if (v.startsWith("l") && !params.contains(v)) {
                f.append("    (void)").append(v).append("; /* a Java local may be stored and never read */\n");
            }
        }
        for (String l : out) {
            f.append(l).append('\n');
        }
        f.append("}\n");
        return f.toString();
    }

    /** Pass 1: the stack shape (a string of kinds) before every reachable instruction. */
    private String[] analyse() {
        String[] in = new String[insns.length];
        Deque<Integer> work = new ArrayDeque<>();
        in[0] = "";
        work.push(0);
        List<String> discard = new ArrayList<>();
        while (!work.isEmpty()) {
            int i = work.pop();
            AbstractInsnNode n = insns[i];
            stack = new StringBuilder(in[i]);
            out = discard;
            boolean fallsThrough = n.getOpcode() < 0 || translate(n, false);
            String after = stack.toString();
            List<LabelNode> succ = new ArrayList<>();
            if (n instanceof JumpInsnNode j) {
                succ.add(j.label);
            } else if (n instanceof TableSwitchInsnNode t) {
                succ.add(t.dflt);
                succ.addAll(t.labels);
            } else if (n instanceof LookupSwitchInsnNode t) {
                succ.add(t.dflt);
                succ.addAll(t.labels);
            }
            for (LabelNode l : succ) {
                jumpTargets.add(l);
                flow(in, work, method.instructions.indexOf(l), after);
            }
            if (fallsThrough && i + 1 < insns.length) {
                flow(in, work, i + 1, after);
            }
            discard.clear();
        }
        declared.clear();
        return in;
    }

    private void flow(String[] in, Deque<Integer> work, int target, String shape) {
        if (in[target] == null) {
            in[target] = shape;
            work.push(target);
        } else if (!in[target].equals(shape)) {
            throw new IllegalStateException(where() + ": stack shapes differ at a merge (" + in[target] + " vs "
                    + shape + ")");
        }
    }

    // ---------------------------------------------------------------- stack and locals as C variables

    private String var(char kind, int depth) {
        String name = "s" + kind + depth;
        declared.put(name, Names.cTypeOfKind(kind));
        return name;
    }

    private String push(char kind) {
        stack.append(kind);
        String v = var(kind, stack.length() - 1);
        holdsThis.remove(v); // overwritten
        return v;
    }

    /**
     * The reference checked for null, unless it provably holds {@code this}: the JVM never calls an instance
     * method with a null receiver, and neither does generated code (every receiver passes vm_nonnull at the
     * call, constructors get vm_alloc's non-null result), so the check on this could never fire. C callers of
     * instance methods (test drivers) must keep that promise too.
     */
    private String nonNull(String ref) {
        return holdsThis.contains(ref) ? ref : "vm_nonnull(" + ref + ", " + site() + ")";
    }

    private String pop() {
        int d = stack.length() - 1;
        char k = stack.charAt(d);
        stack.setLength(d);
        return var(k, d);
    }

    private char topKind() {
        return stack.charAt(stack.length() - 1);
    }

    private String local(char kind, int slot) {
        String name = "l" + kind + slot;
        declared.put(name, Names.cTypeOfKind(kind));
        return name;
    }

    private void emit(String s) {
        out.add("    " + s);
    }

    /** "pkg.Class.method (File.java:line)": what a panic names as the place of a failed check. */
    private String site() {
        return Names.cString(owner.name.replace('/', '.') + "." + method.name + " (" + sourceFile + ":" + line + ")");
    }

    private String where() {
        return owner.name.replace('/', '.') + "." + method.name + method.desc;
    }

    private String label(LabelNode l) {
        return labelNames.get(l);
    }

    private boolean mutated(int opcode) {
        return options.mutateOpcode() != null && options.mutateOpcode().equals(KernelSubset.opcodeName(opcode));
    }

    // ---------------------------------------------------------------- the per-opcode translation

    /** Emits C for one instruction and updates the stack shape; returns whether control falls through. */
    private boolean translate(AbstractInsnNode n, boolean emitting) {
        int op = n.getOpcode();
        switch (op) {
            case Opcodes.ACONST_NULL -> emit(push('a') + " = NULL;");
            case Opcodes.ICONST_M1, Opcodes.ICONST_0, Opcodes.ICONST_1, Opcodes.ICONST_2, Opcodes.ICONST_3,
                    Opcodes.ICONST_4, Opcodes.ICONST_5 -> emit(push('i') + " = " + (op - Opcodes.ICONST_0) + ";");
            case Opcodes.LCONST_0, Opcodes.LCONST_1 -> emit(push('j') + " = INT64_C(" + (op - Opcodes.LCONST_0) + ");");
            case Opcodes.BIPUSH, Opcodes.SIPUSH -> emit(push('i') + " = " + ((IntInsnNode) n).operand + ";");
            case Opcodes.LDC -> ldc((LdcInsnNode) n);
            case Opcodes.ILOAD, Opcodes.LLOAD, Opcodes.ALOAD -> {
                char k = op == Opcodes.ILOAD ? 'i' : op == Opcodes.LLOAD ? 'j' : 'a';
                String l = local(k, ((VarInsnNode) n).var);
                String v = push(k);
                emit(v + " = " + l + ";");
                if (op == Opcodes.ALOAD && ((VarInsnNode) n).var == 0 && thisIsFixed) {
                    holdsThis.add(v);
                }
            }
            case Opcodes.ISTORE, Opcodes.LSTORE, Opcodes.ASTORE -> {
                char k = op == Opcodes.ISTORE ? 'i' : op == Opcodes.LSTORE ? 'j' : 'a';
                String v = pop();
                emit(local(k, ((VarInsnNode) n).var) + " = " + v + ";");
            }
            case Opcodes.IALOAD -> arrayLoad("int32_t", 4, 'i');
            case Opcodes.LALOAD -> arrayLoad("int64_t", 8, 'j');
            case Opcodes.BALOAD -> arrayLoad("int8_t", 1, 'i');
            case Opcodes.CALOAD -> arrayLoad("uint16_t", 2, 'i');
            case Opcodes.SALOAD -> arrayLoad("int16_t", 2, 'i');
            case Opcodes.IASTORE -> arrayStore("int32_t", 4);
            case Opcodes.LASTORE -> arrayStore("int64_t", 8);
            case Opcodes.BASTORE -> arrayStore("uint8_t", 1);
            case Opcodes.CASTORE -> arrayStore("uint16_t", 2);
            case Opcodes.SASTORE -> arrayStore("uint16_t", 2);
            case Opcodes.POP -> emit("(void)" + pop() + "; /* pop */");
            case Opcodes.POP2 -> {
                if (topKind() != 'j') {
                    emit("(void)" + pop() + "; /* pop2: two category-1 values */");
                }
                emit("(void)" + pop() + "; /* pop2 */");
            }
            case Opcodes.DUP -> dupFamily(1, 0);
            case Opcodes.DUP_X1 -> dupFamily(1, 1);
            case Opcodes.DUP_X2 -> dupFamily(1, 2);
            case Opcodes.DUP2 -> dupFamily(2, 0);
            case Opcodes.DUP2_X1 -> dupFamily(2, 1);
            case Opcodes.DUP2_X2 -> dupFamily(2, 2);
            case Opcodes.IADD -> binary('i', mutated(op) ? "vm_isub" : "vm_iadd", false);
            case Opcodes.LADD -> binary('j', mutated(op) ? "vm_lsub" : "vm_ladd", false);
            case Opcodes.ISUB -> binary('i', "vm_isub", false);
            case Opcodes.LSUB -> binary('j', "vm_lsub", false);
            case Opcodes.IMUL -> binary('i', "vm_imul", false);
            case Opcodes.LMUL -> binary('j', "vm_lmul", false);
            case Opcodes.IDIV -> binary('i', "vm_idiv", true);
            case Opcodes.LDIV -> binary('j', "vm_ldiv", true);
            case Opcodes.IREM -> binary('i', "vm_irem", true);
            case Opcodes.LREM -> binary('j', "vm_lrem", true);
            case Opcodes.INEG -> unary('i', "vm_ineg");
            case Opcodes.LNEG -> unary('j', "vm_lneg");
            case Opcodes.ISHL -> binary('i', "vm_ishl", false);
            case Opcodes.LSHL -> binary('j', "vm_lshl", false);
            case Opcodes.ISHR -> binary('i', mutated(op) ? "vm_iushr" : "vm_ishr", false);
            case Opcodes.LSHR -> binary('j', mutated(op) ? "vm_lushr" : "vm_lshr", false);
            case Opcodes.IUSHR -> binary('i', mutated(op) ? "vm_ishr" : "vm_iushr", false);
            case Opcodes.LUSHR -> binary('j', mutated(op) ? "vm_lshr" : "vm_lushr", false);
            case Opcodes.IAND -> bitwise('i', "&");
            case Opcodes.LAND -> bitwise('j', "&");
            case Opcodes.IOR -> bitwise('i', "|");
            case Opcodes.LOR -> bitwise('j', "|");
            case Opcodes.IXOR -> bitwise('i', "^");
            case Opcodes.LXOR -> bitwise('j', "^");
            case Opcodes.IINC -> {
                IincInsnNode inc = (IincInsnNode) n;
                String l = local('i', inc.var);
                emit(l + " = vm_iadd(" + l + ", " + inc.incr + ");");
            }
            case Opcodes.I2L -> convert('j', "vm_i2l");
            case Opcodes.L2I -> convert('i', "vm_l2i");
            case Opcodes.I2B -> convert('i', mutated(op) ? "vm_i2c" : "vm_i2b");
            case Opcodes.I2C -> convert('i', "vm_i2c");
            case Opcodes.I2S -> convert('i', "vm_i2s");
            case Opcodes.LCMP -> {
                String b = pop();
                String a = pop();
                emit(push('i') + " = " + (mutated(op) ? "((uint64_t)" + a + " > (uint64_t)" + b + ") - ((uint64_t)" + a
                        + " < (uint64_t)" + b + ")" : "vm_lcmp(" + a + ", " + b + ")") + ";");
            }
            case Opcodes.IFEQ, Opcodes.IFNE, Opcodes.IFLT, Opcodes.IFGE, Opcodes.IFGT, Opcodes.IFLE -> {
                String a = pop();
                emit("if (" + a + " " + cmp(op - Opcodes.IFEQ) + " 0) goto " + label(((JumpInsnNode) n).label) + ";");
            }
            case Opcodes.IF_ICMPEQ, Opcodes.IF_ICMPNE, Opcodes.IF_ICMPLT, Opcodes.IF_ICMPGE, Opcodes.IF_ICMPGT,
                    Opcodes.IF_ICMPLE -> {
                String b = pop();
                String a = pop();
                emit("if (" + a + " " + cmp(op - Opcodes.IF_ICMPEQ) + " " + b + ") goto "
                        + label(((JumpInsnNode) n).label) + ";");
            }
            case Opcodes.IF_ACMPEQ, Opcodes.IF_ACMPNE -> {
                String b = pop();
                String a = pop();
                emit("if (" + a + (op == Opcodes.IF_ACMPEQ ? " == " : " != ") + b + ") goto "
                        + label(((JumpInsnNode) n).label) + ";");
            }
            case Opcodes.IFNULL, Opcodes.IFNONNULL -> {
                String a = pop();
                emit("if (" + a + (op == Opcodes.IFNULL ? " == NULL" : " != NULL") + ") goto "
                        + label(((JumpInsnNode) n).label) + ";");
            }
            case Opcodes.GOTO -> {
                emit("goto " + label(((JumpInsnNode) n).label) + ";");
                return false;
            }
            case Opcodes.TABLESWITCH -> {
                TableSwitchInsnNode t = (TableSwitchInsnNode) n;
                emit("switch (" + pop() + ") {");
                for (int k = 0; k < t.labels.size(); k++) {
                    emit("case " + Names.intLiteral(t.min + k) + ": goto " + label(t.labels.get(k)) + ";");
                }
                emit("default: goto " + label(t.dflt) + ";");
                emit("}");
                return false;
            }
            case Opcodes.LOOKUPSWITCH -> {
                LookupSwitchInsnNode t = (LookupSwitchInsnNode) n;
                emit("switch (" + pop() + ") {");
                for (int k = 0; k < t.labels.size(); k++) {
                    emit("case " + Names.intLiteral(t.keys.get(k)) + ": goto " + label(t.labels.get(k)) + ";");
                }
                emit("default: goto " + label(t.dflt) + ";");
                emit("}");
                return false;
            }
            case Opcodes.IRETURN, Opcodes.LRETURN, Opcodes.ARETURN -> {
                emit("return " + pop() + ";");
                return false;
            }
            case Opcodes.RETURN -> {
                emit("return;");
                return false;
            }
            case Opcodes.GETSTATIC, Opcodes.PUTSTATIC, Opcodes.GETFIELD, Opcodes.PUTFIELD -> field((FieldInsnNode) n);
            case Opcodes.INVOKESTATIC, Opcodes.INVOKESPECIAL, Opcodes.INVOKEVIRTUAL -> call((MethodInsnNode) n);
            case Opcodes.NEW -> {
                TypeInsnNode t = (TypeInsnNode) n;
                if (t.desc.equals(KernelSubset.KERNEL_PANIC)) {
                    // The checker guaranteed: new KernelPanic; dup; ldc "literal"; invokespecial <init>; athrow
                    LdcInsnNode msg = (LdcInsnNode) nextReal(nextReal(n));
                    emit("vm_panic(" + Names.cString((String) msg.cst) + "); /* throw new KernelPanic(...) */");
                    opcodesUsed.add(Opcodes.ATHROW); // the pattern's athrow is what this line implements
                    return false;
                }
                emit(push('a') + " = vm_alloc(sizeof(" + Names.cStruct(t.desc) + "), " + site() + ");");
            }
            case Opcodes.NEWARRAY -> {
                int[] sz = elementOf(((IntInsnNode) n).operand);
                String count = pop();
                emit(push('a') + " = vm_new_array(" + count + ", " + sz[0] + ", " + site() + ");");
            }
            case Opcodes.ARRAYLENGTH -> {
                String a = pop();
                emit(push('i') + " = vm_array_length(" + a + ", " + site() + ");");
            }
            default -> throw new IllegalStateException(where() + ": opcode " + KernelSubset.opcodeName(op)
                    + " reached code generation; the subset checker should have rejected it");
        }
        return true;
    }

    private void ldc(LdcInsnNode n) {
        Object c = n.cst;
        if (c instanceof Integer i) {
            emit(push('i') + " = " + Names.intLiteral(i) + ";");
        } else if (c instanceof Long l) {
            emit(push('j') + " = " + Names.longLiteral(l) + ";");
        } else if (c instanceof String s) {
            emit(push('s') + " = " + Names.cString(s) + ";");
        } else {
            throw new IllegalStateException(where() + ": constant " + c + " is outside the subset");
        }
    }

    /**
     * lcmp followed directly by if&lt;cond&gt; (javac's only use of lcmp) becomes one C comparison of the two
     * longs, "if (a &lt; b) goto L", instead of a -1/0/1 value compared with 0: the same branch, since
     * lcmp(a, b) &lt; 0 exactly when a &lt; b (and so on for each condition). Not fused when a jump lands between
     * the two. Returns the index of the if&lt;cond&gt; it emitted, or -1 (nothing emitted).
     */
    private int fusedLongCompare(int i) {
        if (insns[i].getOpcode() != Opcodes.LCMP) {
            return -1;
        }
        int k = i + 1;
        while (k < insns.length && insns[k].getOpcode() < 0) {
            if (insns[k] instanceof LabelNode l && jumpTargets.contains(l) || insns[k] instanceof LineNumberNode) {
                return -1; // a jump lands in between, or a line number the panic sites after it would miss
            }
            k++;
        }
        if (k == insns.length || insns[k].getOpcode() < Opcodes.IFEQ || insns[k].getOpcode() > Opcodes.IFLE) {
            return -1;
        }
        int op = insns[k].getOpcode();
        opcodesUsed.add(op);
        String b = pop();
        String a = pop();
        if (mutated(Opcodes.LCMP)) { // test of the test: an unsigned comparison, wrong for negative values
            a = "(uint64_t)" + a;
            b = "(uint64_t)" + b;
        }
        emit("if (" + a + " " + cmp(op - Opcodes.IFEQ) + " " + b + ") goto " + label(((JumpInsnNode) insns[k]).label)
                + "; /* lcmp; if" + cmp(op - Opcodes.IFEQ) + " 0 */");
        return k;
    }

    private static String cmp(int index) {
        return new String[] {"==", "!=", "<", ">=", ">", "<="}[index];
    }

    private void binary(char kind, String fn, boolean checked) {
        String b = pop();
        String a = pop();
        emit(push(kind) + " = " + fn + "(" + a + ", " + b + (checked ? ", " + site() : "") + ");");
    }

    private void bitwise(char kind, String operator) {
        String b = pop();
        String a = pop();
        emit(push(kind) + " = " + a + " " + operator + " " + b + ";");
    }

    private void unary(char kind, String fn) {
        String a = pop();
        emit(push(kind) + " = " + fn + "(" + a + ");");
    }

    private void convert(char to, String fn) {
        String a = pop();
        emit(push(to) + " = " + fn + "(" + a + ");");
    }

    private String elementAddress(String array, String index, int size) {
        return elideBounds ? "vm_elem_unchecked(" + array + ", " + index + ", " + size + ")"
                : "vm_elem(" + array + ", " + index + ", " + size + ", " + site() + ")";
    }

    private void arrayLoad(String ctype, int size, char kind) {
        String i = pop();
        String a = pop();
        emit(push(kind) + " = *(" + ctype + " *)" + elementAddress(a, i, size) + ";");
    }

    private void arrayStore(String ctype, int size) {
        String v = pop();
        String i = pop();
        String a = pop();
        String value = ctype.equals("int32_t") || ctype.equals("int64_t") ? v : "(" + ctype + ")" + v;
        emit("*(" + ctype + " *)" + elementAddress(a, i, size) + " = " + value + ";");
    }

    /** {element size, ...} for a newarray type code. */
    private static int[] elementOf(int t) {
        switch (t) {
            case Opcodes.T_BOOLEAN: case Opcodes.T_BYTE:
                return new int[] {1};
            case Opcodes.T_CHAR: case Opcodes.T_SHORT:
                return new int[] {2};
            case Opcodes.T_INT:
                return new int[] {4};
            case Opcodes.T_LONG:
                return new int[] {8};
            default:
                throw new IllegalStateException("newarray of type " + t + " is outside the subset");
        }
    }

    /**
     * dup, dup_x1, dup_x2, dup2, dup2_x1, dup2_x2 in one rule: copy the top `words` JVM words and insert the copy
     * below the next `under` words (a long is two words). Values are moved through block-local temporaries.
     */
    private void dupFamily(int words, int under) {
        List<String> top = popWords(words);
        List<String> below = popWords(under);
        List<String> temps = new ArrayList<>();
        StringBuilder b = new StringBuilder("{ ");
        List<String> all = new ArrayList<>(below);
        all.addAll(top);
        for (int k = 0; k < all.size(); k++) {
            String v = all.get(k);
            b.append(Names.cTypeOfKind(v.charAt(1))).append(" t").append(k).append(" = ").append(v).append("; ");
            temps.add("t" + k);
        }
        List<Integer> order = new ArrayList<>();
        for (int k = 0; k < top.size(); k++) {
            order.add(below.size() + k);
        }
        for (int k = 0; k < all.size(); k++) {
            order.add(k);
        }
        for (int k : order) {
            b.append(push(all.get(k).charAt(1))).append(" = ").append(temps.get(k)).append("; ");
        }
        emit(b.append('}').toString());
    }

    /** Pops values totalling the given number of JVM words; returns them bottom first. */
    private List<String> popWords(int words) {
        List<String> values = new ArrayList<>();
        int w = 0;
        while (w < words) {
            char k = topKind();
            values.add(0, pop());
            w += k == 'j' ? 2 : 1;
        }
        if (w != words) {
            throw new IllegalStateException(where() + ": a dup would split a long");
        }
        return values;
    }

    private void field(FieldInsnNode n) {
        ClassSet.FieldRef f = classes.resolveField(n.owner, n.name);
        Type t = Type.getType(n.desc);
        char k = Names.kind(t);
        String storage = Names.cStorageType(t);
        boolean narrow = !storage.equals(Names.cValueType(t));
        switch (n.getOpcode()) {
            case Opcodes.GETSTATIC -> emit(push(k) + " = " + Names.cStaticField(f.owner().name, n.name) + ";");
            case Opcodes.PUTSTATIC -> {
                String v = pop();
                emit(Names.cStaticField(f.owner().name, n.name) + " = " + (narrow ? "(" + storage + ")" : "") + v + ";");
            }
            case Opcodes.GETFIELD -> {
                String object = nonNull(pop()); // before the push: the result may reuse the object's variable
                emit(push(k) + " = ((" + Names.cStruct(f.owner().name) + " *)" + object + ")->" + n.name + ";");
            }
            default -> {
                String v = pop();
                String o = pop();
                emit("((" + Names.cStruct(f.owner().name) + " *)" + nonNull(o) + ")->" + n.name
                        + " = " + (narrow ? "(" + storage + ")" : "") + v + ";");
            }
        }
    }

    private void call(MethodInsnNode n) {
        Type[] args = Type.getArgumentTypes(n.desc);
        Type ret = Type.getReturnType(n.desc);
        String[] argVars = new String[args.length];
        for (int k = args.length - 1; k >= 0; k--) {
            argVars[k] = pop();
        }
        String receiver = n.getOpcode() == Opcodes.INVOKESTATIC ? null : pop();
        String expr;
        if (n.owner.equals(KernelSubset.CPU)) {
            expr = Intrinsics.cpu(n.name, argVars);
        } else if (n.owner.equals(KernelSubset.BITS) && n.name.equals("lowestSetBit") && n.desc.equals("(J)I")) {
            expr = "vm_ctz64(" + argVars[0] + ") /* Bits.lowestSetBit as count-trailing-zeros */";
        } else if (n.owner.equals("java/lang/Object") && n.name.equals("<init>")) {
            emit("(void)" + receiver + "; /* Object.<init>: nothing to do */");
            return;
        } else {
            ClassSet.MethodRef target = classes.resolveMethod(n.owner, n.name, n.desc);
            List<String> actual = new ArrayList<>();
            if (receiver != null) {
                actual.add(n.getOpcode() == Opcodes.INVOKESPECIAL && n.name.equals("<init>") ? receiver
                        : nonNull(receiver));
            }
            actual.addAll(List.of(argVars));
            expr = Names.cMethod(target.owner(), target.method()) + "(" + String.join(", ", actual) + ")";
        }
        if (ret.getSort() == Type.VOID) {
            emit(expr + ";");
        } else {
            emit(push(Names.kind(ret)) + " = " + expr + ";");
        }
    }

    private static AbstractInsnNode nextReal(AbstractInsnNode n) {
        AbstractInsnNode x = n.getNext();
        while (x != null && x.getOpcode() < 0) {
            x = x.getNext();
        }
        return x;
    }
}
