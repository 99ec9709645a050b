package verimem.aot.codegen;

import java.util.Set;

/**
 * Code-generation switches.
 *
 * @param elideBoundsIn methods ("pkg.Class.method") whose array accesses are emitted without bounds checks,
 *                      because KeY proved their indices in range; the default (empty) keeps every check
 * @param mutateOpcode  test-of-the-test only: an opcode mnemonic (e.g. "lushr") translated deliberately wrong,
 *                      so the differential suite can show it notices; null in every real build
 */
public record Options(Set<String> elideBoundsIn, String mutateOpcode) {
    public static Options defaults() {
        return new Options(Set.of(), null);
    }
}
