package verimem.kernel.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

import verimem.host.sim.Access;
import verimem.kernel.heap.Kmalloc;
import verimem.kernel.heap.Vmalloc;
import verimem.host.sim.PageFault;
import verimem.kernel.arch.Err;
import verimem.kernel.arch.Layout;
import verimem.kernel.arch.Pte;
import verimem.kernel.arch.VirtAddr;

/**
 * Long random sequences of map / unmap / protect / translate / switch / clone / destroy over three user spaces and
 * the kernel space, checked against a plain model (per space: page va -> (frame, size, flags)). After every step:
 * the frame partition (every PMM frame exactly one of: free, page table, mapped data, heap) and, for the current space,
 * what the simulated CPU sees through its TLB for every address of the pool (a missed invalidation shows here).
 */
class RandomSequenceTest {
    static final long K4 = VirtAddr.PAGE_SIZE, M2 = VirtAddr.LARGE_PAGE_SIZE, G1 = VirtAddr.HUGE_PAGE_SIZE;
    static final long[] FLAG_BITS = {Pte.WRITABLE, Pte.USER, Pte.NO_EXECUTE, Pte.WRITE_THROUGH, Pte.CACHE_DISABLE};

    record M(long pa, long size, long flags) {
    }

    VmmFixture fx;
    Random rnd;
    AddressSpace[] spaces = new AddressSpace[3];
    Map<AddressSpace, TreeMap<Long, M>> model = new HashMap<>();
    TreeMap<Long, M> kernelModel = new TreeMap<>();
    AddressSpace current;
    long nextDevice = 8L << 30;
    int steps;
    Kmalloc kmalloc;
    Vmalloc vmalloc;
    /** Live kmalloc pointers -> size, live vmalloc starts -> pages. */
    Map<Long, Long> kmallocLive = new HashMap<>();
    Map<Long, Long> vmallocLive = new HashMap<>();
    final TranslateResult tr = new TranslateResult();

