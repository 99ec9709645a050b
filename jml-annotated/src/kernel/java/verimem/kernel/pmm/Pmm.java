package verimem.kernel.pmm;

import verimem.kernel.arch.Bits;
import verimem.kernel.arch.Err;
import verimem.kernel.arch.KernelPanic;
import verimem.kernel.memmap.MemoryMap;

/**
 * The physical memory manager: one bit per usable 4 KiB frame (1 = free), laid out by a {@link SegmentTable} (one
 * segment per usable range, so holes cost nothing), plus two small summaries:
 * <ul>
 *   <li>{@code nonEmpty}: a tree of bits, level 1 has one bit per bitmap word ("this word has a free frame"),
 *       level l+1 one bit per level-l word, up to a single top word. Finding a free frame when the cached word
 *       is empty is one lowest-set-bit per level (at most 6 levels for 2^31 words): bounded, no scan.</li>
 *   <li>{@code full}: one bit per bitmap word ("all 64 frames free"), so aligned blocks of 64 frames and more
 *       (2 MiB = 8 words) are found by looking at whole words only.</li>
 * </ul>
 * allocFrame takes the lowest free bit of the cached word {@code hint}; freeFrame sets the bit and makes its word
 * the hint, so a LIFO workload stays inside one word. Each path touches the summaries only when a word changes
 * between empty / non-empty / full.
 *
 * Every frame starts "not free" (reserved); the hand-off releases what the pre-PMM did not use. A free of a frame
 * that is not allocated returns Err.NOT_ALLOCATED and changes nothing.
 *
 * One bit cannot tell "handed out by the PMM" from "never released to it" (the pre-PMM's page tables and the
 * PMM's own metadata). So the first allocation call seals the PMM: the managed frames still not free at that
 * moment are exactly the never-released ones, and they are recorded as a short sorted table of runs
 * ({@code reservedStart/End}, a handful on a real boot). From then on release returns Err.INVALID_STATE (a late
 * release could free frames that are handed out), and a free that touches a reserved run returns Err.NOT_OWNED.
 * Before sealing nothing is handed out, so every free of a non-free frame is Err.NOT_OWNED.
 */
public final class Pmm {
    public static final long FRAME = 4096L;
    /** Largest contiguous block: 2^18 frames = 1 GiB. */
    public static final int MAX_ORDER = 18;
    /** Summary levels above the bitmap: 64^6 words is far beyond any int-indexed bitmap. */
    public static final int MAX_LEVELS = 6;
    /**
     * Most runs of never-released frames the seal records; more panics at the seal. A real boot leaves a handful
     * (the pre-PMM's page tables and the PMM metadata, allocated next to each other), and 32 runs cost 512 bytes.
     */
    public static final int MAX_RESERVED_RUNS = 32;

    //@ public invariant \invariant_for(segs) && segs.words == bitmap.length;
    //@ public invariant full.length == (bitmap.length + 63) / 64;
    //@ public invariant 0 <= levels && levels <= MAX_LEVELS && levelOff.length == MAX_LEVELS + 1;
    /*
     * hintBase is what segs.frameOfWord(hint) computes, stated with the fields of the segment hintSegment (one the
     * binary search segmentOfWord may return): a query call here would need frameOfWord's own dependency contract,
     * which KeY cannot prove (two runs of the search give two results; the table's invariant does not order
     * firstWord). The segment is a ghost field, not an \exists: the dependency proof of this invariant then needs
     * no instantiation with the other heap's witness (KeY's scripts cannot name a skolem constant).
     */
    //@ public ghost int hintSegment;
    /*@ public invariant bitmap.length == 0 || (0 <= hint && hint < bitmap.length
      @   && 0 <= hintSegment && hintSegment < segs.count && segs.firstWord[hintSegment] <= hint
      @   && (hintSegment + 1 == segs.count || hint < segs.firstWord[hintSegment + 1])
      @   && hintBase == segs.base[hintSegment] + (hint - segs.firstWord[hintSegment]) * 64L);
      @*/
    //@ public invariant 0 <= free && free <= managed && managed == segs.frames;
    //@ public invariant bitmap.length == 0 || (0 <= wholeCursor && wholeCursor < bitmap.length);
    /* Summary consistency, stated per word so that each step changes one instance of each quantifier. */
    //@ public invariant reservedStart.length == reservedEnd.length && 0 <= reservedRuns && reservedRuns <= reservedStart.length;
    //@ public invariant !sealed ==> reservedRuns == 0;
    /*
     * Reserved runs: non-empty, sorted, pairwise disjoint (what the binary search in reservedOverlaps relies on).
     * Stated pairwise, not for neighbours only: "every earlier run ends before run k starts" would otherwise take
     * an induction.
     */
    //@ public invariant (\forall int i; 0 <= i && i < reservedRuns; reservedStart[i] < reservedEnd[i]);
    //@ public invariant (\forall int i; 0 <= i && i < reservedRuns; (\forall int j; i < j && j < reservedRuns; reservedEnd[i] <= reservedStart[j]));
    /*
     * The run table shares no array with the bitmap, its summaries or the segment table (the constructor allocates
     * each): so seal, which writes only the run table, keeps every other conjunct without re-proving it.
     */
    //@ public invariant reservedStart != reservedEnd && reservedStart != bitmap && reservedStart != nonEmpty && reservedStart != full;
    //@ public invariant reservedEnd != bitmap && reservedEnd != nonEmpty && reservedEnd != full;
    //@ public invariant reservedStart != segs.start && reservedStart != segs.end && reservedStart != segs.base;
    //@ public invariant reservedEnd != segs.start && reservedEnd != segs.end && reservedEnd != segs.base;
    //@ public invariant (\forall int w; 0 <= w && w < bitmap.length; (bitmap[w] != 0) == ((nonEmpty[levelOff[1] + w / 64] >> (w % 64)) % 2 != 0));
    //@ public invariant (\forall int w; 0 <= w && w < bitmap.length; (bitmap[w] == -1) == ((full[w / 64] >> (w % 64)) % 2 != 0));
    /* The free count matches the bitmap, tracked per word (a \num_of over the whole bitmap did not prove). */
    //@ public ghost \seq wordFree;
    //@ public invariant wordFree.length == bitmap.length;
    //@ public invariant (\forall int w; 0 <= w && w < bitmap.length; (\bigint) wordFree[w] == Bits.onesAt(bitmap, w, 64));
    //@ public invariant free == (\sum int w; 0 <= w && w < bitmap.length; (\bigint) wordFree[w]);
    /*
     * What the invariant reads. A caller that writes elsewhere (the VMM's ownership bitmaps, its own fields) keeps
     * \invariant_for(pmm) by showing its writes miss these locations, instead of unfolding and re-proving it.
     * Of the run table only the used entries: before the seal that is none, so seal's panic exit (recordRuns
     * panics after writing entries) keeps the invariant through this clause. Listed in the order KeY sorts location
     * unions (no reordering steps), with the bound as KeY normalises it (-1 + n, not n - 1).
     */
    /*@ accessible \inv: this.*, bitmap[*], full[*], levelOff[*], nonEmpty[*], segs.*, segs.base[*], segs.end[*],
      @   segs.firstWord[*], segs.start[*], reservedEnd[0 .. -1 + reservedRuns], reservedStart[0 .. -1 + reservedRuns];
      @*/

