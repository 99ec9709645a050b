package verimem.proofs;

import java.util.LinkedHashMap;
import java.util.Map;

import de.uka.ilkd.key.settings.ChoiceSettings;
import de.uka.ilkd.key.settings.ProofIndependentSettings;
import de.uka.ilkd.key.settings.ProofSettings;
import de.uka.ilkd.key.strategy.StrategyProperties;

/**
 * Every KeY setting the proofs depend on, set explicitly so that a run never inherits whatever a GUI session left in
 * ~/.key (the worker JVMs also get a private user.home). Changing a value here changes what "proved" means: the
 * report prints these maps so a reader sees the exact semantics a proof was made under.
 */
public final class KeySettings {
    private KeySettings() {
    }

    /**
     * Taclet options (logic semantics). Chosen before the sources are loaded because they select the rule base.
     * intRules:javaSemantics is the sound one: with the default ("arithmeticSemanticsIgnoringOF") KeY "proves"
     * wrong canonical-address checks (../shared/DESIGN.md).
     */
    public static Map<String, String> choices() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("intRules", "intRules:javaSemantics");
        c.put("runtimeExceptions", "runtimeExceptions:ban");
        c.put("assertions", "assertions:safe");
        c.put("initialisation", "initialisation:disableStaticInitialisation");
        c.put("programRules", "programRules:Java");
        c.put("JavaCard", "JavaCard:off");
        c.put("Strings", "Strings:on");
        c.put("bigint", "bigint:on");
        c.put("sequences", "sequences:on");
        c.put("moreSeqRules", "moreSeqRules:on");
        c.put("reach", "reach:on");
        c.put("integerSimplificationRules", "integerSimplificationRules:full");
        c.put("methodExpansion", "methodExpansion:modularOnly");
        c.put("wdOperator", "wdOperator:L");
        c.put("wdChecks", "wdChecks:off");
        c.put("permissions", "permissions:off");
        c.put("floatRules", "floatRules:strictfpOnly");
        c.put("mergeGenerateIsWeakeningGoal", "mergeGenerateIsWeakeningGoal:off");
        c.put("modelFields", "modelFields:treatAsAxiom");
        c.put("javaLoopTreatment", "javaLoopTreatment:efficient");
        return c;
    }

    /** Strategy (how auto mode searches): modular (contracts, loop-scope invariants), DEF_OPS non-linear arithmetic. */
    public static StrategyProperties strategy() {
        StrategyProperties sp = new StrategyProperties();
        sp.setProperty(StrategyProperties.METHOD_OPTIONS_KEY, StrategyProperties.METHOD_CONTRACT);
        sp.setProperty(StrategyProperties.LOOP_OPTIONS_KEY, StrategyProperties.LOOP_SCOPE_INV_TACLET);
        sp.setProperty(StrategyProperties.BLOCK_OPTIONS_KEY, StrategyProperties.BLOCK_CONTRACT_INTERNAL);
        sp.setProperty(StrategyProperties.NON_LIN_ARITH_OPTIONS_KEY, StrategyProperties.NON_LIN_ARITH_DEF_OPS);
        sp.setProperty(StrategyProperties.QUERY_OPTIONS_KEY, StrategyProperties.QUERY_ON);
        sp.setProperty(StrategyProperties.QUERYAXIOM_OPTIONS_KEY, StrategyProperties.QUERYAXIOM_ON);
        sp.setProperty(StrategyProperties.DEP_OPTIONS_KEY, StrategyProperties.DEP_ON);
        sp.setProperty(StrategyProperties.SPLITTING_OPTIONS_KEY, StrategyProperties.SPLITTING_DELAYED);
        sp.setProperty(StrategyProperties.MPS_OPTIONS_KEY, StrategyProperties.MPS_MERGE);
        sp.setProperty(StrategyProperties.OSS_OPTIONS_KEY, StrategyProperties.OSS_ON);
        sp.setProperty(StrategyProperties.QUANTIFIERS_OPTIONS_KEY,
            StrategyProperties.QUANTIFIERS_NON_SPLITTING_WITH_PROGS);
        sp.setProperty(StrategyProperties.CLASS_AXIOM_OPTIONS_KEY, StrategyProperties.CLASS_AXIOM_FREE);
        sp.setProperty(StrategyProperties.AUTO_INDUCTION_OPTIONS_KEY, StrategyProperties.AUTO_INDUCTION_OFF);
        sp.setProperty(StrategyProperties.STOPMODE_OPTIONS_KEY, StrategyProperties.STOPMODE_DEFAULT);
        sp.setProperty(StrategyProperties.INF_FLOW_CHECK_PROPERTY, StrategyProperties.INF_FLOW_CHECK_FALSE);
        for (int i = 1; i <= StrategyProperties.USER_TACLETS_NUM; i++) {
            sp.setProperty(StrategyProperties.userTacletsOptionsKey(i), StrategyProperties.USER_TACLETS_OFF);
        }
        return sp;
    }

    /**
     * Origin labels off: they record, for the GUI, which JML clause each formula came from, and carrying them costs
     * time in every rule application (Pmm's accessible clause: 6711 rules either way, 31-32 s CPU without them
     * against 42-46 s with them, same machine). They take no part in the logic or the strategy.
     */
    public static final boolean ORIGIN_LABELS = false;

    /** Installs the choices as KeY's defaults and switches origin labels off; call before KeYEnvironment.load. */
    public static void installChoices() {
        ChoiceSettings cs = ProofSettings.DEFAULT_SETTINGS.getChoiceSettings();
        Map<String, String> all = new LinkedHashMap<>(cs.getDefaultChoices());
        all.putAll(choices());
        cs.setDefaultChoices(all);
        ProofIndependentSettings.DEFAULT_INSTANCE.getTermLabelSettings().setUseOriginLabels(ORIGIN_LABELS);
    }
}
