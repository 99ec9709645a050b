package verimem.kernel.pmm;

import verimem.kernel.arch.KernelPanic;
import verimem.kernel.memmap.MemoryMap;

/**
 * Where each usable frame's bit lives. One segment per usable range of the map, sorted by address, disjoint; each
 * segment owns whole bitmap words starting at {@code firstWord}, and bit 0 of its first word is frame
 * {@code base = start rounded down to 64}. So a frame's bit position inside its word is {@code frame % 64}: the
 * alignment of a frame number and of its bit position agree, which is what aligned allocation inside a word needs.
 * The frames of the first and last word that lie outside the range are never released (permanently reserved bits).
 *
 * Frame -> segment is bounded without a scan over all segments: a direct table indexed by frame / 2^chunkShift
 * (chunk = 1 GiB unless the address span is huge) names the first segment that ends after the chunk's start; the
 * lookup then walks forward only over segments that end inside that same chunk (0 steps on ordinary maps, never
 * more than the segments of one chunk, and at most MemoryMap.CAPACITY). A frame no segment holds is confirmed by a
 * scan over the segments (see segmentOf).
 */
public final class SegmentTable {
    /** log2 of frames per lookup chunk for maps that fit: 2^18 frames = 1 GiB. */
    public static final int BASE_CHUNK_SHIFT = 18;
    /** The lookup table never has more entries than this; a larger span widens the chunks instead. */
    public static final int MAX_CHUNKS = 1024;
    /**
     * Most bitmap words a table lays out: bitmap words and their indices are ints. 2^31 - 1 words of 64 frames is
     * just under 512 TiB, less than a sanitised map may describe (up to MAXPHYADDR, 2^52), so maps beyond it are
     * refused up front ({@link #fits}) instead of letting the word count wrap.
     */
    public static final long MAX_WORDS = Integer.MAX_VALUE;

    //@ public invariant 0 <= count && count <= start.length;
    //@ public invariant start.length == end.length && start.length == base.length && start.length == firstWord.length;
    //@ public invariant (\forall int s; 0 <= s && s < count; 0 <= start[s] && start[s] < end[s] && base[s] == (start[s] / 64) * 64);
    //@ public invariant (\forall int s; 0 < s && s < count; end[s - 1] < start[s]);
    //@ public invariant (\forall int s; 0 <= s && s < count; 0 <= firstWord[s] && firstWord[s] + (end[s] - base[s] + 63) / 64 <= words);
    //@ public invariant count > 0 ==> firstWord[0] == 0;
    /*
     * What the invariant reads (chunkFirstSeg because JML's non-null default puts "chunkFirstSeg != null" in it): a
     * write elsewhere (the PMM's bitmap, the ownership bitmaps) provably cannot break it.
     */
    //@ accessible \inv: start, end, base, firstWord, chunkFirstSeg, count, words, start[*], end[*], base[*], firstWord[*];
    /*@ spec_public @*/ private final long[] start;
    /*@ spec_public @*/ private final long[] end;
    /*@ spec_public @*/ private final long[] base;
    /*@ spec_public @*/ private final int[] firstWord;
    /*@ spec_public @*/ private final int count;
    /*@ spec_public @*/ private final int words;
    /*@ spec_public @*/ private final long frames;
    /*@ spec_public @*/ private final int[] chunkFirstSeg;
    /*@ spec_public @*/ private final int chunkShift;

    /** First whole frame of a usable entry (start rounded up to a frame). */
    /*@ public normal_behavior
      @   requires a >= 0 && a <= Long.MAX_VALUE - Pmm.FRAME;
      @   ensures \result == (a + Pmm.FRAME - 1) / Pmm.FRAME;
      @   assignable \strictly_nothing;
      @*/
    public /*@ pure @*/ static long firstFrame(long a) {
        return (a + Pmm.FRAME - 1) / Pmm.FRAME;
    }

    /**
     * Bitmap words for the frames [first, last): from first rounded down to a word (64 frames) up to last rounded
     * up to a word. No overflow: last < 2^51.
     */
    /*@ public normal_behavior
      @   requires 0 <= first && first < last && last <= Long.MAX_VALUE / Pmm.FRAME;
      @   ensures \result == (last - (first / 64) * 64 + 63) / 64;
      @   ensures 1 <= \result && \result <= 70368744177664L;
      @   assignable \strictly_nothing;
      @*/
    public /*@ pure @*/ static long wordsOfFrames(long first, long last) {
        return (last - (first / 64) * 64 + 63) / 64;
    }

