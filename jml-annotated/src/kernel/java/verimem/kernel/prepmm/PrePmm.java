package verimem.kernel.prepmm;

import verimem.kernel.arch.Err;
import verimem.kernel.arch.Pte;
import verimem.kernel.memmap.MemoryMap;

/**
 * The pre-PMM: the sanitised, carved memory map used as a heap of frames before the PMM exists (the idea of
 * Linux's memblock). It hands out runs of frames from USABLE ranges only, so a carve-out (low 1 MiB, kernel
 * image, boot info, modules) or a firmware-reserved frame can never be returned, and records every allocation
 * with its purpose in a fixed table: there is no allocator yet, and the hand-off needs the record to give the
 * PMM exactly the frames nobody took.
 *
 * Every operation is bounded by (map entries) x (table entries) steps and allocates nothing. A physical address
 * is returned as a non-negative long; failures are negative {@link Err} codes, so frame 0 could never be
 * mistaken for "out of memory". After {@link #handOff()} the PMM owns the free frames and every allocating or
 * freeing call returns {@link Err#DESTROYED}.
 */
public final class PrePmm {
    public static final long FRAME = 4096L;
    /** Allocations the table can hold: page tables of the early mappings plus one run of PMM metadata. */
    public static final int CAPACITY = 512;

    /** Purposes recorded with each allocation. */
    public static final int PAGE_TABLE = 1;
    public static final int PMM_METADATA = 2;
    public static final int EARLY_DATA = 3;
    /** What {@link #purposeOf} says for a frame the pre-PMM did not hand out. */
    public static final int NONE = 0;
    /** 2^52 (MAXPHYADDR): no frame at or above it is handed out, whatever the map says. */
    public static final long ADDRESS_LIMIT = Pte.PHYS_LIMIT;

    //@ public invariant 0 <= count && count <= CAPACITY;
    //@ public invariant starts.length == CAPACITY && frames.length == CAPACITY && purposes.length == CAPACITY;
    /* Two tables, not one: a write to starts[k] leaves frames[k] alone (KeY cannot know that otherwise). */
    //@ public invariant starts != frames;
    //@ public invariant \invariant_for(map);
    /*
     * Every recorded allocation is a real run below the address limit, with one of the three purposes: all a proof
     * needs (an end never overflows: start + frames * FRAME < 2^52 + 2^62). Ranges only, no %, no product and no
     * case split, because KeY re-instantiates this quantifier around every call and every heap change.
     */
    /*@ public invariant (\forall int k; 0 <= k && k < count;
      @     0 <= starts[k] && starts[k] < ADDRESS_LIMIT
      @     && 1 <= frames[k] && frames[k] <= Long.MAX_VALUE / FRAME / 2
      @     && PAGE_TABLE <= purposes[k] && purposes[k] <= EARLY_DATA);
      @*/
    /*
     * What the invariant reads (the four references too, because JML's non-null default puts "map != null" etc. in
     * it, and the map's own invariant reads its count and arrays): a write elsewhere (the hand-off check's
     * counters, the PMM) provably cannot break it, so a caller carries \invariant_for(pre) across such writes
     * without unfolding the quantifier above.
     */
    //@ accessible \inv: map, starts, frames, purposes, count, starts[*], frames[*], purposes[*], map.count, map.starts, map.ends, map.types;
    /*@ spec_public @*/ private final MemoryMap map;
    /*@ spec_public @*/ private final long[] starts;
    /*@ spec_public @*/ private final long[] frames;
    /*@ spec_public @*/ private final int[] purposes;
    /*@ spec_public @*/ private int count;
    /*@ spec_public @*/ private boolean handedOff;
    /** Fault injection, as in the PMM: when positive, the allocation that brings it to zero fails. */
    /*@ spec_public @*/ private long failCountdown;

    /*@ public normal_behavior
      @   requires sanitised != null && \invariant_for(sanitised);
      @   ensures map == sanitised && count == 0 && !handedOff && failCountdown == 0;
      @*/
    public PrePmm(MemoryMap sanitised) {
        map = sanitised;
        starts = new long[CAPACITY];
        frames = new long[CAPACITY];
        purposes = new int[CAPACITY];
        count = 0;
        handedOff = false;
        failCountdown = 0;
    }

    /** Test and fault-injection hook: the n-th allocation from now fails with NO_MEMORY (0 turns it off). */
    /*@ public normal_behavior
      @   ensures failCountdown == n;
      @   assignable failCountdown;
      @*/
    public void failAfter(long n) {
        failCountdown = n;
    }

