package verimem.kernel.vmm;

/**
 * Process-context identifiers (x86 PCID, 12 bits) with a generation number. PCID 0 belongs to the kernel/boot
 * space. allocate() hands out 1..limit-1; when none is left the generation rolls over: every PCID becomes free
 * again and every space holding one of the old generation must take a new one on its next switch. A space
 * switching to a PCID it has just been given always flushes it (CR3 write without the keep bit), so TLB entries a
 * previous owner left under that PCID can never be used: that is the flush the rollover needs.
 */
public final class PcidAllocator {
    public static final int MAX_PCIDS = 4096;

    /*@ spec_public @*/ private final boolean[] used;
    /*@ spec_public @*/ private final int limit;
    /*@ spec_public @*/ private long generation;
    /*@ spec_public @*/ private long rollovers;

    //@ public invariant used.length == limit && 2 <= limit && limit <= MAX_PCIDS && 1 <= generation;

    /*@ public normal_behavior
      @   requires 2 <= limit && limit <= MAX_PCIDS;
      @   ensures generation == 1 && this.limit == limit;
      @   assignable \nothing;
      @*/
    public PcidAllocator(int limit) {
        this.limit = limit;
        used = new boolean[limit];
        used[0] = true;
        generation = 1;
    }

    // \strictly_nothing, as Vmm.pcids(): the caller's heap stays the same term across the read.
    /*@ public normal_behavior
      @   ensures \result == generation;
      @   assignable \strictly_nothing;
      @*/
    public long generation() {
        return generation;
    }

    /*@ public normal_behavior
      @   ensures \result == rollovers;
      @   assignable \nothing;
      @*/
    public long rollovers() {
        return rollovers;
    }

    /**
     * A free PCID in 1..limit-1 of the (possibly new) current generation. The generation cannot wrap: each
     * rollover takes at least one call, and 2^63 calls do not happen.
     */
    /*@ public normal_behavior
      @   requires generation < Long.MAX_VALUE;
      @   ensures 1 <= \result && \result < limit;
      @   ensures generation == \old(generation) || generation == \old(generation) + 1;
      @   assignable used[*], generation, rollovers;
      @*/
    public int allocate() {
        /*@ loop_invariant 1 <= i && i <= limit;
          @ decreasing limit - i;
          @ assignable \strictly_nothing;
          @*/
        for (int i = 1; i < limit; i++) {
            if (!used[i]) {
                used[i] = true;
                return i;
            }
        }
        generation = generation + 1;
        rollovers = rollovers + 1;
        /*@ loop_invariant 1 <= k && k <= limit;
          @ decreasing limit - k;
          @ assignable used[1 .. limit - 1];
          @*/
        for (int k = 1; k < limit; k++) {
            used[k] = false;
        }
        used[1] = true;
        return 1;
    }

    /**
     * Gives a PCID back; ignored when it belongs to an older generation (it was already recycled) and when it is 0
     * (the kernel's) or out of range (never handed out).
     */
    /*@ public normal_behavior
      @   assignable used[*];
      @*/
    public void release(int pcid, long ofGeneration) {
        if (pcid > 0 && pcid < used.length && ofGeneration == generation) {
            used[pcid] = false;
        }
    }
}