    /** Bitmap words for the whole frames of the byte range [s, e) (which holds at least one whole frame). */
    /*@ public normal_behavior
      @   requires 0 <= s && s <= Long.MAX_VALUE - Pmm.FRAME && 0 <= e
      @            && e / Pmm.FRAME > (s + Pmm.FRAME - 1) / Pmm.FRAME;
      @   ensures \result == (e / Pmm.FRAME - ((s + Pmm.FRAME - 1) / Pmm.FRAME / 64) * 64 + 63) / 64;
      @   ensures 1 <= \result && \result <= 70368744177664L;
      @   assignable \strictly_nothing;
      @*/
    public /*@ pure @*/ static long wordsOfRange(long s, long e) {
        return wordsOfFrames(firstFrame(s), e / Pmm.FRAME);
    }

    /** Bitmap words wordsFor counts for entry i of the map: those of its whole frames if it is usable, else 0. */
    /*@ public normal_behavior
      @   requires usable != null && \invariant_for(usable) && 0 <= i && i < usable.count;
      @   ensures \result == ((usable.types[i] == MemoryMap.USABLE && 0 <= usable.starts[i] && 0 <= usable.ends[i]
      @                         && usable.starts[i] <= Long.MAX_VALUE - Pmm.FRAME
      @                         && usable.ends[i] / Pmm.FRAME > (usable.starts[i] + Pmm.FRAME - 1) / Pmm.FRAME)
      @                        ? (usable.ends[i] / Pmm.FRAME
      @                           - ((usable.starts[i] + Pmm.FRAME - 1) / Pmm.FRAME / 64) * 64 + 63) / 64
      @                        : 0);
      @   ensures 0 <= \result && \result <= 70368744177664L;
      @   assignable \strictly_nothing;
      @*/
    public /*@ pure @*/ static long entryWords(MemoryMap usable, int i) {
        if (!isUsableEntry(usable, i)) {
            return 0;
        }
        return wordsOfRange(usable.start(i), usable.end(i));
    }

    /**
     * Bitmap words an upper bound for the map needs: the sum of entryWords over the entries (overlapping entries
     * are counted twice: still an upper bound). The accessible clause lets the constructor carry the requires'
     * value across the creation of the object. For its proof the sum is written over the map's arrays (KeY cannot
     * move a query such as entryWords(usable, j) under the sum's binder to another heap) and the loop is in
     * wordsBelow, whose contract then gives the value in each heap without re-proving the loop.
     */
    /*@ public normal_behavior
      @   requires usable != null && \invariant_for(usable);
      @   ensures \result == (\sum int j; 0 <= j && j < usable.count;
      @                      ((usable.types[j] == MemoryMap.USABLE && 0 <= usable.starts[j] && 0 <= usable.ends[j]
      @                         && usable.starts[j] <= Long.MAX_VALUE - Pmm.FRAME
      @                         && usable.ends[j] / Pmm.FRAME > (usable.starts[j] + Pmm.FRAME - 1) / Pmm.FRAME)
      @                        ? (usable.ends[j] / Pmm.FRAME
      @                           - ((usable.starts[j] + Pmm.FRAME - 1) / Pmm.FRAME / 64) * 64 + 63) / 64
      @                        : 0));
      @   ensures 0 <= \result && \result <= usable.count * 70368744177664L;
      @   accessible usable.count, usable.starts, usable.ends, usable.types,
      @              usable.starts[*], usable.ends[*], usable.types[*];
      @   assignable \strictly_nothing;
      @*/
    public /*@ pure @*/ static long wordsFor(MemoryMap usable) {
        return wordsBelow(usable, usable.count());
    }

