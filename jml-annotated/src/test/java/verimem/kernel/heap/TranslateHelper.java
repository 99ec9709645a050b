package verimem.kernel.heap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import verimem.kernel.vmm.TranslateResult;
import verimem.kernel.vmm.VmmFixture;

final class TranslateHelper {
    private TranslateHelper() {
    }

    static void assertUncached(VmmFixture fx, long va, long pa) {
        TranslateResult tr = new TranslateResult();
        assertEquals(pa, fx.vmm.kernelSpace().translate(va, tr));
        assertTrue(tr.cacheDisable && tr.noExecute && tr.writable && !tr.user);
    }
}
