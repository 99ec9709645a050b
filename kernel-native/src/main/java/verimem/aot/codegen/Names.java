package verimem.aot.codegen;

import org.objectweb.asm.Type;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodNode;

/** C names derived from Java names, so a reader of the generated C finds the Java source at a glance. */
public final class Names {
    private Names() {
    }

    /** verimem/kernel/arch/Bits -> verimem_kernel_arch_Bits */
    public static String cClass(String internalName) {
        return internalName.replace('/', '_').replace('$', '_');
    }

    /**
     * Static field -> global variable: verimem_kernel_arch_Pte__PRESENT. Java keeps fields and methods apart, C
     * has one namespace: the double underscore keeps a static field from colliding with a method of the same name
     * (corpus/RealMapScenario has both a field and a method lastHandOff).
     */
    public static String cStaticField(String owner, String field) {
        return cClass(owner) + "__" + field;
    }

    public static String cStruct(String owner) {
        return "struct " + cClass(owner);
    }

    /**
     * Method -> function: verimem_kernel_arch_Bits_lowestSetBit; constructors are _init and class initialisers
     * _clinit. Overloads get the argument descriptor appended so every Java method has its own C function.
     */
    public static String cMethod(ClassNode owner, MethodNode m) {
        String base = cClass(owner.name) + "_" + javaName(m.name);
        int sameName = 0;
        for (MethodNode other : owner.methods) {
            if (other.name.equals(m.name)) {
                sameName++;
            }
        }
        if (sameName <= 1) {
            return base;
        }
        StringBuilder s = new StringBuilder(base).append("__");
        for (Type t : Type.getArgumentTypes(m.desc)) {
            s.append(t.getDescriptor().replace('/', '_').replace(';', '_').replace('[', 'A'));
        }
        return s.toString();
    }

    private static String javaName(String name) {
        if (name.equals("<init>")) {
            return "init";
        }
        if (name.equals("<clinit>")) {
            return "clinit";
        }
        return name;
    }

    /** C type of a Java value on the operand stack, in a local or as a parameter/return value. */
    public static String cValueType(Type t) {
        switch (t.getSort()) {
            case Type.VOID:
                return "void";
            case Type.LONG:
                return "int64_t";
            case Type.OBJECT: case Type.ARRAY:
                return "void *";
            default:
                return "int32_t"; // boolean, byte, char, short, int are ints on the JVM stack
        }
    }

    /** C type of a field or array element, with Java's exact width and signedness. */
    public static String cStorageType(Type t) {
        switch (t.getSort()) {
            case Type.BOOLEAN: case Type.BYTE:
                return "int8_t";
            case Type.CHAR:
                return "uint16_t";
            case Type.SHORT:
                return "int16_t";
            default:
                return cValueType(t);
        }
    }

    /** Stack/local kind letter: i (int-like), j (long), a (reference), s (string literal). */
    public static char kind(Type t) {
        switch (t.getSort()) {
            case Type.LONG:
                return 'j';
            case Type.OBJECT: case Type.ARRAY:
                return 'a';
            default:
                return 'i';
        }
    }

    public static String cTypeOfKind(char kind) {
        switch (kind) {
            case 'i':
                return "int32_t";
            case 'j':
                return "int64_t";
            case 'a':
                return "void *";
            case 's':
                return "const char *";
            default:
                throw new IllegalArgumentException("kind " + kind);
        }
    }

    /** A Java string literal as a C string literal (ASCII printable kept, everything else escaped). */
    public static String cString(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            if (ch == '"' || ch == '\\') {
                b.append('\\').append(ch);
            } else if (ch == '\n') {
                b.append("\\n");
            } else if (ch >= 32 && ch < 127 && ch != '?') {
                b.append(ch);
            } else if (ch < 128) {
                b.append(String.format("\\%03o", (int) ch));
            } else {
                for (byte by : String.valueOf(ch).getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                    b.append(String.format("\\%03o", by & 0xff));
                }
            }
        }
        return b.append('"').toString();
    }

    public static String intLiteral(int v) {
        return v == Integer.MIN_VALUE ? "INT32_MIN" : Integer.toString(v);
    }

    public static String longLiteral(long v) {
        return v == Long.MIN_VALUE ? "INT64_MIN" : "INT64_C(" + v + ")";
    }
}