    /** The sum of entryWords over the first n entries of the map. */
    /*@ private normal_behavior
      @   requires usable != null && \invariant_for(usable) && 0 <= n && n <= usable.count;
      @   ensures \result == (\sum int j; 0 <= j && j < n;
      @                      ((usable.types[j] == MemoryMap.USABLE && 0 <= usable.starts[j] && 0 <= usable.ends[j]
      @                         && usable.starts[j] <= Long.MAX_VALUE - Pmm.FRAME
      @                         && usable.ends[j] / Pmm.FRAME > (usable.starts[j] + Pmm.FRAME - 1) / Pmm.FRAME)
      @                        ? (usable.ends[j] / Pmm.FRAME
      @                           - ((usable.starts[j] + Pmm.FRAME - 1) / Pmm.FRAME / 64) * 64 + 63) / 64
      @                        : 0));
      @   ensures 0 <= \result && \result <= n * 70368744177664L;
      @   assignable \strictly_nothing;
      @*/
    private static long wordsBelow(MemoryMap usable, int n) {
        long words = 0;
        /* Each entry adds at most 2^51 / 64 + 1 < 2^46 words (frames are below 2^51). */
        /*@ loop_invariant 0 <= i && i <= n && 0 <= words && words <= i * 70368744177664L;
          @ loop_invariant words == (\sum int j; 0 <= j && j < i;
          @                          ((usable.types[j] == MemoryMap.USABLE && 0 <= usable.starts[j] && 0 <= usable.ends[j]
          @                         && usable.starts[j] <= Long.MAX_VALUE - Pmm.FRAME
          @                         && usable.ends[j] / Pmm.FRAME > (usable.starts[j] + Pmm.FRAME - 1) / Pmm.FRAME)
          @                        ? (usable.ends[j] / Pmm.FRAME
          @                           - ((usable.starts[j] + Pmm.FRAME - 1) / Pmm.FRAME / 64) * 64 + 63) / 64
          @                        : 0));
          @ decreasing n - i;
          @ assignable \strictly_nothing;
          @*/
        for (int i = 0; i < n; i++) {
            words = words + entryWords(usable, i);
        }
        return words;
    }

    /**
     * Whether the usable entries fit the int-indexed bitmap. wordsFor is an upper bound of the words the
     * constructor lays out (merging entries never adds words), so a map that fits here never wraps. No overflow:
     * at most CAPACITY entries of at most 2^45 words each.
     */
    /*@ public normal_behavior
      @   requires usable != null && \invariant_for(usable);
      @   ensures \result == (wordsFor(usable) <= MAX_WORDS);
      @   assignable \nothing;
      @*/
    public static boolean fits(MemoryMap usable) {
        return wordsFor(usable) <= MAX_WORDS;
    }

    /** Entries of the map that give at least one whole frame; negative or wrapping entries are ignored. */
    /*@ public normal_behavior
      @   requires usable != null && \invariant_for(usable) && 0 <= i && i < usable.count;
      @   ensures \result == (usable.types[i] == MemoryMap.USABLE && 0 <= usable.starts[i] && 0 <= usable.ends[i]
      @                        && usable.starts[i] <= Long.MAX_VALUE - Pmm.FRAME
      @                        && usable.ends[i] / Pmm.FRAME > (usable.starts[i] + Pmm.FRAME - 1) / Pmm.FRAME);
      @   assignable \strictly_nothing;
      @*/
    public /*@ pure @*/ static boolean isUsableEntry(MemoryMap usable, int i) {
        if (usable.type(i) != MemoryMap.USABLE) {
            return false;
        }
        long s = usable.start(i);
        long e = usable.end(i);
        if (s < 0 || e < 0 || s > Long.MAX_VALUE - Pmm.FRAME) {
            return false;
        }
        return e / Pmm.FRAME > firstFrame(s);
    }

    /** Highest exclusive end frame over the usable entries (0 if none). */
    // endFrameFor and metadataBytes assign \strictly_nothing, so Pmm.metadataBytes sees no anonymised heap.
    /*@ public normal_behavior
      @   requires usable != null && \invariant_for(usable);
      @   ensures \result >= 0;
      @   assignable \strictly_nothing;
      @*/
    public static long endFrameFor(MemoryMap usable) {
        long top = 0;
        int n = usable.count();
        /*@ loop_invariant 0 <= i && i <= n && n == usable.count && 0 <= top;
          @ decreasing n - i;
          @ assignable \strictly_nothing;
          @*/
        for (int i = 0; i < n; i++) {
            if (isUsableEntry(usable, i) && usable.end(i) / Pmm.FRAME > top) {
                top = usable.end(i) / Pmm.FRAME;
            }
        }
        return top;
    }

    /** Chunk width such that the lookup table over [0, endFrame) has at most MAX_CHUNKS entries. */
    /*@ public normal_behavior
      @   requires endFrame >= 0;
      @   ensures \result >= BASE_CHUNK_SHIFT && \result <= 62;
      @   assignable \strictly_nothing;
      @*/
    public static int chunkShiftFor(long endFrame) {
        int shift = BASE_CHUNK_SHIFT;
        /*@ loop_invariant BASE_CHUNK_SHIFT <= shift && shift <= 62;
          @ decreasing 62 - shift;
          @ assignable \strictly_nothing;
          @*/
        while (shift < 62 && (endFrame >> shift) >= MAX_CHUNKS) {
            shift = shift + 1;
        }
        return shift;
    }

