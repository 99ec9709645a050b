package verimem.aot;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;
import verimem.aot.codegen.Options;

/** --elide-bounds drops the array checks of the listed methods only; the default keeps every check. */
class BoundsElisionTest {
    private static String function(String c, String name) {
        int start = c.indexOf("\n" + "int64_t " + name + "(");
        if (start < 0) {
            start = c.indexOf(" " + name + "(");
        }
        assertTrue(start >= 0, "function " + name + " not found");
        int end = c.indexOf("\n}\n", start);
        return c.substring(start, end);
    }

    @Test
    void defaultKeepsChecksAndTheFlagRemovesThemForTheListedMethodOnly() {
        String checked = Compiler.compile(Inputs.kernel(), Options.defaults()).files().get("verimem_aot.c");
        String add = function(checked, "verimem_kernel_memmap_MemoryMap_add");
        String start = function(checked, "verimem_kernel_memmap_MemoryMap_start");
        assertTrue(add.contains("vm_elem("), "default build checks bounds in MemoryMap.add");
        assertFalse(add.contains("vm_elem_unchecked("));

        String elided = Compiler.compile(Inputs.kernel(),
                new Options(Set.of("verimem.kernel.memmap.MemoryMap.add"), null)).files().get("verimem_aot.c");
        String addElided = function(elided, "verimem_kernel_memmap_MemoryMap_add");
        assertFalse(addElided.contains("vm_elem("), "listed method keeps a bounds check");
        assertTrue(addElided.contains("vm_elem_unchecked("));
        assertTrue(addElided.contains("bounds checks elided"), "the C says why the checks are missing");
        assertTrue(function(elided, "verimem_kernel_memmap_MemoryMap_start").equals(start),
                "a method not listed is unchanged");
    }
}
