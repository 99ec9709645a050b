package verimem.robust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import verimem.host.sim.PhysicalMemory;
import verimem.kernel.arch.Err;
import verimem.kernel.arch.Layout;
import verimem.kernel.arch.Pte;
import verimem.kernel.heap.Kmalloc;
import verimem.kernel.heap.Vmalloc;
import verimem.kernel.vmm.AddressSpace;
import verimem.kernel.vmm.KernelStacks;
import verimem.kernel.vmm.TranslateResult;
import verimem.kernel.vmm.VmmFixture;

/**
 * Isolation as an invariant. A random mix of legal operations (user maps with random flags, unmap, protect,
 * clone, destroy, switch, kmalloc, vmalloc, kernel stacks) and attacks through the public API (a user mapping of
 * every kind of kernel-owned frame: page tables of any space, the kernel image, kmalloc slabs, vmalloc pages,
 * stack pages; W+X user pages; user pages in the kernel half; USER pages made by the kernel space). Attacks must be
 * refused with their error. After EVERY step the page tables of every live space are walked and must satisfy:
 *   1. no user-accessible leaf reaches a kernel-owned frame;
 *   2. no user-accessible leaf is writable and executable (W^X);
 *   3. no two user spaces map the same frame (this test never asks for sharing; clone copies);
 *   4. the kernel half holds no user-accessible entry;
 *   5. every page-table frame is kernel-owned (so 1 covers page tables);
 *   6. no kernel-half leaf is writable and executable (kernel W^X: vmalloc, stacks, the direct map).
 * (The kernel half is walked in full every 100 steps and at the slots the test changes after every step.)
 * Kernel-half attacks: the kernel space asked for a W+X page (map) or to make a vmalloc page W+X (protect).
 * Steps: -Dverimem.isolation.steps (default 1800), seed -Dverimem.isolation.seed.
 */
class IsolationRandomTest {
    static final long K4 = 4096, M2 = 2L << 20, P = 1, W = 2, U = 4, PS = 128;
    static final long FRAME_MASK = 0x000F_FFFF_FFFF_F000L;

    VmmFixture fx;
    Random rnd;
    final AddressSpace[] spaces = new AddressSpace[3];
    final List<Map<Long, Long>> mapped = new ArrayList<>(); // per space: va -> size of test-made mappings
    Kmalloc kmalloc;
    Vmalloc vmalloc;
    KernelStacks stacks;
    final List<Long> kobjs = new ArrayList<>();
    final List<Long> vareas = new ArrayList<>();
    final List<Long> stackTops = new ArrayList<>();
    final Map<String, Integer> refusals = new TreeMap<>();
    long checks;

    @Test
    void noStepEverBreaksIsolation() {
        int steps = Integer.getInteger("verimem.isolation.steps", 1800);
        long seed = Long.getLong("verimem.isolation.seed", 17);
        fx = new VmmFixture(48L << 20, 8);
        rnd = new Random(seed);
        kmalloc = new Kmalloc(fx.pmm, fx.vmm.ownership(), 64);
        vmalloc = new Vmalloc(fx.vmm, 32);
        stacks = new KernelStacks(fx.vmm, 2, 16);
        for (int i = 0; i < 3; i++) {
            spaces[i] = fresh();
            mapped.add(new HashMap<>());
        }
        assertEquals(Err.OK, spaces[0].activate());
        int legal = 0;
        for (int step = 0; step < steps; step++) {
            if (rnd.nextInt(100) < 45) {
                attack(step);
            } else {
                legal(step);
                legal++;
            }
            checkIsolation(step);
        }
        int refused = refusals.values().stream().mapToInt(Integer::intValue).sum();
        System.out.println("isolation: " + steps + " steps (" + legal + " legal operations), " + refused
                + " forbidden requests refused " + refusals + ", " + checks + " leaf checks, 0 violations (seed "
                + seed + ")");
        assertTrue(refused > steps / 4, "the attacks ran");
    }

    AddressSpace fresh() {
        AddressSpace s = new AddressSpace(fx.vmm);
        assertEquals(Err.OK, s.create());
        return s;
    }

    long userVa(long size) {
        long va = (rnd.nextInt(4) * (1L << 39)) + rnd.nextInt(4) * (1L << 30) + rnd.nextInt(8) * M2;
        return size == K4 ? va + rnd.nextInt(16) * K4 : va;
    }

