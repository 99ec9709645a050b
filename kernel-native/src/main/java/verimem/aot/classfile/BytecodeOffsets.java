package verimem.aot.classfile;

import java.util.HashMap;
import java.util.Map;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * Bytecode offsets of each instruction, read from the raw Code attributes, so that subset violations can name
 * the offset javap shows. ASM's tree keeps one node per real instruction in the same order as the code array,
 * so the k-th real node is the k-th decoded instruction.
 */
final class BytecodeOffsets {
    private final Map<String, int[]> byMethod = new HashMap<>();

    static BytecodeOffsets of(ClassReader reader) {
        BytecodeOffsets result = new BytecodeOffsets();
        char[] buf = new char[reader.getMaxStringLength()];
        int p = reader.header + 6;
        int interfaces = reader.readUnsignedShort(p);
        p += 2 + 2 * interfaces;
        int fields = reader.readUnsignedShort(p);
        p += 2;
        for (int i = 0; i < fields; i++) {
            p = skipMember(reader, p);
        }
        int methods = reader.readUnsignedShort(p);
        p += 2;
        for (int i = 0; i < methods; i++) {
            String name = reader.readUTF8(p + 2, buf);
            String desc = reader.readUTF8(p + 4, buf);
            int attrs = reader.readUnsignedShort(p + 6);
            int a = p + 8;
            for (int j = 0; j < attrs; j++) {
                String attrName = reader.readUTF8(a, buf);
                int len = reader.readInt(a + 2);
                if (attrName.equals("Code")) {
                    int codeLength = reader.readInt(a + 10);
                    result.byMethod.put(name + desc, decode(reader, a + 14, codeLength));
                }
                a += 6 + len;
            }
            p = a;
        }
        return result;
    }

    private static int skipMember(ClassReader r, int p) {
        int attrs = r.readUnsignedShort(p + 6);
        int a = p + 8;
        for (int j = 0; j < attrs; j++) {
            a += 6 + r.readInt(a + 2);
        }
        return a;
    }

    /** Start offsets of the instructions in a code array. */
    private static int[] decode(ClassReader r, int codeStart, int codeLength) {
        int[] starts = new int[codeLength];
        int n = 0;
        int pc = 0;
        while (pc < codeLength) {
            starts[n++] = pc;
            int op = r.readByte(codeStart + pc);
            pc += lengthOf(r, codeStart, pc, op);
        }
        int[] exact = new int[n];
        System.arraycopy(starts, 0, exact, 0, n);
        return exact;
    }

    private static int lengthOf(ClassReader r, int codeStart, int pc, int op) {
        switch (op) {
            case 0x10: case 0x12: case 0x15: case 0x16: case 0x17: case 0x18: case 0x19:
            case 0x36: case 0x37: case 0x38: case 0x39: case 0x3a: case 0xa9: case 0xbc:
                return 2; // bipush, ldc, xload, xstore, ret, newarray
            case 0x11: case 0x13: case 0x14: case 0x84: case 0xa7: case 0xa8: case 0xb2: case 0xb3: case 0xb4:
            case 0xb5: case 0xb6: case 0xb7: case 0xb8: case 0xbb: case 0xbd: case 0xc0: case 0xc1: case 0xc6:
            case 0xc7:
                return 3; // sipush, ldc_w, ldc2_w, iinc, goto, jsr, field/method refs, new, anewarray, casts, ifnull
            case 0xc5:
                return 4; // multianewarray
            case 0xb9: case 0xba: case 0xc8: case 0xc9:
                return 5; // invokeinterface, invokedynamic, goto_w, jsr_w
            case 0xc4:
                return r.readByte(codeStart + pc + 1) == 0x84 ? 6 : 4; // wide
            case 0xaa: { // tableswitch
                int p = (pc + 4) & ~3;
                int low = r.readInt(codeStart + p + 4);
                int high = r.readInt(codeStart + p + 8);
                return p - pc + 12 + 4 * (high - low + 1);
            }
            case 0xab: { // lookupswitch
                int p = (pc + 4) & ~3;
                int pairs = r.readInt(codeStart + p + 4);
                return p - pc + 8 + 8 * pairs;
            }
            default:
                if ((op >= 0x99 && op <= 0xa6)) {
                    return 3; // if<cond>, if_icmp, if_acmp
                }
                return 1;
        }
    }

    int offsetOf(MethodNode m, int insnIndex) {
        int[] starts = byMethod.get(m.name + m.desc);
        if (starts == null) {
            return -1;
        }
        AbstractInsnNode target = m.instructions.get(insnIndex);
        if (target.getOpcode() < 0) {
            return -1;
        }
        int k = 0;
        for (AbstractInsnNode n = m.instructions.getFirst(); n != target; n = n.getNext()) {
            if (n.getOpcode() >= 0) {
                k++;
            }
        }
        return k < starts.length ? starts[k] : -1;
    }
}
