package verimem.kernel.pmm;

import verimem.kernel.arch.Bits;
import verimem.kernel.arch.Err;
import verimem.kernel.memmap.MemoryMap;

/**
 * The physical memory manager: one bit per usable 4 KiB frame (1 = free), grouped in segments, one per usable
 * range of the sanitised map, so holes in the physical address space cost no metadata.
 *
 * FIRST VERSION: the public API is final (bootstrap and VMM build on it); the search structure is the simple one
 * (bitmap scan from a hint). The summary levels that make alloc O(1) replace the internals, not the API.
 *
 * Every frame starts "not free" (reserved); the hand-off releases what the pre-PMM did not use. A free of a frame
 * that is not allocated returns Err.NOT_ALLOCATED and changes nothing.
 */
public final class Pmm {
    public static final long FRAME = 4096L;
    /** Largest contiguous block: 2^18 frames = 1 GiB. */
    public static final int MAX_ORDER = 18;

    /*@ spec_public @*/ private final long[] segStartFrame;
    /*@ spec_public @*/ private final long[] segFrames;
    /*@ spec_public @*/ private final int[] segFirstWord;
    /*@ spec_public @*/ private final int segCount;
    /*@ spec_public @*/ private final long[] bitmap;
    /*@ spec_public @*/ private long free;
    /*@ spec_public @*/ private long managed;
    /*@ spec_public @*/ private int hint;
    /** Fault injection: when positive, the allocation that brings it to zero fails. */
    /*@ spec_public @*/ private long failCountdown;

    /** Bytes of metadata the PMM needs for a map: what the bootstrap must map before constructing it. */
    /*@ public normal_behavior
      @   requires usable != null;
      @   ensures \result >= 0;
      @*/
    public static long metadataBytes(MemoryMap usable) {
        long words = 0;
        int n = usable.count();
        for (int i = 0; i < n; i++) {
            if (usable.type(i) == MemoryMap.USABLE) {
                long frames = usable.end(i) / FRAME - (usable.start(i) + FRAME - 1) / FRAME;
                if (frames > 0) {
                    words = words + (frames + 63) / 64;
                }
            }
        }
        return words * 8 + n * 20L;
    }

    /** Builds an empty PMM (every managed frame reserved) over the usable ranges of a sanitised map. */
    public Pmm(MemoryMap usable) {
        int n = usable.count();
        segStartFrame = new long[n];
        segFrames = new long[n];
        segFirstWord = new int[n];
        int segs = 0;
        long words = 0;
        for (int i = 0; i < n; i++) {
            if (usable.type(i) == MemoryMap.USABLE) {
                long first = (usable.start(i) + FRAME - 1) / FRAME;
                long frames = usable.end(i) / FRAME - first;
                if (frames > 0) {
                    segStartFrame[segs] = first;
                    segFrames[segs] = frames;
                    segFirstWord[segs] = (int) words;
                    words = words + (frames + 63) / 64;
                    managed = managed + frames;
                    segs = segs + 1;
                }
            }
        }
        segCount = segs;
        bitmap = new long[(int) words];
    }

    public long managedFrames() {
        return managed;
    }

    public long freeFrames() {
        return free;
    }

    /** Test and fault-injection hook: the n-th allocation from now fails with NO_MEMORY (0 turns it off). */
    public void failAfter(long n) {
        failCountdown = n;
    }

    /** Index of the segment holding frame number f, or -1. */
    private int segmentOf(long f) {
        for (int s = 0; s < segCount; s++) {
            if (segStartFrame[s] <= f && f < segStartFrame[s] + segFrames[s]) {
                return s;
            }
        }
        return -1;
    }

    public boolean manages(long pa) {
        return pa >= 0 && pa % FRAME == 0 && segmentOf(pa / FRAME) >= 0;
    }

    public boolean isFree(long pa) {
        if (!manages(pa)) {
            return false;
        }
        long f = pa / FRAME;
        int s = segmentOf(f);
        long bit = f - segStartFrame[s];
        return Bits.isSet(bitmap[segFirstWord[s] + (int) (bit / 64)], (int) (bit % 64));
    }

