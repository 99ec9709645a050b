package verimem.aot.differential;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import verimem.aot.classfile.ClassSet;
import verimem.aot.codegen.Names;

/**
 * The differential harness: the same calls with the same inputs run on the JVM (reflection, in a fresh class
 * loader so static state starts clean) and in the hosted generated C (a generated main reading the calls on
 * stdin). Both print one line per call in the same format; the test compares the text.
 *
 * Line format: {@code Class.method(arg,arg) -> result}, where result is the decimal value (booleans 0/1),
 * "void", or "PANIC kind" (kind: panic:<KernelPanic message>, arith, bounds, null, negsize, fault). Console
 * output of the call (Cpu.print...) appears between the arrow and the result.
 */
public final class Differential {
    static final int MAX_CASES_PER_METHOD = 1200;
    /** Simulated RAM on both sides: 4 MiB, enough for a VMM with its page tables (corpus/VmmScenario). */
    static final int RAM_BYTES = 4 << 20;
    /** Per call, on either side: the slowest call (a whole boot scenario) takes well under a second. */
    static final int CALL_LIMIT_SECONDS = 20;

    /** A method the harness calls: public static, primitive parameters and result (or void). */
    public record Target(ClassNode owner, MethodNode method) {
        String label() {
            String simple = owner.name.substring(owner.name.lastIndexOf('/') + 1);
            return simple + "." + method.name;
        }
    }

    /** One call: which target and its arguments (each held as a long, in range of its parameter type). */
    public record Call(int target, long[] args) {
    }

    private Differential() {
    }

    public static List<Target> targets(ClassSet set, List<String> classes) {
        List<Target> out = new ArrayList<>();
        for (String name : classes) {
            ClassNode c = set.get(name);
            if (c == null) {
                throw new IllegalArgumentException("no class " + name);
            }
            for (MethodNode m : c.methods) {
                boolean ps = (m.access & Opcodes.ACC_PUBLIC) != 0 && (m.access & Opcodes.ACC_STATIC) != 0;
                if (ps && !m.name.startsWith("<") && primitiveSignature(m.desc)) {
                    out.add(new Target(c, m));
                }
            }
        }
        return out;
    }

    private static boolean primitiveSignature(String desc) {
        for (Type t : Type.getArgumentTypes(desc)) {
            if (t.getSort() > Type.DOUBLE || t.getSort() == Type.FLOAT || t.getSort() == Type.DOUBLE) {
                return false;
            }
        }
        int r = Type.getReturnType(desc).getSort();
        return r <= Type.LONG && r != Type.FLOAT;
    }

    // ------------------------------------------------------------------ inputs

    static final long[] INT_VALUES = {0, 1, -1, 2, -2, 3, 7, 31, 32, 33, 63, 64, 65, -31, -32, -63, -64, 100, 1000,
        -1000, 127, 128, -128, -129, 255, 256, 32767, 32768, -32768, 65535, 65536, 1000001,
        Integer.MIN_VALUE, Integer.MAX_VALUE, Integer.MIN_VALUE + 1, Integer.MAX_VALUE - 1};
    static final long[] LONG_VALUES = {0, 1, -1, 2, -2, 63, 64, 4096, -4096, 1L << 31, -(1L << 31), 1L << 32,
        (1L << 32) - 1, 1L << 47, -(1L << 47), (1L << 47) - 1, 1L << 52, 0x8000000000001007L, 0x7ffffffffffff000L,
        Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE + 1, Long.MAX_VALUE - 1, 0x123456789abcdefL};

    private static long[] valuesFor(Type t) {
        switch (t.getSort()) {
            case Type.BOOLEAN:
                return new long[] {0, 1};
            case Type.BYTE:
                return new long[] {0, 1, -1, 127, -128};
            case Type.CHAR:
                return new long[] {0, 1, 65535, 32768};
            case Type.SHORT:
                return new long[] {0, 1, -1, 32767, -32768};
            case Type.LONG:
                return LONG_VALUES;
            default:
                return INT_VALUES;
        }
    }

    private static long random(Type t, Random rnd) {
        switch (t.getSort()) {
            case Type.BOOLEAN:
                return rnd.nextInt(2);
            case Type.BYTE:
                return (byte) rnd.nextInt();
            case Type.CHAR:
                return (char) rnd.nextInt();
            case Type.SHORT:
                return (short) rnd.nextInt();
            case Type.LONG:
                return rnd.nextLong();
            default:
                return rnd.nextInt();
        }
    }

