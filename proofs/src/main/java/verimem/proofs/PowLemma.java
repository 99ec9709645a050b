package verimem.proofs;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import de.uka.ilkd.key.java.Services;
import de.uka.ilkd.key.logic.PosInOccurrence;
import de.uka.ilkd.key.logic.PosInTerm;
import de.uka.ilkd.key.logic.SequentFormula;
import de.uka.ilkd.key.logic.Term;
import de.uka.ilkd.key.proof.Goal;
import de.uka.ilkd.key.proof.Proof;
import de.uka.ilkd.key.proof.rulefilter.TacletFilter;
import de.uka.ilkd.key.rule.TacletApp;

/**
 * A variable shift {@code x >> b} becomes {@code x / pow(2, b)} in KeY, and its auto mode then splits on
 * {@code pow(2, b) = 0} without knowing that 2^b >= 1: KeY has that lemma (powPositive, in its intPow rule file)
 * but no heuristic applies it. This pass adds the lemma for every pow term of every open goal, after which auto mode
 * is resumed. It only adds a fact KeY has already proved correct, so it cannot make a false goal provable.
 */
final class PowLemma {
    private static final String LEMMA = "powPositive";

    private PowLemma() {
    }

    /** Applies the lemma to every distinct pow term of every open goal; returns how many times it was applied. */
    static int applyToOpenGoals(Proof proof) {
        Services services = proof.getServices();
        int applied = 0;
        for (Goal start : proof.openGoals()) {
            Goal g = start;
            Set<Term> done = new HashSet<>();
            for (int guard = 0; guard < 64; guard++) {
                PosInOccurrence pio = firstNewPow(g, done);
                if (pio == null) {
                    break;
                }
                done.add(pio.subTerm());
                TacletApp app = lemmaAt(g, pio, services);
                if (app == null) {
                    continue;
                }
                g = g.apply(app).head();
                applied++;
            }
        }
        return applied;
    }

    private static TacletApp lemmaAt(Goal g, PosInOccurrence pio, Services services) {
        for (TacletApp app : g.ruleAppIndex().getTacletAppAt(TacletFilter.TRUE, pio, services)) {
            if (app.taclet().name().toString().equals(LEMMA)) {
                return app.tryToInstantiate(services);
            }
        }
        return null;
    }

    private static PosInOccurrence firstNewPow(Goal g, Set<Term> done) {
        for (boolean antec : new boolean[] {true, false}) {
            for (SequentFormula sf : antec ? g.sequent().antecedent() : g.sequent().succedent()) {
                List<PosInTerm> found = new ArrayList<>();
                collect(sf.formula(), PosInTerm.getTopLevel(), found);
                for (PosInTerm pit : found) {
                    if (!done.contains(pit.getSubTerm(sf.formula()))) {
                        return new PosInOccurrence(sf, pit, antec);
                    }
                }
            }
        }
        return null;
    }

    private static void collect(Term t, PosInTerm at, List<PosInTerm> out) {
        if (t.op().name().toString().equals("pow") && t.arity() == 2) {
            out.add(at);
        }
        for (int i = 0; i < t.arity(); i++) {
            collect(t.sub(i), at.down(i), out);
        }
    }
}
