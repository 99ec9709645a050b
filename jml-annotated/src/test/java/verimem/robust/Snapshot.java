package verimem.robust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import verimem.host.sim.Access;
import verimem.host.sim.PageFault;
import verimem.host.sim.PhysicalMemory;
import verimem.host.sim.SimMachine;
import verimem.kernel.arch.Layout;
import verimem.kernel.vmm.AddressSpace;
import verimem.kernel.vmm.VmmFixture;

/**
 * The whole memory-manager state a failed operation must leave as it found it, read from outside the kernel code:
 * the PMM's free count and its free bit of every frame, the VMM's table count, the ownership bitmaps (kernel-owned,
 * VMM-allocated table), the contents of every page table reachable from every live space (so a partial mapping or
 * a changed flag shows), what the CPU sees (through its TLB) at every mapped page of the current space and of the
 * kernel half, and CR3. assertTlbConsistent checks in addition that no cached entry disagrees with the tables.
 *
 * Accessed and dirty bits are masked: the simulated MMU may set them on a walk, which is not a change of state.
 */
record Snapshot(long free, BitSet freeBits, long tableFrames, BitSet kernelOwned, BitSet vmmTables,
                Map<Long, long[]> tables, Map<String, Long> visible, long cr3) {
    static final long P = 1, PS = 128, ACCESSED_DIRTY = 0x60, FRAME_MASK = 0x000F_FFFF_FFFF_F000L;

    static Snapshot of(VmmFixture fx, List<AddressSpace> spaces) {
        int frames = (int) (fx.ram / 4096);
        BitSet freeBits = new BitSet(frames);
        BitSet kernel = new BitSet(frames);
        BitSet vmmTables = new BitSet(frames);
        for (int f = 0; f < frames; f++) {
            long pa = f * 4096L;
            freeBits.set(f, fx.pmm.isFree(pa));
            kernel.set(f, fx.vmm.ownership().isKernel(pa));
            vmmTables.set(f, fx.vmm.ownership().isVmmTable(pa));
        }
        Map<Long, long[]> tables = new TreeMap<>();
        List<Long> leaves = new ArrayList<>();
        PhysicalMemory ram = fx.machine.ram();
        collect(ram, fx.vmm.kernelSpace().pml4(), 4, 0, tables, leaves);
        for (AddressSpace s : spaces) {
            if (s.state() == AddressSpace.LIVE) {
                // only the current space's pages are probed: elsewhere the CPU would not see them anyway, and a
                // probe that faults could wake a demand pager
                collect(ram, s.pml4(), 4, 0, tables, s.isCurrent() ? leaves : new ArrayList<>());
            }
        }
        return new Snapshot(fx.pmm.freeFrames(), freeBits, fx.vmm.tableFrames(), kernel, vmmTables, tables,
                visible(fx.machine, leaves), fx.machine.readCr3());
    }

    /**
     * What the CPU in its current address space sees (TLB first) at the start of every leaf page of every table:
     * the physical address of a supervisor read, or "fault". Reading fills the TLB, which only makes a later
     * missed invalidation more visible.
     */
    static Map<String, Long> visible(SimMachine m, List<Long> leaves) {
        Map<String, Long> out = new TreeMap<>();
        for (long va : leaves) {
            long pa;
            try {
                pa = m.translate(va, Access.READ, false);
            } catch (PageFault pf) {
                pa = -1;
            }
            out.put(Long.toHexString(va), pa);
        }
        return out;
    }

    private static void collect(PhysicalMemory ram, long table, int level, long vaBase, Map<Long, long[]> out,
                                List<Long> leaves) {
        if (out.containsKey(table)) {
            return; // shared kernel-half tables, the recursive slot
        }
        long[] entries = new long[512];
        for (int i = 0; i < 512; i++) {
            entries[i] = ram.read64(table + i * 8L) & ~ACCESSED_DIRTY;
        }
        out.put(table, entries);
        for (int i = 0; i < 512; i++) {
            long e = entries[i];
            long va = vaBase + ((long) i << (12 + 9 * (level - 1)));
            if (level == 4 && i >= 256) {
                va = va | 0xFFFF_0000_0000_0000L; // canonical upper half
            }
            boolean leaf = level == 1 || (level < 4 && (e & PS) != 0);
            if ((e & P) == 0) {
                continue;
            }
            if (leaf) {
                leaves.add(va);
            } else if (level != 4 || i != Layout.RECURSIVE_SLOT || (e & FRAME_MASK) != table) {
                collect(ram, e & FRAME_MASK, level - 1, va, out, leaves);
            }
        }
    }

    /** Field by field, so a failure names what changed. */
    void assertSame(Snapshot after, String what) {
        assertEquals(free, after.free, what + ": PMM free count");
        assertEquals(freeBits, after.freeBits, what + ": PMM free bitmap");
        assertEquals(tableFrames, after.tableFrames, what + ": VMM table-frame count");
        assertEquals(kernelOwned, after.kernelOwned, what + ": kernel-ownership bitmap");
        assertEquals(vmmTables, after.vmmTables, what + ": VMM-table bitmap");
        assertEquals(tables.keySet(), after.tables.keySet(), what + ": set of page-table frames");
        for (Map.Entry<Long, long[]> e : tables.entrySet()) {
            assertArrayEquals(e.getValue(), after.tables.get(e.getKey()),
                    what + ": contents of page table 0x" + Long.toHexString(e.getKey()));
        }
        assertEquals(visible, after.visible, what + ": what the CPU sees at each mapped page");
        assertEquals(cr3, after.cr3, what + ": CR3");
    }

    /** Every cached translation of the current PCID agrees with a fresh walk of the tables. */
    static void assertTlbConsistent(SimMachine m, String what) {
        List<String> stale = m.tlb().staleEntries(m.ram(), m.readCr3(), m.pcid());
        assertTrue(stale.isEmpty(), what + ": stale TLB entries " + stale);
    }
}
