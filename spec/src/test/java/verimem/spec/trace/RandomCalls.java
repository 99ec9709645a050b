package verimem.spec.trace;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import verimem.kernel.pmm.Pmm;

/**
 * A random mix of PMM calls, the same mix as jml-annotated's PmmPropertiesTest: allocations of single frames and
 * aligned blocks (some orders invalid), frees of what was handed out, double frees, frees of foreign frames,
 * unaligned and negative addresses, late releases, injected failures, and a single frame freed out of a block.
 * Addresses stay within reach of TLC's 32-bit integers (frame numbers below 2^31).
 */
final class RandomCalls {
    private RandomCalls() {
    }

    static void run(Random rnd, PmmCalls pmm, FrameSet managed, int steps, int maxOrder) {
        List<long[]> handedOut = new ArrayList<>();
        long lo = managed.runs().get(0)[0];
        long hi = managed.runs().get(managed.runs().size() - 1)[1];
        for (int i = 0; i < steps; i++) {
            long f = Math.max(0, lo - 1 + (long) (rnd.nextDouble() * (hi - lo + 2)));
            switch (rnd.nextInt(12)) {
                case 0: case 1: case 2: {
                    long r = pmm.allocFrame();
                    if (r >= 0) {
                        handedOut.add(new long[] {r, 0});
                    }
                    break;
                }
                case 3: {
                    int order = rnd.nextInt(5) == 0 ? rnd.nextInt(Pmm.MAX_ORDER + 3) - 1 : rnd.nextInt(maxOrder + 1);
                    long r = pmm.allocAligned(order);
                    if (r >= 0) {
                        handedOut.add(new long[] {r, order});
                    }
                    break;
                }
                case 4: case 5:
                    if (!handedOut.isEmpty()) {
                        long[] b = handedOut.remove(rnd.nextInt(handedOut.size()));
                        if (b[1] == 0) {
                            pmm.freeFrame(b[0]);
                        } else {
                            pmm.freeAligned(b[0], (int) b[1]);
                        }
                    }
                    break;
                case 6:
                    pmm.freeFrame(f * Pmm.FRAME); // foreign, free (double free) or allocated
                    break;
                case 7:
                    pmm.freeFrame(rnd.nextBoolean() ? f * Pmm.FRAME + 1 + rnd.nextInt(4095) : -f * Pmm.FRAME - 4096);
                    break;
                case 8:
                    pmm.freeAligned(f * Pmm.FRAME, rnd.nextInt(Math.min(8, maxOrder + 2)));
                    break;
                case 9:
                    if (rnd.nextInt(3) == 0) {
                        pmm.release(f * Pmm.FRAME, (f + rnd.nextInt(70)) * Pmm.FRAME);
                    } else {
                        pmm.release(f * Pmm.FRAME + rnd.nextInt(2), (f - rnd.nextInt(3)) * Pmm.FRAME);
                    }
                    break;
                case 10:
                    if (rnd.nextInt(4) == 0) {
                        pmm.failAfter(rnd.nextInt(4));
                    } else if (!handedOut.isEmpty()) {
                        long[] b = handedOut.get(rnd.nextInt(handedOut.size()));
                        pmm.freeFrame(b[0] + Pmm.FRAME * rnd.nextInt((int) (1L << b[1])));
                    }
                    break;
                default:
                    if (!handedOut.isEmpty()) {
                        long[] b = handedOut.get(rnd.nextInt(handedOut.size()));
                        pmm.freeFrame(b[0]);   // may be a double free later
                    }
                    break;
            }
        }
        for (long[] b : handedOut) {
            pmm.freeAligned(b[0], (int) b[1]);
        }
    }
}
