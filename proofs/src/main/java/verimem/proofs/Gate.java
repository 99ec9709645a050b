package verimem.proofs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The CI gate: the committed baseline lists every contract that was proved when it was last updated; a run fails
 * when any of them is no longer proved (open, error, or not run at all). Newly proved contracts do not fail the run,
 * they are listed so that the baseline can be raised with --update-baseline.
 */
public final class Gate {
    private Gate() {
    }

    public static Set<String> readBaseline(Path file) throws IOException {
        Set<String> ids = new TreeSet<>();
        if (!Files.exists(file)) {
            return ids;
        }
        for (String line : Files.readAllLines(file)) {
            String l = line.strip();
            if (!l.isEmpty() && !l.startsWith("#")) {
                ids.add(l);
            }
        }
        return ids;
    }

    /**
     * The new baseline: what this run proved, plus the old entries this run was not asked to prove (a subset run with
     * --include must not drop the rest of the baseline).
     */
    public static Set<String> updatedBaseline(Set<String> old, java.util.function.Predicate<String> included,
                                              List<ContractResult> results) {
        Set<String> ids = new TreeSet<>(proved(results));
        for (String id : old) {
            if (!included.test(id)) {
                ids.add(id);
            }
        }
        return ids;
    }

    public static void writeBaseline(Path file, Set<String> ids) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("# Contracts KeY proved; ci/prove.sh fails if one of them is no longer proved.");
        lines.add("# Regenerate with: ci/prove.sh --update-baseline (a run with --include rewrites only its subset)");
        lines.addAll(ids);
        Files.write(file, lines);
    }

    public static Set<String> proved(List<ContractResult> results) {
        Set<String> ids = new TreeSet<>();
        for (ContractResult r : results) {
            if (r.proved()) {
                ids.add(r.id());
            }
        }
        return ids;
    }

    /** Baseline contracts this run did not prove: each one is a regression. */
    public static Set<String> regressions(Set<String> baseline, List<ContractResult> results) {
        Set<String> missing = new TreeSet<>(baseline);
        missing.removeAll(proved(results));
        return missing;
    }

    /** Contracts proved now that the baseline does not list yet. */
    public static Set<String> newlyProved(Set<String> baseline, List<ContractResult> results) {
        Set<String> extra = proved(results);
        extra.removeAll(baseline);
        return extra;
    }
}
