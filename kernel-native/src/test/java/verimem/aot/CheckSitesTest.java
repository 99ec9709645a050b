package verimem.aot;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import verimem.aot.codegen.Options;

/**
 * Which checks the default build drops and which it keeps (the differential suite shows the behaviour; this
 * shows the shape): null checks on a fixed 'this' go, null checks on other references and every bounds check
 * stay, and lcmp + if<cond> is one C comparison.
 */
class CheckSitesTest {
    private static final String C = Compiler.compile(Inputs.kernel(), Options.defaults()).files().get("verimem_aot.c");

    private static String function(String name) {
        int start = C.indexOf(" " + name + "(void *la0");
        assertTrue(start >= 0, "function " + name + " not found");
        return C.substring(start, C.indexOf("\n}\n", start));
    }

    @Test
    void fieldAccessOnThisHasNoNullCheckButArraysKeepTheirChecks() {
        String storeWord = function("verimem_kernel_pmm_Pmm_storeWord"); // this.bitmap[w] = ..., this.full[...]
        assertTrue(storeWord.contains("((struct verimem_kernel_pmm_Pmm *)sa0)->bitmap"), storeWord);
        assertFalse(storeWord.contains("vm_nonnull("), "a null check on this is left in Pmm.storeWord");
        assertTrue(storeWord.contains("vm_elem("), "the bounds checks of Pmm.storeWord are gone");
    }

    @Test
    void aCallThroughAFieldKeepsItsNullCheck() {
        String run = function("verimem_kernel_boot_Bootstrap_run"); // mapper.installRecursiveSlot()
        assertTrue(run.contains("verimem_kernel_earlymap_EarlyMapper_installRecursiveSlot(vm_nonnull("), run);
    }

    @Test
    void longComparisonsAreFusedWithTheirBranch() {
        String free = function("verimem_kernel_pmm_Pmm_freeFrame");
        assertFalse(free.contains("vm_lcmp("), "an lcmp of Pmm.freeFrame went through the helper");
        assertTrue(free.contains("/* lcmp; if"), "no fused comparison in Pmm.freeFrame");
    }
}