    /*@ public normal_behavior
      @   ensures \result == handedOff;
      @   assignable \nothing;
      @*/
    public boolean isHandedOff() {
        return handedOff;
    }

    /** One frame for the given purpose: its physical address, or a negative Err code. */
    /*@ public normal_behavior
      @   requires purpose == PAGE_TABLE || purpose == PMM_METADATA || purpose == EARLY_DATA;
      @   ensures \result >= 0 ==> (\result % FRAME == 0 && count == \old(count) + 1 && starts[count - 1] == \result);
      @   ensures \result < 0 ==> count == \old(count);
      @   assignable count, starts[*], frames[*], purposes[*], failCountdown;
      @*/
    public long allocFrame(int purpose) {
        return allocRun(1, 1, purpose);
    }

    /**
     * n contiguous frames whose first frame number is a multiple of align, all inside one USABLE range and
     * outside every earlier allocation. First fit from the lowest address.
     *
     * What a caller relies on: the run lies inside one USABLE range of the map, overlaps no allocation recorded
     * before (no double allocation) and is now the last record; the earlier records are untouched (commit's
     * assignable clause).
     */
    /*@ public normal_behavior
      @   requires PAGE_TABLE <= purpose && purpose <= EARLY_DATA;
      @   ensures \result >= 0 ==> (\result % FRAME == 0 && count == \old(count) + 1
      @                              && \result + n * FRAME <= ADDRESS_LIMIT);
      @   ensures \result >= 0 ==> (starts[count - 1] == \result && frames[count - 1] == n
      @                              && purposes[count - 1] == purpose);
      @   ensures \result >= 0 ==> (\forall int k; 0 <= k && k < count - 1;
      @                              !(starts[k] < \result + n * FRAME && \result < starts[k] + frames[k] * FRAME));
      @   ensures \result >= 0 ==> (\exists int i; 0 <= i && i < \old(map.count);
      @       \old(map.types[i]) == MemoryMap.USABLE && \old(map.starts[i]) <= \result
      @       && \result + n * FRAME <= \old(map.ends[i]));
      @   ensures \result < 0 ==> count == \old(count);
      @   assignable count, starts[*], frames[*], purposes[*], failCountdown;
      @*/
    public long allocRun(long n, long align, int purpose) {
        if (handedOff) {
            return Err.DESTROYED;
        }
        if (!validRequest(n, align, purpose)) {
            return Err.INVALID_ARGUMENT;
        }
        // The injected failure (countdown at 1) and the full table are tested by reading only; every call that
        // gets here counts down once, on failure (countDown) or together with the record (commit). So a successful
        // call changes the heap once and no fact has to be carried across a separate write of failCountdown.
        long found = -1;
        if (failCountdown != 1 && count < CAPACITY) {
            found = firstFit(n, align);
        }
        if (found < 0) {
            countDown();
            return Err.NO_MEMORY;
        }
        commit(found, n, purpose);
        return found;
    }

    /**
     * allocRun's argument check, one query with an exact value: allocRun's proof then has one path for a bad request
     * instead of one per short-circuit operand. The purposes are the consecutive codes PAGE_TABLE..EARLY_DATA.
     */
    /*@ private normal_behavior
      @   ensures \result == (0 < n && n <= Long.MAX_VALUE / FRAME / 2
      @                       && 0 < align && align <= Long.MAX_VALUE / FRAME / 2
      @                       && PAGE_TABLE <= purpose && purpose <= EARLY_DATA);
      @   assignable \strictly_nothing;
      @*/
    private static boolean validRequest(long n, long align, int purpose) {
        return n > 0 && align > 0 && n <= Long.MAX_VALUE / FRAME / 2 && align <= Long.MAX_VALUE / FRAME / 2
            && purpose >= PAGE_TABLE && purpose <= EARLY_DATA;
    }