    /** Boundary values for every parameter (full cross product when small), else a seeded sample mixing
     *  boundary and random values; plus random tuples for every method. */
    public static List<Call> calls(List<Target> targets) {
        List<Call> out = new ArrayList<>();
        for (int ti = 0; ti < targets.size(); ti++) {
            Target t = targets.get(ti);
            Type[] ps = Type.getArgumentTypes(t.method().desc);
            Random rnd = new Random(t.label().hashCode());
            long product = 1;
            for (Type p : ps) {
                product *= valuesFor(p).length;
            }
            if (product <= MAX_CASES_PER_METHOD) {
                int[] idx = new int[ps.length];
                for (long k = 0; k < product; k++) {
                    long[] args = new long[ps.length];
                    for (int j = 0; j < ps.length; j++) {
                        args[j] = valuesFor(ps[j])[idx[j]];
                    }
                    out.add(new Call(ti, args));
                    for (int j = ps.length - 1; j >= 0; j--) {
                        if (++idx[j] < valuesFor(ps[j]).length) {
                            break;
                        }
                        idx[j] = 0;
                    }
                }
            } else {
                for (int k = 0; k < MAX_CASES_PER_METHOD; k++) {
                    out.add(new Call(ti, sample(ps, rnd)));
                }
            }
            for (int k = 0; k < (ps.length == 0 ? 3 : 100); k++) {
                long[] args = new long[ps.length];
                for (int j = 0; j < ps.length; j++) {
                    args[j] = random(ps[j], rnd);
                }
                out.add(new Call(ti, args));
            }
        }
        return out;
    }

    private static long[] sample(Type[] ps, Random rnd) {
        long[] args = new long[ps.length];
        for (int j = 0; j < ps.length; j++) {
            long[] vs = valuesFor(ps[j]);
            args[j] = rnd.nextInt(4) == 0 ? random(ps[j], rnd) : vs[rnd.nextInt(vs.length)];
        }
        return args;
    }

    static String prefix(Target t, long[] args) {
        StringBuilder s = new StringBuilder(t.label()).append('(');
        for (int j = 0; j < args.length; j++) {
            s.append(j == 0 ? "" : ",").append(args[j]);
        }
        return s.append(") -> ").toString();
    }

    // ------------------------------------------------------------------ the JVM side

    /** Runs every call on the JVM, in a class loader of its own (fresh statics), with a FlatMachine installed. */
    public static String runOnJvm(List<Target> targets, List<Call> calls, List<Path> roots) throws Exception {
        return runOnJvm(targets, calls, roots, CALL_LIMIT_SECONDS, StepBudget.STEPS_PER_CALL);
    }

    /** As above, with a per-call time limit in seconds and a per-call budget of loop steps (StepBudget). */
    public static String runOnJvm(List<Target> targets, List<Call> calls, List<Path> roots, int limitSeconds,
            long stepsPerCall) throws Exception {
        URL[] urls = new URL[roots.size()];
        for (int i = 0; i < urls.length; i++) {
            urls[i] = toUrl(roots.get(i));
        }
        StringBuilder out = new StringBuilder();
        ExecutorService watchdog = newWatchdog();
        try (URLClassLoader loader = new StepBudgetLoader(urls)) {
            Method budgetReset = loader.loadClass(StepBudget.class.getName()).getMethod("reset", long.class);
            Class<?> machineClass = loader.loadClass("verimem.aot.FlatMachine");
            Object machine = machineClass.getConstructor(int.class, StringBuilder.class).newInstance(RAM_BYTES, out);
            Class<?> cpu = loader.loadClass("verimem.kernel.arch.Cpu");
            cpu.getMethod("install", loader.loadClass("verimem.kernel.arch.Machine")).invoke(null, machine);
            Method paging = machineClass.getMethod("writeCr3", long.class);
            Method[] methods = new Method[targets.size()];
            for (int i = 0; i < methods.length; i++) {
                methods[i] = reflect(loader, targets.get(i));
            }
            for (Call c : calls) {
                Target t = targets.get(c.target());
                out.append(prefix(t, c.args()));
                Method m = methods[c.target()];
                Object[] actual = new Object[c.args().length];
                Class<?>[] pt = m.getParameterTypes();
                for (int j = 0; j < actual.length; j++) {
                    actual[j] = box(pt[j], c.args()[j]);
                }
                paging.invoke(machine, 0L); // every call starts with paging off, as the C harness does
                budgetReset.invoke(null, stepsPerCall);
                out.append(guarded(watchdog, limitSeconds, t, c.args(), () -> {
                    try {
                        return format(m.invoke(null, actual), m.getReturnType());
                    } catch (InvocationTargetException e) {
                        if (e.getCause().getClass().getName().equals(StepBudget.Exhausted.class.getName())) {
                            throw new AssertionError("JVM call " + prefix(t, c.args()) + "took more than "
                                    + stepsPerCall + " loop steps: a loop that never ends on this input?"
                                    + " (the C side was not run)");
                        }
                        return "PANIC " + panicKind(e.getCause());
                    }
                }));
                out.append('\n');
            }
        } finally {
            watchdog.shutdownNow();
        }
        return out.toString();
    }

