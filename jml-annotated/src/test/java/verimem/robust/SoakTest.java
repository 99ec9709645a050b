package verimem.robust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import verimem.kernel.arch.Err;
import verimem.kernel.arch.Pte;
import verimem.kernel.heap.Kmalloc;
import verimem.kernel.heap.Vmalloc;
import verimem.kernel.vmm.AddressSpace;
import verimem.kernel.vmm.KernelStacks;
import verimem.kernel.vmm.TranslateResult;
import verimem.kernel.vmm.VmmFixture;

/**
 * A long random run of mixed operations, bounded in time: -Dverimem.soak.seconds (default 12 in CI; e.g. 600 for
 * a long run), -Dverimem.soak.seed. PMM frames and aligned blocks, user maps / unmaps / protects / translates in
 * two spaces with switches, kmalloc, vmalloc and kernel stacks. Every 65,536 operations the frame accounting must
 * balance exactly (free + held by the test + mapped data + page tables + heap + vmalloc + stacks = free at the
 * start) and the TLB must agree with the tables. At the end everything is released and the full state snapshot
 * (PMM bitmap and count, ownership bitmaps, every page table, CR3) must equal the one taken at the start.
 */
class SoakTest {
    static final long K4 = 4096;
    static final long DATA = Pte.USER | Pte.WRITABLE | Pte.NO_EXECUTE;

    VmmFixture fx;
    Random rnd;
    final List<Long> frames = new ArrayList<>();
    final List<long[]> blocks = new ArrayList<>(); // {pa, order}
    final List<Map<Long, Long>> maps = List.of(new HashMap<>(), new HashMap<>()); // page number (va / 4 KiB) -> frame
    final List<Long> kobjs = new ArrayList<>();
    final Map<Long, Long> vareas = new HashMap<>(); // va -> pages
    final List<Long> stackTops = new ArrayList<>();
    AddressSpace[] spaces;
    Kmalloc kmalloc;
    Vmalloc vmalloc;
    KernelStacks stacks;
    final TranslateResult tr = new TranslateResult();
    static final int STACK_PAGES = 2;

    @Test
    void millionsOfMixedOperationsBalanceExactly() {
        long seconds = Long.getLong("verimem.soak.seconds", 12);
        long seed = Long.getLong("verimem.soak.seed", 5);
        fx = new VmmFixture(64L << 20, 16);
        rnd = new Random(seed);
        kmalloc = new Kmalloc(fx.pmm, fx.vmm.ownership(), 256);
        vmalloc = new Vmalloc(fx.vmm, 64);
        stacks = new KernelStacks(fx.vmm, STACK_PAGES, 32);
        spaces = new AddressSpace[] {new AddressSpace(fx.vmm), new AddressSpace(fx.vmm)};
        for (AddressSpace s : spaces) {
            assertEquals(Err.OK, s.create());
        }
        assertEquals(Err.OK, spaces[0].activate());
        Snapshot start = Snapshot.of(fx, List.of(spaces));
        long free0 = fx.pmm.freeFrames();
        long tables0 = fx.vmm.tableFrames();
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        long ops = 0;
        long balances = 0;
        long nextReport = System.nanoTime() + 5_000_000_000L;
        while (true) {
            for (int i = 0; i < 65536; i++) {
                step();
            }
            ops += 65536;
            assertEquals(free0, fx.pmm.freeFrames() + held() + (fx.vmm.tableFrames() - tables0)
                    + kmalloc.heapFrames() + vmallocPages() + stackTops.size() * STACK_PAGES, "accounting after "
                    + ops + " operations");
            Snapshot.assertTlbConsistent(fx.machine, "after " + ops + " operations");
            balances++;
            long now = System.nanoTime();
            if (now > nextReport) {
                System.out.println("soak: " + ops + " operations, accounting exact");
                nextReport = now + 5_000_000_000L;
            }
            if (now > deadline) {
                break;
            }
        }
        releaseEverything();
        assertEquals(Err.OK, spaces[0].activate());
        start.assertSame(Snapshot.of(fx, List.of(spaces)), "after the soak released everything");
        assertEquals(0, kmalloc.liveObjects());
        assertEquals(0, vmalloc.liveAllocations());
        System.out.println("soak: " + ops + " operations in " + seconds + " s (seed " + seed + "), " + balances
                + " exact balance checks, final state equal to the initial one");
        assertTrue(ops > 0);
    }

    long held() {
        long n = frames.size();
        for (long[] b : blocks) {
            n += 1L << b[1];
        }
        return n + maps.get(0).size() + maps.get(1).size();
    }

    long vmallocPages() {
        long n = 0;
        for (long p : vareas.values()) {
            n += p;
        }
        return n;
    }

    <T> T removeRandom(List<T> l) {
        int i = rnd.nextInt(l.size());
        T last = l.remove(l.size() - 1);
        if (i == l.size()) {
            return last;
        }
        return l.set(i, last);
    }