    /**
     * allocRun's search: the first fit of n frames aligned to align frames in the lowest USABLE range that has
     * one, or -1. Its own method with an exact contract, so allocRun's proof uses these facts instead of
     * re-instantiating the record invariant around every step of the loop.
     */
    /*@ private normal_behavior
      @   requires 0 < n && n <= Long.MAX_VALUE / FRAME / 2 && 0 < align && align <= Long.MAX_VALUE / FRAME / 2;
      @   ensures \result < 0 || (\result % FRAME == 0 && \result + n * FRAME <= ADDRESS_LIMIT && 0 <= \result
      @       && (\forall int k; 0 <= k && k < count;
      @             !(starts[k] < \result + n * FRAME && \result < starts[k] + frames[k] * FRAME))
      @       && (\exists int i; 0 <= i && i < map.count; map.types[i] == MemoryMap.USABLE
      @             && map.starts[i] <= \result && \result + n * FRAME <= map.ends[i]));
      @   assignable \strictly_nothing;
      @*/
    private long firstFit(long n, long align) {
        int entries = map.count();
        long found = -1;
        /*@ loop_invariant 0 <= i && i <= entries && entries == map.count && 0 <= count && count <= CAPACITY
          @   && (found < 0 || (1 <= i && map.types[i - 1] == MemoryMap.USABLE && map.starts[i - 1] <= found
          @       && found + n * FRAME <= map.ends[i - 1] && 0 <= found && found % FRAME == 0
          @       && found + n * FRAME <= ADDRESS_LIMIT
          @       && (\forall int k; 0 <= k && k < count;
          @             !(starts[k] < found + n * FRAME && found < starts[k] + frames[k] * FRAME))));
          @ decreasing entries - i;
          @ assignable \strictly_nothing;
          @*/
        for (int i = 0; i < entries && found < 0; i++) {
            if (map.type(i) == MemoryMap.USABLE) {
                found = fitIn(map.start(i), map.end(i), n, align);
            }
        }
        return found;
    }

    /**
     * Appends an allocation to the table and counts the fault injection down (its own contract: the one place a
     * record is added, and the only heap change of a successful allocRun). It carries the no-overlap fact across
     * the append, so allocRun passes firstFit's result on without reasoning about the array writes itself.
     */
    /*@ private normal_behavior
      @   requires count < CAPACITY && 0 <= start && start < ADDRESS_LIMIT;
      @   requires 1 <= n && n <= Long.MAX_VALUE / FRAME / 2;
      @   requires PAGE_TABLE <= purpose && purpose <= EARLY_DATA;
      @   requires (\forall int k; 0 <= k && k < count;
      @                !(starts[k] < start + n * FRAME && start < starts[k] + frames[k] * FRAME));
      @   ensures count == \old(count) + 1;
      @   ensures starts[count - 1] == start && frames[count - 1] == n && purposes[count - 1] == purpose;
      @   ensures (\forall int k; 0 <= k && k < count - 1;
      @                !(starts[k] < start + n * FRAME && start < starts[k] + frames[k] * FRAME));
      @   assignable count, starts[count], frames[count], purposes[count], failCountdown;
      @*/
    private void commit(long start, long n, int purpose) {
        starts[count] = start;
        frames[count] = n;
        purposes[count] = purpose;
        count = count + 1;
        if (failCountdown > 0) {
            failCountdown = failCountdown - 1;
        }
    }

    /**
     * First aligned run of n frames in [lo, hi) that overlaps no recorded allocation, or -1. Each collision moves
     * the candidate past one allocation, and the candidate only grows, so at most count + 1 rounds are needed.
     * Only [0, ADDRESS_LIMIT) is searched: no frame above it exists, and the bound keeps every sum below from
     * overflowing.
     */
    /*@ private normal_behavior
      @   requires 0 < n && n <= Long.MAX_VALUE / FRAME / 2 && 0 < align && align <= Long.MAX_VALUE / FRAME / 2;
      @   requires 0 <= count && count <= CAPACITY;
      @   ensures \result < 0 || (0 <= \result && \result % FRAME == 0 && lo <= \result
      @                           && \result + n * FRAME <= hi && \result + n * FRAME <= ADDRESS_LIMIT
      @                           && (\forall int k; 0 <= k && k < count;
      @                                 !(starts[k] < \result + n * FRAME && \result < starts[k] + frames[k] * FRAME)));
      @   assignable \strictly_nothing;
      @*/
    private long fitIn(long lo, long hi, long n, long align) {
        long top = hi;
        if (top > ADDRESS_LIMIT) {
            top = ADDRESS_LIMIT;
        }
        if (lo < 0 || lo >= top) {
            return -1;
        }
        long cand = alignUp(lo, align);
        long span = n * FRAME;
        /*@ loop_invariant 0 <= round && round <= count + 1 && 0 <= lo && lo <= cand && cand % FRAME == 0
          @   && top <= ADDRESS_LIMIT && top <= hi && span == n * FRAME;
          @ decreasing count + 1 - round;
          @ assignable \strictly_nothing;
          @*/
        for (int round = 0; round <= count; round++) {
            if (cand > top || top - cand < span) {
                return -1;
            }
            // The asserts state in plain arithmetic that these sums do not wrap (both stay below 2^63), where the
            // bounds are at hand; KeY then reasons about the run [cand, end) without Java's modular sums.
            long end = cand + span;
            //@ assert end == cand + n * FRAME && end <= top;
            int hit = overlapping(cand, end);
            if (hit < 0) {
                return cand;
            }
            long past = endOf(hit);
            if (past >= top) {
                return -1;
            }
            cand = alignUp(past, align);
        }
        return -1;
    }