    /** Hand-off: releases [startPa, endPa) into the free pool; every frame must be managed and not yet free. */
    public long release(long startPa, long endPa) {
        if (startPa % FRAME != 0 || endPa % FRAME != 0 || endPa < startPa) {
            return Err.MISALIGNED;
        }
        for (long pa = startPa; pa < endPa; pa = pa + FRAME) {
            if (!manages(pa)) {
                return Err.NOT_MANAGED;
            }
            if (isFree(pa)) {
                return Err.INVALID_ARGUMENT;
            }
        }
        for (long pa = startPa; pa < endPa; pa = pa + FRAME) {
            setFree(pa, true);
        }
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
    public long allocFrame() {
        if (injectedFailure() || free == 0) {
            return Err.NO_MEMORY;
        }
        for (int k = 0; k < bitmap.length; k++) {
            int w = (hint + k) % bitmap.length;
            if (bitmap[w] != 0) {
                hint = w;
                int s = segmentOfWord(w);
                long f = segStartFrame[s] + (w - segFirstWord[s]) * 64L + Bits.lowestSetBit(bitmap[w]);
                setFree(f * FRAME, false);
                return f * FRAME;
            }
        }
        return Err.NO_MEMORY;
    }

    private int segmentOfWord(int w) {
        int s = segCount - 1;
        while (s > 0 && segFirstWord[s] > w) {
            s = s - 1;
        }
        return s;
    }

    /** Returns an allocated frame; a double free or a foreign frame is refused and changes nothing. */
    public long freeFrame(long pa) {
        if (!manages(pa)) {
            return pa % FRAME != 0 ? Err.MISALIGNED : Err.NOT_MANAGED;
        }
        if (isFree(pa)) {
            return Err.NOT_ALLOCATED;
        }
        setFree(pa, true);
        return Err.OK;
    }

    /** 2^order physically contiguous frames aligned to 2^order frames, or Err.NO_MEMORY. */
    public long allocAligned(int order) {
        if (order < 0 || order > MAX_ORDER) {
            return Err.INVALID_ARGUMENT;
        }
        if (injectedFailure()) {
            return Err.NO_MEMORY;
        }
        long size = 1L << order;
        for (int s = 0; s < segCount; s++) {
            long f = ((segStartFrame[s] + size - 1) / size) * size;
            while (f + size <= segStartFrame[s] + segFrames[s]) {
                long bad = firstNotFree(f, size);
                if (bad < 0) {
                    for (long i = 0; i < size; i++) {
                        setFree((f + i) * FRAME, false);
                    }
                    return f * FRAME;
                }
                f = ((bad + size) / size) * size;
            }
        }
        return Err.NO_MEMORY;
    }

    /** Frame number of the first non-free frame in [f, f+n), or -1 if all are free. */
    private long firstNotFree(long f, long n) {
        for (long i = 0; i < n; i++) {
            if (!isFree((f + i) * FRAME)) {
                return f + i;
            }
        }
        return -1;
    }

    public long freeAligned(long pa, int order) {
        if (order < 0 || order > MAX_ORDER) {
            return Err.INVALID_ARGUMENT;
        }
        long size = 1L << order;
        if (pa < 0 || pa % (size * FRAME) != 0) {
            return Err.MISALIGNED;
        }
        for (long i = 0; i < size; i++) {
            if (!manages(pa + i * FRAME)) {
                return Err.NOT_MANAGED;
            }
            if (isFree(pa + i * FRAME)) {
                return Err.NOT_ALLOCATED;
            }
        }
        for (long i = 0; i < size; i++) {
            setFree(pa + i * FRAME, true);
        }
        return Err.OK;
    }

    private void setFree(long pa, boolean makeFree) {
        long f = pa / FRAME;
        int s = segmentOf(f);
        long bit = f - segStartFrame[s];
        int w = segFirstWord[s] + (int) (bit / 64);
        int b = (int) (bit % 64);
        if (makeFree) {
            bitmap[w] = Bits.withBitSet(bitmap[w], b);
            free = free + 1;
        } else {
            bitmap[w] = Bits.withBitCleared(bitmap[w], b);
            free = free - 1;
        }
    }
}
