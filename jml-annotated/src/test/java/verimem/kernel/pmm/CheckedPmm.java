package verimem.kernel.pmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import verimem.kernel.arch.Err;
import verimem.kernel.memmap.MemoryMap;

/**
 * A PMM and its reference model side by side: every operation is run on both, its result checked against the
 * model's expectation, and the whole observable state compared after the step.
 */
final class CheckedPmm {
    final Pmm pmm;
    final ReferenceFrames model;
    /** Frames the model says are allocated by us (not reserved), as blocks (pa, order) handed out. */
    final List<long[]> handedOut = new ArrayList<>();
    private long countdown;

    CheckedPmm(MemoryMap map, ReferenceFrames model) {
        this.pmm = new Pmm(map);
        this.model = model;
        assertEquals(model.managedCount(), pmm.managedFrames(), "managed frames");
        assertEquals(0, pmm.freeFrames());
        checkState();
    }

    /** Fires the model's copy of the fault-injection countdown; true when this allocation must fail. */
    private boolean injected() {
        if (countdown > 0) {
            countdown--;
            return countdown == 0;
        }
        return false;
    }

    void failAfter(long n) {
        pmm.failAfter(n);
        countdown = n;
    }

    long release(long startPa, long endPa) {
        long expected = model.expectRelease(startPa, endPa);
        long got = pmm.release(startPa, endPa);
        assertEquals(expected, got, "release " + Long.toHexString(startPa) + ".." + Long.toHexString(endPa));
        if (got == Err.OK) {
            model.release(startPa / 4096, (endPa - startPa) / 4096);
        }
        checkState();
        return got;
    }

    long allocFrame() {
        boolean fail = injected();
        model.started = true;
        long got = pmm.allocFrame();
        if (fail || model.freeCount() == 0) {
            assertEquals(Err.NO_MEMORY, got, "allocFrame must fail");
        } else {
            assertTrue(got >= 0, "allocFrame failed with free frames left: " + got);
            assertEquals(0, got % 4096);
            assertTrue(model.isFree(got / 4096), "allocFrame returned a frame that is not free: " + got);
            model.setFree(got / 4096, false);
            handedOut.add(new long[] {got, 0});
        }
        checkState();
        return got;
    }

    long allocAligned(int order) {
        model.started = true;
        if (order < 0 || order > Pmm.MAX_ORDER) {
            long got = pmm.allocAligned(order);
            assertEquals(Err.INVALID_ARGUMENT, got);
            checkState();
            return got;
        }
        boolean fail = injected();
        boolean exists = model.alignedBlockExists(order);
        long got = pmm.allocAligned(order);
        if (fail || !exists) {
            assertEquals(Err.NO_MEMORY, got, "allocAligned(" + order + ") must fail");
        } else {
            assertTrue(got >= 0, "allocAligned(" + order + ") failed though a block exists");
            long size = 1L << order;
            assertEquals(0, got % (size * 4096), "block not aligned");
            assertTrue(model.allFree(got / 4096, size), "block includes a frame that is not free");
            model.setRange(got / 4096, size, false);
            handedOut.add(new long[] {got, order});
        }
        checkState();
        return got;
    }

    long freeFrame(long pa) {
        long expected = model.expectFreeFrame(pa);
        long got = pmm.freeFrame(pa);
        assertEquals(expected, got, "freeFrame " + pa);
        if (got == Err.OK) {
            model.setFree(pa / 4096, true);
        }
        checkState();
        return got;
    }

    long freeAligned(long pa, int order) {
        long expected = model.expectFreeAligned(pa, order);
        long got = pmm.freeAligned(pa, order);
        assertEquals(expected, got, "freeAligned " + pa + " order " + order);
        if (got == Err.OK) {
            model.setRange(pa / 4096, 1L << order, true);
        }
        checkState();
        return got;
    }

    /** Full comparison: free count, and isFree / manages of every managed frame and of the frame either side. */
    void checkState() {
        assertEquals(model.freeCount(), pmm.freeFrames(), "free count");
        for (int i = model.managed.nextSetBit(0); i >= 0; ) {
            int end = model.managed.nextClearBit(i);
            for (long f = model.baseFrame + i - 1; f <= model.baseFrame + end; f++) {
                if (f >= 0) {
                    assertEquals(model.isManaged(f), pmm.manages(f * 4096), "manages frame " + f);
                    assertEquals(model.isFree(f), pmm.isFree(f * 4096), "isFree frame " + f);
                    if (model.isManaged(f) && !model.isFree(f)) {
                        assertEquals(model.started && model.isReleased(f), pmm.handedOut(f), "handed out " + f);
                    }
                }
            }
            i = model.managed.nextSetBit(end);
        }
    }
}
