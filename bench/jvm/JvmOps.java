import java.util.Arrays;
import java.util.Random;

import verimem.host.sim.PhysicalMemory;
import verimem.host.sim.SimMachine;
import verimem.kernel.arch.Cpu;
import verimem.kernel.arch.Layout;
import verimem.kernel.heap.Kmalloc;
import verimem.kernel.memmap.MemoryMap;
import verimem.kernel.pmm.Pmm;
import verimem.kernel.vmm.AddressSpace;
import verimem.kernel.vmm.FrameOwnership;
import verimem.kernel.vmm.TranslateResult;
import verimem.kernel.vmm.Vmm;

/**
 * The JVM column of bench/run.sh: the PMM and kmalloc scenarios of bench/driver/bench_main.c (same row names,
 * same map layout, same round sizes) on the JVM, in host nanoseconds per call. A warmed loop, not JMH: every
 * cell runs 21 rounds after a full warm-up pass and reports the median round. Host time on a shared machine is
 * noisy: compare shapes, not digits. Prints "JVM name ns" lines; asserts only that the operations succeed.
 */
public final class JvmOps {
    static final long MIB = 1L << 20;
    static final long GIB = 1L << 30;
    static final int ROUND = 1024;
    static final int ROUNDS = 21;
    static boolean printing;

    static void report(String name, double ns) {
        if (printing) {
            System.out.printf(java.util.Locale.ROOT, "JVM %s %.2f%n", name, ns);
        }
    }

