package verimem.aot;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import verimem.aot.classfile.ClassSet;
import verimem.kernel.arch.Bits;

/** Where the class files under test come from: the real kernel classes, and this module's test classes. */
public final class Inputs {
    private Inputs() {
    }

    /** The class-file root (directory or jar) of verimem-jml-annotated, exactly the bytes its tests ran. */
    public static Path kernelRoot() {
        return rootOf(Bits.class);
    }

    public static Path testRoot() {
        return rootOf(Inputs.class);
    }

    private static Path rootOf(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** All kernel classes (verimem.kernel.*). */
    public static ClassSet kernel() {
        return ClassSet.load(List.of(kernelRoot()), List.of("verimem/kernel/"));
    }

    /** Kernel classes plus test classes under the given package prefixes (e.g. "verimem/aot/corpus/"). */
    public static ClassSet kernelPlus(String... testPrefixes) {
        ClassSet set = kernel();
        ClassSet extra = ClassSet.load(List.of(testRoot()), List.of(testPrefixes));
        for (var c : extra.all()) {
            set.add(bytesOf(c.name));
        }
        return set;
    }

    static byte[] bytesOf(String internalName) {
        try (var in = Inputs.class.getClassLoader().getResourceAsStream(internalName + ".class")) {
            return in.readAllBytes();
        } catch (java.io.IOException | NullPointerException e) {
            throw new IllegalStateException("class file not found: " + internalName, e);
        }
    }
}
