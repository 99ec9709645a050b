package verimem.aot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import verimem.aot.classfile.ClassSet;
import verimem.aot.subset.SubsetChecker;
import verimem.aot.subset.Violation;

/** The checker rejects each construct outside the kernel subset, naming class, method, offset and a reason. */
class SubsetCheckerTest {
    private static List<Violation> violationsOf(String simpleName) {
        ClassSet set = Inputs.kernelPlus("verimem/aot/offending/Base", "verimem/aot/offending/Derived",
                "verimem/aot/offending/" + simpleName + ".");
        return new SubsetChecker(set).check().stream()
                .filter(v -> v.className().equals("verimem/aot/offending/" + simpleName)).toList();
    }

    @ParameterizedTest(name = "{0}.{1}: {2}")
    @CsvSource(delimiter = '|', value = {
        "VirtualCall   | call         | no statically known target",
        "TryCatch      | safeDiv      | try/catch",
        "Monitor       | bump         | monitors",
        "Lambda        | apply        | invokedynamic",
        "StringOps     | length       | String",
        "StringConcat  | show         | invokedynamic",
        "UsesJavaUtil  | clear        | java.util",
        "Floats        | half         | floating point",
        "Boxing        | hash         | boxing",
        "InterfaceCall | read         | interface calls",
        "ThrowsOther   | check        | athrow is only accepted",
        "PanicWithVariable | fail     | KernelPanic may only be used",
        "HostOnlyCpu   | plugIn       | not a kernel intrinsic",
    })
    void rejectsWithPlaceAndReason(String cls, String method, String reason) {
        List<Violation> vs = violationsOf(cls);
        assertTrue(vs.stream().anyMatch(v -> v.method() != null && v.method().startsWith(method + "(")
                && v.offset() >= 0 && v.line() > 0 && v.reason().contains(reason)),
                "expected a violation in " + cls + "." + method + " mentioning '" + reason + "' at an offset; got "
                        + vs);
    }

    @Test
    void hostReferenceIsRejectedAsSuch() {
        List<Violation> vs = violationsOf("UsesHost");
        assertTrue(vs.stream().anyMatch(v -> v.method().startsWith("present(")
                && v.reason().contains("kernel code must not reference host code")), vs.toString());
    }

    @Test
    void offsetIsTheJavapOffset() {
        // TryCatch.safeDiv: 0 iload_0, 1 iload_1, 2 idiv, 3 ireturn, 4 astore_2 (the handler)
        Violation v = violationsOf("TryCatch").get(0);
        assertEquals(4, v.offset(), v.toString());
        // Lambda.apply: invokedynamic is the first instruction
        Violation l = violationsOf("Lambda").stream().filter(x -> x.reason().contains("invokedynamic")).findFirst()
                .orElseThrow();
        assertEquals(0, l.offset(), l.toString());
        assertTrue(l.toString().startsWith("verimem.aot.offending.Lambda.apply(I)I @0 (line 7): invokedynamic"),
                l.toString());
    }

    @Test
    void theWholeKernelIsInsideTheSubset() {
        List<Violation> vs = new SubsetChecker(Inputs.kernel()).check();
        assertEquals(List.of(), vs);
    }

    @Test
    void theDifferentialCorpusIsInsideTheSubset() {
        List<Violation> vs = new SubsetChecker(Inputs.kernelPlus("verimem/aot/corpus/")).check();
        assertEquals(List.of(), vs);
    }
}