    /*@ public normal_behavior
      @   requires endFrame >= 0;
      @   ensures \result >= 1 && \result <= MAX_CHUNKS;
      @   assignable \strictly_nothing;
      @*/
    public static int chunksFor(long endFrame) {
        long c = endFrame >> chunkShiftFor(endFrame);
        /*
         * c >= 0 (endFrame >= 0) and chunkShiftFor stops once c < MAX_CHUNKS (or at shift 62, where c <= 1), so
         * the clamp never changes the result; it puts both bounds where KeY sees them (it lacks x / 2^s >= 0 and
         * stating the bound in chunkShiftFor's contract left that one open).
         */
        return 0 <= c && c < MAX_CHUNKS ? (int) c + 1 : MAX_CHUNKS;
    }

    /** Bytes this table takes for a map (arrays sized by map entries, plus 16 bytes of header per array). */
    /*@ public normal_behavior
      @   requires usable != null && \invariant_for(usable);
      @   ensures 0 <= \result && \result <= MemoryMap.CAPACITY * 28L + MAX_CHUNKS * 4L + 5 * 16L;
      @   assignable \strictly_nothing;
      @*/
    public static long metadataBytes(MemoryMap usable) {
        return usable.count() * 28L + chunksFor(endFrameFor(usable)) * 4L + 5 * 16L;
    }

    /**
     * Builds the sorted segment table of the usable entries of a map. Overlapping or touching entries are merged,
     * so segments are disjoint and separated by a hole of at least one frame: an aligned block never needs to span
     * two segments. A map beyond the bitmap limit panics before anything is allocated: callers check
     * {@link #fits} first (Pmm.checkFits), this is the last line of defence.
     */
    /*@ public normal_behavior
      @   requires usable != null && \invariant_for(usable) && wordsFor(usable) <= MAX_WORDS;
      @   ensures 0 <= words && words <= MAX_WORDS && 0 <= frames && (words > 0 ==> count > 0);
      @   assignable \nothing;
      @*/
    public SegmentTable(MemoryMap usable) {
        if (!fits(usable)) {
            throw new KernelPanic("pmm: usable memory beyond the bitmap limit (2^31 - 1 words, 512 TiB)");
        }
        int n = usable.count();
        start = new long[n];
        end = new long[n];
        base = new long[n];
        firstWord = new int[n];
        /* base holds the sorted starts until layOut overwrites it: no array beyond what metadataBytes counts. */
        int segs = collectSorted(usable, base, end);
        count = mergeOverlaps(base, start, end, segs);
        long w = layOut(start, end, base, firstWord, count);
        if (w < 0) {
            throw new KernelPanic("pmm: merged segments beyond the bitmap limit (2^31 - 1 words)");
        }
        words = (int) w;
        frames = framesOf(start, end, count);
        long top = lastEnd(end, count);
        chunkShift = chunkShiftFor(top);
        chunkFirstSeg = new int[chunksFor(top)];
        fillChunkTable(chunkFirstSeg, end, count, chunkShift);
    }

    /**
     * Writes the whole-frame range [first frame, end frame) of every usable entry of the map to starts/ends, sorted
     * by start, and returns how many there are. Its contract gives the order only: carrying "0 <= start < end"
     * through the insertions doubled their proof cost, and mergeOverlaps drops a range that is not one anyway.
     */
    /*@ private normal_behavior
      @   requires usable != null && \invariant_for(usable) && starts != null && ends != null && starts != ends;
      @   requires usable.count <= starts.length && usable.count <= ends.length;
      @   requires starts != usable.starts && starts != usable.ends && ends != usable.starts && ends != usable.ends;
      @   ensures 0 <= \result && \result <= usable.count;
      @   ensures (\forall int k; 0 < k && k < \result; starts[k - 1] <= starts[k]);
      @   assignable starts[*], ends[*];
      @*/
    private static int collectSorted(MemoryMap usable, long[] starts, long[] ends) {
        int n = usable.count();
        int segs = 0;
        /*@ loop_invariant 0 <= i && i <= n && n == usable.count && 0 <= segs && segs <= i;
          @ loop_invariant (\forall int k; 0 < k && k < segs; starts[k - 1] <= starts[k]);
          @ decreasing n - i;
          @ assignable starts[*], ends[*];
          @*/
        for (int i = 0; i < n; i++) {
            if (isUsableEntry(usable, i)) {
                segs = insertSorted(starts, ends, segs, firstFrame(usable.start(i)), usable.end(i) / Pmm.FRAME);
            }
        }
        return segs;
    }

