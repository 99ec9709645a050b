package verimem.proofs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GateTest {
    private static final String A = "verimem.kernel.arch.Bits[verimem.kernel.arch.Bits::bit(int)].JML normal_behavior operation contract.0";
    private static final String B = "verimem.kernel.pmm.Pmm[verimem.kernel.pmm.Pmm::allocFrame()].JML normal_behavior operation contract.0";
    private static final String C = "verimem.kernel.arch.Cpu[verimem.kernel.arch.Cpu::load64(long)].JML normal_behavior operation contract.0";

    private static ContractResult r(String id, String status) {
        return new ContractResult(id, "p", status, 10, 0, 5, 4, "auto", "");
    }

    @Test
    void aBaselineContractThatIsNoLongerProvedIsARegression() {
        Set<String> baseline = Set.of(A, B);
        List<ContractResult> now = List.of(r(A, ContractResult.PROVED), r(B, ContractResult.OPEN));
        assertEquals(Set.of(B), Gate.regressions(baseline, now));
    }

    @Test
    void aBaselineContractMissingFromTheRunIsARegression() {
        assertEquals(Set.of(B), Gate.regressions(Set.of(A, B), List.of(r(A, ContractResult.PROVED))));
    }

    @Test
    void trustedAndErrorDoNotCountAsProved() {
        List<ContractResult> now = List.of(r(A, ContractResult.TRUSTED), r(B, ContractResult.ERROR));
        assertEquals(Set.of(A, B), Gate.regressions(Set.of(A, B), now));
    }

    @Test
    void newlyProvedContractsAreReportedNotFailed() {
        List<ContractResult> now = List.of(r(A, ContractResult.PROVED), r(B, ContractResult.PROVED));
        assertTrue(Gate.regressions(Set.of(A), now).isEmpty());
        assertEquals(Set.of(B), Gate.newlyProved(Set.of(A), now));
    }

    @Test
    void baselineRoundTripsThroughItsFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("baseline.txt");
        List<ContractResult> run = List.of(r(B, ContractResult.PROVED), r(A, ContractResult.PROVED), r(C, ContractResult.TRUSTED));
        Gate.writeBaseline(f, Gate.updatedBaseline(Set.of(), id -> true, run));
        assertEquals(Set.of(A, B), Gate.readBaseline(f));
        assertTrue(Files.readString(f).startsWith("#"));
    }

    @Test
    void aSubsetUpdateKeepsTheEntriesOutsideItsSubsetAndDropsWhatItNoLongerProves() {
        java.util.function.Predicate<String> onlyBits = id -> id.contains("Bits");
        // A is in the subset and now open: dropped; B is outside the subset and not run: kept; C is newly proved.
        Set<String> updated = Gate.updatedBaseline(Set.of(A, B), onlyBits,
            List.of(r(A, ContractResult.OPEN), r(C, ContractResult.PROVED)));
        assertEquals(Set.of(B, C), updated);
    }

    @Test
    void resultLinesRoundTripAndRejectGarbage() {
        ContractResult x = new ContractResult(A, "verimem.kernel.arch", ContractResult.OPEN, 123, 2, 4567, 3000, "auto",
            "step limit 20000, 2 open goal(s)");
        assertEquals(x, ContractResult.fromLine(x.toLine()));
        try {
            ContractResult.fromLine("only\ttwo");
            throw new AssertionError("a malformed line was accepted");
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage().contains("bad result line"));
        }
    }

    @Test
    void statusTableCountsPerPackageAndListsOpenOnes() {
        List<ContractResult> rs = List.of(
            new ContractResult(A, "verimem.kernel.arch", ContractResult.PROVED, 50, 0, 1000, 900, "auto", ""),
            new ContractResult(C, "verimem.kernel.arch", ContractResult.TRUSTED, 0, 0, 0, 0, "declared", "intrinsic"),
            new ContractResult(B, "verimem.kernel.pmm", ContractResult.OPEN, 9, 1, 2000, 1500, "auto", "time-out 30 s"));
        String md = Report.markdown(rs, java.util.Map.of(B, "needs a loop invariant"), 3000, 2, 100, 30);
        assertTrue(md.contains("**1 / 3 contracts proved** (50.0% of the 2"), md);
        assertTrue(md.contains("| verimem.kernel.arch | 1 | 1 | 2 | 1 | 1 |"), md);
        assertTrue(md.contains("| verimem.kernel.pmm | 0 | 0 | 1 | 2 | 2 |"), md);
        assertTrue(md.contains("| Pmm::allocFrame() | OPEN | 9 | time-out 30 s; needs a loop invariant |"), md);
        assertTrue(md.contains("Trusted (declared, not proved): Cpu::load64(long)."), md);
    }

    @Test
    void thePercentageIsRoundedDownSoAGoalIsNeverShownMetEarly() {
        assertEquals("89.7%", Report.percentDown(340, 379));
        assertEquals("90.2%", Report.percentDown(342, 379));
        assertEquals("100.0%", Report.percentDown(5, 5));
        assertEquals("0.0%", Report.percentDown(0, 0));
    }

    @Test
    void shortNameKeepsClassMethodAndExtraSpecCases() {
        assertEquals("Bits::bit(int)", Report.shortName(A));
        assertEquals("MemoryMap::add(long,long,int) #1", Report.shortName(
            "verimem.kernel.memmap.MemoryMap[verimem.kernel.memmap.MemoryMap::add(long,long,int)].JML normal_behavior operation contract.1"));
    }

    @Test
    void jsonEscapesQuotesAndControlCharacters() {
        assertEquals("\"a\\\"b\\\\c\\n\"", Report.json("a\"b\\c\n"));
    }
}