    /**
     * End (exclusive) of record k. Its own method so that the record invariant (which bounds the sum below 2^63)
     * is instantiated here once, and fitIn's loop only sees the exact value.
     */
    /*@ private normal_behavior
      @   requires 0 <= k && k < count;
      @   ensures \result == starts[k] + frames[k] * FRAME && 0 < \result;
      @   assignable \strictly_nothing;
      @*/
    private long endOf(int k) {
        return starts[k] + frames[k] * FRAME;
    }

    /**
     * The lowest multiple of align frames at or above pa. Computed as (multiple of align) * FRAME, which shows it
     * is frame-aligned; pa below ADDRESS_LIMIT keeps the rounding sum from overflowing.
     */
    /*@ private normal_behavior
      @   requires 0 <= pa && pa < ADDRESS_LIMIT && 0 < align && align <= Long.MAX_VALUE / FRAME / 2;
      @   ensures pa <= \result && \result % FRAME == 0;
      @   assignable \strictly_nothing;
      @*/
    private static long alignUp(long pa, long align) {
        long unit = align * FRAME;
        return ((pa + unit - 1) / unit) * align * FRAME;
    }

    /** Index of a recorded allocation overlapping [lo, hi), or -1. */
    /*@ private normal_behavior
      @   ensures -1 <= \result && \result < count;
      @   ensures \result >= 0 ==> (starts[\result] < hi && lo < starts[\result] + frames[\result] * FRAME);
      @   ensures \result < 0 ==> (\forall int j; 0 <= j && j < count;
      @                              !(starts[j] < hi && lo < starts[j] + frames[j] * FRAME));
      @   assignable \strictly_nothing;
      @*/
    private int overlapping(long lo, long hi) {
        /*@ loop_invariant 0 <= k && k <= count && (\forall int j; 0 <= j && j < k;
          @                    !(starts[j] < hi && lo < starts[j] + frames[j] * FRAME));
          @ decreasing count - k;
          @ assignable \strictly_nothing;
          @*/
        for (int k = 0; k < count; k++) {
            if (starts[k] < hi && lo < starts[k] + frames[k] * FRAME) {
                return k;
            }
        }
        return -1;
    }

    /**
     * Fault injection on a failing allocation: the countdown moves on (an allocation that fails anyway still counts,
     * and the one that brings it from 1 to 0 is the injected failure). The spec subtracts with Java semantics like
     * the code: KeY does not know that a long field is at most Long.MAX_VALUE.
     */
    /*@ private normal_behavior
      @   ensures failCountdown == (\old(failCountdown) > 0 ? \old(failCountdown) - 1 : \old(failCountdown));
      @   assignable failCountdown;
      @*/
    private /*@ spec_java_math @*/ void countDown() {
        if (failCountdown > 0) {
            failCountdown = failCountdown - 1;
        }
    }

    /**
     * Gives back a whole allocation (used to roll back a half-done mapping). pa must be the start of a recorded
     * allocation; anything else is refused and changes nothing. On success exactly that record is gone: the last
     * record moved into its place, and every other record is unchanged (removeAt's assignable clause).
     */
    /*@ public normal_behavior
      @   ensures \result == Err.OK ==> (count == \old(count) - 1
      @       && (\exists int k; 0 <= k && k < \old(count); \old(starts[k]) == pa
      @             && starts[k] == \old(starts[count - 1]) && frames[k] == \old(frames[count - 1])
      @             && purposes[k] == \old(purposes[count - 1])));
      @   ensures \result != Err.OK ==> count == \old(count);
      @   assignable count, starts[*], frames[*], purposes[*];
      @*/
    public long free(long pa) {
        if (handedOff) {
            return Err.DESTROYED;
        }
        if (pa < 0 || pa % FRAME != 0) {
            return Err.MISALIGNED;
        }
        int found = -1;
        /*@ loop_invariant 0 <= k && k <= count && -1 <= found && found < count && (found >= 0 ==> starts[found] == pa);
          @ decreasing count - k;
          @ assignable \strictly_nothing;
          @*/
        for (int k = 0; k < count && found < 0; k++) {
            if (starts[k] == pa) {
                found = k;
            }
        }
        if (found < 0) {
            return Err.NOT_ALLOCATED;
        }
        removeAt(found);
        return Err.OK;
    }

