package verimem.kernel.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.Set;

import verimem.host.sim.PhysicalMemory;
import verimem.host.sim.SimMachine;
import verimem.kernel.arch.Cpu;
import verimem.kernel.arch.Err;
import verimem.kernel.arch.Layout;
import verimem.kernel.arch.VirtAddr;
import verimem.kernel.memmap.MemoryMap;
import verimem.kernel.pmm.Pmm;

/**
 * The state the bootstrap hands the VMM, built by hand: a PML4 at 0x1000 whose slot 273 points to a PDPT at
 * 0x2000 that maps the first GiB of physical memory at Layout.DIRECT_MAP_BASE with one 1 GiB page; a "kernel image"
 * at [1 MiB, 2 MiB) marked kernel-owned; the PMM owning [2 MiB, ram).
 */
public final class VmmFixture {
    public static final long BOOT_PML4 = 0x1000;
    public static final long BOOT_DIRECT_PDPT = 0x2000;
    public static final long KERNEL_IMAGE_START = 0x100000;
    public static final long KERNEL_IMAGE_END = 0x200000;
    public static final long USABLE_START = 0x200000;
    static final long P = 1, W = 2, U = 4, PS = 128, NX = Long.MIN_VALUE;

    public final SimMachine machine;
    public final Pmm pmm;
    public final Vmm vmm;
    public final long ram;

    public VmmFixture(long ramBytes, int pcidLimit) {
        this(ramBytes, pcidLimit, false);
    }

    /** recursive: also install the early mapper's PML4[510] = PML4 self-reference, as the boot branch does. */
    public VmmFixture(long ramBytes, int pcidLimit, boolean recursive) {
        ram = ramBytes;
        machine = new SimMachine(ramBytes);
        PhysicalMemory r = machine.ram();
        r.write64(BOOT_PML4 + Layout.DIRECT_MAP_SLOT * 8L, BOOT_DIRECT_PDPT | P | W);
        r.write64(BOOT_DIRECT_PDPT, 0 | P | W | PS | NX);
        if (recursive) {
            r.write64(BOOT_PML4 + Layout.RECURSIVE_SLOT * 8L, BOOT_PML4 | P | W | NX);
        }
        machine.loaderSetCr3(BOOT_PML4);
        Cpu.install(machine);
        MemoryMap mm = new MemoryMap();
        mm.add(USABLE_START, ramBytes, MemoryMap.USABLE);
        pmm = new Pmm(mm);
        assertEquals(Err.OK, pmm.release(USABLE_START, ramBytes));
        vmm = new Vmm(pmm, ramBytes, pcidLimit);
        assertEquals(Err.OK, vmm.adoptBootSpace());
        assertEquals(Err.OK, vmm.ownership().markRange(KERNEL_IMAGE_START, KERNEL_IMAGE_END));
    }

    public VmmFixture() {
        this(64L << 20, 64);
    }

    /** Every table frame reachable from a PML4 (the PML4 itself included); lower half only when userOnly. */
    public Set<Long> tablesOf(long pml4, boolean userOnly) {
        Set<Long> out = new HashSet<>();
        out.add(pml4);
        int end = userOnly ? 256 : 512;
        for (int i = 0; i < end; i++) {
            long e = machine.ram().read64(pml4 + i * 8L);
            if ((e & P) != 0) {
                collect(e & 0x000F_FFFF_FFFF_F000L, 3, out);
            }
        }
        return out;
    }

    /** Table frames of the kernel half (PDPTs and below), shared by all spaces. */
    public Set<Long> kernelHalfTables() {
        Set<Long> out = new HashSet<>();
        for (int i = 256; i < 512; i++) {
            long e = machine.ram().read64(BOOT_PML4 + i * 8L);
            if ((e & P) != 0 && (e & 0x000F_FFFF_FFFF_F000L) != BOOT_PML4) {
                collect(e & 0x000F_FFFF_FFFF_F000L, 3, out);
            }
        }
        return out;
    }

    private void collect(long table, int level, Set<Long> out) {
        out.add(table);
        if (level == 1) {
            return;
        }
        for (int i = 0; i < 512; i++) {
            long e = machine.ram().read64(table + i * 8L);
            if ((e & P) != 0 && (e & PS) == 0) {
                collect(e & 0x000F_FFFF_FFFF_F000L, level - 1, out);
            }
        }
    }

    public static long userVa(int pml4, int pdpt, int pd, int pt) {
        return VirtAddr.fromIndices(pml4, pdpt, pd, pt);
    }
}