    /*@ spec_public @*/ private final SegmentTable segs;
    /*@ spec_public @*/ private final long[] bitmap;
    /*@ spec_public @*/ private final long[] nonEmpty;
    /** Offset in nonEmpty of summary level l (1..levels); level {@code levels} is one word. */
    /*@ spec_public @*/ private final int[] levelOff;
    /*@ spec_public @*/ private final int levels;
    /*@ spec_public @*/ private final long[] full;
    /*@ spec_public @*/ private long free;
    /*@ spec_public @*/ private final long managed;
    /** Cached bitmap word to allocate from, and the frame number of its bit 0. */
    /*@ spec_public @*/ private int hint;
    /*@ spec_public @*/ private long hintBase;
    /** Bitmap word where the last whole-word (order >= 6) search succeeded: the next one starts there. */
    /*@ spec_public @*/ private int wholeCursor;
    /** Fault injection: when positive, the allocation that brings it to zero fails. */
    /*@ spec_public @*/ private long failCountdown;
    /** Set by the first allocation call: release is over, the reserved runs are fixed. */
    /*@ spec_public @*/ private boolean sealed;
    /** Frames [reservedStart[i], reservedEnd[i]) were never released: sorted, disjoint, reservedRuns of them. */
    /*@ spec_public @*/ private final long[] reservedStart;
    /*@ spec_public @*/ private final long[] reservedEnd;
    /*@ spec_public @*/ private int reservedRuns;

    /** Words of summary level l+1 over n words of level l. */
    /*@ public normal_behavior
      @   requires 0 <= n && n <= Long.MAX_VALUE - 63;
      @   ensures \result == (n + 63) / 64;
      @   ensures n >= 2 ==> 1 <= \result && 2 * \result <= n;
      @   assignable \strictly_nothing;
      @*/
    public static long wordsAbove(long n) {
        return (n + 63) / 64;
    }

    /** Words of the whole nonEmpty tree over a bitmap of n words (0 for an empty bitmap). */
    /*@ public normal_behavior
      @   requires 0 <= n && n <= Long.MAX_VALUE - 63;
      @   ensures 0 <= \result && \result <= n;
      @   assignable \strictly_nothing;
      @*/
    public static long summaryWords(long n) {
        long total = 0;
        long level = n;
        /* Each level has at most half the words of the one below (ceil(L/64) <= L/2 for L >= 2). */
        /*@ loop_invariant 0 <= level && level <= n && 0 <= total && total <= n - level;
          @ decreasing level;
          @ assignable \strictly_nothing;
          @*/
        while (level > 1) {
            level = wordsAbove(level);
            total = total + level;
        }
        if (n == 1) {
            total = 1;
        }
        return total;
    }

    /**
     * Bytes of metadata the PMM needs for a map: what the bootstrap must map before constructing it. An upper bound
     * (overlapping usable entries are counted twice) including 16 bytes of header per array and 128 for the two
     * objects, so whatever layout the AOT compiler gives arrays and objects fits.
     */
    /*@ public normal_behavior
      @   requires usable != null && \invariant_for(usable);
      @   ensures \result >= 0;
      @   assignable \nothing;
      @*/
    public static long metadataBytes(MemoryMap usable) {
        long words = SegmentTable.wordsFor(usable);
        long pmmArrays = words * 8 + summaryWords(words) * 8 + wordsAbove(words) * 8 + (MAX_LEVELS + 1) * 4L
                + reservedRunCapacity(words) * 16L;
        return pmmArrays + 6 * 16L + 128 + SegmentTable.metadataBytes(usable);
    }

    /**
     * Entries of the reserved-run table for a bitmap of n words: two runs need a free frame between them, so a
     * word holds at most 32 run starts; capped at MAX_RESERVED_RUNS. Monotone in n, so the bound from the map's
     * wordsFor covers the table the constructor builds.
     */
    /*@ public normal_behavior
      @   requires n >= 0;
      @   ensures 0 <= \result && \result <= MAX_RESERVED_RUNS;
      @   assignable \strictly_nothing;
      @*/
    public static int reservedRunCapacity(long n) {
        return n >= MAX_RESERVED_RUNS / 32 ? MAX_RESERVED_RUNS : (int) (n * 32);
    }

    /**
     * Err.OK when a PMM can be built over the map, Err.BAD_MEMORY_MAP when its usable ranges exceed the int-indexed
     * bitmap (SegmentTable.MAX_WORDS words, just under 512 TiB): a sanitised map may reach 2^52, so callers
     * check this before sizing or constructing anything.
     */
    /*@ public normal_behavior
      @   requires usable != null && \invariant_for(usable);
      @   ensures \result == (SegmentTable.wordsFor(usable) <= SegmentTable.MAX_WORDS ? Err.OK : Err.BAD_MEMORY_MAP);
      @*/
    public /*@ pure @*/ static long checkFits(MemoryMap usable) {
        return SegmentTable.fits(usable) ? Err.OK : Err.BAD_MEMORY_MAP;
    }

    /**
     * Builds an empty PMM (every managed frame reserved) over the usable ranges of a sanitised map. A map that
     * fails {@link #checkFits} panics ("beyond the bitmap limit") before anything is allocated.
     */
    /*@ public normal_behavior
      @   requires usable != null && \invariant_for(usable) && checkFits(usable) == Err.OK;
      @   ensures free == 0 && failCountdown == 0 && !sealed;
      @*/
    public Pmm(MemoryMap usable) {
        /* Everything read from the table is read before the first write, where its invariant is the constructor's. */
        SegmentTable table = new SegmentTable(usable);
        int words = table.words();
        int first = segmentOfFirstWord(table);
        long firstBase = baseOfSegment(table, first);
        managed = table.frames();
        segs = table;
        bitmap = new long[words];
        full = new long[(int) wordsAbove(words)];
        nonEmpty = new long[(int) summaryWords(words)];
        levelOff = new int[MAX_LEVELS + 1];
        reservedStart = new long[reservedRunCapacity(words)];
        reservedEnd = new long[reservedStart.length];
        levels = layOutLevels(levelOff, words);
        hint = 0;
        hintBase = firstBase;
        //@ set hintSegment = first;
        //@ set wordFree = (\seq_def int i; 0; words; (\bigint) 0);
        /* A fresh bitmap is all zero: no word counts a free frame. */
        Bits.zerosHaveNoOnes(bitmap, 64);
    }