    @Property(tries = 20)
    void randomSequencesAgreeWithModel(@ForAll long seed) {
        fx = new VmmFixture(64L << 20, 4); // 3 usable PCIDs: rollover happens
        rnd = new Random(seed);
        model = new HashMap<>();
        kernelModel = new TreeMap<>();
        log.setLength(0);
        nextDevice = 8L << 30;
        kmalloc = new Kmalloc(fx.pmm, fx.vmm.ownership(), 128);
        // vmalloc in the second PDPT of the vmalloc region: the model's kernel pages use the first two GiB only
        vmalloc = new Vmalloc(fx.vmm, 32, Layout.VMALLOC_BASE + 4 * G1, 4 * G1);
        kmallocLive = new HashMap<>();
        vmallocLive = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            spaces[i] = new AddressSpace(fx.vmm);
            assertEquals(Err.OK, spaces[i].create());
            model.put(spaces[i], new TreeMap<>());
        }
        current = spaces[0];
        assertEquals(Err.OK, current.activate());
        for (steps = 0; steps < 120; steps++) {
            step();
            checkPartition();
            checkMachineAgrees();
        }
        assertTrue(fx.vmm.pcids().rollovers() >= 0);
    }

    long pickVa(boolean kernel, long size) {
        int slot = kernel ? Layout.VMALLOC_SLOT : rnd.nextInt(2);
        int pdpt = rnd.nextInt(2);
        int pd = size >= G1 ? 0 : rnd.nextInt(3);
        int pt = size >= M2 ? 0 : rnd.nextInt(4);
        return VirtAddr.fromIndices(slot, pdpt, pd, pt);
    }

    long pickSize(boolean kernel) {
        int r = rnd.nextInt(10);
        if (r < 7) {
            return K4;
        }
        if (r < 9 || !kernel) {
            return M2;
        }
        return G1;
    }

    long pickFlags(boolean kernel) {
        long f = 0;
        for (long b : FLAG_BITS) {
            if (rnd.nextBoolean() && !(kernel && b == Pte.USER)) {
                f |= b;
            }
        }
        if (kernel && rnd.nextInt(4) == 0) {
            f |= Pte.GLOBAL;
        }
        return f;
    }

    long allocData(long size) {
        if (size == K4) {
            return fx.pmm.allocFrame();
        }
        if (size == M2) {
            return fx.pmm.allocAligned(9);
        }
        long d = nextDevice;
        nextDevice += G1;
        return d;
    }

    void freeData(M m) {
        if (m.size == K4) {
            assertEquals(Err.OK, fx.pmm.freeFrame(m.pa));
        } else if (m.size == M2) {
            assertEquals(Err.OK, fx.pmm.freeAligned(m.pa, 9));
        }
    }

    static M covering(TreeMap<Long, M> mm, long va) {
        Map.Entry<Long, M> e = mm.floorEntry(va);
        if (e != null && va - e.getKey() < e.getValue().size) {
            return e.getValue();
        }
        return null;
    }

    final StringBuilder log = new StringBuilder();

    void step() {
        int op = rnd.nextInt(100);
        boolean kernelOp = rnd.nextInt(4) == 0;
        AddressSpace s = kernelOp ? fx.vmm.kernelSpace() : spaces[rnd.nextInt(3)];
        log.append("\n").append(steps).append(" op=").append(op).append(" k=").append(kernelOp).append(" s=")
                .append(Integer.toHexString(System.identityHashCode(s)));
        TreeMap<Long, M> mm = kernelOp ? kernelModel : model.get(s);
        if (!kernelOp && s.state() != AddressSpace.LIVE) {
            if (s.state() == AddressSpace.DESTROYED) {
                assertEquals(Err.DESTROYED, s.activate());
                assertEquals(Err.DESTROYED, s.map(0x1000, 0x1000, 0, K4));
            }
            recreate(s);
            return;
        }
        if (op % 8 == 0) {
            heapStep();
            return;
        }
        if (op < 40) {
            long size = pickSize(kernelOp);
            long va = pickVa(kernelOp, size);
            long flags = pickFlags(kernelOp);
            long pa = allocData(size);
            if (pa < 0) {
                return;
            }
            long expected = writeExecute(flags) ? Err.WRITE_EXECUTE
                    : expectMap(mm, va, size);
            long r = s.map(va, pa, flags, size);
            log.append(" map va=0x" + Long.toHexString(va) + " size=" + size + " r=" + r);
            assertEquals(expected, r, "map step " + steps);
            if (r == Err.OK) {
                mm.put(va, new M(pa, size, flags));
            } else {
                freeData(new M(pa, size, flags));
            }
        } else if (op < 60) {
            long va = pickVa(kernelOp, pickSize(kernelOp));
            M m = covering(mm, va);
            long r = s.unmap(va);
            log.append(" unmap va=0x" + Long.toHexString(va) + " r=" + r);
            if (m == null) {
                assertEquals(Err.NOT_MAPPED, r);
            } else if (mm.get(va) != m) {
                assertEquals(Err.MISALIGNED, r);
            } else {
                assertEquals(m.pa, r, "unmap step " + steps);
                mm.remove(va);
                freeData(m);
            }
        } else if (op < 72) {
            long va = pickVa(kernelOp, pickSize(kernelOp));
            long flags = pickFlags(kernelOp);
            M m = covering(mm, va);
            long r = s.protect(va, flags);
            if (writeExecute(flags)) {
                assertEquals(Err.WRITE_EXECUTE, r, "W^X refused before the walk");
            } else if (m == null) {
                assertEquals(Err.NOT_MAPPED, r);
            } else if (mm.get(va) != m) {
                assertEquals(Err.MISALIGNED, r);
            } else {
                assertEquals(Err.OK, r);
                mm.put(va, new M(m.pa, m.size, flags));
            }
        } else if (op < 82) {
            AddressSpace t = spaces[rnd.nextInt(3)];
            if (t.state() == AddressSpace.LIVE) {
                assertEquals(Err.OK, t.activate());
                current = t;
            }
        } else if (op < 90) {
            long va = pickVa(kernelOp, K4) + rnd.nextInt(4096);
            checkTranslate(s, mm, va);
        } else if (op < 95) {
            int i = rnd.nextInt(3);
            if (spaces[i] == s || kernelOp) {
                return;
            }
            destroyAndClone(s, i);
        } else {
            if (kernelOp) {
                return;
            }
            boolean freeData = rnd.nextBoolean();
            long r = s.destroy(freeData);
            if (s == current) {
                assertEquals(Err.INVALID_ARGUMENT, r);
                return;
            }
            assertEquals(Err.OK, r);
            for (M m : mm.values()) {
                if (freeData) {
                    if (m.size != G1) {
                        assertTrue(fx.pmm.isFree(m.pa), "data freed by destroy");
                    }
                } else {
                    freeData(m);
                }
            }
            mm.clear();
        }
    }

    void heapStep() {
        int r = rnd.nextInt(4);
        if (r == 0) {
            long size = 1 + rnd.nextInt(rnd.nextBoolean() ? 200 : 6000);
            long p = kmalloc.kmalloc(size);
            if (p == Err.NO_MEMORY) {
                return;
            }
            assertTrue(Layout.inDirectMap(p));
            fx.machine.store64(p, size);
            kmallocLive.put(p, size);
        } else if (r == 1 && !kmallocLive.isEmpty()) {
            long p = new ArrayList<>(kmallocLive.keySet()).get(rnd.nextInt(kmallocLive.size()));
            assertEquals(kmallocLive.remove(p), fx.machine.load64(p), "kmalloc object intact");
            assertEquals(Err.OK, kmalloc.kfree(p));
            assertTrue(kmalloc.kfree(p) < 0, "double free refused");
        } else if (r == 2) {
            long pages = 1 + rnd.nextInt(4);
            long v = vmalloc.vmalloc(pages * K4);
            if (v == Err.NO_MEMORY) {
                return;
            }
            fx.machine.store64(v + (pages - 1) * K4, pages);
            vmallocLive.put(v, pages);
        } else if (!vmallocLive.isEmpty()) {
            long v = new ArrayList<>(vmallocLive.keySet()).get(rnd.nextInt(vmallocLive.size()));
            long pages = vmallocLive.remove(v);
            assertEquals(pages, fx.machine.load64(v + (pages - 1) * K4));
            assertEquals(Err.OK, vmalloc.vfree(v));
            assertEquals(Err.NOT_ALLOCATED, vmalloc.vfree(v));
        }
    }

    /** Frames the heap holds: slabs and large blocks of live kmalloc objects, pages of live vmalloc areas. */
    Set<Long> heapFrames() {
        Set<Long> out = new HashSet<>();
        for (Map.Entry<Long, Long> e : kmallocLive.entrySet()) {
            long pa = e.getKey() - Layout.DIRECT_MAP_BASE;
            long first = pa - pa % K4;
            long pages = (e.getValue() + K4 - 1) / K4;
            long frames = e.getValue() <= Kmalloc.LARGEST_SMALL ? 1 : Long.highestOneBit(pages * 2 - 1);
            for (long i = 0; i < frames; i++) {
                out.add(first + i * K4);
            }
        }
        TranslateResult t = new TranslateResult();
        for (Map.Entry<Long, Long> e : vmallocLive.entrySet()) {
            for (long i = 0; i < e.getValue(); i++) {
                long pa = fx.vmm.kernelSpace().translate(e.getKey() + i * K4, t);
                assertTrue(pa >= 0);
                assertTrue(out.add(pa), "vmalloc frame twice");
            }
        }
        assertEquals(kmalloc.heapFrames() + vmallocPages(), out.size(), "heap's own frame count");
        return out;
    }

    long vmallocPages() {
        long n = 0;
        for (long p : vmallocLive.values()) {
            n += p;
        }
        return n;
    }

    void recreate(AddressSpace old) {
        for (int i = 0; i < 3; i++) {
            if (spaces[i] == old) {
                AddressSpace n = new AddressSpace(fx.vmm);
                long r = n.create();
                if (r == Err.OK) {
                    model.remove(old);
                    spaces[i] = n;
                    model.put(n, new TreeMap<>());
                }
            }
        }
    }

    /** Replaces spaces[i] (destroyed first, unless current) by a clone of src. */
    void destroyAndClone(AddressSpace src, int i) {
        AddressSpace victim = spaces[i];
        if (victim == current) {
            return;
        }
        if (victim.state() == AddressSpace.LIVE) {
            assertEquals(Err.OK, victim.destroy(true));
        }
        model.remove(victim);
        AddressSpace c = new AddressSpace(fx.vmm);
        spaces[i] = c;
        model.put(c, new TreeMap<>());
        long free0 = fx.pmm.freeFrames();
        long tables0 = fx.vmm.tableFrames();
        long r = src.cloneInto(c);
        if (r == Err.NO_MEMORY) {
            assertEquals(AddressSpace.NEW, c.state());
            assertEquals(free0, fx.pmm.freeFrames());
            assertEquals(tables0, fx.vmm.tableFrames());
            return;
        }
        assertEquals(Err.OK, r);
        TreeMap<Long, M> cm = model.get(c);
        for (Map.Entry<Long, M> e : model.get(src).entrySet()) {
            long pa = c.translate(e.getKey(), tr);
            assertTrue(pa >= 0);
            assertFalse(pa == e.getValue().pa, "clone copies frames");
            assertEquals(e.getValue().size, tr.pageSize);
            cm.put(e.getKey(), new M(pa, e.getValue().size, e.getValue().flags));
        }
        assertEquals(cm.size(), model.get(src).size());
    }

    long expectMap(TreeMap<Long, M> mm, long va, long size) {
        for (M m : mm.values()) {
            // keys are needed too
        }
        for (Map.Entry<Long, M> e : mm.entrySet()) {
            long mva = e.getKey();
            M m = e.getValue();
            if (m.size > size && mva <= va && va - mva < m.size) {
                return Err.PARENT_HUGE_PAGE;
            }
        }
        for (Map.Entry<Long, M> e : mm.entrySet()) {
            long mva = e.getKey();
            if (mva - va >= 0 && mva - va < size) {
                return Err.ALREADY_MAPPED;
            }
        }
        return Err.OK;
    }

    void checkTranslate(AddressSpace s, TreeMap<Long, M> mm, long va) {
        M m = covering(mm, va);
        if (m == null && !s.isKernel()) {
            m = covering(kernelModel, va);
        }
        long r = s.translate(va, tr);
        if (m == null) {
            assertEquals(Err.NOT_MAPPED, r);
            return;
        }
        long key = va - Math.floorMod(va, m.size);
        final M mm0 = m;
        assertEquals(m.pa + (va - key), r, () -> "translate step " + steps + " va=0x" + Long.toHexString(va) + " " + mm0
                + " kernel=" + s.isKernel() + " log=" + log);
        assertEquals(m.size, tr.pageSize);
        assertEquals((m.flags & Pte.WRITABLE) != 0, tr.writable);
        assertEquals((m.flags & Pte.USER) != 0, tr.user);
        assertEquals(m.flags < 0, tr.noExecute);
        assertEquals((m.flags & Pte.CACHE_DISABLE) != 0, tr.cacheDisable);
        assertEquals((m.flags & Pte.WRITE_THROUGH) != 0, tr.writeThrough);
    }

    /** Every PMM frame has exactly one role; tables of different spaces are disjoint; the VMM's count agrees. */
    void checkPartition() {
        Set<Long> tables = new HashSet<>(fx.kernelHalfTables());
        int expectedSize = tables.size();
        for (AddressSpace s : spaces) {
            if (s.state() == AddressSpace.LIVE) {
                Set<Long> t = fx.tablesOf(s.pml4(), true);
                expectedSize += t.size();
                tables.addAll(t);
            }
        }
        assertEquals(expectedSize, tables.size(), "a table frame in two roles, step " + steps);
        Set<Long> data = new HashSet<>();
        List<TreeMap<Long, M>> all = new ArrayList<>(model.values());
        all.add(kernelModel);
        for (TreeMap<Long, M> mm : all) {
            for (M m : mm.values()) {
                if (m.size == G1) {
                    continue;
                }
                for (long p = m.pa; p < m.pa + m.size; p += K4) {
                    if (!data.add(p)) {
                        fail("data frame mapped twice: 0x" + Long.toHexString(p));
                    }
                }
            }
        }
        Set<Long> heap = heapFrames();
        long managedTables = 0;
        for (long pa = VmmFixture.USABLE_START; pa < fx.ram; pa += K4) {
            int roles = (fx.pmm.isFree(pa) ? 1 : 0) + (tables.contains(pa) ? 1 : 0) + (data.contains(pa) ? 1 : 0)
                    + (heap.contains(pa) ? 1 : 0);
            if (roles != 1) {
                fail("frame 0x" + Long.toHexString(pa) + " has " + roles + " roles at step " + steps);
            }
            if (tables.contains(pa)) {
                managedTables++;
            }
        }
        assertEquals(managedTables, fx.vmm.tableFrames(), "VMM's table count");
    }

    /** The simulated CPU (TLB first) sees exactly the model for the current space, kernel half included. */
    void checkMachineAgrees() {
        TreeMap<Long, M> mm = model.get(current);
        for (int slot = 0; slot < 3; slot++) {
            boolean kernel = slot == 2;
            TreeMap<Long, M> src = kernel ? kernelModel : mm;
            for (int pdpt = 0; pdpt < 2; pdpt++) {
                for (int pd = 0; pd < 3; pd++) {
                    for (int pt = 0; pt < 4; pt++) {
                        long va = VirtAddr.fromIndices(kernel ? Layout.VMALLOC_SLOT : slot, pdpt, pd, pt) + 8;
                        probe(src.isEmpty() ? null : covering(src, va), va, src);
                    }
                }
            }
        }
    }

    void probe(M m, long va, TreeMap<Long, M> src) {
        if (m == null) {
            try {
                fx.machine.translate(va, Access.READ, false);
                fail("stale or wrong translation at 0x" + Long.toHexString(va) + " step " + steps);
            } catch (PageFault expected) {
                return;
            }
        }
        long key = va - Math.floorMod(va, m.size);
        assertEquals(m.pa + (va - key), fx.machine.translate(va, Access.READ, false), "step " + steps);
        assertEquals((m.flags & Pte.WRITABLE) == 0, faults(va, Access.WRITE, false), "write permission");
        assertEquals((m.flags & Pte.USER) == 0, faults(va, Access.READ, true), "user permission");
        assertEquals(m.flags < 0 || (m.flags & Pte.USER) == 0, faults(va, Access.FETCH, true), "user fetch");
    }

    boolean faults(long va, Access a, boolean user) {
        try {
            fx.machine.translate(va, a, user);
            return false;
        } catch (PageFault pf) {
            return true;
        }
    }

    /** W^X in both halves, stated here from the bits (not with the kernel's predicate): writable and NX clear. */
    private static boolean writeExecute(long flags) {
        return (flags & Pte.WRITABLE) != 0 && flags >= 0;
    }
}
