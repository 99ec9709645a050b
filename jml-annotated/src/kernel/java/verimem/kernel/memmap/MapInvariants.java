package verimem.kernel.memmap;

/**
 * The shape every sanitised (and carved) map has: entries sorted by start, non-overlapping, each non-empty, inside
 * [0, MAX_PHYS], and every usable range page aligned at both ends. Executable so that tests check exactly the
 * predicate the contracts state.
 */
public final class MapInvariants {
    private MapInvariants() {
    }

    public static final long PAGE = 4096L;
    /** x86-64 physical addresses have at most 52 bits; nothing in a memory map can lie above. */
    public static final long MAX_PHYS = 4503599627370496L;

    // Stated as "true ==> every entry is fine" and "false ==> some entry is not" (together: \result == (\forall ...)):
    // the false case then needs a witness, the failing index, instead of refuting a quantifier inside an \if.
    /*@ public normal_behavior
      @   requires map != null && \invariant_for(map);
      @   ensures \result ==> (\forall int i; 0 <= i && i < map.count;
      @              0 <= map.starts[i] && map.starts[i] < map.ends[i] && map.ends[i] <= MAX_PHYS
      @              && (i + 1 < map.count ==> map.ends[i] <= map.starts[i + 1])
      @              && (map.types[i] == MemoryMap.USABLE ==> map.starts[i] % PAGE == 0 && map.ends[i] % PAGE == 0));
      @   ensures !\result ==> (\exists int i; 0 <= i && i < map.count;
      @              !(0 <= map.starts[i] && map.starts[i] < map.ends[i] && map.ends[i] <= MAX_PHYS
      @              && (i + 1 < map.count ==> map.ends[i] <= map.starts[i + 1])
      @              && (map.types[i] == MemoryMap.USABLE ==> map.starts[i] % PAGE == 0 && map.ends[i] % PAGE == 0)));
      @   assignable \strictly_nothing;
      @*/
    /*@ pure @*/ public static boolean isSanitised(MemoryMap map) {
        int n = map.count();
        /*@ loop_invariant 0 <= i && i <= n && n == map.count;
          @ loop_invariant (\forall int j; 0 <= j && j < i;
          @     0 <= map.starts[j] && map.starts[j] < map.ends[j] && map.ends[j] <= MAX_PHYS
          @     && (j + 1 < map.count ==> map.ends[j] <= map.starts[j + 1])
          @     && (map.types[j] == MemoryMap.USABLE ==> map.starts[j] % PAGE == 0 && map.ends[j] % PAGE == 0));
          @ decreases n - i;
          @ assignable \strictly_nothing;
          @*/
        for (int i = 0; i < n; i++) {
            if (!entryOk(map, i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The sanitised predicate for entry i alone. Its own method so that isSanitised's "false" case has the failing
     * index as a witness in one term instead of three early returns with the predicate spread over them.
     */
    /*@ public normal_behavior
      @   requires map != null && \invariant_for(map) && 0 <= i && i < map.count;
      @   ensures \result == (0 <= map.starts[i] && map.starts[i] < map.ends[i] && map.ends[i] <= MAX_PHYS
      @              && (i + 1 < map.count ==> map.ends[i] <= map.starts[i + 1])
      @              && (map.types[i] == MemoryMap.USABLE ==> map.starts[i] % PAGE == 0 && map.ends[i] % PAGE == 0));
      @   assignable \strictly_nothing;
      @*/
    /*@ pure @*/ public static boolean entryOk(MemoryMap map, int i) {
        long s = map.start(i);
        long e = map.end(i);
        boolean inside = 0 <= s && s < e && e <= MAX_PHYS;
        boolean beforeNext = i + 1 >= map.count() || e <= map.start(i + 1);
        boolean aligned = map.type(i) != MemoryMap.USABLE || (s % PAGE == 0 && e % PAGE == 0);
        return inside && beforeNext && aligned;
    }

    /** Number of whole 4 KiB frames inside the usable ranges of a map (only whole frames count). */
    /*@ public normal_behavior
      @   requires map != null && \invariant_for(map);
      @   requires (\forall int i; 0 <= i && i < map.count;
      @               0 <= map.starts[i] && map.starts[i] <= MAX_PHYS && map.ends[i] <= MAX_PHYS);
      @   ensures \result >= 0;
      @   assignable \nothing;
      @*/
    /*@ pure @*/ public static long usableFrames(MemoryMap map) {
        long frames = 0;
        int n = map.count();
        /*@ loop_invariant 0 <= i && i <= n && n == map.count && frames >= 0 && frames <= i * (MAX_PHYS / PAGE);
          @ decreases n - i;
          @ assignable \nothing;
          @*/
        for (int i = 0; i < n; i++) {
            if (map.type(i) == MemoryMap.USABLE) {
                long first = (map.start(i) + PAGE - 1) / PAGE;
                long last = map.end(i) / PAGE;
                if (last > first) {
                    frames = frames + (last - first);
                }
            }
        }
        return frames;
    }
}
