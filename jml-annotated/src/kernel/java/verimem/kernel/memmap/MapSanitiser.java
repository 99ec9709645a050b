package verimem.kernel.memmap;

import verimem.kernel.arch.Err;

/**
 * Turns a raw firmware map into a clean one, the way Linux's e820__update_table does:
 *  1. drop entries that are empty or wrap past 2^64 (start + length overflowed; ends are kept as the raw 64-bit
 *     bit pattern, so a wrap shows as end &lt; start read unsigned), drop what starts at or above MAX_PHYS and clip
 *     what reaches beyond it;
 *  2. resolve overlaps, the most restrictive type winning ({@link RegionTypes});
 *  3. sort and merge touching ranges of equal type;
 *  4. shrink usable ranges to whole 4 KiB pages.
 * Allocation-free: the caller passes a scratch map. Bounded: O(n^2) over at most CAPACITY entries.
 */
public final class MapSanitiser {
    private MapSanitiser() {
    }

    /*@ public normal_behavior
      @   requires raw != null && scratch != null && out != null;
      @   requires raw != scratch && raw != out && scratch != out;
      @   requires \invariant_for(raw) && \invariant_for(scratch) && \invariant_for(out);
      @   requires scratch.starts != raw.starts && scratch.starts != raw.ends && scratch.ends != raw.starts
      @            && scratch.ends != raw.ends && scratch.types != raw.types;
      @   requires out.starts != scratch.starts && out.starts != scratch.ends && out.ends != scratch.starts
      @            && out.ends != scratch.ends && out.types != scratch.types;
      @   ensures \result == Err.OK || \result == Err.BAD_MEMORY_MAP;
      @   ensures \result == Err.OK ==> MapInvariants.isSanitised(out);
      @   assignable scratch.count, scratch.starts[*], scratch.ends[*], scratch.types[*],
      @              out.count, out.starts[*], out.ends[*], out.types[*];
      @*/
    public static long sanitise(MemoryMap raw, MemoryMap scratch, MemoryMap out) {
        keptEntries(raw, scratch);
        return Sweep.run(scratch, scratch, false, out);
    }

    /** Step 1: scratch = the entries of raw that survive isKept, clipped at MAX_PHYS (own method: small proofs). */
    /*@ private normal_behavior
      @   requires raw != null && scratch != null && raw != scratch;
      @   requires \invariant_for(raw) && \invariant_for(scratch);
      @   requires scratch.starts != raw.starts && scratch.starts != raw.ends && scratch.ends != raw.starts
      @            && scratch.ends != raw.ends && scratch.types != raw.types;
      @   ensures \invariant_for(scratch);
      @   ensures (\forall int k; 0 <= k && k < scratch.count; 0 <= scratch.starts[k]
      @                   && scratch.starts[k] < scratch.ends[k] && scratch.ends[k] <= MapInvariants.MAX_PHYS);
      @   assignable scratch.count, scratch.starts[*], scratch.ends[*], scratch.types[*];
      @*/
    private static void keptEntries(MemoryMap raw, MemoryMap scratch) {
        scratch.clear();
        int n = raw.count();
        /*@ loop_invariant 0 <= i && i <= n && n == raw.count && scratch.count <= i;
          @ loop_invariant \invariant_for(scratch);
          @ loop_invariant (\forall int k; 0 <= k && k < scratch.count; 0 <= scratch.starts[k]
          @                   && scratch.starts[k] < scratch.ends[k] && scratch.ends[k] <= MapInvariants.MAX_PHYS);
          @ decreases n - i;
          @ assignable scratch.count, scratch.starts[*], scratch.ends[*], scratch.types[*];
          @*/
        for (int i = 0; i < n; i++) {
            long s = raw.start(i);
            long e = raw.end(i);
            if (isKept(s, e)) {
                scratch.append(s, clippedEnd(e), raw.type(i));
            }
        }
    }

    /**
     * Whether a raw [start, end) survives step 1. start and end are unsigned 64-bit values held in longs: a
     * negative start lies above 2^63 (far above MAX_PHYS); a negative end with a non-negative start cannot be a
     * wrap (the unsigned end is above 2^63 &gt; start); a non-negative end at or below start is empty or wrapped.
     */
    // isKept and clippedEnd assign \strictly_nothing: keptEntries' loop then carries one heap per iteration, not
    // an anonymised heap after each call.
    /*@ public normal_behavior
      @   ensures \result == (0 <= start && start < MapInvariants.MAX_PHYS && (end < 0 || end > start));
      @   assignable \strictly_nothing;
      @*/
    /*@ pure @*/ public static boolean isKept(long start, long end) {
        return 0 <= start && start < MapInvariants.MAX_PHYS && (end < 0 || end > start);
    }

    /*@ public normal_behavior
      @   ensures (end < 0 || end > MapInvariants.MAX_PHYS) ==> \result == MapInvariants.MAX_PHYS;
      @   ensures (0 <= end && end <= MapInvariants.MAX_PHYS) ==> \result == end;
      @   assignable \strictly_nothing;
      @*/
    /*@ pure @*/ public static long clippedEnd(long end) {
        if (end < 0 || end > MapInvariants.MAX_PHYS) {
            return MapInvariants.MAX_PHYS;
        }
        return end;
    }
}
