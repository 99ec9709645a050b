package verimem.spec.trace;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import verimem.kernel.memmap.MemoryMap;

/**
 * Random usable maps in the shapes that break frame allocators (after jml-annotated's RandomMaps): one-frame
 * segments and holes, lengths not a multiple of 64, byte bounds that are not frame aligned (rounded inwards),
 * touching entries, reserved entries in the holes, entries out of order. Frame numbers stay below 2^21.
 */
final class RandomMap {
    final MemoryMap map = new MemoryMap();
    final FrameSet managed = new FrameSet();

    private RandomMap() {
    }

    static RandomMap generate(Random rnd, int maxFrames) {
        RandomMap g = new RandomMap();
        List<long[]> entries = new ArrayList<>();
        long f = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(1 << 20);
        long budget = maxFrames;
        long runStart = -1;
        int segments = 1 + rnd.nextInt(5);
        for (int s = 0; s < segments && budget > 0; s++) {
            long gap = s == 0 ? 0 : switch (rnd.nextInt(4)) {
                case 0 -> 0;                       // touching: one run
                case 1 -> 1;                       // one-frame hole
                case 2 -> 64L * (1 + rnd.nextInt(4));
                default -> 1 + rnd.nextInt(300);
            };
            long len = Math.min(budget, switch (rnd.nextInt(3)) {
                case 0 -> 1;
                case 1 -> 1 + rnd.nextInt(64);
                default -> 1 + rnd.nextInt(600);
            });
            if (gap > 0 && runStart >= 0) {
                g.managed.addRun(runStart, f);
                runStart = -1;
            }
            f += gap;
            if (runStart < 0) {
                runStart = f;
            }
            boolean touching = gap == 0 && s > 0;
            long startByte = f * 4096 - (!touching && f > 0 && rnd.nextBoolean() ? 1 + rnd.nextInt(4095) : 0);
            long endByte = (f + len) * 4096 + (rnd.nextBoolean() ? rnd.nextInt(4096) : 0);
            if (touching && !entries.isEmpty()) {
                entries.get(entries.size() - 1)[1] = f * 4096; // keep touching entries from overlapping
            }
            entries.add(new long[] {startByte, endByte, MemoryMap.USABLE});
            budget -= len;
            f += len;
        }
        g.managed.addRun(runStart, f);
        if (rnd.nextBoolean()) {
            entries.add(new long[] {(f + 3) * 4096, (f + 9) * 4096, MemoryMap.RESERVED});
            Collections.shuffle(entries, rnd);
        }
        for (long[] e : entries) {
            g.map.add(e[0], e[1], (int) e[2]);
        }
        return g;
    }
}
