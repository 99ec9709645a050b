package verimem.aot.codegen;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.FieldInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TypeInsnNode;
import verimem.aot.classfile.ClassSet;

/**
 * The deterministic order in which class initialisers run at boot: a class's initialiser runs after those of
 * the classes it touches (static fields, static calls, new), ties broken by class name. The JVM runs them lazily
 * on first use; for kernel-subset initialisers, which only compute their own statics, the results agree.
 */
final class ClinitOrder {
    private ClinitOrder() {
    }

    static List<ClassNode> of(ClassSet classes, List<ClassNode> compiled) {
        List<ClassNode> order = new ArrayList<>();
        Set<String> done = new HashSet<>();
        for (ClassNode c : compiled) {
            visit(classes, c, done, order, new HashSet<>());
        }
        return order;
    }

    private static void visit(ClassSet classes, ClassNode c, Set<String> done, List<ClassNode> order,
            Set<String> onPath) {
        if (done.contains(c.name) || !onPath.add(c.name)) {
            return; // already placed, or a cycle: the class first reached by name order goes first
        }
        MethodNode clinit = clinitOf(c);
        if (clinit != null) {
            for (String dep : dependencies(clinit)) {
                ClassNode d = classes.get(dep);
                if (d != null && !dep.equals(c.name)) {
                    visit(classes, d, done, order, onPath);
                }
            }
            if (done.add(c.name)) {
                order.add(c);
            }
        } else {
            done.add(c.name);
        }
        onPath.remove(c.name);
    }

    static MethodNode clinitOf(ClassNode c) {
        for (MethodNode m : c.methods) {
            if (m.name.equals("<clinit>")) {
                return m;
            }
        }
        return null;
    }

    private static Set<String> dependencies(MethodNode m) {
        Set<String> deps = new TreeSet<>();
        for (AbstractInsnNode n : m.instructions) {
            if (n instanceof FieldInsnNode f) {
                deps.add(f.owner);
            } else if (n instanceof MethodInsnNode mi) {
                deps.add(mi.owner);
            } else if (n instanceof TypeInsnNode t) {
                deps.add(t.desc);
            }
        }
        return deps;
    }
}
