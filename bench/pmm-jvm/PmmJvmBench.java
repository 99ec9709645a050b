import java.util.Arrays;
import java.util.Random;
import verimem.kernel.memmap.MemoryMap;
import verimem.kernel.pmm.Pmm;

/**
 * Host (JVM) time per PMM operation: allocFrame / freeFrame at 10, 50 and 95% occupancy of a 128 MiB and an 8 GiB
 * QEMU-like map, with the batch freed in LIFO, FIFO and random order; allocAligned(9) + freeAligned(9); PMM init per
 * GiB; metadata bytes per frame. Occupancy is made by allocating everything and freeing a random subset, so the free
 * frames are scattered (the hard case for a bitmap). A simple harness: one full warm-up pass for the JIT, then the
 * median of ROUNDS timed rounds per cell. Reports only; nothing here asserts on time.
 */
public final class PmmJvmBench {
    static final int BATCH = 1024;
    static final int ROUNDS = 21;

    static MemoryMap qemu(long lowTop, long highBytes) {
        MemoryMap m = new MemoryMap();
        m.add(0, 0x9fc00, MemoryMap.USABLE);
        m.add(0x9fc00, 0xa0000, MemoryMap.RESERVED);
        m.add(0xf0000, 0x100000, MemoryMap.RESERVED);
        m.add(0x100000, lowTop - 0x20000, MemoryMap.USABLE);
        m.add(lowTop - 0x20000, lowTop, MemoryMap.RESERVED);
        m.add(0xfffc0000L, 0x100000000L, MemoryMap.RESERVED);
        if (highBytes > 0) {
            m.add(1L << 32, (1L << 32) + highBytes, MemoryMap.USABLE);
        }
        return m;
    }

    static void releaseAll(Pmm pmm, MemoryMap m) {
        for (int i = 0; i < m.count(); i++) {
            if (m.type(i) == MemoryMap.USABLE) {
                check(pmm.release((m.start(i) + 4095) / 4096 * 4096, m.end(i) / 4096 * 4096));
            }
        }
    }

    static void check(long r) {
        if (r < 0) {
            throw new IllegalStateException("PMM error " + r);
        }
    }

    /** A PMM at the given occupancy with its free frames scattered at random. */
    static Pmm atOccupancy(MemoryMap m, int percent, Random rnd) {
        Pmm pmm = new Pmm(m);
        releaseAll(pmm, m);
        long n = pmm.managedFrames();
        long[] all = new long[(int) n];
        for (int i = 0; i < n; i++) {
            all[i] = pmm.allocFrame();
            check(all[i]);
        }
        for (int i = all.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            long t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        long toFree = n - n * percent / 100;
        for (int i = 0; i < toFree; i++) {
            check(pmm.freeFrame(all[i]));
        }
        return pmm;
    }

    /** A PMM at the given occupancy with the allocated frames packed at the bottom (free memory contiguous). */
    static Pmm compactOccupancy(MemoryMap m, int percent) {
        Pmm pmm = new Pmm(m);
        releaseAll(pmm, m);
        long n = pmm.managedFrames() * percent / 100;
        for (long i = 0; i < n; i++) {
            check(pmm.allocFrame());
        }
        return pmm;
    }

    static double median(double[] xs) {
        double[] c = xs.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    /** {alloc ns/op, free ns/op}: BATCH allocations then BATCH frees in the given order, median over rounds. */
    static double[] allocFree(Pmm pmm, String order, Random rnd) {
        double[] a = new double[ROUNDS];
        double[] f = new double[ROUNDS];
        long[] got = new long[BATCH];
        long[] perm = new long[BATCH];
        for (int r = 0; r < ROUNDS; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < BATCH; i++) {
                got[i] = pmm.allocFrame();
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < BATCH; i++) {
                check(got[i]);
            }
            if (order.equals("LIFO")) {
                for (int i = 0; i < BATCH; i++) {
                    perm[i] = got[BATCH - 1 - i];
                }
            } else if (order.equals("FIFO")) {
                System.arraycopy(got, 0, perm, 0, BATCH);
            } else {
                System.arraycopy(got, 0, perm, 0, BATCH);
                for (int i = BATCH - 1; i > 0; i--) {
                    int j = rnd.nextInt(i + 1);
                    long t = perm[i];
                    perm[i] = perm[j];
                    perm[j] = t;
                }
            }
            long sum = 0;
            long t2 = System.nanoTime();
            for (int i = 0; i < BATCH; i++) {
                sum += pmm.freeFrame(perm[i]);
            }
            long t3 = System.nanoTime();
            if (sum != 0) {
                throw new IllegalStateException("free failed");
            }
            a[r] = (t1 - t0) / (double) BATCH;
            f[r] = (t3 - t2) / (double) BATCH;
        }
        return new double[] {median(a), median(f)};
    }

    /** {alloc ns/op, free ns/op, blocks found per round} for 2 MiB blocks (up to 8 per round). */
    static double[] aligned9(Pmm pmm) {
        double[] a = new double[ROUNDS];
        double[] f = new double[ROUNDS];
        long[] got = new long[8];
        int found = 0;
        for (int r = 0; r < ROUNDS; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < got.length; i++) {
                got[i] = pmm.allocAligned(9);
            }
            long t1 = System.nanoTime();
            found = 0;
            for (int i = 0; i < got.length; i++) {
                if (got[i] >= 0) {
                    check(pmm.freeAligned(got[i], 9));
                    found++;
                }
            }
            long t2 = System.nanoTime();
            a[r] = (t1 - t0) / (double) got.length;
            f[r] = found == 0 ? 0 : (t2 - t1) / (double) found;
        }
        return new double[] {median(a), median(f), found};
    }

