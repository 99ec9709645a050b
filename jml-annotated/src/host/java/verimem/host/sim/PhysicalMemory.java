package verimem.host.sim;

import java.util.HashMap;
import java.util.Map;

/**
 * Simulated physical RAM: 4 KiB frames, each a long[512], created on first write so that an 8 GiB machine costs
 * only the frames a test touches. Reads of a never-written frame return 0, like zeroed RAM. Accesses at or above
 * {@link #limit()} are a machine error: the kernel must never reach physical memory the machine lacks.
 */
public final class PhysicalMemory {
    private static final int WORDS = 512;
    private final long limit;
    private final Map<Long, long[]> frames = new HashMap<>();

    public PhysicalMemory(long limitBytes) {
        this.limit = limitBytes;
    }

    public long limit() {
        return limit;
    }

    public long read64(long pa) {
        check(pa, 8);
        long[] f = frames.get(pa >>> 12);
        return f == null ? 0 : f[(int) ((pa & 0xFFF) >>> 3)];
    }

    public void write64(long pa, long value) {
        check(pa, 8);
        frames.computeIfAbsent(pa >>> 12, k -> new long[WORDS])[(int) ((pa & 0xFFF) >>> 3)] = value;
    }

    public int read32(long pa) {
        check(pa, 4);
        long w = read64(pa & ~7L);
        return (int) (w >>> ((pa & 4) * 8));
    }

    public void write32(long pa, int value) {
        check(pa, 4);
        long base = pa & ~7L;
        int shift = (int) ((pa & 4) * 8);
        long w = read64(base) & ~(0xFFFFFFFFL << shift);
        write64(base, w | ((value & 0xFFFFFFFFL) << shift));
    }

    public int read8(long pa) {
        check(pa, 1);
        long w = read64(pa & ~7L);
        return (int) ((w >>> ((pa & 7) * 8)) & 0xFF);
    }

    public void write8(long pa, int value) {
        check(pa, 1);
        long base = pa & ~7L;
        int shift = (int) ((pa & 7) * 8);
        long w = read64(base) & ~(0xFFL << shift);
        write64(base, w | ((value & 0xFFL) << shift));
    }

    /** Physical frames (by frame number) that have ever been written. */
    public java.util.Set<Long> touchedFrames() {
        return java.util.Collections.unmodifiableSet(frames.keySet());
    }

    private void check(long pa, int size) {
        if (pa < 0 || pa + size > limit) {
            throw new MachineError("physical access outside installed memory: 0x" + Long.toHexString(pa));
        }
        if (pa % size != 0) {
            throw new MachineError("misaligned physical access of " + size + " bytes at 0x" + Long.toHexString(pa));
        }
    }
}