    /** Swap-remove: the last record moves into the hole, so the table stays dense. */
    /*@ private normal_behavior
      @   requires 0 <= k && k < count;
      @   ensures count == \old(count) - 1;
      @   ensures starts[k] == \old(starts[count - 1]) && frames[k] == \old(frames[count - 1])
      @     && purposes[k] == \old(purposes[count - 1]);
      @   assignable count, starts[k], frames[k], purposes[k];
      @*/
    private void removeAt(int k) {
        count = count - 1;
        starts[k] = starts[count];
        frames[k] = frames[count];
        purposes[k] = purposes[count];
    }

    /** From now on the PMM owns the free frames: further allocations and frees are refused. */
    /*@ public normal_behavior
      @   ensures handedOff;
      @   assignable handedOff;
      @*/
    public void handOff() {
        handedOff = true;
    }

    /*@ public normal_behavior
      @   ensures \result == count;
      @   assignable \nothing;
      @*/
    public int allocationCount() {
        return count;
    }

    /*@ public normal_behavior
      @   requires 0 <= k && k < count;
      @   ensures \result == starts[k];
      @   assignable \nothing;
      @*/
    public long allocationStart(int k) {
        return starts[k];
    }

    /*@ public normal_behavior
      @   requires 0 <= k && k < count;
      @   ensures \result == frames[k];
      @   assignable \nothing;
      @*/
    public long allocationFrames(int k) {
        return frames[k];
    }

    /*@ public normal_behavior
      @   requires 0 <= k && k < count;
      @   ensures \result == purposes[k];
      @   assignable \nothing;
      @*/
    public int allocationPurpose(int k) {
        return purposes[k];
    }

    /** Purpose of the allocation holding the frame at pa, or NONE. */
    /*@ public normal_behavior
      @   ensures \result == NONE || \result == PAGE_TABLE || \result == PMM_METADATA || \result == EARLY_DATA;
      @   assignable \strictly_nothing;
      @*/
    public int purposeOf(long pa) {
        int k = overlapping(pa, pa + 1);
        if (k < 0) {
            return NONE;
        }
        return purposes[k];
    }

    /** Frames currently held by allocations of a purpose (NONE counts every purpose). */
    /*@ public normal_behavior
      @   ensures \result >= 0;
      @   assignable \nothing;
      @*/
    public long framesHeld(int purpose) {
        long total = 0;
        /*@ loop_invariant 0 <= k && k <= count && 0 <= total && total <= k * (Long.MAX_VALUE / FRAME / 2);
          @ decreasing count - k;
          @ assignable \strictly_nothing;
          @*/
        for (int k = 0; k < count; k++) {
            if (purpose == NONE || purposes[k] == purpose) {
                total = total + frames[k];
            }
        }
        return total;
    }

    /**
     * The lowest start of a recorded allocation at or above pa and below limit, or limit when there is none. The
     * hand-off walks a usable range with it, releasing the gaps between allocations.
     */
    /*@ public normal_behavior
      @   requires pa <= limit;
      @   ensures pa <= \result && \result <= limit;
      @   assignable \nothing;
      @*/
    public long nextAllocationFrom(long pa, long limit) {
        long best = limit;
        /*@ loop_invariant 0 <= k && k <= count && pa <= best && best <= limit;
          @ decreasing count - k;
          @ assignable \strictly_nothing;
          @*/
        for (int k = 0; k < count; k++) {
            if (starts[k] >= pa && starts[k] < best) {
                best = starts[k];
            }
        }
        return best;
    }

    /** End (exclusive) of the allocation starting exactly at pa, or Err.NOT_ALLOCATED. */
    /*@ public normal_behavior
      @   ensures \result == Err.NOT_ALLOCATED || \result > pa;
      @   assignable \nothing;
      @*/
    public long allocationEndAt(long pa) {
        /*@ loop_invariant 0 <= k && k <= count;
          @ decreasing count - k;
          @ assignable \strictly_nothing;
          @*/
        for (int k = 0; k < count; k++) {
            if (starts[k] == pa) {
                return starts[k] + frames[k] * FRAME;
            }
        }
        return Err.NOT_ALLOCATED;
    }
}