    /**
     * Inserts the frame range [s, e) into the first n ranges of starts/ends (sorted by start) so that the first
     * n + 1 are sorted by start (insertion sort's step); returns n + 1.
     */
    /*@ private normal_behavior
      @   requires starts != null && ends != null && starts != ends && 0 <= n && n < starts.length && n < ends.length;
      @   requires (\forall int k; 0 < k && k < n; starts[k - 1] <= starts[k]);
      @   ensures \result == n + 1;
      @   ensures (\forall int k; 0 < k && k < \result; starts[k - 1] <= starts[k]);
      @   assignable starts[*], ends[*];
      @*/
    private static int insertSorted(long[] starts, long[] ends, int n, long s, long e) {
        int j = n;
        /*
         * [0, j) is untouched, (j, n] holds the old [j - 1, n), all of which start after s; slot j is the hole, and
         * the sortedness around it is also stated on the current arrays (without it auto mode stops with a goal
         * that needs the shifted indices instantiated).
         */
        /*@ loop_invariant 0 <= j && j <= n;
          @ loop_invariant (\forall int k; 0 <= k && k < j; starts[k] == \old(starts[k]) && ends[k] == \old(ends[k]));
          @ loop_invariant (\forall int k; j < k && k <= n;
          @                   starts[k] == \old(starts[k - 1]) && ends[k] == \old(ends[k - 1]) && s < starts[k]);
          @ loop_invariant (\forall int k; 0 < k && k <= n && k != j && k != j + 1; starts[k - 1] <= starts[k]);
          @ loop_invariant 0 < j && j < n ==> starts[j - 1] <= starts[j + 1];
          @ decreasing j;
          @ assignable starts[*], ends[*];
          @*/
        while (j > 0 && starts[j - 1] > s) {
            starts[j] = starts[j - 1];
            ends[j] = ends[j - 1];
            j = j - 1;
        }
        starts[j] = s;
        ends[j] = e;
        return n + 1;
    }

    /**
     * Merges the overlapping or touching ranges among the first n of from/ends (sorted by start) into starts/ends
     * and returns how many are left: those are ordered with a hole of at least one frame between neighbours. A
     * range that is empty or starts below 0 is dropped (collectSorted writes none; its contract does not say so).
     * The starts are read from their own array, so only ends is rewritten in place (behind the read position).
     */
    /*@ private normal_behavior
      @   requires from != null && starts != null && ends != null && from != starts && from != ends && starts != ends;
      @   requires 0 <= n && n <= from.length && n <= starts.length && n <= ends.length;
      @   requires (\forall int k; 0 < k && k < n; from[k - 1] <= from[k]);
      @   ensures 0 <= \result && \result <= n;
      @   ensures (\forall int k; 0 <= k && k < \result; 0 <= starts[k] && starts[k] < ends[k]);
      @   ensures (\forall int k; 0 < k && k < \result; ends[k - 1] < starts[k]);
      @   assignable starts[*], ends[*];
      @*/
    private static int mergeOverlaps(long[] from, long[] starts, long[] ends, int n) {
        int kept = 0;
        /* Writes go to slots kept - 1 and kept <= i, so ends keeps [i, n); range i starts no earlier than the last kept. */
        /*@ loop_invariant 0 <= i && i <= n && 0 <= kept && kept <= i;
          @ loop_invariant (\forall int k; 0 <= k && k < kept; 0 <= starts[k] && starts[k] < ends[k]);
          @ loop_invariant (\forall int k; 0 < k && k < kept; ends[k - 1] < starts[k]);
          @ loop_invariant (\forall int k; i <= k && k < n; ends[k] == \old(ends[k]));
          @ loop_invariant kept > 0 && i < n ==> starts[kept - 1] <= from[i];
          @ decreasing n - i;
          @ assignable starts[*], ends[*];
          @*/
        for (int i = 0; i < n; i++) {
            boolean isRange = 0 <= from[i] & from[i] < ends[i];
            if (kept > 0 && from[i] <= ends[kept - 1]) {
                if (ends[i] > ends[kept - 1]) {
                    ends[kept - 1] = ends[i];
                }
            } else if (isRange) {
                starts[kept] = from[i];
                ends[kept] = ends[i];
                kept = kept + 1;
            }
        }
        return kept;
    }

