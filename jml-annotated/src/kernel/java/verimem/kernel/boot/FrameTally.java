package verimem.kernel.boot;

/**
 * The counters of a {@link HandOffCheck}, in an object of their own: the check's loops then write only fields of
 * this object, so their frame is the single location set "tally.*", which KeY keeps apart from the pre-PMM's and
 * the segment table's footprints by the classes alone (no field-by-field disjointness after every write).
 * HandOffCheck does the counting; this class only holds the numbers.
 */
public final class FrameTally {
    /* No invariant, and said so: \invariant_for(tally) then holds in every heap without unfolding anything. */
    //@ accessible \inv: \nothing;
    /*@ spec_public @*/ long usable;
    /*@ spec_public @*/ long free;
    /*@ spec_public @*/ long pageTables;
    /*@ spec_public @*/ long metadata;
    /*@ spec_public @*/ long earlyData;
    /*@ spec_public @*/ long carvedOut;
    /*@ spec_public @*/ long violations;
    /*@ spec_public @*/ long firstViolation;

    /*@ public normal_behavior
      @   ensures usable == 0 && free == 0 && pageTables == 0 && metadata == 0 && earlyData == 0;
      @   ensures carvedOut == 0 && violations == 0 && firstViolation == -1;
      @   assignable \nothing;
      @*/
    public FrameTally() {
        firstViolation = -1;
    }
}
