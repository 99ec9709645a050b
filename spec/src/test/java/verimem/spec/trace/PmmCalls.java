package verimem.spec.trace;

import verimem.kernel.pmm.Pmm;

/**
 * The PMM's API as the trace recorder sees it. {@link #of} is the real kernel class; the injected-bug tests give
 * the recorder a variant with one behaviour changed, to show the trace validation rejects it.
 */
public interface PmmCalls {
    long release(long startPa, long endPa);

    long allocFrame();

    long allocAligned(int order);

    long freeFrame(long pa);

    long freeAligned(long pa, int order);

    void failAfter(long n);

    long freeFrames();

    boolean isFree(long pa);

    static PmmCalls of(Pmm pmm) {
        return new Forwarding(pmm);
    }

    /** The real PMM with every call forwarded unchanged; an injected-bug test overrides one method. */
    class Forwarding implements PmmCalls {
        final Pmm pmm;

        Forwarding(Pmm pmm) {
            this.pmm = pmm;
        }

        public long release(long s, long e) {
            return pmm.release(s, e);
        }

        public long allocFrame() {
            return pmm.allocFrame();
        }

        public long allocAligned(int order) {
            return pmm.allocAligned(order);
        }

        public long freeFrame(long pa) {
            return pmm.freeFrame(pa);
        }

        public long freeAligned(long pa, int order) {
            return pmm.freeAligned(pa, order);
        }

        public void failAfter(long n) {
            pmm.failAfter(n);
        }

        public long freeFrames() {
            return pmm.freeFrames();
        }

        public boolean isFree(long pa) {
            return pmm.isFree(pa);
        }
    }
}