    /**
     * Gives the first count segments their bitmap words: base is the start rounded down to a word, firstWord the
     * words of the segments before it. Returns the total, or -1 when it would pass MAX_WORDS (or a segment ends
     * beyond the frames a long address has). The constructor's fits check rules that out (merging never adds words
     * to the entries' wordsFor), but KeY is not shown that yet; the check keeps the int casts exact regardless.
     */
    /*@ private normal_behavior
      @   requires starts != null && ends != null && bases != null && firstWords != null;
      @   requires starts != ends && bases != starts && bases != ends;
      @   requires 0 <= count && count <= starts.length && count <= ends.length && count <= bases.length
      @            && count <= firstWords.length;
      @   requires (\forall int k; 0 <= k && k < count; 0 <= starts[k] && starts[k] < ends[k]);
      @   ensures -1 <= \result && \result <= MAX_WORDS;
      @   ensures \result >= 0 ==> (\forall int k; 0 <= k && k < count; bases[k] == (starts[k] / 64) * 64
      @                              && 0 <= firstWords[k] && firstWords[k] + (ends[k] - bases[k] + 63) / 64 <= \result);
      @   ensures \result >= 0 && count > 0 ==> firstWords[0] == 0;
      @   assignable bases[*], firstWords[*];
      @*/
    private static long layOut(long[] starts, long[] ends, long[] bases, int[] firstWords, int count) {
        long w = 0;
        /*@ loop_invariant 0 <= i && i <= count && 0 <= w && w <= MAX_WORDS;
          @ loop_invariant (\forall int k; 0 <= k && k < i; bases[k] == (starts[k] / 64) * 64
          @                   && 0 <= firstWords[k] && firstWords[k] + (ends[k] - bases[k] + 63) / 64 <= w);
          @ loop_invariant i == 0 ? w == 0 : firstWords[0] == 0;
          @ decreasing count - i;
          @ assignable bases[*], firstWords[*];
          @*/
        for (int i = 0; i < count; i++) {
            if (ends[i] > Long.MAX_VALUE / Pmm.FRAME) {
                return -1;
            }
            long segWords = wordsOfFrames(starts[i], ends[i]);
            if (segWords > MAX_WORDS - w) {
                return -1;
            }
            bases[i] = (starts[i] / 64) * 64;
            firstWords[i] = (int) w;
            w = w + segWords;
        }
        return w;
    }

    /**
     * End frame of the last of the first count segments, 0 if there are none. Read here, not in the constructor: KeY
     * has no long range for a long[] element, which chunkShiftFor's parameter needs; a result has it.
     */
    /*@ private normal_behavior
      @   requires ends != null && 0 <= count && count <= ends.length && (count > 0 ==> ends[count - 1] > 0);
      @   ensures \result >= 0;
      @   assignable \strictly_nothing;
      @*/
    private static long lastEnd(long[] ends, int count) {
        return count > 0 ? ends[count - 1] : 0;
    }

    /**
     * Frames the first count segments hold (the sum of their lengths): at least 0 and at most the last segment's end,
     * since the segments are ranges, sorted and disjoint (what the constructor's 0 <= frames needs).
     */
    /*@ private normal_behavior
      @   requires starts != null && ends != null && 0 <= count && count <= starts.length && count <= ends.length;
      @   requires (\forall int k; 0 <= k && k < count; 0 <= starts[k] && starts[k] < ends[k]);
      @   requires (\forall int k; 0 < k && k < count; ends[k - 1] < starts[k]);
      @   ensures \result >= 0;
      @   assignable \strictly_nothing;
      @*/
    private static long framesOf(long[] starts, long[] ends, int count) {
        long total = 0;
        /* The elements are read through elementAt: KeY 2.12.3 gives a long[] element no long range, a long result one. */
        /*@ loop_invariant 0 <= i && i <= count && 0 <= total && (i == 0 ? total == 0 : total <= ends[i - 1]);
          @ decreasing count - i;
          @ assignable \strictly_nothing;
          @*/
        for (int i = 0; i < count; i++) {
            total = total + (elementAt(ends, i) - elementAt(starts, i));
        }
        return total;
    }

