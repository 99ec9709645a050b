package verimem.proofs;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