    long randomFlags() {
        long f = U;
        if (rnd.nextBoolean()) {
            f |= W;
        }
        if (rnd.nextBoolean()) {
            f |= Pte.NO_EXECUTE;
        }
        return f;
    }

    void refused(String what, long expected, long r, int step) {
        assertEquals(expected, r, what + " at step " + step);
        refusals.merge(what, 1, Integer::sum);
    }

    /** A kernel-owned frame of a random kind. */
    long kernelFrame(int kind) {
        TranslateResult tr = new TranslateResult();
        switch (kind) {
            case 0:
                return spaces[rnd.nextInt(3)].pml4();
            case 1: {
                List<Long> t = new ArrayList<>(fx.tablesOf(spaces[rnd.nextInt(3)].pml4(), true));
                return t.get(rnd.nextInt(t.size()));
            }
            case 2: {
                List<Long> t = new ArrayList<>(fx.kernelHalfTables());
                return t.get(rnd.nextInt(t.size()));
            }
            case 3:
                return VmmFixture.KERNEL_IMAGE_START + rnd.nextInt(256) * K4;
            case 4:
                if (kobjs.isEmpty()) {
                    return VmmFixture.BOOT_PML4;
                }
                long o = kobjs.get(rnd.nextInt(kobjs.size())) - Layout.DIRECT_MAP_BASE;
                return o - o % K4;
            case 5:
                if (vareas.isEmpty()) {
                    return VmmFixture.BOOT_DIRECT_PDPT;
                }
                return fx.vmm.kernelSpace().translate(vareas.get(rnd.nextInt(vareas.size())), tr);
            default:
                if (stackTops.isEmpty()) {
                    return VmmFixture.BOOT_PML4;
                }
                return fx.vmm.kernelSpace().translate(stackTops.get(rnd.nextInt(stackTops.size())) - K4, tr);
        }
    }

    static final String[] KINDS = {"own/other PML4", "user page table", "kernel-half table", "kernel image",
        "kmalloc slab", "vmalloc page", "kernel stack page"};

    void attack(int step) {
        AddressSpace s = spaces[rnd.nextInt(3)];
        if (s.state() != AddressSpace.LIVE) {
            return;
        }
        int a = rnd.nextInt(7);
        if (a <= 1) {
            int kind = rnd.nextInt(KINDS.length);
            long f = kernelFrame(kind);
            assertTrue(fx.vmm.ownership().isKernel(f), KINDS[kind] + " is kernel-owned");
            refused("user map of " + KINDS[kind], Err.KERNEL_FRAME,
                    s.map(userVa(K4) + 0x10_0000_0000L, f, randomFlags() | Pte.NO_EXECUTE, K4), step);
        } else if (a == 2) {
            long block = (kernelFrame(rnd.nextInt(KINDS.length)) / M2) * M2;
            refused("user 2 MiB map over a kernel frame", Err.KERNEL_FRAME,
                    s.map(userVa(M2) + 0x10_0000_0000L, block, U | Pte.NO_EXECUTE, M2), step);
        } else if (a == 3) {
            long f = fx.pmm.allocFrame();
            long r = s.map(userVa(K4), f, U | W, K4);
            fx.pmm.freeFrame(f);
            refused("user W+X map", Err.WRITE_EXECUTE, r, step);
        } else if (a == 4) {
            Map<Long, Long> mine = mapped.get(indexOf(s));
            if (mine.isEmpty()) {
                return;
            }
            long va = new ArrayList<>(mine.keySet()).get(rnd.nextInt(mine.size()));
            refused("protect to W+X", Err.WRITE_EXECUTE, s.protect(va, U | W), step);
        } else if (a == 5) {
            kernelWriteExecute(step);
        } else {
            if (rnd.nextBoolean()) {
                refused("user space maps the kernel half", Err.INVALID_ARGUMENT,
                        s.map(Layout.VMALLOC_BASE + rnd.nextInt(64) * K4, fx.ram - K4, U | Pte.NO_EXECUTE, K4), step);
            } else {
                refused("kernel space makes a USER page", Err.INVALID_ARGUMENT,
                        fx.vmm.kernelSpace().map(Layout.VMALLOC_BASE + (1L << 34), fx.ram - K4, U, K4), step);
            }
        }
    }

