package verimem.kernel.pmm;

import java.util.BitSet;
import verimem.kernel.arch.Err;

/**
 * The plain reference model of the PMM: which frames are managed and which are free, as two BitSets indexed by
 * frame number minus a base frame, and the expected result of every operation written the obvious way (frame by
 * frame), independently of the bitmap and summaries under test.
 */
final class ReferenceFrames {
    static final long FRAME = 4096;
    final long baseFrame;
    final BitSet managed = new BitSet();
    final BitSet free = new BitSet();
    /** Frames a successful release gave to the PMM: the only ones it may ever take back by a free. */
    final BitSet released = new BitSet();
    /** Some allocation call was made: the hand-off is over, release is refused from now on. */
    boolean started;

    ReferenceFrames(long baseFrame) {
        this.baseFrame = baseFrame;
    }

    void manage(long firstFrame, long endFrame) {
        managed.set((int) (firstFrame - baseFrame), (int) (endFrame - baseFrame));
    }

    boolean isManaged(long frame) {
        long i = frame - baseFrame;
        return i >= 0 && i < Integer.MAX_VALUE && managed.get((int) i);
    }

    boolean isFree(long frame) {
        long i = frame - baseFrame;
        return i >= 0 && i < Integer.MAX_VALUE && free.get((int) i);
    }

    void setFree(long frame, boolean value) {
        free.set((int) (frame - baseFrame), value);
    }

    boolean isReleased(long frame) {
        long i = frame - baseFrame;
        return i >= 0 && i < Integer.MAX_VALUE && released.get((int) i);
    }

    /** A successful release: the frames become free and are the PMM's from now on. */
    void release(long first, long n) {
        if (n == 0) {
            return; // an empty range may lie anywhere
        }
        setRange(first, n, true);
        released.set((int) (first - baseFrame), (int) (first - baseFrame + n));
    }

    long freeCount() {
        return free.cardinality();
    }

    long managedCount() {
        return managed.cardinality();
    }

    /** Expected result of freeFrame(pa), from the API's documented error order. */
    long expectFreeFrame(long pa) {
        if (pa % FRAME != 0) {
            return Err.MISALIGNED;
        }
        if (pa < 0 || !isManaged(pa / FRAME)) {
            return Err.NOT_MANAGED;
        }
        if (isFree(pa / FRAME)) {
            return Err.NOT_ALLOCATED;
        }
        return isReleased(pa / FRAME) ? Err.OK : Err.NOT_OWNED;
    }

    /** Expected result of checking [first, last) frame by frame: foreign -> NOT_MANAGED, free -> freeError. */
    long expectRange(long first, long last, long freeError) {
        for (long f = first; f < last; f++) {
            if (f < 0 || !isManaged(f)) {
                return Err.NOT_MANAGED;
            }
            if (isFree(f)) {
                return freeError;
            }
        }
        return Err.OK;
    }

    long expectFreeAligned(long pa, int order) {
        if (order < 0 || order > Pmm.MAX_ORDER) {
            return Err.INVALID_ARGUMENT;
        }
        long size = 1L << order;
        if (pa < 0 || pa % (size * FRAME) != 0) {
            return Err.MISALIGNED;
        }
        long r = expectRange(pa / FRAME, pa / FRAME + size, Err.NOT_ALLOCATED);
        if (r != Err.OK) {
            return r;
        }
        for (long f = pa / FRAME; f < pa / FRAME + size; f++) {
            if (!isReleased(f)) {
                return Err.NOT_OWNED;
            }
        }
        return Err.OK;
    }

    long expectRelease(long startPa, long endPa) {
        if (startPa % FRAME != 0 || endPa % FRAME != 0 || endPa < startPa) {
            return Err.MISALIGNED;
        }
        if (started) {
            return Err.INVALID_STATE;
        }
        return expectRange(startPa / FRAME, endPa / FRAME, Err.INVALID_ARGUMENT);
    }

    /** True when some block of 2^order free frames aligned to 2^order exists. */
    boolean alignedBlockExists(int order) {
        long size = 1L << order;
        for (int i = free.nextSetBit(0); i >= 0; i = free.nextSetBit(i + 1)) {
            long f = baseFrame + i;
            if (f % size == 0 && allFree(f, size)) {
                return true;
            }
        }
        return false;
    }

    boolean allFree(long first, long n) {
        for (long f = first; f < first + n; f++) {
            if (!isFree(f)) {
                return false;
            }
        }
        return true;
    }

    void setRange(long first, long n, boolean value) {
        for (long f = first; f < first + n; f++) {
            setFree(f, value);
        }
    }
}
