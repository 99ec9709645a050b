package verimem.kernel.pmm;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import verimem.kernel.memmap.MemoryMap;

/**
 * Every free/allocated state of a small map, and from each state every operation: frames [58, 66) cross a bitmap
 * word boundary and [126, 130) straddle a 128-frame boundary, 12 frames, 4096 states. Each operation starts from a
 * fresh PMM brought to the state through release, so one operation's effect cannot hide another's.
 */
class PmmExhaustiveTest {
    private static final long[][] RANGES = {{58, 66}, {126, 130}};

    private static List<Long> frames() {
        List<Long> fs = new ArrayList<>();
        for (long[] r : RANGES) {
            for (long f = r[0]; f < r[1]; f++) {
                fs.add(f);
            }
        }
        return fs;
    }

    private static CheckedPmm inState(int freeMask, List<Long> fs) {
        MemoryMap map = new MemoryMap();
        ReferenceFrames model = new ReferenceFrames(0);
        for (long[] r : RANGES) {
            map.add(r[0] * 4096, r[1] * 4096, MemoryMap.USABLE);
            model.manage(r[0], r[1]);
        }
        CheckedPmm c = new CheckedPmm(map, model);
        for (int i = 0; i < fs.size(); i++) {
            if ((freeMask >> i & 1) != 0) {
                c.release(fs.get(i) * 4096, (fs.get(i) + 1) * 4096);
            }
        }
        return c;
    }

    @Test
    void everyOperationFromEveryState() {
        List<Long> fs = frames();
        for (int mask = 0; mask < (1 << fs.size()); mask++) {
            inState(mask, fs).allocFrame();
            for (int order = 1; order <= 3; order++) {
                inState(mask, fs).allocAligned(order);
            }
            for (long f = 56; f <= 131; f++) {
                if (f == 67) {
                    f = 124; // skip the middle of the hole, its frames behave like 67
                }
                inState(mask, fs).freeFrame(f * 4096);
                for (int order = 1; order <= 2; order++) {
                    if (f % (1 << order) == 0) {
                        inState(mask, fs).freeAligned(f * 4096, order);
                    }
                }
            }
            inState(mask, fs).release(58 * 4096, 66 * 4096);
            inState(mask, fs).release(64 * 4096, 127 * 4096);
        }
    }

    /** From every state: allocate until empty, then free everything in the reverse order; the model agrees. */
    @Test
    void drainAndRefillFromEveryState() {
        List<Long> fs = frames();
        for (int mask = 0; mask < (1 << fs.size()); mask++) {
            CheckedPmm c = inState(mask, fs);
            List<Long> got = new ArrayList<>();
            for (long pa = c.allocFrame(); pa >= 0; pa = c.allocFrame()) {
                got.add(pa);
            }
            for (int i = got.size() - 1; i >= 0; i--) {
                c.freeFrame(got.get(i));
            }
        }
    }
}