    /**
     * Runs one JVM call on the watchdog's thread and waits at most limitSeconds: a kernel method that never
     * returns on some input (Kmalloc.classOf once looped forever on a huge size) fails the suite with a message
     * naming the method and its arguments instead of hanging the build. The runaway thread cannot be killed; it
     * ends when its StepBudget runs out (a few seconds), so it does not slow the tests after it.
     */
    private static String guarded(ExecutorService watchdog, int limitSeconds, Target t, long[] args,
            Callable<String> call) throws Exception {
        Future<String> f = watchdog.submit(call);
        try {
            return f.get(limitSeconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new AssertionError("JVM call " + prefix(t, args) + "did not return within " + limitSeconds
                    + " s: a loop that never ends on this input? (the C side was not run)");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e.getCause() instanceof Exception x ? x : new IllegalStateException(e.getCause());
        }
    }

    private static ExecutorService newWatchdog() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread th = new Thread(r, "differential-jvm-call");
            th.setDaemon(true);
            return th;
        });
    }

    private static URL toUrl(Path p) {
        try {
            return p.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Method reflect(ClassLoader loader, Target t) throws Exception {
        Class<?> c = loader.loadClass(t.owner().name.replace('/', '.'));
        for (Method m : c.getDeclaredMethods()) {
            if (m.getName().equals(t.method().name) && Type.getMethodDescriptor(m).equals(t.method().desc)
                    && Modifier.isStatic(m.getModifiers())) {
                return m;
            }
        }
        throw new NoSuchMethodException(t.label());
    }

    private static Object box(Class<?> type, long v) {
        if (type == int.class) {
            return (int) v;
        } else if (type == long.class) {
            return v;
        } else if (type == boolean.class) {
            return v != 0;
        } else if (type == byte.class) {
            return (byte) v;
        } else if (type == char.class) {
            return (char) v;
        } else if (type == short.class) {
            return (short) v;
        }
        throw new IllegalArgumentException(type.toString());
    }

    private static String format(Object r, Class<?> type) {
        if (type == void.class) {
            return "void";
        } else if (r instanceof Boolean b) {
            return b ? "1" : "0";
        } else if (r instanceof Character ch) {
            return Integer.toString(ch);
        }
        return r.toString();
    }

    /** JVM exceptions mapped to the panic kinds of runtime/vm_hosted.c. */
    private static String panicKind(Throwable t) {
        String n = t.getClass().getName();
        switch (n) {
            case "verimem.kernel.arch.KernelPanic":
                return "panic:" + t.getMessage();
            case "java.lang.ArithmeticException":
                return "arith";
            case "java.lang.ArrayIndexOutOfBoundsException":
                return "bounds";
            case "java.lang.NullPointerException":
                return "null";
            case "java.lang.NegativeArraySizeException":
                return "negsize";
            case "verimem.aot.FlatMachine$Fault":
                return "fault";
            default:
                throw new IllegalStateException("unexpected JVM exception in differential run", t);
        }
    }

    // ------------------------------------------------------------------ the C side

    /** A C main that reads "target arg0..arg5" lines and calls the generated functions. */
    public static String cMain(List<Target> targets) {
        return cMain(targets, CALL_LIMIT_SECONDS);
    }

    /** As above, with a per-call time limit in seconds (SIGALRM; the run exits with status 124). */
    public static String cMain(List<Target> targets, int limitSeconds) {
        StringBuilder s = new StringBuilder();
        s.append("/* Generated differential harness: one invoker per target, calls read from stdin. */\n");
        s.append("#include \"verimem_aot.h\"\n#include \"vm_hosted.h\"\n#include <signal.h>\n#include <stdio.h>\n"
                + "#include <stdlib.h>\n#include <unistd.h>\n\n");
        for (int i = 0; i < targets.size(); i++) {
            Target t = targets.get(i);
            Type mt = Type.getMethodType(t.method().desc);
            Type[] ps = mt.getArgumentTypes();
            s.append("static void call_").append(i).append("(const int64_t *a) {\n    ");
            StringBuilder call = new StringBuilder(Names.cMethod(t.owner(), t.method())).append('(');
            for (int j = 0; j < ps.length; j++) {
                call.append(j == 0 ? "" : ", ").append('(').append(Names.cValueType(ps[j])).append(")a[").append(j)
                        .append(']');
            }
            call.append(')');
            switch (mt.getReturnType().getSort()) {
                case Type.VOID -> s.append(call).append(";\n    fputs(\"void\", stdout);\n");
                case Type.LONG -> s.append("int64_t r = ").append(call).append(";\n    printf(\"%lld\", (long long)r);\n");
                default -> s.append("int32_t r = ").append(call).append(";\n    printf(\"%d\", r);\n");
            }
            s.append("    (void)a;\n}\n\n");
        }
        s.append("static const char *const LABELS[] = {\n");
        for (Target t : targets) {
            s.append("    \"").append(t.label()).append("\",\n");
        }
        s.append("};\nstatic const int ARITY[] = {");
        for (Target t : targets) {
            s.append(Type.getArgumentTypes(t.method().desc).length).append(", ");
        }
        s.append("};\nstatic void (*const CALLS[])(const int64_t *) = {");
        for (int i = 0; i < targets.size(); i++) {
            s.append("call_").append(i).append(", ");
        }
        s.append("};\n\n");
        s.append("""
                /* A call that does not return within the limit ends the run with status 124; the call is the
                   last (unterminated) line on stdout, which is flushed before every call. */
                static void call_limit_reached(int sig) {
                    static const char msg[] = "\\nHARNESS: call did not return within the per-call limit\\n";
                    (void)sig;
                    if (write(2, msg, sizeof msg - 1) < 0) _exit(125);
                    _exit(124);
                }

                int main(void) {
                    signal(SIGALRM, call_limit_reached);
                    vm_hosted_init(%d, 256u << 20); /* arena: RealMapScenario builds PMMs of up to 640 GiB */
                    vm_clinit_all();
                    int target;
                    while (scanf("%%d", &target) == 1) {
                        int64_t a[6] = {0, 0, 0, 0, 0, 0};
                        for (int j = 0; j < 6; j++) {
                            long long v;
                            if (scanf("%%lld", &v) != 1) return 2;
                            a[j] = (int64_t)v;
                        }
                        printf("%%s(", LABELS[target]);
                        for (int j = 0; j < ARITY[target]; j++) printf(j == 0 ? "%%lld" : ",%%lld", (long long)a[j]);
                        printf(") -> ");
                        fflush(stdout);
                        alarm(%d);
                        vm_write_cr3(0); /* every call starts with paging off, as the JVM side does */
                        if (setjmp(vm_hosted_catch) == 0) {
                            vm_hosted_catch_armed = 1;
                            CALLS[target](a);
                            vm_hosted_catch_armed = 0;
                        } else {
                            printf("PANIC %%s", vm_hosted_panic_kind);
                        }
                        alarm(0);
                        putchar('\\n');
                    }
                    return 0;
                }
                """.formatted(RAM_BYTES, limitSeconds));
        return s.toString();
    }

    public static String cInput(List<Call> calls) {
        StringBuilder s = new StringBuilder();
        for (Call c : calls) {
            s.append(c.target());
            long[] a = Arrays.copyOf(c.args(), 6);
            for (long v : a) {
                s.append(' ').append(v);
            }
            s.append('\n');
        }
        return s.toString();
    }

    // ------------------------------------------------------------------ coverage

    /** Methods reachable from the targets and every class initialiser, through static and instance calls. */
    public static Set<String> reachable(ClassSet set, List<Target> targets) {
        Set<String> seen = new HashSet<>();
        List<MethodNode[]> work = new ArrayList<>();
        List<ClassNode[]> owners = new ArrayList<>();
        for (Target t : targets) {
            work.add(new MethodNode[] {t.method()});
            owners.add(new ClassNode[] {t.owner()});
        }
        for (ClassNode c : set.all()) {
            for (MethodNode m : c.methods) {
                if (m.name.equals("<clinit>")) {
                    work.add(new MethodNode[] {m});
                    owners.add(new ClassNode[] {c});
                }
            }
        }
        while (!work.isEmpty()) {
            MethodNode m = work.remove(work.size() - 1)[0];
            ClassNode c = owners.remove(owners.size() - 1)[0];
            if (!seen.add(c.name + "." + m.name + m.desc)) {
                continue;
            }
            for (AbstractInsnNode n : m.instructions) {
                if (n instanceof MethodInsnNode mi) {
                    ClassSet.MethodRef r = set.resolveMethod(mi.owner, mi.name, mi.desc);
                    if (r != null && !r.owner().name.equals("verimem/kernel/arch/Cpu")) {
                        work.add(new MethodNode[] {r.method()});
                        owners.add(new ClassNode[] {r.owner()});
                    }
                }
            }
        }
        return new TreeSet<>(seen);
    }
}
