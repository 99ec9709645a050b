package verimem.robust;

import verimem.kernel.arch.Err;
import verimem.kernel.memmap.MapSanitiser;
import verimem.kernel.memmap.MemoryMap;

/**
 * A deliberately wrong sanitiser, test code only: the oracle must catch it. The bug is a realistic one, the way an
 * E820 table applied in order behaves: when the LAST raw entry is usable, it overrides whatever earlier entries say
 * about its bytes (reserved, ACPI, unknown types), instead of the most restrictive type winning. It wraps the real
 * sanitiser: earlier entries are cut around the last one before sanitising, so every output still satisfies
 * MapInvariants and only the type rule is broken. No seed has a usable last entry overlapping another entry, so the
 * seeds pass and the fuzzer has to find such a map ({@link OracleCatchesMutantTest}, ci/fuzz.sh).
 */
public final class SanitiserMutant {
    private SanitiserMutant() {
    }

    static long lastUsableWins(MemoryMap raw, MemoryMap scratch, MemoryMap out) {
        int n = raw.count();
        if (n < 2 || raw.type(n - 1) != MemoryMap.USABLE || raw.start(n - 1) < 0
                || raw.end(n - 1) <= raw.start(n - 1)) {
            return MapSanitiser.sanitise(raw, scratch, out);
        }
        long s = raw.start(n - 1), e = raw.end(n - 1);
        MemoryMap cut = new MemoryMap();
        for (int i = 0; i < n - 1; i++) {
            long a = raw.start(i), b = raw.end(i);
            boolean plain = 0 <= a && a < b;
            long r = Err.OK;
            if (!plain || b <= s || e <= a) {
                r = cut.add(a, b, raw.type(i));
            } else {
                if (a < s) {
                    r = cut.add(a, s, raw.type(i));
                }
                if (r == Err.OK && e < b) {
                    r = cut.add(e, b, raw.type(i));
                }
            }
            if (r != Err.OK) {
                return MapSanitiser.sanitise(raw, scratch, out); // no room to cut: behave correctly
            }
        }
        if (cut.add(s, e, MemoryMap.USABLE) != Err.OK) {
            return MapSanitiser.sanitise(raw, scratch, out);
        }
        return MapSanitiser.sanitise(cut, scratch, out);
    }

    /** The Jazzer target ci/fuzz.sh runs to show the oracle has teeth: the sanitiser target with the mutant. */
    public static void fuzzerTestOneInput(byte[] data) {
        SanitiserFuzzTarget.run(SanitiserMutant::lastUsableWins, data);
    }
}