    static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("JvmOps: " + what);
        }
    }

    /** The QEMU pc layout of bench_main.c's qemu_pc_map. */
    static MemoryMap qemuPc(long bytes) {
        MemoryMap m = new MemoryMap();
        long low = bytes >= 3584 * MIB ? 3 * GIB : bytes;
        m.add(0, 0x9fc00, MemoryMap.USABLE);
        m.add(0x100000, low - 128 * 1024, MemoryMap.USABLE);
        if (bytes > low) {
            m.add(4 * GIB, 4 * GIB + (bytes - low), MemoryMap.USABLE);
        }
        return m;
    }

    static Pmm fullyFree(MemoryMap m) {
        Pmm p = new Pmm(m);
        for (int i = 0; i < m.count(); i++) {
            long s = (m.start(i) + 4095) / 4096 * 4096;
            long e = m.end(i) / 4096 * 4096;
            require(p.release(s, e) == 0, "release");
        }
        return p;
    }

    static double median(long[] v) {
        long[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    static void pmm(String tag, long bytes) {
        MemoryMap m = qemuPc(bytes);
        Pmm p = fullyFree(m);
        int[] orders = {0, 1, 3, 6, 9};
        for (int ord : orders) {
            int cnt = ord >= 9 ? 16 : 64;
            long[] blocks = new long[cnt];
            long[] ta = new long[ROUNDS];
            long[] tf = new long[ROUNDS];
            for (int r = 0; r < ROUNDS; r++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < cnt; i++) {
                    blocks[i] = p.allocAligned(ord);
                }
                long t1 = System.nanoTime();
                for (int i = 0; i < cnt; i++) {
                    require(blocks[i] >= 0, "aligned block");
                    p.freeAligned(blocks[i], ord);
                }
                long t2 = System.nanoTime();
                ta[r] = t1 - t0;
                tf[r] = t2 - t1;
            }
            report("pmm.alloc_order" + ord + ".contiguous." + tag, median(ta) / cnt);
            report("pmm.free_order" + ord + ".contiguous." + tag, median(tf) / cnt);
        }
        long managed = p.managedFrames();
        long[] all = new long[(int) managed];
        int n = 0;
        for (long f; (f = p.allocFrame()) >= 0;) {
            all[n++] = f;
        }
        require(n == managed, "allocating every frame");
        Random rnd = new Random(42);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            long t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        int[] perm = new int[ROUND];
        for (int i = 0; i < ROUND; i++) {
            perm[i] = i;
        }
        for (int i = ROUND - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        int freed = 0;
        String[] orderNames = {"lifo", "fifo", "random"};
        long[] got = new long[ROUND];
        for (int occ : new int[] {95, 50, 10}) {
            long target = (long) (managed * (100 - occ) / 100.0);
            while (freed < target) {
                require(p.freeFrame(all[freed]) == 0, "free to occupancy");
                freed++;
            }
            for (int o = 0; o < 3; o++) {
                long[] ta = new long[ROUNDS];
                long[] tf = new long[ROUNDS];
                for (int r = 0; r < ROUNDS; r++) {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < ROUND; i++) {
                        got[i] = p.allocFrame();
                    }
                    long t1 = System.nanoTime();
                    if (o == 0) {
                        for (int i = ROUND - 1; i >= 0; i--) {
                            p.freeFrame(got[i]);
                        }
                    } else if (o == 1) {
                        for (int i = 0; i < ROUND; i++) {
                            p.freeFrame(got[i]);
                        }
                    } else {
                        for (int i = 0; i < ROUND; i++) {
                            p.freeFrame(got[perm[i]]);
                        }
                    }
                    long t2 = System.nanoTime();
                    ta[r] = t1 - t0;
                    tf[r] = t2 - t1;
                }
                require(p.freeFrames() == freed, "round restored the free count");
                report("pmm.alloc." + tag + ".occ" + occ + "." + orderNames[o], median(ta) / ROUND);
                report("pmm.free." + tag + ".occ" + occ + "." + orderNames[o], median(tf) / ROUND);
            }
        }
    }

    static void kmalloc() {
        MemoryMap m = new MemoryMap();
        m.add(MIB, 64 * MIB, MemoryMap.USABLE);
        Pmm p = new Pmm(m);
        require(p.release(2 * MIB, 64 * MIB) == 0, "release");
        Kmalloc km = new Kmalloc(p, new FrameOwnership(64 * MIB), 64);
        long[] sizes = {16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 16384};
        long[] objs = new long[64];
        for (long size : sizes) {
            int cnt = size > 2048 ? 8 : 64;
            long[] ta = new long[ROUNDS];
            long[] tf = new long[ROUNDS];
            for (int r = 0; r < ROUNDS; r++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < cnt; i++) {
                    objs[i] = km.kmalloc(size);
                }
                long t1 = System.nanoTime();
                for (int i = 0; i < cnt; i++) {
                    require(km.kfree(objs[i]) == 0, "kfree");
                }
                long t2 = System.nanoTime();
                ta[r] = t1 - t0;
                tf[r] = t2 - t1;
            }
            report("kmalloc." + size, median(ta) / cnt);
            report("kfree." + size, median(tf) / cnt);
        }
    }

    /**
     * VMM rows on the JVM: the kernel code runs against the project's SimMachine (as the JVM tests do), so every
     * page-table access goes through the simulator's MMU; the figures are the JVM simulation's cost, not a
     * kernel's. Machine set up as VmmFixture does: a 64 MiB RAM, the direct map as one 1 GiB page.
     */
    static void vmm() {
        long ram = 64 * MIB;
        SimMachine machine = new SimMachine(ram);
        PhysicalMemory r = machine.ram();
        long pml4 = 0x1000, pdpt = 0x2000;
        r.write64(pml4 + Layout.DIRECT_MAP_SLOT * 8L, pdpt | 3);
        r.write64(pdpt, 0 | 3 | 128 | Long.MIN_VALUE);
        machine.loaderSetCr3(pml4);
        Cpu.install(machine);
        MemoryMap m = new MemoryMap();
        m.add(2 * MIB, ram, MemoryMap.USABLE);
        Pmm p = new Pmm(m);
        require(p.release(2 * MIB, ram) == 0, "release");
        Vmm vmm = new Vmm(p, ram, 64);
        require(vmm.adoptBootSpace() == 0, "adoptBootSpace");
        AddressSpace as = new AddressSpace(vmm);
        require(as.create() == 0, "create");
        TranslateResult tr = new TranslateResult();
        int n = 255;
        long[] frames = new long[n + 1];
        for (int i = 0; i <= n; i++) {
            frames[i] = p.allocFrame();
        }
        long flags = Long.MIN_VALUE + 2 + 4;
        long va0 = 16 * GIB;
        require(as.map(va0, frames[0], flags, 4096) == 0, "first map");
        long[] tm = new long[ROUNDS];
        long[] tt = new long[ROUNDS];
        long[] tu = new long[ROUNDS];
        for (int round = 0; round < ROUNDS; round++) {
            long t0 = System.nanoTime();
            for (int i = 1; i <= n; i++) {
                as.map(va0 + i * 4096L, frames[i], flags, 4096);
            }
            long t1 = System.nanoTime();
            for (int i = 1; i <= n; i++) {
                as.translate(va0 + i * 4096L + 8, tr);
            }
            long t2 = System.nanoTime();
            for (int i = 1; i <= n; i++) {
                require(as.unmap(va0 + i * 4096L) == frames[i], "unmap");
            }
            long t3 = System.nanoTime();
            tm[round] = t1 - t0;
            tt[round] = t2 - t1;
            tu[round] = t3 - t2;
        }
        report("vmm.map4k.tables_exist", median(tm) / n);
        report("vmm.translate4k", median(tt) / n);
        report("vmm.unmap4k.table_stays", median(tu) / n);
    }

    public static void main(String[] args) {
        for (int pass = 0; pass < 2; pass++) {
            printing = pass == 1; // pass 0 warms the JIT up on the same code paths
            System.err.println("[bench jvm] pass " + pass);
            pmm("128M", 128 * MIB);
            pmm("8G", 8 * GIB);
            kmalloc();
            vmm();
        }
    }
}