    /** a[i], read through a call: KeY 2.12.3 has no long range for a long[] element, but a long result has it. */
    /*@ private normal_behavior
      @   requires a != null && 0 <= i && i < a.length;
      @   ensures \result == a[i];
      @   assignable \strictly_nothing;
      @*/
    private static long elementAt(long[] a, int i) {
        return a[i];
    }

    /**
     * Fills the frame -> segment lookup: entry c names the first of the count segments that ends after chunk c's
     * first frame (c << shift), or count if none does. segmentOf only needs each entry in [0, count].
     */
    /*@ private normal_behavior
      @   requires table != null && ends != null && 0 <= count && count <= ends.length && 0 <= shift && shift <= 62;
      @   ensures (\forall int c; 0 <= c && c < table.length; 0 <= table[c] && table[c] <= count);
      @   assignable table[*];
      @*/
    private static void fillChunkTable(int[] table, long[] ends, int count, int shift) {
        int seg = 0;
        /*@ loop_invariant 0 <= c && c <= table.length && 0 <= seg && seg <= count;
          @ loop_invariant (\forall int k; 0 <= k && k < c; 0 <= table[k] && table[k] <= count);
          @ decreasing table.length - c;
          @ assignable table[*];
          @*/
        for (int c = 0; c < table.length; c++) {
            long chunkStart = ((long) c) << shift;
            /*@ loop_invariant 0 <= seg && seg <= count;
              @ decreasing count - seg;
              @ assignable \strictly_nothing;
              @*/
            while (seg < count && ends[seg] <= chunkStart) {
                seg = seg + 1;
            }
            table[c] = seg;
        }
    }

    /** Bytes this table's arrays take, counted the way metadataBytes counts them. */
    /*@ public normal_behavior
      @   requires start != null && chunkFirstSeg != null;
      @   ensures 0 <= \result && \result <= 32L * Integer.MAX_VALUE + 80;
      @   assignable \strictly_nothing;
      @*/
    public /*@ helper @*/ long bytesInUse() {
        return start.length * 28L + chunkFirstSeg.length * 4L + 5 * 16L;
    }

    /*
     * The getters below are helpers (they change nothing): a caller that read one field would otherwise have to
     * re-prove the whole, division-heavy invariant before reading the next one (count() took 11000 rules for it).
     */
    /*@ public normal_behavior
      @   ensures \result == count;
      @   assignable \strictly_nothing;
      @*/
    public /*@ helper @*/ int count() {
        return count;
    }

    /** Total bitmap words of all segments. */
    /*@ public normal_behavior
      @   ensures \result == words;
      @   assignable \strictly_nothing;
      @*/
    public /*@ helper @*/ int words() {
        return words;
    }

    /** Usable frames managed (sum of segment lengths). */
    /*@ public normal_behavior
      @   ensures \result == frames;
      @   assignable \strictly_nothing;
      @*/
    public /*@ helper @*/ long frames() {
        return frames;
    }

    /*@ public normal_behavior
      @   requires start != null && 0 <= s && s < count && s < start.length;
      @   ensures \result == start[s];
      @   assignable \strictly_nothing;
      @*/
    public /*@ helper @*/ long start(int s) {
        return start[s];
    }

    /*@ public normal_behavior
      @   requires end != null && 0 <= s && s < count && s < end.length;
      @   ensures \result == end[s];
      @   assignable \strictly_nothing;
      @*/
    public /*@ helper @*/ long end(int s) {
        return end[s];
    }

    /** Frame number of bit 0 of the segment's first word. */
    /*@ public normal_behavior
      @   requires base != null && 0 <= s && s < count && s < base.length;
      @   ensures \result == base[s];
      @   assignable \strictly_nothing;
      @*/
    public /*@ helper @*/ long base(int s) {
        return base[s];
    }

    /*@ public normal_behavior
      @   requires firstWord != null && 0 <= s && s < count && s < firstWord.length;
      @   ensures \result == firstWord[s];
      @   assignable \strictly_nothing;
      @*/
    public /*@ helper @*/ int firstWord(int s) {
        return firstWord[s];
    }