    /**
     * Fills levelOff for a bitmap of the given words and returns the number of summary levels (0 for an empty
     * bitmap). Level 1 starts at offset 0. n is the word count of level lv; its bound per level (ceil of words /
     * 64^lv for words < 2^31) shows the panic unreachable: level 5 has at most 2 words, level 6 one.
     */
    /*@ private normal_behavior
      @   requires levelOff != null && levelOff.length == MAX_LEVELS + 1 && 0 <= words;
      @   ensures 0 <= \result && \result <= MAX_LEVELS && (words > 0 ==> levelOff[1] == 0);
      @   assignable levelOff[*];
      @*/
    private static /*@ helper @*/ int layOutLevels(int[] levelOff, int words) {
        int lv = 0;
        long n = words;
        long off = 0;
        /*@ loop_invariant 0 <= lv && lv <= MAX_LEVELS && 0 <= n && 0 <= off && off <= lv * 33554432L;
          @ loop_invariant lv == 0 ? n == words && off == 0 : levelOff[1] == 0;
          @ loop_invariant (lv == 1 ==> n <= 33554432L) && (lv == 2 ==> n <= 524288L) && (lv == 3 ==> n <= 8192L)
          @   && (lv == 4 ==> n <= 128L) && (lv == 5 ==> n <= 2L) && (lv == 6 ==> n <= 1L);
          @ decreasing MAX_LEVELS - lv;
          @ assignable levelOff[*];
          @*/
        while (words > 0 && (lv == 0 || n > 1)) {
            lv = lv + 1;
            if (lv > MAX_LEVELS) {
                throw new KernelPanic("pmm: bitmap too large for the summary tree");
            }
            n = wordsAbove(n);
            levelOff[lv] = (int) off;
            off = off + n;
        }
        return lv;
    }

    /**
     * The segment of bitmap word 0 (0 for an empty bitmap), which opens it (firstWord 0), so its base is word 0's
     * frame: what the hint conjunct of the invariant needs, read from the table's invariant here, once. The empty
     * case is decided here, not in the constructor, so that its proof has one path.
     */
    /*@ private normal_behavior
      @   requires t != null && \invariant_for(t) && (0 < t.words ==> 0 < t.count);
      @   ensures 0 < t.words ==> 0 <= \result && \result < t.count && t.firstWord[\result] == 0
      @     && (\result + 1 == t.count || 0 < t.firstWord[\result + 1]) && \result < t.base.length;
      @   assignable \strictly_nothing;
      @*/
    private static /*@ pure helper @*/ int segmentOfFirstWord(SegmentTable t) {
        return t.words() > 0 ? t.segmentOfWord(0) : 0;
    }

    /** Base frame of segment s of a non-empty table (0 for an empty one). */
    /*@ private normal_behavior
      @   requires t != null && \invariant_for(t) && (0 < t.words ==> 0 <= s && s < t.count && s < t.base.length);
      @   ensures 0 < t.words ==> \result == t.base[s];
      @   assignable \strictly_nothing;
      @*/
    private static /*@ pure helper @*/ long baseOfSegment(SegmentTable t, int s) {
        return t.words() > 0 ? t.base(s) : 0;
    }

    /** Bytes of metadata this PMM holds, counted as metadataBytes counts them: never more than metadataBytes(map). */
    /*@ public normal_behavior
      @   requires segs != null && segs.start != null && segs.chunkFirstSeg != null;
      @   requires bitmap != null && nonEmpty != null && full != null;
      @   requires reservedStart != null && reservedEnd != null && levelOff != null;
      @   ensures \result >= 0;
      @   assignable \strictly_nothing;
      @*/
    public /*@ helper @*/ long metadataBytesInUse() {
        /* Summed as long: five int lengths of up to 2^31 - 1 each would wrap an int sum. */
        long arrays = ((long) bitmap.length + nonEmpty.length + full.length + reservedStart.length
                + reservedEnd.length) * 8L + levelOff.length * 4L;
        return arrays + 6 * 16L + 128 + segs.bytesInUse();
    }

    /*
     * The read-only queries below are helpers: they read a few fields and change nothing (assignable
     * \strictly_nothing), so they cannot break the invariant and callers keep it. Re-proving the whole class
     * invariant (its 64-bit \num_of per word) for a field read cost KeY more than 40 s of CPU.
     */
    /*@ public normal_behavior
      @   ensures \result == managed;
      @   assignable \strictly_nothing;
      @*/
    public /*@ helper @*/ long managedFrames() {
        return managed;
    }

    /*@ public normal_behavior
      @   ensures \result == free;
      @   assignable \strictly_nothing;
      @*/
    public /*@ helper @*/ long freeFrames() {
        return free;
    }

    /**
     * Test and fault-injection hook: the n-th allocation from now fails with NO_MEMORY (0 turns it off). A helper:
     * it writes only failCountdown, which the invariant does not read (injectedFailure decrements only a positive
     * count, so no invariant needs it), yet re-proving the whole invariant after the write took KeY over 20 s of CPU.
     */
    /*@ public normal_behavior
      @   requires n >= 0;
      @   ensures failCountdown == n;
      @   assignable failCountdown;
      @*/
    public /*@ helper @*/ void failAfter(long n) {
        failCountdown = n;
    }

    /*@ public normal_behavior
      @   requires segs != null && \invariant_for(segs);
      @   ensures \result == (pa >= 0 && pa % FRAME == 0 && (\exists int s; 0 <= s && s < segs.count;
      @                        segs.start[s] <= pa / FRAME && pa / FRAME < segs.end[s]));
      @   assignable \strictly_nothing;
      @*/
    public /*@ pure helper @*/ boolean manages(long pa) {
        return pa >= 0 && pa % FRAME == 0 && segs.segmentOf(pa / FRAME) >= 0;
    }

    /*@ public normal_behavior
      @   requires segs != null && bitmap != null && \invariant_for(segs) && segs.words == bitmap.length;
      @   ensures \result ==> manages(pa);
      @   assignable \strictly_nothing;
      @*/
    public /*@ pure helper @*/ boolean isFree(long pa) {
        if (pa < 0 || pa % FRAME != 0) {
            return false;
        }
        long f = pa / FRAME;
        int s = segs.segmentOf(f);
        if (s < 0) {
            return false;
        }
        return bitAt(wordIn(s, f), (int) (f % 64));
    }

    /**
     * Bitmap word of frame f, which lies in segment s: wordOf with the segment facts taken from the segment
     * table's invariant here, once, so that isFree only passes \invariant_for(segs) on (instantiating it at
     * segmentOf's result inside isFree cost most of isFree's CPU limit).
     */
    /*@ private normal_behavior
      @   requires segs != null && bitmap != null && \invariant_for(segs) && segs.words == bitmap.length;
      @   requires 0 <= s && s < segs.count && segs.start[s] <= f && f < segs.end[s];
      @   ensures 0 <= \result && \result < bitmap.length;
      @   assignable \strictly_nothing;
      @*/
    private /*@ pure helper @*/ int wordIn(int s, long f) {
        return wordOf(s, f);
    }