    /** Kernel W^X through the public API: a W+X kernel page, or a live vmalloc page turned W+X. */
    void kernelWriteExecute(int step) {
        AddressSpace k = fx.vmm.kernelSpace();
        long flags = W | (rnd.nextBoolean() ? Pte.GLOBAL : 0);
        if (vareas.isEmpty() || rnd.nextBoolean()) {
            long f = fx.pmm.allocFrame();
            long r = k.map(Layout.VMALLOC_BASE + (1L << 35) + rnd.nextInt(512) * K4, f, flags, K4);
            fx.pmm.freeFrame(f);
            refused("kernel W+X map", Err.WRITE_EXECUTE, r, step);
        } else {
            long va = vareas.get(rnd.nextInt(vareas.size()));
            refused("kernel protect to W+X", Err.WRITE_EXECUTE, k.protect(va, flags), step);
        }
    }

    int indexOf(AddressSpace s) {
        for (int i = 0; i < 3; i++) {
            if (spaces[i] == s) {
                return i;
            }
        }
        throw new AssertionError();
    }

    void legal(int step) {
        int i = rnd.nextInt(3);
        AddressSpace s = spaces[i];
        Map<Long, Long> mine = mapped.get(i);
        int op = rnd.nextInt(100);
        if (s.state() != AddressSpace.LIVE) {
            spaces[i] = fresh();
            mine.clear();
            return;
        }
        if (op < 35) {
            long size = rnd.nextInt(5) == 0 ? M2 : K4;
            long pa = size == K4 ? fx.pmm.allocFrame() : fx.pmm.allocAligned(9);
            if (pa < 0) {
                return;
            }
            long va = userVa(size);
            long flags = randomFlags();
            long r = s.map(va, pa, flags, size);
            if (r == Err.OK) {
                mine.put(va, size);
            } else {
                assertTrue(r == Err.ALREADY_MAPPED || r == Err.PARENT_HUGE_PAGE || r == Err.WRITE_EXECUTE
                        || r == Err.NO_MEMORY, "map result " + r);
                assertEquals(Err.OK, size == K4 ? fx.pmm.freeFrame(pa) : fx.pmm.freeAligned(pa, 9));
            }
        } else if (op < 50 && !mine.isEmpty()) {
            long va = new ArrayList<>(mine.keySet()).get(rnd.nextInt(mine.size()));
            long size = mine.remove(va);
            long pa = s.unmap(va);
            assertTrue(pa >= 0);
            assertEquals(Err.OK, size == K4 ? fx.pmm.freeFrame(pa) : fx.pmm.freeAligned(pa, 9));
        } else if (op < 60 && !mine.isEmpty()) {
            long va = new ArrayList<>(mine.keySet()).get(rnd.nextInt(mine.size()));
            long flags = randomFlags();
            long r = s.protect(va, flags);
            assertEquals((flags & W) != 0 && flags >= 0 ? Err.WRITE_EXECUTE : Err.OK, r);
        } else if (op < 66) {
            assertEquals(Err.OK, s.activate());
        } else if (op < 72) {
            int j = (i + 1 + rnd.nextInt(2)) % 3;
            AddressSpace victim = spaces[j];
            if (victim.isCurrent()) {
                return;
            }
            if (victim.state() == AddressSpace.LIVE) {
                assertEquals(Err.OK, victim.destroy(true));
            }
            AddressSpace c = new AddressSpace(fx.vmm);
            long r = s.cloneInto(c);
            if (r == Err.OK) {
                spaces[j] = c;
                mapped.set(j, new HashMap<>(mine));
            } else {
                assertEquals(Err.NO_MEMORY, r);
                spaces[j] = fresh();
                mapped.set(j, new HashMap<>());
            }
        } else if (op < 78) {
            if (!s.isCurrent()) {
                assertEquals(Err.OK, s.destroy(true));
                spaces[i] = fresh();
                mine.clear();
            }
        } else if (op < 86) {
            if (rnd.nextBoolean() || kobjs.isEmpty()) {
                long p = kmalloc.kmalloc(1 + rnd.nextInt(rnd.nextBoolean() ? 512 : 9000));
                if (p != Err.NO_MEMORY) {
                    kobjs.add(p);
                }
            } else {
                assertEquals(Err.OK, kmalloc.kfree(kobjs.remove(rnd.nextInt(kobjs.size()))));
            }
        } else if (op < 93) {
            if (rnd.nextBoolean() || vareas.isEmpty()) {
                long v = vmalloc.vmalloc((1 + rnd.nextInt(3)) * K4);
                if (v < 0 && v >= -4095) {
                    return;
                }
                vareas.add(v);
            } else {
                assertEquals(Err.OK, vmalloc.vfree(vareas.remove(rnd.nextInt(vareas.size()))));
            }
        } else {
            if (rnd.nextBoolean() || stackTops.isEmpty()) {
                long t = stacks.allocate();
                if (t < 0 && t >= -4095) {
                    return;
                }
                stackTops.add(t);
            } else {
                assertEquals(Err.OK, stacks.free(stackTops.remove(rnd.nextInt(stackTops.size()))));
            }
        }
    }

