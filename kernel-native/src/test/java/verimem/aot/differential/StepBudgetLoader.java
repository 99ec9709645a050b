package verimem.aot.differential;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * The differential run's class loader: loads the roots itself (fresh statics per run) and, in the code under test
 * (kernel, corpus and hang classes), puts a {@link StepBudget#tick} call before every backward jump. Nothing
 * else changes: tick() touches no state of the code under test, so results are those of the original bytes (the
 * C side compiles the original bytes).
 */
final class StepBudgetLoader extends URLClassLoader {
    private static final String[] COUNTED = {"verimem/kernel/", "verimem/aot/corpus/", "verimem/aot/hang/"};
    private static final String BUDGET = "verimem/aot/differential/StepBudget";

    StepBudgetLoader(URL[] roots) {
        super(roots, ClassLoader.getPlatformClassLoader());
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        String path = name.replace('.', '/');
        if (!counted(path)) {
            return super.findClass(name);
        }
        URL url = findResource(path + ".class");
        if (url == null) {
            throw new ClassNotFoundException(name);
        }
        byte[] bytes;
        try (InputStream in = url.openStream()) {
            bytes = instrument(in.readAllBytes());
        } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
        }
        return defineClass(name, bytes, 0, bytes.length);
    }

    private static boolean counted(String path) {
        for (String p : COUNTED) {
            if (path.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    /** A tick before each jump to an earlier instruction: every loop iteration passes one. */
    static byte[] instrument(byte[] classFile) {
        ClassNode c = new ClassNode();
        new ClassReader(classFile).accept(c, 0);
        for (MethodNode m : c.methods) {
            for (AbstractInsnNode n : m.instructions.toArray()) {
                if (n instanceof JumpInsnNode j && m.instructions.indexOf(j.label) < m.instructions.indexOf(j)) {
                    m.instructions.insertBefore(j,
                            new MethodInsnNode(Opcodes.INVOKESTATIC, BUDGET, "tick", "()V", false));
                }
            }
        }
        ClassWriter w = new ClassWriter(ClassWriter.COMPUTE_MAXS);
        c.accept(w);
        return w.toByteArray();
    }
}