    /**
     * Bit b of bitmap word w: Bits.isSet written out on the array element. Passing bitmap[w] to a method would
     * make KeY show that the element lies in the long range, for which KeY 2.12.3 has no rule.
     */
    /*@ private normal_behavior
      @   requires bitmap != null && 0 <= w && w < bitmap.length && 0 <= b && b <= 63;
      @   ensures \result == ((bitmap[w] >> b) % 2 != 0);
      @   assignable \strictly_nothing;
      @*/
    private /*@ pure helper @*/ boolean bitAt(int w, int b) {
        return (bitmap[w] >> b) % 2 != 0;
    }

    /** Bitmap word of frame f, which lies in segment s. */
    /*@ private normal_behavior
      @   requires segs != null && segs.start != null && segs.end != null && segs.base != null && segs.firstWord != null;
      @   requires 0 <= s && s < segs.count && s < segs.base.length && s < segs.firstWord.length;
      @   requires s < segs.start.length && s < segs.end.length;
      @   requires segs.base[s] == (segs.start[s] / 64) * 64 && 0 <= segs.firstWord[s]
      @     && segs.firstWord[s] + (segs.end[s] - segs.base[s] + 63) / 64 <= segs.words
      @     && segs.words <= Integer.MAX_VALUE;
      @   requires 0 <= segs.start[s] && segs.start[s] <= f && f < segs.end[s];
      @   ensures \result == segs.firstWord[s] + (f - segs.base[s]) / 64;
      @   ensures 0 <= \result && \result < segs.words;
      @   assignable \strictly_nothing;
      @*/
    private /*@ helper @*/ int wordOf(int s, long f) {
        /* off lies in the segment's words: off / 64 <= (end - base - 1) / 64 < (end - base + 63) / 64. */
        long off = f - segs.base(s);
        return segs.firstWord(s) + (int) (off / 64);
    }

    /**
     * Hand-off: releases [startPa, endPa) into the free pool; every frame must be managed and not yet free. Only
     * before the first allocation call: afterwards a well-formed range gets Err.INVALID_STATE, nothing changed.
     */
    /*@ public normal_behavior
      @   ensures \result == Err.OK || \result == Err.MISALIGNED || \result == Err.NOT_MANAGED
      @        || \result == Err.INVALID_ARGUMENT || \result == Err.INVALID_STATE;
      @   ensures \result == Err.INVALID_STATE <==> (sealed && \result != Err.MISALIGNED);
      @   ensures \result != Err.OK ==> free == \old(free);
      @   ensures \result == Err.OK ==> free == \old(free) + (endPa - startPa) / FRAME;
      @   assignable bitmap[*], nonEmpty[*], full[*], free, wordFree;
      @*/
    public long release(long startPa, long endPa) {
        if (startPa % FRAME != 0 || endPa % FRAME != 0 || endPa < startPa) {
            return Err.MISALIGNED;
        }
        if (sealed) {
            return Err.INVALID_STATE;
        }
        long first = startPa / FRAME;
        long last = endPa / FRAME;
        long check = firstProblem(first, last, Err.INVALID_ARGUMENT);
        if (check != Err.OK) {
            return check;
        }
        markRange(first, last, true);
        return Err.OK;
    }

    private boolean injectedFailure() {
        if (failCountdown > 0) {
            failCountdown = failCountdown - 1;
            return failCountdown == 0;
        }
        return false;
    }

    /** One free frame's physical address, or Err.NO_MEMORY. */
    /*@ public normal_behavior
      @   ensures \result == Err.NO_MEMORY || (\result >= 0 && \result % FRAME == 0 && manages(\result)
      @        && !isFree(\result) && free == \old(free) - 1);
      @   ensures \result == Err.NO_MEMORY ==> free == \old(free);
      @   ensures \old(free) > 0 && \old(failCountdown) != 1 ==> \result != Err.NO_MEMORY;
      @   ensures sealed;
      @   assignable bitmap[*], nonEmpty[*], full[*], free, hint, hintBase, hintSegment, failCountdown, wordFree, sealed,
      @              reservedStart[*], reservedEnd[*], reservedRuns;
      @*/
    public long allocFrame() {
        if (!sealed) {
            seal();
        }
        if (injectedFailure() || free == 0) {
            return Err.NO_MEMORY;
        }
        return takeOne();
    }

    /** Takes the lowest free frame of the hint word, moving the hint down the summary tree if that word is empty. */
    private long takeOne() {
        long word = bitmap[hint];
        if (word == 0) {
            int w = findNonEmptyWord();
            if (w < 0) {
                throw new KernelPanic("pmm: free count says free, summary says none");
            }
            hint = w;
            hintBase = segs.frameOfWord(w);
            //@ set hintSegment = segs.segmentOfWord(w);
            word = bitmap[w];
        }
        int b = Bits.lowestSetBit(word);
        storeWord(hint, word, Bits.withBitCleared(word, b));
        //@ set wordFree = \seq_upd(wordFree, hint, Bits.onesAt(bitmap, hint, 64));
        free = free - 1;
        return (hintBase + b) * FRAME;
    }

    /**
     * A bitmap word with a free frame: one lowest-set-bit per summary level from the top; -1 if none. A helper (it
     * changes nothing): it checks each index it follows instead of relying on the summary tree's layout, so its
     * contract needs no invariant; on a consistent tree the checks never fail (a few compares per refill, and
     * only when the hint word is empty). The range requires is true of every long; it is stated because KeY 2.12.3
     * has no rule that gives a long[] element the long range, which passing it to a method must show.
     */
    /*@ private normal_behavior
      @   requires bitmap != null && nonEmpty != null && levelOff != null;
      @   requires 0 <= levels && levels < levelOff.length;
      @   requires (\forall int i; 0 <= i && i < nonEmpty.length; Long.MIN_VALUE <= nonEmpty[i] && nonEmpty[i] <= Long.MAX_VALUE);
      @   ensures \result == -1 || (0 <= \result && \result < bitmap.length && bitmap[\result] != 0);
      @   assignable \strictly_nothing;
      @*/
    private /*@ helper @*/ int findNonEmptyWord() {
        if (levels == 0) {
            return -1;
        }
        int idx = 0;
        /*@ loop_invariant 0 <= l && l <= levels && 0 <= idx;
          @ decreasing l;
          @ assignable \strictly_nothing;
          @*/
        for (int l = levels; l >= 1; l = l - 1) {
            int pos = levelOff[l] + idx;
            if (pos < 0 || pos >= nonEmpty.length || idx > Integer.MAX_VALUE / 64) {
                return -1;
            }
            long word = nonEmpty[pos];
            if (word == 0) {
                return -1;
            }
            idx = idx * 64 + lowestBitIndex(word);
        }
        return idx < bitmap.length && bitmap[idx] != 0 ? idx : -1;
    }

