package verimem.kernel.pmm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import verimem.kernel.arch.Err;

/** Random maps, random operation sequences, the reference model checked after every step (see CheckedPmm). */
class PmmPropertiesTest {

    @Property(tries = 150)
    void randomSequencesMatchTheModel(@ForAll long seed) {
        Random rnd = new Random(seed);
        RandomMaps.Generated g = RandomMaps.generate(rnd, 2500);
        CheckedPmm c = new CheckedPmm(g.map, g.model);
        releaseSomeRanges(rnd, c);
        int steps = 150 + rnd.nextInt(150);
        for (int i = 0; i < steps; i++) {
            step(rnd, c);
        }
        // drain: everything handed out and not yet freed goes back, then the pool holds what was released
        for (long[] b : c.handedOut) {
            c.freeAligned(b[0], (int) b[1]);
        }
    }

    private static void releaseSomeRanges(Random rnd, CheckedPmm c) {
        ReferenceFrames m = c.model;
        if (rnd.nextInt(3) == 0) {
            // the whole map, segment by segment
            for (int i = m.managed.nextSetBit(0); i >= 0; ) {
                int end = m.managed.nextClearBit(i);
                c.release((m.baseFrame + i) * 4096, (m.baseFrame + end) * 4096);
                i = m.managed.nextSetBit(end);
            }
            return;
        }
        int n = 1 + rnd.nextInt(12);
        for (int k = 0; k < n; k++) {
            long f = randomFrame(rnd, m);
            long len = rnd.nextInt(4) == 0 ? 1 : rnd.nextInt(300);
            c.release(f * 4096, (f + len) * 4096);
        }
    }

    /** Mostly managed frames, sometimes one just outside, sometimes far away. */
    private static long randomFrame(Random rnd, ReferenceFrames m) {
        int span = Math.max(1, m.managed.length());
        long f = m.baseFrame + rnd.nextInt(span + 2) - 1;
        return f < 0 ? 0 : f;
    }

    private static void step(Random rnd, CheckedPmm c) {
        ReferenceFrames m = c.model;
        switch (rnd.nextInt(12)) {
            case 0: case 1: case 2:
                c.allocFrame();
                break;
            case 3:
                c.allocAligned(rnd.nextInt(4) == 0 ? rnd.nextInt(Pmm.MAX_ORDER + 3) - 1 : rnd.nextInt(10));
                break;
            case 4: case 5:
                if (!c.handedOut.isEmpty()) {
                    long[] b = c.handedOut.remove(rnd.nextInt(c.handedOut.size()));
                    if (b[1] == 0) {
                        c.freeFrame(b[0]);
                    } else {
                        c.freeAligned(b[0], (int) b[1]);
                    }
                }
                break;
            case 6:
                // random frame: foreign, free (double free) or allocated
                c.freeFrame(randomFrame(rnd, m) * 4096);
                break;
            case 7:
                // misaligned or negative addresses
                long pa = randomFrame(rnd, m) * 4096;
                c.freeFrame(rnd.nextBoolean() ? pa + 1 + rnd.nextInt(4095) : -pa - 4096);
                break;
            case 8:
                c.freeAligned(randomFrame(rnd, m) * 4096, rnd.nextInt(8));
                break;
            case 9:
                long f = randomFrame(rnd, m);
                c.release(f * 4096, (f + rnd.nextInt(70)) * 4096);
                break;
            case 10:
                if (rnd.nextInt(4) == 0) {
                    c.failAfter(rnd.nextInt(4));
                } else if (!c.handedOut.isEmpty()) {
                    // free a single frame out of the middle of a block: the rest must stay allocated
                    long[] b = c.handedOut.get(rnd.nextInt(c.handedOut.size()));
                    c.freeFrame(b[0] + 4096L * rnd.nextInt((int) (1L << b[1])));
                }
                break;
            default:
                c.release(rnd.nextLong() / 4096 * 4096, rnd.nextLong() / 4096 * 4096);
                break;
        }
    }

    @Property(tries = 60)
    void failAfterFailsExactlyTheNthAllocationAndChangesNothing(@ForAll long seed) {
        Random rnd = new Random(seed);
        RandomMaps.Generated g = RandomMaps.generate(rnd, 600);
        CheckedPmm c = new CheckedPmm(g.map, g.model);
        ReferenceFrames m = c.model;
        for (int i = m.managed.nextSetBit(0); i >= 0; ) {
            int end = m.managed.nextClearBit(i);
            c.release((m.baseFrame + i) * 4096, (m.baseFrame + end) * 4096);
            i = m.managed.nextSetBit(end);
        }
        int n = 1 + rnd.nextInt(5);
        c.failAfter(n);
        for (int i = 1; i <= n; i++) {
            long before = c.pmm.freeFrames();
            long got = rnd.nextBoolean() ? c.allocFrame() : c.allocAligned(0);
            if (i == n) {
                assertEquals(Err.NO_MEMORY, got);
                assertEquals(before, c.pmm.freeFrames());
            }
        }
        if (m.freeCount() > 0) {
            assertEquals(true, c.allocFrame() >= 0, "injection is one-shot");
        }
    }
}
