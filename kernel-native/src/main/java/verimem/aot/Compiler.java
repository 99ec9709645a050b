package verimem.aot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import verimem.aot.classfile.ClassSet;
import verimem.aot.codegen.Options;
import verimem.aot.codegen.ProgramGenerator;
import verimem.aot.subset.SubsetChecker;
import verimem.aot.subset.Violation;

/**
 * verimem's ahead-of-time compiler: kernel-subset Java bytecode to freestanding C.
 *
 * <pre>
 * java verimem.aot.Compiler --classes DIR|JAR [--classes ...] --out DIR
 *        [--include verimem.kernel] [--elide-bounds pkg.Class.method[,..]]
 * </pre>
 * Writes verimem_aot.h and verimem_aot.c into --out; compile them with runtime/vm_common.c plus
 * runtime/vm_hosted.c (a Linux process) or, with -DVM_FREESTANDING, runtime/vm_freestanding.c (the kernel).
 * Exit status 0 on success, 1 when the input leaves the kernel subset (every violation is listed), 2 on usage.
 */
public final class Compiler {
    private Compiler() {
    }

    /** Thrown when the input is outside the kernel subset; carries every violation found. */
    public static final class SubsetException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient List<Violation> violations;

        SubsetException(List<Violation> violations) {
            super(violations.size() + " construct(s) outside the kernel subset:\n  "
                    + String.join("\n  ", violations.stream().map(Violation::toString).toList()));
            this.violations = violations;
        }

        public List<Violation> violations() {
            return violations;
        }
    }

    /** Result of a compilation: the files and, per method, the opcodes it used. */
    public record Output(Map<String, String> files, Map<String, Set<Integer>> opcodesByMethod) {
    }

    /** Checks the subset, then generates C. Throws SubsetException listing every violation. */
    public static Output compile(ClassSet classes, Options options) {
        List<Violation> violations = new SubsetChecker(classes).check();
        if (!violations.isEmpty()) {
            throw new SubsetException(violations);
        }
        ProgramGenerator gen = new ProgramGenerator(classes, options);
        Map<String, String> files = gen.generate();
        return new Output(files, gen.opcodesByMethod());
    }

    public static void writeFiles(Output output, Path outDir) throws IOException {
        Files.createDirectories(outDir);
        for (Map.Entry<String, String> f : output.files().entrySet()) {
            Files.writeString(outDir.resolve(f.getKey()), f.getValue());
        }
    }

    public static void main(String[] args) throws IOException {
        List<Path> roots = new ArrayList<>();
        List<String> includes = new ArrayList<>();
        Set<String> elide = new TreeSet<>();
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                usage("missing value after " + a);
            }
            switch (a) {
                case "--classes" -> roots.add(Path.of(args[++i]));
                case "--out" -> out = Path.of(args[++i]);
                case "--include" -> includes.add(args[++i].replace('.', '/') + "/");
                case "--elide-bounds" -> elide.addAll(List.of(args[++i].split(",")));
                default -> usage("unknown option " + a);
            }
        }
        if (roots.isEmpty() || out == null) {
            usage("--classes and --out are required");
        }
        if (includes.isEmpty()) {
            includes.add("verimem/kernel/");
        }
        ClassSet classes = ClassSet.load(roots, includes);
        try {
            Output o = compile(classes, new Options(elide, null));
            writeFiles(o, out);
            System.out.println("verimem.aot: compiled " + o.opcodesByMethod().size() + " methods of "
                    + classes.all().size() + " classes to " + out);
        } catch (SubsetException e) {
            System.err.println("verimem.aot: " + e.getMessage());
            System.exit(1);
        }
    }

    private static void usage(String problem) {
        System.err.println("verimem.aot: " + problem);
        System.err.println("usage: Compiler --classes DIR|JAR [--classes ...] --out DIR [--include pkg]"
                + " [--elide-bounds pkg.Class.method,...]");
        System.exit(2);
    }
}