    /**
     * Bits.lowestSetBit with only its range in the contract: the summary walk needs no more, and Bits' full post (a
     * quantifier over the bits below) sent KeY instantiating it with every index term of the walk.
     */
    /*@ private normal_behavior
      @   requires w != 0;
      @   ensures 0 <= \result && \result <= 63;
      @   assignable \strictly_nothing;
      @*/
    private static /*@ pure @*/ int lowestBitIndex(long w) {
        return Bits.lowestSetBit(w);
    }

    /**
     * The only writer of the bitmap: stores word w and keeps both summaries in step. A summary bit changes only when
     * the word crosses empty/non-empty or full/not-full, so most calls do two compares. A helper: it runs in the
     * middle of a step (free is updated after it), so the class invariant need not hold around it; it requires the
     * facts it uses. Its callers update the ghost count wordFree[w] next to free: a \num_of over the 64 bits here
     * is unrolled by KeY into 64 terms, which alone took storeWord's proof over 40 s of CPU.
     */
    /*@ private normal_behavior
      @   requires bitmap != null && nonEmpty != null && full != null && levelOff != null;
      @   requires bitmap != nonEmpty && bitmap != full;
      @   requires levelOff.length == MAX_LEVELS + 1 && 0 <= levels && levels <= MAX_LEVELS;
      @   requires full.length == (bitmap.length + 63) / 64;
      @   requires 0 <= w && w < bitmap.length && old == bitmap[w];
      @   ensures bitmap[w] == nw;
      @   assignable bitmap[w], nonEmpty[*], full[*];
      @*/
    private /*@ helper @*/ void storeWord(int w, long old, long nw) {
        bitmap[w] = nw;
        if (old == 0 && nw != 0) {
            markNonEmpty(w);
        } else if (old != 0 && nw == 0) {
            markEmpty(w);
        }
        if (old != -1 && nw == -1) {
            setFullBit(w);
        } else if (old == -1 && nw != -1) {
            clearFullBit(w);
        }
    }

    /*
     * The summary writers below set (clear) a bit only if it is clear (set), with Bits.isSet / withBitSet /
     * withBitCleared written out: on a consistent tree the test always passes, and written this way their
     * contracts need no fact about summary words (levels above 1 are not in the class invariant) and no long range
     * for an array element (KeY 2.12.3 has none, and passing one to a method must show it).
     */

    /** Word w became all free: set its bit in the full-word summary. */
    /*@ private normal_behavior
      @   requires bitmap != null && full != null && full.length == (bitmap.length + 63) / 64;
      @   requires 0 <= w && w < bitmap.length;
      @   assignable full[w / 64];
      @*/
    private /*@ helper @*/ void setFullBit(int w) {
        long word = full[w / 64];
        int b = w % 64;
        if ((word >> b) % 2 == 0) {
            full[w / 64] = word + (1L << b);
        }
    }

    /** Word w is no longer all free: clear its bit in the full-word summary. */
    /*@ private normal_behavior
      @   requires bitmap != null && full != null && full.length == (bitmap.length + 63) / 64;
      @   requires 0 <= w && w < bitmap.length;
      @   assignable full[w / 64];
      @*/
    private /*@ helper @*/ void clearFullBit(int w) {
        long word = full[w / 64];
        int b = w % 64;
        if ((word >> b) % 2 != 0) {
            full[w / 64] = word - (1L << b);
        }
    }

    /**
     * Word w became non-empty: set its bit, and go up only while a summary word was empty before. An index outside
     * nonEmpty (never, on the layout the constructor builds) ends the walk.
     */
    /*@ private normal_behavior
      @   requires nonEmpty != null && levelOff != null && levelOff.length == MAX_LEVELS + 1;
      @   requires 0 <= levels && levels <= MAX_LEVELS && 0 <= w;
      @   assignable nonEmpty[*];
      @*/
    private /*@ helper @*/ void markNonEmpty(int w) {
        int idx = w;
        /*@ loop_invariant 1 <= l && l <= levels + 1 && 0 <= idx && idx <= w;
          @ decreasing levels + 1 - l;
          @ assignable nonEmpty[*];
          @*/
        for (int l = 1; l <= levels; l = l + 1) {
            int pos = levelOff[l] + idx / 64;
            if (pos < 0 || pos >= nonEmpty.length) {
                return;
            }
            long old = nonEmpty[pos];
            int b = idx % 64;
            if ((old >> b) % 2 == 0) {
                nonEmpty[pos] = old + (1L << b);
            }
            if (old != 0) {
                return;
            }
            idx = idx / 64;
        }
    }

    /**
     * Word w became empty: clear its bit, and go up only while a summary word becomes empty. An index outside
     * nonEmpty (never, on the layout the constructor builds) ends the walk.
     */
    /*@ private normal_behavior
      @   requires nonEmpty != null && levelOff != null && levelOff.length == MAX_LEVELS + 1;
      @   requires 0 <= levels && levels <= MAX_LEVELS && 0 <= w;
      @   assignable nonEmpty[*];
      @*/
    private /*@ helper @*/ void markEmpty(int w) {
        int idx = w;
        /*@ loop_invariant 1 <= l && l <= levels + 1 && 0 <= idx && idx <= w;
          @ decreasing levels + 1 - l;
          @ assignable nonEmpty[*];
          @*/
        for (int l = 1; l <= levels; l = l + 1) {
            int pos = levelOff[l] + idx / 64;
            if (pos < 0 || pos >= nonEmpty.length) {
                return;
            }
            long word = nonEmpty[pos];
            int b = idx % 64;
            long nw = (word >> b) % 2 != 0 ? word - (1L << b) : word;
            nonEmpty[pos] = nw;
            if (nw != 0) {
                return;
            }
            idx = idx / 64;
        }
    }

    /**
     * Returns an allocated frame; a double free, a foreign frame or a frame the PMM never received (NOT_OWNED) is
     * refused and changes nothing.
     */
    /*@ public normal_behavior
      @   ensures \result == Err.OK || \result == Err.NOT_ALLOCATED || \result == Err.NOT_MANAGED
      @        || \result == Err.MISALIGNED || \result == Err.NOT_OWNED;
      @   ensures \result == Err.OK <==> (\old(manages(pa)) && !\old(isFree(pa)) && \old(handedOut((long) (pa / FRAME))));
      @   ensures \result == Err.OK ==> isFree(pa) && free == \old(free) + 1;
      @   ensures \result != Err.OK ==> free == \old(free)
      @        && (\forall int w; 0 <= w && w < bitmap.length; bitmap[w] == \old(bitmap[w]));
      @   assignable bitmap[*], nonEmpty[*], full[*], free, hint, hintBase, hintSegment, wordFree;
      @*/
    public long freeFrame(long pa) {
        if (pa % FRAME != 0) {
            return Err.MISALIGNED;
        }
        long f = pa / FRAME;
        int s = segs.segmentOf(f);
        if (s < 0) {
            return Err.NOT_MANAGED;
        }
        int w = wordOf(s, f);
        int b = (int) (f % 64);
        long old = bitmap[w];
        if (Bits.isSet(old, b)) {
            return Err.NOT_ALLOCATED;
        }
        if (!sealed || reservedOverlaps(f, f + 1)) {
            return Err.NOT_OWNED;
        }
        storeWord(w, old, Bits.withBitSet(old, b));
        //@ set wordFree = \seq_upd(wordFree, w, Bits.onesAt(bitmap, w, 64));
        free = free + 1;
        hint = w;
        hintBase = f - b;
        //@ set hintSegment = s;
        return Err.OK;
    }

