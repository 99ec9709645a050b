package verimem.aot.classfile;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.FieldNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * The closed world the compiler sees: every class file under the given roots (directories or jars) whose
 * internal name starts with one of the include prefixes. Sorted by name so every output is deterministic.
 * Also keeps, per class, the bytecode offset of each instruction (ASM's tree does not keep them).
 */
public final class ClassSet {
    private final Map<String, ClassNode> classes = new TreeMap<>();
    private final Map<String, BytecodeOffsets> offsets = new TreeMap<>();

    public static ClassSet load(List<Path> roots, List<String> includePrefixes) {
        ClassSet set = new ClassSet();
        for (Path root : roots) {
            if (Files.isDirectory(root)) {
                set.loadDirectory(root, includePrefixes);
            } else if (Files.isRegularFile(root)) {
                set.loadJar(root, includePrefixes);
            } else {
                throw new IllegalArgumentException("class root does not exist: " + root);
            }
        }
        return set;
    }

    /** Adds one class from its bytes (tests use this for single offending classes). */
    public void add(byte[] bytes) {
        ClassReader reader = new ClassReader(bytes);
        ClassNode node = new ClassNode();
        reader.accept(node, 0);
        classes.put(node.name, node);
        offsets.put(node.name, BytecodeOffsets.of(reader));
    }

    private void loadDirectory(Path root, List<String> prefixes) {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : (Iterable<Path>) files.sorted()::iterator) {
                String rel = root.relativize(file).toString().replace('\\', '/');
                if (rel.endsWith(".class") && included(rel, prefixes)) {
                    add(Files.readAllBytes(file));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read classes under " + root, e);
        }
    }

    private void loadJar(Path jar, List<String> prefixes) {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (ZipEntry e : java.util.Collections.list(zip.entries())) {
                if (e.getName().endsWith(".class") && included(e.getName(), prefixes)) {
                    try (InputStream in = zip.getInputStream(e)) {
                        add(in.readAllBytes());
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read classes from " + jar, e);
        }
    }

    private static boolean included(String path, List<String> prefixes) {
        if (path.endsWith("module-info.class") || path.endsWith("package-info.class")) {
            return false;
        }
        for (String p : prefixes) {
            if (path.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    public Collection<ClassNode> all() {
        return classes.values();
    }

    public ClassNode get(String internalName) {
        return classes.get(internalName);
    }

    public boolean contains(String internalName) {
        return classes.containsKey(internalName);
    }

    /** Bytecode offset of the index-th instruction (ASM index) of a method, or -1 for pseudo-instructions. */
    public int offsetOf(ClassNode c, MethodNode m, int insnIndex) {
        return offsets.get(c.name).offsetOf(m, insnIndex);
    }

    /** The field as declared in c or one of its superclasses in this set; null if none. */
    public FieldRef resolveField(String owner, String name) {
        for (ClassNode c = get(owner); c != null; c = get(c.superName)) {
            for (FieldNode f : c.fields) {
                if (f.name.equals(name)) {
                    return new FieldRef(c, f);
                }
            }
        }
        return null;
    }

    /** The method as declared in owner or one of its superclasses in this set; null if none. */
    public MethodRef resolveMethod(String owner, String name, String desc) {
        for (ClassNode c = get(owner); c != null; c = get(c.superName)) {
            for (MethodNode m : c.methods) {
                if (m.name.equals(name) && m.desc.equals(desc)) {
                    return new MethodRef(c, m);
                }
            }
        }
        return null;
    }

    /** Classes in the set that are strict subclasses of the given one. */
    public List<ClassNode> subclassesOf(String internalName) {
        List<ClassNode> result = new ArrayList<>();
        for (ClassNode c : classes.values()) {
            for (ClassNode s = get(c.superName); s != null; s = get(s.superName)) {
                if (s.name.equals(internalName)) {
                    result.add(c);
                    break;
                }
            }
        }
        return result;
    }

    public record FieldRef(ClassNode owner, FieldNode field) {
    }

    public record MethodRef(ClassNode owner, MethodNode method) {
    }
}