    public static void main(String[] args) {
        String[][] maps = {{"128 MiB", "0"}, {"8 GiB", "1"}};
        int[] occupancies = {10, 50, 95};
        String[] orders = {"LIFO", "FIFO", "random"};
        StringBuilder out = new StringBuilder();
        for (int pass = 0; pass < 2; pass++) {
            boolean report = pass == 1;
            out.setLength(0);
            out.append("| map | occupancy | free order | allocFrame ns | freeFrame ns |\n|---|---|---|---|---|\n");
            StringBuilder aligned = new StringBuilder(
                    "| map | occupancy | free frames | allocAligned(9) ns | freeAligned(9) ns | 2 MiB blocks found (of 8) |\n"
                    + "|---|---|---|---|---|---|\n");
            StringBuilder meta = new StringBuilder(
                    "| map | usable frames | metadata bytes | bytes/frame | bits/frame | init (new + release all) ms/GiB |\n"
                    + "|---|---|---|---|---|---|\n");
            for (String[] mp : maps) {
                MemoryMap m = mp[1].equals("0") ? qemu(128L << 20, 0) : qemu(3L << 30, 5L << 30);
                for (int occ : occupancies) {
                    for (String order : orders) {
                        Pmm pmm = atOccupancy(m, occ, new Random(occ * 31 + order.length()));
                        double[] r = allocFree(pmm, order, new Random(7));
                        out.append(String.format("| %s | %d%% | %s | %.1f | %.1f |%n", mp[0], occ, order, r[0], r[1]));
                    }
                    for (int layout = 0; layout < 2; layout++) {
                        Pmm pmm = layout == 0 ? compactOccupancy(m, occ) : atOccupancy(m, occ, new Random(occ));
                        double[] r = aligned9(pmm);
                        aligned.append(String.format("| %s | %d%% | %s | %.1f | %.1f | %d |%n", mp[0], occ,
                                layout == 0 ? "contiguous" : "scattered", r[0], r[1], (int) r[2]));
                    }
                }
                double[] init = new double[5];
                long frames = 0;
                for (int r = 0; r < init.length; r++) {
                    long t0 = System.nanoTime();
                    Pmm pmm = new Pmm(m);
                    releaseAll(pmm, m);
                    init[r] = (System.nanoTime() - t0) / 1e6;
                    frames = pmm.managedFrames();
                }
                long bytes = Pmm.metadataBytes(m);
                double gib = frames * 4096.0 / (1L << 30);
                meta.append(String.format("| %s | %d | %d | %.4f | %.3f | %.2f |%n", mp[0], frames, bytes,
                        bytes / (double) frames, 8.0 * bytes / frames, median(init) / gib));
            }
            if (report) {
                System.out.print(out);
                System.out.println();
                System.out.print(aligned);
                System.out.println();
                System.out.print(meta);
            }
        }
    }
}