    /** 2^order physically contiguous frames aligned to 2^order frames, or Err.NO_MEMORY. */
    /*@ public normal_behavior
      @   ensures \result == Err.NO_MEMORY || \result == Err.INVALID_ARGUMENT
      @        || (\result >= 0 && \result % (FRAME << order) == 0 && free == \old(free) - (1L << order));
      @   ensures (order < 0 || order > MAX_ORDER) <==> \result == Err.INVALID_ARGUMENT;
      @   ensures \result < 0 ==> free == \old(free);
      @   ensures sealed;
      @   assignable bitmap[*], nonEmpty[*], full[*], free, hint, hintBase, hintSegment, failCountdown, wholeCursor, wordFree,
      @              sealed, reservedStart[*], reservedEnd[*], reservedRuns;
      @*/
    public long allocAligned(int order) {
        if (!sealed) {
            seal();
        }
        if (order < 0 || order > MAX_ORDER) {
            return Err.INVALID_ARGUMENT;
        }
        if (injectedFailure()) {
            return Err.NO_MEMORY;
        }
        long size = 1L << order;
        if (free < size) {
            return Err.NO_MEMORY;
        }
        if (order == 0) {
            return takeOne();
        }
        long f = order < 6 ? findInWord(order) : findWholeWords(order - 6);
        if (f < 0) {
            return Err.NO_MEMORY;
        }
        markRange(f, f + size, false);
        return f * FRAME;
    }

    /** First frame of 2^order (1..5) aligned free frames inside one word: visits only words with a free frame. */
    private long findInWord(int order) {
        int size = 1 << order;
        long fieldAllFree = (1L << size) - 1;
        int level1Words = (int) wordsAbove(bitmap.length);
        for (int i = 0; i < level1Words; i++) {
            long pending = nonEmpty[levelOff[1] + i];
            while (pending != 0) {
                int b = Bits.lowestSetBit(pending);
                pending = Bits.withBitCleared(pending, b);
                int w = i * 64 + b;
                long word = bitmap[w];
                for (int p = (Bits.lowestSetBit(word) / size) * size; p < 64; p = p + size) {
                    if (lowBits(word >> p, size) == fieldAllFree) {
                        return segs.frameOfWord(w) + p;
                    }
                }
            }
        }
        return -1;
    }

    /**
     * First frame of 2^wordOrder whole free words aligned to 2^(wordOrder+6) frames. Starts at the word where the
     * last such search succeeded (so repeated 2 MiB requests do not rescan the full part of memory), goes through
     * the later segments, wraps around and ends back at that word: at most one pass over the full-word summary.
     */
    private long findWholeWords(int wordOrder) {
        if (bitmap.length == 0) {
            return -1;
        }
        long n = 1L << wordOrder;
        int s0 = segs.segmentOfWord(wholeCursor);
        long r = scanSegment(s0, wholeCursor, n);
        for (int k = 1; r < 0 && k <= segs.count(); k++) {
            int s = (s0 + k) % segs.count();
            r = scanSegment(s, segs.firstWord(s), n);
        }
        return r;
    }

    /**
     * Frame of the first aligned run of n full words of segment s at or after word from, or -1. Only aligned
     * candidates are visited, and a full-summary word of 0 skips its 64 words at once.
     */
    private long scanSegment(int s, long from, long n) {
        long baseWord = segs.base(s) / 64;
        long first = segs.firstWord(s);
        long endWord = first + (segs.end(s) - segs.base(s)) / 64;
        long w = first + ((baseWord + (from - first) + n - 1) / n) * n - baseWord;
        while (w + n <= endWord) {
            if (full[(int) (w / 64)] == 0) {
                long next = (w / 64 + 1) * 64;
                w = w + ((next - w + n - 1) / n) * n;
            } else {
                long bad = firstNotFull(w, n);
                if (bad < 0) {
                    wholeCursor = (int) w;
                    return segs.base(s) + (w - first) * 64;
                }
                w = w + ((bad - w) / n + 1) * n;
            }
        }
        return -1;
    }

    /** First word in [w, w+n) that is not all free, or -1. */
    private long firstNotFull(long w, long n) {
        for (long i = w; i < w + n; i++) {
            if (bitmap[(int) i] != -1) {
                return i;
            }
        }
        return -1;
    }

    /** x mod 2^n as a non-negative value, 1 <= n <= 63 (Java's % keeps the sign of x). */
    /*@ private normal_behavior
      @   requires 1 <= n && n <= 63;
      @   ensures 0 <= \result;
      @   assignable \strictly_nothing;
      @*/
    private static long lowBits(long x, int n) {
        long p = 1L << n;
        /* p <= 0 only for n == 63 (2^63 wraps to Long.MIN_VALUE); branching on p, not n, spares KeY 2^n facts. */
        if (p <= 0) {
            return x < 0 ? x - Long.MIN_VALUE : x;
        }
        long m = x % p;
        return m < 0 ? m + p : m;
    }

    /** Bits [b, b+cnt) of a word all set: the value to add to set them or subtract to clear them. */
    private static long field(int b, int cnt) {
        if (cnt == 64) {
            return -1L;
        }
        return ((1L << cnt) - 1) << b;
    }

    /**
     * Returns an aligned block; refused with nothing changed if any frame of it is foreign or already free, or
     * (checked after those) was never received by the PMM (NOT_OWNED).
     */
    /*@ public normal_behavior
      @   ensures \result == Err.OK || \result == Err.NOT_ALLOCATED || \result == Err.NOT_MANAGED
      @        || \result == Err.MISALIGNED || \result == Err.INVALID_ARGUMENT || \result == Err.NOT_OWNED;
      @   ensures (order < 0 || order > MAX_ORDER) ==> \result == Err.INVALID_ARGUMENT;
      @   ensures \result == Err.OK ==> free == \old(free) + (1L << order);
      @   ensures \result != Err.OK ==> free == \old(free)
      @        && (\forall int w; 0 <= w && w < bitmap.length; bitmap[w] == \old(bitmap[w]));
      @   assignable bitmap[*], nonEmpty[*], full[*], free, wordFree;
      @*/
    public long freeAligned(long pa, int order) {
        if (order < 0 || order > MAX_ORDER) {
            return Err.INVALID_ARGUMENT;
        }
        long size = 1L << order;
        if (pa < 0 || pa % (size * FRAME) != 0) {
            return Err.MISALIGNED;
        }
        long first = pa / FRAME;
        if (first > Long.MAX_VALUE - size) {
            return Err.NOT_MANAGED;
        }
        long check = firstProblem(first, first + size, Err.NOT_ALLOCATED);
        if (check != Err.OK) {
            return check;
        }
        if (!sealed || reservedOverlaps(first, first + size)) {
            return Err.NOT_OWNED;
        }
        markRange(first, first + size, true);
        return Err.OK;
    }

