package verimem.robust;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The fuzz oracle can fail: with {@link SanitiserMutant} (the last usable entry overrides reserved ones) in place of
 * the real sanitiser, every seed still passes, so only fuzzing can expose the bug, and the reproducer Jazzer found
 * for it (ci/fuzz.sh's mutant self-test, saved as a test resource) is a finding for the mutant and a valid map for
 * the real sanitiser.
 */
class OracleCatchesMutantTest {
    static byte[] reproducer() throws IOException {
        try (InputStream in = OracleCatchesMutantTest.class.getResourceAsStream("mutant-reproducer.bin")) {
            assertTrue(in != null, "test resource verimem/robust/mutant-reproducer.bin missing");
            return in.readAllBytes();
        }
    }

    @Test
    void theSeedsDoNotRevealTheMutant() {
        List<byte[]> seeds = SanitiserFuzzTarget.seedInputs();
        for (byte[] s : seeds) {
            assertDoesNotThrow(() -> SanitiserFuzzTarget.run(SanitiserMutant::lastUsableWins, s));
        }
    }

    @Test
    void theReproducerJazzerFoundRevealsIt() throws IOException {
        byte[] r = reproducer();
        AssertionError e = assertThrows(AssertionError.class,
                () -> SanitiserFuzzTarget.run(SanitiserMutant::lastUsableWins, r));
        assertTrue(e.getMessage().startsWith("sanitised "), e.getMessage()); // caught at the sanitiser step
        assertDoesNotThrow(() -> SanitiserFuzzTarget.run(FuzzPipeline.REAL, r));
    }
}