    /**
     * Index of the segment that holds frame f, or -1. A hit is found through f's chunk: bounded by the segments
     * ending inside that chunk. A miss is confirmed by {@link #scanFor} (one compare pair per segment, at most
     * MemoryMap.CAPACITY): the chunk table says where to start, but "no segment holds f" rests on the order of all
     * segments, which KeY would have to derive by induction from the neighbour invariant; the scan states it
     * directly. Misses are rare (a foreign frame, an unmanaged address), so the hit path keeps its bound.
     */
    /*@ public normal_behavior
      @   ensures \result == -1 || (0 <= \result && \result < count && start[\result] <= f && f < end[\result]);
      @   ensures \result == -1 ==> (\forall int s; 0 <= s && s < count; f < start[s] || end[s] <= f);
      @   assignable \strictly_nothing;
      @*/
    public /*@ pure @*/ int segmentOf(long f) {
        int c = chunkIndex(f);
        if (0 <= c) {
            int s = chunkFirstSeg[c];
            if (0 <= s) {
                /*@ loop_invariant 0 <= s;
                  @ decreasing count - s;
                  @ assignable \strictly_nothing;
                  @*/
                while (s < count && end[s] <= f) {
                    s = s + 1;
                }
                if (s < count && start[s] <= f) {
                    return s;
                }
            }
        }
        return scanFor(f);
    }

    /**
     * Index into chunkFirstSeg of frame f's chunk, or -1 when f is negative or beyond the table. Its contract gives
     * the range only: the chunk just says where segmentOf's walk starts, and segmentOf's contract holds whichever
     * index it gets; stating the shift here would make KeY expand f / 2^chunkShift inside segmentOf's proof.
     */
    /*@ private normal_behavior
      @   requires chunkFirstSeg != null;
      @   ensures -1 <= \result && \result < chunkFirstSeg.length;
      @   assignable \strictly_nothing;
      @*/
    private /*@ pure helper @*/ int chunkIndex(long f) {
        long c = f >> chunkShift; // negative for f < 0
        return 0 <= c && c < chunkFirstSeg.length ? (int) c : -1;
    }

    /** The segment holding frame f by a scan over all segments, or -1 when none does (segmentOf's miss path). */
    /*@ private normal_behavior
      @   requires start != null && end != null && 0 <= count && count <= start.length && count <= end.length;
      @   ensures \result == -1 || (0 <= \result && \result < count && start[\result] <= f && f < end[\result]);
      @   ensures \result == -1 ==> (\forall int s; 0 <= s && s < count; f < start[s] || end[s] <= f);
      @   assignable \strictly_nothing;
      @*/
    private /*@ pure helper @*/ int scanFor(long f) {
        /*@ loop_invariant 0 <= k && k <= count && (\forall int j; 0 <= j && j < k; f < start[j] || end[j] <= f);
          @ decreasing count - k;
          @ assignable \strictly_nothing;
          @*/
        for (int k = 0; k < count; k++) {
            if (start[k] <= f && f < end[k]) {
                return k;
            }
        }
        return -1;
    }

    /** Index of the segment that owns bitmap word w (binary search over firstWord): at most 8 steps for 256. */
    /*
     * A helper (changes nothing, so it cannot break the invariant): it needs only the facts it requires, and KeY
     * does not spend its time re-proving the division-heavy invariant for a binary search.
     */
    /*@ public normal_behavior
      @   requires firstWord != null && 0 < count && count <= firstWord.length && firstWord[0] == 0;
      @   requires 0 <= w && w < words;
      @   ensures 0 <= \result && \result < count && firstWord[\result] <= w;
      @   ensures \result + 1 == count || w < firstWord[\result + 1];
      @   assignable \strictly_nothing;
      @*/
    public /*@ pure helper @*/ int segmentOfWord(int w) {
        int lo = 0;
        int hi = count - 1;
        /* Needs no ordering of firstWord: lo always has firstWord[lo] <= w, hi + 1 always has w < firstWord[hi + 1]. */
        /*@ loop_invariant 0 <= lo && lo <= hi && hi < count && firstWord[lo] <= w
          @   && (hi + 1 == count || w < firstWord[hi + 1]);
          @ decreasing hi - lo;
          @ assignable \strictly_nothing;
          @*/
        while (lo < hi) {
            int mid = lo + (hi - lo + 1) / 2;
            if (firstWord[mid] <= w) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** Frame number of bit 0 of bitmap word w. */
    /*@ public normal_behavior
      @   requires count > 0 && 0 <= w && w < words;
      @   ensures \result % 64 == 0;
      @*/
    public /*@ pure @*/ long frameOfWord(int w) {
        int s = segmentOfWord(w);
        return base[s] + (w - firstWord[s]) * 64L;
    }
}