    /** Whether managed, non-free frame f was handed out by this PMM (not one it never received). */
    /*@ public normal_behavior
      @   requires f < Long.MAX_VALUE && reservedStart != null && reservedEnd != null && 0 <= reservedRuns
      @     && reservedRuns <= reservedStart.length && reservedRuns <= reservedEnd.length
      @     && (\forall int i; 0 <= i && i < reservedRuns; reservedStart[i] < reservedEnd[i])
      @     && (\forall int i; 0 <= i && i < reservedRuns;
      @           (\forall int j; i < j && j < reservedRuns; reservedEnd[i] <= reservedStart[j]));
      @   ensures \result == (sealed && (\forall int i; 0 <= i && i < reservedRuns;
      @                                   f < reservedStart[i] || reservedEnd[i] <= f));
      @   assignable \strictly_nothing;
      @*/
    public /*@ pure helper @*/ boolean handedOut(long f) {
        return sealed && !reservedOverlaps(f, f + 1);
    }

    /** Runs of never-released frames recorded at the seal (0 before it). */
    /*@ public normal_behavior
      @   ensures \result == reservedRuns;
      @   assignable \strictly_nothing;
      @*/
    public /*@ helper @*/ int reservedRunCount() {
        return reservedRuns;
    }

    /** Whether [first, last) meets a reserved run. */
    /*@ private normal_behavior
      @   requires first < last && reservedStart != null && reservedEnd != null && 0 <= reservedRuns
      @     && reservedRuns <= reservedStart.length && reservedRuns <= reservedEnd.length
      @     && (\forall int i; 0 <= i && i < reservedRuns; reservedStart[i] < reservedEnd[i])
      @     && (\forall int i; 0 <= i && i < reservedRuns;
      @           (\forall int j; i < j && j < reservedRuns; reservedEnd[i] <= reservedStart[j]));
      @   ensures \result == (\exists int i; 0 <= i && i < reservedRuns;
      @                        reservedStart[i] < last && first < reservedEnd[i]);
      @   assignable \strictly_nothing;
      @*/
    private /*@ pure helper @*/ boolean reservedOverlaps(long first, long last) {
        // the pre-PMM's runs sit together low in memory: most frees lie above the last run, one compare
        if (reservedRuns == 0 || first >= reservedEnd[reservedRuns - 1]) {
            return false;
        }
        /*
         * At most MAX_RESERVED_RUNS (a handful on a real boot) sorted runs: a forward scan that stops at the first
         * run starting at or after last. (A binary search saved nothing at this size and its int midpoint
         * arithmetic cost KeY more than the 20 s CPU limit.)
         */
        int i = 0;
        /*@ loop_invariant 0 <= i && i <= reservedRuns
          @   && (\forall int k; 0 <= k && k < i; reservedEnd[k] <= first);
          @ decreasing reservedRuns - i;
          @ assignable \strictly_nothing;
          @*/
        while (i < reservedRuns && reservedStart[i] < last) {
            if (first < reservedEnd[i]) {
                return true;
            }
            i = i + 1;
        }
        return false;
    }

    /**
     * Ends the hand-off: records the managed frames that are not free as the reserved runs. Nothing is handed out
     * yet, so those are exactly the frames never released.
     */
    /*@ private behavior
      @   requires !sealed;
      @   ensures sealed;
      @   signals_only KernelPanic;
      @   signals (KernelPanic) !sealed;
      @   assignable sealed, reservedStart[*], reservedEnd[*], reservedRuns;
      @*/
    private void seal() {
        reservedRuns = recordRuns();
        sealed = true;
    }

    /**
     * Writes the runs of non-free frames of every segment, in address order, to the run table and returns their
     * number; panics when there are more than the table holds. A helper (seal re-establishes the invariant), so it
     * states the segment-table facts it uses: segments are ordered, so a run found later starts after every run
     * found before.
     */
    /*@ private behavior
      @   requires segs != null && segs.start != null && segs.end != null && segs.base != null && segs.firstWord != null;
      @   requires 0 <= segs.count && segs.count <= segs.start.length && segs.start.length == segs.end.length
      @     && segs.start.length == segs.base.length && segs.start.length == segs.firstWord.length;
      @   requires (\forall int k; 0 <= k && k < segs.count; 0 <= segs.start[k] && segs.start[k] < segs.end[k]);
      @   requires (\forall int k; 0 < k && k < segs.count; segs.end[k - 1] < segs.start[k]);
      @   requires bitmap != null && reservedStart != null && reservedEnd != null;
      @   requires reservedStart.length == reservedEnd.length && reservedStart != reservedEnd;
      @   requires reservedStart != segs.start && reservedStart != segs.end
      @     && reservedEnd != segs.start && reservedEnd != segs.end;
      @   ensures 0 <= \result && \result <= reservedStart.length;
      @   ensures (\forall int i; 0 <= i && i < \result; reservedStart[i] < reservedEnd[i]);
      @   ensures (\forall int i; 0 <= i && i < \result;
      @              (\forall int j; i < j && j < \result; reservedEnd[i] <= reservedStart[j]));
      @   signals_only KernelPanic;
      @   assignable reservedStart[*], reservedEnd[*];
      @*/
    private /*@ helper @*/ int recordRuns() {
        int n = 0;
        //@ ghost long last = 0; // end of the segment before s: every run found so far ends at or before it
        /*@ loop_invariant 0 <= s && s <= segs.count && 0 <= n && n <= reservedStart.length;
          @ loop_invariant s < segs.count ==> last <= segs.start[s];
          @ loop_invariant (\forall int i; 0 <= i && i < n; reservedStart[i] < reservedEnd[i] && reservedEnd[i] <= last);
          @ loop_invariant (\forall int i; 0 <= i && i < n; (\forall int j; i < j && j < n; reservedEnd[i] <= reservedStart[j]));
          @ decreasing segs.count - s;
          @ assignable reservedStart[*], reservedEnd[*];
          @*/
        for (int s = 0; s < segs.count(); s++) {
            long end = segs.end(s);
            n = recordSegment(s, segs.start(s), end, n);
            //@ set last = end;
        }
        return n;
    }