    void step() {
        int op = rnd.nextInt(100);
        if (op < 40) {
            if ((rnd.nextBoolean() || frames.isEmpty()) && frames.size() < 4000) {
                long f = fx.pmm.allocFrame();
                if (f != Err.NO_MEMORY) {
                    frames.add(f);
                }
            } else if (!frames.isEmpty()) {
                assertEquals(Err.OK, fx.pmm.freeFrame(removeRandom(frames)));
            }
        } else if (op < 48) {
            if ((rnd.nextBoolean() || blocks.isEmpty()) && blocks.size() < 64) {
                int order = rnd.nextInt(10);
                long b = fx.pmm.allocAligned(order);
                if (b >= 0) {
                    assertEquals(0, b % (K4 << order));
                    blocks.add(new long[] {b, order});
                } else {
                    assertEquals(Err.NO_MEMORY, b);
                }
            } else if (!blocks.isEmpty()) {
                long[] b = removeRandom(blocks);
                assertEquals(Err.OK, fx.pmm.freeAligned(b[0], (int) b[1]));
            }
        } else if (op < 70) {
            int i = rnd.nextInt(2);
            Map<Long, Long> m = maps.get(i);
            long va = (rnd.nextInt(4) * (1L << 30)) + rnd.nextInt(512) * K4;
            Long pa = m.get(va / K4);
            if (pa == null) {
                long f = fx.pmm.allocFrame();
                if (f < 0) {
                    return;
                }
                long r = spaces[i].map(va, f, DATA, K4);
                if (r == Err.OK) {
                    m.put(va / K4, f);
                } else {
                    assertEquals(Err.NO_MEMORY, r);
                    assertEquals(Err.OK, fx.pmm.freeFrame(f));
                }
            } else {
                assertEquals(pa, spaces[i].unmap(va));
                m.remove(va / K4);
                assertEquals(Err.OK, fx.pmm.freeFrame(pa));
            }
        } else if (op < 74) {
            int i = rnd.nextInt(2);
            long va = (rnd.nextInt(4) * (1L << 30)) + rnd.nextInt(512) * K4;
            Long pa = maps.get(i).get(va / K4);
            long flags = rnd.nextBoolean() ? DATA : Pte.USER;
            assertEquals(pa == null ? Err.NOT_MAPPED : Err.OK, spaces[i].protect(va, flags));
        } else if (op < 80) {
            int i = rnd.nextInt(2);
            long va = (rnd.nextInt(4) * (1L << 30)) + rnd.nextInt(512) * K4 + rnd.nextInt(4096);
            Long pa = maps.get(i).get(va / K4);
            long r = spaces[i].translate(va, tr);
            assertEquals(pa == null ? Err.NOT_MAPPED : pa + va % K4, r);
        } else if (op < 82) {
            assertEquals(Err.OK, spaces[rnd.nextInt(2)].activate());
        } else if (op < 90) {
            if ((rnd.nextBoolean() || kobjs.isEmpty()) && kobjs.size() < 200) {
                long p = kmalloc.kmalloc(1 + rnd.nextInt(rnd.nextInt(8) == 0 ? 10000 : 1024));
                if (p != Err.NO_MEMORY) {
                    kobjs.add(p);
                }
            } else if (!kobjs.isEmpty()) {
                assertEquals(Err.OK, kmalloc.kfree(removeRandom(kobjs)));
            }
        } else if (op < 95) {
            if ((rnd.nextBoolean() || vareas.isEmpty()) && vareas.size() < 60) {
                long pages = 1 + rnd.nextInt(4);
                long v = vmalloc.vmalloc(pages * K4);
                if (v < 0 && v >= -4095) {
                    assertEquals(Err.NO_MEMORY, v);
                } else {
                    vareas.put(v, pages);
                }
            } else if (!vareas.isEmpty()) {
                long v = vareas.keySet().iterator().next();
                vareas.remove(v);
                assertEquals(Err.OK, vmalloc.vfree(v));
            }
        } else {
            if ((rnd.nextBoolean() || stackTops.isEmpty()) && stackTops.size() < 32) {
                long t = stacks.allocate();
                if (t < 0 && t >= -4095) {
                    assertTrue(t == Err.NO_MEMORY || t == Err.NO_VIRTUAL_SPACE);
                } else {
                    stackTops.add(t);
                }
            } else if (!stackTops.isEmpty()) {
                assertEquals(Err.OK, stacks.free(removeRandom(stackTops)));
            }
        }
    }

    void releaseEverything() {
        for (long f : frames) {
            assertEquals(Err.OK, fx.pmm.freeFrame(f));
        }
        for (long[] b : blocks) {
            assertEquals(Err.OK, fx.pmm.freeAligned(b[0], (int) b[1]));
        }
        for (int i = 0; i < 2; i++) {
            for (Map.Entry<Long, Long> e : maps.get(i).entrySet()) {
                assertEquals(e.getValue(), spaces[i].unmap(e.getKey() * K4));
                assertEquals(Err.OK, fx.pmm.freeFrame(e.getValue()));
            }
        }
        for (long p : kobjs) {
            assertEquals(Err.OK, kmalloc.kfree(p));
        }
        for (long v : vareas.keySet()) {
            assertEquals(Err.OK, vmalloc.vfree(v));
        }
        for (long t : stackTops) {
            assertEquals(Err.OK, stacks.free(t));
        }
    }
}
