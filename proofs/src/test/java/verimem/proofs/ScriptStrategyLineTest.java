package verimem.proofs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import de.uka.ilkd.key.strategy.StrategyProperties;
import org.junit.jupiter.api.Test;

class ScriptStrategyLineTest {
    @Test
    void aStrategyLineSetsThePropertyAndLeavesTheRestOfTheScript() {
        StrategyProperties sp = KeySettings.strategy();
        String rest = Worker.applyStrategyLines(
            "strategy CLASS_AXIOM_OPTIONS_KEY = CLASS_AXIOM_DELAYED;\nauto;\n", sp);
        assertEquals(StrategyProperties.CLASS_AXIOM_DELAYED, sp.getProperty(StrategyProperties.CLASS_AXIOM_OPTIONS_KEY));
        assertEquals("auto;", rest.strip());
    }

    @Test
    void aScriptWithoutStrategyLinesKeepsTheRunnerSettings() {
        StrategyProperties sp = KeySettings.strategy();
        String rest = Worker.applyStrategyLines("macro \"autopilot-prep\";\nauto;\n", sp);
        assertEquals(StrategyProperties.CLASS_AXIOM_FREE, sp.getProperty(StrategyProperties.CLASS_AXIOM_OPTIONS_KEY));
        assertEquals("macro \"autopilot-prep\";\nauto;\n", rest);
    }

    @Test
    void theJavaConstantNameOfTheQueryKeyIsRejectedBecauseKeyStoresItUnderAnotherName() {
        // StrategyProperties.QUERY_OPTIONS_KEY is the string "QUERY_NEW_OPTIONS_KEY"; the constant's own name
        // was once used in scripts and silently changed nothing.
        StrategyProperties sp = KeySettings.strategy();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> Worker.applyStrategyLines("strategy QUERY_OPTIONS_KEY = QUERY_OFF;\nauto;\n", sp));
        assertTrue(e.getMessage().contains("QUERY_OPTIONS_KEY"), e.getMessage());
        String rest = Worker.applyStrategyLines("strategy QUERY_NEW_OPTIONS_KEY = QUERY_OFF;\nauto;\n", sp);
        assertEquals(StrategyProperties.QUERY_OFF, sp.getProperty(StrategyProperties.QUERY_OPTIONS_KEY));
        assertEquals("auto;", rest.strip());
    }

    @Test
    void aMisspeltValueIsRejected() {
        StrategyProperties sp = KeySettings.strategy();
        assertThrows(IllegalArgumentException.class,
            () -> Worker.applyStrategyLines("strategy CLASS_AXIOM_OPTIONS_KEY = CLASS_AXIOMS_DELAYED;\n", sp));
        assertEquals(StrategyProperties.CLASS_AXIOM_FREE, sp.getProperty(StrategyProperties.CLASS_AXIOM_OPTIONS_KEY));
    }

    @Test
    void aSwitchLineWithAMisspeltValueIsRejected() {
        Worker.checkSwitchLines("auto;\nswitch NON_LIN_ARITH_OPTIONS_KEY = NON_LIN_ARITH_DEF_OPS;\nauto;\n");
        assertThrows(IllegalArgumentException.class,
            () -> Worker.checkSwitchLines("switch NON_LIN_ARITH_OPTIONS_KEY = DEF_OPS;\n"));
    }

    @Test
    void everyStoredScriptNamesOnlyKnownStrategyKeysAndValues() throws java.io.IOException {
        // Surefire runs in the proofs module folder, where the scripts live.
        java.util.List<java.nio.file.Path> scripts;
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of("scripts"))) {
            scripts = files.filter(f -> f.toString().endsWith(".script")).toList();
        }
        assertTrue(scripts.size() > 10, "expected the stored proof scripts, found " + scripts.size());
        for (java.nio.file.Path script : scripts) {
            String text = java.nio.file.Files.readString(script);
            StrategyProperties sp = KeySettings.strategy();
            String rest = Worker.applyStrategyLines(text, sp);
            assertTrue(!rest.contains("strategy "), script + " has a strategy line the runner does not read");
            Worker.checkSwitchLines(rest);
            Worker.cpuLimitFor(rest, 40_000L, 1_000L, true); // a `limit cpu` line above the cap throws
        }
    }

    @Test
    void aLimitLineRaisesTheCpuLimitOfABaselinedContractOnly() {
        String script = "limit cpu = 60;\nauto;\n";
        assertEquals(60_000L, Worker.cpuLimitFor(script, 40_000L, 1_000L, true));
        assertEquals(1_000L, Worker.cpuLimitFor(script, 40_000L, 1_000L, false));
        assertEquals(40_000L, Worker.cpuLimitFor("auto;\n", 40_000L, 1_000L, true));
        assertEquals(40_000L, Worker.cpuLimitFor(null, 40_000L, 1_000L, true));
        assertThrows(IllegalArgumentException.class, () -> Worker.cpuLimitFor("limit cpu = 600;\n", 40_000L, 1_000L, true));
    }
}
