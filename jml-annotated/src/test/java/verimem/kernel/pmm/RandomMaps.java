package verimem.kernel.pmm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import verimem.kernel.memmap.MemoryMap;

/**
 * Random usable maps with the shapes that break frame allocators: holes of every size (none, one frame, many),
 * one-frame segments, lengths not a multiple of 64, byte bounds that are not frame aligned (rounded inwards),
 * touching and overlapping entries, reserved entries in between, entries out of order, and a base that may lie
 * several GiB up so the per-GiB lookup table has more than one chunk.
 */
final class RandomMaps {
    private RandomMaps() {
    }

    static final class Generated {
        final MemoryMap map = new MemoryMap();
        final ReferenceFrames model;

        Generated(long baseFrame) {
            model = new ReferenceFrames(baseFrame);
        }
    }

    static Generated generate(Random rnd, int maxFrames) {
        long baseFrame = rnd.nextInt(4) == 0 ? 0 : (long) rnd.nextInt(7) << 18;
        if (rnd.nextBoolean()) {
            baseFrame += rnd.nextInt(1 << 18);
        }
        Generated g = new Generated(baseFrame);
        List<long[]> entries = new ArrayList<>();
        int segments = 1 + rnd.nextInt(6);
        long f = baseFrame;
        long budget = maxFrames;
        for (int s = 0; s < segments && budget > 0; s++) {
            if (s > 0) {
                switch (rnd.nextInt(5)) {
                    case 0: break;                                   // touching: must merge
                    case 1: f += 1; break;                           // one-frame hole
                    case 2: f += 1 + rnd.nextInt(200); break;
                    case 3: f += 64 * (1 + rnd.nextInt(8)); break;   // word-aligned hole
                    default: f += rnd.nextInt(1 << 18); break;       // may cross a 1 GiB chunk boundary
                }
            }
            long len;
            switch (rnd.nextInt(4)) {
                case 0: len = 1; break;
                case 1: len = 1 + rnd.nextInt(64); break;
                case 2: len = 64L * (1 + rnd.nextInt(16)); break;
                default: len = 1 + rnd.nextInt(1200); break;
            }
            len = Math.min(len, budget);
            budget -= len;
            long startByte = f * 4096 - (f > 0 && rnd.nextBoolean() ? 1 + rnd.nextInt(4095) : 0);
            long endByte = (f + len) * 4096 + (rnd.nextBoolean() ? rnd.nextInt(4096) : 0);
            entries.add(new long[] {startByte, endByte, MemoryMap.USABLE});
            g.model.manage(f, f + len);
            if (rnd.nextInt(3) == 0) {
                // a reserved entry inside the following hole or overlapping nothing usable
                entries.add(new long[] {endByte + 4096 * 10, endByte + 4096 * 20, MemoryMap.RESERVED});
            }
            f += len;
        }
        if (rnd.nextInt(4) == 0) {
            // an entry that rounds inwards to nothing
            entries.add(new long[] {f * 4096 + 4096 * 300 + 1, f * 4096 + 4096 * 301 - 1, MemoryMap.USABLE});
        }
        if (rnd.nextBoolean()) {
            Collections.shuffle(entries, rnd);
        }
        for (long[] e : entries) {
            g.map.add(e[0], e[1], (int) e[2]);
        }
        return g;
    }
}