    // ---- the invariants, read from the tables in RAM ----

    void checkIsolation(int step) {
        PhysicalMemory ram = fx.machine.ram();
        Map<Long, Integer> owner = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            AddressSpace s = spaces[i];
            if (s.state() != AddressSpace.LIVE) {
                continue;
            }
            assertTrue(fx.vmm.ownership().isKernel(s.pml4()), "step " + step + ": a PML4 is not kernel-owned");
            for (int slot = 0; slot < 256; slot++) {
                walk(ram, s.pml4(), slot, 4, 0, true, true, false, i, owner, step);
            }
            for (int slot = 256; slot < 512; slot++) {
                long e = ram.read64(s.pml4() + slot * 8L);
                if ((e & U) != 0 && (e & P) != 0) {
                    fail("step " + step + ": kernel-half PML4 entry " + slot + " is user-accessible");
                }
            }
        }
        // the kernel half: every step the slots this test changes (vmalloc, stacks), every 100 steps all of it
        long k = fx.vmm.kernelSpace().pml4();
        boolean full = step % 100 == 99;
        for (int slot = 256; slot < 512; slot++) {
            boolean changed = slot == Layout.VMALLOC_SLOT || slot == Layout.STACK_SLOT;
            if (slot != Layout.RECURSIVE_SLOT && (full || changed)) {
                walk(ram, k, slot, 4, 0, true, true, false, -1, owner, step);
            }
        }
    }

    void walk(PhysicalMemory ram, long table, int idx, int level, long vaBase, boolean w, boolean u, boolean nx,
              int space, Map<Long, Integer> owner, int step) {
        long e = ram.read64(table + idx * 8L);
        if ((e & P) == 0) {
            return;
        }
        boolean ew = w && (e & W) != 0;
        boolean eu = u && (e & U) != 0;
        boolean enx = nx || e < 0;
        long frame = e & FRAME_MASK;
        boolean leaf = level == 1 || (level < 4 && (e & PS) != 0);
        if (!leaf) {
            assertTrue(fx.vmm.ownership().isKernel(frame), "step " + step + ": page table 0x"
                    + Long.toHexString(frame) + " is not kernel-owned");
            for (int i = 0; i < 512; i++) {
                walk(ram, frame, i, level - 1, 0, ew, eu, enx, space, owner, step);
            }
            return;
        }
        checks++;
        if (space < 0) {
            if (eu) {
                fail("step " + step + ": user-accessible kernel-half page at frame 0x" + Long.toHexString(frame));
            }
            if (ew && !enx) {
                fail("step " + step + ": kernel page writable and executable, frame 0x" + Long.toHexString(frame));
            }
            return;
        }
        if (!eu) {
            return;
        }
        if (ew && !enx) {
            fail("step " + step + ": user page writable and executable, frame 0x" + Long.toHexString(frame));
        }
        long size = level == 1 ? K4 : (level == 2 ? M2 : 1L << 30);
        for (long p = frame; p < frame + size; p += K4) {
            if (fx.vmm.ownership().isKernel(p)) {
                fail("step " + step + ": user page reaches kernel-owned frame 0x" + Long.toHexString(p));
            }
            Integer prev = owner.put(p, space);
            if (prev != null && prev != space) {
                fail("step " + step + ": frame 0x" + Long.toHexString(p) + " shared by spaces " + prev + " and "
                        + space);
            }
        }
    }
}
