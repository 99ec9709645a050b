package verimem.aot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole kernel (every class under verimem.kernel on the classpath, as it is on main) goes through the
 * command-line compiler and then through gcc with zero warnings under -Wall -Wextra -Werror: freestanding with
 * the kernel flags from DESIGN.md (compile only; linking is the kernel issue) and hosted.
 */
class KernelBuildTest {
    private static Path out;

    @BeforeAll
    static void compileWithTheCommandLine() throws Exception {
        Gcc.assumePresent();
        out = Gcc.workDir("kernel");
        Compiler.main(new String[] {"--classes", Inputs.kernelRoot().toString(), "--out", out.toString()});
    }

    private static void assertCompilesCleanly(List<String> flags, Path source, String what) throws Exception {
        List<String> args = new ArrayList<>(flags);
        args.addAll(Gcc.WARNINGS);
        args.addAll(List.of("-c", source.toString(), "-o", out.resolve(what + ".o").toString()));
        Gcc.Result r = Gcc.gcc(out, args);
        assertEquals(0, r.exit(), what + ": gcc failed:\n" + r.stderr());
        assertEquals("", r.stderr(), what + ": gcc printed warnings");
        assertTrue(Files.size(out.resolve(what + ".o")) > 0);
    }

    @Test
    void everyKernelClassBecomesAFunctionPerMethod() throws Exception {
        String c = Files.readString(out.resolve("verimem_aot.c"));
        for (String fn : List.of("verimem_kernel_arch_Bits_lowestSetBit", "verimem_kernel_arch_VirtAddr_index",
                "verimem_kernel_arch_Pte_make", "verimem_kernel_memmap_MemoryMap_add", "void vm_clinit_all(void)")) {
            assertTrue(c.contains(fn), "missing " + fn);
        }
        assertTrue(c.contains("/* MemoryMap.java:"), "Java line numbers are kept as comments");
        assertTrue(!c.contains("verimem_kernel_arch_Cpu_"), "Cpu bodies are intrinsics and never compiled");
    }

    @Test
    void freestandingBuildHasNoWarnings() throws Exception {
        assertCompilesCleanly(Gcc.FREESTANDING, out.resolve("verimem_aot.c"), "kernel-freestanding");
        assertCompilesCleanly(Gcc.FREESTANDING, Gcc.runtimeDir().resolve("vm_common.c"), "vm_common-freestanding");
        assertCompilesCleanly(Gcc.FREESTANDING, Gcc.runtimeDir().resolve("vm_freestanding.c"), "vm_freestanding");
    }

    @Test
    void hostedBuildHasNoWarnings() throws Exception {
        List<String> hosted = List.of("-O2");
        assertCompilesCleanly(hosted, out.resolve("verimem_aot.c"), "kernel-hosted");
        assertCompilesCleanly(hosted, Gcc.runtimeDir().resolve("vm_common.c"), "vm_common-hosted");
        assertCompilesCleanly(hosted, Gcc.runtimeDir().resolve("vm_hosted.c"), "vm_hosted");
    }

    @Test
    void noPlainSignedArithmeticIsEmitted() throws Exception {
        // Every + - * goes through vm_iadd/vm_ladd/...; the generated code never writes a bare operator on values.
        for (String line : Files.readAllLines(out.resolve("verimem_aot.c"))) {
            String code = line.replaceAll("\"[^\"]*\"", "\"\"").replaceAll("/\\*.*?\\*/", "");
            if (code.trim().startsWith("s") || code.trim().startsWith("l")) {
                assertTrue(!code.matches(".*[a-z0-9_] [+*-] [a-zA-Z0-9_(].*"), "plain arithmetic in: " + line);
            }
        }
    }
}