    /**
     * Appends the runs of non-free frames of segment s = [start, end) to the first n entries of the run table
     * (all of which end at or before start) and returns the new count. Walks the segment a word at a time, once.
     */
    /*@ private behavior
      @   requires segs != null && segs.base != null && segs.firstWord != null && bitmap != null;
      @   requires 0 <= s && s < segs.count && s < segs.base.length && s < segs.firstWord.length && 0 <= start && start <= end;
      @   requires reservedStart != null && reservedEnd != null && reservedStart.length == reservedEnd.length
      @     && reservedStart != reservedEnd && 0 <= n && n <= reservedStart.length;
      @   requires (\forall int i; 0 <= i && i < n; reservedStart[i] < reservedEnd[i] && reservedEnd[i] <= start);
      @   requires (\forall int i; 0 <= i && i < n; (\forall int j; i < j && j < n; reservedEnd[i] <= reservedStart[j]));
      @   ensures 0 <= \result && \result <= reservedStart.length;
      @   ensures (\forall int i; 0 <= i && i < \result; reservedStart[i] < reservedEnd[i] && reservedEnd[i] <= end);
      @   ensures (\forall int i; 0 <= i && i < \result;
      @              (\forall int j; i < j && j < \result; reservedEnd[i] <= reservedStart[j]));
      @   signals_only KernelPanic;
      @   assignable reservedStart[*], reservedEnd[*];
      @*/
    private /*@ helper @*/ int recordSegment(int s, long start, long end, int n) {
        int runs = n;
        long f = start;
        /*@ loop_invariant start <= f && f <= end && 0 <= runs && runs <= reservedStart.length;
          @ loop_invariant (\forall int i; 0 <= i && i < runs; reservedStart[i] < reservedEnd[i] && reservedEnd[i] <= f);
          @ loop_invariant (\forall int i; 0 <= i && i < runs; (\forall int j; i < j && j < runs; reservedEnd[i] <= reservedStart[j]));
          @ decreasing end - f;
          @ assignable reservedStart[*], reservedEnd[*];
          @*/
        while (f < end) {
            long firstFree = nextInState(s, f, end, true);
            if (firstFree > f) {
                if (runs == reservedStart.length) {
                    throw new KernelPanic("pmm: too many never-released runs at the seal (MAX_RESERVED_RUNS)");
                }
                reservedStart[runs] = f;
                reservedEnd[runs] = firstFree;
                runs = runs + 1;
            }
            // frame firstFree is free, so the next frame that is not lies after it (and the loop advances)
            f = firstFree < end ? nextInState(s, firstFree + 1, end, false) : end;
        }
        return runs;
    }

    /** First frame in [from, end) of segment s that is free (wantFree) or not free; end if none. A word at a time. */
    /*@ private normal_behavior
      @   requires segs != null && segs.base != null && segs.firstWord != null && bitmap != null;
      @   requires 0 <= s && s < segs.count && s < segs.base.length && s < segs.firstWord.length;
      @   requires 0 <= from && from <= end;
      @   ensures from <= \result && \result <= end;
      @   assignable \strictly_nothing;
      @*/
    private /*@ helper @*/ long nextInState(int s, long from, long end, boolean wantFree) {
        long f = from;
        /*@ loop_invariant from <= f && f <= end;
          @ decreasing end - f;
          @ assignable \strictly_nothing;
          @*/
        while (f < end) {
            int w = wordOrNone(s, f);
            if (w < 0) {
                return end;
            }
            int b = (int) (f % 64);
            int k = stateBitFrom(w, b, wantFree);
            if (k >= 0) {
                return k < end - f ? f + k : end;
            }
            if (end - f <= 64 - b) {
                return end;
            }
            f = f + (64 - b); // first frame of the next word, written so that it cannot overflow
        }
        return end;
    }

    /**
     * Bitmap word of frame f of segment s, or -1 when the segment's fields do not place f inside the bitmap: it
     * checks instead of relying on the segment table's layout (on a consistent table the checks never fail), so its
     * contract needs no invariant, and the checks keep the arithmetic free of overflow.
     */
    /*@ private normal_behavior
      @   requires segs != null && segs.base != null && segs.firstWord != null && bitmap != null;
      @   requires 0 <= s && s < segs.count && s < segs.base.length && s < segs.firstWord.length;
      @   ensures -1 <= \result && \result < bitmap.length;
      @   assignable \strictly_nothing;
      @*/
    private /*@ helper @*/ int wordOrNone(int s, long f) {
        long base = segs.base(s);
        if (base < 0 || f < base) {
            return -1;
        }
        long w = segs.firstWord(s) + (f - base) / 64; // no overflow: 0 <= f - base, firstWord is an int
        return w < 0 || w >= bitmap.length ? -1 : (int) w;
    }

    /**
     * Distance from bit b to the lowest bit at or above b of bitmap word w that is set (wantFree) or clear; -1 if
     * none. Bit k of the word shifted right by b is bit b + k of the word (an arithmetic shift copies bit 63, so a
     * non-zero shifted word has its lowest set bit at or below 63 - b). Reads the element itself: passing it to a
     * method would need its long range, which KeY 2.12.3 cannot show.
     */
    /*@ private normal_behavior
      @   requires bitmap != null && 0 <= w && w < bitmap.length && 0 <= b && b <= 63;
      @   ensures -1 <= \result && \result <= 63;
      @   assignable \strictly_nothing;
      @*/
    private /*@ helper @*/ int stateBitFrom(int w, int b, boolean wantFree) {
        long word = bitmap[w];
        long above = (wantFree ? word : -1L - word) >> b; // -1 - word flips every bit
        return above == 0 ? -1 : lowestBitIndex(above);
    }

    /**
     * Checks frames [first, last) in address order: the first one that is not managed gives NOT_MANAGED, the first
     * one that is free gives freeError, whichever comes first; Err.OK when all are managed and allocated. Works a
     * word at a time inside a segment.
     */
    private long firstProblem(long first, long last, long freeError) {
        long f = first;
        while (f < last) {
            int s = segs.segmentOf(f);
            if (s < 0) {
                return Err.NOT_MANAGED;
            }
            long stop = last < segs.end(s) ? last : segs.end(s);
            while (f < stop) {
                int b = (int) (f % 64);
                int cnt = stop - f < 64 - b ? (int) (stop - f) : 64 - b;
                long word = bitmap[wordOf(s, f)];
                boolean anyFree = cnt == 64 ? word != 0 : lowBits(word >> b, cnt) != 0;
                if (anyFree) {
                    return freeError;
                }
                f = f + cnt;
            }
        }
        return Err.OK;
    }

    /** Marks frames [first, last), all managed and all in the opposite state, free or allocated, a word at a time. */
    private void markRange(long first, long last, boolean makeFree) {
        long f = first;
        while (f < last) {
            int s = segs.segmentOf(f);
            if (s < 0) {
                throw new KernelPanic("pmm: marking a frame that is not managed");
            }
            long stop = last < segs.end(s) ? last : segs.end(s);
            while (f < stop) {
                int b = (int) (f % 64);
                int cnt = stop - f < 64 - b ? (int) (stop - f) : 64 - b;
                int w = wordOf(s, f);
                long old = bitmap[w];
                storeWord(w, old, makeFree ? old + field(b, cnt) : old - field(b, cnt));
                //@ set wordFree = \seq_upd(wordFree, w, Bits.onesAt(bitmap, w, 64));
                free = makeFree ? free + cnt : free - cnt;
                f = f + cnt;
            }
        }
    }
}
